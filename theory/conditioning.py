"""l2.conditioning: what weight decay does to gradient descent's speed, and what it costs in bias.

On ``J(w) + (α/2)‖w‖²`` with ``J = ½(w − w*)ᵀH(w − w*)`` the Hessian is ``H + αI``, with eigenvalues
``λ_i + α``. Then (``docs/reference.md``, "Theorem catalogue", ``l2.conditioning``):

- the condition number ``κ_α = (λ_max + α)/(λ_min + α)`` decreases in α (strictly when λ_max > λ_min);
- GD ``w ← w − ε(H(w − w*) + αw)`` multiplies the error to the ridge optimum ``w̃`` by
  ``1 − ε(λ_i + α)`` along q_i, so the worst case over starts is the spectral radius
  ``max_i |1 − ε(λ_i + α)|``; it is smallest at ``ε* = 2/(λ_max + λ_min + 2α)``, where both extreme
  factors have modulus ``ρ_α = (κ_α − 1)/(κ_α + 1)`` (Nesterov, *Lectures on Convex Optimization*,
  2nd ed. 2018, Thm 2.1.15, for μ = λ_min + α and L = λ_max + α, proves it as an upper bound; that a
  quadratic attains it, along q_min and q_max, is the project's own step, proofs/conditioning.py);
- the price: ``w̃ − w*`` has coordinates ``−α c_i/(λ_i + α)`` along q_i (l2.eigen, ``c = Qᵀw*``), whose
  norm grows with α from 0 to ‖w*‖.

The trade-off, made precise: to reach ``‖w_k − w*‖ ≤ δ`` and stay there, the bias must be below δ;
then ``k ≥ log(‖w⁽⁰⁾ − w̃‖/(δ − ‖w̃ − w*‖))/log(1/ρ_α)`` steps suffice (triangle inequality), a count
that falls with κ_α, and as ``k → ∞`` the distance tends to ``‖w̃ − w*‖``, so for every α beyond
:func:`max_useful_alpha` (``‖w̃ − w*‖ = δ``) the tolerance is never held for good. This is the precise
sense of "weight decay speeds up training".

Every function takes a :class:`~theory.quadratic.Quadratic` and works in its eigenbasis; on a thin
(Gram-route) basis the complement's eigenvalue 0 counts as λ_min.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.optimize
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError, PreconditionError
from theory.quadratic import Quadratic
from theory.validate import as_nonneg_float, as_positive_float

__all__ = [
    "bias",
    "bias_norm",
    "distance_to_optimum",
    "iterations_bound",
    "iterations_to_tolerance",
    "max_useful_alpha",
    "optimal_rate",
    "optimal_step",
    "shifted_condition_number",
]

FloatArray = NDArray[np.floating[Any]]
WHERE = "l2.conditioning"
_CHUNK = 4096


def _extremes(q: Quadratic, alpha: float) -> tuple[float, float]:
    """``(λ_min + α, λ_max + α)``, the complement's 0 included on a thin basis; needs ``λ_min + α > 0``."""
    a = as_nonneg_float(alpha, "alpha", where=WHERE)
    lam = q.eigenvalues
    lo = float(lam[0]) if lam.size else 0.0
    hi = float(lam[-1]) if lam.size else 0.0
    if lam.size < q.d:  # thin basis: H = 0 on the complement of range(Q)
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if not lo + a > 0:
        raise PreconditionError(
            f"{WHERE} needs λ_min + α > 0 (H + αI positive definite); λ_min = {lo:.6g}, α = {a}"
        )
    return lo + a, hi + a


def shifted_condition_number(q: Quadratic, alpha: float) -> float:
    """``κ_α = κ(H + αI) = (λ_max + α)/(λ_min + α)``: 1 for α → ∞, ``κ(H)`` at α = 0.

    Its derivative in α is ``(λ_min − λ_max)/(λ_min + α)² ≤ 0`` (proofs/conditioning.py).
    """
    lo, hi = _extremes(q, alpha)
    return hi / lo


