"""α selection (theory.selection): LOO and GCV of ridge against scikit-learn's RidgeCV, explicit refits
and dense hat matrices, on tall, wide, rank-deficient and float32 data (l2.loo, l2.gcv)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st
from sklearn.linear_model import RidgeCV

from theory.conventions import Penalty, from_canonical
from theory.errors import InputError, PreconditionError, ResourceError
from theory.numerics import eigenbasis_tolerance
from theory.regression import regression_spectrum
from theory.resources import memory_limit
from theory.selection import loo_by_refit, loo_error_bound, ridge_cv, ridge_cv_from_spectrum
from theory.validate import dtype_eps

SHAPES = [(60, 20), (30, 80), (40, 40)]  # tall, wide (Gram route), square


def _data(n: int, d: int, seed: int = 0, shift: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + shift
    y = X @ rng.standard_normal(d) / np.sqrt(d) + 0.3 * rng.standard_normal(n) + 2.0
    return X, y


def _dense_hat(X: np.ndarray, a: float, intercept: bool) -> np.ndarray:
    """``11ᵀ/n + X_c(X_cᵀX_c + nαI)⁻¹X_cᵀ`` by a dense Cholesky solve (intercept) or without centring."""
    n, d = X.shape
    Xc = X - X.mean(axis=0) if intercept else X
    S = Xc @ scipy.linalg.solve(Xc.T @ Xc + n * a * np.eye(d), Xc.T, assume_a="pos")
    return S + np.full((n, n), 1.0 / n) if intercept else S


def _sk_alphas(canonical: np.ndarray, n: int) -> np.ndarray:
    params = [from_canonical("sklearn.Ridge", Penalty(l2=float(a)), n=n) for a in canonical]
    return np.array([float(p["alpha"]) for p in params])


@pytest.mark.parametrize("intercept", [False, True])
@pytest.mark.parametrize(("n", "d"), SHAPES)
def test_matches_sklearn_ridgecv_per_sample(n: int, d: int, intercept: bool) -> None:
    """Per-sample squared LOO errors equal RidgeCV's ``cv_results_`` (each of its gcv modes)."""
    X, y = _data(n, d)
    canonical = np.logspace(-3, 2, 12)
    res = ridge_cv(X, y, canonical, fit_intercept=intercept, return_residuals=True)
    assert res.loo_residuals is not None
    centred = regression_spectrum(X - X.mean(axis=0) if intercept else X, y - y.mean() if intercept else y)
    bound = loo_error_bound(centred, canonical, res.loo_residuals, intercept=intercept)
    ours_sq = res.loo_residuals**2
    for mode in (None, "svd"):
        model = RidgeCV(
            alphas=_sk_alphas(canonical, n), fit_intercept=intercept, store_cv_results=True, gcv_mode=mode
        ).fit(X, y)
        theirs = model.cv_results_
        # |a² − b²| ≤ (2|a| + δ)δ for |a − b| ≤ δ; RidgeCV's own rounding is of the same order: 2δ
        slack = 2 * bound
        assert np.all(np.abs(ours_sq - theirs) <= (2 * np.abs(res.loo_residuals) + slack) * slack), mode
        assert res.best_alpha_loo == pytest.approx(model.alpha_ / n, rel=1e-12)
        assert np.allclose(res.loo_mse, theirs.mean(axis=0), rtol=1e-10, atol=0)


@pytest.mark.parametrize("intercept", [False, True])
@pytest.mark.parametrize(("n", "d"), [(25, 8), (12, 30)])
def test_shortcut_matches_explicit_refits(n: int, d: int, intercept: bool) -> None:
    """e_i/(1 − h_ii) against n refits without sample i (SVD least squares), tall and wide."""
    X, y = _data(n, d, seed=3)
    canonical = np.array([1e-3, 0.05, 2.0])
    res = ridge_cv(X, y, canonical, fit_intercept=intercept, return_residuals=True)
    assert res.loo_residuals is not None
    spec = regression_spectrum(X - X.mean(axis=0) if intercept else X, y - y.mean() if intercept else y)
    bound = loo_error_bound(spec, canonical, res.loo_residuals, intercept=intercept)
    for j, a in enumerate(canonical):
        refit = loo_by_refit(X, y, a, fit_intercept=intercept)
        # the refit's own error: a least-squares solve with κ = (s_max² + nα)/(s_min² + nα)
        assert np.all(np.abs(res.loo_residuals[:, j] - refit) <= 2 * bound[:, j]), (a, intercept)


