"""Rotational equilibrium of scale-invariant weights under weight decay (si.equilibrium).

A weight vector w feeding a normalisation layer (batch norm, layer norm) is scale-invariant: the loss
does not change when w is multiplied by c > 0, so its gradient is orthogonal to w and its size is
``g/‖w‖`` for some ``g`` that depends only on the direction (si.gradient). Weight decay shrinks ‖w‖;
the gradient step, being orthogonal, grows it. The two balance at an equilibrium norm, and there the
angle by which w turns in one step is fixed by ``ηλ`` alone.

SGD (torch's ``SGD(lr=η, weight_decay=λ)``, no momentum): ``w' = (1 − ηλ)w − η∇f(w)``. With
``x = ‖w‖²`` and ``∇f ⟂ w``, Pythagoras gives the exact norm recursion

    x' = F(x) = (1 − ηλ)²x + η²g²/x,

whose fixed point is ``x* = ηg/√(ηλ(2 − ηλ))``. The step turns w by ``tan θ = ηg/((1 − ηλ)x)``, so at
``x*`` exactly ``cos θ* = 1 − ηλ`` and ``θ* = √(2ηλ)(1 + ηλ/12 + O((ηλ)²))``. Near ``x*`` the deviation
obeys ``F(x) − x* = (x − x*)(a − c/(x·x*))`` with ``a = (1 − ηλ)²``, ``c = η²g²``: it contracts by
``ρ = 2(1 − ηλ)² − 1 = 1 − 4ηλ + 2(ηλ)²`` per step, a relaxation time ``−1/ln|ρ| = 1/(4ηλ) − 3/8 +
O(ηλ)`` steps.

SGD with momentum μ in torch's convention, the decay inside the buffer (``b ← μb + ∇f + λw``,
``w ← w − ηb``), gradients of fixed size, orthogonal to w and uncorrelated from step to step: to first
order in ηλ (at fixed μ) the norm settles at ``‖w‖⁴ = ηg²/(2λ(1 − μ))`` and the root-mean-square
angular update is ``√(2ηλ/(1 + μ))`` (Wan, Zhu, Zhang & Sun, "Spherical motion dynamics", NeurIPS
2021, whose formula is for this convention). With the decay outside the buffer (``b ← μb + ∇f``,
``w ← (1 − ηλ)w − ηb``) it is ``√(2ηλ(1 − μ)/(1 + μ))`` (``first_order_angle(..., decay_in_buffer=False)``;
both checked by random walks).

AdamW (torch: ``w ← (1 − ηλ)w − η·m̂/(√v̂ + ε)``) with β₁ = 0 and an update ``u`` of fixed size
``‖u‖² = C`` orthogonal to w: ``x' = (1 − ηλ)²x + η²C``, so ``x* = ηC/(λ(2 − ηλ))``, again
``cos θ* = 1 − ηλ``, and the norm relaxes at ``(1 − ηλ)²`` per step, a relaxation time
``−1/(2 ln(1 − ηλ)) ≈ 1/(2ηλ)``: twice SGD's. With β₁ > 0 the assumption is on the normalised gradient
``ĝ = ∇f/√v̂`` (v̂ settled), not on the update: ``E‖ĝ‖² = C`` (RMS 1 per coordinate of C), ĝ orthogonal
to w on average and uncorrelated from step to step. Then the norm is unchanged to first order
(``x* ≈ ηC/(2λ)``), while the update ``m̂/√v̂`` averages ĝ and has RMS ``√((1 − β₁)/(1 + β₁))``, and the
angle is ``√(2ηλ(1 − β₁)/(1 + β₁))`` (Kosson, Messmer & Jaggi, "Rotational equilibrium", ICML 2024).
The derivations are in ``proofs/equilibrium.py``.

Limitation (AdamW on real networks). Adam scales each coordinate by its own ``1/√v̂_i``, so ĝ is
orthogonal to w only when v̂ is about the same over the coordinates of w. On a batch-normalised MLP on
``make_moons`` (:func:`theory.empirical.equilibrium.moons_angle_ratios`), torch SGD with μ = 0.9 came
within 2–8 % of ``√(2ηλ/(1 + μ))`` but AdamW (β₁ = 0.9) at 0.61–0.86× the predicted angle (a new user
measured 0.38–0.85×); on ``load_digits`` the empirical row's AdamW angles are within 15 %. Read the AdamW
formulas as the isotropic case, not a guarantee for a given network.

Time to equilibrium. :func:`relaxation_time` is the local rate near x*. From far above x* the norm
shrinks by decay alone, ``x_t ≈ (1 − ηλ)^{2t}x_0``, so reaching x* takes about ``ln(x_0/x*)/(2ηλ)``
steps first (:func:`steps_to_equilibrium`, used for :func:`steady_state_angle`'s default burn-in).

The norm recursion (:func:`~theory.scale_invariance.norm_step`), the validation of (η, λ) and
:func:`~theory.scale_invariance.angle_between` are si.effective_lr's, from :mod:`theory.scale_invariance`;
this module adds the fixed points, angles and relaxation times built on them.

:func:`simulate` runs the three optimisers, vectorised over independent trials, on a random walk with
random tangent gradients of the stated size: the numeric route's independent check of the formulas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from theory.errors import InputError, PreconditionError
from theory.scale_invariance import angle_between, norm_step, validate_decay
from theory.validate import _as_real_scalar, as_count, as_positive_float

__all__ = [
    "Optimizer",
    "Simulation",
    "adamw_angle",
    "adamw_norm_fixed_point",
    "adamw_relaxation_time",
    "default_burn_in",
    "equilibrium_angle",
    "first_order_angle",
    "iterate_norm",
    "momentum_norm_fixed_point",
    "predicted_angle",
    "relaxation_rate",
    "relaxation_time",
    "sgd_norm_fixed_point",
    "simulate",
    "steady_state_angle",
    "step_angle",
    "steps_to_equilibrium",
]

FloatArray = NDArray[np.float64]
Optimizer = Literal["sgd", "adamw"]
_WHERE = "si.equilibrium"


def _decay(eta: object, wd: object) -> tuple[float, float, float]:
    """``(η, λ, ηλ)`` in the theorem's range ``η > 0``, ``λ > 0``, ``ηλ < 1``
    (:func:`theory.scale_invariance.validate_decay`)."""
    return validate_decay(eta, wd, where=_WHERE, lr_name="eta", strict=True)


def _fraction(value: object, name: str) -> float:
    """A momentum coefficient ``0 ≤ value < 1``."""
    out = _as_real_scalar(value, name)
    if not 0 <= out < 1:
        raise InputError(f"{_WHERE}: {name} must satisfy 0 ≤ {name} < 1; got {name} = {out}")
    return out


def sgd_norm_fixed_point(eta: float, wd: float, g: float) -> float:
    """``x* = ‖w*‖² = ηg/√(ηλ(2 − ηλ))``: the exact fixed point of ``x' = (1 − ηλ)²x + η²g²/x``.

    ``g = ‖w‖·‖∇f(w)‖`` (constant for a gradient of size ∝ 1/‖w‖). Solving ``x = ax + c/x`` with
    ``a = (1 − ηλ)²``, ``c = η²g²`` gives ``x² = c/(1 − a)``, and ``1 − a = ηλ(2 − ηλ)`` (formed so, not
    as ``1 − a``, which would cancel for small ηλ).
    """
    e, _, p = _decay(eta, wd)
    gg = as_positive_float(g, "g", where=_WHERE)
    return e * gg / math.sqrt(p * (2.0 - p))


def iterate_norm(x0: float, eta: float, wd: float, g: float, steps: int) -> FloatArray:
    """``x_0, …, x_steps`` of the exact norm recursion ``x' = (1 − ηλ)²x + η²g²/x``
    (:func:`theory.scale_invariance.norm_step`; deterministic: SGD without momentum)."""
    _decay(eta, wd)
    x = as_positive_float(x0, "x0", where=_WHERE)
    steps = as_count(steps, "steps", where=_WHERE)
    out = np.empty(steps + 1)
    out[0] = x
    for t in range(steps):
        out[t + 1] = norm_step(out[t], eta, wd, g)
    return out


def step_angle(x: float | FloatArray, eta: float, wd: float, g: float) -> Any:
    """The angle one SGD step turns w by at ``x = ‖w‖²``: ``θ = atan(ηg/((1 − ηλ)x))`` (exact).

    The new vector is ``(1 − ηλ)w`` plus an orthogonal ``−η∇f`` of length ``ηg/‖w‖``; so
    ``tan θ = η̂g`` with η̂ the effective learning rate of si.effective_lr
    (:func:`theory.scale_invariance.effective_lr`).
    """
    e, _, p = _decay(eta, wd)
    gg = as_positive_float(g, "g", where=_WHERE)
    return np.arctan2(e * gg, (1.0 - p) * np.asarray(x, dtype=np.float64))


def equilibrium_angle(eta: float, wd: float) -> float:
    """``θ* = arccos(1 − ηλ)``: the exact angular update at the norm's fixed point (SGD, and AdamW with
    an orthogonal update of fixed size).

    Evaluated as ``2·asin(√(ηλ/2))`` (from ``1 − cos θ = 2 sin²(θ/2)``): ``arccos`` of a number near 1
    loses half the digits of ηλ.
    """
    _, _, p = _decay(eta, wd)
    return 2.0 * math.asin(math.sqrt(p / 2.0))


def first_order_angle(eta: float, wd: float, momentum: float = 0.0, *, decay_in_buffer: bool = True) -> float:
    """``√(2ηλ/(1 + μ))``: the angular update to first order in ηλ, SGD with momentum μ and uncorrelated
    gradients (Wan, Zhu, Zhang & Sun 2021); μ = 0 is plain SGD, whose exact value is
    :func:`equilibrium_angle` = ``√(2ηλ)(1 + ηλ/12 + O((ηλ)²))``.

    The momentum convention matters. This is torch's ``SGD(momentum=μ, weight_decay=λ)``, where the
    decay goes through the buffer: ``b ← μb + ∇f + λw``, ``w ← w − ηb`` (the one Wan et al.'s formula is
    for). With the decay outside the buffer (``decay_in_buffer=False``: ``b ← μb + ∇f``,
    ``w ← (1 − ηλ)w − ηb``) the weights shrink by ηλ per step instead of ηλ/(1 − μ) in the long run, and
    the angle is ``√(2ηλ(1 − μ)/(1 + μ))``. Both are checked against random walks
    (``tests/test_equilibrium.py``; :func:`simulate` has the same switch)."""
    _, _, p = _decay(eta, wd)
    mu = _fraction(momentum, "momentum")
    if not isinstance(decay_in_buffer, bool):
        raise InputError(f"{_WHERE}: decay_in_buffer must be True or False; got {decay_in_buffer!r}")
    return math.sqrt(2.0 * p / (1.0 + mu) * (1.0 if decay_in_buffer else 1.0 - mu))


def momentum_norm_fixed_point(eta: float, wd: float, g: float, momentum: float) -> float:
    """``x* = ‖w*‖² = √(ηg²/(2λ(1 − μ)))``: SGD with momentum μ, to first order in ηλ (uncorrelated
    gradients of size ``g/‖w‖``); μ = 0 is the first-order form of :func:`sgd_norm_fixed_point`."""
    e, lam, _ = _decay(eta, wd)
    gg = as_positive_float(g, "g", where=_WHERE)
    mu = _fraction(momentum, "momentum")
    return math.sqrt(e * gg**2 / (2.0 * lam * (1.0 - mu)))


def adamw_norm_fixed_point(eta: float, wd: float, size: float) -> float:
    """``x* = ‖w*‖² = ηC/(λ(2 − ηλ))``: the fixed point of ``x' = (1 − ηλ)²x + η²C`` (AdamW whose update
    has ``‖u‖² = C``, orthogonal to w; exact). With β₁ > 0 and uncorrelated gradients this is still
    the first-order norm, ``≈ ηC/(2λ)`` with C the number of coordinates (Kosson et al. 2024)."""
    e, lam, p = _decay(eta, wd)
    c = as_positive_float(size, "size", where=_WHERE)
    return e * c / (lam * (2.0 - p))


def adamw_angle(eta: float, wd: float, beta1: float = 0.0) -> float:
    """``√(2ηλ(1 − β₁)/(1 + β₁))``: AdamW's angular update to first order in ηλ, with uncorrelated
    gradients (Kosson, Messmer & Jaggi 2024). For β₁ = 0 and an exactly orthogonal update of fixed
    size the exact value is :func:`equilibrium_angle`."""
    _, _, p = _decay(eta, wd)
    b1 = _fraction(beta1, "beta1")
    return math.sqrt(2.0 * p * (1.0 - b1) / (1.0 + b1))


def predicted_angle(optimizer: str, eta: float, wd: float, momentum: float = 0.0) -> float:
    """The first-order equilibrium angle of ``optimizer`` as torch runs it: :func:`first_order_angle`
    for ``SGD(lr=η, momentum=μ, weight_decay=λ)`` (decay inside the buffer), :func:`adamw_angle` for
    ``AdamW(lr=η, betas=(β₁, ·), weight_decay=λ)`` with ``β₁ = momentum``."""
    if optimizer == "sgd":
        return first_order_angle(eta, wd, momentum)
    if optimizer == "adamw":
        return adamw_angle(eta, wd, momentum)
    raise InputError(f"optimizer must be 'sgd' or 'adamw'; got {optimizer!r}")


def relaxation_rate(eta: float, wd: float) -> float:
    """``ρ = F'(x*) = 2(1 − ηλ)² − 1 = 1 − 4ηλ + 2(ηλ)²``: the factor by which SGD's ``x − x*`` shrinks
    per step near the fixed point (``|ρ| < 1`` for every ``0 < ηλ < 1``; negative, an oscillating
    approach, for ``ηλ > 1 − 1/√2``)."""
    _, _, p = _decay(eta, wd)
    return 1.0 - 4.0 * p + 2.0 * p * p


def relaxation_time(eta: float, wd: float) -> float:
    """``τ = −1/ln|ρ| = 1/(4ηλ) − 3/8 + O(ηλ)`` steps: SGD's time to shrink ``x − x*`` by e (linearised).

    ``ln ρ`` is formed with ``log1p`` of ``−4ηλ + 2(ηλ)²`` (``ρ > 0``) so small ηλ keeps its digits.
    """
    _, _, p = _decay(eta, wd)
    rho = relaxation_rate(eta, wd)
    log_abs = math.log1p(-4.0 * p + 2.0 * p * p) if rho > 0 else math.log(abs(rho))
    if not log_abs < 0:  # ρ = 0 (ηλ = 1 − 1/√2): the fixed point is reached in one linearised step
        return 0.0
    return -1.0 / log_abs


def steps_to_equilibrium(
    x0: float, eta: float, wd: float, g: float, *, rtol: float = 0.01, optimizer: Optimizer = "sgd"
) -> int:
    """Steps until ``x = ‖w‖²`` comes within ``rtol`` of its fixed point from ``x_0`` (the global answer;
    :func:`relaxation_time` is only the local rate near x*).

    Far above x* the gradient term ``η²g²/x`` is negligible and the norm shrinks by decay alone,
    ``x_t ≈ (1 − ηλ)^{2t}x_0``: about ``ln(x_0/x*)/(2ηλ)`` steps to get near x*, then about
    ``τ·ln(1/rtol)`` more. From ``x_0 = 100x*`` at ηλ = 0.01 that is ≈ 230 + 115 steps, far more than a
    burn-in of a few τ ≈ 25 suggests. ``"sgd"`` (μ = 0, gradient size ``g/‖w‖``): the exact recursion
    :func:`~theory.scale_invariance.norm_step` iterated (any start, above or below x*). ``"adamw"`` (an
    orthogonal update of fixed size, ``‖u‖² = g``): its linear recursion in closed form,
    ``x_t − x* = (1 − ηλ)^{2t}(x_0 − x*)``, so ``t = ⌈ln(|x_0 − x*|/(rtol·x*)) / (−2 ln(1 − ηλ))⌉``.

    With momentum in torch's convention the decay acts as ηλ/(1 − μ) per step, so the ``"sgd"`` count
    (decay ηλ per step) is a conservative burn-in there (:func:`steady_state_angle` uses it).
    """
    e, lam, p = _decay(eta, wd)
    x = as_positive_float(x0, "x0", where=_WHERE)
    tol = as_positive_float(rtol, "rtol", where=_WHERE)
    if str(optimizer) == "adamw":
        x_star = adamw_norm_fixed_point(e, lam, g)
        gap = abs(x - x_star) / (tol * x_star)
        return 0 if gap <= 1 else math.ceil(math.log(gap) / (-2.0 * math.log1p(-p)))
    if str(optimizer) != "sgd":
        raise InputError(f"{_WHERE}: optimizer must be 'sgd' or 'adamw'; got {optimizer!r}")
    x_star = sgd_norm_fixed_point(e, lam, g)
    # a generous cap: the decay-only phase, then the local phase at the slower of the two rates
    far = abs(math.log(x / x_star)) / (-2.0 * math.log1p(-p))
    cap = 2 * math.ceil(far + (relaxation_time(e, lam) + 1.0) * (math.log(1.0 / tol) + 1.0)) + 10
    for t in range(cap + 1):
        if abs(x / x_star - 1.0) <= tol:
            return t
        x = float(norm_step(x, e, lam, g))
    raise PreconditionError(  # not reached for 0 < ηλ < 1 (the map contracts towards x*)
        f"{_WHERE}: the norm did not come within rtol = {tol} of x* = {x_star} in {cap} steps from x0 = {x0}"
    )


def adamw_relaxation_time(eta: float, wd: float) -> float:
    """``−1/(2 ln(1 − ηλ)) = 1/(2ηλ) − 1/4 + O(ηλ)`` steps: AdamW's norm recursion is linear,
    ``x' − x* = (1 − ηλ)²(x − x*)``, so ``x − x*`` shrinks by e in this many steps."""
    _, _, p = _decay(eta, wd)
    return -1.0 / (2.0 * math.log1p(-p))


