"""Exact values of the closed forms on small cases, each computed by an independent route.

The references here are exact rational arithmetic (``fractions.Fraction``, Cramer's rule on 2×2
systems), high-precision arithmetic (mpmath, 30 digits) or the real library (SciPy's densities,
NumPy's pseudo-inverse). Each case is chosen so that a changed scale (n, ½, 2), a flipped sign or a
dropped term changes the answer by far more than the rounding tolerance, which is derived from the
route's error bound (``theory.numerics``). These tests came from mutation testing
(``python bench/mutation.py``): each kills mutants of ``theory/`` that the property tests let live.
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
import scipy.linalg
import scipy.stats

from theory import bayes, noise, regression, risk
from theory.numerics import (
    eigenbasis_tolerance,
    product_tolerance,
    relative_error,
    residual_tolerance,
)
from theory.testing.strategies import design_with_condition

EPS = float(np.finfo(np.float64).eps)

# a 3×2 design with XᵀX = [[2, 2], [2, 5]] and Xᵀy = [4, 4]
X3 = [[1, 2], [0, 1], [1, 0]]
Y3 = [1, 2, 3]


def _gram(X: list[list[int]], y: list[int]) -> tuple[list[list[F]], list[F]]:
    """XᵀX and Xᵀy in exact arithmetic."""
    d = len(X[0])
    XtX = [[F(sum(row[i] * row[j] for row in X)) for j in range(d)] for i in range(d)]
    Xty = [F(sum(row[i] * yi for row, yi in zip(X, y, strict=True))) for i in range(d)]
    return XtX, Xty


def _solve2(A: list[list[F]], b: list[F]) -> list[F]:
    """Cramer's rule for a 2×2 system, exactly."""
    det = A[0][0] * A[1][1] - A[0][1] * A[1][0]
    return [(b[0] * A[1][1] - A[0][1] * b[1]) / det, (A[0][0] * b[1] - b[0] * A[1][0]) / det]


def _inv2(A: list[list[F]]) -> list[list[F]]:
    det = A[0][0] * A[1][1] - A[0][1] * A[1][0]
    return [[A[1][1] / det, -A[0][1] / det], [-A[1][0] / det, A[0][0] / det]]


def _kappa2(A: list[list[F]]) -> float:
    lam = np.linalg.eigvalsh(np.array(A, dtype=float))
    return float(lam[-1] / lam[0])


def _close(actual: object, exact: object, tol: float) -> bool:
    return relative_error(np.asarray(actual, dtype=float), np.asarray(exact, dtype=float)) <= tol


# ---------------------------------------------------------------- regression (l2.ridge, l2.pinv)


@pytest.mark.parametrize(("convention", "m"), [("mean", F(3)), ("half_sse", F(1)), ("sse", F(1, 2))])
def test_ridge_exact_in_each_convention(convention, m):
    """(XᵀX + mαI)w = Xᵀy with m = n, 1, ½ (module table of theory.regression), solved exactly."""
    alpha = F(1, 2)
    XtX, Xty = _gram(X3, Y3)
    A = [[XtX[i][j] + (m * alpha if i == j else 0) for j in range(2)] for i in range(2)]
    exact = _solve2(A, Xty)
    w = regression.ridge(X3, Y3, float(alpha), convention=convention)
    assert _close(w, exact, residual_tolerance(5, _kappa2(A)))


def test_ridge_default_convention_is_the_mean_loss():
    XtX, Xty = _gram(X3, Y3)
    A = [[XtX[i][j] + (F(3) * F(1, 2) if i == j else 0) for j in range(2)] for i in range(2)]
    assert _close(regression.ridge(X3, Y3, 0.5), _solve2(A, Xty), residual_tolerance(5, _kappa2(A)))


@pytest.mark.parametrize(
    ("convention", "exact"),
    # w = [1, −1]: r = Xw − y = [−2, −3, −2], ‖r‖² = 17, (α/2)‖w‖² = ½·½·2 = ½
    [("mean", F(17, 6) + F(1, 2)), ("half_sse", F(17, 2) + F(1, 2)), ("sse", F(17) + F(1, 2))],
)
def test_ridge_objective_exact(convention, exact):
    value = regression.ridge_objective([1, -1], X3, Y3, 0.5, convention=convention)
    assert abs(value - float(exact)) <= 4 * EPS * float(exact)


