"""Regression (l2.ridge, l2.pinv, gd.min_norm) and the Bayesian reading (bayes.gaussian, bayes.laplace)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.stats
from hypothesis import given, target
from hypothesis import strategies as st

from theory import Quadratic, bayes, regression
from theory.numerics import relative_error, residual_tolerance
from theory.testing.strategies import design_with_condition

EPS = np.finfo(np.float64).eps


@st.composite
def designs(draw, max_cond: float = 1e4):
    """(X, y, cond): X = U diag(s) Vᵀ with singular values from 1 to 1/cond; n < d allowed."""
    n = draw(st.integers(1, 25))
    d = draw(st.integers(1, 25))
    cond = 10 ** draw(st.floats(0, math.log10(max_cond)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return design_with_condition(rng, n, d, cond), rng.standard_normal(n), cond


@given(designs(), st.floats(-3, 2), st.sampled_from(["mean", "half_sse", "sse"]))
def test_ridge_solves_its_normal_equations(design, log_alpha, convention):
    """Each convention's objective, differentiated by hand, gives (XᵀX + mα)w = Xᵀy."""
    X, y, cond = design
    n, d = X.shape
    alpha = 10**log_alpha
    m = {"mean": n, "half_sse": 1.0, "sse": 0.5}[convention]
    dense = scipy.linalg.solve(X.T @ X + m * alpha * np.eye(d), X.T @ y, assume_a="pos")
    smallest = (cond**-2 if d <= n else 0) + m * alpha  # λ_min(XᵀX + mαI); s_max(X) = 1
    kappa = (1 + m * alpha) / smallest
    w = regression.ridge(X, y, alpha, convention=convention)
    # forward error of the normal equations, ‖A⁻¹‖(‖δA‖‖w‖ + ‖δ(Xᵀy)‖), with ‖δ(Xᵀy)‖ ≈ eps‖X‖‖y‖:
    # relative to the terms, since Xᵀy itself may cancel
    scale = kappa * np.linalg.norm(w) + np.linalg.norm(y) / smallest
    err = np.linalg.norm(w - dense)
    tol = residual_tolerance(n + d, 1.0) * max(scale, np.finfo(float).tiny)
    target(err / tol)
    assert err <= tol


@given(designs(), st.floats(-2, 1))
def test_goodfellow_7_15_factor_of_two(design, log_alpha):
    """G 7.15 (‖r‖² + (α/2)‖w‖²) is minimised by G 7.17's formula at α/2, not at α."""
    X, y, _ = design
    alpha = 10**log_alpha
    sse = regression.ridge(X, y, alpha, convention="sse")
    assert relative_error(sse, regression.ridge(X, y, alpha / 2, convention="half_sse")) <= 1e-14

    def objective(w):
        return regression.ridge_objective(w, X, y, alpha, convention="sse")

    # the G 7.17 formula applied to G 7.15 as printed is not its minimiser (unless Xᵀy = 0)
    wrong = regression.ridge(X, y, alpha, convention="half_sse")
    if np.linalg.norm(X.T @ y) > 1e-6:
        assert objective(wrong) > objective(sse)


@given(designs(max_cond=1e3))
def test_ridge_tends_to_pseudoinverse(design):
    X, y, cond = design
    pinv = np.linalg.pinv(X) @ y
    s = np.linalg.svd(X, compute_uv=False)
    smin = s[s > 1e-12].min()
    for frac in (1e-3, 1e-6):
        alpha = frac * smin**2
        w = regression.ridge(X, y, alpha, convention="half_sse")
        # |s/(s² + α) − 1/s| ≤ α/s³ per direction
        assert np.linalg.norm(w - pinv) <= alpha / smin**3 * np.linalg.norm(y) + 1e-12 * cond
    assert relative_error(regression.ridge(X, y, 0.0), pinv) <= residual_tolerance(sum(X.shape), cond)


@given(designs())
def test_min_norm_solution_matches_lstsq_and_is_orthogonal_to_null_space(design):
    X, y, cond = design
    w = regression.min_norm_solution(X, y)
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    assert relative_error(w, ref) <= residual_tolerance(sum(X.shape), cond)
    _, s, Vt = np.linalg.svd(X)
    null = Vt[int(np.sum(s > max(X.shape) * EPS * s[0])) :]
    assert np.linalg.norm(null @ w) <= residual_tolerance(sum(X.shape), cond) * (1 + np.linalg.norm(w))


@given(designs(max_cond=30), st.integers(0, 2**32 - 1))
def test_gd_on_least_squares_converges_to_min_norm_plus_null_part(design, seed):
    """gd.min_norm: the plain loop from w⁽⁰⁾ ends at X⁺y + (I − X⁺X)w⁽⁰⁾."""
    X, y, _ = design
    w0 = np.random.default_rng(seed).standard_normal(X.shape[1])
    q = Quadratic.from_regression(X, y)
    nz = q.eigenvalues[q.eigenvalues > 0]
    eps = 1 / nz[-1]
    steps = math.ceil(math.log(1e-14) / math.log1p(-eps * nz[0])) if nz[0] < nz[-1] else 1
    loop = q.simulate_gd(eps, [steps], w0=w0)[0]
    limit = regression.gd_least_squares_limit(X, y, w0)
    assert relative_error(loop, limit) <= 1e-12
    assert relative_error(regression.gd_least_squares_limit(X, y), regression.min_norm_solution(X, y)) == 0