def test_interpolating_fit_at_alpha_zero_is_finite_and_exact() -> None:
    """Wide X of full row rank at α = 0: h_ii = 1, yet the α-free kernel form gives the interpolant's
    LOO residual (the refit of the minimum-norm interpolant of the other n − 1 points)."""
    X, y = _data(10, 30, seed=5)
    res = ridge_cv(X, y, [0.0, 1e-2], return_residuals=True)
    assert res.loo_residuals is not None
    assert np.all(np.isfinite(res.loo_residuals)) and np.all(np.isfinite(res.gcv))
    refit = loo_by_refit(X, y, 0.0)
    spec = regression_spectrum(X, y)
    bound = loo_error_bound(spec, [0.0], res.loo_residuals[:, :1])
    assert np.all(np.abs(res.loo_residuals[:, 0] - refit) <= 2 * bound[:, 0])
    assert res.undetermined.tolist() == [0, 0]
    assert res.dof[0] == pytest.approx(10, rel=10 * 10 * dtype_eps(np.float64))


def test_interpolating_fit_with_intercept_at_alpha_zero() -> None:
    """After centring, rank n − 1 plus the intercept interpolates: P⊥ = 0 exactly, finite LOO."""
    X, y = _data(10, 30, seed=6)
    res = ridge_cv(X, y, [0.0], fit_intercept=True, return_residuals=True)
    assert res.loo_residuals is not None and res.rank == 9 and res.undetermined.tolist() == [0]
    spec = regression_spectrum(X - X.mean(axis=0), y - y.mean())
    bound = loo_error_bound(spec, [0.0], res.loo_residuals, intercept=True)[:, 0]
    refit = loo_by_refit(X, y, 0.0, fit_intercept=True)
    assert np.all(np.abs(res.loo_residuals[:, 0] - refit) <= 2 * bound)


def test_leverage_one_at_alpha_zero_is_inf_with_reason() -> None:
    """Tall rank-deficient X whose last column is non-zero only in row 0: h_00(0) = 1 and the
    shortcut is 0/0. The residual is inf (not NaN), counted, and α = 0 alone is refused with values."""
    X, y = _data(20, 4, seed=7)
    X = np.hstack([X, np.zeros((20, 1))])
    X[0, -1] = 3.0
    res = ridge_cv(X, y, [0.0, 0.1], return_residuals=True)
    assert res.loo_residuals is not None
    assert not np.any(np.isnan(res.loo_residuals))
    assert np.isinf(res.loo_residuals[0, 0]) and res.undetermined.tolist() == [1, 0]
    assert np.isinf(res.loo_mse[0]) and res.best_index_loo == 1
    assert np.all(np.isfinite(res.loo_residuals[1:, 0]))
    assert "undetermined" in res.render()
    with pytest.raises(PreconditionError, match=r"1 − h_ii within rounding of 0.*\[1\]"):
        ridge_cv(X, y, [0.0])


def test_gcv_and_dof_against_dense_hat_matrix() -> None:
    """GCV = (1/n)‖(I − S)y‖²/(1 − tr S/n)² and dof = tr S from the dense hat matrix."""
    for intercept in (False, True):
        for n, d in SHAPES:
            X, y = _data(n, d, seed=11)
            canonical = np.array([1e-2, 0.3, 10.0])
            res = ridge_cv(X, y, canonical, fit_intercept=intercept)
            for j, a in enumerate(canonical):
                S = _dense_hat(X, a, intercept)
                e = y - S @ y
                trace = np.trace(S)
                gcv = (e @ e / n) / (1 - trace / n) ** 2
                svals = scipy.linalg.svdvals(X - X.mean(axis=0) if intercept else X)
                kappa = (svals[0] ** 2 + n * a) / (svals[min(n, d) - 1 - int(intercept)] ** 2 + n * a)
                tol = eigenbasis_tolerance(min(n, d), kappa) / (1 - trace / n) ** 2
                assert abs(res.gcv[j] - gcv) <= 4 * tol * gcv, (n, d, intercept, a)
                assert abs(res.dof[j] - trace) <= tol * n


