"""Properties of theory.Quadratic: every closed form against an independent route, limits, monotonicity.

Tolerances scale with dimension, conditioning and dtype (theory.numerics); each property calls
``target()`` on its error/tolerance ratio so the ``thorough`` profile climbs towards worst cases.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
from hypothesis import assume, example, given, target
from hypothesis import strategies as st

from theory import PreconditionError, Quadratic
from theory.numerics import eigenbasis_tolerance, product_tolerance, relative_error, residual_tolerance
from theory.testing import strategies as wst

EPS = np.finfo(np.float64).eps


def _ratio(error: float, tol: float, label: str) -> float:
    ratio = error / tol
    target(ratio, label=label)
    return ratio


# ---------------------------------------------------------------- l2.optimum, l2.eigen, l2_path


@given(wst.quadratics(dims=(1, 10), max_condition=1e8), wst.alphas(1e-6, 1e3))
def test_l2_optimum_matches_dense_solve(qm, alpha):
    q, m = qm
    lam = m.eigenvalues
    dense = scipy.linalg.solve(q.H + alpha * np.eye(q.d), q.H @ q.w_star, assume_a="pos")
    w = q.l2_optimum(alpha)
    # the solve's forward error ‖A⁻¹‖(‖δA‖‖x‖ + ‖δb‖) plus the eigenbasis route's own three stages
    solve_scale = (lam[-1] + alpha) / (lam[0] + alpha) * np.linalg.norm(w) + lam[-1] * np.linalg.norm(
        q.w_star
    ) / (lam[0] + alpha)
    tol = residual_tolerance(q.d, 1.0) * solve_scale + eigenbasis_tolerance(q.d) * np.linalg.norm(w)
    err = np.linalg.norm(w - dense)
    assert _ratio(err, max(tol, np.finfo(float).tiny), "l2.optimum") <= 1


@given(wst.quadratics(dims=(1, 8), max_condition=1e4, singular=False), wst.alphas(1e-3, 1e2))
def test_l2_optimum_minimises_penalised_objective(qm, alpha):
    """Independent route: scipy.optimize.minimize (BFGS) on J + (α/2)‖w‖²."""
    q, _ = qm

    def f(w):
        return q.value(w) + 0.5 * alpha * w @ w

    def g(w):
        return q.gradient(w) + alpha * w

    res = scipy.optimize.minimize(f, np.zeros(q.d), jac=g, method="BFGS", options={"gtol": 1e-12})
    w = q.l2_optimum(alpha)
    # compare objective values: BFGS's w is accurate to √(tol), its value to tol
    assert f(w) <= f(res.x) + 1e-10 * (1 + abs(f(res.x)))
    # and the gradient of the penalised objective vanishes at w̃ (relative to its terms)
    grad_scale = np.linalg.norm(q.H, 2) * (
        np.linalg.norm(w) + np.linalg.norm(q.w_star)
    ) + alpha * np.linalg.norm(w)
    # w̃'s own rounding (three eigenbasis stages) plus forming g (one more): no κ in a residual
    assert np.linalg.norm(g(w)) <= (eigenbasis_tolerance(q.d) + residual_tolerance(q.d, 1.0)) * grad_scale


@given(
    wst.quadratics(dims=(1, 10), max_condition=1e6), st.lists(wst.alphas(1e-4, 1e4), min_size=1, max_size=6)
)
def test_l2_path_equals_pointwise_optimum(qm, alphas):
    q, _ = qm
    path = q.l2_path(alphas)
    assert path.shape == (len(alphas), q.d)
    for a, row in zip(alphas, path, strict=True):
        assert relative_error(row, q.l2_optimum(a)) <= residual_tolerance(q.d, 1.0)


@given(wst.quadratics(dims=(1, 10), max_condition=1e6), wst.alphas())
def test_shrinkage_is_spectrum_of_regularised_operator(qm, alpha):
    """l2.eigen: eigenvalues of (H + αI)⁻¹H are λ_i/(λ_i + α) (dense, LAPACK geev)."""
    q, m = qm
    lam = m.eigenvalues
    M = scipy.linalg.solve(q.H + alpha * np.eye(q.d), q.H, assume_a="pos")
    ev = np.sort(np.real(scipy.linalg.eigvals(M)))
    err = np.max(np.abs(ev - q.shrinkage(alpha)))
    tol = residual_tolerance(q.d, (lam[-1] + alpha) / (lam[0] + alpha) + lam[-1] / (lam[0] + alpha))
    assert _ratio(err, tol, "l2.eigen") <= 1
    s = q.shrinkage(alpha)
    assert np.all((s > 0) & (s < 1))


@given(wst.quadratics(dims=(1, 8), max_condition=1e6, singular=True))
def test_alpha_limits(qm):
    """α → 0⁺ gives the projection of w* on range(H); α → ∞ gives 0, like (λ/α)·w*."""
    q, m = qm
    rng_mask = m.eigenvalues > 0
    projection = q.eigenvectors @ np.where(rng_mask, q.coordinates, 0.0)
    small = q.l2_optimum(1e-10 * m.eigenvalues[rng_mask].min())
    assert relative_error(small, projection) <= 1e-8
    assert np.array_equal(q.shrinkage(0.0), rng_mask.astype(float))
    big = 1e12 * m.eigenvalues[-1]
    assert np.linalg.norm(q.l2_optimum(big)) <= 2e-12 * np.linalg.norm(q.w_star)
    approx = q.H @ q.w_star / big  # first order in 1/α
    assert relative_error(q.l2_optimum(big), approx) <= 1e-10 + residual_tolerance(q.d, 1.0)


@given(wst.quadratics(dims=(1, 10), max_condition=1e6), wst.alphas(1e-3, 1e3), st.floats(1.01, 100))
def test_shrinkage_and_dof_monotone(qm, alpha, factor):
    q, _ = qm
    assert np.all(q.shrinkage(alpha * factor) <= q.shrinkage(alpha))
    assert q.effective_dof(alpha * factor) < q.effective_dof(alpha)
    assert q.constraint_radius(alpha * factor) <= q.constraint_radius(alpha)


@given(wst.quadratics(dims=(1, 10), max_condition=1e6, singular=True), wst.alphas())
def test_effective_dof_is_trace(qm, alpha):
    q, m = qm
    trace = np.trace(scipy.linalg.solve(q.H + alpha * np.eye(q.d), q.H, assume_a="pos"))
    kappa = (m.eigenvalues[-1] + alpha) / alpha
    assert abs(q.effective_dof(alpha) - trace) <= q.d * residual_tolerance(q.d, kappa)
    assert 0 <= q.effective_dof(alpha) <= q.rank
    assert q.effective_dof(0.0) == q.rank


# ---------------------------------------------------------------- l2.constraint


@given(wst.quadratics(dims=(2, 6), max_condition=1e3), st.floats(-1, 1))
def test_constraint_solves_ball_problem_and_round_trips(qm, log_ratio):
    q, m = qm
    assume(np.linalg.norm(q.w_star) > 1e-3)
    alpha = float(10**log_ratio) * m.eigenvalues[-1]
    k = q.constraint_radius(alpha)
    back = q.alpha_for_radius(k)
    assert abs(back - alpha) / alpha <= 1e4 * EPS * q.condition_number
    ball = {"type": "ineq", "fun": lambda w: k * k - w @ w, "jac": lambda w: -2 * w}
    start = 0.5 * k * q.w_star / np.linalg.norm(q.w_star)  # inside the ball, away from 0
    res = scipy.optimize.minimize(
        q.value,
        start,
        jac=q.gradient,
        constraints=[ball],
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 2000},
    )
    # (at ftol this tight SLSQP may stop with "positive directional derivative" at the optimum;
    # the comparisons below are what matters)
    feasible = res.x * min(1.0, k / np.linalg.norm(res.x))  # SLSQP may overshoot the ball by ~ftol
    # no feasible point beats w̃(α): J(w̃) ≤ J(SLSQP's point projected onto the ball)
    assert q.value(q.l2_optimum(alpha)) <= q.value(feasible) * (1 + 1e-12) + 1e-15
    # SLSQP stops when f changes by less than ftol; the Lagrangian J + (α/2)(‖w‖² − k²) is
    # (λ_min + α)-strongly convex, so its w is within √(2·ftol/(λ_min + α)) of the optimum
    # (SLSQP's ftol is relative to |f| once |f| > 1)
    f_err = 1e-12 * max(1.0, q.value(q.l2_optimum(alpha)))
    w_tol = 10 * math.sqrt(2 * f_err / (m.eigenvalues[0] + alpha)) / np.linalg.norm(q.l2_optimum(alpha))
    assert relative_error(res.x, q.l2_optimum(alpha)) <= w_tol


def test_alpha_for_radius_inactive_constraint():
    q = Quadratic(np.diag([1.0, 2.0]), [3.0, 4.0])
    assert q.alpha_for_radius(5.0) == 0.0
    assert q.alpha_for_radius(100.0) == 0.0
    assert q.alpha_for_radius(4.999) > 0


# ---------------------------------------------------------------- L1 and elastic net


def _diagonal(draw_h, w):
    return Quadratic(np.diag(draw_h), w)


diag_problems = st.integers(1, 12).flatmap(
    lambda d: st.tuples(
        st.lists(st.floats(0.05, 20), min_size=d, max_size=d),
        # no subnormal w*: h·w/(h + α) of a subnormal has no relative accuracy left to test
        st.lists(st.floats(-10, 10, allow_subnormal=False), min_size=d, max_size=d),
    )
)


@given(diag_problems, st.floats(0, 5))
@example(([1.0, 2.0], [0.5, -2.0]), 1.0)  # one coordinate exactly at the threshold α/H_ii
def test_soft_threshold_against_fista_and_zero_pattern(problem, alpha):
    h, w = map(np.asarray, problem)
    q = _diagonal(h, w)
    closed = q.l1_optimum(alpha)
    prox = q.proximal_optimum(l1=alpha, tol=1e-13)
    assert relative_error(prox.w, closed) <= 1e-10
    zero = np.abs(w) <= alpha / h
    assert np.array_equal(closed == 0, zero | (w == 0))
    if alpha > 0:
        assert np.all(q.l2_optimum(alpha)[w != 0] != 0)  # L2 never zeroes a non-zero w*_i


@given(diag_problems, st.floats(0, 5), st.floats(0, 5))
def test_elastic_net_against_fista_and_scipy(problem, l1, l2):
    h, w = map(np.asarray, problem)
    q = _diagonal(h, w)
    closed = q.elastic_net_optimum(l1, l2)
    assert relative_error(q.proximal_optimum(l1=l1, l2=l2, tol=1e-13).w, closed) <= 1e-10
    # elastic net with α₁ = 0 is ridge; with α₂ = 0 it is the lasso
    assert relative_error(q.elastic_net_optimum(0.0, l2 + 0.1), q.l2_optimum(l2 + 0.1)) <= 1e-14
    # (H|w*| − α₁)/H and |w*| − α₁/H round differently; the gap is relative to the terms, not the
    # (possibly cancelling) result
    terms = np.abs(w) + l1 / h
    assert np.all(np.abs(q.elastic_net_optimum(l1, 0.0) - q.l1_optimum(l1)) <= 8 * np.spacing(terms))


@given(wst.quadratics(dims=(2, 8), max_condition=1e3), st.floats(0.01, 2))
def test_proximal_general_h_satisfies_kkt_and_beats_scipy(qm, l1):
    """Non-diagonal H: FISTA's answer has a tiny KKT violation and an objective no worse than L-BFGS-B."""
    q, _ = qm
    res = q.proximal_optimum(l1=l1)
    assert res.kkt_violation <= res.tolerance

    def f(w):
        return q.value(w) + l1 * np.abs(w).sum()

    # split w = u − v with u, v ≥ 0 (smooth, bound-constrained): an independent solver
    d = q.d

    def f_split(z):
        return q.value(z[:d] - z[d:]) + l1 * z.sum()

    def g_split(z):
        g = q.gradient(z[:d] - z[d:])
        return np.concatenate([g + l1, -g + l1])

    lb = scipy.optimize.minimize(
        f_split,
        np.zeros(2 * d),
        jac=g_split,
        method="L-BFGS-B",
        bounds=[(0, None)] * (2 * d),
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000},
    )
    assert f(res.w) <= f(lb.x[:d] - lb.x[d:]) + 1e-9 * (1 + abs(lb.fun))


