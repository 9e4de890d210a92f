"""l2.path_derivative for a network: ``dw̃/dα`` by MINRES on Hessian-vector products.

At a strict local minimiser ``w̃(α)`` of ``L(w) + (α/2)‖Dw‖²`` (D the 0/1 decay mask),

    dw̃/dα = −(∇²L(w̃) + αD)⁻¹ D w̃

(``docs/reference.md``, "Theorem catalogue", l2.path_derivative; the dense version and the
derivation are in :mod:`theory.path`). Here ``∇²L`` is a
:class:`~theory.empirical.curvature.CurvatureOperator`: the system ``(H + αD)d = −Dw̃`` is solved by
MINRES (Paige & Saunders, "Solution of sparse indefinite systems of linear equations", SIAM J. Numer.
Anal. 1975) with one Hessian-vector product per iteration; no p×p matrix is formed.

MINRES needs only symmetry, so it also runs when the assumption fails. The result therefore carries
the measured evidence instead of raising: the curvature ``dᵀ(H + αD)d`` along the solution (negative or
zero within rounding means ``H + αD`` is not positive definite, so w̃ is not a strict minimiser and the
formula does not apply; a positive value is necessary, not sufficient), the stationarity residual
``‖∇L(w) + αDw‖`` (the theorem is about a stationary point), and the linear residual reached.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse.linalg

from theory.empirical import _common as C
from theory.errors import InputError, PreconditionError
from theory.numerics import rounding_zero_tolerance
from theory.path import as_decay_mask
from theory.validate import as_nonneg_float

__all__ = ["STATIONARITY_FLAG", "PathDerivative", "decay_mask_for", "path_derivative"]

FloatArray = C.FloatArray

#: ``‖∇L + αDw‖ / α‖Dw‖`` above which the message says w is not stationary. Empirical: a relative
#: stationarity residual r moves the solved optimum by about r·α‖Dw‖/μ, so at 1e-3 the derivative's
#: base point is off by 0.1 % of the penalty's pull; it only sets the wording, never a verdict.
STATIONARITY_FLAG = 1e-3


@dataclass(frozen=True, slots=True)
class PathDerivative:
    """The predicted ``dw̃/dα`` and the evidence on whether the theorem applies.

    Attributes:
        derivative: ``d ≈ dw̃/dα`` (flat, in the operator's parameter order).
        alpha: α.
        residual: ``‖(H + αD)d + Dw‖₂ / ‖Dw‖₂`` (absolute when Dw = 0), recomputed with one extra
            product (not MINRES's own estimate).
        iterations: MINRES iterations.
        matvecs: Hessian-vector products used (iterations + the check product).
        converged: MINRES reached ``rtol`` (its ``info == 0``).
        curvature: ``dᵀ(H + αD)d``.
        rayleigh: ``dᵀ(H + αD)d / ‖d‖²``, the curvature per unit length along d.
        curvature_tolerance: how close to 0 ``rayleigh`` may be by rounding
            (``rounding_zero_tolerance(p, ‖(H + αD)d‖/‖d‖, eps)``).
        stationarity: ``‖∇L(w) + αDw‖₂``: 0 at w̃(α); large means w is not the minimiser the theorem
            is about (train or polish first). ``NaN`` when not computed.
        gradient_scale: ``α‖Dw‖₂``, what ``stationarity`` is to be compared with.
        assumption_holds: ``rayleigh`` positive beyond rounding (necessary for ``H + αD ≻ 0``).
        message: what the numbers say, in words.
        seconds: wall time.
    """

    derivative: FloatArray
    alpha: float
    residual: float
    iterations: int
    matvecs: int
    converged: bool
    curvature: float
    rayleigh: float
    curvature_tolerance: float
    stationarity: float
    gradient_scale: float
    assumption_holds: bool
    message: str
    seconds: float


def decay_mask_for(op: Any, decayed: Iterable[str] | None = None) -> FloatArray:
    """The flat 0/1 diagonal of D for ``op``'s parameters: 1 on the parameters named in ``decayed``
    (all when ``None``), 0 elsewhere, e.g. ``decayed=[n for n in op.names if not n.endswith("bias")]``."""
    if decayed is None:
        return np.ones(op.dim)
    chosen = set(decayed)
    unknown = chosen - set(op.names)
    if unknown:
        raise InputError(
            f"decayed names {sorted(unknown)} are not among the operator's parameters {op.names}"
        )
    return np.concatenate(
        [np.full(size, float(name in chosen)) for name, size in zip(op.names, op.sizes, strict=True)]
    )


def path_derivative(
    op: Any,
    alpha: float,
    decay_mask: Any = None,
    *,
    rtol: float | None = None,
    maxiter: int | None = None,
    stationarity: bool = True,
    raise_on_failure: bool = False,
) -> PathDerivative:
    """``dw̃/dα = −(H + αD)⁻¹Dw`` at the operator's current parameters w, by MINRES (see module doc).

    Args:
        op: a :class:`~theory.empirical.curvature.CurvatureOperator` at w = w̃(α) (or any symmetric
            ``LinearOperator`` with ``theta()``).
        alpha: α ≥ 0.
        decay_mask: the diagonal of D: ``None`` (every parameter decayed), a flat array of length p
            (0/1, or non-negative weights ``λ_g/α`` for parameter groups with their own decay, see
            :func:`theory.path.as_decay_mask`), or an iterable of parameter names to decay (see
            :func:`decay_mask_for`).
        rtol: MINRES's target: it stops at ``‖r‖ ≤ rtol·(‖H + αD‖‖d‖ + ‖Dw‖)`` (scipy's test), so the
            reported relative residual is at most ``rtol·(1 + κ)`` and the forward error of d at most
            κ times that. Default ``max(1e-10, 100·precision)``: 1e-10 for a float64 model (above the
            rounding of a product), 1.2e-5 for float32 (whose products carry that error; a smaller
            target would never be met).
        maxiter: MINRES iteration cap (default ``10·p``).
        stationarity: also compute ``‖∇L(w) + αDw‖`` (one gradient pass).
        raise_on_failure: raise :class:`~theory.errors.PreconditionError` when the curvature along d is
            not positive, instead of reporting it.
    """
    a = as_nonneg_float(alpha, "alpha", where="l2.path_derivative")
    precision = float(getattr(op, "precision", C.eps("float64")))
    if rtol is None:
        rtol = max(1e-10, 100.0 * precision)
    if not (isinstance(rtol, float | int) and 0 < rtol < 1):
        raise InputError(f"rtol must be in (0, 1); got {rtol!r}")
    p = int(op.shape[0])
    if maxiter is None:
        maxiter = 10 * p
    if not isinstance(maxiter, int) or maxiter < 1:
        raise InputError(f"maxiter must be a positive integer; got {maxiter!r}")
    if (
        decay_mask is not None
        and not isinstance(decay_mask, np.ndarray)
        and all(isinstance(n, str) for n in decay_mask)
    ):
        mask = decay_mask_for(op, decay_mask)
    else:
        mask = as_decay_mask(decay_mask, p, weighted=True)
    w = np.asarray(op.theta(), dtype=np.float64)
    b = -mask * w
    b_norm = float(np.linalg.norm(b))
    start = time.perf_counter()
    before = getattr(op, "matvecs", 0)

    def shifted(v: FloatArray) -> FloatArray:
        out: FloatArray = np.asarray(op.matvec(v), dtype=np.float64).ravel() + a * mask * v
        return out

    A = scipy.sparse.linalg.LinearOperator((p, p), matvec=shifted, rmatvec=shifted, dtype=np.float64)
    count = [0]

    def callback(_: FloatArray) -> None:
        count[0] += 1

    # with Dw = 0 (w̃ = 0 on every decayed parameter) MINRES returns d = 0 at once, without a product
    d, info = scipy.sparse.linalg.minres(A, b, rtol=rtol, maxiter=maxiter, callback=callback)
    iterations = count[0]
    Ad = shifted(d)
    tiny = float(np.finfo(np.float64).tiny)
    residual = float(np.linalg.norm(Ad - b)) / b_norm if b_norm > tiny else float(np.linalg.norm(Ad))
    curvature = float(d @ Ad)
    d_norm = float(np.linalg.norm(d))
    zero = d_norm <= tiny  # only when Dw = 0: then d = 0 is the answer and there is no direction
    rayleigh = math.nan if zero else curvature / d_norm**2
    scale = 0.0 if zero else float(np.linalg.norm(Ad)) / d_norm
    tol = rounding_zero_tolerance(p, scale, eps=precision)
    holds = zero or rayleigh > tol
    if stationarity and hasattr(op, "gradient"):
        stat = float(np.linalg.norm(op.gradient() + a * mask * w))
    else:
        stat = math.nan
    matvecs = getattr(op, "matvecs", 0) - before
    parts = []
    if zero:
        parts.append("Dw = 0: the decayed parameters are 0 and d = 0")
    elif holds:
        parts.append(
            f"curvature along d is positive (dᵀ(H + αD)d/‖d‖² = {rayleigh:.3e} > rounding {tol:.1e}); "
            "necessary for H + αD ≻ 0, not sufficient (check λ_min with top_eigenpairs(which='SA'))"
        )
    else:
        parts.append(
            f"assumption fails: dᵀ(H + αD)d/‖d‖² = {rayleigh:.3e} is not positive beyond rounding {tol:.1e}, "
            f"so H + αD is not positive definite at alpha = {a}: w is not a strict local minimiser and "
            "dw̃/dα = −(H + αD)⁻¹Dw does not apply"
        )
    if info != 0:
        parts.append(
            f"MINRES stopped without reaching rtol = {rtol:g} (info = {info}, residual {residual:.2e})"
        )
    grad_scale = a * float(np.linalg.norm(mask * w))
    if math.isfinite(stat):
        parts.append(f"stationarity ‖∇L + αDw‖ = {stat:.2e} (α‖Dw‖ = {grad_scale:.2e})")
        if stat > STATIONARITY_FLAG * max(grad_scale, precision):
            parts.append(
                f"w is not a stationary point of L + (α/2)‖Dw‖² (‖∇L + αDw‖/α‖Dw‖ = "
                f"{stat / max(grad_scale, precision):.1e} > {STATIONARITY_FLAG:g}): the theorem is about "
                "w̃(α); train or polish to it first"
            )
    message = "; ".join(parts)
    if raise_on_failure and not holds:
        raise PreconditionError(message)
    return PathDerivative(
        derivative=d,
        alpha=a,
        residual=residual,
        iterations=iterations,
        matvecs=matvecs,
        converged=info == 0,
        curvature=curvature,
        rayleigh=rayleigh,
        curvature_tolerance=tol,
        stationarity=stat,
        gradient_scale=grad_scale,
        assumption_holds=holds,
        message=message,
        seconds=time.perf_counter() - start,
    )