def test_gcv_is_loo_of_the_rotated_problem() -> None:
    """Golub, Heath & Wahba: rotate by R = (Hadamard/√n)·Γᵀ (Γ: eigenvectors of XXᵀ); RSRᵀ has the
    constant diagonal tr S/n, so the rotated problem's LOO MSE is the original GCV."""
    n, d = 16, 6
    X, y = _data(n, d, seed=13, shift=0.0)
    _, Gamma = np.linalg.eigh(X @ X.T)
    R = scipy.linalg.hadamard(n) / np.sqrt(n) @ Gamma.T
    canonical = np.logspace(-2, 1, 5)
    original = ridge_cv(X, y, canonical)
    rotated = ridge_cv(R @ X, R @ y, canonical)
    tol = eigenbasis_tolerance(n, float(np.linalg.cond(X) ** 2))
    assert np.allclose(rotated.loo_mse, original.gcv, rtol=4 * tol, atol=0)
    assert not np.allclose(original.loo_mse, original.gcv, rtol=1e-3)  # the two differ unrotated


def test_float32_agrees_with_float64_within_its_bound() -> None:
    X, y = _data(50, 12, seed=17)
    canonical = np.array([1e-2, 1.0])
    r64 = ridge_cv(X, y, canonical, return_residuals=True)
    r32 = ridge_cv(X.astype(np.float32), y.astype(np.float32), canonical, return_residuals=True)
    assert r32.loo_residuals is not None and r64.loo_residuals is not None
    assert r32.loo_residuals.dtype == np.float32
    spec32 = regression_spectrum(X.astype(np.float32), y.astype(np.float32))
    bound = loo_error_bound(spec32, canonical, r32.loo_residuals)
    assert np.all(np.abs(r32.loo_residuals - r64.loo_residuals) <= bound)
    assert np.max(np.abs(r32.loo_residuals - r64.loo_residuals)) > 1e-9  # float32 really ran


def test_conventions_rescale_alpha() -> None:
    """``half_sse`` α (scikit-learn's) is n times the canonical one; ``sse`` twice ``half_sse``."""
    X, y = _data(30, 10, seed=19)
    base = ridge_cv(X, y, [0.1, 1.0])
    half = ridge_cv(X, y, [3.0, 30.0], convention="half_sse")
    sse = ridge_cv(X, y, [6.0, 60.0], convention="sse")
    assert np.array_equal(half.canonical_alphas, base.canonical_alphas)
    assert np.allclose(sse.loo_mse, base.loo_mse, rtol=1e-14)
    assert half.best_alpha_loo in (3.0, 30.0)


def test_spectrum_reuse_and_intercept_needs_centred_data() -> None:
    X, y = _data(30, 10, seed=23)
    spec = regression_spectrum(X, y)
    assert np.array_equal(ridge_cv_from_spectrum(spec, [0.5]).loo_mse, ridge_cv(X, y, [0.5]).loo_mse)
    with pytest.raises(InputError, match="centred X; column"):
        ridge_cv_from_spectrum(spec, [0.5], intercept=True)
    # a constant column centres to rounding noise (seed 3 of the thorough l2.loo check tripped on one)
    Xk = np.hstack([X, np.full((30, 1), 0.1)])
    Xc = Xk - Xk.mean(axis=0)
    centred = ridge_cv_from_spectrum(regression_spectrum(Xc, y - y.mean()), [0.5], intercept=True)
    direct = ridge_cv(Xk, y, [0.5], fit_intercept=True)
    assert centred.loo_mse[0] == direct.loo_mse[0]  # the same centred arrays through the same code


def test_inputs_and_memory_guard() -> None:
    X, y = _data(30, 10)
    # negative α: the class every α-taking entry point uses (theory.validate.as_alphas)
    with pytest.raises(PreconditionError, match=r"ridge_cv: alpha must be ≥ 0; got alpha = -1.0"):
        ridge_cv(X, y, [1.0, -1.0])
    with pytest.raises(InputError, match="alphas is empty"):
        ridge_cv(X, y, [])
    with pytest.raises(InputError, match="unknown ridge convention"):
        ridge_cv(X, y, [1.0], convention="bogus")  # type: ignore[arg-type]
    spectrum = regression_spectrum(X, y)
    with memory_limit("4KiB"), pytest.raises(ResourceError, match="ridge_cv's workspace"):
        ridge_cv_from_spectrum(spectrum, np.logspace(-2, 2, 50))