@dataclass(frozen=True, slots=True)
class Simulation:
    """A random-walk run of :func:`simulate`.

    ``angles[t, k]``: the angle between ``w_t`` and ``w_{t+1}`` in trial k (steps × trials);
    ``norms2[t, k]``: ``‖w_t‖²`` (steps + 1 × trials); the parameters it was run with.
    """

    optimizer: str
    eta: float
    weight_decay: float
    momentum: float
    g: float
    angles: FloatArray
    norms2: FloatArray
    dim: int = 0


def simulate(
    optimizer: Optimizer,
    eta: float,
    wd: float,
    steps: int,
    *,
    dim: int = 64,
    trials: int = 32,
    momentum: float = 0.0,
    beta2: float = 0.99,
    adam_eps: float = 1e-12,
    decay_in_buffer: bool = True,
    g: float = 1.0,
    scale0: float = 1.0,
    seed: int | np.random.Generator = 0,
) -> Simulation:
    """Run SGD (with momentum) or AdamW on scale-invariant random walks, all trials at once.

    Each step draws a Gaussian vector, removes its component along w and scales it to length
    ``g/‖w‖``: a gradient orthogonal to w of the size si.gradient gives a scale-invariant loss, in a
    random direction independent of the past (the "uncorrelated gradients" assumption). Then

    * ``"sgd"``: torch's ``SGD(lr=η, momentum=μ, weight_decay=λ)``: ``b ← ∇ + λw`` on the first step,
      ``b ← μb + ∇ + λw`` after; ``w ← w − ηb``;
      With ``decay_in_buffer=False`` the decay is applied outside the buffer instead
      (``b ← μb + ∇``, ``w ← (1 − ηλ)w − ηb``), the convention whose first-order angle is
      ``√(2ηλ(1 − μ)/(1 + μ))`` (:func:`first_order_angle`);
    * ``"adamw"``: torch's ``AdamW(lr=η, betas=(μ, beta2), eps=adam_eps, weight_decay=λ)``:
      ``w ← (1 − ηλ)w``, then ``w ← w − η·m̂/(√v̂ + ε)`` with bias-corrected moment averages.

    ``momentum`` is μ (SGD) or β₁ (AdamW). ``w_0`` is Gaussian with ``‖w_0‖² ≈ scale0²·dim``.
    """
    kind = str(optimizer)
    if kind not in ("sgd", "adamw"):
        raise InputError(f"{_WHERE}: optimizer must be 'sgd' or 'adamw'; got {optimizer!r}")
    e, lam, _ = _decay(eta, wd)
    mu = _fraction(momentum, "momentum")
    b2 = _fraction(beta2, "beta2")
    gg = as_positive_float(g, "g", where=_WHERE)
    s0 = as_positive_float(scale0, "scale0", where=_WHERE)
    eps_a = as_positive_float(adam_eps, "adam_eps", where=_WHERE)
    steps = as_count(steps, "steps", where=_WHERE, low=1)
    dim = as_count(dim, "dim", where=_WHERE, low=2)
    trials = as_count(trials, "trials", where=_WHERE, low=2)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    w = s0 * rng.standard_normal((trials, dim))
    buf = np.zeros_like(w)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    angles = np.empty((steps, trials))
    norms2 = np.empty((steps + 1, trials))
    norms2[0] = np.einsum("ij,ij->i", w, w)
    for t in range(steps):
        x = norms2[t][:, None]
        z = rng.standard_normal((trials, dim))
        z -= (np.einsum("ij,ij->i", z, w)[:, None] / x) * w
        grad = z * (gg / (np.linalg.norm(z, axis=1, keepdims=True) * np.sqrt(x)))
        if kind == "sgd":
            d_p = grad + lam * w if decay_in_buffer else grad
            buf = d_p if t == 0 or mu == 0 else mu * buf + d_p
            new = w - e * buf if decay_in_buffer else (1.0 - e * lam) * w - e * buf
        else:
            m = mu * m + (1.0 - mu) * grad
            v = b2 * v + (1.0 - b2) * grad * grad
            m_hat = m / (1.0 - mu ** (t + 1))
            v_hat = v / (1.0 - b2 ** (t + 1))
            new = (1.0 - e * lam) * w - e * m_hat / (np.sqrt(v_hat) + eps_a)
        angles[t] = angle_between(w, new)
        w = new
        norms2[t + 1] = np.einsum("ij,ij->i", w, w)
    return Simulation(kind, e, lam, mu, gg, angles, norms2, dim)