@given(designs(), st.integers(0, 2**32 - 1))
def test_from_regression_is_the_least_squares_quadratic(design, seed):
    """(1/2n)‖Xw − y‖² = (1/2n)‖Xw* − y‖² + ½(w − w*)ᵀH(w − w*) for every w."""
    X, y, cond = design
    n = X.shape[0]
    q = Quadratic.from_regression(X, y)
    w = np.random.default_rng(seed).standard_normal(X.shape[1])

    def loss(v):
        r = X @ v - y
        return r @ r / (2 * n)

    lhs = loss(w)
    rhs = loss(q.w_star) + q.value(w)
    # rounding of the three sums, plus w*'s least-squares forward error (Wedin: κ‖w*‖ + κ²‖r*‖/‖X‖,
    # with ‖X‖ = 1 here) carried into ½(w − w*)ᵀH(w − w*) through its gradient H(w − w*)
    r_star = np.linalg.norm(X @ q.w_star - y)
    dw = residual_tolerance(sum(X.shape), 1.0) * (cond * np.linalg.norm(q.w_star) + cond**2 * r_star)
    grad = np.linalg.norm(q.H @ (w - q.w_star))
    assert (
        abs(lhs - rhs)
        <= residual_tolerance(sum(X.shape), 1.0) * (1 + lhs + np.linalg.norm(w) ** 2) + grad * dw
    )


# ---------------------------------------------------------------- Bayes


@given(designs(), st.floats(-2, 1), st.floats(-2, 1))
def test_gaussian_map_equals_posterior_mean_equals_ridge(design, log_noise, log_prior):
    X, y, _ = design
    n, d = X.shape
    noise, prior = 10**log_noise, 10**log_prior
    mean, cov = bayes.gaussian_posterior(X, y, noise, prior)
    alpha = bayes.alpha_from_gaussian_prior(noise, prior)
    tol = residual_tolerance(n + d, (1 + alpha) / alpha)
    assert relative_error(regression.ridge(X, y, alpha, convention="half_sse"), mean) <= tol
    alpha_mean = bayes.alpha_from_gaussian_prior(noise, prior, n=n)
    assert relative_error(regression.ridge(X, y, alpha_mean, convention="mean"), mean) <= tol
    # MAP by a generic optimiser on the negative log posterior
    res = scipy.optimize.minimize(
        lambda w: -bayes.gaussian_log_posterior(w, X, y, noise, prior),
        np.zeros(d),
        jac=lambda w: -(X.T @ (y - X @ w)) / noise + w / prior,
        method="BFGS",
        options={"gtol": 1e-10},
    )
    assert relative_error(res.x, mean) <= 1e-5
    # posterior covariance is σ²(XᵀX + αI)⁻¹
    ref_cov = noise * np.linalg.inv(X.T @ X + alpha * np.eye(d))
    assert relative_error(cov, ref_cov) <= tol * 10
    assert math.isclose(bayes.prior_variance_from_alpha(alpha, noise), prior, rel_tol=4 * EPS)


@given(st.lists(st.floats(-20, 20), min_size=1, max_size=10), st.floats(-2, 2))
def test_log_priors_match_high_precision_and_scipy(w, log_scale):
    w = np.asarray(w)
    alpha = 10**log_scale
    # reference in 40-digit arithmetic: SciPy 1.17's laplace.logpdf loses up to 9 digits once the
    # density is subnormal (|x|/b > 708), e.g. logpdf(732) = −732.693150011 instead of −732.693147181
    mpmath.mp.dps = 40
    b = 1 / mpmath.mpf(alpha)
    lap = float(sum(mpmath.log(mpmath.exp(-abs(mpmath.mpf(v)) / b) / (2 * b)) for v in w))
    assert abs(bayes.laplace_log_prior(w, alpha) - lap) <= 100 * EPS * (1 + abs(lap))
    s2 = 10**log_scale
    gau = scipy.stats.norm.logpdf(w, scale=math.sqrt(s2)).sum()
    lik = scipy.stats.norm.logpdf(w, loc=0.5, scale=math.sqrt(s2)).sum()
    ones = np.ones((len(w), 1))
    assert abs(bayes.gaussian_log_likelihood([0.5], ones, w, s2) - lik) <= 100 * EPS * (1 + abs(lik))
    assert abs(bayes.gaussian_log_prior(w, s2) - gau) <= 100 * EPS * (1 + abs(gau))
    assert math.isclose(bayes.alpha_from_laplace_prior(1 / alpha), alpha, rel_tol=2 * EPS)


@given(st.floats(0.05, 20), st.floats(-10, 10), st.floats(0, 5))
def test_laplace_map_is_soft_threshold(h, w_star, alpha):
    """bayes.laplace: argmax of −J(w) + log Laplace(w; 0, 1/α) is the L1 optimum (1-D, bounded search)."""
    q = Quadratic([[h]], [w_star])

    def neg_log_post(v):
        return 0.5 * h * (v - w_star) ** 2 + alpha * abs(v)

    res = scipy.optimize.minimize_scalar(
        neg_log_post, bounds=(-12, 12), method="bounded", options={"xatol": 1e-12}
    )
    closed = q.l1_optimum(alpha)[0]
    gap = neg_log_post(res.x) - neg_log_post(closed)
    assert gap >= -1e-12  # no point Brent found beats the soft threshold
    # the objective is h-strongly convex, so f(x) − f(x̂) ≥ (h/2)(x − x̂)², with the gap known only to
    # the rounding of the two f values
    f_round = 4 * EPS * abs(neg_log_post(closed))
    assert abs(res.x - closed) <= math.sqrt(2 * (max(gap, 0.0) + f_round) / h) + 1e-12