def test_render_marks_both_minima() -> None:
    X, y = _data(40, 15, seed=29)
    res = ridge_cv(X, y, np.logspace(-3, 2, 30))
    text = res.render()
    assert "← LOO" in text and "← GCV" in text and f"{res.best_alpha_loo:.6g}" in text


@given(
    n=st.integers(3, 14),
    d=st.integers(1, 14),
    intercept=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
    log_alpha=st.floats(-3, 2),
)
def test_property_shortcut_vs_refit(n: int, d: int, intercept: bool, seed: int, log_alpha: float) -> None:
    """Any shape (tall, wide, square, rank-deficient after centring) against explicit refits."""
    X, y = _data(n, d, seed=seed)
    a = 10.0**log_alpha
    res = ridge_cv(X, y, [a], fit_intercept=intercept, return_residuals=True)
    assert res.loo_residuals is not None
    spec = regression_spectrum(X - X.mean(axis=0) if intercept else X, y - y.mean() if intercept else y)
    bound = loo_error_bound(spec, [a], res.loo_residuals, intercept=intercept)[:, 0]
    refit = loo_by_refit(X, y, a, fit_intercept=intercept)
    assert np.all(np.abs(res.loo_residuals[:, 0] - refit) <= 2 * bound)


def test_derivation_results_meet_ridge_cv() -> None:
    """The symbolic routes' results (l2.loo shortcut e/(1 − h), l2.gcv formula), lambdified, against
    ridge_cv's residuals and GCV, with e and h from the dense hat matrix."""
    from proofs import registry

    shortcut = registry.derivation("l2.loo").function("shortcut")
    gcv = registry.derivation("l2.gcv").function("gcv")
    for n, d in SHAPES:
        X, y = _data(n, d, seed=31)
        res = ridge_cv(X, y, [0.2], return_residuals=True)
        assert res.loo_residuals is not None
        S = _dense_hat(X, 0.2, False)
        e = y - S @ y
        spec = regression_spectrum(X, y)
        bound = loo_error_bound(spec, [0.2], res.loo_residuals)[:, 0]
        assert np.all(np.abs(shortcut(e, np.diag(S)) - res.loo_residuals[:, 0]) <= 2 * bound)
        # GCV's relative error: τ‖y‖ in e (twice, squared) and τ in 1 − tr S/n (twice, squared)
        tau = eigenbasis_tolerance(min(n, d), float(np.linalg.cond(X)) ** 2)
        rel = 2 * tau * float(np.linalg.norm(y) / np.linalg.norm(e)) + 2 * tau / (1 - np.trace(S) / n)
        assert gcv(e @ e, np.trace(S), n) == pytest.approx(res.gcv[0], rel=2 * rel)


# --------------------------------------------------------------------- α up to the float maximum (B4)


def _limit_scores(y: np.ndarray, intercept: bool) -> tuple[float, float]:
    """The α → ∞ limits: ŷ → 0 (or ȳ), so LOO → mean of (y_i − ȳ₍₋ᵢ₎)² and GCV → mean(e²)/(1 − tr/n)²."""
    n = y.size
    if not intercept:
        return float(np.mean(y * y)), float(np.mean(y * y))
    yc = y - y.mean()
    loo = float(np.mean((yc * n / (n - 1)) ** 2))  # y_i − mean of the others = (n/(n − 1))(y_i − ȳ)
    return loo, float(np.mean(yc * yc)) / (1 - 1 / n) ** 2


