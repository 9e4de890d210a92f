"""Results on the whole stated domain of each theorem, and the edges of that domain (issue 8).

Each test here failed on the code before the fix it guards: enet.diagonal with H_ii < 0, the digits
``gd_iterates`` lost to rounding ``1 − ε(λ + α)``, the scale of gd.min_norm's step, and the boundary
cases of Quadratic and regression (H = 0, λ_i + α_i = 0, X = 0, unknown conventions).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from theory import InputError, PreconditionError, Quadratic, StabilityError, regression
from theory.numerics import (
    elastic_net_agreement_tolerance,
    gd_fraction_done,
    gd_fraction_done_tolerance,
    is_zero_within_rounding,
    rounding_zero_tolerance,
)
from theory.testing import strategies as wst
from theory.testing.strategies import design_with_condition

EPS = float(np.finfo(np.float64).eps)

# ---------------------------------------------------------------- enet.diagonal on H_ii + α₂ > 0


def test_enet_issue_example_negative_curvature_is_ridge():
    """Issue 8: diag(−1, 2), w* = (1, 1), α₁ = 0, α₂ = 2 is ridge, whose optimum is (−1, 0.5)."""
    q = Quadratic(np.diag([-1.0, 2.0]), [1.0, 1.0], allow_indefinite=True)
    # w̃_i = H_ii w*_i/(H_ii + α₂): −1/1 and 2/4, both exact in binary
    assert np.array_equal(q.l2_optimum(2.0), [-1.0, 0.5])
    assert np.array_equal(q.elastic_net_optimum(0.0, 2.0), [-1.0, 0.5])
    # with α₁: coordinate 0 is ½w² + w + 0.3|w| (w = −0.7), coordinate 1 is 2w² − 2w + 0.3|w| (w = 0.425)
    assert np.allclose(q.elastic_net_optimum(0.3, 2.0), [-0.7, 0.425], rtol=4 * EPS, atol=0)


@given(wst.elastic_net_problems())
@example((Quadratic(np.diag([-1.0, 2.0]), [1.0, 1.0], allow_indefinite=True), 0.0, 2.0))
@example((Quadratic(np.diag([-3.0, 0.0, 4.0]), [2.0, 5.0, -1.0], allow_indefinite=True), 1.0, 3.5))
def test_enet_closed_form_against_fista_on_the_whole_domain(problem):
    """enet.diagonal vs FISTA (an independent route), H_ii of both signs; tolerance derived from both."""
    q, l1, l2 = problem
    closed = q.elastic_net_optimum(l1, l2)
    prox = q.proximal_optimum(l1=l1, l2=l2, tol=1e-13)
    h = np.diag(q.H)
    tol = elastic_net_agreement_tolerance(h, q.w_star, l1, l2, closed, prox.tolerance)
    assert float(np.linalg.norm(prox.w - closed)) <= tol
    # the zero pattern: w_i = 0 exactly where |H_ii w*_i| ≤ α₁
    assert np.array_equal(closed == 0, np.abs(h * q.w_star) <= l1)


@given(wst.elastic_net_problems(max_l1=0.0))
def test_enet_without_l1_is_l2_optimum_for_negative_curvature(problem):
    q, _, l2 = problem
    # both are H_ii w*_i/(H_ii + α₂) per coordinate; the eigenbasis route rotates by a permutation
    # (exact) and rounds the same three operations: a few eps relative per coordinate
    closed = q.elastic_net_optimum(0.0, l2)
    ridge = q.l2_optimum(l2)
    h = np.diag(q.H)
    m = h + l2
    bound = 4 * EPS * np.abs(closed) * (1 + (np.abs(h) + l2) / m)
    assert np.all(np.abs(closed - ridge) <= bound)


def test_enet_and_l1_domain_errors():
    q = Quadratic(np.diag([-1.0, 2.0]), [1.0, 1.0], allow_indefinite=True)
    with pytest.raises(PreconditionError, match=r"H_ii \+ α₂ > 0; H_00 = -1 and α₂ = 0\.5"):
        q.elastic_net_optimum(0.1, 0.5)
    with pytest.raises(PreconditionError, match=r"H_00 = -1 and α₂ = 1\.0 \(H_00 \+ α₂ = 0\)"):
        q.elastic_net_optimum(0.1, 1.0)
    # the lasso (α₂ = 0) needs H_ii > 0: for H_ii < 0 the objective is unbounded below, for 0 the
    # closed form divides by 0
    with pytest.raises(PreconditionError, match=r"l1.soft_threshold needs H_ii > 0; H_00 = -1"):
        q.l1_optimum(0.1)
    with pytest.raises(PreconditionError, match=r"H_00 = 0"):
        Quadratic(np.diag([0.0, 2.0]), [1.0, 1.0]).l1_optimum(0.1)
    with pytest.raises(PreconditionError, match=r"H_00 \+ α₂ = 0"):
        Quadratic(np.diag([0.0, 2.0]), [1.0, 1.0]).elastic_net_optimum(0.1, 0.0)
    # an indefinite H is refused without allow_indefinite before any of this
    with pytest.raises(PreconditionError, match="allow_indefinite"):
        Quadratic(np.diag([-1.0, 2.0]), [1.0, 1.0])


# ---------------------------------------------------------------- gd_iterates: digits near ελ = 0

mpmath.mp.dps = 50


def _reference_fraction(eps: float, lam: float, alpha: float, tau: int) -> mpmath.mpf:
    x = mpmath.mpf(eps) * (mpmath.mpf(lam) + mpmath.mpf(alpha))  # exact in 50 digits
    return 1 - (1 - x) ** tau


@pytest.mark.parametrize("log_x", [-12.0, -11.5, -10.0, -8.0, -6.0, -4.0, -2.0, -1.0, -0.3, -0.01])
@pytest.mark.parametrize("tau", [1, 2, 7, 100, 10_000, 10**7])
@pytest.mark.parametrize("alpha_share", [0.0, 0.3])
def test_gd_iterates_relative_accuracy_against_mpmath(log_x, tau, alpha_share):
    """``gd_iterates`` along one direction is ``1 − (1 − ε(λ + α))^τ`` of the gap, to eps·(κ + 3).

    1×1 H, w* = 1, from 0: eigh of a 1×1 matrix is exact and Q = ±1, so the iterate is the factor
    times 1 (one more rounding: the +0.5 eps over gd_fraction_done_tolerance). ε, λ, α are chosen so
    that ``ε·(λ + α)`` is not exact in binary (it rounds twice).
    """
    x = 10.0**log_x
    eps = 0.37
    alpha = alpha_share * x / eps
    lam = x / eps - alpha
    ref = _reference_fraction(eps, lam, alpha, tau)
    q = Quadratic([[lam]], [1.0])
    got = q.gd_iterates(eps, [tau], alpha=alpha)[0, 0]
    # from 0 the fixed point is w̃ = λ/(λ + α): its rounding adds ≤ 1.5 eps relative
    fixed = mpmath.mpf(lam) / (mpmath.mpf(lam) + mpmath.mpf(alpha))
    x_float = eps * (lam + alpha)
    tol = gd_fraction_done_tolerance(x_float) + (1.5 if alpha else 0.5) * EPS
    rel = abs((mpmath.mpf(float(got)) - ref * fixed) / (ref * fixed))
    assert float(rel) <= tol
    rel_bare = abs((mpmath.mpf(float(gd_fraction_done(x_float, tau))) - ref) / ref)
    assert float(rel_bare) <= gd_fraction_done_tolerance(x_float)


def test_gd_fraction_done_tolerance_domain():
    with pytest.raises(InputError, match="0 < x < 1; got x = 1.0"):
        gd_fraction_done_tolerance(1.0)
    assert gd_fraction_done_tolerance(1e-12) == pytest.approx(3.5 * EPS, rel=1e-6)


def test_gd_fraction_done_oscillating_and_zero():
    # x ∈ [1, 2): 1 − x is exact (Sterbenz) and the power is used as is; x = 0: nothing moves
    assert np.array_equal(gd_fraction_done(np.array([1.5, 1.0, 0.0]), 3), [1 - (-0.5) ** 3, 1.0, 0.0])


# ---------------------------------------------------------------- gd.min_norm: one scale


@pytest.mark.parametrize("n, d", [(3, 7), (6, 4), (5, 5)])
def test_min_norm_step_bound_is_the_stability_boundary_on_the_mean_scale(n, d):
    """GD on (1/2n)‖Xw − y‖² (written here from the gradient, not through theory) converges to
    gd_least_squares_limit just inside 2/λ_max(XᵀX/n) and diverges just outside it."""
    rng = np.random.default_rng(n * 100 + d)
    X = design_with_condition(rng, n, d, 2.0) * 3.0
    y = rng.standard_normal(n)
    w0 = rng.standard_normal(d)
    bound = regression.max_stable_step(X)
    assert bound == pytest.approx(2 * n / np.linalg.norm(X, 2) ** 2, rel=1e-14)
    limit = regression.gd_least_squares_limit(X, y, w0, eps=0.98 * bound)
    start_gap = float(np.linalg.norm(w0 - limit))

    def run(eps: float, steps: int) -> np.ndarray:
        w = w0.copy()
        for _ in range(steps):
            w = w - (eps / n) * (X.T @ (X @ w - y))
        return w

    # inside: contraction max(|1 − ελ_i|) ≤ 0.96 with κ(H) = 4: 2000 steps reach rounding
    inside = run(0.98 * bound, 2000)
    assert np.linalg.norm(inside - limit) <= 1e3 * EPS * (1 + np.linalg.norm(limit))
    # outside: |1 − ελ_max| = 1.04 per step, so the gap grows by ≥ 1.04^1000 > 1e17 along q_max
    outside = run(1.02 * bound, 1000)
    assert np.linalg.norm(outside - limit) >= 1e10 * start_gap
    with pytest.raises(StabilityError, match=r"2/λ_max\(XᵀX/n\)"):
        regression.gd_least_squares_limit(X, y, w0, eps=1.02 * bound)
    # the same ε on the ½‖Xw − y‖² scale (no 1/n) is n times larger: it diverges for n ≥ 2
    # (per step |1 − 0.98·2n·λ/λ_max| ≥ 2n − 1.96 ≥ 4 along q_max: 40 steps give ≥ 1e24)
    w = w0.copy()
    for _ in range(40):
        w = w - 0.98 * bound * (X.T @ (X @ w - y))
    assert np.linalg.norm(w - limit) >= 1e10 * start_gap
    # and Quadratic.from_regression uses that same (mean) scale
    q = Quadratic.from_regression(X, y)
    assert q.max_stable_step() == pytest.approx(bound, rel=1e-13)


def test_min_norm_limit_for_zero_design():
    X = np.zeros((3, 2))
    y = np.ones(3)
    assert regression.max_stable_step(X) == math.inf
    assert np.array_equal(regression.gd_least_squares_limit(X, y), [0.0, 0.0])
    assert np.array_equal(regression.gd_least_squares_limit(X, y, [1.0, 2.0], eps=1e6), [1.0, 2.0])


# ---------------------------------------------------------------- gd_limit and the boundary cases


@pytest.mark.parametrize("alpha", [0.25, 1.0, 1.5, 3.0, 40.0])
def test_gd_limit_is_ridge_optimum_for_every_positive_alpha(alpha):
    """α below, at and above λ_min (and above λ_max): the limit is w̃(α) for every stable ε."""
    q = Quadratic(np.diag([1.0, 2.0]), [1.0, -3.0])
    eps = 0.9 * q.max_stable_step(alpha)
    expected = q.l2_optimum(alpha)
    got = q.gd_limit(eps, w0=[5.0, 5.0], alpha=alpha)
    # gd_limit is w⁽⁰⁾ + Q(Qᵀw̃ − Qᵀw⁽⁰⁾): a few roundings of terms as large as ‖w⁽⁰⁾‖∞ = 5
    assert np.allclose(got, expected, rtol=8 * EPS, atol=8 * EPS * 5.0)
    # and the plain loop gets there (contraction ≤ 0.9 + rounding of each step's terms)
    loop = q.simulate_gd(eps, [3000], w0=[5.0, 5.0], alpha=alpha)[0]
    assert np.allclose(loop, expected, rtol=0, atol=1e2 * EPS * 5.0)


def test_gd_limit_singular_and_indefinite():
    singular = Quadratic(np.diag([0.0, 2.0]), [1.0, 1.0])
    assert np.array_equal(singular.gd_limit(0.5, w0=[3.0, 3.0]), [3.0, 1.0])  # null part stays
    assert np.allclose(singular.gd_limit(0.5, w0=[3.0, 3.0], alpha=0.5), singular.l2_optimum(0.5))
    saddle = Quadratic(np.diag([-1.0, 2.0]), [1.0, 1.0], allow_indefinite=True)
    assert np.allclose(saddle.gd_limit(0.1, alpha=1.5), saddle.l2_optimum(1.5), rtol=8 * EPS, atol=0)
    with pytest.raises(PreconditionError, match=r"λ_min \+ α = -1 \+ 0\.5 = -0\.5"):
        saddle.gd_limit(0.1, alpha=0.5)
    with pytest.raises(PreconditionError, match=r"λ_0 \+ α = -1 \+ 1\.0 is zero"):
        saddle.gd_limit(0.1, alpha=1.0)
    with pytest.raises(StabilityError, match="0.4"):
        saddle.gd_limit(0.5, alpha=3.0)


@pytest.mark.parametrize("H", [0.0, 1.0, [], [[]], [[1.0, 2.0]]])
def test_malformed_h_is_input_error(H):
    with pytest.raises(InputError, match="H "):
        Quadratic(H, [1.0])


def test_zero_hessian_never_moves():
    q = Quadratic(np.zeros((2, 2)), [1.0, 2.0])
    assert q.rank == 0 and q.max_stable_step() == math.inf
    assert q.max_stable_step(0.5) == 4.0
    assert np.array_equal(q.gd_limit(1e6, w0=[3.0, 4.0]), [3.0, 4.0])
    assert np.array_equal(q.gd_iterates(7.0, [0, 5], w0=[3.0, 4.0]), [[3.0, 4.0], [3.0, 4.0]])
    assert np.array_equal(q.gd_limit(1.0, w0=[3.0, 4.0], alpha=0.5), [0.0, 0.0])  # w̃(α) = 0
    negative = Quadratic(-np.eye(2), [1.0, 2.0], allow_indefinite=True)
    with pytest.raises(PreconditionError, match=r"λ_max \+ α > 0; λ_max = -1"):
        negative.max_stable_step()


def test_generalized_ridge_singular_direction_is_typed_error():
    q = Quadratic(np.diag([-1.0, 0.0, 2.0]), [1.0, 1.0, 1.0], allow_indefinite=True)
    with pytest.raises(PreconditionError, match=r"direction 0 has λ_0 = -1, α_0 = 1, λ_0 \+ α_0 = 0"):
        q.generalized_ridge([1.0, 1.0, 0.0])
    with pytest.raises(PreconditionError, match=r"direction 1 has λ_1 = 0, α_1 = 0"):
        q.generalized_ridge([2.0, 0.0, 0.0])
    # within rounding of −λ: λ is known to ±10·d·eps·‖H‖ only, so H + A may be singular
    with pytest.raises(PreconditionError, match="direction 0"):
        q.generalized_ridge([1.0 + 4 * EPS, 1.0, 0.0])
    assert np.allclose(q.generalized_ridge([1.5, 1.0, 0.0]), [-2.0, 0.0, 1.0], rtol=4 * EPS, atol=0)


def test_unknown_ridge_convention_lists_the_known_ones():
    for alpha in (0.0, 1.0):
        with pytest.raises(
            InputError, match=r"unknown ridge convention 'foo'; choose one of mean, half_sse, sse"
        ):
            regression.ridge(np.eye(2), [1.0, 2.0], alpha, convention="foo")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown ridge convention"):
        regression.ridge_objective([0.0, 0.0], np.eye(2), [1.0, 2.0], 1.0, convention="foo")  # type: ignore[arg-type]


# ---------------------------------------------------------------- the rounding-zero helpers


@given(st.integers(1, 50), st.floats(1e-3, 1e3), st.integers(0, 2**32 - 1))
def test_duplicated_column_gram_is_zero_within_rounding(d, scale, seed):
    """A Gram matrix with a repeated column is singular; its computed λ_min is rounding, of either sign."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((d + 3, d)) * scale
    X = np.hstack([X, X[:, :1]])
    lam = np.linalg.eigvalsh(X.T @ X)
    assert is_zero_within_rounding(lam[0], d + 1, lam[-1])
    # a full-rank design with κ(X) = 10 (κ(XᵀX) = 100) is not
    Z = design_with_condition(rng, d + 3, d, 10.0) * scale
    mu = np.linalg.eigvalsh(Z.T @ Z)
    assert not is_zero_within_rounding(mu[0], d, mu[-1])
    assert rounding_zero_tolerance(4, 0.0) == 0.0 and is_zero_within_rounding(0.0, 4, 0.0)


