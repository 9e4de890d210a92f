"""Tests of the figures that train torch models (d2l-curves, d2l-lambda-sweep, optimizers, hessian-shrinkage).

Skipped, with the reason, when torch is not installed. Each figure's data must be what
``theory.empirical`` returns, and must show what the figure claims (the story is asserted, so a
regression in the training code that changes the picture fails here, not only in a reader's eye).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib import rc_context
from numpy.testing import assert_allclose, assert_array_equal

pytest.importorskip("torch", reason="the torch figures need the torch extra: pip install '.[torch]'")

from figure_data import data_of, laid_out  # tests/figure_data.py: one data() per session

from figures import registry
from figures._common import clipped_inches
from figures.style import get_style
from theory.harness.cli import main

pytestmark = pytest.mark.torch


def draw(name: str) -> None:
    """Draw in both styles; nothing may be clipped (see tests/test_figures.py)."""
    for style in ("paper", "slides"):
        st = get_style(style)
        fig = laid_out(name, style)  # shared with tests/test_figure_style.py
        assert fig.axes
        with rc_context(st.rc()):
            assert clipped_inches(fig, layout=False) <= 0.005, (name, style)


def registered(name: str) -> None:
    if name not in registry.names():
        pytest.skip(f"figure {name!r} is not registered yet")


def test_d2l_curves_data_is_the_experiment() -> None:
    from figures import d2l_curves as m
    from theory.empirical.d2l import d2l_experiment

    d = data_of(m.NAME)
    runs = d2l_experiment(m.LAMBDAS, seed=m.SEED)  # a second run: also checks determinism
    for lam, run in zip(m.LAMBDAS, runs, strict=True):
        key = f"{lam:g}"
        assert_array_equal(d[f"test_{key}"], run.test_loss)
        assert_array_equal(d[f"train_{key}"], run.train_loss)
        assert_array_equal(d[f"w_norm_{key}"], run.w_norm)
        assert d[f"norm_predicted_{key}"] == run.norm_predicted
        assert d[f"ridge_test_{key}"] == run.ridge_test_loss
        # the story: the initialisation analysis predicts the final norm
        assert_allclose(d[f"w_norm_{key}"][-1], d[f"norm_predicted_{key}"], rtol=1e-2)
    assert d["w_norm_0"][-1] > 10 and d["w_norm_3"][-1] < 0.5  # docs/reference.md, "The d2l experiment"
    assert d["test_0"][-1] > 100 * d["ridge_test_0"]  # "overfitting" = the untouched init
    draw(m.NAME)


def test_d2l_lambda_sweep_story() -> None:
    from figures import d2l_lambda_sweep as m

    d = data_of(m.NAME)
    assert_array_equal(d["lambdas"], np.array(m.LAMBDAS))
    assert_allclose(d["sgd_norm"], d["norm_predicted"], rtol=0.05)
    # exact ridge from zero: test loss nearly flat in λ; SGD from w⁽⁰⁾: falls by orders of magnitude
    assert d["ridge_test"].max() / d["ridge_test"].min() < 1.5
    assert d["sgd_test"][0] / d["sgd_test"][-1] > 100
    draw(m.NAME)


def test_optimizers_data() -> None:
    from figures import optimizers as m
    from theory.empirical.optimizers import sgd_equivalence

    d = data_of(m.NAME)
    X, y = m.problem()
    sgd = sgd_equivalence(
        X, y, m.SGD_DECAY, lr=m.SGD_LR, momentum=m.SGD_MOMENTUM, steps=m.SGD_STEPS, seed=m.SEED
    )
    assert_array_equal(d["sgd_difference"], sgd.relative_difference)
    scale = np.linalg.norm(d["sgd_ridge"])
    distance = np.linalg.norm(sgd.decayed - d["sgd_ridge"], axis=1) / scale
    assert_array_equal(d["sgd_decayed_distance"], distance)
    # opt.sgd_equiv: the two runs agree to rounding, and both reach the ridge optimum
    assert d["sgd_difference"].max() <= d["sgd_tolerance"]
    assert d["sgd_decayed_distance"][-1] < 1e-10
    # opt.adam_not_equiv: Adam + L2 reaches ridge, AdamW does not (but reaches its fixed point)
    assert d["adam_distance"][-1] < 1e-12
    assert d["adamw_distance"][-1] > 0.1 and d["adamw_best_ridge_gap"] > 0.05
    assert d["adamw_fixed_point_distance"][-1] < 1e-10
    draw(m.NAME)


def test_hessian_shrinkage_data() -> None:
    registered("hessian-shrinkage")
    from figures import hessian_shrinkage as m

    d = data_of(m.NAME)
    lam, al = d["all_eigenvalues"], d["alphas"]
    assert_allclose(d["all_predicted"], lam / (lam + al[:, None]), rtol=1e-12)
    assert_allclose(d["predicted"], d["eigenvalues"] / (d["eigenvalues"] + al[:, None]), rtol=1e-12)
    assert_allclose(d["all_ratio"], lam / al[:, None], rtol=1e-15)
    x = d["curve_x"]
    assert_allclose(d["curve"], x / (x + 1), rtol=1e-14)
    # the story: below λ_min the network shrinks as λ/(λ+α) predicts, and the error falls like O(α)
    small = al < 0.2 * lam[0]
    assert np.abs(d["all_measured"][small] - d["all_predicted"][small]).max() < 0.05
    assert d["shift_error"][-1] < 0.02 < d["shift_error"][0]
    draw(m.NAME)


@pytest.mark.slow
def test_torch_figure_builds_are_byte_identical(tmp_path: Path) -> None:
    """The cheapest torch figure, built twice from scratch: same bytes (PNG and PDF)."""
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert (
            main(
                ["figures", "--out", str(out), "--format", "png,pdf", "--dpi", "100", "--only", "optimizers"]
            )
            == 0
        )
    for name in ("optimizers.png", "optimizers.pdf"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_network_report_story() -> None:
    """The digits CNN: α sits inside the bulk of the spectrum (most mass below it), the data are
    separable and the softmax shift is flat, yet the path derivative predicts the measured move."""
    registered("network-report")
    from figures import network_report as m
    from theory.empirical.digits import digits_case

    d = data_of(m.NAME)
    assert d["alpha"] == m.ALPHA and d["top"].size == m.K
    assert d["fraction_below_alpha"] > 0.5 and 0 < d["effective_dim"] < d["n_params"]
    assert d["null_space_dim"] == 65  # Linear(64, 10): 64 column shifts + the bias shift
    assert "finite unregularised minimiser (data not separable)" in d["failed"]
    assert abs(d["rho"] - 1) < 0.05 and d["relative_error"] < 0.1
    # the density integrates to ≈ 1 over the grid, and the model is the repository's case
    assert abs(np.trapezoid(d["density"], d["grid"]) - 1) < 0.05
    model, _, _ = digits_case(seed=m.SEED)
    assert sum(p.numel() for p in model.parameters()) == d["n_params"]
    draw(m.NAME)
