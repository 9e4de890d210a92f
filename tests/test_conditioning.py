"""l2.conditioning: κ(H + αI), the optimal constant step and its rate, the bias, and the trade-off.

Hypothesis draws SPD and PSD matrices (``theory.testing.strategies``); every closed form of
``theory.conditioning`` is compared with a route that never sees an eigendecomposition (``np.linalg.cond``,
the spectral norm of the dense iteration matrix, a dense solve, the plain GD loop), with tolerances
from ``theory.numerics``. Negative controls show that a wrong step, rate or timescale fails the same
comparisons.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
from hypothesis import assume, given, target
from hypothesis import strategies as st

from proofs import registry
from theory import conditioning
from theory.errors import InputError, PreconditionError
from theory.numerics import residual_tolerance
from theory.quadratic import Quadratic
from theory.testing import strategies as wst

EPS = float(np.finfo(np.float64).eps)


def _shifted(m: wst.Matrix, alpha: float) -> np.ndarray:
    return m.H + alpha * np.eye(m.d)


def _radius(A: np.ndarray, eps: float) -> float:
    """max |1 − ε·eig(A)| as the spectral norm of the dense symmetric iteration matrix (no eigh)."""
    return float(np.linalg.norm(np.eye(A.shape[0]) - eps * A, 2))


@given(wst.psd_matrices(dims=(1, 8), max_condition=1e6), wst.alphas(1e-4, 1e3))
def test_condition_number_is_numpys_cond(m: wst.Matrix, alpha: float) -> None:
    q = Quadratic(m.H, np.ones(m.d))
    kappa = conditioning.shifted_condition_number(q, alpha)
    ref = float(np.linalg.cond(_shifted(m, alpha)))  # tolerances from the reference, not the value tested
    ratio = abs(kappa - ref) / ref / (2 * residual_tolerance(m.d, ref))
    target(ratio)
    assert ratio <= 1


@given(wst.psd_matrices(dims=(2, 8), max_condition=1e6), wst.alphas(1e-4, 1e3), st.floats(1.01, 100.0))
def test_condition_number_decreases_in_alpha(m: wst.Matrix, alpha: float, factor: float) -> None:
    q = Quadratic(m.H, np.ones(m.d))
    lo, hi = float(m.eigenvalues[0]), float(m.eigenvalues[-1])
    k1 = conditioning.shifted_condition_number(q, alpha)
    k2 = conditioning.shifted_condition_number(q, alpha * factor)
    # the exact decrease (α₂ − α₁)(λ_max − λ_min)/((λ_min + α₁)(λ_min + α₂)), less each κ's rounding
    drop = alpha * (factor - 1) * (hi - lo) / ((lo + alpha) * (lo + alpha * factor))
    ref = (hi + alpha) / (lo + alpha)  # κ from the drawn spectrum, for the tolerance
    assert k1 - k2 >= drop - 2 * residual_tolerance(m.d, ref) * ref


@given(wst.psd_matrices(dims=(1, 8), max_condition=1e6), wst.alphas(1e-4, 1e3))
def test_optimal_step_attains_the_rate_as_worst_case(m: wst.Matrix, alpha: float) -> None:
    """‖I − ε*(H + αI)‖₂ = ρ_α: forming the matrix (≤ 3eps an entry), the SVD and the eigenvalues
    each contribute c·d·eps (Higham §7.1)."""
    q = Quadratic(m.H, np.ones(m.d))
    eps_star = conditioning.optimal_step(q, alpha)
    rho = conditioning.optimal_rate(q, alpha)
    ratio = abs(_radius(_shifted(m, alpha), eps_star) - rho) / (4 * residual_tolerance(m.d, 1.0))
    target(ratio)
    assert ratio <= 1


@given(
    wst.spd_matrices(dims=(2, 8), max_condition=1e4),
    wst.alphas(1e-4, 1e2),
    st.sampled_from([-0.5, -0.1, -1e-3, 1e-3, 0.1, 0.5]),
)
def test_any_other_step_is_slower(m: wst.Matrix, alpha: float, s: float) -> None:
    """At ε = ε*(1 + s) the worst factor is ρ + |s|ε*·μ (shorter) or ρ + sε*·L (longer): proofs step 10–11."""
    q = Quadratic(m.H, np.ones(m.d))
    lo, hi = float(m.eigenvalues[0]) + alpha, float(m.eigenvalues[-1]) + alpha
    assume(hi - lo > 1e-6 * hi)
    eps_star = conditioning.optimal_step(q, alpha)
    rho = conditioning.optimal_rate(q, alpha)
    slope = lo if s < 0 else hi
    expected = rho + abs(s) * eps_star * slope
    got = _radius(_shifted(m, alpha), eps_star * (1 + s))
    assert abs(got - expected) <= 4 * residual_tolerance(m.d, 1.0)
    assert got > rho


@given(wst.spd_matrices(dims=(1, 8), max_condition=1e4), wst.alphas(1e-4, 1e2))
def test_gd_contracts_by_exactly_rho_each_step_from_an_extreme_eigenvector(
    m: wst.Matrix, alpha: float
) -> None:
    """From w̃ + q_min (and w̃ + q_max, with a sign flip each step) the plain GD loop at ε* shrinks
    ‖w_k − w̃‖ by ρ every step; 10 steps of rounding (10·d·eps each, on terms of size ≤ 3) bound it."""
    w_star = np.linspace(-1.0, 2.0, m.d)
    q = Quadratic(m.H, w_star)
    eps_star = conditioning.optimal_step(q, alpha)
    rho = conditioning.optimal_rate(q, alpha)
    A = _shifted(m, alpha)
    w_tilde = scipy.linalg.solve(A, m.H @ w_star, assume_a="pos")
    kappa = float(np.linalg.cond(A))
    for col in (0, -1):
        start = w_tilde + q.eigenvectors[:, col]
        loop = q.simulate_gd(eps_star, np.arange(11), w0=start, alpha=alpha)
        err = np.linalg.norm(loop - w_tilde, axis=1)
        expected = rho ** np.arange(11)
        scale = 1.0 + float(np.linalg.norm(w_tilde)) + float(np.linalg.norm(w_star))
        tol = residual_tolerance(m.d, kappa) * scale * (2 + 3 * np.arange(11))
        assert (np.abs(err - expected) <= tol).all(), (err - expected) / tol


@given(wst.quadratics(dims=(1, 8), max_condition=1e6), wst.alphas(1e-4, 1e3))
def test_bias_is_the_dense_ridge_minus_w_star(qm: tuple[Quadratic, wst.Matrix], alpha: float) -> None:
    q, m = qm
    dense = scipy.linalg.solve(_shifted(m, alpha), m.H @ q.w_star, assume_a="pos") - q.w_star
    kappa = float(np.linalg.cond(_shifted(m, alpha)))
    scale = kappa * float(np.linalg.norm(q.w_star)) + 1.0
    assert (
        float(np.linalg.norm(conditioning.bias(q, alpha) - dense)) <= 3 * residual_tolerance(m.d, 1.0) * scale
    )
    assert (
        abs(conditioning.bias_norm(q, alpha) - float(np.linalg.norm(dense)))
        <= 3 * residual_tolerance(m.d, 1.0) * scale
    )


@given(wst.quadratics(dims=(1, 8), max_condition=1e4), wst.alphas(1e-4, 1e2), st.floats(1.1, 10.0))
def test_bias_grows_with_alpha_towards_w_star(
    qm: tuple[Quadratic, wst.Matrix], alpha: float, f: float
) -> None:
    q, _ = qm
    b1, b2 = conditioning.bias_norm(q, alpha), conditioning.bias_norm(q, alpha * f)
    assert b2 >= b1 * (1 - 4 * EPS)
    assert conditioning.bias_norm(q, 1e12 * float(q.eigenvalues[-1])) == pytest.approx(
        float(np.linalg.norm(q.w_star)), rel=1e-10
    )


@given(
    wst.quadratics(dims=(1, 6), max_condition=1e3),
    st.floats(0.0, 1.5),
    st.floats(0.05, 0.9),
)
def test_steps_to_tolerance_match_the_gd_loop(qm: tuple[Quadratic, wst.Matrix], a: float, f: float) -> None:
    """K(δ) from the closed form = the last step of the plain loop outside δ, plus one; the bound is one."""
    q, m = qm
    w_norm = float(np.linalg.norm(q.w_star))
    assume(w_norm > 1e-3)
    alpha = a * float(m.eigenvalues[-1])
    b = conditioning.bias_norm(q, alpha)
    gap = float(np.linalg.norm(q.w_star + conditioning.bias(q, alpha)))
    delta = b + f * max(gap, 1e-3)
    K = conditioning.iterations_to_tolerance(q, alpha, delta)
    bound = conditioning.iterations_bound(q, alpha, delta)
    assert 0 <= K <= bound < math.inf
    loop = q.simulate_gd(conditioning.optimal_step(q, alpha), np.arange(int(bound) + 3), alpha=alpha)
    dist = np.linalg.norm(loop - q.w_star, axis=1)
    rounding = residual_tolerance(q.d, 1.0) * 3 * w_norm * (np.arange(dist.size) + 1)
    assume(not np.any(np.abs(dist - delta) <= rounding))  # no tie within rounding
    outside = np.flatnonzero(dist > delta)
    assert (outside[-1] + 1 if outside.size else 0) == K


def test_trade_off_beyond_max_useful_alpha_is_out_of_reach() -> None:
    lam = np.logspace(-2, 0, 10)
    q = Quadratic(np.diag(lam), lam / np.linalg.norm(lam))
    delta = 0.1
    a_max = conditioning.max_useful_alpha(q, delta)
    assert conditioning.bias_norm(q, a_max) == pytest.approx(delta, rel=1e-10)
    assert math.isinf(conditioning.iterations_to_tolerance(q, 1.01 * a_max, delta))
    assert math.isinf(conditioning.iterations_bound(q, 1.01 * a_max, delta))
    ks = [conditioning.iterations_to_tolerance(q, f * a_max, delta) for f in (0.0, 0.5, 0.999999)]
    assert ks[1] < ks[0] < ks[2]  # decay helps, then costs
    # δ above ‖w*‖: any α keeps the bias below δ
    assert math.isinf(conditioning.max_useful_alpha(q, 1.5))


def test_the_derivation_and_the_library_agree() -> None:
    d = registry.derivation("l2.conditioning")
    lam = np.logspace(-3, 1, 7)
    q = Quadratic(np.diag(lam), np.ones(7))
    for a in (0.0, 1e-3, 0.4, 30.0):
        args = (lam[0], lam[-1], a)
        assert d.function("condition")(*args) == pytest.approx(
            conditioning.shifted_condition_number(q, a), rel=1e-14
        )
        assert d.function("optimal_step")(*args) == pytest.approx(conditioning.optimal_step(q, a), rel=1e-14)
        assert d.function("rate")(*args) == pytest.approx(conditioning.optimal_rate(q, a), rel=1e-14)
        got = q.eigenvectors @ d.function("bias")(lam, q.coordinates, a)
        np.testing.assert_allclose(conditioning.bias(q, a), got, rtol=1e-14, atol=1e-15)


def test_negative_controls_fail_the_same_comparisons() -> None:
    """A wrong optimal step (2/(λ_max + λ_min + α), 1/(λ_max + α)) or a wrong rate ((κ − 1)/κ) misses the
    dense worst case by far more than the tolerance the tests use."""
    lam = np.array([0.1, 0.5, 2.0])
    q = Quadratic(np.diag(lam), np.ones(3))
    alpha = 0.3
    A = np.diag(lam + alpha)
    tol = 4 * residual_tolerance(3, 1.0)
    rho = conditioning.optimal_rate(q, alpha)
    for wrong in (2 / (lam[0] + lam[-1] + alpha), 1 / (lam[-1] + alpha)):
        assert abs(_radius(A, wrong) - rho) > 1e6 * tol
    kappa = conditioning.shifted_condition_number(q, alpha)
    assert abs(_radius(A, conditioning.optimal_step(q, alpha)) - (kappa - 1) / kappa) > 1e6 * tol


def test_errors_name_the_values() -> None:
    q = Quadratic(np.diag([0.0, 1.0]), np.array([0.0, 1.0]))
    with pytest.raises(PreconditionError, match=r"λ_min \+ α > 0.*λ_min = 0, α = 0"):
        conditioning.shifted_condition_number(q, 0.0)
    with pytest.raises(PreconditionError, match=r"alpha must be ≥ 0; got alpha = -1"):
        conditioning.optimal_step(q, -1.0)
    with pytest.raises(PreconditionError, match=r"delta must be > 0; got delta = 0"):
        conditioning.iterations_bound(q, 0.1, 0.0)
    with pytest.raises(InputError, match=r"w0 must have shape \(2,\)"):
        conditioning.distance_to_optimum(q, 0.1, [1], w0=np.ones(3))
    # a singular H is fine once α > 0
    assert conditioning.shifted_condition_number(q, 0.5) == pytest.approx(3.0)


def test_one_step_when_kappa_is_one_up_to_rounding() -> None:
    """H = 3I exactly (ρ = 0) and rotated (eigh returns eigenvalues a few ulps apart, ρ ~ d·eps):
    one step of ε* lands on w̃, and iterations_bound says 1 without evaluating log(0)."""
    rng = np.random.default_rng(5)
    Q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    for H in (3.0 * np.eye(6), 3.0 * (Q @ Q.T)):
        q = Quadratic(H, rng.standard_normal(6))
        alpha = 0.5
        assert conditioning.optimal_rate(q, alpha) <= residual_tolerance(6, 1.0)
        b = conditioning.bias_norm(q, alpha)
        delta = b + 1e-6
        assert conditioning.iterations_bound(q, alpha, delta) == 1.0
        assert conditioning.iterations_to_tolerance(q, alpha, delta) == 1.0


def test_distance_to_optimum_names_steps() -> None:
    q = Quadratic(np.diag([1.0, 2.0]), np.ones(2))
    with pytest.raises(InputError, match=r"steps must be .* ≥ 0; got \[-1.\]"):
        conditioning.distance_to_optimum(q, 0.1, [-1])