# ---------------------------------------------------------------- gradient descent and early stopping


@given(
    wst.quadratics(dims=(1, 8), max_condition=1e4),
    st.floats(0.05, 0.99),
    st.lists(wst.taus(300), min_size=1, max_size=4),
    st.booleans(),
    st.floats(0, 1),
)
def test_gd_iterates_match_loop(qm, frac, taus, from_zero, alpha):
    q, _ = qm
    eps = frac * q.max_stable_step(alpha)
    w0 = None if from_zero else np.linspace(-1, 1, q.d)
    closed = q.gd_iterates(eps, taus, w0=w0, alpha=alpha)
    loop = q.simulate_gd(eps, taus, w0=w0, alpha=alpha)
    scale = max(np.linalg.norm(q.w_star) + (0 if w0 is None else np.linalg.norm(w0)), np.finfo(float).tiny)
    ratios = [
        np.linalg.norm(a - b) / scale / (eigenbasis_tolerance(q.d) * (1 + t))
        for t, a, b in zip(taus, closed, loop, strict=True)
    ]
    assert _ratio(max(ratios), 1.0, "es.trajectory") <= 1


@given(wst.quadratics(dims=(1, 8), max_condition=1e4), st.floats(0.05, 0.99))
def test_gd_tau_limits(qm, frac):
    """τ = 0 is w⁽⁰⁾; τ → ∞ is the limit (w* for α = 0, w̃(α) for α > 0)."""
    q, m = qm
    eps = frac * q.max_stable_step()
    assert np.array_equal(q.gd_iterates(eps, 0)[0], np.zeros(q.d))
    rate = max(abs(1 - eps * m.eigenvalues[0]), abs(1 - eps * m.eigenvalues[-1]))
    steps = math.ceil(math.log(1e-13) / math.log(rate)) if rate > 0 else 1
    far = q.gd_iterates(eps, steps)[0]
    assert relative_error(far, q.w_star) <= 1e-12 + eigenbasis_tolerance(q.d)
    assert relative_error(q.gd_limit(eps), q.w_star) <= eigenbasis_tolerance(q.d)