@pytest.mark.parametrize("intercept", [False, True])
@pytest.mark.parametrize(("n", "d"), [(30, 5), (10, 40), (40, 40)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_alpha_reaches_the_infinite_alpha_limit(n: int, d: int, intercept: bool, dtype) -> None:
    """α up to the float maximum: finite scores equal to the α → ∞ limit, no NaN and no warning
    (before: α²·Σ(c_j g_j)² overflowed at α = 1e200 to a NaN GCV, and α = 1e300 left no finite score)."""
    X, y = _data(n, d, seed=5)
    X, y = X.astype(dtype), y.astype(dtype)
    alphas = [1e-3, 1e200, 1e300, 1e308, float(np.finfo(np.float64).max)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # overflow, invalid: the NaN's warnings
        res = ridge_cv(X, y, alphas, fit_intercept=intercept)
    y64 = y.astype(np.float64)
    loo_lim, gcv_lim = _limit_scores(y64, intercept)
    # ‖e‖² = ‖y⊥‖² + ‖c‖² with U orthonormal to τ: relative error 2τ, plus n·eps for the sums
    spec = regression_spectrum(X - X.mean(axis=0) if intercept else X, y)
    lam = spec.lam[spec.lam > 0]
    tau = eigenbasis_tolerance(min(n, d), float(lam.max() / lam.min()), dtype)
    rel = 2 * tau + 2 * n * dtype_eps(dtype)
    assert np.all(np.isfinite(res.gcv[1:])) and np.all(np.isfinite(res.loo_mse[1:]))
    assert res.loo_mse[1:] == pytest.approx(np.full(4, loo_lim), rel=rel)
    assert res.gcv[1:] == pytest.approx(np.full(4, gcv_lim), rel=rel)
    assert np.all(res.dof[1:] <= 1e-190 + float(intercept))  # Σ λ/(λ + α) → 0 (plus the intercept)


@pytest.mark.parametrize("intercept", [False, True])
def test_huge_alpha_matches_sklearn_ridgecv(intercept: bool) -> None:
    """scikit-learn's RidgeCV at α = 2e301 and 1e308 (its α: the half_sse convention) agrees."""
    n, d = 30, 5
    X, y = _data(n, d, seed=8)
    spec = regression_spectrum(X - X.mean(axis=0) if intercept else X, y)
    lam = spec.lam[spec.lam > 0]
    # both are the limit up to U's orthonormality (ours, 2τ) and the rounding of n squares (each, n·eps)
    rel = 2 * eigenbasis_tolerance(d, float(lam.max() / lam.min())) + 2 * n * dtype_eps(float)
    for a in (2e301, 1e308):
        ours = ridge_cv(X, y, [a], convention="half_sse", fit_intercept=intercept)
        theirs = RidgeCV(alphas=[a], fit_intercept=intercept, store_cv_results=True).fit(X, y)
        assert ours.loo_mse[0] == pytest.approx(float(theirs.cv_results_.mean()), rel=rel)


def test_intercept_needs_two_samples() -> None:
    """n = 1 with an intercept: an InputError naming n (before: 'no α has a finite …, counts [0]')."""
    X, y = _data(5, 3)
    with pytest.raises(InputError, match=r"needs n ≥ 2 samples.*got n = 1"):
        ridge_cv(X[:1], y[:1], [1.0], fit_intercept=True)
    with pytest.raises(InputError, match=r"got n = 1"):
        ridge_cv_from_spectrum(regression_spectrum(X[:1] * 0, y[:1] * 0), [1.0], intercept=True)
    one = ridge_cv(X[:1], y[:1], [1.0])  # no intercept: the refit on no data is w = 0, residual y
    assert one.loo_mse[0] == pytest.approx(float(y[0] ** 2), rel=4 * dtype_eps(float))


@pytest.mark.parametrize(
    ("alphas", "error", "match"),
    [
        ([True, False], InputError, "not booleans"),
        ([[1.0, 2.0]], InputError, r"1-D array; got shape \(1, 2\)"),
        ([np.nan], InputError, "must be finite"),
        ([np.inf], InputError, "must be finite"),
        (-2.0, PreconditionError, r"ridge_cv: alpha must be ≥ 0; got alpha = -2.0"),
    ],
)
def test_alpha_policy(alphas, error, match) -> None:
    X, y = _data(12, 3)
    with pytest.raises(error, match=match):
        ridge_cv(X, y, alphas)
    assert ridge_cv(X, y, 0.5).alphas.shape == (1,)  # a scalar α is one grid point


def test_no_finite_score_message_matches_its_cause() -> None:
    """Leverage counts are cited only when some point has leverage 1 (before: 'counts … [0, 0]; use α > 0'
    at α = 1e300, a message contradicting itself)."""
    from theory.selection import _argmin_finite

    with pytest.raises(PreconditionError, match=r"1 − tr S/n is within rounding of 0") as info:
        _argmin_finite(np.array([np.inf, np.inf]), np.array([1e300, 1e308]), "GCV", np.array([0, 0]))
    assert "leverage" not in str(info.value)
    with pytest.raises(PreconditionError, match=r"leverage 1\) are \[2\]"):
        _argmin_finite(np.array([np.inf]), np.array([0.0]), "leave-one-out MSE", np.array([2]))
