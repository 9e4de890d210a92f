"""The regularisation path's derivative, l2.path_derivative, as a dense computation.

At a strict local minimiser ``w̃(α)`` of ``L(w) + (α/2)‖Dw‖²`` (D a diagonal 0/1 decay mask, so
``‖Dw‖² = wᵀDw``) the stationarity condition ``∇L(w̃) + αDw̃ = 0`` has the Jacobian
``∇²L(w̃) + αD`` in w, which is invertible when it is positive definite; the implicit function theorem
then gives a differentiable path with

    dw̃/dα = −(∇²L(w̃) + αD)⁻¹ D w̃

(``docs/reference.md``, "Theorem catalogue", l2.path_derivative; the implicit function theorem as in
Nocedal & Wright, *Numerical Optimization*, 2nd ed., Thm A.2). For the quadratic
``L = ½(w − w*)ᵀH(w − w*)`` and D = I this is ``d/dα (H + αI)⁻¹Hw* = −(H + αI)⁻²Hw*``, the derivative
of l2.optimum.

The non-quadratic example of the numeric route is L2-regularised logistic regression with an
unpenalised intercept (D ≠ I):

    L(w) = (1/n) Σ_i [log(1 + exp(x_iᵀw)) − y_i x_iᵀw],   y_i ∈ {0, 1},

whose optima :func:`logistic_optimum` solves by Newton's method to rounding. The network version
(Hessian-vector products only) is :func:`theory.empirical.path.path_derivative`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
import scipy.special
from numpy.typing import ArrayLike, NDArray

from theory.errors import ConvergenceError, InputError, PreconditionError
from theory.validate import as_matrix, as_nonneg_float, as_vector, dtype_eps, symmetric_tolerance

__all__ = [
    "RELIABLE_OPTIMUM",
    "SIGMOID_SECOND_DERIVATIVE_MAX",
    "LogisticOptimum",
    "as_decay_mask",
    "balanced_step",
    "central_difference_tolerance",
    "logistic_gradient",
    "logistic_hessian",
    "logistic_hessian_lipschitz",
    "logistic_loss",
    "logistic_optimum",
    "path_derivative",
    "quadratic_truncation_bound",
]

FloatArray = NDArray[np.floating[Any]]
EPS = float(np.finfo(np.float64).eps)
#: ``logistic_optimum`` refuses a result whose error bound exceeds this fraction of ``1 + ‖w‖``: a
#: guard against the gradient vanishing at infinity (separable data), not a tolerance of any check
RELIABLE_OPTIMUM = 1e-6


def as_decay_mask(decay_mask: ArrayLike | None, d: int, *, weighted: bool = False) -> FloatArray:
    """The diagonal of D as a float vector of length ``d`` (``None``: all ones, D = I).

    By default only 0 (not decayed) and 1 (decayed). With ``weighted=True`` any non-negative finite
    weights: parameter groups with their own decay λ_g give the penalty ``Σ_g (λ_g/2)‖w_g‖² =
    (α/2)·wᵀDw`` with ``D_ii = λ_g/α``, and the theorem holds unchanged for any diagonal D ⪰ 0 (its
    derivation never uses D² = D).
    """
    if decay_mask is None:
        return np.ones(d)
    mask = np.asarray(decay_mask)
    if mask.dtype == bool:
        mask = mask.astype(np.float64)
    mask = as_vector(mask, "decay_mask", size=d)
    bad = (mask < 0) if weighted else ~np.isin(mask, (0.0, 1.0))
    if bad.any():
        want = "non-negative weights" if weighted else "only 0 (not decayed) and 1 (decayed)"
        raise InputError(
            f"decay_mask must hold {want}; got {mask[bad][:5].tolist()} "
            f"at indices {np.flatnonzero(bad)[:5].tolist()}"
        )
    return mask


def path_derivative(
    hessian: ArrayLike, w: ArrayLike, alpha: float, decay_mask: ArrayLike | None = None
) -> FloatArray:
    """``dw̃/dα = −(∇²L(w̃) + αD)⁻¹ D w̃`` (l2.path_derivative), by a Cholesky solve.

    Args:
        hessian: ``∇²L(w̃)``, symmetric d×d (it may be indefinite as long as ``∇²L + αD ≻ 0``).
        w: the minimiser ``w̃(α)``.
        alpha: α ≥ 0.
        decay_mask: the diagonal of D (0/1, length d); ``None`` is D = I.

    Raises:
        InputError: shapes, non-symmetric H, a mask entry other than 0/1.
        PreconditionError: α < 0, or ``∇²L + αD`` not positive definite (the theorem's assumption;
            a failed Cholesky factorisation says so, with the smallest eigenvalue).
    """
    H = as_matrix(hessian, "hessian", square=True, dtype=np.float64)
    d = H.shape[0]
    wv = as_vector(w, "w", size=d, dtype=np.float64)
    a = as_nonneg_float(alpha, "alpha", where="l2.path_derivative")
    mask = as_decay_mask(decay_mask, d)
    asym = float(np.max(np.abs(H - H.T))) if d else 0.0
    if asym > symmetric_tolerance(H):
        raise InputError(f"hessian must be symmetric; max |H − Hᵀ| = {asym:.3e}")
    A = 0.5 * (H + H.T) + a * np.diag(mask)
    try:
        factor = scipy.linalg.cho_factor(A, lower=True)
    except np.linalg.LinAlgError:
        lam_min = float(np.linalg.eigvalsh(A)[0])
        raise PreconditionError(
            f"l2.path_derivative needs ∇²L + αD ≻ 0 (a strict local minimiser); its smallest eigenvalue "
            f"is {lam_min:.3e} at alpha = {a}"
        ) from None
    out: FloatArray = -scipy.linalg.cho_solve(factor, mask * wv)
    return out


# ---------------------------------------------------------------------------- finite differences


def central_difference_tolerance(third: float, solve_error: float, delta: float) -> float:
    """``δ²·T/6 + e/δ``: the error of ``(w(α + δ) − w(α − δ))/(2δ)`` as an estimate of ``w'(α)``.

    ``T`` bounds ``‖w⁽³⁾‖`` near α (Taylor's theorem with remainder: the central difference is off by
    ``δ²w⁽³⁾(ξ)/6``), ``e`` bounds each solved optimum's error ``‖ŵ(α ± δ) − w(α ± δ)‖`` (two of
    them, divided by 2δ).
    """
    return delta**2 * third / 6.0 + solve_error / delta


def balanced_step(third: float, solve_error: float) -> float:
    """The δ minimising :func:`central_difference_tolerance`: ``δ = (3e/T)^{1/3}``."""
    if not (third > 0 and solve_error > 0):
        raise InputError(f"balanced_step needs T > 0 and e > 0; got T = {third}, e = {solve_error}")
    return float((3.0 * solve_error / third) ** (1.0 / 3.0))


def quadratic_truncation_bound(w_norm: float, mu: float, delta: float) -> float:
    """Exact truncation bound of the central difference of ``w̃(α) = (H + αI)⁻¹Hw*`` (H ⪰ 0).

    ``w̃⁽ᵏ⁾(α) = (−1)ᵏk!(H + αI)^{−k}w̃(α)``, so the central difference is off by
    ``Σ_{k = 3, 5, …} δ^{k−1}w̃⁽ᵏ⁾/k!``, of norm at most ``(‖w̃‖/μ)·r²/(1 − r²)`` with
    ``μ = λ_min(H) + α`` and ``r = δ/μ < 1``.
    """
    r = delta / mu
    if not 0 <= r < 1:
        raise InputError(f"quadratic_truncation_bound needs 0 ≤ δ < μ; got δ = {delta}, μ = {mu}")
    return (w_norm / mu) * r**2 / (1.0 - r**2)


#: max |σ''(z)| of the logistic σ, attained where σ = ½ ± 1/(2√3): 1/(6√3)
SIGMOID_SECOND_DERIVATIVE_MAX = 1.0 / (6.0 * math.sqrt(3.0))


def logistic_hessian_lipschitz(X: ArrayLike) -> float:
    """``M`` with ``‖∇²L(w + e) − ∇²L(w)‖₂ ≤ M‖e‖₂`` for the logistic loss (mean over n rows).

    ``∇²L(w) = Xᵀdiag(σ'(Xw))X/n`` and ``|σ'(z + t) − σ'(z)| ≤ |t|·max|σ''| = |t|/(6√3)``; each
    ``|x_iᵀe| ≤ max_i‖x_i‖·‖e‖``, so ``M = max_i‖x_i‖·‖X‖₂²/(6√3·n)``.
    """
    Xm = as_matrix(X, "X", dtype=np.float64)
    row = float(np.max(np.linalg.norm(Xm, axis=1)))
    return SIGMOID_SECOND_DERIVATIVE_MAX * row * float(np.linalg.norm(Xm, 2)) ** 2 / Xm.shape[0]


# ---------------------------------------------------------------------------- logistic regression


def _logistic_inputs(X: ArrayLike, y: ArrayLike, w: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    Xm = as_matrix(X, "X", dtype=np.float64)
    yv = as_vector(y, "y", size=Xm.shape[0], dtype=np.float64)
    if not np.isin(yv, (0.0, 1.0)).all():
        raise InputError(f"y must hold labels 0 and 1; got values {np.unique(yv)[:5].tolist()}")
    wv = as_vector(w, "w", size=Xm.shape[1], dtype=np.float64)
    return Xm, yv, wv


def logistic_loss(X: ArrayLike, y: ArrayLike, w: ArrayLike) -> float:
    """``L(w) = (1/n) Σ_i [log(1 + exp(z_i)) − y_i z_i]``, ``z = Xw`` (logaddexp, no overflow)."""
    Xm, yv, wv = _logistic_inputs(X, y, w)
    z = Xm @ wv
    return float(np.mean(np.logaddexp(0.0, z) - yv * z))


def logistic_gradient(X: ArrayLike, y: ArrayLike, w: ArrayLike) -> FloatArray:
    """``∇L(w) = Xᵀ(σ(Xw) − y)/n``."""
    Xm, yv, wv = _logistic_inputs(X, y, w)
    out: FloatArray = Xm.T @ (scipy.special.expit(Xm @ wv) - yv) / Xm.shape[0]
    return out


def logistic_hessian(X: ArrayLike, y: ArrayLike, w: ArrayLike) -> FloatArray:
    """``∇²L(w) = Xᵀ diag(σ(1 − σ)) X / n`` (positive semi-definite; y does not enter)."""
    Xm, _, wv = _logistic_inputs(X, y, w)
    p = scipy.special.expit(Xm @ wv)
    out: FloatArray = (Xm.T * (p * (1.0 - p))) @ Xm / Xm.shape[0]
    return out


@dataclass(frozen=True, slots=True)
class LogisticOptimum:
    """A minimiser of ``L(w) + (α/2)‖Dw‖²`` found by Newton's method, with its error bound.

    Attributes:
        w: the minimiser.
        gradient_norm: ``‖∇L(w) + αDw‖₂`` reached.
        gradient_rounding: a bound on the rounding error of the computed gradient:
            ``γ·(‖X‖_F·‖r‖₂/n + α‖Dw‖)`` with ``γ = 2(n + d)·eps`` for the sums in ``Xᵀr/n`` and the
            penalty (Higham §3.5), plus ``‖X‖₂·√n·eps·(1 + d·max_i‖x_i‖·‖w‖/4)/n`` for the error of
            ``r = σ(Xw) − y`` itself (expit's own rounding, and ``Xw``'s through ``σ' ≤ ¼``).
        min_eigenvalue: the smallest eigenvalue μ of ``∇²L(w) + αD``.
        error_bound: ``(gradient_norm + gradient_rounding)/μ``: a bound on ``‖w − w̃‖₂`` because the
            objective is μ-strongly convex near w (Nesterov, *Lectures on Convex Optimization*, 2018,
            Thm 2.1.10).
        iterations: Newton steps taken.
    """

    w: FloatArray
    gradient_norm: float
    gradient_rounding: float
    min_eigenvalue: float
    iterations: int

    @property
    def error_bound(self) -> float:
        """``(gradient_norm + gradient_rounding)/min_eigenvalue``."""
        return (self.gradient_norm + self.gradient_rounding) / self.min_eigenvalue


def logistic_optimum(
    X: ArrayLike,
    y: ArrayLike,
    alpha: float,
    decay_mask: ArrayLike | None = None,
    *,
    w0: ArrayLike | None = None,
    max_iter: int = 100,
) -> LogisticOptimum:
    """The minimiser of ``L(w) + (α/2)‖Dw‖²`` for logistic regression, by damped Newton to rounding.

    Newton steps ``(∇²L + αD)s = −(∇L + αDw)`` with a backtracking line search on the objective
    (skipped once the decrease a full step promises is below the objective's rounding, where the
    search would see only noise); a step is kept when it lowers the gradient norm; it stops when the
    gradient stops decreasing (it has reached its rounding floor) or is below the gradient's own
    rounding error.

    Raises:
        PreconditionError: ``∇²L + αD`` is singular at the start (e.g. α = 0 and separable data, or an
            unpenalised direction that no example moves).
        ConvergenceError: no convergence in ``max_iter`` steps.
    """
    Xm, yv, _ = _logistic_inputs(X, y, np.zeros(np.shape(X)[1]))
    n, d = Xm.shape
    a = as_nonneg_float(alpha, "alpha", where="logistic_optimum")
    mask = as_decay_mask(decay_mask, d)
    w = np.zeros(d) if w0 is None else as_vector(w0, "w0", size=d, dtype=np.float64).copy()
    x_norm = float(np.linalg.norm(Xm))
    x_spectral = float(np.linalg.norm(Xm, 2))
    max_row = float(np.max(np.linalg.norm(Xm, axis=1)))

    def objective(v: FloatArray) -> float:
        return logistic_loss(Xm, yv, v) + 0.5 * a * float(v @ (mask * v))

    def grad(v: FloatArray) -> tuple[FloatArray, float]:
        r = scipy.special.expit(Xm @ v) - yv
        g = Xm.T @ r / n + a * mask * v
        terms = x_norm * float(np.linalg.norm(r)) / n + a * float(np.linalg.norm(mask * v))
        sums = 2.0 * (n + d) * EPS * terms
        residuals = x_spectral * math.sqrt(n) * EPS * (1.0 + d * max_row * float(np.linalg.norm(v)) / 4.0) / n
        rounding = sums + residuals
        return g, rounding

    best = math.inf
    stalled = 0
    for it in range(1, max_iter + 1):
        g, rounding = grad(w)
        gn = float(np.linalg.norm(g))
        A = logistic_hessian(Xm, yv, w) + a * np.diag(mask)
        if gn <= rounding or stalled >= 2:
            return _finish(w, gn, rounding, A, it - 1)
        best = min(best, gn)
        try:
            step = -scipy.linalg.cho_solve(scipy.linalg.cho_factor(A, lower=True), g)
        except np.linalg.LinAlgError:
            raise PreconditionError(
                f"logistic_optimum: ∇²L + αD is not positive definite at alpha = {a} (smallest eigenvalue "
                f"{float(np.linalg.eigvalsh(A)[0]):.3e}): no strict minimiser to find"
            ) from None
        f0, t = objective(w), 1.0
        slope = float(g @ step)
        # near the minimiser the decrease a full step promises (about |slope|/2) is below the rounding
        # of the objective itself: the Armijo test then only sees rounding noise and shrinks t to
        # nothing (seen: 100 steps of t ≈ 5e-7 at ‖∇F‖ = 4e-11); take the full Newton step and let the
        # gradient test below judge it
        if abs(slope) > 64 * EPS * max(abs(f0), 1.0):
            while objective(w + t * step) > f0 + 1e-4 * t * slope and t > 1e-10:
                t *= 0.5
        w_new = w + t * step
        g_new = float(np.linalg.norm(grad(w_new)[0]))
        stalled = stalled + 1 if g_new >= best else 0
        if g_new <= best:
            w = w_new
    raise ConvergenceError(f"logistic_optimum: Newton did not converge in {max_iter} steps (alpha = {a})")


def _finish(w: FloatArray, gn: float, rounding: float, A: FloatArray, iterations: int) -> LogisticOptimum:
    mu = float(np.linalg.eigvalsh(A)[0])
    if not mu > dtype_eps(np.float64) * float(np.linalg.norm(A, 2)) * A.shape[0]:
        raise PreconditionError(
            f"logistic_optimum: ∇²L + αD is singular at the optimum (smallest eigenvalue {mu:.3e})"
        )
    found = LogisticOptimum(w, gn, rounding, mu, iterations)
    if found.error_bound > RELIABLE_OPTIMUM * (1.0 + float(np.linalg.norm(w))):
        raise PreconditionError(
            f"logistic_optimum: the gradient vanished only where the objective is flat (smallest curvature "
            f"{mu:.3e} at ‖w‖ = {float(np.linalg.norm(w)):.3e}; error bound {found.error_bound:.3e}): no "
            "finite strict minimiser (separable data without a penalty on the separating direction?)"
        )
    return found
