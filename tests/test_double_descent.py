"""ridge.double_descent: exact min-norm risk, α*, the Marchenko–Pastur route and the verify row.

Monte Carlo comparisons use z from :func:`theory.double_descent.bonferroni_z` at a 10⁻³ false-alarm
probability (seeded, so each test is deterministic; a different seed fails with probability ≤ 10⁻³).
The mutation tests patch one constant of :mod:`theory.double_descent` and require the numeric check
(or the part of it that guards that constant) to fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import sympy as sp

from theory import double_descent as dd
from theory.checks import CheckContext, ErrorTracker
from theory.errors import InputError, PreconditionError
from theory.harness import numeric_checks_double_descent as ndd

NOISE, R2 = 1.0, 4.0


def _beta(d: int) -> np.ndarray:
    b = np.zeros(d)
    b[0] = math.sqrt(R2)
    return b


# ---------------------------------------------------------------- exact finite-n min-norm risk


@pytest.mark.parametrize(("n", "d"), [(3, 12), (6, 12), (18, 12), (30, 12)])
def test_min_norm_risk_matches_monte_carlo(n: int, d: int) -> None:
    mc = dd.monte_carlo_risk(n, d, NOISE, _beta(d), [0.0], 2000, np.random.default_rng([7, n, d]))
    z = dd.bonferroni_z(1e-3, 4)
    exact = dd.min_norm_risk(n, d, NOISE, R2)
    assert abs(mc.mean[0] - exact) <= z * mc.stderr[0], (exact, mc)


def test_min_norm_risk_values() -> None:
    # n ≥ d + 2: σ² + σ²d/(n − d − 1); n ≤ d − 2: σ² + r²(1 − n/d) + σ²n/(d − n − 1)
    assert dd.min_norm_risk(20, 10, 2.0, 5.0) == pytest.approx(2.0 + 2.0 * 10 / 9, rel=1e-15)
    assert dd.min_norm_risk(4, 10, 2.0, 5.0) == pytest.approx(2.0 + 5.0 * 0.6 + 2.0 * 4 / 5, rel=1e-15)
    assert dd.min_norm_risk(4, 10, 0.0, 5.0) == pytest.approx(3.0, rel=1e-15)  # no noise: bias only
    assert dd.min_norm_risk(10, 10, 0.0, 5.0) == 0.0  # no noise, n = d: exact interpolation of β


def test_peak_at_n_equals_d() -> None:
    d = 20
    values = {n: dd.min_norm_risk(n, d, NOISE, 1.0) for n in range(1, 3 * d + 1)}
    assert all(math.isinf(values[n]) for n in (d - 1, d, d + 1))
    finite = {n: v for n, v in values.items() if math.isfinite(v)}
    assert len(finite) == 3 * d - 3
    # the two largest finite values sit next to the peak, one on each side
    assert sorted(finite, key=finite.__getitem__)[-2:] in ([d - 2, d + 2], [d + 2, d - 2])
    # and the Monte Carlo mean grows towards it (nested designs: same draws for every n)
    risks = dd.nested_risk_draws(
        d, [d - 8, d - 4, d + 4, d + 8], NOISE, _beta(d), lambda n: 0.0, 400, np.random.default_rng(3)
    )
    mean = risks.mean(axis=0)
    assert mean[1] > mean[0] and mean[2] > mean[3]


def _conditional_risk_by_ridge(X: np.ndarray, beta: np.ndarray, noise_var: float, alpha: float) -> float:
    """``σ² + ‖A X β − β‖² + σ²‖A‖_F²`` with ``A = (XᵀX + nαI)⁻¹Xᵀ`` (or X⁺) applied column by column
    through :func:`theory.regression.ridge`: an independent route to the conditional risk given X."""
    from theory.regression import ridge

    n = X.shape[0]
    bias = ridge(X, X @ beta, alpha) - beta
    A = np.stack([ridge(X, e, alpha) for e in np.eye(n)], axis=1)
    return float(noise_var + bias @ bias + noise_var * np.sum(A * A))


@pytest.mark.parametrize(("n", "d"), [(5, 9), (9, 5), (6, 6)])
def test_conditional_risk_matches_ridge_column_by_column(n: int, d: int) -> None:
    from theory.numerics import product_tolerance

    rng = np.random.default_rng([n, d])
    X = rng.standard_normal((3, n, d))
    X[2, 1] = X[2, 0]  # a rank-deficient design: a zero singular value inside min(n, d)
    beta = rng.standard_normal(d)
    alphas = [0.0, 0.01, 1.0]
    got = dd.ridge_risk_draws(n, d, 0.7, beta, alphas, 3, rng, X=X)
    for b in range(3):
        s = np.linalg.svd(X[b], compute_uv=False)
        kappa = s[0] / s[s > max(n, d) * 1e-15 * s[0]][-1]
        for j, a in enumerate(alphas):
            want = _conditional_risk_by_ridge(X[b], beta, 0.7, a)
            assert abs(got[b, j] - want) <= product_tolerance(max(n, d), kappa) * want, (b, a)


def test_direction_average_routes_agree() -> None:
    """Gram eigenvalues (α > 0) and SVD values (α = 0) give the same direction-averaged risk, and it is
    the mean of the fixed-β risk over β uniform on the sphere (the rotation-invariance step)."""
    n, d = 7, 11
    X = np.random.default_rng(5).standard_normal((1, n, d))
    beta = np.zeros(d)
    beta[0] = 2.0
    avg = dd.ridge_risk_draws(n, d, 1.0, beta, [0.5], 1, np.random.default_rng(), X=X, average_direction=True)
    avg0 = dd.ridge_risk_draws(
        n, d, 1.0, beta, [0.0, 0.5], 1, np.random.default_rng(), X=X, average_direction=True
    )
    assert avg[0, 0] == pytest.approx(avg0[0, 1], rel=1e-12)
    # average of the fixed-β risk over an orthonormal basis of directions = exact average over the sphere
    per_direction = [
        dd.ridge_risk_draws(n, d, 1.0, 2.0 * e, [0.0, 0.5], 1, np.random.default_rng(), X=X)[0]
        for e in np.eye(d)
    ]
    assert np.mean(per_direction, axis=0) == pytest.approx(avg0[0], rel=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: dd.min_norm_risk(0, 5, 1.0, 1.0), InputError, "n must be ≥ 1"),
        (lambda: dd.min_norm_risk(5, 0, 1.0, 1.0), InputError, "d must be ≥ 1"),
        (lambda: dd.min_norm_risk(2.5, 5, 1.0, 1.0), InputError, "2.5"),
        (lambda: dd.min_norm_risk(5, 5, -1.0, 1.0), PreconditionError, "-1.0"),
        (lambda: dd.min_norm_risk(5, 8, 1.0, -2.0), PreconditionError, "-2.0"),
        (lambda: dd.optimal_alpha(5, 8, 1.0, 0.0), PreconditionError, "beta_norm2"),
        (lambda: dd.asymptotic_ridge_risk(0.5, [0.0], 1.0, 1.0), PreconditionError, "α > 0"),
        (lambda: dd.asymptotic_tuned_risk(0.5, 0.0, 1.0), PreconditionError, "noise_var"),
        (lambda: dd.summarise([1.0]), InputError, "2 draws"),
        (lambda: dd.bonferroni_z(0.0, 3), InputError, "false_alarm"),
    ],
)
def test_bad_input(call: Callable[[], object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("n", [9, 10, 11])
def test_min_norm_risk_is_infinite_within_one_of_d(n: int) -> None:
    assert dd.min_norm_risk(n, 10, 0.5, 1.0) == math.inf


# ---------------------------------------------------------------- optimal α and tuned monotonicity


def test_optimal_alpha_canonical_convention() -> None:
    # λ* = nα* = σ²d/r² in the ½‖Xw − y‖² + (λ/2)‖w‖² convention, independent of n
    assert dd.optimal_alpha(40, 10, 2.0, 5.0) == pytest.approx(2.0 * 10 / (40 * 5.0), rel=1e-15)
    assert 40 * dd.optimal_alpha(40, 10, 2.0, 5.0) == pytest.approx(13 * dd.optimal_alpha(13, 10, 2.0, 5.0))


def _part_ratio(part: Callable[[CheckContext, ErrorTracker, np.random.Generator], object]) -> float:
    tracker = ErrorTracker()
    ctx = CheckContext()
    part(ctx, tracker, ctx.rng(1101))
    return tracker.worst_ratio


def test_optimal_alpha_and_monotone_parts_pass() -> None:
    assert _part_ratio(ndd._optimal_alpha_part) <= 1.0
    assert _part_ratio(ndd._monotone_part) <= 1.0


def test_min_norm_risk_is_not_monotone_but_tuned_is() -> None:
    """The same monotonicity test rejects λ = 0: the check has power against double descent."""
    d = 12
    ns = np.arange(2, 3 * d + 1)
    rng = np.random.default_rng(11)
    tuned = dd.nested_risk_draws(
        d, ns, NOISE, _beta(d), lambda n: dd.optimal_alpha(n, d, NOISE, R2), 400, rng
    )
    ridgeless = dd.nested_risk_draws(d, [4, 8], NOISE, _beta(d), lambda n: 0.0, 400, rng)
    z = dd.bonferroni_z(1e-3, len(ns) - 1, sided=1)
    steps = dd.summarise(np.diff(tuned, axis=1))
    assert np.all(steps.mean <= z * steps.stderr)
    up = dd.summarise(ridgeless[:, 1] - ridgeless[:, 0])
    assert up.mean[0] > z * up.stderr[0]


# ---------------------------------------------------------------- Marchenko–Pastur route


def _mp_integral(g: float, a: float, power: int) -> float:
    """``∫ dF_γ(s)/(s + a)^power`` by quadrature of the MP density plus its atom ``1 − 1/γ`` at 0."""
    import scipy.integrate

    lo, hi = (1 - math.sqrt(g)) ** 2, (1 + math.sqrt(g)) ** 2

    def integrand(s: float) -> float:
        return math.sqrt(max((hi - s) * (s - lo), 0.0)) / (2 * math.pi * g * s) / (s + a) ** power

    return float(scipy.integrate.quad(integrand, lo, hi, epsabs=1e-13)[0]) + max(1 - 1 / g, 0.0) / a**power


def test_mp_moments_solve_the_quadratic_and_match_a_direct_integral() -> None:
    for g in (0.3, 1.0, 2.5):
        for a in (0.05, 1.0, 7.0):
            m, q = dd.mp_resolvent_moments(g, a)
            assert abs(g * a * m * m + (1 - g + a) * m - 1) <= 1e-14
            assert m == pytest.approx(_mp_integral(g, a, 1), rel=1e-8)
            assert q == pytest.approx(_mp_integral(g, a, 2), rel=1e-8)


def test_ridgeless_and_tuned_limits() -> None:
    for g in (0.4, 2.5):
        assert dd.asymptotic_ridge_risk(g, [1e-9], NOISE, R2)[0] == pytest.approx(
            dd.asymptotic_min_norm_risk(g, NOISE, R2), rel=1e-6
        )
        # the exact finite-n formula tends to the ridgeless limit as d grows with d/n = γ fixed
        assert dd.min_norm_risk(round(4000 / g), 4000, NOISE, R2) == pytest.approx(
            dd.asymptotic_min_norm_risk(g, NOISE, R2), rel=3e-3
        )
        a = NOISE * g / R2
        assert dd.asymptotic_ridge_risk(g, [a], NOISE, R2)[0] == pytest.approx(
            dd.asymptotic_tuned_risk(g, NOISE, R2), rel=1e-14
        )
        # α* minimises the limit risk
        grid = a * np.array([0.5, 0.9, 1.1, 2.0])
        assert np.all(dd.asymptotic_ridge_risk(g, grid, NOISE, R2) > dd.asymptotic_tuned_risk(g, NOISE, R2))
    assert dd.asymptotic_min_norm_risk(1.0, NOISE, R2) == math.inf
    gammas = np.linspace(0.05, 6.0, 200)  # d/n ↑ as n ↓: the tuned limit increases in γ
    assert np.all(np.diff(dd.asymptotic_tuned_risk(gammas, NOISE, R2)) > 0)


def test_mp_limit_matches_large_d_monte_carlo() -> None:
    ctx = CheckContext()
    tracker = ErrorTracker()
    ndd._marchenko_pastur_part(ctx, tracker, ctx.rng(4))
    assert tracker.worst_ratio <= 1.0
    assert tracker.empirical is not None  # the finite-d allowance is marked empirical


# ---------------------------------------------------------------- the symbolic results agree


def test_derivation_results_match_the_library() -> None:
    from proofs.registry import derivation

    dv = derivation("ridge.double_descent")
    over, under = dv.function("min_norm_over"), dv.function("min_norm_under")
    assert over(30, 12, 1.5) == pytest.approx(dd.min_norm_risk(30, 12, 1.5, 2.0), rel=1e-14)
    assert under(5, 12, 1.5, 2.0) == pytest.approx(dd.min_norm_risk(5, 12, 1.5, 2.0), rel=1e-14)
    assert dv.function("optimal_alpha")(30, 12, 1.5, 2.0) == pytest.approx(dd.optimal_alpha(30, 12, 1.5, 2.0))
    for g in (0.3, 3.0):
        assert dv.function("tuned_limit")(g, 1.5, 2.0) == pytest.approx(
            dd.asymptotic_tuned_risk(g, 1.5, 2.0), rel=1e-13
        )


def test_derivation_rejects_a_wrong_optimal_lambda() -> None:
    from proofs.framework import check_step, solve

    lam, s, d, n = sp.symbols("lambda s d n", positive=True)
    s2, r2 = sp.symbols("sigma^2 r^2", positive=True)
    rho = (r2 / d) * lam**2 / (s + lam) ** 2 + s2 * s / (s + lam) ** 2
    assert check_step(solve(lam, sp.diff(rho, lam), s2 * d / r2, "right")) == ""
    assert check_step(solve(lam, sp.diff(rho, lam), s2 * d / (n * r2), "off by n")) != ""


# ---------------------------------------------------------------- the verify row and its mutations


def test_numeric_row_passes() -> None:
    result = ndd._double_descent(CheckContext())
    assert result.verdict == "pass", result
    assert result.empirical is not None


def _pole_off_by_one(n: int, d: int, noise_var: float, beta_norm2: float) -> float:
    if n > d + 1:
        return noise_var + noise_var * d / (n - d)  # mutation: n − d − 1 → n − d
    return ORIGINAL["min_norm_risk"](n, d, noise_var, beta_norm2)


def _no_bias(n: int, d: int, noise_var: float, beta_norm2: float) -> float:
    if n < d - 1:
        return noise_var + noise_var * n / (d - n - 1)  # mutation: the r²(1 − n/d) term dropped
    return ORIGINAL["min_norm_risk"](n, d, noise_var, beta_norm2)


ORIGINAL = {"min_norm_risk": dd.min_norm_risk, "optimal_alpha": dd.optimal_alpha}


@pytest.mark.parametrize("mutant", [_pole_off_by_one, _no_bias], ids=["n-d-1_to_n-d", "drop_bias"])
def test_min_norm_mutations_fail_the_check(
    monkeypatch: pytest.MonkeyPatch, mutant: Callable[..., float]
) -> None:
    monkeypatch.setattr(dd, "min_norm_risk", mutant)
    assert _part_ratio(ndd._min_norm_part) > 1.0


@pytest.mark.parametrize("factor", ["n", "d", "1/n", "1/d"])
def test_wrong_optimal_alpha_fails_the_check(monkeypatch: pytest.MonkeyPatch, factor: str) -> None:
    def wrong(n: int, d: int, noise_var: float, beta_norm2: float) -> float:
        scale = {"n": n, "d": d, "1/n": 1 / n, "1/d": 1 / d}[factor]
        return ORIGINAL["optimal_alpha"](n, d, noise_var, beta_norm2) * scale

    monkeypatch.setattr(dd, "optimal_alpha", wrong)
    assert _part_ratio(ndd._optimal_alpha_part) > 1.0


# ---------------------------------------------------------------- the empirical (torch) row


def test_empirical_row_passes_and_fails_on_a_dropped_bias(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    from theory.empirical import checks_double_descent as edc

    result = edc._double_descent(CheckContext())
    assert result.verdict == "pass", result
    monkeypatch.setattr(dd, "min_norm_risk", _no_bias)
    assert edc.run_grid(CheckContext(), 16, 60, (6,), ()).verdict == "fail"


def test_torch_gd_reaches_the_closed_forms_within_the_contraction_bound() -> None:
    pytest.importorskip("torch")
    from theory.empirical import double_descent as edd
    from theory.regression import ridge

    rng = np.random.default_rng(9)
    d = 10
    for n, a in ((4, 0.0), (25, 0.0), (10, 0.3)):
        X, y = edd.make_data(n, d, 20, NOISE, _beta(d), rng)
        run = edd.train(X, y, a, _beta(d), NOISE)
        exact = np.stack([ridge(X[b], y[b], a) for b in range(20)])
        tol = edd.weight_tolerance(run, np.linalg.norm(exact, axis=1), d)
        assert np.all(np.linalg.norm(run.weights - exact, axis=1) <= tol)
        assert np.all(run.contraction <= 1e-8)


def test_the_detail_names_the_worst_min_norm_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """The row's detail describes the case with the largest err/tol, not the last one tried (n = 24)."""

    def off_at_three(n: int, d: int, noise_var: float, beta_norm2: float) -> float:
        value = ORIGINAL["min_norm_risk"](n, d, noise_var, beta_norm2)
        return 1.5 * value if n == 3 else value  # wrong only in the first case

    monkeypatch.setattr(dd, "min_norm_risk", off_at_three)
    ctx = CheckContext()
    text = ndd._min_norm_part(ctx, ErrorTracker(), ctx.rng(1101))
    assert "n=3," in text, text


