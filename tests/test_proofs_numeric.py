"""Two routes meet: each derivation's final expression, lambdified, equals theory/'s numeric function.

Inputs are drawn by Hypothesis (matrices from ``theory.testing.strategies``); tolerances scale with
dimension, conditioning and dtype (``theory.numerics``), and each test reports its error/tolerance
ratio to ``hypothesis.target`` so the thorough profile climbs towards the worst case.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, target
from hypothesis import strategies as st

from proofs import registry
from theory import Quadratic, bayes, noise, regression, risk
from theory.numerics import product_tolerance, relative_error, residual_tolerance
from theory.testing import strategies as wst

EPS = float(np.finfo(np.float64).eps)


@functools.cache
def _fn(theorem_id: str, name: str) -> Callable[..., Any]:
    """The derivation's named result as a NumPy function (lambdified once per session)."""
    return registry.derivation(theorem_id).function(name)


def _assert_close(
    actual: np.ndarray,
    expected: np.ndarray,
    tolerance: float,
    scale: float = 0.0,
    label: str = "error/tolerance",
) -> None:
    """``‖actual − expected‖ ≤ tolerance · max(‖expected‖, scale)``, with the ratio targeted."""
    actual = np.asarray(actual, dtype=float).reshape(np.shape(expected))
    denominator = max(float(np.linalg.norm(expected)), scale, np.finfo(float).tiny)
    error = float(np.linalg.norm(actual - expected)) / denominator
    target(error / tolerance, label=label)
    assert error <= tolerance, f"relative error {error:.3g} > tolerance {tolerance:.3g}"


def _regression(seed: int, n: int, d: int, rank: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, d))
    return X, rng.standard_normal(n)


regressions = st.builds(
    lambda seed, n, d, r: _regression(seed, n, d, min(r, n, d)),
    st.integers(0, 2**32 - 1),
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 7),
)