def test_ridge_objective_default_convention_and_penalty_sign():
    # mean scale by default; the penalty adds (α/2)‖w‖² = 3·4/2 = 6 to the data term 17/6
    value = regression.ridge_objective([1, -1], X3, Y3, 3.0)
    assert abs(value - (17 / 6 + 3.0)) <= 4 * EPS * (17 / 6 + 3.0)
    assert regression.ridge_objective([0, 0], X3, Y3, 3.0) == pytest.approx(14 / 6, rel=4 * EPS)


def test_ridge_at_zero_alpha_is_the_pseudoinverse_solution():
    # X = [[1, 1], [1, 1]] = 2·uuᵀ with u = (1, 1)/√2, so X⁺ = X/4 and X⁺y = [1, 1] for y = [1, 3]
    for convention in ("mean", "half_sse", "sse"):
        w = regression.ridge([[1, 1], [1, 1]], [1, 3], 0.0, convention=convention)
        assert _close(w, [1, 1], residual_tolerance(4, 1.0))


def test_min_norm_solution_uses_numpys_rank_rule():
    """Singular values below max(n, d)·eps·s_max count as zero, as in ``np.linalg.pinv``.

    A 4×3 design with singular values 1, 1, 3.5·eps lies between min(n, d)·eps = 3 eps and
    max(n, d)·eps = 4 eps: the rule drops it; a smaller cutoff would divide by 3.5 eps.
    """
    for t, kept in ((3.5 * EPS, False), (6.0 * EPS, True)):
        X = np.zeros((4, 3))
        X[0, 0], X[1, 1], X[2, 2] = 1.0, 1.0, t
        y = np.ones(4)
        w = regression.min_norm_solution(X, y)
        assert _close(w, np.linalg.pinv(X) @ y, residual_tolerance(7, 1.0))
        assert _close(w, [1.0, 1.0, 1.0 / t if kept else 0.0], residual_tolerance(7, 1.0))


