"""L1 and elastic-net regularisation paths of a quadratic, each point certified by its KKT violation.

Problem, for every α₁ of a grid and one α₂ ≥ 0 (``M = H + α₂I`` positive semidefinite, ``b = Hw*``)::

    minimise  F(w) = ½wᵀHw − bᵀw + α₁‖w‖₁ + (α₂/2)‖w‖²  =  ½wᵀMw − bᵀw + α₁‖w‖₁.

Optimality (KKT): with ``c = b − Mw`` (the negative gradient of the smooth part), ``c_i = α₁ sign(w_i)``
where ``w_i ≠ 0`` and ``|c_i| ≤ α₁`` where ``w_i = 0``. On an active set A with signs s the solution is
``w_A = M_AA⁻¹(b_A − α₁ s_A)``: linear in α₁ between events (a coordinate joins A when ``|c_j|``
reaches α₁, leaves it when ``w_i`` reaches 0), so the path is piecewise linear (the homotopy / LARS-lasso
of Osborne, Presnell & Turlach, "A new approach to variable selection in least squares problems",
IMA J. Numer. Anal. 2000, and Efron, Hastie, Johnstone & Tibshirani, "Least angle regression", Ann.
Statist. 2004; the ridge term α₂ enters only through ``M_AA = H_AA + α₂I``, the Gram form of LARS-EN in
Zou & Hastie, "Regularization and variable selection via the elastic net", JRSS-B 2005).

Algorithm (grid points visited in decreasing α₁, results returned in the caller's order):

1. **Predict** the active set at the next grid point from the path's slope at the current one
   (``dw_A/dα₁ = −M_AA⁻¹s_A``, ``dc/dα₁ = M_{:,A}M_AA⁻¹s_A``), i.e. extrapolate the linear piece;
   coordinates whose extrapolated ``|c_j|`` exceeds the new α₁ join, with that sign.
2. **Solve** ``M_AA w_A = b_A − α₁ s_A`` with a Cholesky factor of ``M_AA`` that only grows by block
   appends (a triangular solve for the new columns and a small Cholesky of their Schur complement).
3. **Certify**: the KKT violation ``max_i dist(c_i, α₁ ∂|w_i|)`` from one product ``M_{:,A}[w_A, u_A]``
   (which also gives the slope for step 1). Violators outside A join and the solve repeats (at most a
   few rounds); if that does not certify the point, the exact homotopy runs from the previous grid
   point, event by event (joins and drops found vectorised over all coordinates), to this one.

Each grid point thus costs one O(d·|A|) product in the common case, not one per event; the exact
homotopy guarantees termination. The KKT certificate, not the route taken, is what is reported.

Non-uniqueness: when ``M`` is singular (the lasso with α₂ = 0 and rank(H) < d, e.g. p > n), a column
whose Schur complement against the active ones is zero to rounding lies in their span; it never joins,
and its ``|c_j|`` stays at or below α₁ (it is a fixed combination of the active ones). The returned
solution is then the one whose active columns are linearly independent, as LARS-lasso returns
(Tibshirani, "The lasso problem and uniqueness", EJS 2013): unique whenever the columns of the design
are in general position; otherwise one of the minimisers (all share the fitted values ``Mw``).

Tolerance (per row, absolute): the KKT violation is a residual; a backward-stable solve and the
product that evaluates c give ``|c_computed − c_exact| ≤ γ·(|M||w| + |b|)`` componentwise with
``γ ≈ d·eps`` (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.5, §10.1), so
the default certificate is ``10·d·eps·(‖b‖_∞ + ‖M‖_∞‖w‖_∞)``. Since ``‖w‖_∞ ≲ κ(M_AA)‖b‖/‖M‖``
this is the usual ``d·eps·κ`` bound relative to ``max(‖b‖_∞, α₁)``, evaluated a posteriori with the
actual w rather than with a worst-case κ. A ``tol`` passed by the caller is relative:
``tol·max(‖b‖_∞, α₁)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

from theory.errors import ConvergenceError, InputError, PreconditionError
from theory.resources import array_bytes, check_allocation
from theory.validate import dtype_eps

__all__ = ["DataGram", "DenseGram", "GramOperator", "SparsePath", "elastic_net_path"]

FloatArray = NDArray[np.floating[Any]]

#: bytes of one row block when a row-wise reduction over H or X must not make a full-size temporary
_BLOCK_BYTES = 32 * 2**20


class GramOperator:
    """What the path needs of H (d×d, symmetric): ``d``, ``columns(j)``, ``diagonal()``, ``matvec(v)``,
    ``inf_norm_bound()`` (an upper bound on ``‖H‖_∞``) and ``check_finite()``; results in float64."""

    d: int

    def columns(self, j: NDArray[np.intp]) -> FloatArray:  # pragma: no cover - interface
        raise NotImplementedError

    def diagonal(self) -> FloatArray:  # pragma: no cover - interface
        raise NotImplementedError

    def matvec(self, v: FloatArray) -> FloatArray:  # pragma: no cover - interface
        raise NotImplementedError

    def inf_norm_bound(self) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def check_finite(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def _row_step(cols: int) -> int:
    """Rows per block so that one float64 block of ``cols`` columns stays within ``_BLOCK_BYTES``."""
    return max(1, _BLOCK_BYTES // (8 * max(1, cols)))


def _check_finite_blocks(A: FloatArray, name: str) -> None:
    step = _row_step(A.shape[1])
    for i in range(0, A.shape[0], step):
        blk = A[i : i + step]
        if not bool(np.all(np.isfinite(blk))):
            r, c = np.argwhere(~np.isfinite(blk))[0]
            raise InputError(
                f"elastic_net_path: {name} must be finite (NaN or Inf found); "
                f"{name}[{i + int(r)}, {int(c)}] = {blk[r, c]}"
            )


class DenseGram(GramOperator):
    """A stored dense H (float64); row-wise reductions run block by block (no d×d temporary)."""

    def __init__(self, H: FloatArray) -> None:
        self.H = H
        self.d = int(H.shape[0])

    def columns(self, j: NDArray[np.intp]) -> FloatArray:
        return self.H[:, j]

    def diagonal(self) -> FloatArray:
        return np.diag(self.H).copy()

    def matvec(self, v: FloatArray) -> FloatArray:
        return self.H @ v

    def inf_norm_bound(self) -> float:
        """``‖H‖_∞ = max_i Σ_j |H_ij|``, exact."""
        step = _row_step(self.d)
        return max(
            float(np.max(np.sum(np.abs(self.H[i : i + step]), axis=1))) for i in range(0, self.d, step)
        )

    def check_finite(self) -> None:
        _check_finite_blocks(self.H, "H")


class DataGram(GramOperator):
    """``H = XᵀX/n`` from the n×d design X, never formed.

    Columns ``Xᵀ(X[:, j])/n`` (O(nd) per column, d×|j| memory, allocation-checked), the diagonal
    ``Σ_i X_ij²/n``, products ``Xᵀ(Xv)/n`` and the bound ``‖H‖_∞ ≤ max_j (|X|ᵀ(|X|·1))_j/n``, valid
    because ``|XᵀX| ≤ |X|ᵀ|X|`` entrywise (and itself at most ``‖Xᵀ‖_∞‖X‖_∞/n``). X is referenced, not
    copied (unless it is not float64).
    """

    def __init__(self, X: ArrayLike) -> None:
        Xa = np.asarray(X)
        if Xa.ndim != 2 or Xa.shape[0] == 0 or Xa.shape[1] == 0:
            raise InputError(f"elastic_net_path: X must be a non-empty n×d matrix; got shape {Xa.shape}")
        if Xa.dtype != np.float64:
            check_allocation(
                array_bytes(Xa.shape), f"elastic_net_path: X as float64, {Xa.shape[0]}×{Xa.shape[1]}"
            )
            Xa = Xa.astype(np.float64)
        self.X = Xa
        self.n, self.d = int(Xa.shape[0]), int(Xa.shape[1])

    def columns(self, j: NDArray[np.intp]) -> FloatArray:
        check_allocation(
            array_bytes((self.d, j.size)) + array_bytes((self.n, j.size)),
            f"elastic_net_path: columns Xᵀ(X[:, j])/n of H, {self.d}×{j.size} float64",
        )
        out = self.X.T @ self.X[:, j]
        out /= self.n
        return out

    def diagonal(self) -> FloatArray:
        return np.einsum("ij,ij->j", self.X, self.X) / self.n

    def matvec(self, v: FloatArray) -> FloatArray:
        return self.X.T @ (self.X @ v) / self.n

    def inf_norm_bound(self) -> float:
        step = _row_step(self.d)
        rows = np.concatenate(
            [np.sum(np.abs(self.X[i : i + step]), axis=1) for i in range(0, self.n, step)]
        )  # |X|·1
        acc = np.zeros(self.d)
        for i in range(0, self.n, step):
            acc += rows[i : i + step] @ np.abs(self.X[i : i + step])  # |X|ᵀ(|X|·1), by row blocks
        return float(np.max(acc)) / self.n

    def check_finite(self) -> None:
        _check_finite_blocks(self.X, "X")


#: correction rounds (violators join, wrong-sign coordinates leave) before the exact homotopy
_ROUNDS = 3

#: at most max(_MIN_BATCH, |A|) coordinates join in one predicted / corrected step (the most correlated
#: first); a larger mis-prediction (e.g. the first grid point far below ‖b‖_∞ on wide data, where
#: thousands of |c_j| exceed α₁ but at most rank(H) columns can be active) is left to the next round or
#: the exact homotopy, instead of a d×(thousands) column block and its Schur complement
_MIN_BATCH = 64


@dataclass(frozen=True, slots=True)
class SparsePath:
    """Result of :func:`elastic_net_path` (and ``Quadratic.l1_path`` / ``elastic_net_path``).

    Attributes:
        W: k×d, row i the minimiser at ``alphas[i]`` (the caller's order), in the problem's dtype.
        alphas: the α₁ grid as given.
        l2: α₂.
        kkt_violation: per row, ``max_i dist(c_i, α₁∂|w_i|)`` with ``c = b − (H + α₂I)w`` evaluated in
            float64 at the returned (rounded) row (absolute).
        tolerance: per row, the absolute violation it was certified to.
        active: per row, the number of non-zero coordinates.
        solves: per row, the linear solves on the active set (1 when the predicted active set was right).
        events: per row, homotopy events (joins and drops) taken to reach it (0 on the predicted route).
    """

    W: FloatArray
    alphas: FloatArray
    l2: float
    kkt_violation: NDArray[np.float64]
    tolerance: NDArray[np.float64]
    active: NDArray[np.int64]
    solves: NDArray[np.int64]
    events: NDArray[np.int64]

    @property
    def certified(self) -> bool:
        """Every row's violation is within its tolerance (always true for a returned path)."""
        return bool(np.all(self.kkt_violation <= self.tolerance))

    def render(self, max_rows: int = 20) -> str:
        """A plain-text table: α₁, active coordinates, KKT violation / tolerance, solves, events."""
        k = len(self.alphas)
        rows = (
            range(k)
            if k <= max_rows
            else sorted({round(i * (k - 1) / (max_rows - 1)) for i in range(max_rows)})
        )
        lines = [
            f"elastic-net path: {k} points, d = {self.W.shape[1]}, α₂ = {self.l2:.4g}, "
            f"{int(self.events.sum())} homotopy events, {int(self.solves.sum())} solves",
            f"{'α₁':>12} {'active':>7} {'KKT viol.':>11} {'tolerance':>11} {'solves':>6} {'events':>6}",
        ]
        for i in rows:
            lines.append(
                f"{self.alphas[i]:12.5g} {self.active[i]:7d} {self.kkt_violation[i]:11.3g} "
                f"{self.tolerance[i]:11.3g} {self.solves[i]:6d} {self.events[i]:6d}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class _ActiveSet:
    """Active coordinates (insertion order), their signs, ``M[:, A]`` and the Cholesky factor of ``M_AA``."""

    def __init__(self, op: GramOperator, l2: float, psd_known: bool = False) -> None:
        self.op = op
        self.l2 = l2
        self.d = op.d
        self.idx = np.empty(0, dtype=np.intp)
        self.sign = np.empty(0)
        self.L = np.empty((0, 0), order="F")
        self.cols = np.empty((self.d, 0), order="F")  # buffer; columns [:k] are M[:, idx]
        self.excluded = np.zeros(self.d, dtype=bool)  # in the span of the active columns: never join
        self.member = np.zeros(self.d, dtype=bool)
        self.psd_known = psd_known  # M ⪰ 0 checked up front: a negative Schur complement is rounding

    @property
    def k(self) -> int:
        return int(self.idx.size)

    def _reserve(self, k: int) -> None:
        cap = self.cols.shape[1]
        if k <= cap:
            return
        new = min(self.d, max(k, 2 * cap, 16))
        check_allocation(
            array_bytes((self.d, new)) + array_bytes((self.d, cap)),
            f"elastic_net_path: active columns of H, {self.d}×{new} float64",
        )
        buf = np.empty((self.d, new), order="F")
        buf[:, : self.k] = self.cols[:, : self.k]
        self.cols = buf

    def _mcols(self, j: NDArray[np.intp]) -> FloatArray:
        block = self.op.columns(j)  # a fresh d×|j| array
        block[j, np.arange(j.size)] += self.l2
        return block

    def append(self, j: NDArray[np.intp], s: FloatArray, Mj: FloatArray | None = None) -> None:
        """Add coordinates ``j`` with signs ``s`` (block Cholesky append); ones in the span are excluded.

        ``Mj``: the columns ``M[:, j]`` if already computed (the one-at-a-time fallback reuses them)."""
        if j.size == 0:
            return
        k = self.k
        if Mj is None:
            Mj = self._mcols(j)  # d×m
        if k:
            L12 = scipy.linalg.solve_triangular(self.L, Mj[self.idx], lower=True, check_finite=False)
            S = Mj[j] - L12.T @ L12
        else:
            L12 = np.empty((0, j.size))
            S = Mj[j].copy()
        # a pivot below the rounding of S is a column in the span of the active ones. S = M_jj − ‖l_j‖²
        # with l_j = L⁻¹M_Aj: the product and subtraction err by c·k·eps·(M_jj + ‖l_j‖²) (Higham §10.1),
        # and the triangular solve by up to κ(L)·eps·‖l_j‖ in l_j (Higham §8.2), with κ(L) bounded
        # below by max|L_ii|/min|L_ii| (the estimate used)
        scale = np.diag(Mj[j]) + np.einsum("ij,ij->j", L12, L12)
        dl = np.abs(np.diag(self.L)) if k else np.ones(1)
        kappa_l = float(np.max(dl) / np.min(dl)) if float(np.min(dl)) > 0 else math.inf
        floor = (
            10.0
            * (k + 1)
            * dtype_eps(np.float64)
            * (1.0 + kappa_l)
            * np.maximum(scale, np.finfo(np.float64).tiny)
        )
        L22 = None
        if j.size > 1 and bool(np.all(np.diag(S) > floor)):
            try:
                L22 = scipy.linalg.cholesky(S, lower=True, check_finite=False)
            except np.linalg.LinAlgError:
                L22 = None
            if L22 is not None and not bool(np.all(np.diag(L22) ** 2 > floor)):
                L22 = None
        if L22 is None and j.size > 1:  # fall back to one at a time (rare: ties of dependent columns)
            for t, (jj, ss) in enumerate(zip(j, s, strict=True)):
                self.append(np.array([jj]), np.array([ss]), Mj[:, t : t + 1].copy(order="F"))
            return
        if L22 is None:
            piv = float(S[0, 0])
            if not piv > floor[0]:
                if piv < -floor[0] and not self.psd_known:
                    raise PreconditionError(
                        f"elastic_net_path needs H + α₂I positive semidefinite; the Schur complement of "
                        f"coordinate {int(j[0])} against the active set is {piv:.6g} < 0 (α₂ = {self.l2})"
                    )
                self.excluded[j] = True
                return
            L22 = np.array([[math.sqrt(piv)]])
        Lnew = np.zeros((k + j.size, k + j.size), order="F")
        Lnew[:k, :k] = self.L
        Lnew[k:, :k] = L12.T
        Lnew[k:, k:] = L22
        self.L = Lnew
        self._reserve(k + j.size)
        self.cols[:, k : k + j.size] = Mj
        self.idx = np.concatenate([self.idx, j])
        self.sign = np.concatenate([self.sign, s])
        self.member[j] = True

    def truncate(self, k: int) -> None:
        """Back to the first k coordinates (the leading block of a Cholesky factor is unchanged)."""
        self.member[self.idx[k:]] = False
        self.excluded[:] = False  # excluded against the longer set, which is gone
        self.idx, self.sign = self.idx[:k], self.sign[:k]
        self.L = np.asfortranarray(self.L[:k, :k])

    def remove(self, positions: NDArray[np.intp]) -> None:
        """Drop the coordinates at these positions; the factor is downdated, not recomputed.

        With ``M_AA = RᵀR`` (``R = Lᵀ``), deleting column p of R leaves an upper-Hessenberg tail whose
        Gram matrix is ``M_AA`` without row and column p; Givens rotations (``scipy.linalg.qr_delete``)
        restore the triangle in O(k²) (Golub & Van Loan, *Matrix Computations*, 4th ed., §6.5.2).
        Diagonal entries may come out negative: ``LLᵀ`` is what matters to the solves.
        """
        keep = np.ones(self.k, dtype=bool)
        keep[positions] = False
        self.excluded[:] = False  # a column in the span of the old set may not be in that of the new
        self.member[self.idx[~keep]] = False
        R = np.ascontiguousarray(self.L.T)
        for p in sorted((int(q) for q in positions), reverse=True):
            m = R.shape[0]
            if p < m - 1:
                _, R = scipy.linalg.qr_delete(
                    np.eye(m), R, p, 1, which="col", overwrite_qr=True, check_finite=False
                )
                R = R[: m - 1]
            else:
                R = R[: m - 1, : m - 1]
        k_old = self.k
        self.idx, self.sign = self.idx[keep], self.sign[keep]
        k = self.k
        self.cols[:, :k] = self.cols[:, :k_old][:, keep]
        self.L = np.asfortranarray(R.T)

    def reset(self, idx: NDArray[np.intp], sign: FloatArray) -> None:
        """Active set ``idx`` with signs ``sign``, rebuilt from scratch."""
        self.member[:] = False
        self.excluded[:] = False
        self.idx, self.sign = np.empty(0, dtype=np.intp), np.empty(0)
        self.L = np.empty((0, 0), order="F")
        self.append(idx, sign)

    def solve(self, alpha: float, b: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``w_A = M_AA⁻¹(b_A − α s_A)`` and the slope ``u_A = M_AA⁻¹ s_A`` (``dw_A/dα = −u_A``)."""
        if self.k == 0:
            return np.empty(0), np.empty(0)
        rhs = np.empty((self.k, 2), order="F")
        rhs[:, 0] = b[self.idx] - alpha * self.sign
        rhs[:, 1] = self.sign
        x, info = scipy.linalg.lapack.dpotrs(self.L, rhs, lower=1)
        if info != 0:  # pragma: no cover - dpotrs fails only on bad arguments
            raise ConvergenceError(f"elastic_net_path: dpotrs failed with info = {info}")
        return x[:, 0], x[:, 1]

    def correlations(self, b: FloatArray, wA: FloatArray, uA: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``c = b − M_{:,A}w_A`` and its slope ``a = M_{:,A}u_A`` (``dc/dα = a``), one d×|A|×2 product."""
        if self.k == 0:
            return b.copy(), np.zeros(self.d)
        G = self.cols[:, : self.k] @ np.column_stack([wA, uA])
        return b - G[:, 0], G[:, 1]


def _violation(w: FloatArray, c: FloatArray, alpha: float) -> float:
    """``max_i dist(c_i, α∂|w_i|)``: |c_i − α sign(w_i)| where w_i ≠ 0, max(|c_i| − α, 0) where w_i = 0."""
    nz = w != 0
    v = np.where(nz, np.abs(c - alpha * np.sign(w)), np.maximum(np.abs(c) - alpha, 0.0))
    return float(np.max(v)) if v.size else 0.0


def elastic_net_path(
    H: ArrayLike | GramOperator,
    b: ArrayLike,
    l1s: ArrayLike,
    *,
    l2: float = 0.0,
    tol: float | None = None,
    dtype: Any = None,
    lambda_min: float | None = None,
    max_events: int | None = None,
) -> SparsePath:
    """Minimise ``½wᵀHw − bᵀw + α₁‖w‖₁ + (α₂/2)‖w‖²`` for every α₁ in ``l1s`` (see the module docstring).

    Args:
        H: symmetric d×d, with ``H + α₂I`` positive semidefinite; or a :class:`GramOperator` for it
            (:class:`DataGram` for ``XᵀX/n`` on wide data, never forming the d×d matrix).
        b: length d (``Hw*`` for the quadratic ``½(w − w*)ᵀH(w − w*)``).
        l1s: the α₁ grid, any order, each ≥ 0 (results in this order). α₁ ≥ ‖b‖_∞ gives w = 0.
            α₁ = 0 needs α₂ > 0 (ridge); with α₂ = 0 it is unpenalised least squares (use ``w*``).
        l2: α₂ ≥ 0.
        tol: relative KKT tolerance, finite and > 0 (absolute ``tol·max(‖b‖_∞, α₁)``); default the
            rounding bound ``10·d·eps·(‖b‖_∞ + ‖H + α₂I‖_∞‖w‖_∞)`` (absolute, per row; ``‖H‖_∞`` is the
            operator's upper bound, exact for a dense H, see the module docstring).
        dtype: of the returned W (float64 or float32; default H's). The path is computed in float64 and
            each row is certified after rounding to this dtype, with this dtype's eps in the default tol.
        lambda_min: the smallest eigenvalue of H, if known: checked against α₂ up front (otherwise a
            negative Schur complement met on the way raises).
        max_events: cap on homotopy events per interval, an integer ≥ 0 (default ``20·d + 100``).

    Raises:
        InputError: shapes, NaN/Inf, negative α, empty grid, tol not finite and > 0, max_events < 0.
        PreconditionError: ``H + α₂I`` not PSD; α₁ = 0 with α₂ = 0.
        ResourceError: the k×d output or the d×|A| workspace would exceed the memory limit.
        ConvergenceError: a row that cannot be certified to its tolerance (values in the message).
    """
    op: GramOperator
    if isinstance(H, GramOperator):
        op = H
        in_dtype = op.X.dtype if isinstance(op, DataGram) else np.dtype(np.float64)
    else:
        Hm = np.asarray(H)
        in_dtype = Hm.dtype
        if Hm.ndim != 2 or Hm.shape[0] != Hm.shape[1] or Hm.shape[0] == 0:
            raise InputError(f"elastic_net_path: H must be a non-empty square matrix; got shape {Hm.shape}")
        op = DenseGram(np.asarray(Hm, dtype=np.float64))
    out_dtype = (
        np.dtype(dtype) if dtype is not None else (in_dtype if in_dtype.kind == "f" else np.dtype(np.float64))
    )
    if out_dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise InputError(f"elastic_net_path: dtype must be float64 or float32; got {out_dtype}")
    bv = np.asarray(b, dtype=np.float64)
    d = op.d
    if bv.shape != (d,):
        raise InputError(f"elastic_net_path: b must have shape ({d},); got {bv.shape}")
    if not np.all(np.isfinite(bv)):
        i = int(np.flatnonzero(~np.isfinite(bv))[0])
        raise InputError(f"elastic_net_path: b must be finite (NaN or Inf found); b[{i}] = {bv[i]}")
    op.check_finite()
    if tol is not None and not (
        isinstance(tol, (int, float, np.floating, np.integer)) and math.isfinite(tol) and tol > 0
    ):
        raise InputError(f"elastic_net_path: tol (relative) must be finite and > 0; got tol = {tol!r}")
    if max_events is not None and (
        isinstance(max_events, bool) or not isinstance(max_events, (int, np.integer)) or max_events < 0
    ):
        raise InputError(
            f"elastic_net_path: max_events must be an integer ≥ 0; got max_events = {max_events!r}"
        )
    grid = np.asarray(l1s, dtype=np.float64).reshape(-1)
    if grid.size == 0:
        raise InputError("elastic_net_path: the α₁ grid is empty")
    if not np.all(np.isfinite(grid)) or np.any(grid < 0):
        bad = grid[~np.isfinite(grid) | (grid < 0)][0]
        raise InputError(f"elastic_net_path: every α₁ must be finite and ≥ 0; got {bad}")
    a2 = float(l2)
    if not (math.isfinite(a2) and a2 >= 0):
        raise InputError(f"elastic_net_path: α₂ must be finite and ≥ 0; got {l2}")
    if lambda_min is not None and lambda_min + a2 < -10.0 * d * dtype_eps(np.float64) * max(
        float(np.max(np.abs(op.diagonal()))), 1.0
    ):
        raise PreconditionError(
            f"elastic_net_path needs H + α₂I positive semidefinite (a convex objective); λ_min(H) = "
            f"{lambda_min:.6g} and α₂ = {a2} (λ_min + α₂ = {lambda_min + a2:.6g})"
        )
    if a2 == 0 and np.any(grid == 0):
        raise PreconditionError(
            "elastic_net_path: α₁ = 0 with α₂ = 0 is unpenalised least squares, not a point of the path "
            "(for singular H its minimiser is not unique); use Quadratic.w_star, or pass α₂ > 0 for ridge"
        )
    check_allocation(
        array_bytes((grid.size, d), out_dtype), f"elastic_net_path: W, {grid.size}×{d} {out_dtype}"
    )
    eps_out = dtype_eps(out_dtype)
    bmax = float(np.max(np.abs(bv)))
    Mnorm = op.inf_norm_bound() + a2  # ≥ ‖M‖_∞ ≥ ‖|M||w|‖_∞/‖w‖_∞
    cap_events = 20 * d + 100 if max_events is None else int(max_events)

    order = np.argsort(-grid, kind="stable")
    W = np.zeros((grid.size, d), dtype=out_dtype)
    viol = np.zeros(grid.size)
    tols = np.zeros(grid.size)
    active = np.zeros(grid.size, dtype=np.int64)
    solves = np.zeros(grid.size, dtype=np.int64)
    events = np.zeros(grid.size, dtype=np.int64)

    state = _ActiveSet(op, a2, psd_known=lambda_min is not None)
    alpha = bmax  # w = 0 is optimal for α₁ ≥ ‖b‖_∞; the path starts there
    wA: FloatArray = np.empty(0)
    uA: FloatArray = np.empty(0)
    c: FloatArray = bv.copy()
    slope: FloatArray = np.zeros(d)

    def tolerance(alpha_t: float, w: FloatArray) -> float:
        if tol is not None:
            return float(tol) * max(bmax, alpha_t)
        return 10.0 * d * eps_out * (bmax + Mnorm * float(np.max(np.abs(w), initial=0.0)))

    def scatter(wa: FloatArray) -> FloatArray:
        w = np.zeros(d)
        w[state.idx] = wa
        return w

    def solve_and_certify(
        target: float,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, float, float]:
        """Solve on the active set at α₁ = target; the KKT violation of the row as it will be stored
        (rounded to the output dtype) and its tolerance."""
        wA, uA = state.solve(target, bv)
        c, slope = state.correlations(bv, wA, uA)
        w = scatter(wA)
        wr = w.astype(out_dtype).astype(np.float64)
        cr = c if out_dtype == np.float64 else bv - (op.matvec(wr) + a2 * wr)
        return wA, uA, c, slope, w, _violation(wr, cr, target), tolerance(target, wr)

    for row in order:
        target = float(grid[row])
        if target >= bmax - tolerance(target, np.zeros(d)):
            # w = 0 has violation max(‖b‖_∞ − α₁, 0): exactly 0 from ‖b‖_∞ up, and certified within
            # the row's tolerance just below it, where b's rounding decides whether a coordinate of
            # size eps enters (the sparsest certified row is the zero one)
            tols[row] = tolerance(target, np.zeros(d))
            viol[row] = max(bmax - target, 0.0)
            solves[row] = 0
            continue
        start = (state.idx.copy(), state.sign.copy(), alpha, wA, uA, c, slope)
        k0 = state.k
        appended_only = True
        n_solves = 0
        n_events = 0
        certified = False
        # 1. predicted active set: extrapolate the linear piece from α to the target
        if target < alpha:
            delta = alpha - target
            cp = c - delta * slope
            joins = np.flatnonzero((np.abs(cp) > target) & ~state.member & ~state.excluded)
            joins = joins[np.argsort(-np.abs(cp[joins]), kind="stable")]  # most correlated first
            joins = joins[: max(_MIN_BATCH, state.k)]
            wp = wA + delta * uA
            drops = np.flatnonzero(wp * state.sign < 0)
            if drops.size:
                state.remove(drops)
                appended_only = False
            state.append(joins, np.sign(cp[joins]))
        # 2–3. solve, certify; violators join, wrong signs leave, for a few rounds
        for _ in range(_ROUNDS):
            wA, uA, c, slope, w, v, t = solve_and_certify(target)
            n_solves += 1
            if v <= t:
                certified = True
                break
            wrong = np.flatnonzero(wA * state.sign < 0)
            out = np.flatnonzero((np.abs(c) > target) & ~state.member & ~state.excluded)
            out = out[np.argsort(-np.abs(c[out]), kind="stable")][: max(_MIN_BATCH, state.k)]
            if wrong.size == 0 and out.size == 0:
                break
            if wrong.size:
                state.remove(wrong)
                appended_only = False
            state.append(out, np.sign(c[out]))
        if not certified:
            # exact homotopy from the previous grid point
            idx0, sign0, alpha, wA, uA, c, slope = start
            if appended_only:
                state.truncate(k0)
            else:
                state.reset(idx0, sign0)
            # sign a coordinate had when it left at this α: it sits on that side of the bound and may
            # only rejoin on the other (the same side is the Δ = 0 root it just left by)
            dropped_sign = np.zeros(d)
            just_joined = np.zeros(d, dtype=bool)
            while True:
                wA, uA = state.solve(alpha, bv)
                n_solves += 1
                c, slope = state.correlations(bv, wA, uA)
                free = ~state.member & ~state.excluded
                with np.errstate(divide="ignore", invalid="ignore"):
                    up_ok = free & (1.0 - slope > 0) & ~(dropped_sign > 0)
                    dn_ok = free & (1.0 + slope > 0) & ~(dropped_sign < 0)
                    up = np.where(up_ok, (alpha - c) / (1.0 - slope), np.inf)
                    dn = np.where(dn_ok, (alpha + c) / (1.0 + slope), np.inf)
                    # a coordinate that just joined sits at w_i = 0 (to rounding): it cannot leave at once
                    leaving = (uA * wA < 0) & ~just_joined[state.idx]
                    hit = np.where(leaving, -wA / uA, np.inf) if state.k else np.empty(0)
                up, dn = np.maximum(up, 0.0), np.maximum(dn, 0.0)
                past = free & (np.abs(c) > alpha) & (dropped_sign == 0)  # past its bound (ties, rounding)
                up[past & (c > 0)] = 0.0
                dn[past & (c < 0)] = 0.0
                join_at = np.minimum(up, dn)
                step = alpha - target
                dj = float(np.min(join_at)) if d else np.inf
                dd = float(np.min(hit)) if hit.size else np.inf
                if step <= min(dj, dd):
                    break
                n_events += 1
                if n_events > cap_events:
                    raise ConvergenceError(
                        f"elastic_net_path: more than {cap_events} homotopy events between α₁ = "
                        f"{start[2]:.6g} and {target:.6g} (active set {state.k}); cycling on ties?"
                    )
                if min(dj, dd) > 0:  # α moved: the coordinates that changed sides may move again
                    dropped_sign[:] = 0.0
                    just_joined[:] = False
                # events within a relative 1e-12 of the first are taken together (ties): a judgement
                # factor, not a derived bound; a tie missed here is caught by the next step's KKT
                # certificate, which is derived, and costs only one more event
                if dd < dj:
                    alpha -= dd
                    pos = np.flatnonzero(hit <= dd * (1 + 1e-12))
                    dropped_sign[state.idx[pos]] = state.sign[pos]
                    state.remove(pos)
                else:
                    alpha -= dj
                    j = np.flatnonzero(join_at <= dj * (1 + 1e-12))
                    # the side whose root was hit (c_j = +(α − Δ) from `up`, −(α − Δ) from `dn`)
                    state.append(j, np.where(up[j] <= dn[j], 1.0, -1.0))
                    just_joined[j] = True
            alpha = target
            for _ in range(2):  # the solve at the target, and one round of refinement if needed
                wA, uA, c, slope, w, v, t = solve_and_certify(target)
                n_solves += 1
                if v <= t:
                    certified = True
                    break
            if not certified:
                raise ConvergenceError(
                    f"elastic_net_path: α₁ = {target:.6g} (α₂ = {a2}) not certified: KKT violation {v:.3g} > "
                    f"tolerance {t:.3g} with {state.k} active coordinates after {n_events} homotopy events"
                )
        alpha = target
        W[row] = w.astype(out_dtype)
        viol[row], tols[row] = v, t
        active[row] = int(np.count_nonzero(W[row]))
        solves[row], events[row] = n_solves, n_events
    return SparsePath(W, grid.copy(), a2, viol, tols, active, solves, events)