def _svd_coords(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``s``, ``b = Uᵀy``, ``V`` of X's thin SVD, and the rank cut-off NumPy's pinv uses."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    cutoff = max(X.shape) * EPS * (s[0] if s.size else 0.0)
    return s, U.T @ y, Vt.T, cutoff


# ---------------------------------------------------------------------------- L2


@given(wst.quadratics(dims=(1, 6)), wst.alphas(), st.floats(0.01, 0.99))
def test_l2_update_is_one_simulated_step(qm: tuple[Quadratic, wst.Matrix], alpha: float, f: float) -> None:
    q, _ = qm
    eps = f * q.max_stable_step(alpha)
    w0 = np.linspace(-1.0, 1.0, q.d)
    got = _fn("l2.update", "update")(w0, q.gradient(w0), eps, alpha)
    scale = float(np.linalg.norm(w0) + eps * np.linalg.norm(q.gradient(w0)))
    _assert_close(got, q.simulate_gd(eps, [1], w0, alpha)[0], residual_tolerance(q.d, 1.0), scale)


@pytest.mark.parametrize("size", [2, 3])
@given(data=st.data())
def test_l2_optimum_adjugate_form(size: int, data: st.DataObject) -> None:
    m = data.draw(wst.spd_matrices(dims=(size, size), max_condition=1e6))
    alpha = data.draw(wst.alphas())
    w_star = np.array(data.draw(st.lists(st.floats(-10, 10), min_size=size, max_size=size)))
    upper = [m.H[i, j] for i in range(size) for j in range(i, size)]
    got = _fn("l2.optimum", f"n{size}")(*upper, alpha, *w_star)
    expected = Quadratic(m.H, w_star).l2_optimum(alpha)
    kappa = (m.eigenvalues[-1] + alpha) / (m.eigenvalues[0] + alpha)
    # adj(A) and det(A) evaluated in floats cancel like a product of ill-conditioned factors: κ²
    _assert_close(got, expected, product_tolerance(size, kappa), float(np.linalg.norm(w_star)))


@given(wst.quadratics(dims=(1, 8), max_condition=1e10, singular=False), wst.alphas())
def test_l2_eigen_factor_and_coordinates(qm: tuple[Quadratic, wst.Matrix], alpha: float) -> None:
    q, _ = qm
    lam, c = q.eigenvalues, q.coordinates
    _assert_close(_fn("l2.eigen", "shrinkage")(lam, alpha), q.shrinkage(alpha), 10 * EPS, label="factor")
    got = q.eigenvectors @ _fn("l2.eigen", "coordinate")(lam, c, alpha)
    kappa = (lam[-1] + alpha) / (lam[0] + alpha)
    _assert_close(got, q.l2_optimum(alpha), residual_tolerance(q.d, kappa), float(np.linalg.norm(q.w_star)))


@pytest.mark.parametrize("convention", ["half_sse", "sse"])
@given(regressions, wst.alphas())
def test_l2_ridge_both_conventions(
    convention: str, data: tuple[np.ndarray, np.ndarray], alpha: float
) -> None:
    X, y = data
    s, b, V, _ = _svd_coords(X, y)
    got = V @ _fn("l2.ridge", convention)(s, b, alpha)
    expected = regression.ridge(X, y, alpha, convention=convention)  # type: ignore[arg-type]
    scale = float(np.linalg.norm(y)) / math.sqrt(alpha)
    _assert_close(got, expected, residual_tolerance(max(X.shape), 1.0, c=100.0), scale)


def test_l2_ridge_conventions_differ_by_a_factor_two_in_alpha() -> None:
    X, y = _regression(0, 6, 3, 3)
    s, b, V, _ = _svd_coords(X, y)
    half, sse = _fn("l2.ridge", "half_sse"), _fn("l2.ridge", "sse")
    np.testing.assert_allclose(V @ sse(s, b, 2.0), V @ half(s, b, 1.0), rtol=1e-13)
    assert relative_error(V @ sse(s, b, 1.0), V @ half(s, b, 1.0)) > 1e-3


@given(regressions)
def test_l2_pinv_coefficients_with_zero_singular_values(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    s, b, V, cutoff = _svd_coords(X, y)
    s_cut = np.where(s > cutoff, s, 0.0)  # the case s_i = 0 of the derivation
    with np.errstate(divide="ignore"):
        coefficient = _fn("l2.pinv", "coefficient")(s_cut)
    got = V @ (coefficient * b)
    kept = s[s > cutoff]
    kappa = s[0] / kept[-1] if kept.size else 1.0
    scale = float(np.linalg.norm(y)) / (float(kept[-1]) if kept.size else 1.0)
    expected = regression.min_norm_solution(X, y)
    _assert_close(got, expected, residual_tolerance(max(X.shape), kappa, c=100.0), scale)


@given(regressions, wst.alphas())
def test_l2_kernel_coefficient_is_the_gram_route(data: tuple[np.ndarray, np.ndarray], alpha: float) -> None:
    """l2.kernel's common coordinate ``s_i b_i/(s_i² + nα)`` along X's singular pairs (numpy's SVD) is the
    ridge path of the Gram route (``regression_spectrum(route="gram")``: one eigh of XXᵀ/n).

    The Gram route works with ``μ = s²/n`` and counts ``μ ≤ zero_tol`` as 0, so the SVD side cuts at the
    same place. Bound as in l2.kernel's numeric check: ``c·N·(κ_α + κ(X))·eps`` (N = max(n, d)) for the
    Gram route, ``c·N·κ_α·eps`` for the SVD one, on the scale ``‖y‖s_max/(n(λ_min + α))``.
    """
    X, y = data
    n, d = X.shape
    gram = regression.regression_spectrum(X, y, route="gram")
    s, b, V, _ = _svd_coords(X, y)
    s_cut = np.where(s * s / n > gram.zero_tol, s, 0.0)  # the case s_i = 0 of the derivation
    got = V @ _fn("l2.kernel", "coefficient")(s_cut, b, n, alpha)
    expected = gram.Q @ (gram.b / (gram.lam + alpha))
    kept = s_cut[s_cut > 0]
    assume(kept.size > 0)
    lam_max = float(kept[0]) ** 2 / n
    lam_min = float(kept[-1]) ** 2 / n if kept.size == d else 0.0  # over all d eigenvalues of XᵀX/n
    k_alpha = (lam_max + alpha) / (lam_min + alpha)
    tol = residual_tolerance(max(n, d), k_alpha + float(kept[0] / kept[-1])) + residual_tolerance(
        max(n, d), k_alpha
    )
    scale = float(np.linalg.norm(y)) * float(kept[0]) / (n * (lam_min + alpha))
    _assert_close(got, expected, tol, scale)


@given(wst.quadratics(dims=(1, 8), singular=True), st.one_of(st.just(0.0), wst.alphas()))
def test_l2_dof(qm: tuple[Quadratic, wst.Matrix], alpha: float) -> None:
    q, _ = qm
    with np.errstate(invalid="ignore", divide="ignore"):  # the λ_i = 0 branch at α = 0 is 0/0, unused
        terms = _fn("l2.dof", "term")(q.eigenvalues, alpha)
    assert float(np.sum(terms)) == pytest.approx(q.effective_dof(alpha), rel=10 * q.d * EPS)
    if alpha == 0.0:
        assert float(np.sum(terms)) == q.rank


@given(regressions, st.floats(0.01, 0.99), st.integers(1, 300))
def test_es_gd_generalized_ridge_penalty(data: tuple[np.ndarray, np.ndarray], f: float, k: int) -> None:
    X, y = data
    assume(-k * math.log1p(-f) < 600)  # the paper's (1 − εs)^{−k} is finite in float64
    q = Quadratic.from_regression(X, y)
    lam = q.eigenvalues
    positive = lam > 0
    eps = f / lam[-1]
    got = _fn("es.gd_generalized_ridge", "q")(lam[positive], eps, k)
    r = (1 - eps * lam[positive]) ** k
    tolerance = 10 * (k + 1) * EPS * float(np.max(1 + r / (1 - r)))
    _assert_close(got, q.early_stopping_alpha(eps, k)[positive], tolerance)


@given(wst.quadratics(dims=(1, 8)), wst.alphas())
def test_l2_constraint_radius(qm: tuple[Quadratic, wst.Matrix], alpha: float) -> None:
    q, _ = qm
    terms = _fn("l2.constraint", "radius_terms")(q.eigenvalues, q.coordinates, alpha)
    tolerance = 10 * q.d * EPS
    assert math.sqrt(float(np.sum(terms))) == pytest.approx(
        q.constraint_radius(alpha), rel=tolerance, abs=tolerance * float(np.abs(q.coordinates).max())
    )


# ---------------------------------------------------------------------------- L1, elastic net


diagonal_problems = st.tuples(
    st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=6),
    st.lists(st.floats(-10, 10), min_size=6, max_size=6),
)


@given(diagonal_problems, st.floats(0.0, 50.0))
def test_l1_soft_threshold(problem: tuple[list[float], list[float]], alpha: float) -> None:
    h = np.array(problem[0])
    w_star = np.array(problem[1][: h.size])
    got = _fn("l1.soft_threshold", "w")(w_star, h, alpha)
    expected = Quadratic(np.diag(h), w_star).l1_optimum(alpha)
    _assert_close(got, expected, 10 * EPS, float(np.linalg.norm(w_star)))


@given(diagonal_problems, st.floats(0.0, 50.0), st.floats(0.0, 50.0))
def test_elastic_net_diagonal(problem: tuple[list[float], list[float]], l1: float, l2: float) -> None:
    h = np.array(problem[0])
    w_star = np.array(problem[1][: h.size])
    got = _fn("enet.diagonal", "w")(w_star, h, l1, l2)
    expected = Quadratic(np.diag(h), w_star).elastic_net_optimum(l1, l2)
    _assert_close(got, expected, 10 * EPS, float(np.linalg.norm(w_star)))


@given(
    st.lists(st.tuples(st.floats(-10, 10), st.floats(1e-3, 20), st.floats(-10, 10)), min_size=1, max_size=6),
    st.floats(0.0, 50.0),
)
def test_elastic_net_diagonal_on_the_whole_domain(rows: list[tuple[float, float, float]], l1: float) -> None:
    """H_ii may be negative (only H_ii + α₂ > 0 is assumed): the derivation's w satisfies the optimality
    condition 0 ∈ a w − b + α₁∂|w| (a = H_ii + α₂, b = H_ii w*), checked directly, not by the formula.

    Tolerance: b = fl(h w*) and w = fl(fl(|b| − α₁)/a) carry at most 3 roundings relative to |b| + α₁,
    and a·w − b + α₁ sign(w) adds 3 more: 8·eps·(|b| + α₁) bounds the residual.
    """
    h = np.array([r[0] for r in rows])
    margin = np.array([r[1] for r in rows])
    w_star = np.array([r[2] for r in rows])
    l2 = float(np.max(np.maximum(-h, 0.0) + margin))  # one α₂ with H_ii + α₂ ≥ margin > 0 for every i
    a, b = h + l2, h * w_star
    assume(bool(np.all(a > 0)))
    w = np.asarray(_fn("enet.diagonal", "w")(w_star, h, l1, l2), dtype=float)
    scale = 8 * EPS * (np.abs(b) + l1)
    moving = w != 0
    residual = np.abs(a * w - b + l1 * np.sign(w))[moving]
    assert np.all(residual <= scale[moving] + np.finfo(float).tiny), (w, residual)
    assert np.all(np.abs(b[~moving]) <= l1 + scale[~moving]), (b, l1)


def test_elastic_net_diagonal_at_the_issue_counterexample() -> None:
    """Quadratic(diag(−1, 2), [1, 1]) with α₁ = 0, α₂ = 2 is ridge: [−1, 0.5] (issue 8); the H_ii ≥ 0
    formula gave [0, 0.5]."""
    q = Quadratic(np.diag([-1.0, 2.0]), np.array([1.0, 1.0]), allow_indefinite=True)
    got = np.asarray(_fn("enet.diagonal", "w")(np.array([1.0, 1.0]), np.array([-1.0, 2.0]), 0.0, 2.0))
    expected = q.l2_optimum(2.0)
    assert np.linalg.norm(got - expected) <= 10 * EPS * np.linalg.norm(expected), (got, expected)


# ---------------------------------------------------------------------------- Bayes


@given(regressions, st.floats(1e-2, 1e2), st.floats(1e-2, 1e2))
def test_bayes_gaussian(data: tuple[np.ndarray, np.ndarray], noise_var: float, prior_var: float) -> None:
    X, y = data
    alpha = _fn("bayes.gaussian", "alpha")(noise_var, prior_var)
    assert alpha == pytest.approx(bayes.alpha_from_gaussian_prior(noise_var, prior_var), rel=4 * EPS)
    w = np.linspace(-2.0, 3.0, X.shape[1])
    log_prior = _fn("bayes.gaussian", "log_prior")(w @ w, w.size, prior_var)
    assert log_prior == pytest.approx(bayes.gaussian_log_prior(w, prior_var), rel=1e3 * EPS, abs=1e3 * EPS)
    lam, Q = np.linalg.eigh(X.T @ X)
    mean = Q @ _fn("bayes.gaussian", "posterior_mean")(
        np.maximum(lam, 0.0), Q.T @ X.T @ y, noise_var, prior_var
    )
    expected, _ = bayes.gaussian_posterior(X, y, noise_var, prior_var)
    kappa = (lam[-1] + alpha) / (max(lam[0], 0.0) + alpha)
    _assert_close(
        mean,
        expected,
        residual_tolerance(max(X.shape), kappa, c=100.0),
        float(np.linalg.norm(X.T @ y)) / alpha,
    )


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=8), st.floats(1e-3, 1e3))
def test_bayes_laplace(w: list[float], alpha: float) -> None:
    wv = np.array(w)
    got = _fn("bayes.laplace", "log_prior")(np.abs(wv).sum(), wv.size, alpha)
    expected = bayes.laplace_log_prior(wv, alpha)
    scale = alpha * np.abs(wv).sum() + wv.size * (abs(math.log(alpha)) + math.log(2))
    assert abs(got - expected) <= 100 * EPS * scale