def test_rank_cutoff_boundary_and_dtype():
    """A singular value equal to the cutoff max(n, d)·eps·s_max counts as zero (as in ``np.linalg.pinv``),
    and the cutoff uses the input's eps: float32 drops 1e-9 (as ``np.linalg.matrix_rank`` does), float64
    keeps it."""
    X = np.zeros((4, 3))
    X[0, 0], X[1, 1], X[2, 2] = 1.0, 1.0, 4 * EPS  # the cutoff, exactly: 4·eps·1
    y = np.ones(4)
    assert np.array_equal(regression.min_norm_solution(X, y), np.linalg.pinv(X) @ y)
    np.testing.assert_array_equal(regression.min_norm_solution(X, y), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(regression.gd_least_squares_limit(X, y, [0.0, 0.0, 5.0]), [1.0, 1.0, 5.0])
    for dtype, rank, w in ((np.float32, 1, [1.0, 0.0]), (np.float64, 2, [1.0, 1e9])):
        X2 = np.diag([1.0, 1e-9]).astype(dtype)
        y2 = np.ones(2, dtype=dtype)
        assert np.linalg.matrix_rank(X2) == rank
        got = regression.min_norm_solution(X2, y2)
        assert got.dtype == dtype
        assert _close(got, w, residual_tolerance(2, 1.0, dtype))
        limit = regression.gd_least_squares_limit(X2, y2, [3.0, 4.0])  # w0 given in float64
        assert limit.dtype == dtype
        assert _close(limit, [1.0, 4.0] if rank == 1 else w, residual_tolerance(2, 1.0, dtype))


def test_gd_least_squares_limit_exact():
    """X⁺y + (I − X⁺X)w⁽⁰⁾: the null-space part of w⁽⁰⁾ survives (gd.min_norm)."""
    tol = residual_tolerance(3, 1.0)
    assert _close(regression.gd_least_squares_limit([[1, 0]], [2], [5, 7]), [2, 7], tol)
    assert _close(regression.gd_least_squares_limit([[1, 0]], [2]), [2, 0], tol)
    # X = [1, 1]: X⁺y = [1, 1]; the null direction (1, −1)/√2 carries (1, −1) of w⁽⁰⁾ = [3, 1]
    assert _close(regression.gd_least_squares_limit([[1, 1]], [2], [3, 1]), [2, 0], tol)
    # a rank-deficient 2×2 X: only the row space direction is fitted
    assert _close(regression.gd_least_squares_limit([[1, 1], [1, 1]], [1, 3], [3, 1]), [2, 0], tol)


def test_validate_regression_keeps_one_dtype():
    X32 = np.asarray(X3, dtype=np.float32)
    Xm, yv = regression.validate_regression(X32, np.asarray(Y3, dtype=np.float64))
    assert Xm.dtype == np.float32 and yv.dtype == np.float32
    Xm, yv = regression.validate_regression(X3, Y3, dtype=np.float32)
    assert Xm.dtype == np.float32 and yv.dtype == np.float32
    Xm, yv = regression.validate_regression(X3, Y3)
    assert Xm.dtype == np.float64 and yv.dtype == np.float64
    assert Xm.shape == (3, 2) and yv.shape == (3,)


# ---------------------------------------------------------------- Bayes


def test_gaussian_prior_conversions_exact():
    """α = σ²/s² on the ½-SSE scale, σ²/(n s²) on the mean scale; s² = σ²/α (or σ²/(nα))."""
    assert bayes.alpha_from_gaussian_prior(2.0, 0.5) == 4.0
    assert bayes.alpha_from_gaussian_prior(2.0, 0.5, n=8) == 0.5
    assert bayes.prior_variance_from_alpha(4.0, 2.0) == 0.5
    assert bayes.prior_variance_from_alpha(0.5, 2.0, n=8) == 0.5
    assert bayes.prior_variance_from_alpha(0.5, 2.0, n=2) == 2.0


def test_laplace_prior_conversion_exact():
    """α = σ²/b (½-SSE scale), σ²/(nb) per mean; σ² = 1 by default (G 7.24's α = 1/b)."""
    assert bayes.alpha_from_laplace_prior(0.5) == 2.0
    assert bayes.alpha_from_laplace_prior(0.5, noise_var=3.0) == 6.0
    assert bayes.alpha_from_laplace_prior(0.5, noise_var=3.0, n=4) == 1.5
    assert bayes.alpha_from_laplace_prior(0.25, n=2) == 2.0


def test_log_densities_match_scipy_in_several_dimensions():
    """The densities with every constant, against SciPy's multivariate normal and Laplace."""
    w = np.array([0.5, -1.5, 2.0])
    X = np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 1.0]])
    y = np.array([1.0, -2.0])
    s2, a = 0.7, 1.3
    ref_prior = scipy.stats.multivariate_normal(np.zeros(3), s2 * np.eye(3)).logpdf(w)
    ref_lik = scipy.stats.multivariate_normal(X @ w, s2 * np.eye(2)).logpdf(y)
    ref_lap = scipy.stats.laplace(scale=1 / a).logpdf(w).sum()
    for got, ref in (
        (bayes.gaussian_log_prior(w, s2), ref_prior),
        (bayes.gaussian_log_likelihood(w, X, y, s2), ref_lik),
        (bayes.laplace_log_prior(w, a), ref_lap),
        (bayes.gaussian_log_posterior(w, X, y, s2, 2.5), ref_lik + bayes.gaussian_log_prior(w, 2.5)),
    ):
        assert abs(got - ref) <= 100 * EPS * (1 + abs(ref))


def test_gaussian_posterior_exact():
    """Σ = (XᵀX/σ² + I/s²)⁻¹, μ = ΣXᵀy/σ² (ESL 3.4.1) with σ² = 2, s² = ½, in exact arithmetic."""
    XtX, Xty = _gram(X3, Y3)
    s2n, s2p = F(2), F(1, 2)
    P = [[XtX[i][j] / s2n + (1 / s2p if i == j else 0) for j in range(2)] for i in range(2)]
    cov = _inv2(P)
    mean = _solve2(P, [v / s2n for v in Xty])
    got_mean, got_cov = bayes.gaussian_posterior(X3, Y3, 2.0, 0.5)
    tol = residual_tolerance(5, _kappa2(P))
    assert _close(got_mean, mean, tol)
    assert _close(got_cov, cov, tol)


# ---------------------------------------------------------------- noise as regularisation