# ---------------------------------------------------------------- empirical: rounded λ_min is not > 0


@pytest.mark.parametrize("rounded_lambda_min", [2.9e-17, 0.0, -2.9e-17])
def test_fit_ridge_refuses_a_lambda_min_that_is_rounding(monkeypatch, rounded_lambda_min):
    """A duplicated column gives λ_min = ±3e-17 (the sign is the machine's rounding): both are 0.

    ``_objective_spectrum`` is pinned to the value a clean machine returned in the audit, so the test
    does not depend on this machine's rounding.
    """
    pytest.importorskip("torch")
    from theory.empirical import linear

    monkeypatch.setattr(linear, "_objective_spectrum", lambda *a, **k: (rounded_lambda_min, 2.0))
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    X = np.hstack([X, X[:, :1]])
    with pytest.raises(PreconditionError, match=r"not strongly convex .* rounding threshold"):
        linear.fit_ridge(X, rng.standard_normal(20), 0.0)


def test_hessian_minimise_refuses_a_lambda_min_that_is_rounding(monkeypatch):
    """A duplicated column gives a flat direction: λ_min = +2.9e-17 is rounding, not a strict minimum."""
    torch = pytest.importorskip("torch")
    from theory.empirical import hessian

    real = torch.linalg.eigvalsh

    def rounded_positive(A):  # what a clean machine returned: the zero eigenvalue rounded up
        ev = real(A).clone()
        ev[0] = torch.clamp(ev[0], min=2.9e-17)
        return ev

    monkeypatch.setattr(torch.linalg, "eigvalsh", rounded_positive)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2))
    X = torch.tensor(np.hstack([X, X[:, :1]]))
    model = torch.nn.Linear(3, 1, bias=False).double()
    flat = hessian.FlatLoss(model, X, X[:, 0] + 0.5 * X[:, 1])
    with pytest.raises(PreconditionError, match="no strict minimum"):
        hessian.minimise(flat, alpha=0.0)