@given(st.lists(st.floats(-5, 5), min_size=7, max_size=7), st.floats(0.0, 10.0))
def test_noise_tikhonov(values: list[float], noise_var: float) -> None:
    x, y, w = np.array(values[:3]), values[3], np.array(values[4:])
    got = _fn("noise.tikhonov", "expected_loss")(*x, y, *w, math.sqrt(noise_var))
    expected = noise.expected_input_noise_loss(x[None, :], [y], w, noise_var)
    scale = (abs(y) + np.abs(x) @ np.abs(w)) ** 2 + noise_var * (w @ w)
    assert abs(got - expected) <= 100 * EPS * max(scale, 1.0)


@pytest.mark.parametrize("rescale", [False, True])
@given(st.lists(st.floats(-5, 5), min_size=8, max_size=8), st.floats(0.05, 1.0))
def test_dropout_ridge(rescale: bool, values: list[float], keep: float) -> None:
    X, y, w = np.array(values[:4]).reshape(2, 2), np.array(values[4:6]), np.array(values[6:])
    name = "expected_loss_rescaled" if rescale else "expected_loss"
    got = _fn("dropout.ridge", name)(*X.ravel(), *y, *w, keep)
    expected = noise.expected_dropout_loss(X, y, w, keep, rescale=rescale)
    scale = float(np.sum((np.abs(y) + np.abs(X) @ np.abs(w)) ** 2)) / keep
    assert abs(got - expected) <= 100 * EPS * max(scale, 1.0)


