"""Figure ``double-descent``: its data are direct calls into theory.double_descent, and draw plots them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib import rc_context
from numpy.testing import assert_array_equal

from figures import double_descent as fig_mod
from figures.style import get_style
from theory import double_descent as dd

_DATA: dict[str, dict[str, Any]] = {}


def _data() -> dict[str, Any]:
    if "d" not in _DATA:
        _DATA["d"] = fig_mod.data()
    return _DATA["d"]


def test_data_are_theory_calls_and_reproducible() -> None:
    d = _data()
    n, dim = d["n"], d["d"]
    for k, nn in enumerate(n):
        assert d["exact_min_norm"][k] == dd.min_norm_risk(int(nn), dim, fig_mod.NOISE_VAR, fig_mod.BETA_NORM2)
    assert np.isinf(d["exact_min_norm"][np.abs(n - dim) <= 1]).all()
    assert np.isfinite(d["exact_min_norm"][np.abs(n - dim) > 1]).all()
    gamma = 1.0 / d["ratio"]
    assert_array_equal(
        d["asym_tuned"], dd.asymptotic_tuned_risk(gamma, fig_mod.NOISE_VAR, fig_mod.BETA_NORM2)
    )
    # no ridgeless Monte Carlo point within 3 of the peak (infinite variance there)
    assert np.all(np.abs(d["ridgeless_n"] - dim) >= 4)
    # the Monte Carlo means agree with the exact curve (95 % bars, Bonferroni over the points)
    z = dd.bonferroni_z(1e-3, len(d["ridgeless_n"]))
    for nn, mean, se in zip(d["ridgeless_n"], d["ridgeless_mean"], d["ridgeless_se"], strict=True):
        exact = dd.min_norm_risk(int(nn), dim, fig_mod.NOISE_VAR, fig_mod.BETA_NORM2)
        assert abs(mean - exact) <= z * se, (nn, mean, exact)
    # the tuned points decrease (the theorem), and the seeded data are identical on a second build
    assert np.all(np.diff(d["tuned_mean"]) < 0)
    again = fig_mod.data()
    for key, value in d.items():
        assert_array_equal(np.asarray(value), np.asarray(again[key]), err_msg=key)
    assert math.isclose(d["tuned_mean"][-1], again["tuned_mean"][-1])


def test_draw_plots_the_data() -> None:
    d = _data()
    st = get_style("paper")
    with rc_context(st.rc()):
        fig = fig_mod.draw(d, st)
    lines = [
        (np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float))
        for ax in fig.axes
        for ln in ax.get_lines()
    ]

    def has(x: np.ndarray, y: np.ndarray) -> bool:
        return any(
            lx.shape == x.shape and np.array_equal(lx, x) and np.array_equal(ly, y, equal_nan=True)
            for lx, ly in lines
        )

    exact = np.where(np.isfinite(d["exact_min_norm"]), d["exact_min_norm"], np.nan)
    assert has(d["n"] / d["d"], exact)
    assert has(d["ratio"], d["asym_tuned"])
    assert has(d["ratio"], d["asym_min_norm"])
    assert has(d["tuned_n"] / d["d"], d["tuned_mean"])
