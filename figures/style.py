r"""The project's figure style, public: use it for your own figures.

Two styles ship with the package, ``paper`` (journal column widths, 8 pt labels) and ``slides``
(large type for a projector). Use one for a block of code, or globally through its ``.mplstyle`` file::

    import matplotlib.pyplot as plt
    from figures import style

    with style.use("paper") as st:                  # rcParams restored on exit, even on error
        fig, ax = style.new_figure(st, "single", aspect=0.75)   # 3.5 in wide, 2.625 in high
        ax.loglog([1e-5, 1e-3, 1e-1], [1, 3, 9], label="a series")
        ax.axhline(1, color="0.6", lw=0.5, gid=style.REFERENCE)  # a guide, not a series
        ax.set_xlabel(r"$\lambda/\alpha$")
        ax.legend(loc="lower right")
        style.tidy_log_axes(fig)                     # one tick-label format per log axis
        style.save_figure(fig, "figure.pdf")         # deterministic bytes, atomic write

    plt.style.use(style.path("paper"))               # or: the same settings for all of pyplot

Widths are the common journal presets: a single column of 3.5 in (IEEE, APS, Elsevier two-column),
a double column of 7.16 in (IEEE ``\textwidth``), and a text width of 5.5 in (a one-column article,
e.g. JMLR or a thesis). Fonts are set in points so that a figure included at its native width shows
text at the size of a footnote (``paper``: 8 pt labels, 7 pt ticks) or readable on a projector
(``slides``). Labels are mathtext (``$\lambda/\alpha$``), rendered by matplotlib without TeX; pass
``usetex=True`` where a TeX installation exists to typeset them with LaTeX instead.

The palette is Okabe & Ito's (*Color Universal Design*, 2008), distinguishable under the common
colour-vision deficiencies; every series also gets its own line style (and marker where points are
plotted), so a figure still reads in greyscale.

PDF and PS embed TrueType (Type 42) fonts, not matplotlib's default Type 3, which publishers reject.

One source of truth: the :class:`Style` objects below define every setting; the shipped files
``figures/styles/paper.mplstyle`` and ``slides.mplstyle`` are generated from them
(:func:`write_mplstyles`) and a test checks that they agree key by key.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.ticker import Formatter

from figures.save import save_figure
from theory.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "REFERENCE",
    "STYLES",
    "WIDTHS",
    "LogTickFormatter",
    "Style",
    "get_style",
    "mplstyle_text",
    "new_figure",
    "panel_label",
    "path",
    "save_figure",
    "tidy_log_axes",
    "use",
]

#: ``gid`` of a guide line (a zero line, a threshold, α = λ_min): not a data series, so it needs no
#: legend entry or greyscale cue of its own; the figure tests skip lines with this gid
REFERENCE = "reference"

#: Okabe–Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple
PALETTE: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# the order series take: yellow is left out (too light on white for thin lines)
_CYCLE = ("blue", "vermillion", "green", "orange", "purple", "sky", "black")

#: the second cue: one line style per series, in the same order as the colours
LINESTYLES: tuple[Any, ...] = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))

#: markers, in the same order as the colours
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")

#: inches: single column, double column, text width
WIDTHS: dict[str, float] = {"single": 3.5, "double": 7.16, "text": 5.5}


@dataclass(frozen=True, slots=True)
class Style:
    """Sizes and fonts of one output medium.

    Attributes:
        name: ``"paper"`` or ``"slides"``.
        font_size: axis labels and titles, in points.
        small_size: tick labels, legends and annotations, in points.
        line_width: data lines, in points.
        marker_size: markers, in points.
        widths: figure width in inches for ``"single"``, ``"double"`` and ``"text"``.
        font_family: the text font; mathtext uses the matching ``mathtext_fontset``.
        mathtext_fontset: ``"stix"`` (Times-like, for papers) or ``"dejavusans"``.
        usetex: typeset text with LaTeX (needs ``latex`` on the PATH).
    """

    name: str
    font_size: float
    small_size: float
    line_width: float
    marker_size: float
    widths: dict[str, float] = field(default_factory=lambda: dict(WIDTHS))
    font_family: str = "STIXGeneral"
    mathtext_fontset: str = "stix"
    usetex: bool = False

    def color(self, i: int | str) -> str:
        """The i-th colour of the cycle, or a palette colour by name."""
        if isinstance(i, str):
            return PALETTE[i]
        return PALETTE[_CYCLE[i % len(_CYCLE)]]

    def linestyle(self, i: int) -> Any:
        """The i-th line style (the second cue, paired with :meth:`color`)."""
        return LINESTYLES[i % len(LINESTYLES)]

    def marker(self, i: int) -> str:
        """The i-th marker."""
        return MARKERS[i % len(MARKERS)]

    def figsize(self, width: str, aspect: float) -> tuple[float, float]:
        """``(w, w·aspect)`` in inches for ``width`` in ``single``, ``double``, ``text``."""
        if width not in self.widths:
            raise InputError(f"unknown figure width {width!r}; choose one of {', '.join(self.widths)}")
        w = self.widths[width]
        return (w, round(w * aspect, 3))

    def rc(self) -> dict[str, Any]:
        """matplotlib ``rcParams`` for this style (use with ``matplotlib.rc_context``)."""
        from cycler import cycler

        colors = [PALETTE[c] for c in _CYCLE]
        return {
            "font.family": "serif" if self.font_family == "STIXGeneral" else "sans-serif",
            "font.serif": ["STIXGeneral", "DejaVu Serif"],
            "font.sans-serif": ["DejaVu Sans"],
            "mathtext.fontset": self.mathtext_fontset,
            "text.usetex": self.usetex,
            "font.size": self.font_size,
            "axes.labelsize": self.font_size,
            "axes.titlesize": self.font_size,
            "xtick.labelsize": self.small_size,
            "ytick.labelsize": self.small_size,
            "legend.fontsize": self.small_size,
            "legend.title_fontsize": self.small_size,
            "legend.frameon": False,
            "legend.handlelength": 2.4,
            "legend.borderaxespad": 0.3,
            "axes.prop_cycle": cycler(color=colors, linestyle=list(LINESTYLES)),
            "axes.linewidth": 0.6,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlepad": 3.0,
            "axes.labelpad": 2.0,
            "xtick.major.width": 0.6,
            "ytick.major.width": 0.6,
            "xtick.minor.width": 0.4,
            "ytick.minor.width": 0.4,
            "xtick.major.size": 3.0,
            "ytick.major.size": 3.0,
            "xtick.minor.size": 1.8,
            "ytick.minor.size": 1.8,
            "lines.linewidth": self.line_width,
            "lines.markersize": self.marker_size,
            "grid.linewidth": 0.4,
            "grid.alpha": 0.4,
            "figure.constrained_layout.use": True,
            "figure.constrained_layout.h_pad": 0.05,  # equal-aspect axes need the slack below
            "figure.constrained_layout.w_pad": 0.02,
            "figure.dpi": 100,
            "savefig.dpi": 300,
            "savefig.pad_inches": 0.02,
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "svg.fonttype": "path",
            "image.cmap": "cividis",
        }


STYLES: dict[str, Style] = {
    "paper": Style("paper", font_size=8.0, small_size=7.0, line_width=1.2, marker_size=4.0),
    "slides": Style(
        "slides",
        font_size=14.0,
        small_size=12.0,
        line_width=2.2,
        marker_size=7.0,
        widths={"single": 6.4, "double": 13.0, "text": 10.0},  # a 16:9 slide is 13.33 in wide
        font_family="DejaVu Sans",
        mathtext_fontset="dejavusans",
    ),
}


def get_style(name: str, *, usetex: bool = False) -> Style:
    """The named style; ``usetex=True`` needs ``latex`` on the PATH.

    Raises:
        InputError: an unknown name, or ``usetex`` without a TeX installation.
    """
    if name not in STYLES:
        from theory.harness.console import did_you_mean

        hint = did_you_mean(name, STYLES)
        raise InputError(f"unknown style {name!r}; choose one of {', '.join(STYLES)}{hint}")
    style = STYLES[name]
    if usetex:
        if shutil.which("latex") is None:
            raise InputError("usetex needs a TeX installation: no `latex` on the PATH")
        style = dataclasses.replace(style, usetex=True)
    return style


def _style_of(style: Style | str | None) -> Style:
    if isinstance(style, Style):
        return style
    return get_style("paper" if style is None else style)


@contextmanager
def use(name: str = "paper", *, usetex: bool = False) -> Iterator[Style]:
    """Apply the style ``name`` (``"paper"`` or ``"slides"``) to matplotlib's rcParams in a block.

    Yields the :class:`Style` (for :func:`new_figure` and the widths). On exit, normal or by an
    exception, every rcParam is restored to what it was before (``matplotlib.rc_context``).

    Raises:
        InputError: an unknown name (with the closest known one), or ``usetex`` without TeX.
    """
    import matplotlib

    style = get_style(name, usetex=usetex)
    with matplotlib.rc_context(style.rc()):  # type: ignore[arg-type]
        yield style


def path(name: str) -> Path:
    """The shipped ``.mplstyle`` file of style ``name``: ``plt.style.use(figures.style.path("paper"))``.

    The file is package data (``figures/styles/NAME.mplstyle``), so it is in an installed wheel too.
    It holds the same settings as :meth:`Style.rc` (generated from it; ``usetex`` off).

    Raises:
        InputError: an unknown name (with the closest known one).
    """
    from importlib.resources import files

    get_style(name)  # validates the name
    return Path(str(files("figures") / "styles" / f"{name}.mplstyle"))


def _rc_value_text(key: str, value: Any) -> str:
    """One rcParams value as the ``.mplstyle`` file writes it (``#`` starts a comment there)."""
    if key == "axes.prop_cycle":
        keys = value.by_key()
        parts = []
        for k, vals in sorted(keys.items()):
            items = [
                repr(v.lstrip("#")) if isinstance(v, str) and v.startswith("#") else repr(v) for v in vals
            ]
            parts.append(f"{k}=[{', '.join(items)}]")
        return f"cycler({', '.join(parts)})"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith("#"):
        return value.lstrip("#")
    return str(value)


def mplstyle_text(name: str) -> str:
    """The text of ``figures/styles/NAME.mplstyle``, generated from :meth:`Style.rc`."""
    style = get_style(name)
    lines = [
        f"# weight-decay-theory figure style {name!r}: generated from figures.style.STYLES[{name!r}].rc()",
        "# by figures.style.write_mplstyles(); do not edit by hand (a test checks the two agree).",
        '# Use: plt.style.use(figures.style.path("NAME")), or `with figures.style.use("NAME"):`.'.replace(
            "NAME", name
        ),
    ]
    lines += [f"{key}: {_rc_value_text(key, value)}" for key, value in style.rc().items()]
    return "\n".join(lines) + "\n"


def write_mplstyles(directory: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write every style's ``.mplstyle`` file (default: the package's ``figures/styles/``)."""
    out = Path(directory) if directory is not None else Path(__file__).resolve().parent / "styles"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in STYLES:
        target = out / f"{name}.mplstyle"
        target.write_text(mplstyle_text(name), encoding="utf-8")
        written.append(target)
    return written


# ---------------------------------------------------------------- layout helpers


def new_figure(
    style: Style | str | None = None,
    width: str = "single",
    aspect: float = 0.75,
    nrows: int = 1,
    ncols: int = 1,
    **kw: Any,
) -> tuple[Figure, Any]:
    """A figure ``WIDTHS[width]`` inches wide and ``width·aspect`` inches high, with a grid of axes.

    Args:
        style: a :class:`Style` or its name (default ``"paper"``); sets the widths (inches).
        width: ``"single"`` (3.5 in for ``paper``), ``"double"`` (7.16 in) or ``"text"`` (5.5 in).
        aspect: height / width.
        nrows, ncols: the grid of axes; ``**kw`` goes to ``Figure.subplots`` (e.g. ``sharey=True``,
            ``width_ratios=[1, 2]``).

    Returns:
        ``(fig, axes)``: ``axes`` is one Axes for a 1×1 grid, else an array. The figure uses
        constrained layout and is a plain ``matplotlib.figure.Figure`` (no pyplot): no global figure
        state is kept, so building many figures leaks nothing. Save with :func:`save_figure` (its
        ``dpi``, dots per inch, sets a PNG's pixel size: width × dpi).

    Important: call it INSIDE ``with use(...)`` (or after ``plt.style.use(path(...))``). The figure
    and its axes are created under the style's rcParams (spines, tick sizes, colour and line-style
    cycle), but matplotlib reads fonts, line widths and marker sizes when each line or text is
    created and drawn, so outside :func:`use` those come out at matplotlib's defaults (10 pt text,
    1.5 pt lines) whatever ``style`` says.
    """
    import matplotlib
    from matplotlib.figure import Figure

    st = _style_of(style)
    with matplotlib.rc_context(st.rc()):  # type: ignore[arg-type]
        fig = Figure(figsize=st.figsize(width, aspect), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def panel_label(ax: Axes, label: str, style: Style | str | None = None) -> None:
    """A bold panel letter ``(a)`` at the top left of ``ax``, in the style's label size (points)."""
    st = _style_of(style)
    ax.set_title(f"({label})", loc="left", fontsize=st.font_size, fontweight="bold")