# ---------------------------------------------------------------------------- dynamics


@given(wst.quadratics(dims=(1, 6), max_condition=1e6), st.floats(0.01, 0.99), st.integers(0, 200))
def test_es_trajectory_from_a_general_start(qm: tuple[Quadratic, wst.Matrix], f: float, tau: int) -> None:
    q, _ = qm
    eps = f / q.eigenvalues[-1]
    w0 = np.cos(np.arange(q.d))
    z = _fn("es.trajectory", "coordinate")(q.eigenvalues, q.coordinates, q.eigenvectors.T @ w0, eps, tau)
    scale = float(np.linalg.norm(q.w_star) + np.linalg.norm(w0))
    _assert_close(
        q.eigenvectors @ z,
        q.gd_iterates(eps, [tau], w0)[0],
        residual_tolerance(q.d, 1.0, c=10.0 * (tau + 1)),
        scale,
    )


@given(wst.quadratics(dims=(1, 6), max_condition=1e4), st.floats(0.01, 0.99), st.integers(1, 500))
def test_es_equivalence_alpha(qm: tuple[Quadratic, wst.Matrix], f: float, tau: int) -> None:
    q, _ = qm
    lam = q.eigenvalues
    eps = f / lam[-1]
    got = _fn("es.equivalence", "alpha")(lam, eps, tau)
    r = (1 - eps * lam) ** tau
    # (1 − ελ)^τ carries a relative error ≈ τ·eps, and 1 − r amplifies it by r/(1 − r)
    tolerance = 10 * (tau + 1) * EPS * float(np.max(1 + r / (1 - r)))
    _assert_close(got, q.early_stopping_alpha(eps, tau), tolerance)