def test_the_detail_names_the_worst_mp_case(monkeypatch: pytest.MonkeyPatch) -> None:
    real = dd.asymptotic_ridge_risk

    def off_below_one(gamma: float, alpha: object, noise_var: float, beta_norm2: float) -> np.ndarray:
        out = real(gamma, alpha, noise_var, beta_norm2)
        return out * 1.5 if gamma < 1 else out  # wrong only at γ = 0.5, the first case

    monkeypatch.setattr(dd, "asymptotic_ridge_risk", off_below_one)
    ctx = CheckContext()
    text = ndd._marchenko_pastur_part(ctx, ErrorTracker(), ctx.rng(4))
    assert "γ=0.50" in text, text


def test_ridgeless_limit_next_to_the_peak() -> None:
    """γ within 4 ulps of 1 cannot be told from 1: the peak, ∞ (was ~4.5e15 from 1/(γ − 1)); a γ a
    million ulps away is a real gap and gets the formula."""
    for g in (math.nextafter(1.0, 2.0), math.nextafter(1.0, 0.0), 1.0 + 4 * 2.0**-52, 0.1 * 10):
        assert dd.asymptotic_min_norm_risk(g, NOISE, R2) == math.inf
    g = 1.0 + 1e6 * 2.0**-52
    assert dd.asymptotic_min_norm_risk(g, NOISE, R2) == pytest.approx(
        NOISE + R2 * (1 - 1 / g) + NOISE / (g - 1), rel=1e-12
    )
    assert dd.asymptotic_min_norm_risk(2 - g, NOISE, R2) == pytest.approx(NOISE / (g - 1), rel=1e-9)