@given(wst.quadratics(dims=(1, 8), max_condition=1e4), st.floats(0.05, 0.99), st.integers(1, 3000))
def test_early_stopping_alpha_reproduces_gd(qm, frac, tau):
    """es.equivalence: the generalised ridge at the exact α_i is the GD iterate (and the loop)."""
    q, m = qm
    eps = frac / m.eigenvalues[-1]
    alphas = q.early_stopping_alpha(eps, tau)
    iterate = q.gd_iterates(eps, tau)[0]
    # both routes rotate w* into the eigenbasis: the rounding of Qᵀw* (≈ d·eps·‖w*‖ per coordinate)
    # is then scaled by at most the largest factor 1 − (1 − ελ_i)^τ, not by the iterate's own norm
    factor = float(np.max(-np.expm1(tau * np.log1p(-eps * m.eigenvalues))))
    err = np.linalg.norm(q.generalized_ridge(alphas) - iterate)
    scale = factor * np.linalg.norm(q.w_star)
    assert err <= eigenbasis_tolerance(q.d) * (1 + tau) * max(scale, np.finfo(float).tiny)
    # per direction: (1 − ελ_i)^τ = α_i/(λ_i + α_i)
    lhs = (1 - eps * m.eigenvalues) ** tau
    rhs = alphas / (m.eigenvalues + alphas)
    assert np.max(np.abs(lhs - rhs)) <= 10 * (1 + tau) * EPS