@given(wst.quadratics(dims=(1, 6)), st.floats(0.01, 0.99), st.integers(1, 10_000))
def test_es_approx_series(qm: tuple[Quadratic, wst.Matrix], f: float, tau: int) -> None:
    q, _ = qm
    eps = f / q.eigenvalues[-1]
    got = _fn("es.approx", "alpha_series")(q.eigenvalues, eps, tau)
    _assert_close(got, q.early_stopping_alpha_series(eps, tau), 10 * EPS, 1 / (eps * tau))


@pytest.mark.parametrize("tau", [2, 10, 1000])
def test_es_approx_remainder_is_second_order(tau: int) -> None:
    """α_i − series = O(λ²): halving λ divides the remainder by 4 (a wrong linear term gives 2).

    (At τ = 1 the series is exact, α = 1/ε − λ, so the remainder is 0.)
    """
    eps = 1e-2
    series = _fn("es.approx", "alpha_series")
    lam = np.array([1e-2, 5e-3, 2.5e-3]) / (eps * tau)  # ετλ ≪ 1: inside the series' range
    exact = np.array([Quadratic([[v]], [1.0]).early_stopping_alpha(eps, tau)[0] for v in lam])
    remainder = np.abs(exact - series(lam, eps, tau))
    np.testing.assert_allclose(remainder[:-1] / remainder[1:], 4.0, rtol=0.05)