def _mantissa(value: float) -> tuple[int, int] | None:
    """``(m, k)`` when ``value`` is ``m·10^k`` with an integer ``m`` in 1…9 (to 1e-9 relative)."""
    import math

    if not (value > 0 and math.isfinite(value)):
        return None
    k = math.floor(math.log10(value) + 1e-12)
    m = round(value / 10.0**k)
    if not 1 <= m <= 9 or abs(value - m * 10.0**k) > 1e-9 * value:
        return None
    return m, k


class LogTickFormatter(Formatter):
    r"""A ``matplotlib.ticker.Formatter`` for a log axis: ONE label format per axis, and ≥ 2 labels.

    Usable as any formatter (``ax.yaxis.set_major_formatter(LogTickFormatter())``; give the minor
    ticks one too, ``LogTickFormatter(minor=True)``) or through :func:`tidy_log_axes`, which sets both.

    - When the view holds at least two powers of ten, only those are labelled (major ticks; minor
      ticks get no label).
    - When it holds fewer (an axis spanning less than about two decades, e.g. 0.2 … 0.8), the ticks
      at ``1, 2, 5 × 10^k`` are labelled too (all of ``1 … 9 × 10^k`` if that still gives fewer than
      two), so the axis never shows zero or one label.

    The format is chosen once for the whole axis from the labelled values: plain decimals
    (``0.001, 0.2, 1000``) when every labelled exponent lies within ``10^±3``, otherwise powers
    (``$10^{k}$``; ``$m\times10^{k}$`` on a short axis), so an axis never mixes ``10⁻⁵`` with ``0.001``.
    """

    #: decades written as decimals when all labelled ones are within this range
    DECIMAL_RANGE: tuple[int, int] = (-3, 3)

    def __init__(self, minor: bool = False) -> None:
        super().__init__()
        self.minor = minor

    @staticmethod
    def powers(decades: Sequence[int]) -> bool:
        """Whether an axis labelled at ``decades`` is written in powers of ten."""
        lo, hi = LogTickFormatter.DECIMAL_RANGE
        return any(not lo <= k <= hi for k in decades)

    @staticmethod
    def label(k: int, powers: bool, m: int = 1) -> str:
        r"""The label of ``m·10^k``: ``$10^{k}$`` (``$m\times10^{k}$``) when ``powers``, else the
        decimal (``0.01``, ``0.2``, ``500``)."""
        if powers:
            return f"$10^{{{k}}}$" if m == 1 else f"${m}\\times10^{{{k}}}$"
        return f"{m * 10.0**k:.{max(-k, 0)}f}"

    @staticmethod
    def plan(lo: float, hi: float) -> tuple[tuple[int, ...], bool]:
        """For a view ``lo … hi`` (> 0): the mantissas labelled and whether the axis uses powers."""
        import math

        lo, hi = sorted((lo, hi))
        if not (lo > 0 and math.isfinite(hi)):
            return (1,), False
        lo, hi = lo * (1 - 1e-9), hi * (1 + 1e-9)
        k0, k1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))

        def in_view(mants: tuple[int, ...]) -> list[int]:
            return [k for k in range(k0, k1 + 1) for m in mants if lo <= m * 10.0**k <= hi]

        for mants in ((1,), (1, 2, 5), tuple(range(1, 10))):
            ks = in_view(mants)
            if len(ks) >= 2:
                return mants, LogTickFormatter.powers(ks)
        return tuple(range(1, 10)), LogTickFormatter.powers(in_view(tuple(range(1, 10))) or [k0])

    def __call__(self, x: float, pos: int | None = None) -> str:
        mk = _mantissa(float(x))
        if mk is None:
            return ""
        m, k = mk
        if self.axis is not None:
            mants, powers = self.plan(*self.axis.get_view_interval())
        else:
            mants, powers = (1,), self.powers([k])
        if m not in mants or (self.minor and mants == (1,)):
            return ""
        return self.label(k, powers, m)


def tidy_log_axes(fig: Figure) -> Figure:
    """One tick-label format per log-scaled axis (secondary axes included), ≥ 2 labels each; returns ``fig``.

    Call it AFTER all plotting and after every ``set_xscale("log")`` / ``loglog``: it sets the
    formatters of the axes that are log-scaled when it runs (an axis made log later keeps
    matplotlib's own labels, which mix ``10^0`` with ``2×10^0``).

    Major and minor ticks both get a :class:`LogTickFormatter`: decades only when two or more are in
    view, else also ``2×`` and ``5×`` ticks; all decimals or all powers of ten on one axis.
    """

    def walk(axes: list[Any]) -> list[Any]:
        out = []
        for ax in axes:
            out.append(ax)
            out.extend(walk(list(getattr(ax, "child_axes", []))))
        return out

    for ax in walk(list(fig.axes)):
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_formatter(LogTickFormatter())
                axis.set_minor_formatter(LogTickFormatter(minor=True))
    return fig
