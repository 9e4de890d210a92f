"""The quadratic model of chapter 7: ``J(w) = J(w*) + ½(w − w*)ᵀH(w − w*)``.

:class:`Quadratic` eigendecomposes ``H = QΛQᵀ`` once (``scipy.linalg.eigh``, divide and conquer)
and answers every question of the theory in that eigenbasis, where the problem decouples into one
scalar problem per direction: an α-path of k points costs one ``eigh`` plus one (k×d)·(d×d)
product, not k solves.

Coordinates: ``c = Qᵀw*`` are the coordinates of ``w*`` along the eigenvectors; eigenvalues are in
ascending order (as ``eigh`` returns them) in every per-direction result. The formulas need only the
linear term ``b = λ·c = Qᵀ(Hw*)``, which :meth:`Quadratic.from_regression` gets as ``Qᵀ(Xᵀy/n)`` from
the one eigendecomposition, without w*.

Wide data (d > n): :meth:`Quadratic.from_regression` keeps a thin basis, Q d×r from the n×n Gram
matrix, and H = 0 on the complement of range(Q); see its docstring for what each method returns there.
Every allocation that grows with the problem is checked first against the memory limit
(:mod:`theory.resources`).

Sources are given per method; "G" is Goodfellow, Bengio & Courville, *Deep Learning* (2016).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.linalg
import scipy.optimize
from numpy.typing import ArrayLike, NDArray

from theory.errors import ConvergenceError, InputError, PreconditionError, StabilityError
from theory.numerics import gd_fraction_done, rounding_zero_tolerance
from theory.resources import array_bytes, check_allocation
from theory.sparse_path import DataGram, SparsePath, elastic_net_path
from theory.validate import (
    as_alphas,
    as_matrix,
    as_nonneg_float,
    as_positive_float,
    as_steps,
    as_vector,
    dtype_eps,
    symmetric_tolerance,
)

__all__ = ["ProximalResult", "Quadratic"]

FloatArray = NDArray[np.floating[Any]]


@dataclass(frozen=True, slots=True)
class ProximalResult:
    """Result of :meth:`Quadratic.proximal_optimum`.

    Attributes:
        w: the minimiser found.
        iterations: FISTA iterations used.
        kkt_violation: ``max_i dist(−∇f(w)_i, α₁ ∂|w_i|)``, the stopping quantity (absolute).
        tolerance: the absolute KKT tolerance it was held to.
    """

    w: FloatArray
    iterations: int
    kkt_violation: float
    tolerance: float


class Quadratic:
    """``J(w) = ½(w − w*)ᵀH(w − w*)`` (up to the constant ``J(w*)``), H symmetric PSD.

    Args:
        H: the Hessian, d×d, symmetric to within ``100·d·eps·max|H|`` (rounding is symmetrised away;
            a matrix further from symmetric is refused, never silently symmetrised).
        w_star: a minimiser of J (for singular H, any one; :meth:`from_regression` uses the
            minimum-norm one).
        allow_indefinite: accept an H with negative eigenvalues (a Hessian at a saddle, say); results
            that need ``H + αI ≻ 0`` then check it for their α.
        dtype: ``float64`` or ``float32``; by default H's (float32 when H is float32), and w* is cast to it.

    Raises:
        InputError: NaN/Inf, wrong shapes, non-square H, empty or complex input.
        PreconditionError: H far from symmetric, or H not PSD (beyond rounding) without
            ``allow_indefinite``.
    """

    _w_star: FloatArray | None
    _c: FloatArray | None
    _hw: FloatArray | None
    _H: FloatArray | None

    def __init__(
        self,
        H: ArrayLike,
        w_star: ArrayLike,
        *,
        allow_indefinite: bool = False,
        dtype: Any = None,
    ) -> None:
        Hm = as_matrix(H, "H", square=True, dtype=dtype)
        w = as_vector(w_star, "w_star", dtype=Hm.dtype)
        d = Hm.shape[0]
        if w.shape[0] != d:
            raise InputError(f"w_star must have length {d} to match H of shape {Hm.shape}; got {w.shape}")
        # the symmetrised copy, eigh's working copy (which becomes Q) and ?syevd's 2d² workspace
        check_allocation(
            4 * array_bytes((d, d), Hm.dtype),
            f"Quadratic(H, w*): the symmetrised H and its eigendecomposition, {d}×{d} {Hm.dtype}",
            hint="for least squares with d > n, Quadratic.from_regression(X, y) takes the n×n Gram route",
        )
        # one d×d array serves the symmetry check and then the symmetrised H (no |H − Hᵀ| temporary:
        # max|S| = max(max S, −min S))
        S = np.subtract(Hm, Hm.T)
        asym = max(float(S.max()), -float(S.min())) if S.size else 0.0
        tol = symmetric_tolerance(Hm)
        if asym > tol:
            raise PreconditionError(
                f"H must be symmetric; max|H − Hᵀ| = {asym:.3g} exceeds the rounding tolerance {tol:.3g}"
            )
        np.add(Hm, Hm.T, out=S)
        S *= 0.5
        # divide and conquer (LAPACK ?syevd), not SciPy's default MRRR (?syevr): MRRR's eigenvectors
        # lose orthogonality up to ~200·d·eps where ?syevd's stay below d·eps (bench/eigh_drivers.py),
        # and every formula here rotates through Q twice
        lam, Q = scipy.linalg.eigh(S, check_finite=False, driver="evd")
        # eigenvalues within rounding of zero are zero: |λ| ≤ c·d·eps·‖H‖₂ (Higham §7.1)
        zero_tol = rounding_zero_tolerance(d, float(np.max(np.abs(lam))), S.dtype)
        if lam[0] < -zero_tol and not allow_indefinite:
            raise PreconditionError(
                f"H must be positive semidefinite; its smallest eigenvalue is {lam[0]:.6g} "
                f"(rounding allows down to {-zero_tol:.3g}); pass allow_indefinite=True for a saddle"
            )
        lam = np.where(np.abs(lam) <= zero_tol, 0.0, lam).astype(S.dtype)
        # the instance owns its arrays, read-only: as_vector may return the caller's own float array,
        # and a later in-place change to it (or to a property's value) would desynchronise w* from
        # its eigenbasis coordinates c = Qᵀw*
        w = w.copy()
        c = Q.T @ w
        self._setup(Q, lam, lam * c, H=S, zero_tol=zero_tol, d=d)
        w.setflags(write=False)
        c.setflags(write=False)
        self._w_star = w
        self._c = c
        self._given_w_star = True

    def _setup(
        self,
        Q: FloatArray,
        lam: FloatArray,
        b: FloatArray,
        *,
        H: FloatArray | None,
        zero_tol: float,
        d: int,
        X: FloatArray | None = None,
        y: FloatArray | None = None,
    ) -> None:
        """Install an eigenbasis: ``H = Q diag(λ) Qᵀ`` (Q d×m, m = d or a thin m < d) and ``b = λ·c``.

        The private constructor behind :meth:`__init__` and :meth:`from_regression`. ``b`` is the linear
        term in the eigenbasis (``Qᵀ(Hw*)``); it is zeroed where λ was rounded to 0, where ``λc`` is
        0. With a thin Q, H vanishes on the complement of range(Q). ``X, y`` (regression data) give the
        products ``Hv = Xᵀ(Xv)/n`` and the lazy minimum-norm w*.
        """
        if H is not None:
            H.setflags(write=False)
        self._init_state(
            H=H,
            d=d,
            dtype=lam.dtype,
            indefinite=bool(lam.size and lam[0] < 0),
            thin=Q.shape[1] < int(d),
            X=X,
            y=y,
        )
        self._install_eigenbasis(Q, lam, b, zero_tol)

    def _init_state(
        self,
        *,
        H: FloatArray | None,
        d: int,
        dtype: np.dtype[Any],
        indefinite: bool,
        thin: bool,
        X: FloatArray | None,
        y: FloatArray | None,
    ) -> None:
        """Every attribute except the eigenbasis: shared by :meth:`_setup` and the deferred route of
        :meth:`from_regression` (which installs the eigenbasis later, in :meth:`_decompose`)."""
        self._H = H
        self._d = int(d)
        self._dtype: np.dtype[Any] = dtype
        self._indefinite = indefinite
        self._thin = thin
        self._X, self._y = X, y
        self._w_star = None
        self._c = None
        self._hw = None
        self._given_w_star = False
        self._H_shared = False
        self._psd_by_construction = False
        self._route: Literal["primal", "gram", "given"] = "given"
        self._pending: Any = None
        self._chol: tuple[FloatArray | None] | None = None

    def _install_eigenbasis(self, Q: FloatArray, lam: FloatArray, b: FloatArray, zero_tol: float) -> None:
        b = np.where(lam == 0, 0.0, b).astype(lam.dtype)
        for arr in (Q, lam, b):
            arr.setflags(write=False)
        self._Q_, self._lam_, self._b_ = Q, lam, b
        self._zero_tol_ = float(zero_tol)
        self._pending = None
        self._chol = None

    # the eigenbasis, decomposed on first use for a regression quadratic (see from_regression)

    def _decompose(self) -> None:
        """Finish a deferred ``eigh(XᵀX/n)``: in place over the stored H unless :attr:`H` was handed out."""
        spec = self._pending
        if self._H_shared:
            spec.decompose(keep_H=True)
        else:
            # the one reference to H besides spec's goes, so that eigh overwrites it with Q in place
            self._H = None
            spec.decompose(keep_H=False)
        self._install_eigenbasis(spec.Q, spec.lam, spec.b, spec.zero_tol)

    @property
    def _decomposed(self) -> bool:
        return self._pending is None

    @property
    def _Q(self) -> FloatArray:
        if self._pending is not None:
            self._decompose()
        return self._Q_

    @property
    def _lam(self) -> FloatArray:
        if self._pending is not None:
            self._decompose()
        return self._lam_

    @property
    def _b(self) -> FloatArray:
        if self._pending is not None:
            self._decompose()
        return self._b_

    @property
    def _zero_tol(self) -> float:
        if self._pending is not None:
            self._decompose()
        return self._zero_tol_

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_regression(
        cls,
        X: ArrayLike,
        y: ArrayLike,
        *,
        dtype: Any = None,
        route: Literal["auto", "primal", "gram"] = "auto",
    ) -> Quadratic:
        """The quadratic of least squares ``(1/2n)‖Xw − y‖²``: ``H = XᵀX/n``, ``w* = X⁺y``.

        ``w*`` is the minimum-norm least-squares solution, which is the minimiser for an
        underdetermined X (n < d, as in the d2l experiment) that GD from 0 finds (gd.min_norm).
        Then ``(1/2n)‖Xw − y‖² = (1/2n)‖Xw* − y‖² + ½(w − w*)ᵀH(w − w*)`` exactly, because the
        least-squares residual is orthogonal to the columns of X.

        Built from ONE symmetric eigendecomposition (:func:`theory.regression.regression_spectrum`):
        the linear term ``b = Qᵀ(Xᵀy/n) = λ·Qᵀw*`` is all the ridge path, the GD iterates and the
        constraint radius need, so no SVD of X is taken; ``w*`` (NumPy's ``pinv`` rank rule) and
        :attr:`coordinates` are computed from an SVD of X only when first asked for.

        On the primal route that one decomposition is deferred: construction forms ``H = XᵀX/n`` (one
        syrk) and ``Xᵀy/n = Hw*``, which is all :meth:`l1_path`, :meth:`elastic_net_path`,
        :meth:`gradient`, :meth:`simulate_gd`, :meth:`proximal_optimum` (λ_max by Lanczos),
        :meth:`value` (w* by Cholesky when H is safely positive definite) and :attr:`H` need; XᵀX/n is
        PSD by construction, so no convexity check needs λ_min. The first method that needs the
        eigenbasis runs ``eigh`` once, overwriting H with Q in place (after :attr:`H` was handed out, on
        a copy). The memory limit is checked for the whole decomposition at construction.

        Routes (``route="auto"`` picks by shape):

        * ``"primal"`` (d ≤ n): ``eigh(XᵀX/n)``, d×d; every method as for ``Quadratic(H, w*)``.
        * ``"gram"`` (d > n, wide data): ``eigh(XXᵀ/n)``, n×n, O(nd) memory. Q is d×r (r = rank of X)
          and H vanishes on the complement of range(Q) (range(Xᵀ)). This is the kernel form of ridge,
          ``w̃(α) = Xᵀ(XXᵀ + nαI)⁻¹y = (XᵀX + nαI)⁻¹Xᵀy`` (push-through identity). Per-direction
          results (:attr:`eigenvalues`, :attr:`eigenvectors`, :attr:`coordinates`, :meth:`shrinkage`,
          :meth:`early_stopping_alpha`, the α vector of :meth:`generalized_ridge`) have one entry per
          stored direction (r of them, the non-zero eigenvalues); the complement has eigenvalue 0
          (:attr:`rank`, :attr:`condition_number` and :meth:`effective_dof` count it so). Products with
          H use ``Xᵀ(Xv)/n``; :attr:`H` itself is formed only on request, under the memory limit.

        X is referenced, not copied (a copy would be the n×d the expert route does not make): the lazy
        w* and the Gram route's products read it, so do not change X in place afterwards.
        """
        from theory.regression import regression_spectrum

        # primal route: only XᵀX/n and Xᵀy/n now; eigh runs (overwriting XᵀX/n with Q in place) when a
        # method first needs the eigenbasis. The Gram route decomposes at once (n×n, cheap).
        spec = regression_spectrum(X, y, dtype=dtype, route=route, keep_H=False, decompose=False)
        q = cls.__new__(cls)
        y_own = spec.y.copy()  # n values: cheap to own
        hw = spec.xty
        hw.setflags(write=False)
        if spec.decomposed:
            lam, Q, b = spec.eigenbasis()
            assert spec.zero_tol is not None
            q._setup(Q, lam, b, H=None, zero_tol=spec.zero_tol, d=spec.d, X=spec.X, y=y_own)
        else:
            assert spec.H is not None
            # H stays writeable: the deferred eigh overwrites it in place; XᵀX/n is PSD by construction
            q._init_state(
                H=spec.H, d=spec.d, dtype=spec.H.dtype, indefinite=False, thin=False, X=spec.X, y=y_own
            )
            q._pending = spec
        q._hw = hw
        q._psd_by_construction = True
        q._route = spec.route
        return q

    # ------------------------------------------------------------------ basic properties

    @property
    def H(self) -> FloatArray:
        """The (symmetrised) Hessian, read-only.

        From :meth:`from_regression` (primal route) it is ``XᵀX/n`` as formed at construction while the
        eigendecomposition is deferred; handing it out makes that decomposition work on a copy (it would
        otherwise overwrite H with Q in place). Once the decomposition has overwritten it, and on the
        Gram route (which never forms it), it is re-formed on first use, under the memory limit.
        """
        if self._H is not None and self._pending is not None:
            self._H.setflags(write=False)
            self._H_shared = True
        if self._H is None:
            d = self._d
            check_allocation(
                array_bytes((d, d), self.dtype),
                f"Quadratic.H = XᵀX/n ({d}×{d} {self.dtype})",
                hint=(
                    "gradient(w), value(w), the ridge/GD paths and l1_path/elastic_net_path work from Q "
                    "and X without H"
                ),
            )
            if self._X is not None:
                H = self._X.T @ self._X
                H /= self._X.shape[0]
            else:  # pragma: no cover - thin bases come only from regression data
                H = (self._Q * self._lam) @ self._Q.T
            H.setflags(write=False)
            self._H = H
        return self._H

    @property
    def w_star(self) -> FloatArray:
        """The minimiser w* (from :meth:`from_regression`: ``X⁺y``, computed on first use)."""
        if self._w_star is None:
            from theory.regression import min_norm_solution

            assert self._X is not None and self._y is not None
            w = np.asarray(min_norm_solution(self._X, self._y), dtype=self.dtype)
            w.setflags(write=False)
            self._w_star = w
        return self._w_star

    @property
    def eigenvalues(self) -> FloatArray:
        """λ_i ascending; values within rounding of zero are exactly 0 (thin basis: the r stored ones)."""
        return self._lam

    @property
    def eigenvectors(self) -> FloatArray:
        """Q, with column i the eigenvector of λ_i (d×r on the Gram route)."""
        return self._Q

    @property
    def coordinates(self) -> FloatArray:
        """``c = Qᵀw*``: w* along each (stored) eigenvector."""
        if self._c is None:
            c = self._Q.T @ self.w_star
            c.setflags(write=False)
            self._c = c
        return self._c

    @property
    def d(self) -> int:
        """Dimension."""
        return self._d

    @property
    def dtype(self) -> np.dtype[Any]:
        """float64 or float32."""
        return self._dtype

    @property
    def route(self) -> Literal["primal", "gram", "given"]:
        """How the eigenbasis is (or will be) obtained.

        ``"primal"``: :meth:`from_regression` with ``eigh(XᵀX/n)``, d×d; ``"gram"``: :meth:`from_regression`
        through the n×n Gram matrix ``XXᵀ/n`` (wide data, a thin d×r basis); ``"given"``: built as
        ``Quadratic(H, w*)`` from a Hessian.
        """
        return self._route

    @property
    def rank(self) -> int:
        """Number of non-zero eigenvalues."""
        return int(np.count_nonzero(self._lam))

    @property
    def _lam_lo(self) -> float:
        """The smallest eigenvalue of H, the complement's 0 included."""
        lo = float(self._lam[0]) if self._lam.size else 0.0
        return min(lo, 0.0) if self._thin else lo

    @property
    def _lam_hi(self) -> float:
        """The largest eigenvalue of H, the complement's 0 included."""
        hi = float(self._lam[-1]) if self._lam.size else 0.0
        return max(hi, 0.0) if self._thin else hi

    @property
    def condition_number(self) -> float:
        """``λ_max / λ_min`` (``inf`` for singular or indefinite H)."""
        lo, hi = self._lam_lo, self._lam_hi
        return hi / lo if lo > 0 else math.inf

    def __repr__(self) -> str:
        """What a counterexample needs: d, rank, the spectrum's range, w* (NumPy's printing at precision
        4, summarised beyond 12 entries), and n for a regression quadratic.

        Never starts work: a deferred eigendecomposition and a not-yet-computed ``w* = X⁺y`` are said
        to be so, not computed.
        """
        if self._w_star is not None:
            with np.printoptions(precision=4, threshold=12, edgeitems=3, linewidth=10_000):
                w = " ".join(np.array2string(self._w_star, separator=", ").split())
        else:
            w = "X⁺y (not yet computed)"
        data = f", n={self._X.shape[0]}" if self._X is not None else ""
        if self._pending is not None:  # a repr does not start an eigendecomposition
            return f"Quadratic(d={self.d}{data}, eigendecomposition deferred, w*={w}, dtype={self.dtype})"
        route = f", gram basis {self._Q.shape[0]}×{self._Q.shape[1]}" if self._thin else ""
        return (
            f"Quadratic(d={self.d}{data}, rank={self.rank}, λ ∈ [{self._lam_lo:.3g}, {self._lam_hi:.3g}], "
            f"w*={w}, dtype={self.dtype}{route})"
        )

    def _hv(self, v: FloatArray) -> FloatArray:
        """``Hv``: ``Xᵀ(Xv)/n`` for regression data (whether or not H is stored: one formula, whatever
        was computed before), else with the stored H; never forms H."""
        if self._X is not None:
            return self._X.T @ (self._X @ v) / self._X.shape[0]
        if self._H is not None:
            return self._H @ v
        return self._Q @ (self._lam * (self._Q.T @ v))  # pragma: no cover

    def _hv_many(self) -> Callable[[FloatArray], FloatArray]:
        """``v ↦ Hv`` for a loop of many products: with H (formed once, d×d) unless the basis is thin."""
        if self._thin:
            return self._hv
        H = self._hessian()
        return lambda v: H @ v

    def _hessian(self) -> FloatArray:
        """H for internal use: the stored one (not handed out, so a deferred eigh may still overwrite it
        in place afterwards; callers keep no reference), else re-formed as :attr:`H`."""
        return self._H if self._H is not None else self.H

    @property
    def _hws(self) -> FloatArray:
        """``Hw* = Qb`` (the negated gradient at 0), computed once; ``Xᵀy/n`` for regression data."""
        if self._hw is None:
            hw = self._H @ self.w_star if self._given_w_star and self._H is not None else self._Q @ self._b
            hw.setflags(write=False)
            self._hw = hw
        return self._hw

    def _perp(self, v: FloatArray) -> FloatArray:
        """``(I − QQᵀ)v``: the part of v on the complement of a thin basis (where H vanishes)."""
        return v - self._Q @ (self._Q.T @ v)

    def value(self, w: ArrayLike) -> float:
        """``J(w) − J(w*) = ½(w − w*)ᵀH(w − w*)``; without w*, ``½Σ_i (λ_i q_iᵀw − b_i)²/λ_i``.

        While the eigendecomposition of a regression quadratic is deferred and H is well conditioned,
        w* is the Cholesky solve ``H⁻¹(Xᵀy/n)`` instead (d³/3 flops, no eigh; the minimiser is unique
        there); else the eigendecomposition is done. The two agree to rounding, not bit for bit.
        """
        wv = self._vector(w, "w")
        if self._given_w_star:
            v = wv - self.w_star
            return float(0.5 * v @ self._hv(v))
        if self._pending is not None:
            if self._chol is None:  # once per instance: (minimiser,) or (None,) when refused
                self._chol = (self._cholesky_minimiser(),)
            w_chol = self._chol[0]
            if w_chol is not None:
                v = wv - w_chol
                return float(0.5 * v @ self._hv(v))
        nz = self._lam != 0
        r = (self._lam * (self._Q.T @ wv) - self._b)[nz]
        return float(0.5 * np.sum(r * r / self._lam[nz]))

    def gradient(self, w: ArrayLike) -> FloatArray:
        """``∇J(w) = H(w − w*) = Hw − Qb``."""
        wv = self._vector(w, "w")
        if self._given_w_star:
            return self._hv(wv - self.w_star)
        return self._hv(wv) - self._hws

    # ------------------------------------------------------------------ L2

    def shrinkage(self, alpha: float) -> FloatArray:
        """Per-direction factors ``λ_i / (λ_i + α)`` (l2.eigen, G 7.13), ascending λ.

        At ``α = 0`` a direction with ``λ_i = 0`` gets its α → 0⁺ limit, 0 (not 1: the limit of
        ``λ/(λ+α)`` is 1 only for λ > 0), so ``shrinkage(0)`` is the projection onto range(H) that
        l2.pinv describes. On a thin (Gram-route) basis: one factor per stored direction; the
        complement's factor is 0 (λ = 0 there).
        """
        a = as_nonneg_float(alpha, "alpha", where="l2.eigen")
        self._need_positive_shift(a, "l2.eigen", allow_zero_limit=True)
        return self._shrink(self._lam, a)

    @staticmethod
    def _shrink(lam: FloatArray, alpha: float | FloatArray) -> FloatArray:
        den = lam + alpha
        safe = np.where(den == 0, 1.0, den)
        return np.where(den == 0, 0.0, lam / safe)

    def l2_optimum(self, alpha: float, *, center: ArrayLike | None = None) -> FloatArray:
        """``w̃ = (H + αI)⁻¹Hw* = Q(Λ + αI)⁻¹ΛQᵀw*`` (l2.optimum G 7.10, l2.eigen G 7.13).

        With ``center = w₀`` the penalty is ``(α/2)‖w − w₀‖²`` and
        ``w̃ = (H + αI)⁻¹(Hw* + αw₀)`` (es.nonzero_init, G footnote to 7.40).

        Computed as ``Q(b/(λ + α))`` from the linear term ``b = λ·Qᵀw*`` (no w* needed). On a thin
        (Gram-route) basis H vanishes on the complement of range(Q), where ``w̃`` is 0, or the
        complement part ``(I − QQᵀ)w₀`` of the center.

        Raises:
            PreconditionError: α < 0, or ``H + αI`` not positive definite (λ_min + α ≤ 0).
        """
        a = as_nonneg_float(alpha, "alpha", where="l2.optimum")
        self._need_positive_shift(a, "l2.optimum")
        return self._ridge_in_eigenbasis(np.full_like(self._lam, a), center)

    def generalized_ridge(self, alphas: ArrayLike, *, center: ArrayLike | None = None) -> FloatArray:
        """Minimiser of ``J(w) + ½ Σ_i α_i (q_iᵀ(w − w₀))²``: one penalty per eigendirection.

        ``w = Q (Λ + A)⁻¹ (Λ Qᵀw* + A Qᵀw₀)`` with ``A = diag(α_i)`` (ascending-λ order). With the α_i of
        :meth:`early_stopping_alpha` this is the GD iterate (es.equivalence, G 7.41–7.43; Ali et al.
        2019, supplement Lemma 3).

        ``alphas`` has one entry per stored eigendirection (:attr:`eigenvalues`; d of them, r on the
        Gram route). On a thin basis the complement of range(Q) has λ = 0 and its solution is the
        complement part ``(I − QQᵀ)w₀`` of the center (0 without one): the minimiser for every positive
        penalty there, and the α → 0⁺ limit.
        """
        av = as_vector(alphas, "alphas", size=self._lam.size, dtype=self.dtype)
        if (av < 0).any():
            i = int(np.argmin(av))
            raise PreconditionError(f"generalized_ridge needs α_i ≥ 0; α_{i} = {av[i]}")
        bad = ~self._positive_shift(self._lam, av)
        if bad.any():
            i = int(np.argmax(bad))
            raise PreconditionError(
                f"generalized_ridge needs λ_i + α_i > 0 (beyond the rounding {self._zero_tol:.3g} of λ when "
                f"λ_i < 0); direction {i} has λ_{i} = {self._lam[i]:.6g}, α_{i} = {av[i]:.6g}, "
                f"λ_{i} + α_{i} = {self._lam[i] + av[i]:.6g}"
            )
        return self._ridge_in_eigenbasis(av, center)

    def _ridge_in_eigenbasis(self, alphas: FloatArray, center: ArrayLike | None) -> FloatArray:
        if center is None:
            return self._Q @ (self._b / (self._lam + alphas))
        w0 = self._vector(center, "center")
        proj = self._Q.T @ w0
        out = self._Q @ ((self._b + alphas * proj) / (self._lam + alphas))
        if self._thin:  # the complement of range(Q): H = 0 there, the center's part is kept
            out += w0 - self._Q @ proj
        return out

    def l2_path(self, alphas: ArrayLike) -> FloatArray:
        """``w̃(α) = (H + αI)⁻¹Hw*`` for every α, shape (k, d), from the one eigendecomposition (l2.eigen).

        ``alphas`` is a 1-D array or one number (which gives one row, shape (1, d)), validated as
        :func:`theory.validate.as_alphas` says (negative α: PreconditionError).

        Row j is ``Q(b/(λ + α_j))``, ``b = λ·Qᵀw*`` the linear term (G 7.13 with ``λc = b``). Cost: k·m
        for the coefficients (one k×m array, divided in place) plus one (k×m)·(m×d) product, m = d (or r
        on the Gram route, where this is the kernel form ``Xᵀ(XXᵀ + nαI)⁻¹y``).

        Every α needs ``H + αI ≻ 0``. So α = 0 is allowed only when H itself is positive definite: a
        singular H (wide data, d > n, the Gram route; collinear columns) needs α > 0. The α → 0⁺ limit
        of the path is the minimum-norm minimiser :attr:`w_star` (l2.pinv); ask for it directly.

        Raises:
            InputError: α not a number or 1-D array of finite numbers.
            PreconditionError: some α < 0, or ``H + αI`` not positive definite for the smallest α.
            ResourceError: the k×d output exceeds the memory limit (:mod:`theory.resources`).
        """
        with np.errstate(over="ignore"):  # a float32 problem: α beyond 3.4e38 is inf, its limit (row 0)
            av = as_alphas(alphas, "alphas", where="l2.optimum").astype(self.dtype)
        self._need_positive_shift(float(av.min()), "l2.optimum")
        k, m = av.size, self._lam.size
        check_allocation(
            array_bytes((k, self.d), self.dtype) + array_bytes((k, m), self.dtype),
            f"l2_path: {k} points × {self.d} weights ({self.dtype})",
            hint="ask for fewer α per call",
        )
        coef = np.add.outer(av, self._lam)
        np.divide(self._b, coef, out=coef)
        return coef @ self._Q.T

    def effective_dof(self, alpha: float) -> float:
        """``df(α) = Σ_i λ_i/(λ_i + α)`` (l2.dof, ESL eq. 3.50); ``df(0) = rank(H)`` as the α → 0⁺ limit.

        α as for :meth:`l2_optimum` (a finite number ≥ 0; negative: PreconditionError).
        """
        a = as_nonneg_float(alpha, "alpha", where="l2.dof")
        return float(np.sum(self.shrinkage(a)))

    def constraint_radius(self, alpha: float) -> float:
        """``k(α) = ‖w̃(α)‖``, the radius of the norm ball whose constrained optimum is w̃(α).

        Decreasing in α (l2.constraint, G 7.26–7.28). At α = 0 it is the α → 0⁺ limit.
        """
        a = as_nonneg_float(alpha, "alpha", where="l2.eigen")
        self._need_positive_shift(a, "l2.eigen", allow_zero_limit=True)
        return float(np.linalg.norm(self._b_over(a)))

    def _b_over(self, alpha: float) -> FloatArray:
        """``b/(λ + α) = (λ/(λ + α))·c`` per stored direction, 0 where ``λ + α = 0`` (the α → 0⁺ limit)."""
        den = self._lam + alpha
        nz = den != 0
        return np.where(nz, self._b / np.where(nz, den, 1.0), 0.0)

    def alpha_for_radius(self, radius: float) -> float:
        """The α ≥ 0 with ``‖w̃(α)‖ = radius``: the KKT multiplier of ``min J s.t. ‖w‖ ≤ radius``.

        Returns 0 when the ball already holds ``w̃(0⁺)`` (the constraint is inactive). Solved by Brent's
        method on log α, to relative precision 4·eps in α.
        """
        k = as_positive_float(radius, "radius", where="l2.constraint")
        if self._indefinite:
            raise PreconditionError(
                f"l2.constraint needs H ⪰ 0; its smallest eigenvalue is {self._lam_lo:.6g}"
            )
        k_max = self.constraint_radius(0.0)
        if k >= k_max:
            return 0.0

        def gap(log_alpha: float) -> float:
            return float(np.linalg.norm(self._b_over(math.exp(log_alpha)))) - k

        lam_max = self._lam_hi
        hi = math.log(lam_max * (k_max / k))  # ‖w̃(α)‖ ≤ k_max·λ_max/(λ_max + α) < k here
        lo = hi - 1.0
        while gap(lo) < 0:
            lo -= 2.0 * (hi - lo)
            if lo < -745:  # exp underflows: k is within rounding of k_max
                return 0.0
        root = scipy.optimize.brentq(gap, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps)
        return math.exp(root)

    # ------------------------------------------------------------------ L1 and elastic net

    def _diagonal(self, where: str) -> FloatArray:
        H = self._hessian()  # formed under the memory limit on the Gram route
        off = H - np.diag(np.diag(H))
        worst = float(np.max(np.abs(off))) if self.d > 1 else 0.0
        if worst > symmetric_tolerance(H):
            raise PreconditionError(
                f"{where} closed form needs a diagonal H; the largest off-diagonal |H_ij| is {worst:.3g}. "
                "For a general H use Quadratic.proximal_optimum(l1=..., l2=...)"
            )
        return np.diag(H).copy()

    def l1_optimum(self, alpha: float) -> FloatArray:
        """``w_i = sign(w*_i) max(|w*_i| − α/H_ii, 0)`` (l1.soft_threshold, G 7.20–7.23).

        Minimises ``J(w) + α‖w‖₁`` for diagonal H with ``H_ii > 0``.

        Raises:
            PreconditionError: α < 0, H not diagonal (use :meth:`proximal_optimum`), some H_ii ≤ 0.
        """
        a = as_nonneg_float(alpha, "alpha", where="l1.soft_threshold")
        h = self._diagonal("l1.soft_threshold")
        if (h <= 0).any():
            i = int(np.argmin(h))
            raise PreconditionError(f"l1.soft_threshold needs H_ii > 0; H_{i}{i} = {h[i]:.6g}")
        w = self.w_star
        return np.sign(w) * np.maximum(np.abs(w) - a / h, 0.0)

    def elastic_net_optimum(self, l1: float, l2: float) -> FloatArray:
        """``w_i = sign(H_ii w*_i) max(|H_ii w*_i| − α₁, 0)/(H_ii + α₂)`` (enet.diagonal).

        Minimises ``J(w) + α₁‖w‖₁ + (α₂/2)‖w‖²`` for diagonal H (Zou & Hastie 2005 for the penalty;
        the per-coordinate derivation is in ``proofs/sparsity.py``). Per coordinate the objective is
        ``½(H_ii + α₂)w² − (H_ii w*_i)w + α₁|w|`` up to a constant: a strictly convex parabola plus
        α₁|w| whenever ``H_ii + α₂ > 0``, minimised by soft-thresholding the linear coefficient
        ``b_i = H_ii w*_i`` at α₁ and dividing by the curvature ``H_ii + α₂``. The sign is that of
        ``b_i``, which is −sign(w*_i) when ``H_ii < 0`` (a saddle direction held by α₂ > −H_ii); for
        ``H_ii > 0`` this is ``sign(w*_i) max(H_ii|w*_i| − α₁, 0)/(H_ii + α₂)``. With α₁ = 0 it is
        :meth:`l2_optimum`, with α₂ = 0 :meth:`l1_optimum`.

        Raises:
            PreconditionError: α₁ or α₂ < 0, H not diagonal, or ``H_ii + α₂ ≤ 0`` for some i (beyond
                the rounding of H_ii when H_ii < 0; an indefinite H also needs ``allow_indefinite``).
        """
        a1 = as_nonneg_float(l1, "l1", where="enet.diagonal")
        a2 = as_nonneg_float(l2, "l2", where="enet.diagonal")
        h = self._diagonal("enet.diagonal")
        bad = ~self._positive_shift(h, a2)
        if bad.any():
            i = int(np.argmax(bad))
            raise PreconditionError(
                f"enet.diagonal needs H_ii + α₂ > 0; H_{i}{i} = {h[i]:.6g} and α₂ = {a2} "
                f"(H_{i}{i} + α₂ = {h[i] + a2:.6g})"
            )
        b = h * self.w_star
        return np.sign(b) * np.maximum(np.abs(b) - a1, 0.0) / (h + a2)

    def proximal_optimum(
        self,
        *,
        l1: float = 0.0,
        l2: float = 0.0,
        tol: float | None = None,
        max_iter: int = 200_000,
        w0: ArrayLike | None = None,
    ) -> ProximalResult:
        """Minimise ``J(w) + α₁‖w‖₁ + (α₂/2)‖w‖²`` for PSD H (or ``H + α₂I ≻ 0``) by FISTA with restart.

        FISTA: Beck & Teboulle, SIAM J. Imaging Sci. 2009; restart: O'Donoghue & Candès, Found.
        Comput. Math. 2015. Step ``1/L`` with ``L = λ_max + α₂``; proximal map the soft threshold
        ``S_{α₁/L}``. While the eigendecomposition of a regression quadratic is deferred, λ_max is
        taken from Lanczos instead (:meth:`_lam_max_estimate`; the result is certified by its KKT
        violation either way, so the two routes agree to that tolerance, not bit for bit). Stops when
        the KKT violation ``max_i dist(−∇f(w)_i, α₁∂|w_i|)`` (with ``f = J + (α₂/2)‖w‖²``) is at most
        ``tol·max(‖Hw*‖_∞, α₁)``; ``tol`` defaults to ``1000·d·eps``.

        Raises:
            ConvergenceError: not converged in ``max_iter`` iterations (the message gives the KKT
                violation reached).
        """
        a1 = as_nonneg_float(l1, "l1", where="proximal_optimum")
        a2 = as_nonneg_float(l2, "l2", where="proximal_optimum")
        if self._indefinite and not bool(self._positive_shift(self._lam[:1], a2)[0]):
            raise PreconditionError(
                f"proximal_optimum needs H + α₂I ≻ 0 for an indefinite H (a convex objective); its "
                f"smallest eigenvalue is {self._lam_lo:.6g} and α₂ = {a2}"
            )
        rel = 1000.0 * self.d * dtype_eps(self.dtype) if tol is None else as_positive_float(tol, "tol")
        hv, Hws = self._hv_many(), self._hws
        abs_tol = rel * max(float(np.max(np.abs(Hws))), a1, np.finfo(self.dtype).tiny)
        L = (self._lam_hi if self._pending is None else self._lam_max_estimate()) + a2
        if L <= 0:  # H = 0 and α₂ = 0: J is constant, w = argmin α₁‖w‖₁ = 0
            return ProximalResult(np.zeros_like(Hws), 0, 0.0, abs_tol)
        step = 1.0 / L

        def grad(w: FloatArray) -> FloatArray:
            return hv(w) - Hws + a2 * w

        def kkt(w: FloatArray, g: FloatArray) -> float:
            nz = w != 0
            viol = np.where(nz, np.abs(g + a1 * np.sign(w)), np.maximum(np.abs(g) - a1, 0.0))
            return float(np.max(viol))

        w = np.zeros_like(Hws) if w0 is None else self._vector(w0, "w0").copy()
        z, t = w.copy(), 1.0
        g = grad(w)
        for it in range(1, max_iter + 1):
            gz = grad(z)
            u = z - step * gz
            w_new = np.sign(u) * np.maximum(np.abs(u) - step * a1, 0.0)
            t_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            # adaptive restart: drop momentum when it points uphill (gradient scheme)
            if float((z - w_new) @ (w_new - w)) > 0:
                t_new, z = 1.0, w_new.copy()
            else:
                z = w_new + ((t - 1.0) / t_new) * (w_new - w)
            w, t = w_new, t_new
            if it % 10 == 0 or it == max_iter:
                g = grad(w)
                v = kkt(w, g)
                if v <= abs_tol:
                    return ProximalResult(w, it, v, abs_tol)
        v = kkt(w, grad(w))
        raise ConvergenceError(
            f"proximal_optimum did not converge in {max_iter} iterations: KKT violation {v:.3g} > "
            f"tolerance {abs_tol:.3g} (condition number of H + α₂I ≈ "
            f"{L / max(self._lam_lo + a2, 1e-300):.3g})"
        )

    def _cholesky_minimiser(self) -> FloatArray | None:
        """``H⁻¹(Xᵀy/n)`` by Cholesky when H is safely positive definite, else ``None``.

        "Safely": the factorisation succeeds and LAPACK's 1-norm reciprocal condition estimate ``r``
        (``?pocon``, Hager–Higham; a lower bound on κ₁ that Higham, *Accuracy and Stability of
        Numerical Algorithms*, §15.3, reports rarely off by more than 10) exceeds ``100×`` the
        eigendecomposition's zero threshold ``10·d·eps`` relative to λ_max. For symmetric H,
        ``κ₂ ≤ κ₁``, so then λ_min is above that threshold, no eigenvalue would be rounded to zero, and
        the unique minimiser is the one the eigenbasis route uses.
        """
        H = self._hessian()
        d = self.d
        check_allocation(
            array_bytes((d, d), self.dtype),
            f"value(w): the Cholesky factor of H ({d}×{d} {self.dtype})",
        )
        try:
            c, lower = scipy.linalg.cho_factor(H, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            return None
        pocon = scipy.linalg.get_lapack_funcs("pocon", (c,))
        rcond, info = pocon(c, float(np.max(np.sum(np.abs(H), axis=0))), uplo="L")
        # 100×: a margin for the κ estimate being low by up to the "rarely more than 10" Higham reports
        # (a heuristic, not a bound: an estimate low by more than 100× would let an H with eigenvalues
        # near the rounding threshold take this route, where the eigenbasis would round them to 0)
        if info != 0 or not rcond > 100.0 * rounding_zero_tolerance(d, 1.0, self.dtype):
            return None
        return scipy.linalg.cho_solve((c, lower), self._hws, check_finite=False)

    def _lam_max_estimate(self) -> float:
        """``λ_max(H)`` without the eigendecomposition: Lanczos (ARPACK) Ritz value θ plus its residual.

        The Ritz value satisfies θ ≤ λ_max, and some eigenvalue lies within ``‖Hv − θv‖`` of θ
        (Parlett, *The Symmetric Eigenvalue Problem*, Thm 4.5.1); with a random start the largest Ritz
        value converges to λ_max, so ``θ + ‖Hv − θv‖`` is the FISTA Lipschitz constant used. It is an
        estimate, not a bound, in the measure-zero case of a start orthogonal to the top eigenvector;
        :meth:`proximal_optimum` certifies its result by the KKT violation regardless. For d ≤ 2
        (below ARPACK's minimum size) the eigendecomposition is done.
        """
        d = self.d
        if d <= 2:
            return self._lam_hi
        import scipy.sparse.linalg

        H = self._hessian()
        if not H.any():  # H = 0 exactly (X = 0): ARPACK refuses a zero Krylov space; λ_max = 0
            return 0.0
        v0 = np.random.default_rng(0).standard_normal(d)  # fixed: the same L on every call
        try:
            theta, V = scipy.sparse.linalg.eigsh(H, k=1, which="LA", v0=v0.astype(H.dtype))
        except scipy.sparse.linalg.ArpackError:  # e.g. a start in an invariant subspace: decompose
            return self._lam_hi
        v = V[:, 0]
        resid = float(np.linalg.norm(H @ v - theta[0] * v))
        return max(float(theta[0]) + resid, 0.0)

    def l1_path(
        self, alphas: ArrayLike, *, tol: float | None = None, max_events: int | None = None
    ) -> SparsePath:
        """The lasso path: :meth:`elastic_net_path` with α₂ = 0 (l1.soft_threshold along a grid)."""
        return self.elastic_net_path(alphas, l2=0.0, tol=tol, max_events=max_events)

    def elastic_net_path(
        self, l1s: ArrayLike, *, l2: float, tol: float | None = None, max_events: int | None = None
    ) -> SparsePath:
        """Minimise ``J(w) + α₁‖w‖₁ + (α₂/2)‖w‖²`` for every α₁ in ``l1s``, each row KKT-certified.

        Homotopy / LARS-EN in Gram form with predicted active sets (:mod:`theory.sparse_path`, which
        cites the sources and derives the tolerance), on ``b = Hw* = −∇J(0)``. When H is stored it is
        read column by column; from regression data without a stored H (the Gram route, d > n, or a
        primal route whose H the eigendecomposition consumed) the active columns are ``Xᵀ(X[:, j])/n``
        (:class:`theory.sparse_path.DataGram`): O(nd) per column, d×|A| memory, never the d×d H.
        """
        b = -self.gradient(np.zeros(self.d, dtype=self.dtype))
        # XᵀX/n is PSD by construction (no eigenvalue needed: the path never uses the eigenbasis); a
        # general H is checked against its smallest eigenvalue, from the eigh done in __init__
        lam_min = 0.0 if self._psd_by_construction else float(self.eigenvalues[0])
        op: Any
        if self._H is not None:
            op = self._H
        elif self._X is not None:
            op = DataGram(self._X)
        else:  # pragma: no cover - a Quadratic without H has regression data
            op = self._hessian()
        return elastic_net_path(
            op, b, l1s, l2=l2, tol=tol, dtype=self.dtype, lambda_min=lam_min, max_events=max_events
        )

    # ------------------------------------------------------------------ gradient descent

    def max_stable_step(self, alpha: float = 0.0) -> float:
        """``2/(λ_max + α)``: GD on ``J + (α/2)‖w‖²`` converges iff ``0 < ε <`` this (gd.stability).

        For ``H = 0`` (every eigenvalue zero within rounding) and α = 0 the gradient is identically 0, GD
        never moves and every step is stable: the bound is ``2/0 = +inf``.

        Raises:
            PreconditionError: ``λ_max + α < 0`` (every direction grows: no step is stable), or
                ``λ_max + α = 0`` with a negative eigenvalue.
        """
        a = as_nonneg_float(alpha, "alpha", where="gd.stability")
        top = self._lam_hi + a
        if top == 0 and self._lam_lo == 0:  # exact: λ is 0 after rounding-to-zero, α = 0
            return math.inf
        if top <= 0:
            raise PreconditionError(f"gd.stability needs λ_max + α > 0; λ_max = {self._lam_hi:.6g}, α = {a}")
        return 2.0 / top

    def _gd_setup(
        self, eps: float, alpha: float, w0: ArrayLike | None, where: str
    ) -> tuple[float, float, FloatArray, FloatArray, FloatArray]:
        """(ε, α, w⁽⁰⁾, Qᵀ(fixed point − w⁽⁰⁾), x_i = ε(λ_i + α)): what GD from w⁽⁰⁾ needs.

        The per-direction rate is ``1 − x_i``; x is returned, not the rate, because rounding ``1 − x``
        loses ``log10(1/x)`` digits of x (see :func:`theory.numerics.gd_fraction_done`).
        """
        e = as_positive_float(eps, "eps", where=where)
        a = as_nonneg_float(alpha, "alpha", where=where)
        start = np.zeros(self.d, dtype=self.dtype) if w0 is None else self._vector(w0, "w0")
        den = self._lam + a
        if a > 0 and not self._positive_shift(self._lam, a).all() and (np.abs(den) <= self._zero_tol).any():
            i = int(np.argmin(np.abs(den)))
            raise PreconditionError(
                f"{where} needs H + αI invertible; λ_{i} + α = {self._lam[i]:.6g} + {a} is zero within the "
                f"rounding {self._zero_tol:.3g} of the eigenvalues"
            )
        # the fixed point is w* for α = 0 (the gap Qᵀ(w* − w⁽⁰⁾) taken before rotating, to keep
        # precision), and w̃(α) = Q(λ/(λ + α))c for α > 0
        if a == 0 and self._given_w_star:
            gap = self._Q.T @ (self.w_star - start)
        else:  # b/(λ + α), with c = b/λ on range(H) and 0 on its null space at α = 0
            gap = self._b_over(a) - self._Q.T @ start
        return e, a, start, gap, e * den

    def _check_trajectory(self, k: int, where: str) -> None:
        """Count a k-point trajectory before any of it is made: the k×d output and the k×m work arrays
        (the per-direction factors, their product with the gap, and a temporary of forming them)."""
        m = self._Q.shape[1] + 1
        check_allocation(
            array_bytes((k, self.d), self.dtype) + 3 * array_bytes((k, m), self.dtype),
            f"{where}: {k} points × {self.d} weights ({self.dtype}) and 3 work arrays of {k}×{m}",
            hint="ask for fewer times per call",
        )

    def _trajectory(
        self, coef: FloatArray, start: FloatArray, complement_done: FloatArray | None, where: str
    ) -> FloatArray:
        """``w⁽⁰⁾ + coef·Qᵀ − done_⊥ ⊗ (I − QQᵀ)w⁽⁰⁾``, k×d (the caller checks: :meth:`_check_trajectory`).

        ``complement_done`` (k values) is how far the complement part of w⁽⁰⁾ has decayed toward 0 (the
        weight decay alone acts there on a thin basis); ``None`` when there is nothing to move.
        """
        if complement_done is not None and self._thin and start.any():
            perp = self._perp(start)
            coef = np.hstack([coef, -complement_done[:, None]])
            out = coef @ np.vstack([self._Q.T, perp[None, :]])
        else:
            out = coef @ self._Q.T
        # w⁽⁰⁾ is added in the original basis: τ = 0 returns it exactly, not Q(Qᵀw⁽⁰⁾)
        out += start
        return out

    def gd_iterates(
        self, eps: float, taus: ArrayLike, w0: ArrayLike | None = None, alpha: float = 0.0
    ) -> FloatArray:
        """GD iterates on ``J + (α/2)‖w‖²`` in closed form, shape (len(taus), d).

        ``w⁽τ⁾ − w̃ = (I − ε(H + αI))^τ (w⁽⁰⁾ − w̃)`` (es.trajectory, G 7.33–7.40; with α = 0 and
        ``w⁽⁰⁾ = 0``: ``w⁽τ⁾ = Q[I − (I − εΛ)^τ]Qᵀw*``, G 7.40). Computed per eigendirection, then one
        (k×d)·(d×d) product. ``taus`` are non-negative integers (a scalar gives one row).

        Written as ``w⁽τ⁾ = w⁽⁰⁾ + Q[1 − r^τ]Qᵀ(w̃ − w⁽⁰⁾)``, ``r = 1 − x_i``, ``x_i = ε(λ_i + α)`` per
        direction, with ``1 − r^τ = −expm1(τ·log1p(−x_i))`` when x_i < 1, taken from the product x_i
        itself (:func:`theory.numerics.gd_fraction_done`): the naive ``z̃ − r^τz̃`` loses
        ``log10(1/(ελτ))`` digits to cancellation, and even ``log1p(r − 1)`` loses ``log10(1/(ελ))``
        because ``r`` is rounded first. The factor is accurate to ``eps·(κ + 2.5)`` relative,
        ``κ = x/((1 − x)|log1p(−x)|)``, for every τ (:func:`theory.numerics.gd_fraction_done_tolerance`;
        tested against a 50-digit mpmath reference down to ελ = 1e-12).

        On a thin (Gram-route) basis the complement part of w⁽⁰⁾ is multiplied by ``(1 − εα)^τ``.

        Raises:
            StabilityError: an iterate overflows (ε beyond :meth:`max_stable_step` and τ large).
            ResourceError: the k×d output exceeds the memory limit.
        """
        steps = as_steps(taus, "taus")
        e, a, start, gap, x = self._gd_setup(eps, alpha, w0, "es.trajectory")
        self._check_trajectory(steps.size, "es.trajectory")
        t = steps[:, None].astype(self.dtype)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            done = gd_fraction_done(x, t)
            # on a thin basis the complement of w⁽⁰⁾ (H = 0 there) is multiplied by (1 − εα)^τ
            perp_done = gd_fraction_done(np.asarray(e * a, dtype=self.dtype), t[:, 0]) if a > 0 else None
            out = self._trajectory(done * gap, start, perp_done, "es.trajectory")
        if not np.isfinite(out).all():
            raise StabilityError(
                f"es.trajectory: GD iterates overflow at τ = {int(steps.max())}: ε = {eps} is beyond the "
                f"stability bound 2/(λ_max + α) = {self.max_stable_step(alpha):.6g} (gd.stability)"
            )
        return out

    def gradient_flow(self, t: ArrayLike, w0: ArrayLike | None = None, alpha: float = 0.0) -> FloatArray:
        """Gradient flow ``ẇ = −∇(J + (α/2)‖w‖²)`` at times ``t``, shape (len(t), d).

        ``w(t) = w̃ + Q e^{−t(Λ + αI)} Qᵀ(w⁽⁰⁾ − w̃)``; from 0 with α = 0, ``w(t) = Q[I − e^{−tΛ}]Qᵀw*``:
        the ε → 0, ετ = t limit of :meth:`gd_iterates` (es.trajectory; the estimator of Ali, Kolter &
        Tibshirani 2019, es.gf_vs_ridge). Along q_i it keeps ``1 − e^{−λ_i t}`` of w*, against ridge's
        ``λ_i/(λ_i + 1/t)``. On a thin basis the complement part of w⁽⁰⁾ is multiplied by ``e^{−αt}``.
        """
        times = as_vector(np.atleast_1d(np.asarray(t, dtype=float)), "t", dtype=self.dtype)
        if (times < 0).any():
            raise PreconditionError(f"gradient flow needs t ≥ 0; got t = {times[times < 0][0]}")
        # the step size only enters through rate, which the flow does not use
        _, a, start, gap, _ = self._gd_setup(1.0, alpha, w0, "es.trajectory")
        self._check_trajectory(times.size, "gradient_flow")
        done = -np.expm1(-times[:, None] * (self._lam + a))
        perp_done = -np.expm1(-times * a) if a > 0 else None
        return self._trajectory(done * gap, start, perp_done, "gradient_flow")

    def simulate_gd(
        self, eps: float, taus: ArrayLike, w0: ArrayLike | None = None, alpha: float = 0.0
    ) -> FloatArray:
        """The plain loop ``w ← w − ε(H(w − w*) + αw)`` (l2.update, G 7.5), recorded at ``taus``.

        The independent route for :meth:`gd_iterates`: max(taus) matrix-vector products.
        """
        steps = as_steps(taus, "taus")
        e = as_positive_float(eps, "eps", where="l2.update")
        a = as_nonneg_float(alpha, "alpha", where="l2.update")
        w = np.zeros(self.d, dtype=self.dtype) if w0 is None else self._vector(w0, "w0").copy()
        check_allocation(  # the k×d record, and the k-long sort order of the steps
            array_bytes((steps.size, self.d), self.dtype) + array_bytes(steps.size, np.intp),
            f"simulate_gd: {steps.size} recorded iterates × {self.d} weights ({self.dtype})",
            hint="ask for fewer times per call",
        )
        out = np.empty((steps.size, self.d), dtype=self.dtype)
        order = np.argsort(steps, kind="stable")  # fill the rows in step order, each as its τ is reached
        hv = self._hv_many()
        pos = 0
        for tau in range(int(steps.max()) + 1):
            if tau > 0:
                grad = hv(w - self.w_star) if self._given_w_star else hv(w) - self._hws
                w = (1.0 - e * a) * w - e * grad
            while pos < order.size and steps[order[pos]] == tau:
                out[order[pos]] = w
                pos += 1
        return out

    def gd_limit(self, eps: float, w0: ArrayLike | None = None, alpha: float = 0.0) -> FloatArray:
        """``lim_{τ→∞} w⁽τ⁾`` of GD on ``J + (α/2)‖w‖²`` from ``w⁽⁰⁾``.

        The iteration is ``w ← w − ε(H(w − w*) + αw)``: per eigendirection the error is multiplied by
        ``1 − ε(λ_i + α)`` each step, so (gd.stability, G 7.33–7.40):

        * α > 0 and ``H + αI ≻ 0`` (any α > 0 for PSD H; α > −λ_min for an indefinite one): the limit is
          the ridge optimum w̃(α) = :meth:`l2_optimum` (α) for every ``0 < ε < 2/(λ_max + α)``, whatever
          ``w⁽⁰⁾``;
        * α = 0 and singular PSD H: a direction with λ_i = 0 has zero gradient and keeps its ``w⁽⁰⁾``
          component, so the limit is ``w* + (I − H⁺H)(w⁽⁰⁾ − w*)``; on least squares with the
          minimum-norm w* that is ``X⁺y + (I − X⁺X)w⁽⁰⁾`` (gd.min_norm); for H = 0 it is ``w⁽⁰⁾`` for
          every ε (:meth:`max_stable_step` is +inf).

        On a thin (Gram-route) basis the complement part of ``w⁽⁰⁾`` is kept for α = 0 and decays to 0
        for α > 0.

        Scale: ε is the step on J itself. For :meth:`from_regression` (``H = XᵀX/n``) that is GD on the
        mean loss ``(1/2n)‖Xw − y‖²``, ``w ← w − (ε/n)Xᵀ(Xw − y)``, stable for ``ε < 2/λ_max(XᵀX/n)``
        (:func:`theory.regression.max_stable_step`); on ``½‖Xw − y‖²`` the same ε is n times larger.

        Raises:
            PreconditionError: ``H + αI`` has an eigenvalue ≤ 0 beyond rounding while H has a negative
                one (GD diverges along it, or drifts under a constant gradient when it is 0).
            StabilityError: ε ≥ 2/(λ_max + α) (gd.stability): GD does not converge.
        """
        e, a, start, gap, _ = self._gd_setup(eps, alpha, w0, "gd.stability")
        if self._indefinite and not bool(self._positive_shift(self._lam[:1], a)[0]):
            raise PreconditionError(
                f"gd.stability needs H + αI ≻ 0 for a limit when H is indefinite; λ_min + α = "
                f"{self._lam_lo:.6g} + {a} = {self._lam_lo + a:.6g}"
            )
        bound = self.max_stable_step(a)
        if not e < bound:
            raise StabilityError(
                f"gd.stability: GD converges only for 0 < ε < 2/(λ_max + α) = {bound:.6g}; got ε = {e}"
            )
        # here every λ_i + α > 0 except, for α = 0, the λ_i that are exactly 0 (rounded to 0 in
        # __init__): those directions have zero gradient and keep their w⁽⁰⁾ component
        moving = (self._lam + a) > 0
        out = start + self._Q @ np.where(moving, gap, 0.0)
        if self._thin and a > 0:  # the complement of a thin basis decays to 0 under α > 0 alone
            out -= self._perp(start)
        return out

    # ------------------------------------------------------------------ early stopping ⇔ L2

    def _es_setup(self, eps: float, tau: int, where: str) -> tuple[float, int, FloatArray]:
        e = as_positive_float(eps, "eps", where=where)
        steps = as_steps(tau, "tau")
        if steps.size != 1:
            raise InputError(f"{where}: tau must be one step count; got {steps.size} values")
        t = int(steps[0])
        if t < 1:
            raise PreconditionError(f"{where} needs τ ≥ 1 (at τ = 0 the equivalent α is ∞); got τ = {t}")
        if self._indefinite:
            raise PreconditionError(f"{where} needs H ⪰ 0; smallest eigenvalue {self._lam_lo:.6g}")
        top = e * self._lam_hi
        if top >= 1:
            raise PreconditionError(
                f"{where} needs 0 < ελ_i < 1 for every i (monotone GD, G 7.41); ελ_max = {top:.6g}"
            )
        return e, t, self._lam

    def early_stopping_alpha(self, eps: float, tau: int) -> FloatArray:
        """Exact per-direction penalty ``α_i = λ_i(1 − ελ_i)^τ / (1 − (1 − ελ_i)^τ)`` (es.equivalence).

        With these α_i, ``generalized_ridge(α)`` equals ``gd_iterates(eps, tau)`` from 0 (G 7.41–7.43).
        A single α matches only a degenerate spectrum. Directions with λ_i = 0 get the λ → 0 limit
        ``1/(ετ)``; on a thin basis there is one α_i per stored direction, and the complement (λ = 0) has
        ``1/(ετ)`` too, which leaves GD's complement part (0 from w⁽⁰⁾ = 0) alone. Evaluated as
        ``λ·exp(τ·log1p(−ελ)) / −expm1(τ·log1p(−ελ))`` to keep precision when ελ ≪ 1.
        """
        e, t, lam = self._es_setup(eps, tau, "es.equivalence")
        log_r = t * np.log1p(-e * lam)
        den = -np.expm1(log_r)
        positive = lam > 0
        safe = np.where(positive, den, 1.0)
        return np.where(positive, lam * np.exp(log_r) / safe, 1.0 / (e * t))

    def early_stopping_alpha_series(self, eps: float, tau: int) -> FloatArray:
        """``α_i ≈ 1/(ετ) − λ_i(τ + 1)/(2τ)``: the series of α_i to first order in λ_i (es.approx)."""
        e, t, lam = self._es_setup(eps, tau, "es.approx")
        return 1.0 / (e * t) - lam * (t + 1) / (2.0 * t)

    def early_stopping_approx_error(self, eps: float, tau: int) -> FloatArray:
        """Relative error ``|1/(ετ) − α_i| / α_i`` of the rule τ ≈ 1/(εα) per direction (es.approx, G 7.45).

        To first order it is ``ελ_i(τ + 1)/2 = λ_i(τ + 1)/(2τα)`` with ``α = 1/(ετ)``, i.e. ``λ_i/(2α)`` for
        large τ: small only where λ_i ≪ α.
        """
        exact = self.early_stopping_alpha(eps, tau)
        return np.abs(1.0 / (float(eps) * int(np.asarray(tau))) - exact) / exact

    # ------------------------------------------------------------------ helpers

    def _vector(self, value: ArrayLike, name: str) -> FloatArray:
        return as_vector(value, name, size=self.d, dtype=self.dtype)

    def _positive_shift(self, lam: FloatArray, alpha: float | FloatArray) -> NDArray[np.bool_]:
        """``λ_i + α_i > 0`` decided beyond rounding.

        λ_i ≥ 0 here is exact (eigenvalues within rounding of 0 were set to 0) and α ≥ 0, so the sign of
        ``λ_i + α_i`` is exact; a negative λ_i is known only to ``±zero_tol``, so ``λ_i + α_i`` must
        exceed that to be positive.
        """
        margin = np.where(lam < 0, self._zero_tol, 0.0)
        return np.asarray(lam + alpha > margin)

    def _need_positive_shift(self, alpha: float, where: str, *, allow_zero_limit: bool = False) -> None:
        lo = self._lam_lo
        if bool(self._positive_shift(np.array([lo]), alpha)[0]):
            return
        if allow_zero_limit and alpha == 0 and lo == 0:
            return
        raise PreconditionError(
            f"{where} needs H + αI positive definite; smallest eigenvalue of H is {lo:.6g} and α = {alpha}"
        )
