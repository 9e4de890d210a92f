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

    With ``decompose=False`` the primal route stops after forming ``H = XᵀX/n`` (one syrk) and
    ``Xᵀy/n``: what the L1/elastic-net path, the gradient and the GD loop need. :meth:`decompose`
    finishes it later (``lam``, ``Q``, ``b``, ``zero_tol`` are ``None`` until then). The Gram route is
    always decomposed (its n×n eigh is cheap).

    Attributes:
        X, y: the data (validated; not copied when already a float array of the right dtype).
        route: ``"primal"`` or ``"gram"``.
        xty: ``Xᵀy/n`` (= ``Hw*`` for every least-squares minimiser w*, the negated gradient at 0).
        lam: eigenvalues of XᵀX/n, ascending (primal: d of them; Gram: the r non-zero ones).
        Q: eigenvectors, d×d (primal) or d×r (Gram).
        b: ``Qᵀ(Xᵀy/n)``, the linear term in the eigenbasis (= ``λ·Qᵀw*`` for every minimiser w*).
        H: ``XᵀX/n`` (primal route, before :meth:`decompose` and after it with ``keep_H=True``;
            ``None`` on the Gram route, where it is never formed, and after an in-place decomposition,
            which overwrites it with Q).
        zero_tol: the rounding threshold below which an eigenvalue was set to 0.
    """

    lam: FloatArray | None
    Q: FloatArray | None
    b: FloatArray | None
    zero_tol: float | None
    H: FloatArray | None

    def __init__(
        self,
        X: FloatArray,
        y: FloatArray,
        *,
        route: Literal["auto", "primal", "gram"] = "auto",
        keep_H: bool = True,
        decompose: bool = True,
    ) -> None:
        from theory.resources import array_bytes, check_allocation

        n, d = X.shape
        if route == "auto":
            route = "gram" if d > n else "primal"
        if route not in ("primal", "gram"):
            raise InputError(f"route must be 'auto', 'primal' or 'gram'; got {route!r}")
        self.X, self.y, self.route = X, y, route
        self.n, self.d = n, d
        self.lam = self.Q = self.b = self.H = None
        self.zero_tol = None
        dt = X.dtype
        if route == "primal":
            # XᵀX (syrk, exactly symmetric), eigh's copy of it (Q; none with keep_H=False),
            # ?syevd's 2d² workspace and its O(d) vectors (λ, Xᵀy/n, 6d + 5d of work): checked up
            # front even when the decomposition is deferred, so that a problem too large to decompose
            # is refused at construction, not half-way through a method
            check_allocation(
                (4 if keep_H else 3) * array_bytes((d, d), dt) + array_bytes((16, d), np.float64),
                f"the primal route (XᵀX/n and its eigendecomposition, {d}×{d} {dt}, and O(d) vectors)",
                hint=f"with n = {n} < d the Gram route (route='gram') needs n×n" if n < d else "",
            )
            H = X.T @ X
            H /= n
            self.H = H
            self.xty = X.T @ y
            self.xty /= n
            if decompose:
                self.decompose(keep_H=keep_H)
        else:
            # every array of the route, in X's dtype, at its peak: K = XXᵀ/n (overwritten by eigh),
            # the eigenvectors and ?syevd's 2n² workspace, U's kept columns (a copy), then Q = XᵀU_r
            # (scaled in place: no second d×r) and Xᵀy/n (in place); O(n) vectors (μ, ?syevd's 6n)
            check_allocation(
                5 * array_bytes((n, n), dt) + array_bytes((d, n + 1), dt) + array_bytes((16, n), np.float64),
                f"the Gram route (XXᵀ/n and its eigendecomposition, {n}×{n}, Q, {d}×{n}, and Xᵀy/n, {dt})",
            )
            K = X @ X.T
            K /= n
            mu, U = scipy.linalg.eigh(K, check_finite=False, driver="evd", overwrite_a=True)
            del K
            self.zero_tol = _zero_tol(mu, n, d, dt)
            keep = mu > self.zero_tol
            self.lam = mu[keep].astype(dt)
            Ur = _columns(U, keep)
            del U
            Q = X.T @ Ur
            Q /= np.sqrt(n * self.lam)
            self.Q = Q
            self.b = np.sqrt(self.lam / n) * (Ur.T @ y)
            self.xty = X.T @ y
            self.xty /= n
            self._U = Ur

    @property
    def decomposed(self) -> bool:
        """Whether λ, Q and b are there (on the Gram route always; on the primal one after decompose())."""
        return self.lam is not None

    def decompose(self, *, keep_H: bool = True) -> None:
        """``eigh(XᵀX/n)`` on the primal route (a no-op once done).

        With ``keep_H=False`` the decomposition overwrites ``H`` with Q in place, no copy (the expert
        route's memory: H, Q and the workspace), and ``H`` becomes ``None``: the caller must hold no
        other reference to it.
        """
        if self.lam is not None:
            return
        H = self.H
        assert H is not None and self.route == "primal"
        dt = H.dtype
        if keep_H:
            lam, Q = scipy.linalg.eigh(H, check_finite=False, driver="evd")
        else:
            # H is exactly symmetric (syrk), so Hᵀ is the same matrix in Fortran order: LAPACK
            # overwrites it with Q in place, no copy
            H.setflags(write=True)
            lam, Q = scipy.linalg.eigh(H.T, check_finite=False, driver="evd", overwrite_a=True)
            self.H = None
            del H
        self.zero_tol = _zero_tol(lam, self.n, self.d, dt)
        self.lam = np.where(np.abs(lam) <= self.zero_tol, 0.0, lam).astype(dt)
        self.Q = Q
        self.b = Q.T @ self.xty

    def eigenbasis(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(λ, Q, b)``, decomposing first if the primal route was built with ``decompose=False``."""
        self.decompose()
        assert self.lam is not None and self.Q is not None and self.b is not None
        return self.lam, self.Q, self.b

    @cached_property
    def U(self) -> FloatArray:
        """Left singular vectors of X for the non-zero λ, n×r: ``U = XQ_r/√(nλ_r)`` (``X = √n·U√λQ_rᵀ``)."""
        if self.route == "gram":
            return self._U
        lam, Q, _ = self.eigenbasis()
        from theory.resources import array_bytes, check_allocation

        keep = lam > 0
        r = int(np.count_nonzero(keep))
        check_allocation(
            array_bytes((self.n, r), self.X.dtype),
            f"U = XQ_r/√(nλ_r), the left singular vectors ({self.n}×{r} {self.X.dtype})",
        )
        U = self.X @ _columns(Q, keep)
        U /= np.sqrt(self.n * lam[keep])
        return U

    @property
    def rank(self) -> int:
        """Number of non-zero eigenvalues."""
        return int(np.count_nonzero(self.eigenbasis()[0]))


def _columns(A: FloatArray, keep: NDArray[np.bool_]) -> FloatArray:
    """``A[:, keep]``, as a view when ``keep`` is a run of trailing columns (ascending eigenvalues with
    the zeros first, as here): no copy of a d×d Q only to drop its null space."""
    z = int(keep.size - np.count_nonzero(keep))
    if bool(keep[z:].all()):
        return A[:, z:]
    return A[:, keep]


def _zero_tol(lam: FloatArray, n: int, d: int, dt: Any) -> float:
    from theory.numerics import rounding_zero_tolerance

    top = float(np.max(np.abs(lam))) if min(n, d) else 0.0
    return rounding_zero_tolerance(min(n, d), top, dt)


def regression_spectrum(
    X: ArrayLike,
    y: ArrayLike,
    *,
    dtype: Any = None,
    route: Literal["auto", "primal", "gram"] = "auto",
    keep_H: bool = True,
    decompose: bool = True,
) -> RegressionSpectrum:
    """The one eigendecomposition behind every least-squares route: see :class:`RegressionSpectrum`.

    ``route="auto"`` takes the Gram route when d > n (wide data), else the primal one. With
    ``keep_H=False`` the primal route decomposes XᵀX/n in place (one d×d array fewer; ``H`` is None).
    With ``decompose=False`` the primal route forms only ``XᵀX/n`` and ``Xᵀy/n``; call
    :meth:`RegressionSpectrum.decompose` when the eigenbasis is needed.
    """
    Xm, yv = validate_regression(X, y, dtype=dtype)
    return RegressionSpectrum(Xm, yv, route=route, keep_H=keep_H, decompose=decompose)


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
    from theory.resources import array_bytes, check_allocation

    # ?gesdd without vectors works on a copy of X (its workspace is O(n + d))
    check_allocation(
        array_bytes(Xm.shape, Xm.dtype),
        f"max_stable_step: the singular values of X ({Xm.shape[0]}×{Xm.shape[1]} {Xm.dtype})",
    )
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
