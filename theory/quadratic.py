"""The quadratic model of chapter 7: ``J(w) = J(w*) + ½(w − w*)ᵀH(w − w*)``; construction and L2.

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

Where each topic lives (one class, :class:`Quadratic`, assembled from them; every method is reached
as ``Quadratic.<name>``, and all of them share the one eigendecomposition):

* :mod:`theory._eigenbasis` (:class:`~theory._eigenbasis.QuadraticBase`): the eigenbasis, lazy on
  the primal regression route, and its accessors (``H``, ``w_star``, ``eigenvalues``,
  ``eigenvectors``, ``coordinates``, ``d``, ``dtype``, ``route``, ``rank``, ``condition_number``),
  ``value`` and ``gradient``;
* this module: construction (``Quadratic(H, w*)``, :meth:`Quadratic.from_regression`), ``repr``,
  and L2 (l2.*): ``shrinkage``, ``l2_optimum``, ``generalized_ridge``, ``l2_path``,
  ``effective_dof``, ``constraint_radius``, ``alpha_for_radius``;
* :mod:`theory.sparsity` (:class:`~theory.sparsity.SparsityMethods`, :class:`ProximalResult`): L1 and
  the elastic net (l1.*, enet.*): ``l1_optimum``, ``elastic_net_optimum``, ``proximal_optimum``,
  ``l1_path``, ``elastic_net_path``;
* :mod:`theory.dynamics` (:class:`~theory.dynamics.DynamicsMethods`): gradient descent and early
  stopping (gd.*, es.*): ``max_stable_step``, ``gd_iterates``, ``gradient_flow``, ``simulate_gd``,
  ``gd_limit``, ``early_stopping_alpha``, ``early_stopping_alpha_series``,
  ``early_stopping_approx_error``.

Sources are given per method; "G" is Goodfellow, Bengio & Courville, *Deep Learning* (2016).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import scipy.linalg
import scipy.optimize
from numpy.typing import ArrayLike

from theory._eigenbasis import FloatArray
from theory.dynamics import DynamicsMethods
from theory.errors import InputError, PreconditionError
from theory.numerics import rounding_zero_tolerance
from theory.resources import array_bytes, check_allocation
from theory.sparsity import ProximalResult, SparsityMethods
from theory.validate import (
    as_alphas,
    as_matrix,
    as_nonneg_float,
    as_positive_float,
    as_vector,
    symmetric_tolerance,
)

__all__ = ["ProximalResult", "Quadratic"]


class Quadratic(SparsityMethods, DynamicsMethods):
    """``J(w) = ½(w − w*)ᵀH(w − w*)`` (up to the constant ``J(w*)``), H symmetric PSD.

    One eigendecomposition ``H = QΛQᵀ`` serves every method. By topic: the eigenbasis, its accessors,
    ``value`` and ``gradient`` (:class:`theory._eigenbasis.QuadraticBase`); construction and L2 (this
    class); L1 and the elastic net (:class:`theory.sparsity.SparsityMethods`); gradient descent and
    early stopping (:class:`theory.dynamics.DynamicsMethods`).

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
