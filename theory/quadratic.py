"""The quadratic model of chapter 7: ``J(w) = J(w*) + ½(w − w*)ᵀH(w − w*)``.

:class:`Quadratic` eigendecomposes ``H = QΛQᵀ`` once (``scipy.linalg.eigh``, divide and conquer)
and answers every question of the theory in that eigenbasis, where the problem decouples into one
scalar problem per direction: an α-path of k points costs one ``eigh`` plus one (k×d)·(d×d)
product, not k solves.

Coordinates: ``c = Qᵀw*`` are the coordinates of ``w*`` along the eigenvectors; eigenvalues are in
ascending order (as ``eigh`` returns them) in every per-direction result.

Sources are given per method; "G" is Goodfellow, Bengio & Courville, *Deep Learning* (2016).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize
from numpy.typing import ArrayLike, NDArray

from theory.errors import ConvergenceError, InputError, PreconditionError, StabilityError
from theory.numerics import gd_fraction_done, rounding_zero_tolerance
from theory.sparse_path import SparsePath, elastic_net_path
from theory.validate import (
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
        asym = float(np.max(np.abs(Hm - Hm.T)))
        tol = symmetric_tolerance(Hm)
        if asym > tol:
            raise PreconditionError(
                f"H must be symmetric; max|H − Hᵀ| = {asym:.3g} exceeds the rounding tolerance {tol:.3g}"
            )
        Hm = (Hm + Hm.T) / 2
        # divide and conquer (LAPACK ?syevd), not SciPy's default MRRR (?syevr): MRRR's eigenvectors
        # lose orthogonality up to ~200·d·eps where ?syevd's stay below d·eps (bench/eigh_drivers.py),
        # and every formula here rotates through Q twice
        lam, Q = scipy.linalg.eigh(Hm, check_finite=False, driver="evd")
        # eigenvalues within rounding of zero are zero: |λ| ≤ c·d·eps·‖H‖₂ (Higham §7.1)
        zero_tol = rounding_zero_tolerance(d, float(np.max(np.abs(lam))), Hm.dtype)
        if lam[0] < -zero_tol and not allow_indefinite:
            raise PreconditionError(
                f"H must be positive semidefinite; its smallest eigenvalue is {lam[0]:.6g} "
                f"(rounding allows down to {-zero_tol:.3g}); pass allow_indefinite=True for a saddle"
            )
        lam = np.where(np.abs(lam) <= zero_tol, 0.0, lam).astype(Hm.dtype)
        # the instance owns its arrays, read-only: as_vector may return the caller's own float array,
        # and a later in-place change to it (or to a property's value) would desynchronise w* from
        # its eigenbasis coordinates c = Qᵀw*
        w = w.copy()
        for arr in (Hm, w, lam, Q):
            arr.setflags(write=False)
        self._H = Hm
        self._w_star = w
        self._lam = lam
        self._Q = Q
        self._c = Q.T @ w
        self._c.setflags(write=False)
        self._zero_tol = zero_tol
        self._indefinite = bool(lam[0] < 0)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_regression(cls, X: ArrayLike, y: ArrayLike, *, dtype: Any = None) -> Quadratic:
        """The quadratic of least squares ``(1/2n)‖Xw − y‖²``: ``H = XᵀX/n``, ``w* = X⁺y``.

        ``w*`` is the minimum-norm least-squares solution, which is the minimiser for an
        underdetermined X (n < d, as in the d2l experiment) that GD from 0 finds (gd.min_norm).
        Then ``(1/2n)‖Xw − y‖² = (1/2n)‖Xw* − y‖² + ½(w − w*)ᵀH(w − w*)`` exactly, because the
        least-squares residual is orthogonal to the columns of X.
        """
        from theory.regression import min_norm_solution, validate_regression

        Xm, yv = validate_regression(X, y, dtype=dtype)
        n = Xm.shape[0]
        return cls(Xm.T @ Xm / n, min_norm_solution(Xm, yv), dtype=Xm.dtype)

    # ------------------------------------------------------------------ basic properties

    @property
    def H(self) -> FloatArray:
        """The (symmetrised) Hessian."""
        return self._H

    @property
    def w_star(self) -> FloatArray:
        """The minimiser w*."""
        return self._w_star

    @property
    def eigenvalues(self) -> FloatArray:
        """λ_i in ascending order; values within rounding of zero are exactly 0."""
        return self._lam

    @property
    def eigenvectors(self) -> FloatArray:
        """Q, with column i the eigenvector of λ_i."""
        return self._Q

    @property
    def coordinates(self) -> FloatArray:
        """``c = Qᵀw*``: w* along each eigenvector."""
        return self._c

    @property
    def d(self) -> int:
        """Dimension."""
        return int(self._H.shape[0])

    @property
    def dtype(self) -> np.dtype[Any]:
        """float64 or float32."""
        return self._H.dtype

    @property
    def rank(self) -> int:
        """Number of non-zero eigenvalues."""
        return int(np.count_nonzero(self._lam))

    @property
    def condition_number(self) -> float:
        """``λ_max / λ_min`` (``inf`` for singular or indefinite H)."""
        lo, hi = float(self._lam[0]), float(self._lam[-1])
        return hi / lo if lo > 0 else math.inf

    def __repr__(self) -> str:
        return (
            f"Quadratic(d={self.d}, rank={self.rank}, λ ∈ [{self._lam[0]:.3g}, {self._lam[-1]:.3g}], "
            f"dtype={self.dtype})"
        )

    def value(self, w: ArrayLike) -> float:
        """``J(w) − J(w*) = ½(w − w*)ᵀH(w − w*)``."""
        v = self._vector(w, "w") - self._w_star
        return float(0.5 * v @ (self._H @ v))

    def gradient(self, w: ArrayLike) -> FloatArray:
        """``∇J(w) = H(w − w*)``."""
        return self._H @ (self._vector(w, "w") - self._w_star)

    # ------------------------------------------------------------------ L2

    def shrinkage(self, alpha: float) -> FloatArray:
        """Per-direction factors ``λ_i / (λ_i + α)`` (l2.eigen, G 7.13), ascending λ.

        At ``α = 0`` a direction with ``λ_i = 0`` gets its α → 0⁺ limit, 0 (not 1: the limit of
        ``λ/(λ+α)`` is 1 only for λ > 0), so ``shrinkage(0)`` is the projection onto range(H) that
        l2.pinv describes.
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
        """
        av = as_vector(alphas, "alphas", size=self.d, dtype=self.dtype)
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
        num = self._lam * self._c
        if center is not None:
            num = num + alphas * (self._Q.T @ self._vector(center, "center"))
        return self._Q @ (num / (self._lam + alphas))

    def l2_path(self, alphas: ArrayLike) -> FloatArray:
        """``w̃(α)`` for every α, shape (k, d), from the one eigendecomposition (l2.eigen).

        Cost: k·d for the factors plus one (k×d)·(d×d) product.
        """
        av = as_vector(alphas, "alphas", dtype=self.dtype)
        if (av < 0).any():
            raise PreconditionError(f"l2.optimum: alpha must be ≥ 0; got alpha = {av[av < 0][0]}")
        self._need_positive_shift(float(av.min()), "l2.optimum")
        factors = self._lam / (self._lam + av[:, None])
        return (factors * self._c) @ self._Q.T

    def effective_dof(self, alpha: float) -> float:
        """``df(α) = Σ_i λ_i/(λ_i + α)`` (l2.dof, ESL eq. 3.50); ``df(0) = rank(H)`` as the α → 0⁺ limit."""
        return float(np.sum(self.shrinkage(alpha)))

    def constraint_radius(self, alpha: float) -> float:
        """``k(α) = ‖w̃(α)‖``, the radius of the norm ball whose constrained optimum is w̃(α).

        Decreasing in α (l2.constraint, G 7.26–7.28). At α = 0 it is the α → 0⁺ limit.
        """
        return float(np.linalg.norm(self.shrinkage(alpha) * self._c))

    def alpha_for_radius(self, radius: float) -> float:
        """The α ≥ 0 with ``‖w̃(α)‖ = radius``: the KKT multiplier of ``min J s.t. ‖w‖ ≤ radius``.

        Returns 0 when the ball already holds ``w̃(0⁺)`` (the constraint is inactive). Solved by Brent's
        method on log α, to relative precision 4·eps in α.
        """
        k = as_positive_float(radius, "radius", where="l2.constraint")
        if self._indefinite:
            raise PreconditionError(
                f"l2.constraint needs H ⪰ 0; its smallest eigenvalue is {self._lam[0]:.6g}"
            )
        k_max = self.constraint_radius(0.0)
        if k >= k_max:
            return 0.0

        def gap(log_alpha: float) -> float:
            return float(np.linalg.norm(self._shrink(self._lam, math.exp(log_alpha)) * self._c)) - k

        lam_max = float(self._lam[-1])
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
        off = self._H - np.diag(np.diag(self._H))
        worst = float(np.max(np.abs(off))) if self.d > 1 else 0.0
        if worst > symmetric_tolerance(self._H):
            raise PreconditionError(
                f"{where} closed form needs a diagonal H; the largest off-diagonal |H_ij| is {worst:.3g}. "
                "For a general H use Quadratic.proximal_optimum(l1=..., l2=...)"
            )
        return np.diag(self._H).copy()

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
        w = self._w_star
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
        b = h * self._w_star
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
        ``S_{α₁/L}``. Stops when the KKT violation ``max_i dist(−∇f(w)_i, α₁∂|w_i|)`` (with
        ``f = J + (α₂/2)‖w‖²``) is at most ``tol·max(‖Hw*‖_∞, α₁)``; ``tol`` defaults to
        ``1000·d·eps``.

        Raises:
            ConvergenceError: not converged in ``max_iter`` iterations (the message gives the KKT
                violation reached).
        """
        a1 = as_nonneg_float(l1, "l1", where="proximal_optimum")
        a2 = as_nonneg_float(l2, "l2", where="proximal_optimum")
        if self._indefinite and not bool(self._positive_shift(self._lam[:1], a2)[0]):
            raise PreconditionError(
                f"proximal_optimum needs H + α₂I ≻ 0 for an indefinite H (a convex objective); its "
                f"smallest eigenvalue is {self._lam[0]:.6g} and α₂ = {a2}"
            )
        rel = 1000.0 * self.d * dtype_eps(self.dtype) if tol is None else as_positive_float(tol, "tol")
        H, ws = self._H, self._w_star
        Hws = H @ ws
        abs_tol = rel * max(float(np.max(np.abs(Hws))), a1, np.finfo(self.dtype).tiny)
        L = float(self._lam[-1]) + a2
        if L <= 0:  # H = 0 and α₂ = 0: J is constant, w = argmin α₁‖w‖₁ = 0
            return ProximalResult(np.zeros_like(ws), 0, 0.0, abs_tol)
        step = 1.0 / L

        def grad(w: FloatArray) -> FloatArray:
            return H @ w - Hws + a2 * w

        def kkt(w: FloatArray, g: FloatArray) -> float:
            nz = w != 0
            viol = np.where(nz, np.abs(g + a1 * np.sign(w)), np.maximum(np.abs(g) - a1, 0.0))
            return float(np.max(viol))

        w = np.zeros_like(ws) if w0 is None else self._vector(w0, "w0").copy()
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
            f"{L / max(float(self._lam[0]) + a2, 1e-300):.3g})"
        )

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
        cites the sources and derives the tolerance), on ``b = Hw* = −∇J(0)``.
        """
        b = -self.gradient(np.zeros(self.d, dtype=self.dtype))
        lam_min = float(self.eigenvalues[0])
        return elastic_net_path(
            self.H, b, l1s, l2=l2, tol=tol, dtype=self.dtype, lambda_min=lam_min, max_events=max_events
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
        top = float(self._lam[-1]) + a
        if top == 0 and float(self._lam[0]) == 0:  # exact: λ is 0 after rounding-to-zero, α = 0
            return math.inf
        if top <= 0:
            raise PreconditionError(f"gd.stability needs λ_max + α > 0; λ_max = {self._lam[-1]:.6g}, α = {a}")
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
        start = np.zeros_like(self._w_star) if w0 is None else self._vector(w0, "w0")
        den = self._lam + a
        if a > 0 and not self._positive_shift(self._lam, a).all() and (np.abs(den) <= self._zero_tol).any():
            i = int(np.argmin(np.abs(den)))
            raise PreconditionError(
                f"{where} needs H + αI invertible; λ_{i} + α = {self._lam[i]:.6g} + {a} is zero within the "
                f"rounding {self._zero_tol:.3g} of the eigenvalues"
            )
        # the fixed point is w* for α = 0 (the gap Qᵀ(w* − w⁽⁰⁾) taken before rotating, to keep
        # precision), and w̃(α) = Q(λ/(λ + α))c for α > 0
        if a == 0:
            gap = self._Q.T @ (self._w_star - start)
        else:
            gap = self._lam * self._c / np.where(den == 0, 1.0, den) - self._Q.T @ start
        return e, a, start, gap, e * den

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

        Raises:
            StabilityError: an iterate overflows (ε beyond :meth:`max_stable_step` and τ large).
        """
        steps = as_steps(taus, "taus")
        _, _, start, gap, x = self._gd_setup(eps, alpha, w0, "es.trajectory")
        t = steps[:, None].astype(self.dtype)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            done = gd_fraction_done(x, t)
            # w⁽⁰⁾ is added in the original basis: τ = 0 returns it exactly, not Q(Qᵀw⁽⁰⁾)
            out = start + (done * gap) @ self._Q.T
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
        ``λ_i/(λ_i + 1/t)``.
        """
        times = as_vector(np.atleast_1d(np.asarray(t, dtype=float)), "t", dtype=self.dtype)
        if (times < 0).any():
            raise PreconditionError(f"gradient flow needs t ≥ 0; got t = {times[times < 0][0]}")
        # the step size only enters through rate, which the flow does not use
        _, a, start, gap, _ = self._gd_setup(1.0, alpha, w0, "es.trajectory")
        done = -np.expm1(-times[:, None] * (self._lam + a))
        return start + (done * gap) @ self._Q.T

    def simulate_gd(
        self, eps: float, taus: ArrayLike, w0: ArrayLike | None = None, alpha: float = 0.0
    ) -> FloatArray:
        """The plain loop ``w ← w − ε(H(w − w*) + αw)`` (l2.update, G 7.5), recorded at ``taus``.

        The independent route for :meth:`gd_iterates`: max(taus) matrix-vector products.
        """
        steps = as_steps(taus, "taus")
        e = as_positive_float(eps, "eps", where="l2.update")
        a = as_nonneg_float(alpha, "alpha", where="l2.update")
        w = np.zeros_like(self._w_star) if w0 is None else self._vector(w0, "w0").copy()
        H, ws = self._H, self._w_star
        wanted = {int(s) for s in steps}
        record: dict[int, FloatArray] = {}
        if 0 in wanted:
            record[0] = w.copy()
        for tau in range(1, int(steps.max()) + 1):
            w = (1.0 - e * a) * w - e * (H @ (w - ws))
            if tau in wanted:
                record[tau] = w.copy()
        return np.stack([record[int(s)] for s in steps])

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
                f"{self._lam[0]:.6g} + {a} = {self._lam[0] + a:.6g}"
            )
        bound = self.max_stable_step(a)
        if not e < bound:
            raise StabilityError(
                f"gd.stability: GD converges only for 0 < ε < 2/(λ_max + α) = {bound:.6g}; got ε = {e}"
            )
        # here every λ_i + α > 0 except, for α = 0, the λ_i that are exactly 0 (rounded to 0 in
        # __init__): those directions have zero gradient and keep their w⁽⁰⁾ component
        moving = (self._lam + a) > 0
        return start + self._Q @ np.where(moving, gap, 0.0)

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
            raise PreconditionError(f"{where} needs H ⪰ 0; smallest eigenvalue {self._lam[0]:.6g}")
        top = e * float(self._lam[-1])
        if top >= 1:
            raise PreconditionError(
                f"{where} needs 0 < ελ_i < 1 for every i (monotone GD, G 7.41); ελ_max = {top:.6g}"
            )
        return e, t, self._lam

    def early_stopping_alpha(self, eps: float, tau: int) -> FloatArray:
        """Exact per-direction penalty ``α_i = λ_i(1 − ελ_i)^τ / (1 − (1 − ελ_i)^τ)`` (es.equivalence).

        With these α_i, ``generalized_ridge(α)`` equals ``gd_iterates(eps, tau)`` from 0 (G 7.41–7.43).
        A single α matches only a degenerate spectrum. Directions with λ_i = 0 get the λ → 0 limit
        ``1/(ετ)``. Evaluated as ``λ·exp(τ·log1p(−ελ)) / −expm1(τ·log1p(−ελ))`` to keep precision when
        ελ ≪ 1.
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
        lo = float(self._lam[0])
        if bool(self._positive_shift(self._lam[:1], alpha)[0]):
            return
        if allow_zero_limit and alpha == 0 and lo == 0:
            return
        raise PreconditionError(
            f"{where} needs H + αI positive definite; smallest eigenvalue of H is {lo:.6g} and α = {alpha}"
        )
