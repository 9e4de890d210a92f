"""Beyond the textbook: gradient flow vs ridge (Ali et al. 2019), input noise and dropout as ridge."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory import InputError, PreconditionError, noise, risk
from theory.numerics import residual_tolerance

seeds = st.integers(0, 2**32 - 1)


def test_constants_match_the_paper():
    sup, arg = risk.worst_variance_ratio()
    assert sup == pytest.approx(1.685909058, abs=5e-10) and arg == pytest.approx(1.79328, abs=5e-6)
    assert sup <= risk.GF_RIDGE_RISK_BOUND
    tuned, u = risk.worst_tuned_ratio()
    assert tuned == pytest.approx(1.214662, abs=5e-7) and u == pytest.approx(3.2136, abs=5e-5)
    assert tuned <= risk.GF_RIDGE_TUNED_BOUND


@given(seeds, st.floats(-2, 2), st.floats(-2, 1))
def test_gradient_flow_risk_at_most_1686_times_ridge(seed, log_t, log_noise):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(2, 20)), int(rng.integers(1, 12))  # n < d too: null directions
    X = rng.standard_normal((n, d))
    beta0 = rng.standard_normal(d)
    gf, ridge = risk.estimation_risks(X, beta0, 10**log_noise, 10**log_t)
    assert gf <= risk.worst_variance_ratio()[0] * ridge * (1 + 1e-12)


@given(st.floats(1e-6, 50))
def test_bias_factor_and_variance_ratio(x):
    assert math.exp(-x) <= 1 / (1 + x)
    assert 1 <= float(risk.variance_ratio(x)) <= 1.685909059


@given(seeds, st.floats(0.05, 0.95), st.integers(1, 400))
def test_gd_is_generalized_ridge(seed, frac, k):
    from theory import Quadratic

    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 8))
    n = int(rng.integers(d + 1, 30))
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    q = Quadratic.from_regression(X, y)
    eps = frac / q.eigenvalues[-1]
    Qk = risk.gd_penalty_matrix(X, eps, k)
    A = X.T @ X + n * Qk
    ridge = np.linalg.solve(A, X.T @ y)
    # solve's forward error relative to its terms (Xᵀy may cancel), plus the loop's τ-fold rounding
    lam_A = np.linalg.eigvalsh(A)
    scale = lam_A[-1] / lam_A[0] * np.linalg.norm(ridge) + np.linalg.norm(X, 2) * np.linalg.norm(y) / lam_A[0]
    err = np.linalg.norm(ridge - q.simulate_gd(eps, [k])[0])
    assert err <= residual_tolerance(d, 1.0) * (1 + k) * scale


@given(seeds, st.floats(0.05, 1.0))
def test_dropout_expectation_by_enumeration(seed, p):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    X, y, w = rng.standard_normal((n, d)), rng.standard_normal(n), rng.standard_normal(d)
    exact = 0.0
    for bits in itertools.product((0.0, 1.0), repeat=n * d):
        R = np.array(bits).reshape(n, d)
        r = y - (R * X) @ w
        exact += p ** R.sum() * (1 - p) ** (R.size - R.sum()) * float(r @ r)
    assert noise.expected_dropout_loss(X, y, w, p) == pytest.approx(exact, rel=1e-12)


def test_input_noise_monte_carlo():
    rng = np.random.default_rng(0)
    X, y, w = rng.standard_normal((5, 3)), rng.standard_normal(5), rng.standard_normal(3)
    Xi = rng.standard_normal((20_000, 5, 3)) * 0.5
    r = y - np.einsum("knd,d->kn", X + Xi, w)
    samples = np.mean(r * r, axis=1)
    se = samples.std(ddof=1) / math.sqrt(samples.size)
    assert abs(samples.mean() - noise.expected_input_noise_loss(X, y, w, 0.25)) <= 5 * se


def test_bad_inputs():
    with pytest.raises(PreconditionError, match="keep probability 0 < p ≤ 1; got p = 0.0"):
        noise.expected_dropout_loss(np.eye(2), np.ones(2), np.ones(2), 0.0)
    with pytest.raises(InputError, match="x = s·t must be > 0"):
        risk.variance_ratio([1.0, 0.0])
    with pytest.raises(PreconditionError, match="t must be > 0"):
        risk.estimation_risks(np.eye(2), np.ones(2), 1.0, 0.0)
