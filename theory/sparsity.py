"""L1 and the elastic net on the quadratic model: closed forms, a proximal solver and the paths.

The penalised objective is ``J(w) + α₁‖w‖₁ + (α₂/2)‖w‖²`` with ``J(w) = ½(w − w*)ᵀH(w − w*)`` (up to
a constant); α₂ = 0 is the lasso. :class:`SparsityMethods` gives :class:`theory.quadratic.Quadratic`
these methods; the derivations are in ``proofs/sparsity.py``, and the catalogue ids are:

* ``l1.soft_threshold`` (G 7.20–7.23), :meth:`~SparsityMethods.l1_optimum`: for diagonal H with
  ``H_ii > 0``, ``w_i = sign(w*_i) max(|w*_i| − α/H_ii, 0)``;
* ``enet.diagonal`` (derived here; Zou & Hastie 2005 for the penalty),
  :meth:`~SparsityMethods.elastic_net_optimum`: for diagonal H with ``H_ii + α₂ > 0``,
  ``w_i = sign(H_ii w*_i) max(|H_ii w*_i| − α₁, 0)/(H_ii + α₂)``;
* ``enet.path`` (Osborne, Presnell & Turlach 2000; Efron et al. 2004; Zou & Hastie 2005),
  :meth:`~SparsityMethods.elastic_net_path` and :meth:`~SparsityMethods.l1_path`: the solution is
  piecewise linear in α₁, and ``w̃`` is optimal iff the KKT conditions ``c_A = α₁s_A``,
  ``|c_{A^c}| ≤ α₁`` hold with ``c = Hw* − (H + α₂I)w̃`` (homotopy in :mod:`theory.sparse_path`);
* for a general H, :meth:`~SparsityMethods.proximal_optimum` (FISTA with restart, certified by its
  KKT violation): the independent route the closed forms are checked against.

Every method operates on the base's eigenbasis and products (:class:`theory._eigenbasis.QuadraticBase`):
H, ``Hw*`` and λ_max come from there, and the convexity checks read its eigenvalues; nothing here
decomposes H. The paths and the proximal solver need only H and ``Hw*``, so on a regression
quadratic whose decomposition is deferred they run without it (λ_max by Lanczos).

"G" is Goodfellow, Bengio & Courville, *Deep Learning* (2016).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from theory._eigenbasis import FloatArray, QuadraticBase
from theory.errors import ConvergenceError, PreconditionError
from theory.sparse_path import DataGram, SparsePath, elastic_net_path
from theory.validate import as_nonneg_float, as_positive_float, dtype_eps, symmetric_tolerance

__all__ = ["ProximalResult", "SparsityMethods"]


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


class SparsityMethods(QuadraticBase):
    """L1 and elastic-net methods of :class:`theory.quadratic.Quadratic` (l1.*, enet.*), over the shared
    eigenbasis of :class:`theory._eigenbasis.QuadraticBase`."""

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
