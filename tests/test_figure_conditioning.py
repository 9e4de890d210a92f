"""The ``conditioning`` figure: its data are theory.conditioning's values, checked against independent
routes (dense spectral norms, the plain GD loop), and the drawing plots exactly those arrays."""

from __future__ import annotations

import math

import numpy as np
from matplotlib import rc_context
from numpy.testing import assert_allclose, assert_array_equal

from figures import conditioning as m
from figures import registry
from figures.style import get_style
from theory import conditioning

_D = m.data()


def test_data_are_theory_calls() -> None:
    q = m.problem()
    assert_array_equal(_D["alphas"], m.ALPHAS)
    a = float(m.ALPHAS[37])
    assert _D["kappa"][37] == conditioning.shifted_condition_number(q, a)
    assert _D["rho"][37] == conditioning.optimal_rate(q, a)
    assert _D["bias"][37] == conditioning.bias_norm(q, a)
    for delta, s in _D["steps"].items():
        assert s["alpha_max"] == conditioning.max_useful_alpha(q, delta)
        assert s["steps"][0] == conditioning.iterations_to_tolerance(q, 0.0, delta)
        assert s["steps"][5] == conditioning.iterations_to_tolerance(q, float(s["alphas"][5]), delta)


def test_data_against_independent_routes() -> None:
    """κ and ρ from dense matrices; the step count from the plain GD loop; the trade-off's shape."""
    q = m.problem()
    lam = q.eigenvalues
    for i in (0, 50, 100):
        a = float(m.ALPHAS[i])
        A = q.H + a * np.eye(q.d)
        assert_allclose(_D["kappa"][i], np.linalg.cond(A), rtol=1e-12)
        eps_star = 2.0 / (lam[0] + lam[-1] + 2 * a)
        assert_allclose(_D["rho"][i], np.linalg.norm(np.eye(q.d) - eps_star * A, 2), rtol=1e-12)
    delta = m.DELTAS[1]
    s = _D["steps"][delta]
    a = float(s["alphas"][10])
    K = int(s["steps"][10])
    loop = q.simulate_gd(2.0 / (lam[0] + lam[-1] + 2 * a), np.arange(K + 200), alpha=a)
    dist = np.linalg.norm(loop - q.w_star, axis=1)
    assert dist[K - 1] > delta and (dist[K:] <= delta).all()
    # decay first helps (fewer steps than at α = 0), then the count grows without bound near α_max
    assert s["steps"].min() < s["steps"][0] / 2
    assert s["steps"][-1] > 2 * s["steps"].min()
    assert all(math.isfinite(k) for k in s["steps"])
    assert (np.diff(_D["kappa"]) < 0).all() and (np.diff(_D["bias"]) > 0).all()


def test_draw_plots_the_data() -> None:
    style = get_style("paper")
    with rc_context(style.rc()):
        fig = registry.get_figure(m.NAME).draw(_D, style)
    lines = [(ln.get_xdata(), ln.get_ydata()) for ax in fig.axes for ln in ax.get_lines()]
    assert any(np.array_equal(x, _D["alphas"]) and np.array_equal(y, _D["kappa"]) for x, y in lines)
    assert any(np.array_equal(x, _D["alphas"]) and np.array_equal(y, _D["rho"]) for x, y in lines)
    s = _D["steps"][m.DELTAS[0]]
    assert any(np.array_equal(x, s["bias"]) and np.array_equal(y, s["steps"]) for x, y in lines)