@given(wst.quadratics(dims=(1, 6)), wst.alphas())
def test_es_nonzero_init_centred_ridge(qm: tuple[Quadratic, wst.Matrix], alpha: float) -> None:
    q, _ = qm
    w0 = np.sin(np.arange(q.d) + 1.0)
    z = _fn("es.nonzero_init", "coordinate")(q.eigenvalues, q.coordinates, q.eigenvectors.T @ w0, alpha)
    kappa = (q.eigenvalues[-1] + alpha) / (q.eigenvalues[0] + alpha)
    _assert_close(
        q.eigenvectors @ z,
        q.l2_optimum(alpha, center=w0),
        residual_tolerance(q.d, kappa),
        float(np.linalg.norm(q.w_star) + np.linalg.norm(w0)),
    )


@given(wst.quadratics(dims=(1, 6), singular=False), st.floats(0.0, 100.0))
def test_gd_stability_bound(qm: tuple[Quadratic, wst.Matrix], alpha: float) -> None:
    q, _ = qm
    got = _fn("gd.stability", "max_step")(q.eigenvalues[-1], alpha)
    assert got == pytest.approx(q.max_stable_step(alpha), rel=4 * EPS)


@given(st.floats(1e-3, 50.0))
def test_gradient_flow_ratios(x: float) -> None:
    ratio = _fn("es.gf_vs_ridge", "variance_ratio")(x)
    assert ratio == pytest.approx(float(risk.variance_ratio([x])[0]), rel=1e3 * EPS / min(x, 1.0))
    tuned = _fn("es.gf_vs_ridge_tuned", "ratio")(x)
    assert tuned == pytest.approx(float(risk.tuned_bayes_ratio([x])[0]), rel=1e3 * EPS / min(x, 1.0))


@pytest.mark.parametrize(
    ("theorem_id", "worst"),
    [("es.gf_vs_ridge", risk.worst_variance_ratio), ("es.gf_vs_ridge_tuned", risk.worst_tuned_ratio)],
)
def test_gradient_flow_constants_match_the_numeric_search(theorem_id: str, worst: Callable[[], Any]) -> None:
    d = registry.derivation(theorem_id)
    (root,) = [float(s.rhs) for s in d.steps if s.by == "nsolve"]
    (value,) = [float(s.rhs) for s in d.steps if s.by == "evalf"]
    sup, argmax = worst()
    assert value == pytest.approx(sup, rel=1e-12)
    assert root == pytest.approx(argmax, rel=1e-5)  # a maximiser is only located to ~sqrt(eps)