def default_burn_in(sim: Simulation, rtol: float = 0.01) -> int:
    """The steps every trial of ``sim`` needs to bring its norm within ``rtol`` of the fixed point
    (:func:`steps_to_equilibrium` from the largest and the smallest ``‖w_0‖²``): SGD's exact count
    (decay ηλ per step; conservative with momentum, whose decay acts as ηλ/(1 − μ)), AdamW's closed form
    with ``‖u‖² = dim``."""
    starts = (float(np.max(sim.norms2[0])), float(np.min(sim.norms2[0])))
    if sim.optimizer == "adamw":
        return max(
            steps_to_equilibrium(x, sim.eta, sim.weight_decay, sim.dim, rtol=rtol, optimizer="adamw")
            for x in starts
        )
    return max(steps_to_equilibrium(x, sim.eta, sim.weight_decay, sim.g, rtol=rtol) for x in starts)


def steady_state_angle(sim: Simulation, burn_in: int | None = None) -> tuple[float, float]:
    """``(mean, standard error)`` over trials of each trial's root-mean-square angle after ``burn_in``.

    The trials are independent, so the standard error of their mean is ``std/√trials`` (the steps
    within one trial are correlated; averaging them first and treating trials as the samples avoids
    assuming otherwise). ``burn_in`` defaults to :func:`default_burn_in` (the global time to
    equilibrium, not a multiple of the local :func:`relaxation_time`: from ‖w_0‖² = 100x* the decay
    alone takes ``ln 100/(2ηλ)`` steps).
    """
    steps, trials = sim.angles.shape
    if burn_in is None:
        burn_in = default_burn_in(sim)
        if not burn_in < steps:
            raise InputError(
                f"{_WHERE}: the run of {steps} steps ends before equilibrium (≈ {burn_in} steps from "
                f"‖w_0‖² ∈ [{float(np.min(sim.norms2[0])):.3g}, {float(np.max(sim.norms2[0])):.3g}]): run "
                "longer or pass burn_in"
            )
    if isinstance(burn_in, bool) or not isinstance(burn_in, int | np.integer) or not 0 <= burn_in < steps:
        raise InputError(f"{_WHERE}: burn_in must be an integer in [0, {steps}); got {burn_in!r}")
    rms = np.sqrt(np.mean(sim.angles[burn_in:] ** 2, axis=0))
    return float(np.mean(rms)), float(np.std(rms, ddof=1) / math.sqrt(trials))