def test_mp_risk_is_finite_at_extreme_alpha() -> None:
    """α = 10⁻³⁰⁰ and 10³⁰⁰ gave NaN with overflow warnings: now the limits, without any warning."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        small, large = dd.asymptotic_ridge_risk(1.0, [1e-300, 1e300], 1.0, 1.0)
        # γ = 1, α → 0: the variance term σ²γ(m − αq) ~ σ²/(2√α)
        assert small == pytest.approx(0.5 / math.sqrt(1e-300), rel=1e-12)
        assert large == pytest.approx(2.0, rel=1e-15)  # σ² + r²: ŵ → 0
        for g in (0.3, 3.0):
            lo, hi = dd.asymptotic_ridge_risk(g, [1e-300, 1e300], NOISE, R2)
            assert lo == pytest.approx(dd.asymptotic_min_norm_risk(g, NOISE, R2), rel=1e-12)
            assert hi == pytest.approx(NOISE + R2, rel=1e-15)
        assert math.isfinite(dd.asymptotic_tuned_risk(1e-300, NOISE, R2))
        assert math.isfinite(dd.asymptotic_tuned_risk(1e300, NOISE, R2))


def test_scalars_in_floats_out() -> None:
    assert isinstance(dd.asymptotic_tuned_risk(1.0, NOISE, R2), float)
    assert isinstance(dd.asymptotic_min_norm_risk(0.5, NOISE, R2), float)
    assert isinstance(dd.asymptotic_ridge_risk(0.5, 0.1, NOISE, R2), float)
    m, q = dd.mp_resolvent_moments(0.5, 0.1)
    assert isinstance(m, float) and isinstance(q, float)
    assert dd.asymptotic_tuned_risk([0.5, 2.0], NOISE, R2).shape == (2,)
    assert dd.asymptotic_ridge_risk(0.5, [0.1], NOISE, R2).shape == (1,)
