"""Choosing the ridge α: leave-one-out and generalised cross-validation along a whole α grid (l2.loo, l2.gcv).

Canonical ridge is ``(1/2n)‖Xw − y‖² + (α/2)‖w‖²`` with hat matrix ``S(α) = X(XᵀX + nαI)⁻¹Xᵀ``
(``theory.regression``; ``convention`` accepts the other scalings of α, as :func:`theory.regression.ridge`).
From the one eigendecomposition of :func:`theory.regression.regression_spectrum`,
``X = √n·U diag(√λ) Q_rᵀ`` (U: n×r, the left singular vectors for the r non-zero λ), so

* fitted values ``ŷ(α) = U diag(λ/(λ + α)) Uᵀy``;
* the hat diagonal for every α at once, ``h(α) = (U∘U)·[λ/(λ + α)]`` (one n×r by r×k product);
* the leave-one-out residual ``y_i − x_iᵀŵ₍₋ᵢ₎(α) = e_i/(1 − h_ii)`` with ``e = y − ŷ``: Allen (1974),
  "The relationship between variable selection and data augmentation and a method for prediction"
  (PRESS), through the Sherman–Morrison formula for ``(A − x_ix_iᵀ)⁻¹`` (l2.loo);
  The refit keeps the full problem's penalty matrix: it minimises ``½‖y₋ᵢ − X₋ᵢw‖² + (nα/2)‖w‖²``
  (n, not n − 1: a mean-convention objective over the n − 1 remaining points would scale α by
  (n − 1)/n), which is scikit-learn's ``RidgeCV`` and :func:`loo_by_refit`;
* generalised cross-validation ``GCV(α) = (1/n)‖e‖² / (1 − tr S/n)²``: Golub, Heath & Wahba (1979),
  "Generalized cross-validation as a method for choosing a good ridge parameter", Technometrics 21;
  it is the leave-one-out error of the problem rotated so that the hat matrix has a constant
  diagonal, ``tr S/n`` (l2.gcv). ``tr S = Σ λ/(λ + α)`` is the effective dof (l2.dof).

Cancellation in ``1 − h_ii``. Write ``1 − S = U diag(α/(λ + α)) Uᵀ + P⊥`` with ``P⊥ = I − UUᵀ`` the
projector off range(X). Then ``1 − h_ii = p_i + α·Σ_j U_ij²/(λ_j + α)`` (``p_i = (P⊥)_ii ≥ 0``) and
``e_i = (P⊥y)_i + α·Σ_j U_ij c_j/(λ_j + α)`` (``c = Uᵀy``): sums of like-signed terms, with no
``1 − (something close to 1)`` except in ``p_i = 1 − ‖U_i‖²`` itself. When X has full row rank
(r = n; r = n − 1 after centring for an intercept) ``P⊥ = 0`` exactly and α cancels:
``e_i/(1 − h_ii) = Σ_j U_ij c_j/(λ_j + α) / Σ_j U_ij²/(λ_j + α)``, the kernel form of the shortcut,
finite at α = 0 (the leave-one-out residual of the minimum-norm interpolant) and free of
cancellation. Otherwise ``p_i`` carries an absolute error up to the eigendecomposition's bound
``c·m·κ·eps`` (m = min(n, d), κ = λ_max/λ_min over the non-zero λ: the columns of
``U = XQ/√(nλ)`` are orthonormal to that accuracy); a denominator ``1 − h_ii`` at or below that bound
is indistinguishable from 0 (a point of leverage 1 at α = 0), the shortcut is 0/0 there, and the
residual is reported as ``inf`` and counted in :attr:`RidgeCVResult.undetermined`, never NaN.

Large α. Every α-dependent factor is formed as a ratio in [0, 1]: ``α/(λ_j + α) = 1/(1 + λ_j/α)`` in
the sums above, and ``(λ_min + α)/(λ_j + α)`` in the α-free full-rank form (homogeneous of degree 0
in the g_j), never ``g_j = 1/(λ_j + α)`` followed by ``α·g_j`` or ``α²g_j²``, which underflow or
overflow for α ≳ 1e154 and gave a NaN GCV. So every α up to the float maximum gives finite scores,
which tend to their α → ∞ limits: ŵ → 0, LOO MSE and GCV → ``mean(y²)`` (with an intercept:
LOO → ``mean((n/(n − 1))²(y − ȳ)²)``, GCV → ``mean((y − ȳ)²)/(1 − 1/n)²``), as scikit-learn's
``RidgeCV`` gives at α = 2e301.

Accuracy. The one eigendecomposition is of XᵀX/n (or XXᵀ/n), whose condition number is κ(X)²: as
α → 0 the residuals carry up to ``m·eps·κ(X)²`` relative error (:func:`loo_error_bound`), where a thin
SVD of X (scikit-learn's ``gcv_mode="svd"``) carries ``m·eps·κ(X)``. Measured against n refits:
κ(X) = 10⁶, α = 10⁻¹⁰·λ_max gives 10⁻⁸…10⁻⁶ here and 10⁻¹² there; from α ≳ 10⁻³·λ_max both are
within 10⁻¹³. Eigenvalues within rounding of 0 are dropped (rank r), so the leave-one-out residual
of a point that only those directions fit is reported undetermined at small α.

Intercept (``fit_intercept=True``, unpenalised): minimising over the intercept first gives
``b = ȳ − x̄ᵀw``, so ``w`` is ridge on the centred data ``X_c = X − 1x̄ᵀ``, ``y_c = y − ȳ1`` and
``ŷ = ȳ1 + X_cw = (11ᵀ/n + S_c)y``: the hat matrix is ``11ᵀ/n + S_c``, its diagonal ``1/n + (S_c)_ii``,
the residual ``y − ŷ = y_c − S_cy_c`` and ``tr = 1 + tr S_c``. Since ``1ᵀX_c = 0``, ``1/√n`` is
orthogonal to U and the projector off the fitted space is ``I − 11ᵀ/n − UUᵀ``: ``p_i = 1 − 1/n − ‖U_i‖²``.
This is scikit-learn's ``RidgeCV(fit_intercept=True)`` (its α is ``nα`` here: row ``sklearn.Ridge`` of
``theory.conventions``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError, PreconditionError
from theory.numerics import eigenbasis_tolerance, residual_tolerance
from theory.regression import (
    RegressionSpectrum,
    RidgeConvention,
    _multiplier,
    regression_spectrum,
    validate_regression,
)
from theory.resources import array_bytes, check_allocation
from theory.validate import as_alphas, dtype_eps

__all__ = [
    "RidgeCVResult",
    "loo_by_refit",
    "loo_denominator_tolerance",
    "loo_error_bound",
    "ridge_cv",
    "ridge_cv_from_spectrum",
]

FloatArray = NDArray[np.floating[Any]]


@dataclass(frozen=True)
class RidgeCVResult:
    """Leave-one-out and GCV scores of ridge along an α grid (see the module docstring).

    Attributes:
        alphas: the grid as given, in ``convention``.
        canonical_alphas: the same α in the canonical (mean) convention, ``(1/2n)‖Xw − y‖² + (α/2)‖w‖²``.
        convention: the convention of ``alphas``.
        loo_mse: ``(1/n)Σ_i (e_i/(1 − h_ii))²`` per α (``inf`` where a residual is undetermined).
        gcv: ``(1/n)‖e‖²/(1 − tr S/n)²`` per α (``inf`` where ``1 − tr S/n`` is 0 within rounding).
        dof: ``tr`` of the hat matrix per α: ``Σ λ/(λ + α)``, plus 1 for the intercept.
        best_index_loo, best_index_gcv: index of the smallest finite score (first one on ties).
        loo_residuals: n×k leave-one-out residuals ``y_i − ŷ₍₋ᵢ₎`` when asked for, else ``None``.
        undetermined: per α, how many ``1 − h_ii`` were within rounding of 0 (residual ``inf``).
        denominator_tolerance: the absolute error bound used for ``1 − h_ii`` (0 when X has full
            row rank: then no cancellation occurs).
        n, d, rank, route, fit_intercept: the problem and the decomposition route.
    """

    alphas: FloatArray
    canonical_alphas: FloatArray
    convention: str
    loo_mse: FloatArray
    gcv: FloatArray
    dof: FloatArray
    best_index_loo: int
    best_index_gcv: int
    loo_residuals: FloatArray | None
    undetermined: NDArray[np.int64]
    denominator_tolerance: float
    n: int
    d: int
    rank: int
    route: str
    fit_intercept: bool

    @property
    def best_alpha_loo(self) -> float:
        """The α (in ``convention``) with the smallest leave-one-out mean squared error."""
        return float(self.alphas[self.best_index_loo])

    @property
    def best_alpha_gcv(self) -> float:
        """The α (in ``convention``) with the smallest GCV score."""
        return float(self.alphas[self.best_index_gcv])

    def render(self, rows: int = 12) -> str:
        """A table: α, dof, LOO MSE, GCV, with the two minima marked (at most ``rows`` α, evenly spread)."""
        k = self.alphas.size
        keep = sorted(
            set(np.linspace(0, k - 1, min(rows, k)).round().astype(int).tolist())
            | {self.best_index_loo, self.best_index_gcv}
        )
        head = (
            f"ridge α selection ({self.convention} convention): n = {self.n}, d = {self.d}, "
            f"rank {self.rank}, "
            f"{self.route} route, intercept {'yes' if self.fit_intercept else 'no'}, {k} α"
        )
        lines = [head, f"{'α':>12} {'dof':>10} {'LOO MSE':>14} {'GCV':>14}"]
        for i in keep:
            mark = " ← LOO" if i == self.best_index_loo else ""
            mark += " ← GCV" if i == self.best_index_gcv else ""
            lines.append(
                f"{self.alphas[i]:12.4g} {self.dof[i]:10.4g} {self.loo_mse[i]:14.6g} "
                f"{self.gcv[i]:14.6g}{mark}"
            )
        lines.append(f"best α: LOO {self.best_alpha_loo:.6g}, GCV {self.best_alpha_gcv:.6g}")
        if int(self.undetermined.sum()):
            where = ", ".join(f"{a:.4g}" for a in self.alphas[np.flatnonzero(self.undetermined)][:5])
            lines.append(
                f"{int(self.undetermined.sum())} LOO residuals undetermined (1 − h_ii ≤ "
                f"{self.denominator_tolerance:.3g}, leverage 1) at α = {where}"
            )
        return "\n".join(lines)


def loo_denominator_tolerance(m: int, lam: ArrayLike, dtype: Any = np.float64) -> float:
    """``c·m·κ·eps``: the absolute error of ``1 − h_ii = p_i + α·Σ_j U_ij²/(λ_j + α)`` (module docstring).

    The eigendecomposition of the m×m Gram matrix is backward stable (``H + E``,
    ``‖E‖ ≤ c·m·eps·λ_max``: :func:`theory.numerics.residual_tolerance`); the columns of
    ``U = XQ/√(nλ)`` are then orthonormal to ``‖E‖/λ_min = c·m·eps·κ`` (κ over the non-zero λ), and
    ``p_i = 1 − ‖U_i‖²`` inherits that error. The α-term is a sum of non-negative terms with relative
    error ``O(r·eps)``, below this bound.
    """
    lv = np.asarray(lam, dtype=np.float64)
    pos = lv[lv > 0]
    kappa = float(pos.max() / pos.min()) if pos.size else 1.0
    return residual_tolerance(m, kappa, dtype)


def _canonical(alphas: ArrayLike, convention: str, n: int) -> tuple[FloatArray, FloatArray]:
    """The grid as given and in the canonical convention, both float64 (validated by ``as_alphas``).

    The canonical α stays float64 for a float32 problem too: it is a parameter, not data, and a cast
    would turn α > 3.4e38 into inf.
    """
    a = as_alphas(alphas, "alphas", where="ridge_cv")
    m = _multiplier(convention, n)
    return a, a * (m / n)


def _need_two_rows(n: int, intercept: bool) -> None:
    if intercept and n < 2:
        raise InputError(
            f"ridge_cv with an intercept needs n ≥ 2 samples: each leave-one-out refit fits the "
            f"intercept on the n − 1 others; got n = {n}"
        )


def ridge_cv(
    X: ArrayLike,
    y: ArrayLike,
    alphas: ArrayLike,
    *,
    fit_intercept: bool = False,
    convention: RidgeConvention = "mean",
    return_residuals: bool = False,
    dtype: Any = None,
    route: Literal["auto", "primal", "gram"] = "auto",
) -> RidgeCVResult:
    """Leave-one-out MSE, GCV and dof of ridge for every α in ``alphas``, from one eigendecomposition.

    ``fit_intercept=True`` adds an unpenalised intercept (centring: hat matrix ``11ᵀ/n + S_c``).
    ``convention`` is the scaling of α (``"mean"``, ``"half_sse"``, ``"sse"``: the table in
    :mod:`theory.regression`; scikit-learn's ``RidgeCV(alphas=a)`` is ``"half_sse"`` with the same a).
    Wide X (d > n) goes through the n×n Gram matrix (``route="auto"``). The n×k residual matrix is
    returned only with ``return_residuals=True``; the workspace is allocation-checked either way.

    ``alphas``: a number or a 1-D array of finite α ≥ 0, any size up to the float maximum (the α
    policy of :func:`theory.validate.as_alphas`).

    Raises:
        InputError: bad shapes, non-finite data, empty/2-D/boolean/non-finite ``alphas``, unknown
            convention, ``fit_intercept=True`` with n < 2 (the refits would have no data for it).
        PreconditionError: a negative α; or every α has an undetermined leave-one-out residual
            (leverage 1 at α = 0 with rank-deficient X): no α can be chosen by LOO.
        ResourceError: the workspace would exceed the memory limit (:mod:`theory.resources`).
    """
    Xm, yv = validate_regression(X, y, dtype=dtype)
    if fit_intercept:
        n, d = Xm.shape
        check_allocation(array_bytes((n, d), Xm.dtype), f"the centred copy of X ({n}×{d} {Xm.dtype})")
        Xm = Xm - Xm.mean(axis=0)
        yv = yv - yv.mean()
    spectrum = regression_spectrum(Xm, yv, route=route)
    return ridge_cv_from_spectrum(
        spectrum,
        alphas,
        intercept=fit_intercept,
        convention=convention,
        return_residuals=return_residuals,
        _centred=fit_intercept,  # centred here: no need to check
    )


def ridge_cv_from_spectrum(
    spectrum: RegressionSpectrum,
    alphas: ArrayLike,
    *,
    intercept: bool = False,
    convention: RidgeConvention = "mean",
    return_residuals: bool = False,
    _centred: bool = False,
) -> RidgeCVResult:
    """:func:`ridge_cv` from an existing :class:`~theory.regression.RegressionSpectrum`.

    With ``intercept=True`` the spectrum must be of the centred data (``X − 1x̄ᵀ``, ``y − ȳ``), as
    :func:`ridge_cv` builds it; the columns of ``spectrum.X`` are checked to sum to 0 within rounding.
    """
    s = spectrum
    n, d = s.n, s.d
    dt = s.X.dtype
    eps = dtype_eps(dt)
    _need_two_rows(n, intercept)
    a_given, a = _canonical(alphas, convention, n)
    k = a.size
    if intercept and not _centred:
        # a centred column sums to rounding of its entries; a column at rounding level of X is a zero
        # column whatever its sum (centring a constant column leaves ±eps·|c| noise)
        col_sums = np.abs(s.X.sum(axis=0))
        absx = np.abs(s.X)
        bound = 10.0 * n * eps * np.maximum(absx.sum(axis=0), absx.max(initial=0.0))
        if np.any(col_sums > bound):
            j = int(np.argmax(col_sums - bound))
            raise InputError(
                f"intercept=True needs the spectrum of centred X; column {j} sums to {col_sums[j]:.3g} "
                f"(rounding bound {bound[j]:.3g}): use ridge_cv(..., fit_intercept=True)"
            )
    lam_all = s.eigenbasis()[0]
    lam = lam_all[lam_all > 0]
    r = lam.size
    u_new = array_bytes((n, r), dt) if s.route == "primal" and "U" not in vars(s) else 0  # U = XQ/√(nλ)
    check_allocation(
        u_new
        + array_bytes((n, r), dt)
        + 4 * array_bytes((n, k), dt)
        + 2 * array_bytes((r, k), dt)
        + 2 * array_bytes((r, k), np.float64),
        f"ridge_cv's workspace (U and U∘U, {n}×{r}, four {n}×{k} and four {r}×{k} arrays)",
        hint="pass fewer alphas per call",
    )
    U = s.U
    c = U.T @ s.y
    n_eff = n - int(intercept)
    full = r >= n_eff  # P⊥ = 0 exactly: no cancellation, α cancels from the shortcut
    # Every α-dependent factor is formed as a ratio in [0, 1] (in float64, then cast), never as
    # g_j = 1/(λ_j + α) and then α·g_j or α²·g_j²: at α = 1e200 those underflow or overflow (NaN GCV).
    # The full-row-rank formulas are homogeneous of degree 0 in g, so g̃_j = (λ_min + α)/(λ_j + α)
    # (the largest is 1; exact at α = 0) serves; the others need α·g_j = 1/(1 + λ_j/α) (0 at α = 0,
    # → 1 as α → ∞, where 1 − h_ii → 1 − 1/n·[intercept] and the scores reach their limit).
    lam64 = lam.astype(np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        dof = (1.0 / (1.0 + a[None, :] / lam64[:, None])).sum(axis=0) + float(intercept)  # Σ λ/(λ + α)
    tol = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        if full:
            lo = float(lam64.min()) if r else 0.0
            G = ((lo + a[None, :]) / (lam64[:, None] + a[None, :])).astype(dt)  # g̃_j, r×k
            N = U @ (c[:, None] * G)  # n×k: Σ_j U_ij c_j g̃_j
            D = (U * U) @ G  # n×k: Σ_j U_ij² g̃_j
            # e_i/(1 − h_ii) = α N / (α D): exact for α = 0 too (the interpolant's LOO residual)
            loo = N
            loo /= D
            undetermined = np.zeros(k, dtype=np.int64)
            sum_g = G.sum(axis=0)
            gcv = n * ((c[:, None] * G) ** 2).sum(axis=0) / (sum_g * sum_g)
        else:
            with np.errstate(divide="ignore", over="ignore"):
                AG = (1.0 / (1.0 + lam64[:, None] / a[None, :])).astype(dt)  # r×k, α/(λ_j + α)
            tol = loo_denominator_tolerance(min(n, d), lam, dt)
            y_perp = s.y - U @ c
            W = U * U
            p = 1.0 - float(intercept) / n - W.sum(axis=1)
            np.maximum(p, 0.0, out=p)
            N = U @ (c[:, None] * AG)
            N += y_perp[:, None]  # e = y − ŷ
            D = W @ AG
            D += p[:, None]  # 1 − h_ii
            bad = tol >= D
            loo = N
            loo /= D
            loo[bad] = np.inf
            undetermined = bad.sum(axis=0).astype(np.int64)
            rss = float(y_perp @ y_perp) + ((c[:, None] * AG) ** 2).sum(axis=0)  # ‖e‖²
            one_minus = ((n_eff - r) + AG.sum(axis=0)) / n
            gcv = np.where(one_minus > tol, rss / n / (one_minus * one_minus), np.inf)
    loo_mse = np.einsum("ij,ij->j", loo, loo) / n
    loo_mse[undetermined > 0] = np.inf
    best_loo = _argmin_finite(loo_mse, a_given, "leave-one-out MSE", undetermined)
    best_gcv = _argmin_finite(gcv, a_given, "GCV", undetermined)
    return RidgeCVResult(
        alphas=a_given,
        canonical_alphas=a,
        convention=convention,
        loo_mse=loo_mse,
        gcv=np.asarray(gcv, dtype=dt),
        dof=np.asarray(dof, dtype=dt),
        best_index_loo=best_loo,
        best_index_gcv=best_gcv,
        loo_residuals=loo if return_residuals else None,
        undetermined=undetermined,
        denominator_tolerance=tol,
        n=n,
        d=d,
        rank=r,
        route=s.route,
        fit_intercept=intercept,
    )


def _argmin_finite(score: FloatArray, alphas: FloatArray, what: str, undetermined: NDArray[np.int64]) -> int:
    finite = np.isfinite(score)
    if not finite.any():
        if undetermined.any():
            reason = (
                f"at α = {alphas[:5].tolist()} the counts of points with 1 − h_ii within rounding of 0 "
                f"(leverage 1) are {undetermined[:5].tolist()}; use α > 0 or remove the "
                "duplicated/isolated points"
            )
        else:  # no leverage-1 point: the cause is 1 − tr S/n within rounding of 0 (GCV)
            reason = f"1 − tr S/n is within rounding of 0 at every α = {alphas[:5].tolist()}; use a larger α"
        raise PreconditionError(f"no α has a finite {what}: {reason}")
    return int(np.argmin(np.where(finite, score, math.inf)))


def loo_error_bound(
    spectrum: RegressionSpectrum, canonical_alphas: ArrayLike, loo: ArrayLike, *, intercept: bool = False
) -> FloatArray:
    """Per-sample, per-α bound on the rounding error of :func:`ridge_cv_from_spectrum`'s LOO residuals.

    With ``τ = eigenbasis_tolerance(m, κ)`` (m = min(n, d), κ = λ_max/λ_min over the non-zero λ: the
    eigendecomposition's backward error and the two products with the eigenbasis), the fitted values
    carry ``≤ τ‖y‖`` and ``1 − h_ii`` carries ``≤ τ`` (:func:`loo_denominator_tolerance`), so the
    quotient ``e_i/(1 − h_ii)`` is off by at most ``τ(‖y‖ + |LOO_i|)/(1 − h_ii)``. At full row rank
    the α-free form ``N_i/D_i`` (``D_i = Σ_j U_ij²/(λ_j + α)``) has errors ``τ‖y‖g_max`` and
    ``τ·g_max`` in N and D (``g_max = 1/(λ_min + α)``): the bound is ``τ(‖y‖ + |LOO_i|)·g_max/D_i``,
    finite at α = 0.
    """
    s = spectrum
    a = np.asarray(canonical_alphas, dtype=np.float64).reshape(-1)
    lv = np.asarray(loo, dtype=np.float64)
    lam_all = s.eigenbasis()[0]
    lam = lam_all[lam_all > 0].astype(np.float64)
    U = s.U.astype(np.float64)
    kappa = float(lam.max() / lam.min()) if lam.size else 1.0
    tau = eigenbasis_tolerance(min(s.n, s.d), kappa, s.X.dtype)
    G = 1.0 / (lam[:, None] + a[None, :])
    D = (U * U) @ G
    scale = float(np.linalg.norm(s.y)) + np.abs(lv)
    if lam.size >= s.n - int(intercept):
        g_max = 1.0 / (lam.min() + a)
        return np.asarray(tau * scale * g_max / D)
    p = np.maximum(1.0 - float(intercept) / s.n - (U * U).sum(axis=1), 0.0)
    with np.errstate(divide="ignore"):
        return np.asarray(tau * scale / (a * D + p[:, None]))


def loo_by_refit(
    X: ArrayLike,
    y: ArrayLike,
    alpha: float,
    *,
    fit_intercept: bool = False,
    convention: RidgeConvention = "mean",
) -> FloatArray:
    """Leave-one-out residuals by n explicit refits: the independent route for :func:`ridge_cv`.

    For each i: ``ŵ₍₋ᵢ₎ = argmin ½‖y₋ᵢ − X₋ᵢw‖² + (mα/2)‖w‖²`` with the full problem's penalty
    (m = n for the mean convention; see the module docstring), solved by ``scipy.linalg.lstsq`` on
    the stacked system ``[X₋ᵢ; √(mα)I]w = [y₋ᵢ; 0]`` (an SVD-based least-squares solve: no
    eigendecomposition, no hat matrix; the minimum-norm solution at α = 0). With ``fit_intercept``
    the n − 1 remaining rows are centred first and the intercept is ``ȳ₋ᵢ − x̄₋ᵢᵀŵ₍₋ᵢ₎``.
    Returns ``y_i − ŷ₍₋ᵢ₎(x_i)``, length n. O(n·(n + d)·d²): for small checks only.
    """
    import scipy.linalg

    Xm, yv = validate_regression(X, y)
    n, d = Xm.shape
    _, a = _canonical([alpha], convention, n)
    root = math.sqrt(n * float(a[0]))
    out = np.empty(n)
    for i in range(n):
        rows = np.arange(n) != i
        Xi, yi = Xm[rows], yv[rows]
        x_mean = Xi.mean(axis=0) if fit_intercept else np.zeros(d)
        y_mean = float(yi.mean()) if fit_intercept else 0.0
        A = np.vstack([Xi - x_mean, root * np.eye(d)])
        rhs = np.concatenate([yi - y_mean, np.zeros(d)])
        w = scipy.linalg.lstsq(A, rhs, lapack_driver="gelsd", check_finite=False)[0]
        out[i] = yv[i] - (y_mean + (Xm[i] - x_mean) @ w)
    return out