@given(regressions)
def test_gd_min_norm_limit(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    U, s, Vt = np.linalg.svd(X, full_matrices=True)
    s_full = np.zeros(X.shape[1])
    s_full[: s.size] = s
    cutoff = max(X.shape) * EPS * s[0]
    s_full = np.where(s_full > cutoff, s_full, 0.0)
    b = np.zeros(X.shape[1])
    k = min(X.shape)
    b[:k] = (U.T @ y)[:k]
    w0 = np.linspace(1.0, -1.0, X.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = _fn("gd.min_norm", "coordinate")(s_full, b, Vt @ w0)
    expected = regression.gd_least_squares_limit(X, y, w0)
    positive = s_full[s_full > 0]
    kappa = positive[0] / positive[-1] if positive.size else 1.0
    scale = float(np.linalg.norm(y)) / (positive[-1] if positive.size else 1.0) + float(np.linalg.norm(w0))
    _assert_close(Vt.T @ z, expected, residual_tolerance(max(X.shape), kappa, c=100.0), scale)


@given(
    st.floats(0.1, 10.0),
    st.floats(-10.0, 10.0),
    st.floats(-10.0, 10.0),
    st.floats(-5.0, 5.0),
    st.floats(-5.0, 5.0),
)
def test_gd_min_norm_explicit_row(a: float, b: float, y: float, v1: float, v2: float) -> None:
    got = _fn("gd.min_norm", "row")(a, b, y, v1, v2)
    expected = regression.gd_least_squares_limit(np.array([[a, b]]), np.array([y]), np.array([v1, v2]))
    scale = abs(y) / math.hypot(a, b) + math.hypot(v1, v2)
    _assert_close(got, expected, residual_tolerance(2, 1.0, c=100.0), scale)


# ---------------------------------------------------------------------------- optimizers


#: the problem both torch comparisons run: L(w) = ½(w − w*)ᵀH(w − w*), lr, weight decay, 5 steps from w⁽⁰⁾
_SGD_H = np.array([[2.0, 0.5], [0.5, 1.0]])
_SGD_W_STAR = np.array([1.0, -2.0])
_SGD_W0 = np.array([0.5, 0.5])
_SGD_LR, _SGD_WD, _SGD_STEPS = 0.1, 0.3, 5


def _torch_sgd_iterates(momentum: float, dampening: float, nesterov: bool) -> list[np.ndarray]:
    """The iterates of the real torch.optim.SGD(weight_decay=λ) on L, in float64."""
    torch = pytest.importorskip("torch")
    w = torch.tensor(_SGD_W0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD(
        [w], lr=_SGD_LR, momentum=momentum, dampening=dampening, weight_decay=_SGD_WD, nesterov=nesterov
    )
    Ht, wst = torch.tensor(_SGD_H), torch.tensor(_SGD_W_STAR)
    iterates = []
    for _ in range(_SGD_STEPS):
        opt.zero_grad()
        (0.5 * (w - wst) @ Ht @ (w - wst)).backward()
        opt.step()
        iterates.append(w.detach().numpy().copy())
    return iterates


@pytest.mark.torch
@pytest.mark.parametrize(
    ("momentum", "dampening", "nesterov"),
    [(0.0, 0.0, False), (0.9, 0.0, False), (0.9, 0.3, False), (0.8, 0.0, True)],
)
def test_sgd_weight_decay_matches_torch(momentum: float, dampening: float, nesterov: bool) -> None:
    """The derivation's lambdified buffer and step functions reproduce torch.optim.SGD."""
    buffer_fn, step_fn = _fn("opt.sgd_equiv", "buffer"), _fn("opt.sgd_equiv", "step")
    H, w_star, lr, wd = _SGD_H, _SGD_W_STAR, _SGD_LR, _SGD_WD
    ours, buf = _SGD_W0.copy(), None
    for torch_w in _torch_sgd_iterates(momentum, dampening, nesterov):
        grad = H @ (ours - w_star)
        g_pen = grad + wd * ours  # the gradient of L + (λ/2)‖w‖²
        buf = g_pen if buf is None else buffer_fn(buf, grad, ours, wd, momentum, dampening)
        direction = g_pen + momentum * buf if nesterov else (buf if momentum else g_pen)
        ours = step_fn(ours, direction, lr)
        np.testing.assert_allclose(ours, torch_w, rtol=1e-13, atol=1e-13)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("momentum", "dampening", "nesterov"),
    [(0.0, 0.0, False), (0.9, 0.0, False), (0.9, 0.3, False), (0.8, 0.0, True), (0.0, 0.5, False)],
)
def test_the_derivations_torch_route_is_torch(momentum: float, dampening: float, nesterov: bool) -> None:
    """opt.sgd_equiv's written-out torch update (proofs.optim.torch_sgd_step, from torch's documented
    algorithm) and momentum SGD on L + (λ/2)‖w‖² (heavy_ball_step) both reproduce torch.optim.SGD.

    Tolerance: the routes differ only in rounding order; 5 steps × ≤ 10 flops per coordinate, each
    rounding ≤ eps × the largest intermediate (|w|, |g|, |b| ≤ 5 here), bound 5·10·5·eps ≈ 5.6e-14,
    so 1e-13 absolute."""
    from proofs.optim import heavy_ball_step, torch_sgd_step

    H, w_star, lr, wd = _SGD_H, _SGD_W_STAR, _SGD_LR, _SGD_WD
    ours, buf, plain, velocity = _SGD_W0.copy(), None, _SGD_W0.copy(), None
    for k, torch_w in enumerate(_torch_sgd_iterates(momentum, dampening, nesterov)):
        ours, buf = torch_sgd_step(
            H @ (ours - w_star), ours, buf, k == 0, lr, wd, momentum, dampening, nesterov
        )
        penalised = H @ (plain - w_star) + wd * plain  # ∇(L + (λ/2)‖w‖²)
        plain, velocity = heavy_ball_step(
            penalised, plain, velocity, k == 0, lr, momentum, dampening, nesterov
        )
        np.testing.assert_allclose(ours, torch_w, rtol=0, atol=1e-13)
        np.testing.assert_allclose(plain, torch_w, rtol=0, atol=1e-13)


@pytest.mark.torch
@pytest.mark.parametrize("decoupled", [False, True])
def test_adam_first_steps_match_torch(decoupled: bool) -> None:
    torch = pytest.importorskip("torch")
    name = "adamw_first_step" if decoupled else "adam_l2_first_step"
    first_step = _fn("opt.adam_not_equiv", name)
    w0, grad = np.array([1.0, -0.5, 2.0]), np.array([0.3, -2.0, 1e-3])
    lr, wd, eps = 0.05, 0.2, 1e-3
    w = torch.tensor(w0, requires_grad=True)
    optimizer = (torch.optim.AdamW if decoupled else torch.optim.Adam)([w], lr=lr, weight_decay=wd, eps=eps)
    w.grad = torch.tensor(grad)
    optimizer.step()
    np.testing.assert_allclose(first_step(w0, grad, lr, wd, eps), w.detach().numpy(), rtol=1e-13)


def test_the_counterexample_first_steps_differ() -> None:
    """At the derivation's example no λ' makes Adam + L2's first step AdamW's (λ = 1/10)."""
    adam = _fn("opt.adam_not_equiv", "adam_l2_first_step")
    adamw = _fn("opt.adam_not_equiv", "adamw_first_step")
    w0, grad = np.ones(2), np.array([1.0, 2.0])
    target_step = adamw(w0, grad, 1.0, 0.1, 1.0)
    for coordinate, wanted in ((0, 0.5), (1, 9 / 7)):
        step = adam(w0, grad, 1.0, wanted, 1.0)
        assert step[coordinate] == pytest.approx(target_step[coordinate], rel=1e-14)
        assert abs(step[1 - coordinate] - target_step[1 - coordinate]) > 1e-3
