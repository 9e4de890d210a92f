"""The shared eigenbasis of the quadratic model ``J(w) = J(w*) + ½(w − w*)ᵀH(w − w*)``.

:class:`QuadraticBase` holds what every topic of :class:`theory.quadratic.Quadratic` works in: the ONE
symmetric eigendecomposition ``H = QΛQᵀ`` (eigenvalues ascending, as ``eigh`` returns them), the
linear term ``b = λ·c = Qᵀ(Hw*)`` with ``c = Qᵀw*``, and the lazy state behind it. The topic classes
subclass it and read the basis through the same private accessors (``_Q``, ``_lam``, ``_b``,
``_zero_tol``), which run a deferred decomposition (:meth:`theory.quadratic.Quadratic.from_regression`,
primal route) at most once per instance; no topic module decomposes H itself:

* :mod:`theory.quadratic`: construction (``Quadratic(H, w*)``, ``from_regression``) and L2
  (``l2.*``);
* :mod:`theory.sparsity`: L1 and the elastic net, closed forms, proximal solver and paths
  (``l1.*``, ``enet.*``);
* :mod:`theory.dynamics`: gradient descent and early stopping (``gd.*``, ``es.*``).

Here: the installed basis and its public accessors (:attr:`~QuadraticBase.H`,
:attr:`~QuadraticBase.w_star`, :attr:`~QuadraticBase.eigenvalues`, :attr:`~QuadraticBase.eigenvectors`,
:attr:`~QuadraticBase.coordinates`, ``d``, ``dtype``, ``route``, ``rank``, ``condition_number``), the
products ``Hv`` and ``Hw*``, ``value`` and ``gradient``, and the validation helpers the topics share
(a vector of the problem's size and dtype; ``λ_i + α > 0`` decided beyond rounding). The accessors
live on the base, not on ``Quadratic``, because every topic uses some of them (``d``, ``dtype``,
``w_star``, ``gradient``, ``eigenvalues``) and a topic class type-checks only against what its base
declares.

The class is not instantiated by itself: :class:`theory.quadratic.Quadratic` constructs it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

from theory.errors import PreconditionError
from theory.numerics import rounding_zero_tolerance
from theory.resources import array_bytes, check_allocation
from theory.validate import as_vector

__all__ = ["FloatArray", "QuadraticBase"]

FloatArray = NDArray[np.floating[Any]]


class QuadraticBase:
    """The eigenbasis ``H = QΛQᵀ`` of a quadratic, shared by every topic of :class:`Quadratic`.

    Holds the state that :meth:`theory.quadratic.Quadratic.__init__` and
    :meth:`~theory.quadratic.Quadratic.from_regression` install: H (possibly not yet formed), w*
    (possibly not yet computed), Q, λ and ``b = λ·Qᵀw*`` (possibly not yet decomposed). A thin basis
    (Q d×r, r < d, from the Gram route) means H vanishes on the complement of range(Q).
    """

    _w_star: FloatArray | None
    _c: FloatArray | None
    _hw: FloatArray | None
    _H: FloatArray | None

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

    def _b_over(self, alpha: float) -> FloatArray:
        """``b/(λ + α) = (λ/(λ + α))·c`` per stored direction, 0 where ``λ + α = 0`` (the α → 0⁺ limit)."""
        den = self._lam + alpha
        nz = den != 0
        return np.where(nz, self._b / np.where(nz, den, 1.0), 0.0)

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