def optimal_step(q: Quadratic, alpha: float) -> float:
    """``ε* = 2/(λ_max + λ_min + 2α)``: the constant step that minimises ``max_i |1 − ε(λ_i + α)|``.

    It equalises the two extreme factors, ``1 − ε*(λ_min + α) = −(1 − ε*(λ_max + α))`` (Nesterov 2018,
    Thm 2.1.15, h = 2/(μ + L)). It lies inside the stable range ``(0, 2/(λ_max + α))`` (gd.stability).
    """
    lo, hi = _extremes(q, alpha)
    return 2.0 / (lo + hi)


def optimal_rate(q: Quadratic, alpha: float) -> float:
    """``ρ_α = (κ_α − 1)/(κ_α + 1) = (λ_max − λ_min)/(λ_max + λ_min + 2α)``: ‖w_k − w̃‖'s worst-case
    factor per step of GD at :func:`optimal_step`.

    Evaluated as the difference of the two eigenvalues over their sum: forming ``κ_α − 1`` first
    would cancel when κ_α is near 1. Attained exactly, step after step, from a start along q_min or
    q_max (the error keeps its direction there).
    """
    lo, hi = _extremes(q, alpha)
    return (hi - lo) / (hi + lo)


def bias(q: Quadratic, alpha: float) -> FloatArray:
    """``w̃(α) − w* = −Q diag(α/(λ_i + α)) Qᵀw*``, the bias weight decay puts into the limit of GD
    (l2.eigen, G 7.13). On a thin basis w* is the minimum-norm minimiser (no complement part)."""
    a = as_nonneg_float(alpha, "alpha", where=WHERE)
    _extremes(q, a)
    lam = q.eigenvalues
    return q.eigenvectors @ (-(a / (lam + a)) * q.coordinates)


def bias_norm(q: Quadratic, alpha: float) -> float:
    """``‖w̃(α) − w*‖ = (Σ_i (α c_i/(λ_i + α))²)^{1/2}``: increasing in α (each term is), from 0 at
    α = 0 to ‖c‖ = ‖w*‖ as α → ∞. Computed from the coordinates (Q is orthonormal)."""
    a = as_nonneg_float(alpha, "alpha", where=WHERE)
    _extremes(q, a)
    lam = q.eigenvalues
    return float(np.linalg.norm((a / (lam + a)) * q.coordinates))


def _start(q: Quadratic, w0: ArrayLike | None) -> FloatArray:
    if w0 is None:
        return np.zeros(q.d, dtype=q.dtype)
    w = np.asarray(w0, dtype=q.dtype)
    if w.shape != (q.d,):
        raise InputError(f"w0 must have shape ({q.d},); got {w.shape}")
    return w


def distance_to_optimum(
    q: Quadratic, alpha: float, steps: ArrayLike, w0: ArrayLike | None = None
) -> FloatArray:
    """``‖w_k − w*‖`` for GD at :func:`optimal_step` on ``J + (α/2)‖w‖²`` from ``w⁽⁰⁾`` (0 by default).

    ``w_k − w* = (w_k − w̃) + (w̃ − w*)``: the first part is :meth:`Quadratic.gd_iterates`'s closed form,
    which tends to 0 like ρ_α^k; the second is :func:`bias`. One value per entry of ``steps``.
    """
    ks = np.asarray(steps, dtype=np.float64)
    if ks.ndim > 1 or not np.isfinite(ks).all() or (ks < 0).any():
        bad = ks[~(np.isfinite(ks) & (ks >= 0))] if ks.ndim <= 1 else ks.shape
        raise InputError(f"{WHERE}: steps must be a number or 1-D array of finite counts ≥ 0; got {bad}")
    eps = optimal_step(q, alpha)
    iterates = q.gd_iterates(eps, steps, w0=_start(q, w0), alpha=alpha)
    return np.asarray(np.linalg.norm(iterates - q.w_star, axis=1))