@given(wst.quadratics(dims=(2, 8), max_condition=1e4), st.floats(0.05, 0.99), st.integers(1, 3000))
def test_nonzero_init_is_centred_ridge(qm, frac, tau):
    q, m = qm
    eps = frac / m.eigenvalues[-1]
    w0 = np.cos(np.arange(q.d))
    centred = q.generalized_ridge(q.early_stopping_alpha(eps, tau), center=w0)
    loop = q.simulate_gd(eps, [tau], w0=w0)[0]
    assert relative_error(centred, loop) <= residual_tolerance(q.d, 1.0) * (1 + tau)


def test_single_alpha_matches_only_degenerate_spectrum():
    q = Quadratic(np.diag([0.5, 2.0]), [1.0, 1.0])
    a = q.early_stopping_alpha(0.1, 20)
    assert a[0] > a[1] * 1.2  # distinct eigenvalues: distinct α_i
    flat = Quadratic(np.eye(3) * 0.7, [1.0, -2.0, 0.5])
    b = flat.early_stopping_alpha(0.1, 20)
    assert np.ptp(b) <= 4 * EPS * b[0]
    assert relative_error(flat.l2_optimum(b[0]), flat.gd_iterates(0.1, 20)[0]) <= 1e-14


@given(st.floats(1e-4, 1e-1), st.integers(10, 10_000), st.floats(-4, -2))
def test_early_stopping_series_and_rule(eps, tau, log_x):
    """es.approx: α_i = 1/(ετ) − λ(τ + 1)/(2τ) + ε(τ² − 1)λ²/(12τ) + O(λ³)."""
    lam = 10**log_x / (eps * tau)
    q = Quadratic([[lam]], [1.0])
    exact = q.early_stopping_alpha(eps, tau)[0]
    series = q.early_stopping_alpha_series(eps, tau)[0]
    c2 = eps * (tau**2 - 1) / (12 * tau)
    x = eps * tau * lam
    assert abs(exact - series - c2 * lam**2) <= 2 * x * c2 * lam**2 + 1e3 * EPS * exact
    # the rule τ ≈ 1/(εα) has relative error ≈ ελ(τ + 1)/2 ≈ λ/(2α)
    err = q.early_stopping_approx_error(eps, tau)[0]
    first = eps * lam * (tau + 1) / 2
    assert abs(err - first) <= 2 * x * first + 1e3 * EPS