def test_input_noise_loss_exact():
    """(1/n)‖y − Xw‖² + s²‖w‖²: w = [1, −1] gives ‖y − Xw‖² = 17 over n = 3, plus 0.25·2."""
    value = noise.expected_input_noise_loss(X3, Y3, [1, -1], 0.25)
    assert abs(value - (17 / 3 + 0.5)) <= 4 * EPS * (17 / 3 + 0.5)


@pytest.mark.parametrize("p", [F(1, 4), F(1, 2), F(1)])
def test_dropout_loss_exact(p):
    """‖y − pXw‖² + p(1 − p)‖Γw‖², and ‖y − Xw‖² + ((1 − p)/p)‖Γw‖² rescaled; Γ² = diag(XᵀX)."""
    w = [F(2), F(-1)]  # |w_i| ≠ 1, so Γ²w² differs from Γ²
    XtX, _ = _gram(X3, Y3)
    penalty = XtX[0][0] * w[0] ** 2 + XtX[1][1] * w[1] ** 2
    Xw = [sum(F(a) * b for a, b in zip(row, w, strict=True)) for row in X3]
    plain = sum((F(yi) - p * v) ** 2 for yi, v in zip(Y3, Xw, strict=True)) + p * (1 - p) * penalty
    full = sum((F(yi) - v) ** 2 for yi, v in zip(Y3, Xw, strict=True)) + (1 - p) / p * penalty
    got_plain = noise.expected_dropout_loss(X3, Y3, [2, -1], float(p))
    got_full = noise.expected_dropout_loss(X3, Y3, [2, -1], float(p), rescale=True)
    assert abs(got_plain - float(plain)) <= 8 * EPS * float(plain)
    assert abs(got_full - float(full)) <= 8 * EPS * float(full)


# ---------------------------------------------------------------- gradient flow vs ridge (risk)

mpmath.mp.dps = 30


def _variance_ratio_mp(x: mpmath.mpf) -> mpmath.mpf:
    return ((1 - mpmath.exp(-x)) * (1 + x) / x) ** 2


def _tuned_ratio_mp(u: mpmath.mpf) -> mpmath.mpf:
    return (1 + u) * (mpmath.exp(-2 * u) + (1 - mpmath.exp(-u)) ** 2 / u)


def _argmax_mp(f, x0: float) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """(x*, f(x*), f''(x*)) at the stationary point of f near x0, in 30-digit arithmetic."""
    x = mpmath.findroot(lambda v: mpmath.diff(f, v), mpmath.mpf(x0))
    return x, f(x), mpmath.diff(f, x, 2)


@pytest.mark.parametrize("x", [1e-3, 0.5, 1.79, 7.0, 40.0])
def test_variance_and_tuned_ratios_match_high_precision(x):
    # each is a few elementary operations on expm1/exp: a relative error of a few eps
    assert float(risk.variance_ratio(x)) == pytest.approx(
        float(_variance_ratio_mp(mpmath.mpf(x))), rel=16 * EPS
    )
    assert float(risk.tuned_bayes_ratio(x)) == pytest.approx(
        float(_tuned_ratio_mp(mpmath.mpf(x))), rel=16 * EPS
    )
    both = risk.variance_ratio(np.array([x, 2 * x]))
    assert both.shape == (2,) and float(both[1]) == pytest.approx(
        float(_variance_ratio_mp(mpmath.mpf(2 * x))), rel=16 * EPS
    )


@pytest.mark.parametrize(
    ("search", "f", "x0", "printed"),
    [
        (risk.worst_variance_ratio, _variance_ratio_mp, 1.8, risk.GF_RIDGE_RISK_BOUND),
        (risk.worst_tuned_ratio, _tuned_ratio_mp, 3.2, risk.GF_RIDGE_TUNED_BOUND),
    ],
)
def test_suprema_and_printed_constants_against_mpmath(search, f, x0, printed):
    """The suprema of Ali, Kolter & Tibshirani (2019, Theorems 1 and 2), found independently.

    At a maximum the value is flat, so Brent's search gets the value to rounding but the argmax only
    to the width over which f changes by its rounding error: f is evaluated to ``δf ≤ 8·eps·f`` (an
    expm1 within an ulp and about six roundings), so ``|δx| ≤ √(2δf/|f''|)``. The paper's printed
    constants (1.6862, 1.2147) are upper bounds within 3·10⁻⁴ of the suprema.
    """
    x_star, f_star, f2 = _argmax_mp(f, x0)
    sup, arg = search()
    assert abs(sup - float(f_star)) <= 16 * EPS * float(f_star)
    assert abs(arg - float(x_star)) <= math.sqrt(2 * 8 * EPS * float(f_star) / abs(float(f2)))
    assert float(f_star) <= printed <= float(f_star) + 3e-4