def iterations_bound(q: Quadratic, alpha: float, delta: float, w0: ArrayLike | None = None) -> float:
    """A step count after which GD at ε*(α) stays within δ of w*: ``⌈log(‖w⁽⁰⁾ − w̃‖/(δ − b))/log(1/ρ_α)⌉``
    with ``b = ‖w̃ − w*‖`` (:func:`bias_norm`); ``inf`` when ``b ≥ δ``, 0 when ``‖w⁽⁰⁾ − w̃‖ ≤ δ − b``.

    From ``‖w_k − w*‖ ≤ ‖w_k − w̃‖ + b ≤ ρ_α^k‖w⁽⁰⁾ − w̃‖ + b``. It falls like ``κ_α·log(·)/2`` for large
    κ_α (``log(1/ρ) ≈ 2/κ``) until b approaches δ, then grows without bound: the trade-off.
    """
    d = as_positive_float(delta, "delta", where=WHERE)
    b = bias_norm(q, alpha)
    if b >= d:
        return math.inf
    start = _start(q, w0)
    gap = float(np.linalg.norm(start - (q.w_star + bias(q, alpha))))
    if gap <= d - b:
        return 0.0
    rho = optimal_rate(q, alpha)
    if rho * gap <= d - b:  # one step suffices (κ_α = 1 gives ρ = 0: the step lands on w̃); no log(0)
        return 1.0
    return float(math.ceil(math.log(gap / (d - b)) / -math.log(rho)))


def iterations_to_tolerance(q: Quadratic, alpha: float, delta: float, w0: ArrayLike | None = None) -> float:
    """The exact first step K from which GD at ε*(α) stays within δ of w*: ``‖w_k − w*‖ ≤ δ`` for all
    k ≥ K (``inf`` when ``‖w̃ − w*‖ ≥ δ``: the distance tends to the bias, so it cannot stay below δ).

    Evaluates :func:`distance_to_optimum` for k = 0 … :func:`iterations_bound` (after which the bound
    guarantees the tolerance) and returns one past the last k that is outside δ; the work is that many
    closed-form iterates (in chunks of 4096).
    """
    bound = iterations_bound(q, alpha, delta, w0)
    if not math.isfinite(bound):
        return math.inf
    last = -1
    for first in range(0, int(bound) + 1, _CHUNK):  # chunks keep the k×d iterates small
        ks = np.arange(first, min(first + _CHUNK, int(bound) + 1))
        outside = np.flatnonzero(distance_to_optimum(q, alpha, ks, w0) > delta)
        if outside.size:
            last = int(ks[outside[-1]])
    return float(last + 1)


def max_useful_alpha(q: Quadratic, delta: float) -> float:
    """The α at which ``‖w̃(α) − w*‖ = δ``: for larger α the tolerance δ around w* is out of reach.

    ``inf`` when ``δ ≥ ‖c‖`` (the bias never reaches δ). Found by Brent's method on log α
    (:func:`bias_norm` is increasing in α), to a relative precision of 1e-12 in α.
    """
    d = as_positive_float(delta, "delta", where=WHERE)
    lam = q.eigenvalues
    c = q.coordinates
    if float(np.linalg.norm(c)) <= d:
        return math.inf
    if (lam <= 0).any() and float(np.linalg.norm(c[lam <= 0])) >= d:
        return 0.0  # directions with λ_i = 0 are biased fully for any α > 0

    def gap(log_a: float) -> float:
        a = math.exp(log_a)
        return float(np.linalg.norm((a / (lam + a)) * c)) - d

    scale = float(lam[-1]) if lam.size and lam[-1] > 0 else 1.0
    lo, hi = math.log(scale) - 40.0, math.log(scale) + 40.0
    if gap(hi) <= 0:  # δ within ~1e-17 of ‖c‖: the bias reaches δ only as α → ∞
        return math.inf
    root = scipy.optimize.brentq(gap, lo, hi, xtol=1e-13, rtol=1e-13)
    return math.exp(root)
