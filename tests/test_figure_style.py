"""The public figure style (issue 14, "People writing papers"), and readability checks over EVERY figure.

- ``figures.style.use`` / ``path`` / the shipped ``.mplstyle`` files, one source of truth with ``Style``;
- one tick-label format per axis (never ``10⁻⁵`` beside ``0.001``);
- greyscale: series in one axes differ in line style, marker or fill/hatch, or in grey level;
- no legend over a plotted line, marker, bar or fill;
- one gallery dpi: GALLERY.md's command, ``--dpi``'s help and the committed PNGs agree.

Every registered figure is drawn and laid out once per style and test session
(``tests/figure_data.py``, shared with the other figure tests, which read the same figures).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.style
import numpy as np
import pytest
from figure_data import laid_out
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import figures
from figures import registry, style
from figures.cli import DEFAULT_DPI, GALLERY_DPI, add_arguments
from theory.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
#: legend boxes are shrunk by this many points before the overlap test: the
#: frameless box includes a padding of 0.4 font sizes (≈ 3 pt) around the entries
LEGEND_TOLERANCE_PT = 2.0
#: two series told apart by grey level alone must differ by at least a quarter of the black–white
#: range in luma (ITU-R BT.601, what PIL's ``convert("L")`` computes). A CHOSEN threshold, not a
#: measured one: we assume a photocopy or greyscale print of thin lines keeps about four or five
#: grey levels a reader can tell apart (black, dark, mid, light grey, white), so neighbours need
#: ≥ 1/4 of the range; no source measured this, and the check rarely relies on it, since every
#: series also gets its own dash or marker (a clash needs equal dash, marker and fill first)
LUMA_THRESHOLD = 0.25


def _params() -> list[Any]:
    have_torch = registry.torch_available()
    out = []
    for spec in registry.all_figures():
        marks = []
        if spec.needs_torch:
            marks = [pytest.mark.torch, pytest.mark.skipif(not have_torch, reason="needs torch")]
        out.append(pytest.param(spec.name, marks=marks, id=spec.name))
    return out


FIGURES = _params()
STYLES = tuple(style.STYLES)


@pytest.fixture(scope="module")
def rendered() -> Callable[[str, str], Figure]:
    """``rendered(name, style)``: the figure laid out in the style, shared with the other figure tests."""
    return laid_out


def _all_axes(fig: Figure) -> Iterator[Any]:
    def walk(axes: list[Any]) -> Iterator[Any]:
        for ax in axes:
            yield ax
            yield from walk(list(getattr(ax, "child_axes", [])))

    yield from walk(list(fig.axes))


# ---------------------------------------------------------------- the public style


def test_use_applies_and_restores_even_on_error() -> None:
    before = dict(matplotlib.rcParams)
    with style.use("slides") as st:
        assert st is style.STYLES["slides"]
        assert matplotlib.rcParams["font.size"] == 14.0 and matplotlib.rcParams["pdf.fonttype"] == 42
    assert dict(matplotlib.rcParams) == before
    with pytest.raises(RuntimeError, match="boom"), style.use("paper"):
        assert matplotlib.rcParams["font.size"] == 8.0
        raise RuntimeError("boom")
    assert dict(matplotlib.rcParams) == before


def test_unknown_style_names_the_closest() -> None:
    for call in (lambda: style.use("papr").__enter__(), lambda: style.path("papr")):
        with pytest.raises(
            InputError, match=r"unknown style 'papr'; choose one of paper, slides; did you mean 'paper'\?"
        ):
            call()


@pytest.mark.parametrize("name", STYLES)
def test_mplstyle_files_are_the_style(name: str) -> None:
    """One source of truth: each shipped file is generated from ``Style.rc()`` and matplotlib reads
    back exactly those values, key by key; ``plt.style.use(path)`` applies them."""
    shipped = files("figures") / "styles" / f"{name}.mplstyle"
    assert shipped.is_file(), "figures/styles/*.mplstyle must be package data"
    assert style.path(name) == Path(str(shipped))
    text = style.path(name).read_text(encoding="utf-8")
    assert text == style.mplstyle_text(name), "regenerate: figures.style.write_mplstyles()"
    parsed = matplotlib.rc_params_from_file(style.path(name), use_default_template=False)
    expected = matplotlib.RcParams(style.get_style(name).rc())  # validated as rcParams are
    assert set(parsed) == set(expected)
    for key in expected:
        assert parsed[key] == expected[key], key
    with matplotlib.style.context(style.path(name)):
        applied = {k: matplotlib.rcParams[k] for k in expected}
    with style.use(name):
        assert applied == {k: matplotlib.rcParams[k] for k in expected}


def test_package_data_declares_the_styles() -> None:
    """pyproject ships ``figures/styles/*.mplstyle`` in the wheel (setuptools package-data)."""
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = conf["tool"]["setuptools"]["package-data"]["figures"]
    assert any(Path("styles/paper.mplstyle").match(p) for p in patterns), patterns
    assert sorted(p.name for p in (ROOT / "figures" / "styles").iterdir()) == sorted(
        f"{n}.mplstyle" for n in STYLES
    )


def test_public_helpers_are_exported_and_documented() -> None:
    for name in ("new_figure", "panel_label", "tidy_log_axes", "save_figure"):
        fn = getattr(style, name)
        assert getattr(figures, name) is fn and name in style.__all__ and name in figures.__all__
        assert fn.__doc__ and len(fn.__doc__.split()) > 8, name
    assert "inches" in style.new_figure.__doc__ and "dpi" in style.new_figure.__doc__
    # the project's figures use these helpers, with no private copy left
    import figures._common as common

    assert not {"new_figure", "panel_label", "tidy_log_axes", "log_tick_label"} & set(vars(common))


def test_module_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The usage example in ``figures.style``'s docstring runs as written."""
    doc = style.__doc__ or ""
    block = doc.split("::\n\n", 1)[1].split("\n\n", 2)
    code = "\n\n".join(block[:2])
    code = "\n".join(line[4:] for line in code.splitlines())
    monkeypatch.chdir(tmp_path)
    before = dict(matplotlib.rcParams)
    try:
        exec(compile(code, "figures.style docstring", "exec"), {})
    finally:
        matplotlib.rcParams.update(before)
    assert (tmp_path / "figure.pdf").read_bytes()[:5] == b"%PDF-"


# ---------------------------------------------------------------- one tick format per axis


def label_class(text: str) -> str:
    """The format class of a tick label: ``power`` (10^k), ``sci`` (m×10^k or 1e-5), ``decimal``,
    or ``text``."""
    t = text.replace("$", "").replace(r"\mathdefault", "").replace("{", "").replace("}", "")
    t = t.replace("−", "-").replace(" ", "")
    if re.fullmatch(r"10\^-?\d+", t):
        return "power"
    if re.fullmatch(r"-?\d+(\.\d*)?(\\times10\^-?\d+|e[+-]?\d+)", t):
        return "sci"
    if re.fullmatch(r"-?\d+(\.\d*)?", t):
        return "decimal"
    return "text"


def axis_labels(fig: Figure) -> Iterator[tuple[str, list[str]]]:
    """Every axis's drawn tick labels (major and minor, both sides), for the axes of ``fig``."""
    for i, ax in enumerate(_all_axes(fig)):
        for side, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not axis.get_visible():
                continue
            texts = []
            for tick in axis._update_ticks():  # the ticks in view, as drawn
                for label in (tick.label1, tick.label2):
                    if label.get_visible() and label.get_text():
                        texts.append(label.get_text())
            yield f"axes {i} {side}", texts


def test_label_classes() -> None:
    assert [label_class(t) for t in ("$10^{-5}$", "0.001", "1", "−0.5", r"$\mathdefault{10^{3}}$")] == [
        "power",
        "decimal",
        "decimal",
        "decimal",
        "power",
    ]
    assert label_class(r"$2\times10^{-3}$") == label_class("1e-05") == "sci"


@pytest.mark.parametrize("name", FIGURES)
@pytest.mark.parametrize("style_name", STYLES)
def test_one_tick_format_per_axis(name: str, style_name: str, rendered: Callable[[str, str], Figure]) -> None:
    fig = rendered(name, style_name)
    for where, texts in axis_labels(fig):
        classes = {label_class(t) for t in texts}
        assert len(classes) <= 1, f"{name} ({style_name}) {where}: mixed tick formats {texts}"


def test_log_formatter_picks_one_format_for_the_axis() -> None:
    """The formatter, alone: an axis spanning 10⁻⁵ … 10⁻¹ is all powers, 10⁻³ … 10³ all decimals."""
    with style.use("paper"):
        fig, (a, b) = style.new_figure("paper", "double", 0.3, 1, 2)
        a.loglog([1e-5, 1e-1], [1e-3, 1e3])
        b.semilogy([0, 1], [1e-3, 10])
        style.tidy_log_axes(fig)
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        labels = dict(axis_labels(fig))
    assert {label_class(t) for t in labels["axes 0 x"]} == {"power"}
    assert "$10^{-3}$" in labels["axes 0 x"]
    assert {label_class(t) for t in labels["axes 0 y"]} == {"decimal"}
    assert "0.001" in labels["axes 0 y"] and "1000" in labels["axes 0 y"]
    assert {label_class(t) for t in labels["axes 1 y"]} == {"decimal"}


def _labels_shown(axis: Any) -> bool:
    """Whether ``axis`` shows tick labels at all (shared axes switch them off on inner panels)."""
    kw = axis.get_tick_params(which="major")
    return any(kw.get(k, False) for k in ("labelleft", "labelright", "labelbottom", "labeltop"))


def log_axis_labels(fig: Figure) -> Iterator[tuple[str, list[str]]]:
    """Drawn tick labels of every visible log-scaled axis that shows labels."""
    labels = dict(axis_labels(fig))
    for i, ax in enumerate(_all_axes(fig)):
        for side, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if axis.get_visible() and axis.get_scale() == "log" and _labels_shown(axis):
                yield f"axes {i} {side}", labels[f"axes {i} {side}"]


@pytest.mark.parametrize("name", FIGURES)
@pytest.mark.parametrize("style_name", STYLES)
def test_every_log_axis_has_two_labels(
    name: str, style_name: str, rendered: Callable[[str, str], Figure]
) -> None:
    """A log axis with one label (or none) gives the reader no scale: every one shows ≥ 2."""
    fig = rendered(name, style_name)
    for where, texts in log_axis_labels(fig):
        assert len(texts) >= 2, f"{name} ({style_name}) {where}: tick labels {texts}"


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0.2, 0.8, ["0.2", "0.5"]),
        (0.03, 0.5, ["0.05", "0.1", "0.2", "0.5"]),
        (2e-6, 8e-6, [r"$2\times10^{-6}$", r"$5\times10^{-6}$"]),
        (0.5, 30, ["1", "10"]),
    ],
)
def test_short_log_axis_gets_two_labels_in_one_format(lo: float, hi: float, expected: list[str]) -> None:
    """Less than two decades in view: 2× and 5× ticks are labelled too, in the axis's one format."""
    with style.use("paper"):
        fig, ax = style.new_figure("paper")
        ax.semilogy([0, 1], [lo, hi])
        style.tidy_log_axes(fig)
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        (texts,) = [t for where, t in log_axis_labels(fig) if where == "axes 0 y"]
    assert sorted(texts, key=texts.index) == texts and set(texts) == set(expected), texts
    assert len({label_class(t) for t in texts}) == 1


def test_log_tick_formatter_is_a_matplotlib_formatter() -> None:
    from matplotlib.ticker import Formatter

    assert issubclass(style.LogTickFormatter, Formatter)
    with style.use("paper"):
        fig, ax = style.new_figure("paper")
        ax.semilogx([1e-6, 1e2], [0, 1])
        ax.xaxis.set_major_formatter(style.LogTickFormatter())
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        texts = dict(axis_labels(fig))["axes 0 x"]
    assert texts and {label_class(t) for t in texts} == {"power"}, texts
    assert style.LogTickFormatter()(0.01) == "0.01" and style.LogTickFormatter()(0.03) == ""


def test_new_figure_outside_use_gets_the_style() -> None:
    """``new_figure`` creates the axes under the style's rcParams even outside ``use()``."""
    assert matplotlib.rcParams["axes.spines.top"]  # matplotlib's default here
    _, ax = style.new_figure("slides")
    assert not ax.spines["top"].get_visible()
    assert ax.xaxis.get_major_ticks()[0].tick1line.get_markersize() == 3.0


# ---------------------------------------------------------------- greyscale


def luma(color: Any) -> float:
    """Grey level in [0, 1] of ``color`` drawn on white (ITU-R BT.601 luma, alpha composited)."""
    r, g, b, a = to_rgba(color)
    r, g, b = (a * c + (1 - a) for c in (r, g, b))
    return 0.299 * r + 0.587 * g + 0.114 * b


def _is_reference(artist: Any) -> bool:
    return artist.get_gid() == style.REFERENCE


def _look(ln: Line2D) -> tuple[Any, ...]:
    """A line's cue without colour (:func:`_line_cue`) plus the colour a reader sees: the line's, or
    for markers alone their edge colour."""
    cue = _line_cue(ln)
    seen = ln.get_color() if cue[0] not in ("None", " ", "") else ln.get_markeredgecolor()
    return (*cue, to_rgba(seen, ln.get_alpha()))


def line_series(ax: Any) -> dict[str, tuple[tuple[Any, ...], list[Line2D]]]:
    """The data series of ``ax``: one per legend entry (lines sharing a label), and one per unlabelled
    plot call, except that an unlabelled line drawn like an earlier series (same look; width is no
    cue) is read as a further piece of it (one path among several, a marker line at its MAP). Each
    series maps to ``(look, lines)`` with the look of its first line. Empty legend proxies,
    reference lines and error-bar caps are left out.

    Grouping by label, not by look, is what lets two DIFFERENT series that are drawn identically be
    compared, and flagged."""
    caps = set()
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer):
            caps.update(c.lines[1])
    series: dict[str, tuple[tuple[Any, ...], list[Line2D]]] = {}
    unlabelled: list[Line2D] = []
    for ln in ax.get_lines():
        if not ln.get_visible() or _is_reference(ln) or ln in caps or len(ln.get_xdata()) == 0:
            continue
        label = str(ln.get_label())
        if label.startswith("_"):
            unlabelled.append(ln)
            continue
        series.setdefault(label, (_look(ln), []))[1].append(ln)
    for i, ln in enumerate(unlabelled):
        look = _look(ln)
        same = [key for key, (lk, _) in series.items() if lk == look]
        series.setdefault(same[0] if same else f"unlabelled line {i}", (look, []))[1].append(ln)
    return series


def scatter_series(ax: Any) -> dict[str, tuple[tuple[Any, ...], list[Any]]]:
    """Scatter plots (``PathCollection``), one series per call: look = (marker path, open or filled,
    colour seen)."""
    out: dict[str, tuple[tuple[Any, ...], list[Any]]] = {}
    for i, coll in enumerate(c for c in ax.collections if isinstance(c, PathCollection)):
        if not coll.get_visible() or _is_reference(coll) or len(coll.get_offsets()) == 0:
            continue
        paths = coll.get_paths()
        marker = tuple(np.round(paths[0].vertices, 3).ravel()) if paths else ()
        faces = coll.get_facecolors()
        is_open = len(faces) == 0 or float(faces[0][3]) == 0.0
        edges = coll.get_edgecolors()
        seen = edges[0] if is_open and len(edges) else (faces[0] if len(faces) else (0, 0, 0, 1))
        label = str(coll.get_label())
        out[label if not label.startswith("_") else f"scatter {i}"] = (
            ("scatter", marker, is_open, tuple(to_rgba(seen))),
            [coll],
        )
    return out


def _line_cue(ln: Line2D) -> tuple[Any, ...]:
    """What tells a line apart without colour: dash pattern, marker, open or filled marker."""
    ls = ln.get_linestyle()
    dashes = None if ls in ("-", "None", " ", "") else getattr(ln, "_unscaled_dash_pattern", ls)
    marker = ln.get_marker()
    marker = None if marker in ("None", "none", "", " ", None) else str(marker)
    is_open = marker is not None and str(ln.get_markerfacecolor()) == "none"
    return (ls if ls in ("-", "None", " ", "") else "dashed", dashes, marker, is_open)


def patch_series(ax: Any) -> dict[tuple[Any, ...], list[Patch]]:
    """Bars (one series per ``bar`` call) and filled patches, grouped by hatch and face colour."""
    in_bars = {}
    for c in ax.containers:
        if isinstance(c, BarContainer):
            for p in c.patches:
                in_bars[p] = id(c)
    groups: dict[tuple[Any, ...], list[Patch]] = {}
    for p in ax.patches:
        if not p.get_visible() or _is_reference(p):
            continue
        key = (p.get_hatch() or "", to_rgba(p.get_facecolor()), in_bars.get(p, id(p)))
        groups.setdefault(key, []).append(p)
    return groups


def greyscale_clashes(ax: Any) -> list[str]:
    """Pairs of series in ``ax`` that differ in colour only (and by less than LUMA_THRESHOLD in grey),
    including two series drawn identically (equal looks; line width is not counted as a cue)."""
    out = []
    for kind, groups in (("lines", line_series(ax)), ("scatters", scatter_series(ax))):
        items = list(groups.items())
        for i, (n1, (k1, _)) in enumerate(items):
            for n2, (k2, _) in items[i + 1 :]:
                if k1[:-1] == k2[:-1] and abs(luma(k1[-1]) - luma(k2[-1])) < LUMA_THRESHOLD:
                    how = "are drawn identically" if k1 == k2 else "differ in colour only"
                    out.append(f"{kind} {n1!r} and {n2!r} {how}: {k1[:-1]}")
    patches = list(patch_series(ax).items())
    for i, (k1, p1) in enumerate(patches):
        for k2, _p2 in patches[i + 1 :]:
            if k1[0] == k2[0] and abs(luma(k1[1]) - luma(k2[1])) < LUMA_THRESHOLD:
                out.append(f"patches {p1[0].get_label()!r} … differ in colour only (hatch {k1[0]!r})")
    return out


def legend_proxy_mismatches(fig: Figure) -> list[str]:
    """Legend entries drawn by a proxy (a handle with no data, e.g. a black "L2" standing for every
    L2 path) whose cue without colour (dash, marker, open/filled) matches no data line they stand
    for: the legend then tells the reader a difference the plot does not draw. Two entries of one
    legend with the same look are flagged too."""
    out = []
    legends = [(leg, [ax]) for ax in _all_axes(fig) if (leg := ax.get_legend()) is not None]
    legends += [(leg, list(_all_axes(fig))) for leg in fig.legends]
    for leg, owners in legends:
        drawn = [ln for ax in owners for ln in ax.get_lines() if ln.get_visible() and len(ln.get_xdata())]
        cues = {_line_cue(ln) for ln in drawn}  # reference lines count: a proxy may stand for them
        handles = [h for h in getattr(leg, "legend_handles", []) if isinstance(h, Line2D)]
        texts = [t.get_text() for t in leg.get_texts()]
        for h, text in zip(handles, texts, strict=False):
            if _is_reference(h) or not h.get_visible():
                continue
            if _line_cue(h) not in cues:
                out.append(f"legend entry {text!r} is drawn {_line_cue(h)}, like no data line in its axes")
        looks = [(_look(h), text) for h, text in zip(handles, texts, strict=False) if not _is_reference(h)]
        for i, (k1, t1) in enumerate(looks):
            for k2, t2 in looks[i + 1 :]:
                if k1 == k2:
                    out.append(f"legend entries {t1!r} and {t2!r} are drawn identically: {k1}")
    return out


@pytest.mark.parametrize("name", FIGURES)
@pytest.mark.parametrize("style_name", STYLES)
def test_series_readable_in_greyscale(
    name: str, style_name: str, rendered: Callable[[str, str], Figure]
) -> None:
    """Every axes, secondary and inset axes included, in both styles."""
    fig = rendered(name, style_name)
    problems = [f"axes {i}: {p}" for i, ax in enumerate(_all_axes(fig)) for p in greyscale_clashes(ax)]
    problems += legend_proxy_mismatches(fig)
    assert not problems, f"{name}: " + "; ".join(problems)


def test_greyscale_check_can_fail() -> None:
    with style.use("paper"):
        _, ax = style.new_figure("paper")
        ax.plot([0, 1], [0, 1], color=style.PALETTE["blue"], ls="-")
        ax.plot([0, 1], [1, 0], color=style.PALETTE["vermillion"], ls="-")
        ax.axhline(0.5, color="0.5", gid=style.REFERENCE)  # ignored
        assert len(greyscale_clashes(ax)) == 1
        ax.lines[1].set_linestyle("--")
        assert greyscale_clashes(ax) == []
        ax.lines[1].set_linestyle("-")
        ax.lines[1].set_color("k")  # luma 0 against 0.34: far enough apart
        assert greyscale_clashes(ax) == []
        ax.bar([0, 1], [1, 1], color=style.PALETTE["blue"])
        ax.bar([2, 3], [1, 1], color=style.PALETTE["green"])
        assert len(greyscale_clashes(ax)) == 1
        ax.patches[-1].set_hatch("////")
        ax.patches[-2].set_hatch("////")
        assert greyscale_clashes(ax) == []


def test_greyscale_check_compares_series_not_looks() -> None:
    """Two legend entries drawn identically (only the width differs) are two series, and clash; so do
    a proxy legend entry that matches no drawn line, and two scatters in colours of one grey."""
    with style.use("paper"):
        fig, ax = style.new_figure("paper")
        ax.plot([0, 1], [0, 1], color="k", ls="-", marker="o", label="L1")
        ax.plot([0, 1], [1, 0], color="k", ls="-", marker="o", lw=0.7, label="L2")
        assert len(greyscale_clashes(ax)) == 1
        ax.lines[1].set_linestyle("--")
        assert greyscale_clashes(ax) == []
        # unlabelled paths with a proxy legend (the l1-vs-l2 (c) layout)
        fig, ax = style.new_figure("paper")
        for i in range(2):
            ax.plot([0, 1], [i, i + 1], color=style.STYLES["paper"].color(i), ls="-", marker="o")
            ax.plot(
                [0, 1], [i + 1, i], color=style.STYLES["paper"].color(i), ls="-", marker="o", lw=0.7
            )  # the mutation
        ax.plot([], [], color="k", ls="-", marker="o", label="L1")
        ax.plot([], [], color="k", ls="--", marker="o", mfc="white", label="L2")
        ax.legend()
        (problem,) = legend_proxy_mismatches(fig)
        assert "'L2'" in problem
        for ln in ax.lines[1:4:2]:
            ln.set_linestyle("--")
            ln.set_markerfacecolor("white")
        assert legend_proxy_mismatches(fig) == []
        _, ax = style.new_figure("paper")
        ax.scatter([0, 1], [0, 1], color=style.PALETTE["blue"], marker="o")
        ax.scatter([0, 1], [1, 0], color=style.PALETTE["vermillion"], marker="o")
        assert len(greyscale_clashes(ax)) == 1
        ax.collections[1].remove()
        ax.scatter([0, 1], [1, 0], color=style.PALETTE["vermillion"], marker="s")
        assert greyscale_clashes(ax) == []


# ---------------------------------------------------------------- legends


def _densify(points: np.ndarray, step: float = 1.0) -> np.ndarray:
    """Points every ``step`` pixels (at most 4000 a segment) along a polyline in display coordinates."""
    points = np.asarray(points, float)
    if len(points) < 2:
        return points
    p, q = points[:-1], points[1:]
    ok = np.all(np.isfinite(p), axis=1) & np.all(np.isfinite(q), axis=1)  # NaN: a gap in the line
    p, q = p[ok], q[ok]
    if len(p) == 0:
        return points[np.all(np.isfinite(points), axis=1)]
    length = np.hypot(*(q - p).T)
    n = np.clip(np.nan_to_num(np.ceil(length / step), nan=1.0), 1, 4000).astype(int)
    seg = np.repeat(np.arange(len(p)), n)
    t = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n, n)
    return np.concatenate([p[seg] + t[:, None] * (q[seg] - p[seg]), points[-1:]])


def drawn_points(ax: Any) -> Iterator[tuple[str, np.ndarray, float]]:
    """(what, display points, radius in px) of every line, marker, error bar, contour and collection
    of ``ax``, clipped to the axes box; fills, bars and the boxes of texts and annotations are
    yielded as sampled interiors."""
    box = ax.bbox
    pt = ax.figure.dpi / 72  # pixels per point

    def inside(pts: np.ndarray) -> np.ndarray:
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        keep = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)
        return pts[keep]

    for ln in ax.get_lines():
        if not ln.get_visible() or len(ln.get_xdata()) == 0:
            continue
        path = ln.get_transform().transform_path(ln.get_path())
        verts = path.vertices
        label = f"line {ln.get_label()!r}"
        if ln.get_linestyle() not in ("None", " ", ""):
            yield label, inside(_densify(verts)), ln.get_linewidth() * pt / 2
        if ln.get_marker() not in ("None", "none", "", " ", None):
            yield label + " markers", inside(verts), ln.get_markersize() * pt / 2
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        what = type(coll).__name__
        if isinstance(coll, PathCollection):  # scatter: markers at the offsets
            sizes = coll.get_sizes()
            r = float(np.sqrt(sizes.max()) * pt / 2) if len(sizes) else 2.0 * pt
            yield what, inside(coll.get_offset_transform().transform(coll.get_offsets())), r
            continue
        for path in coll.get_paths():
            tpath = coll.get_transform().transform_path(path)
            if isinstance(coll, PolyCollection):  # fill_between: its interior
                yield what, inside(_interior(tpath)), 0.0
            else:  # line collections, contour lines: every piece as a polyline
                for piece in tpath.to_polygons(closed_only=False):
                    yield what, inside(_densify(np.asarray(piece))), 0.5
    for p in ax.patches:
        if not p.get_visible():
            continue
        yield (
            f"patch {p.get_label()!r}",
            inside(_interior(p.get_transform().transform_path(p.get_path()))),
            0.0,
        )
    renderer = ax.figure.canvas.get_renderer()
    for t in ax.texts:  # text and annotations: their boxes, sampled every 2 px
        if not t.get_visible() or not t.get_text().strip():
            continue
        bb = t.get_window_extent(renderer)
        xs = np.linspace(bb.x0, bb.x1, max(2, int(bb.width / 2)))
        ys = np.linspace(bb.y0, bb.y1, max(2, int(bb.height / 2)))
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        yield f"text {t.get_text()!r}", inside(grid), 0.0


def _interior(path: Any) -> np.ndarray:
    """Points on a 1-pixel grid inside a closed display-space path."""
    ext = path.get_extents()
    xs = np.linspace(ext.x0, ext.x1, int(np.clip(ext.width, 2, 2000)))
    ys = np.linspace(ext.y0, ext.y1, int(np.clip(ext.height, 2, 2000)))
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return grid[path.contains_points(grid)]


def legend_overlaps(fig: Figure) -> list[str]:
    """What is drawn under a legend box (shrunk by LEGEND_TOLERANCE_PT)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    out = []
    legends = [(ax, ax.get_legend()) for ax in fig.axes if ax.get_legend() is not None]
    legends += [(None, leg) for leg in fig.legends]
    for owner, leg in legends:
        bb = leg.get_window_extent(renderer)
        tol = LEGEND_TOLERANCE_PT * fig.dpi / 72
        x0, y0, x1, y1 = bb.x0 + tol, bb.y0 + tol, bb.x1 - tol, bb.y1 - tol
        for ax in [owner] if owner is not None else fig.axes:
            for what, pts, r in drawn_points(ax):
                if len(pts) == 0:
                    continue
                hit = (
                    (pts[:, 0] >= x0 - r)
                    & (pts[:, 0] <= x1 + r)
                    & (pts[:, 1] >= y0 - r)
                    & (pts[:, 1] <= y1 + r)
                )
                if hit.any():
                    out.append(f"legend of axes {fig.axes.index(ax)} covers {what} at {pts[hit][0].round(1)}")
    return out


@pytest.mark.parametrize("name", FIGURES)
@pytest.mark.parametrize("style_name", STYLES)
def test_legends_cover_no_data(name: str, style_name: str, rendered: Callable[[str, str], Figure]) -> None:
    fig = rendered(name, style_name)
    problems = legend_overlaps(fig)
    assert not problems, f"{name} ({style_name}): " + "; ".join(problems[:6])


def test_legend_check_can_fail() -> None:
    with style.use("paper"):
        fig, ax = style.new_figure("paper")
        ax.plot([0, 1], [0, 1], label="diagonal")
        ax.legend(loc="upper left")
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        assert legend_overlaps(fig) == []
        ax.plot([0, 1], [0.97, 0.97], color="0.6", gid=style.REFERENCE)  # a reference line counts too
        fig.canvas.draw()
        assert legend_overlaps(fig)
        ax.lines[-1].remove()
        fig.canvas.draw()
        assert legend_overlaps(fig) == []
        ax.text(0.05, 0.95, "a note", transform=ax.transAxes, va="top")  # text under the legend counts
        fig.canvas.draw()
        assert any("text 'a note'" in p for p in legend_overlaps(fig))


# ---------------------------------------------------------------- one gallery dpi


def test_one_gallery_dpi() -> None:
    """GALLERY.md's command, ``--dpi``'s help, the default and the committed PNGs agree."""
    from PIL import Image

    text = (ROOT / "figures" / "GALLERY.md").read_text(encoding="utf-8")
    commands = re.findall(r"^wdt figures .*--dpi (\S+).*$", text, re.M)
    assert commands and all(float(v) == GALLERY_DPI for v in commands), commands
    assert f"at {GALLERY_DPI} dpi" in " ".join(text.split())
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    (dpi_action,) = [a for a in parser._actions if "--dpi" in a.option_strings]
    assert f"default {DEFAULT_DPI}" in dpi_action.help and f"uses {GALLERY_DPI}" in dpi_action.help
    assert all(s.rc()["savefig.dpi"] == DEFAULT_DPI for s in style.STYLES.values())
    paper = style.get_style("paper")
    for spec in registry.all_figures():
        png = ROOT / "figures" / "gallery" / f"{spec.name}.png"
        with Image.open(png) as im:
            got = im.info.get("dpi", (0, 0))[0]
            assert abs(got - GALLERY_DPI) < 0.5, (spec.name, got)
            assert im.size[0] in {round(w * GALLERY_DPI) for w in paper.widths.values()}, (spec.name, im.size)


def text_over_series(fig: Figure) -> list[str]:
    """Texts and annotations of ``fig`` whose box a labelled data line (a legend entry, not a guide)
    runs through or touches. No tolerance: a text's box is its glyphs' extent (ascender to
    descender), with none of a legend's padding."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    tol = 0.0
    out = []
    for i, ax in enumerate(_all_axes(fig)):
        series = [
            ln
            for ln in ax.get_lines()
            if ln.get_visible()
            and len(ln.get_xdata())
            and not _is_reference(ln)
            and not ln.get_label().startswith("_")
        ]
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            bb = t.get_window_extent(renderer)
            for ln in series:
                pts = _densify(ln.get_transform().transform_path(ln.get_path()).vertices)
                r = ln.get_linewidth() * fig.dpi / 72 / 2
                hit = (
                    (pts[:, 0] >= bb.x0 + tol - r)
                    & (pts[:, 0] <= bb.x1 - tol + r)
                    & (pts[:, 1] >= bb.y0 + tol - r)
                    & (pts[:, 1] <= bb.y1 - tol + r)
                )
                if ln.get_linestyle() not in ("None", " ", "") and hit.any():
                    out.append(f"axes {i}: {ln.get_label()!r} runs through the text {t.get_text()!r}")
    return out


@pytest.mark.parametrize("name", FIGURES)
def test_no_series_runs_through_a_text(name: str, rendered: Callable[[str, str], Figure]) -> None:
    problems = text_over_series(rendered(name, "paper"))
    assert not problems, f"{name}: " + "; ".join(problems)


def test_text_check_can_fail() -> None:
    with style.use("paper"):
        fig, ax = style.new_figure("paper")
        ax.plot([0, 1], [0, 1], label="diagonal")
        ax.text(0.1, 0.8, "a note")
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        assert text_over_series(fig) == []
        ax.texts[0].set_position((0.45, 0.48))
        fig.canvas.draw()
        assert text_over_series(fig)
