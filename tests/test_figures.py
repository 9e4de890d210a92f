"""Tests of figures/: registry, style, deterministic atomic saving, the CLI, and each figure's data.

The figures are tested through their data, not their pixels: ``data()`` must equal direct calls into
``theory`` (and, where cheap, an independent closed form), and ``draw`` must plot those arrays.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from figure_data import data_of, laid_out  # tests/figure_data.py: one data() per session
from matplotlib import rc_context
from matplotlib.figure import Figure
from numpy.testing import assert_allclose, assert_array_equal

from figures import registry
from figures._common import clipped_inches
from figures.save import FORMATS, atomic_write, figure_bytes, metadata, save_figure
from figures.style import PALETTE, STYLES, WIDTHS, get_style
from theory import bayes
from theory.catalogue import CATALOGUE
from theory.errors import InputError
from theory.harness.cli import main
from theory.quadratic import Quadratic
from theory.regression import min_norm_solution, ridge

ALL = registry.all_figures()
PLAIN = [s for s in ALL if not s.needs_torch]
PLAIN_NAMES = [s.name for s in PLAIN]


def lines_of(fig: Figure) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float))
        for ax in fig.axes
        for ln in ax.get_lines()
    ]


def has_line(fig: Figure, x: np.ndarray, y: np.ndarray) -> bool:
    return any(
        lx.shape == np.shape(x) and np.array_equal(lx, x) and np.array_equal(ly, y)
        for lx, ly in lines_of(fig)
    )


def draw(name: str, style: str = "paper") -> Figure:
    st = get_style(style)
    with rc_context(st.rc()):
        return registry.get_figure(name).draw(data_of(name), st)


# ---------------------------------------------------------------- registry


def test_registry_names_are_unique_and_in_issue_order() -> None:
    names = [s.name for s in ALL]
    assert len(names) == len(set(names))
    assert names[:6] == [
        "l2-contours",
        "early-stopping-vs-l2",
        "shrinkage",
        "tau-approximation",
        "l1-vs-l2",
        "regularisation-path",
    ]
    assert names[11] == "priors"
    assert names[12:] == ["effective-lr", "rotational-equilibrium", "conditioning", "double-descent"]


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.name)
def test_each_figure_names_known_theorems_and_one_line(spec: registry.FigureSpec) -> None:
    assert spec.theorems, spec.name
    assert all(t in CATALOGUE for t in spec.theorems)
    assert "\n" not in spec.description and 10 < len(spec.description) <= 110
    assert spec.module.__doc__ and spec.module.data.__doc__ and spec.module.draw.__doc__


def test_unknown_figure_names_the_choices() -> None:
    with pytest.raises(InputError, match=r"unknown figure 'nope'.*l2-contours"):
        registry.get_figure("nope")


# ---------------------------------------------------------------- style


def test_style_presets() -> None:
    assert WIDTHS == {"single": 3.5, "double": 7.16, "text": 5.5}
    paper = get_style("paper")
    assert paper.figsize("double", 0.5) == (7.16, 3.58)
    assert set(PALETTE.values()) == {
        "#000000",
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
    }  # Okabe–Ito
    rc = paper.rc()
    assert rc["pdf.fonttype"] == 42 and rc["ps.fonttype"] == 42
    # colour and line style both change between consecutive series
    cyc = list(rc["axes.prop_cycle"])
    assert len({c["color"] for c in cyc}) == len(cyc) == len({str(c["linestyle"]) for c in cyc})
    assert STYLES["slides"].font_size > paper.font_size


def test_style_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match=r"unknown style 'poster'; choose one of paper, slides"):
        get_style("poster")
    with pytest.raises(InputError, match="unknown figure width 'wide'"):
        get_style("paper").figsize("wide", 1.0)
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(InputError, match="usetex needs a TeX installation"):
        get_style("paper", usetex=True)


# ---------------------------------------------------------------- saving


def _tiny_figure() -> Figure:
    fig = Figure(figsize=(2, 1.5))
    ax = fig.subplots()
    ax.plot([0, 1, 2], [1, 0, 2], label=r"$\alpha$")
    ax.set_xlabel(r"$\lambda/\alpha$")
    ax.legend()
    return fig


@pytest.mark.parametrize("fmt", FORMATS)
def test_figure_bytes_are_deterministic(fmt: str) -> None:
    assert figure_bytes(_tiny_figure(), fmt) == figure_bytes(_tiny_figure(), fmt)


def test_pdf_embeds_truetype_not_type3() -> None:
    pdf = figure_bytes(_tiny_figure(), "pdf")
    assert b"/Type3" not in pdf
    assert b"/FontFile2" in pdf  # TrueType (Type 42) font program
    assert b"CreationDate" not in pdf and b"Producer" not in pdf


def test_metadata_rejects_unknown_format() -> None:
    with pytest.raises(InputError, match="unknown figure format 'gif'"):
        metadata("gif")


def test_save_figure_needs_a_known_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"suffix must be one of \.pdf, \.png, \.svg"):
        save_figure(_tiny_figure(), tmp_path / "x.jpg")


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "sub" / "f.png"
    atomic_write(target, b"old")

    def boom(*_args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.png"]  # no temporary left


# ---------------------------------------------------------------- figure data = theory


def test_l2_contours_data() -> None:
    from figures import l2_contours as m

    d, q = data_of(m.NAME), m.problem()
    assert_array_equal(d["path"], q.l2_path(d["alphas"]))
    assert_array_equal(d["w_tilde"], q.l2_optimum(m.ALPHA))
    assert d["radius"] == q.constraint_radius(m.ALPHA)
    assert d["J"][7, 11] == q.value((d["xs"][11], d["ys"][7]))
    # independent route: w̃ solves (H + αI)w = Hw*, and lies on the circle of radius k
    H = np.diag([0.5, 4.0])
    assert_allclose(d["w_tilde"], np.linalg.solve(H + m.ALPHA * np.eye(2), H @ q.w_star), rtol=1e-14)
    assert_allclose(np.linalg.norm(d["w_tilde"]), d["radius"], rtol=1e-14)
    fig = draw(m.NAME)
    assert has_line(fig, d["path"][:, 0], d["path"][:, 1])


def test_early_stopping_vs_l2_data() -> None:
    from figures import early_stopping_vs_l2 as m
    from figures.l2_contours import problem

    d, q = data_of(m.NAME), problem()
    assert_array_equal(d["trajectory"], q.gd_iterates(m.EPS, d["taus"]))
    assert_array_equal(d["gd_points"], q.gd_iterates(m.EPS, list(m.MATCHED_TAUS)))
    for t, a in zip(m.MATCHED_TAUS, d["exact_alphas"], strict=True):
        assert_array_equal(a, q.early_stopping_alpha(m.EPS, t))
    assert_array_equal(d["rule_points"], q.l2_path(1.0 / (m.EPS * np.array(m.MATCHED_TAUS))))
    # es.equivalence: the generalised ridge with the exact α_i is the GD iterate
    assert_allclose(d["exact_points"], d["gd_points"], rtol=1e-12)
    # ... and the single α = 1/(ετ) is not
    assert np.min(np.linalg.norm(d["rule_points"] - d["gd_points"], axis=1)) > 0.05
    fig = draw(m.NAME)
    assert has_line(fig, d["trajectory"][:, 0], d["trajectory"][:, 1])


def test_shrinkage_data() -> None:
    from figures import shrinkage as m

    d, q = data_of(m.NAME), m.problem()
    x = d["x"]
    assert_array_equal(d["ridge"], q.shrinkage(m.ALPHA))
    for tau in m.GD_TAUS:
        assert_array_equal(d["gd"][tau], q.gd_iterates(1.0 / (m.ALPHA * tau), [tau])[0])
        keep = x < tau  # closed forms: 1 − (1 − ελ)^τ with ε = 1/(ατ)
        assert_allclose(d["gd"][tau][keep], 1 - (1 - x[keep] / tau) ** tau, rtol=1e-11, atol=1e-14)
    assert_allclose(d["ridge"], x / (x + 1), rtol=1e-14)
    assert_allclose(d["flow"], -np.expm1(-x), rtol=1e-13)  # gradient flow 1 − e^{−λ/α}
    # es.gf_vs_ridge: the part removed by gradient flow is at most ridge's
    assert np.all(1 - d["flow"] <= 1 - d["ridge"] + 1e-12)
    fig = draw(m.NAME)
    assert has_line(fig, x, d["ridge"])
    assert has_line(fig, x, d["flow"])


def test_tau_approximation_data() -> None:
    from figures import tau_approximation as m

    d, q = data_of(m.NAME), m.problem()
    for tau in m.TAUS:
        eps = 1.0 / (m.ALPHA * tau)
        assert_array_equal(d[f"exact_{tau}"], q.early_stopping_alpha(eps, tau))
        assert_array_equal(d[f"series_{tau}"], q.early_stopping_alpha_series(eps, tau))
        assert_array_equal(d[f"error_{tau}"], q.early_stopping_approx_error(eps, tau))
    # the story: small error for λ ≪ α, large once λ ≈ α (docs/reference.md, "Worked examples": ετ = 100)
    x, err = d["x"], d["error_100"]
    assert err[x < 0.01].max() < 0.01
    assert err[np.argmin(abs(x - 1))] > 0.5
    fig = draw(m.NAME)
    assert has_line(fig, x, d["exact_100"] / m.ALPHA)


def test_l1_vs_l2_data() -> None:
    from figures import l1_vs_l2 as m

    d = data_of(m.NAME)
    w = d["w_grid"]
    q1 = Quadratic(np.eye(w.size), w)
    assert_array_equal(d["l1_1d"], q1.l1_optimum(m.ALPHA_1D))
    assert_array_equal(d["l2_1d"], q1.l2_optimum(m.ALPHA_1D))
    assert_allclose(d["l1_1d"], np.sign(w) * np.maximum(abs(w) - m.ALPHA_1D, 0), atol=1e-15)
    qg = Quadratic(np.diag(m.GEOMETRY_H), m.GEOMETRY_W)
    assert_array_equal(d["w_l1"], qg.l1_optimum(m.GEOMETRY_ALPHA))
    assert_array_equal(d["w_l2"], qg.l2_optimum(m.GEOMETRY_ALPHA))
    assert d["w_l1"][1] == 0 and np.all(d["w_l2"] != 0)  # the story of panel (b)
    qp = Quadratic(np.diag(m.PATH_H), m.PATH_W)
    for i in (0, 90, 180):
        assert_array_equal(d["l1_path"][i], qp.l1_optimum(d["alphas"][i]))
        assert_array_equal(d["l2_path"][i], qp.l2_optimum(d["alphas"][i]))
    # l1.soft_threshold: w_i = 0 iff α ≥ H_ii|w*_i|; L2 never zeroes
    h, ws = np.array(m.PATH_H), np.array(m.PATH_W)
    assert_array_equal(d["l1_path"] == 0, d["alphas"][:, None] >= h * abs(ws))
    assert np.all(d["l2_path"] != 0)
    draw(m.NAME)


def test_regularisation_path_data() -> None:
    from figures import regularisation_path as m

    d, q = data_of(m.NAME), m.problem()
    assert_array_equal(d["ridge"], q.l2_path(d["alphas"]))
    assert_array_equal(d["gd"], q.gd_iterates(d["eps"], d["taus"]))
    assert_allclose(d["gd_alpha"], 1.0 / (d["eps"] * d["taus"]), rtol=1e-15)
    # both paths end at w* (α → 0, τ → ∞)
    assert_allclose(d["ridge"][0], q.w_star, rtol=1e-2)  # alphas ascend
    assert_allclose(d["gd"][-1], q.w_star, rtol=1e-6)
    fig = draw(m.NAME)
    assert has_line(fig, d["alphas"], d["ridge"][:, 0])
    assert has_line(fig, d["gd_alpha"], d["gd"][:, 0])


def test_priors_data() -> None:
    from figures import priors as m

    d = data_of(m.NAME)
    g = d["grid"]
    assert d["gauss_prior"][300] == np.exp(bayes.gaussian_log_prior([g[300]], m.PRIOR_VAR))
    assert d["laplace_prior"][10] == np.exp(bayes.laplace_log_prior([g[10]], 1 / m.LAPLACE_SCALE))
    # densities: mass ≈ 1 on [−3, 3] (Gaussian 0.9973, Laplace 1 − e^{−3√2})
    assert_allclose(np.trapezoid(d["gauss_prior"], g), 0.9973, atol=1e-3)
    assert_allclose(np.trapezoid(d["laplace_prior"], g), 1 - np.exp(-3 * np.sqrt(2)), atol=1e-3)
    for case in m.CASES:
        X, y = m.regression_data(case)
        n = X.shape[0]
        assert d[f"{case}_w_star"] == min_norm_solution(X, y)[0]
        a_g = bayes.alpha_from_gaussian_prior(m.NOISE_VAR, m.PRIOR_VAR, n=n)
        a_l = bayes.alpha_from_laplace_prior(m.LAPLACE_SCALE, noise_var=m.NOISE_VAR, n=n)
        # bayes.gaussian: MAP = posterior mean = ridge with α = σ²/(n s²)
        assert_allclose(d[f"{case}_map_gauss"], ridge(X, y, a_g)[0], rtol=1e-13)
        assert d[f"{case}_map_laplace"] == Quadratic.from_regression(X, y).l1_optimum(a_l)[0]
        # the MAPs maximise the plotted log posteriors (to the grid's resolution)
        p = d["post_grid"]
        step = p[1] - p[0]
        for key in ("gauss", "laplace"):
            assert abs(p[np.argmax(d[f"{case}_{key}_logpost"])] - d[f"{case}_map_{key}"]) <= step
    assert d["weak_map_laplace"] == 0.0 and d["weak_map_gauss"] != 0.0
    assert d["strong_map_laplace"] != 0.0
    draw(m.NAME)


@pytest.mark.parametrize("name", PLAIN_NAMES)
def test_each_figure_draws_in_both_styles(name: str) -> None:
    """Each figure has its preset width in each style, and no label, legend or annotation is clipped."""
    for style in STYLES:
        fig = laid_out(name, style)  # shared with tests/test_figure_style.py
        st = STYLES[style]
        w, _ = fig.get_size_inches()
        assert w in st.widths.values()
        with rc_context(st.rc()):
            assert clipped_inches(fig, layout=False) <= 0.005, (name, style)
        assert all(
            ax.get_xlabel() or ax.get_ylabel()
            for ax in fig.axes
            if ax.get_visible() and ax.get_label() != "<colorbar>" and ax.get_lines()
        )


# ---------------------------------------------------------------- the command


def run_cli(*argv: str) -> int:
    return main(["figures", *argv])


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(ALL)  # one line each
    for spec, line in zip(ALL, lines, strict=True):
        assert line.startswith(spec.name) and spec.theorems[0] in line


def test_only_writes_just_those(tmp_path: Path) -> None:
    assert run_cli("--out", str(tmp_path), "--only", "shrinkage", "--format", "png,svg") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shrinkage.png", "shrinkage.svg"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--only", "shrinkagee"), r"unknown figure 'shrinkagee'; choose from l2-contours"),
        (("--format", "png,jpg"), r"unknown figure format 'jpg'; choose from pdf, png, svg"),
        (("--format", ","), r"--format needs at least one of pdf, png, svg"),
        (("--style", "poster"), r"unknown style 'poster'; choose one of paper, slides"),
        (("--dpi", "-3"), r"--dpi must be positive"),
    ],
)
def test_bad_arguments(
    argv: tuple[str, ...], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("--out", str(tmp_path), *argv) == 2
    err = capsys.readouterr().err
    assert "InputError" in err
    assert re.search(message, err), err
    assert not any(tmp_path.iterdir())


def test_out_must_be_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert run_cli("--out", str(target), "--only", "shrinkage") == 2
    assert "--out must be a directory" in capsys.readouterr().err


def test_usetex_without_tex_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    assert run_cli("--out", str(tmp_path), "--usetex", "--only", "shrinkage") == 2
    assert "usetex needs a TeX installation" in capsys.readouterr().err


def test_without_torch_skips_torch_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    torch_specs = [s for s in ALL if s.needs_torch]
    if not torch_specs:
        pytest.skip("no torch figure registered yet")
    monkeypatch.setattr(registry, "torch_available", lambda: False)
    assert run_cli("--out", str(tmp_path), "--only", torch_specs[0].name) == 2
    assert "torch is not installed" in capsys.readouterr().err
    subset = [registry.get_figure("shrinkage"), torch_specs[0]]
    monkeypatch.setattr(registry, "all_figures", lambda: subset)
    assert run_cli("--out", str(tmp_path), "--format", "png") == 0
    assert "skipped: torch not installed" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shrinkage.png"]


@pytest.mark.slow
def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Every plain figure, built twice from scratch (data and drawing), as PNG and PDF.

    (SVG determinism is tested on a small figure above; 72 dpi keeps this test quicker.)
    """
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert run_cli("--out", str(out), "--format", "png,pdf", "--dpi", "72", "--only", *PLAIN_NAMES) == 0
    files = sorted(p.name for p in a.iterdir())
    assert len(files) == 2 * len(PLAIN_NAMES)
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
        assert not name.endswith(".pdf") or b"/Type3" not in (a / name).read_bytes()


