"""Least squares and ridge regression in each loss convention (l2.ridge, l2.pinv, gd.min_norm).

The canonical convention is the mean loss with a ½: ``(1/2n)‖Xw − y‖² + (α/2)‖w‖²``, whose quadratic
is ``H = XᵀX/n`` (see :meth:`theory.Quadratic.from_regression`). Goodfellow et al. write two others:

=============  ==========================================  ==================================
convention     objective                                   minimiser
=============  ==========================================  ==================================
``"mean"``     ``(1/2n)‖Xw − y‖² + (α/2)‖w‖²``              ``(XᵀX + nαI)⁻¹Xᵀy``
``"half_sse"`` ``½‖Xw − y‖² + (α/2)‖w‖²``                   ``(XᵀX + αI)⁻¹Xᵀy`` (G 7.17)
``"sse"``      ``‖Xw − y‖² + (α/2)‖w‖²`` (G 7.15 as printed) ``(XᵀX + (α/2)I)⁻¹Xᵀy``
=============  ==========================================  ==================================

G 7.17 states ``(XᵀX + αI)⁻¹Xᵀy`` as the minimiser of G 7.15, which has no ½ on the data term; the
gradient ``2Xᵀ(Xw − y) + αw`` shows the minimiser of 7.15 is ``(XᵀX + (α/2)I)⁻¹Xᵀy``. Both are right
for their own objective, and the difference is a factor 2 in α. All three are computed from one SVD
``X = USVᵀ``: ``w = V diag(s/(s² + mα)) Uᵀy``, which also covers n < d.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError, StabilityError
from theory.validate import as_matrix, as_nonneg_float, as_positive_float, as_vector, dtype_eps

__all__ = [
    "RIDGE_CONVENTIONS",
    "RegressionSpectrum",
    "RidgeConvention",
    "gd_least_squares_limit",
    "max_stable_step",
    "min_norm_solution",
    "regression_spectrum",
    "ridge",
    "ridge_objective",
    "validate_regression",
]

FloatArray = NDArray[np.floating[Any]]
RidgeConvention = Literal["mean", "half_sse", "sse"]

#: convention -> (objective, minimiser), as printed by ``wdt conventions``
RIDGE_CONVENTIONS: dict[str, tuple[str, str]] = {
    "mean": ("(1/2n)‖Xw − y‖² + (α/2)‖w‖²", "(XᵀX + nαI)⁻¹Xᵀy"),
    "half_sse": ("½‖Xw − y‖² + (α/2)‖w‖²  (G 7.17)", "(XᵀX + αI)⁻¹Xᵀy"),
    "sse": ("‖Xw − y‖² + (α/2)‖w‖²  (G 7.15)", "(XᵀX + (α/2)I)⁻¹Xᵀy"),
}


def validate_regression(X: ArrayLike, y: ArrayLike, *, dtype: Any = None) -> tuple[FloatArray, FloatArray]:
    """X as a finite (n, d) float matrix and y as a finite length-n vector of the same dtype."""
    Xm = as_matrix(X, "X", dtype=dtype)
    yv = as_vector(y, "y", dtype=Xm.dtype)
    if yv.shape[0] != Xm.shape[0]:
        raise InputError(f"y must have one entry per row of X: X has shape {Xm.shape}, y has {yv.shape}")
    return Xm, yv


class RegressionSpectrum:
    """``H = XᵀX/n = Q diag(λ) Qᵀ`` from one symmetric eigendecomposition, of the smaller Gram matrix.

    *Primal route* (d ≤ n): ``eigh(XᵀX/n)``, d×d; Q is square and λ holds every eigenvalue, zeros
    included. *Gram route* (d > n): ``eigh(XXᵀ/n) = U diag(μ) Uᵀ``, n×n; the non-zero eigenvalues of
    XᵀX/n are the non-zero μ, with eigenvectors ``q_i = Xᵀu_i/√(nμ_i)`` (the SVD ``X = √n·U√μQᵀ``), so
    Q is d×r (r = rank) and H vanishes on the complement of range(Q): O(nd) memory, O(n²d) time.
    Eigenvalues within rounding of zero (:func:`theory.numerics.rounding_zero_tolerance`) are 0.

    Attributes:
        X, y: the data (validated; not copied when already a float array of the right dtype).
        route: ``"primal"`` or ``"gram"``.
        lam: eigenvalues of XᵀX/n, ascending (primal: d of them; Gram: the r non-zero ones).
        Q: eigenvectors, d×d (primal) or d×r (Gram).
        b: ``Qᵀ(Xᵀy/n)``, the linear term in the eigenbasis (= ``λ·Qᵀw*`` for every minimiser w*).
        H: ``XᵀX/n`` (primal route with ``keep_H=True``; ``None`` on the Gram route, where it is never
            formed, and with ``keep_H=False``, where eigh overwrites it with Q in place).
        zero_tol: the rounding threshold below which an eigenvalue was set to 0.
    """

    def __init__(
        self,
        X: FloatArray,
        y: FloatArray,
        *,
        route: Literal["auto", "primal", "gram"] = "auto",
        keep_H: bool = True,
    ) -> None:
        from theory.numerics import rounding_zero_tolerance
        from theory.resources import array_bytes, check_allocation

        n, d = X.shape
        if route == "auto":
            route = "gram" if d > n else "primal"
        if route not in ("primal", "gram"):
            raise InputError(f"route must be 'auto', 'primal' or 'gram'; got {route!r}")
        self.X, self.y, self.route = X, y, route
        self.n, self.d = n, d
        dt = X.dtype
        if route == "primal":
            # XᵀX (syrk, exactly symmetric), eigh's copy of it (Q; none with keep_H=False) and
            # ?syevd's 2d² workspace
            check_allocation(
                (4 if keep_H else 3) * array_bytes((d, d), dt),
                f"the primal route (XᵀX/n and its eigendecomposition, {d}×{d} {dt})",
                hint=f"with n = {n} < d the Gram route (route='gram') needs n×n" if n < d else "",
            )
            H = X.T @ X
            H /= n
            if keep_H:
                lam, Q = scipy.linalg.eigh(H, check_finite=False, driver="evd")
            else:
                # H is exactly symmetric, so Hᵀ is the same matrix in Fortran order: LAPACK overwrites
                # it with Q in place, no copy (the expert route's memory: H, Q and the workspace)
                lam, Q = scipy.linalg.eigh(H.T, check_finite=False, driver="evd", overwrite_a=True)
                del H
            self.H: FloatArray | None = H if keep_H else None
        else:
            check_allocation(
                4 * array_bytes((n, n), dt) + array_bytes((d, n), dt),
                f"the Gram route (XXᵀ/n, {n}×{n}, and Q, {d}×{n} {dt})",
            )
            K = X @ X.T
            K /= n
            mu, U = scipy.linalg.eigh(K, check_finite=False, driver="evd")
            self.H = None
        top = float(np.max(np.abs(lam if route == "primal" else mu))) if min(n, d) else 0.0
        self.zero_tol = rounding_zero_tolerance(min(n, d), top, dt)
        if route == "primal":
            self.lam = np.where(np.abs(lam) <= self.zero_tol, 0.0, lam).astype(dt)
            self.Q = Q
            self.b = Q.T @ (X.T @ y / n)
        else:
            keep = mu > self.zero_tol
            self.lam = mu[keep].astype(dt)
            Ur = U[:, keep]
            scale = np.sqrt(n * self.lam)
            self.Q = (X.T @ Ur) / scale
            self.b = np.sqrt(self.lam / n) * (Ur.T @ y)
            self._U = Ur

    @cached_property
    def U(self) -> FloatArray:
        """Left singular vectors of X for the non-zero λ, n×r: ``U = XQ_r/√(nλ_r)`` (``X = √n·U√λQ_rᵀ``)."""
        if self.route == "gram":
            return self._U
        keep = self.lam > 0
        return (self.X @ self.Q[:, keep]) / np.sqrt(self.n * self.lam[keep])

    @property
    def rank(self) -> int:
        """Number of non-zero eigenvalues."""
        return int(np.count_nonzero(self.lam))


def regression_spectrum(
    X: ArrayLike,
    y: ArrayLike,
    *,
    dtype: Any = None,
    route: Literal["auto", "primal", "gram"] = "auto",
    keep_H: bool = True,
) -> RegressionSpectrum:
    """The one eigendecomposition behind every least-squares route: see :class:`RegressionSpectrum`.

    ``route="auto"`` takes the Gram route when d > n (wide data), else the primal one. With
    ``keep_H=False`` the primal route decomposes XᵀX/n in place (one d×d array fewer; ``H`` is None).
    """
    Xm, yv = validate_regression(X, y, dtype=dtype)
    return RegressionSpectrum(Xm, yv, route=route, keep_H=keep_H)


def _multiplier(convention: str, n: int) -> float:
    if convention == "mean":
        return float(n)
    if convention == "half_sse":
        return 1.0
    if convention == "sse":
        return 0.5
    raise InputError(f"unknown ridge convention {convention!r}; choose one of {', '.join(RIDGE_CONVENTIONS)}")


def _svd(X: FloatArray, where: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    from theory.resources import array_bytes, check_allocation

    n, d = X.shape
    m = min(n, d)
    # ?gesdd: its copy of X, U (n×m), Vᵀ (m×d) and a workspace of about 4m² (+ O(n + d))
    check_allocation(
        array_bytes((n, d), X.dtype) + array_bytes((m, n + d), X.dtype) + 4 * array_bytes((m, m), X.dtype),
        f"{where}: the thin SVD of X ({n}×{d} {X.dtype})",
    )
    U, s, Vt = scipy.linalg.svd(X, full_matrices=False, check_finite=False, lapack_driver="gesdd")
    return U, s, Vt


def _rank_cutoff(s: FloatArray, shape: tuple[int, int], dtype: Any) -> float:
    # numpy's pinv/matrix_rank default: max(n, d)·eps·s_max
    return max(shape) * dtype_eps(dtype) * (float(s[0]) if s.size else 0.0)


def min_norm_solution(X: ArrayLike, y: ArrayLike) -> FloatArray:
    """``w* = X⁺y``, the minimum-norm minimiser of ``‖Xw − y‖²`` (G 7.29 limit; gd.min_norm).

    Singular values below ``max(n, d)·eps·s_max`` count as zero (NumPy's ``pinv`` rule).
    """
    Xm, yv = validate_regression(X, y)
    U, s, Vt = _svd(Xm, "min_norm_solution")
    keep = s > _rank_cutoff(s, Xm.shape, Xm.dtype)
    coef = np.zeros_like(s)
    coef[keep] = (U[:, keep].T @ yv) / s[keep]
    return Vt.T @ coef


def ridge(X: ArrayLike, y: ArrayLike, alpha: float, *, convention: RidgeConvention = "mean") -> FloatArray:
    """Ridge regression in the given loss convention (l2.ridge; see the module table).

    ``alpha = 0`` gives the minimum-norm least-squares solution ``X⁺y`` (the l2.pinv limit).
    """
    Xm, yv = validate_regression(X, y)
    a = as_nonneg_float(alpha, "alpha", where="l2.ridge")
    m = _multiplier(convention, Xm.shape[0])
    if a == 0:
        return min_norm_solution(Xm, yv)
    U, s, Vt = _svd(Xm, "ridge")
    return Vt.T @ ((s / (s * s + m * a)) * (U.T @ yv))


def ridge_objective(
    w: ArrayLike, X: ArrayLike, y: ArrayLike, alpha: float, *, convention: RidgeConvention = "mean"
) -> float:
    """The objective that :func:`ridge` minimises, in the same convention (for independent checks)."""
    Xm, yv = validate_regression(X, y)
    wv = as_vector(w, "w", size=Xm.shape[1], dtype=Xm.dtype)
    a = as_nonneg_float(alpha, "alpha", where="l2.ridge")
    r = Xm @ wv - yv
    weight = {"mean": 0.5 / Xm.shape[0], "half_sse": 0.5, "sse": 1.0}
    if convention not in weight:
        _multiplier(convention, Xm.shape[0])  # raises the uniform error
    return float(weight[convention] * (r @ r) + 0.5 * a * (wv @ wv))


def max_stable_step(X: ArrayLike) -> float:
    """``2/λ_max(XᵀX/n) = 2n/s_max(X)²``: GD on ``(1/2n)‖Xw − y‖²`` converges iff ``0 < ε <`` this.

    This is gd.stability for the canonical (mean) scale, ``H = XᵀX/n`` (the step is
    ``w ← w − (ε/n)Xᵀ(Xw − y)``). On ``½‖Xw − y‖²`` the bound is n times smaller, ``2/s_max²``. For
    X = 0 the gradient vanishes, GD never moves, and the bound is +inf.
    """
    Xm = as_matrix(X, "X")
    if not np.any(Xm):  # an input property (X is exactly 0), not a rounded singular value
        return float("inf")
    s_max = float(scipy.linalg.svdvals(Xm, check_finite=False)[0])  # ≥ max|X_ij| > 0
    return 2.0 * Xm.shape[0] / (s_max * s_max)


def gd_least_squares_limit(
    X: ArrayLike, y: ArrayLike, w0: ArrayLike | None = None, *, eps: float | None = None
) -> FloatArray:
    """``X⁺y + (I − X⁺X)w⁽⁰⁾``: where GD on ``(1/2n)‖Xw − y‖²`` from ``w⁽⁰⁾`` converges (gd.min_norm).

    The loss is the canonical mean scale, ``(1/2n)‖Xw − y‖²`` (``H = XᵀX/n``), and GD is
    ``w ← w − (ε/n)Xᵀ(Xw − y)`` with ``0 < ε < 2/λ_max(XᵀX/n)`` (:func:`max_stable_step`). Every
    gradient lies in range(Xᵀ), so GD never leaves ``w⁽⁰⁾ + range(Xᵀ)``: the null-space part of
    ``w⁽⁰⁾`` survives, and from 0 the limit is the minimum-norm solution. For X = 0 nothing moves and
    the limit is ``w⁽⁰⁾`` (0 from the default start).

    Args:
        eps: when given, the step is checked against :func:`max_stable_step` (on the same scale).

    Raises:
        StabilityError: ``eps ≥ 2/λ_max(XᵀX/n)``: GD diverges, there is no limit.
    """
    Xm, yv = validate_regression(X, y)
    if eps is not None:
        e = as_positive_float(eps, "eps", where="gd.min_norm")
        bound = max_stable_step(Xm)
        if not e < bound:
            raise StabilityError(
                f"gd.min_norm: GD on (1/2n)‖Xw − y‖² converges only for 0 < ε < 2/λ_max(XᵀX/n) = "
                f"{bound:.6g}; got ε = {e}"
            )
    base = min_norm_solution(Xm, yv)
    if w0 is None:
        return base
    w0v = as_vector(w0, "w0", size=Xm.shape[1], dtype=Xm.dtype)
    _, s, Vt = _svd(Xm, "gd_least_squares_limit")
    keep = s > _rank_cutoff(s, Xm.shape, Xm.dtype)
    V = Vt[keep].T
    return base + w0v - V @ (V.T @ w0v)