def _risks_dense(X: np.ndarray, beta0: np.ndarray, s2: float, t: float) -> tuple[float, float]:
    """E‖β̂ − β₀‖² by dense matrices: β̂ = M Xᵀy/n with M = (I − e^{−tH})H⁺ or (H + I/t)⁻¹, H = XᵀX/n.

    With y = Xβ₀ + noise of variance σ²: bias ‖(M XᵀX/n − I)β₀‖², variance (σ²/n²) tr(M XᵀX Mᵀ).
    """
    n, d = X.shape
    H = X.T @ X / n
    flow = (np.eye(d) - scipy.linalg.expm(-t * H)) @ np.linalg.pinv(H, hermitian=True)
    ridge = np.linalg.inv(H + np.eye(d) / t)
    out = []
    for M in (flow, ridge):
        bias = (M @ H - np.eye(d)) @ beta0
        out.append(float(bias @ bias + s2 / n**2 * np.trace(M @ (X.T @ X) @ M.T)))
    return out[0], out[1]


@pytest.mark.parametrize(("n", "d", "t"), [(6, 3, 0.7), (3, 5, 2.5), (8, 4, 30.0)])
def test_estimation_risks_against_dense_matrices(n, d, t):
    rng = np.random.default_rng(n * 100 + d)
    cond = 4.0
    X = 2.0 * design_with_condition(rng, n, d, cond)
    beta0 = rng.standard_normal(d)
    s2 = 0.3
    gf, ridge = risk.estimation_risks(X, beta0, s2, t)
    ref_gf, ref_ridge = _risks_dense(X, beta0, s2, t)
    # both routes pass an eigendecomposition of H (κ(H) = cond² on its range) and products with it
    tol = product_tolerance(n + d, cond**2)
    assert abs(gf - ref_gf) <= tol * ref_gf
    assert abs(ridge - ref_ridge) <= tol * ref_ridge


# ---------------------------------------------------------------- tolerances (theory.numerics)


def test_tolerance_formulas():
    """c·d·κ·eps, 3× that for an eigenbasis route, c·d·κ²·eps for products; d ≥ 1 and κ ≥ 1."""
    e32 = float(np.finfo(np.float32).eps)
    assert residual_tolerance(3, 4.0) == 10 * 3 * 4.0 * EPS
    assert residual_tolerance(3, 4.0, np.float32) == 10 * 3 * 4.0 * e32
    assert residual_tolerance(3, 4.0, c=2.0) == 2 * 3 * 4.0 * EPS
    assert residual_tolerance(0, 0.5) == 10 * EPS
    assert eigenbasis_tolerance(3, 4.0) == 3 * 10 * 3 * 4.0 * EPS
    assert eigenbasis_tolerance(5) == 3 * 10 * 5 * EPS
    assert eigenbasis_tolerance(3, 4.0, np.float32) == 3 * 10 * 3 * 4.0 * e32
    assert product_tolerance(3, 4.0) == 10 * 3 * 16.0 * EPS
    assert product_tolerance(3, 4.0, np.float32, c=2.0) == 2 * 3 * 16.0 * e32
    assert product_tolerance(0, 0.5) == 10 * EPS


def test_relative_error_exact():
    assert relative_error([3.0, 4.0], [0.0, 0.0]) == 5.0  # absolute when the reference is 0
    assert relative_error([1.0, 0.5], [0.5, 0.0]) == math.sqrt(2.0)  # ‖[0.5, 0.5]‖/0.5
    assert relative_error([0.25], [0.5]) == 0.5
    assert relative_error([6.0, 8.0], [3.0, 4.0]) == 1.0
    assert relative_error(np.float32(1.5), 1.0) == 0.5
    # computed in float64: float32 inputs near 1e30 would overflow in ‖·‖ (squares beyond 3.4e38)
    big = np.array([1e30, 0.0], dtype=np.float32)
    assert relative_error(big, 2 * big) == 0.5