def test_add_arguments_defaults() -> None:
    from figures.cli import add_arguments

    p = argparse.ArgumentParser()
    add_arguments(p)
    ns = p.parse_args([])
    assert ns.out == Path("figures/out") and ns.formats == "pdf,png" and ns.style == "paper"
    assert p.parse_args(["--only", "a", "b", "--only", "c"]).only == ["a", "b", "c"]


def test_gallery_has_every_figure() -> None:
    """figures/GALLERY.md shows every registered figure, and each committed PNG is small."""
    root = Path(__file__).resolve().parent.parent / "figures"
    text = (root / "GALLERY.md").read_text(encoding="utf-8")
    for spec in ALL:
        png = root / "gallery" / f"{spec.name}.png"
        assert f"](gallery/{spec.name}.png)" in text, spec.name
        assert png.is_file() and png.stat().st_size < 200_000, png
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


_NO_TORCH = """
import sys

class _BlockTorch:  # an import hook that makes torch look uninstalled
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, _BlockTorch())
from theory.harness.cli import main
codes = [main(["figures", "--list"]),
         main(["figures", "--out", sys.argv[1], "--format", "pdf", "--only", "shrinkage"]),
         main(["figures", "--out", sys.argv[1], "--only", "optimizers"])]
assert "torch" not in sys.modules
print("CODES", codes)
"""


def test_without_torch_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """With torch unimportable: --list and plain figures work, a torch figure is a clear error."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _NO_TORCH, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "CODES [0, 0, 2]" in proc.stdout, proc.stdout + proc.stderr
    assert "(needs torch)" in proc.stdout
    assert "'optimizers' trains torch models and torch is not installed" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shrinkage.pdf"]