def test_zero_eigenvalue_direction_gets_limit_alpha():
    q = Quadratic(np.diag([0.0, 1.0]), [0.0, 2.0])
    a = q.early_stopping_alpha(0.1, 50)
    assert a[0] == pytest.approx(1 / (0.1 * 50), rel=1e-15)


@given(
    wst.quadratics(dims=(1, 8), max_condition=1e3), st.floats(0, 1), st.sampled_from([0.9, 0.999, 1.001, 1.1])
)
def test_stability_bound_is_spectral_radius(qm, alpha, factor):
    q, _ = qm
    eps = factor * q.max_stable_step(alpha)
    radius = np.linalg.norm(np.eye(q.d) - eps * (q.H + alpha * np.eye(q.d)), 2)
    assert (radius < 1) == (factor < 1)


# ---------------------------------------------------------------- float32


@given(wst.quadratics(dims=(1, 6), max_condition=1e3, dtype=np.float32), wst.alphas(1e-2, 1e2))
def test_float32_with_dtype_scaled_tolerance(qm, alpha):
    q, m = qm
    assume(np.linalg.norm(q.w_star) > 1e-30)  # below, float32 results are subnormal: no relative accuracy
    assert q.dtype == np.float32
    w = q.l2_optimum(alpha)
    assert w.dtype == np.float32
    ref = Quadratic(q.H.astype(np.float64), q.w_star.astype(np.float64)).l2_optimum(alpha)
    kappa = (m.eigenvalues[-1] + alpha) / (m.eigenvalues[0] + alpha)
    tol = product_tolerance(q.d, math.sqrt(kappa) * 10, np.float32)
    assert relative_error(w, ref) <= tol


def test_repr_and_properties():
    q = Quadratic(np.diag([0.0, 2.0]), [0.0, 1.0])
    assert q.rank == 1 and q.d == 2 and math.isinf(q.condition_number)
    assert "rank=1" in repr(q)
    np.testing.assert_array_equal(q.eigenvalues, [0.0, 2.0])


@given(wst.quadratics(dims=(1, 8), max_condition=1e4), st.floats(0, 1), st.floats(0.01, 100))
def test_gradient_flow_matches_expm_and_limits(qm, alpha, t):
    q, m = qm
    w0 = np.sin(np.arange(q.d) + 1.0)
    target = q.w_star if alpha == 0 else q.l2_optimum(alpha)
    dense = target + scipy.linalg.expm(-t * (q.H + alpha * np.eye(q.d))) @ (w0 - target)
    flow = q.gradient_flow([0.0, t], w0=w0, alpha=alpha)
    assert np.array_equal(flow[0], w0)
    scale = np.linalg.norm(w0) + np.linalg.norm(target)
    norm_ht = max((m.eigenvalues[-1] + alpha) * t, 1.0)
    assert np.linalg.norm(flow[1] - dense) <= residual_tolerance(q.d, norm_ht) * scale
    # from 0 along q_i it keeps 1 − e^{−λ_i t} of w*, never more than ridge's λ_i/(λ_i + 1/t) removes
    kept = -np.expm1(-t * m.eigenvalues)
    assert np.all(1 - kept <= 1 - q.shrinkage(1 / t) + 1e-15)


def test_gradient_flow_rejects_negative_time():
    with pytest.raises(PreconditionError, match="t ≥ 0; got t = -1.0"):
        Quadratic(np.eye(2), [1.0, 1.0]).gradient_flow(-1.0)
