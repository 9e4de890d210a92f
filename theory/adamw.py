"""adamw.ema: AdamW's weights are an exponential moving average of its updates, with timescale 1/(ηλ).

torch's ``AdamW(lr=η, weight_decay=λ)`` takes the step ``w_{t+1} = (1 − ηλ)w_t − ηu_t`` with the Adam
update ``u_t = m̂_t/(√v̂_t + ε)`` (decoupled decay, Loshchilov & Hutter 2019). Written as
``w_{t+1} = (1 − ηλ)w_t + ηλ·(−u_t/λ)`` it is an exponential moving average of ``−u_t/λ`` with weight
ηλ, so (Wang & Aitchison, *How to set AdamW's weight decay as you scale model and dataset size*, ICML 2025,
arXiv 2405.13698;
``docs/reference.md``, "Theorem catalogue", ``adamw.ema``)

    w_t = (1 − ηλ)^t w_0 + Σ_{s<t} ηλ(1 − ηλ)^{t−1−s}·(−u_s/λ),

the weights on the ``−u_s/λ`` sum to ``1 − (1 − ηλ)^t``, and the memory is ``τ_iter = 1/(ηλ)``
iterations (the exact e-folding count is ``−1/log(1 − ηλ) = 1/(ηλ) − ½ + O(ηλ)``), that is
``τ_epoch = τ_iter·B/N`` epochs for batch size B and N examples. Keeping τ_epoch fixed as N grows
(B, η fixed) means ``λ ∝ 1/N``.

With a learning-rate schedule η_t torch multiplies λ by the current η_t (the decay is ``1 − η_tλ``),
so the average keeps its form with time-varying weights: ``w_t = P_0 w_0 − Σ_s η_s P_{s+1} u_s``,
``P_s = Π_{r=s}^{t−1}(1 − η_rλ)``, and the timescale at step t is ``1/(η_tλ)``: it lengthens as the
schedule decays. :func:`ema_coefficients`, :func:`ema_weights`, :func:`recursion` and
:func:`ema_rounding_bound` take η as a scalar or as the schedule ``(η_0, …, η_{T−1})``.

Independent of torch: :func:`adam_updates` recomputes u_t from recorded gradients in NumPy, and the
empirical check compares torch's weights with :func:`ema_weights` applied to them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError, PreconditionError
from theory.validate import as_positive_float, dtype_eps

__all__ = [
    "AdamUpdates",
    "adam_updates",
    "decay_for_epoch_timescale",
    "efolding_iterations",
    "ema_coefficients",
    "ema_rounding_bound",
    "ema_weights",
    "epoch_timescale",
    "initial_weight",
    "iteration_timescale",
    "matched_decay",
    "recursion",
]

FloatArray = NDArray[np.floating[Any]]
WHERE = "adamw.ema"


def _schedule(lr: ArrayLike, steps: int) -> FloatArray:
    """η as a length-``steps`` array (a scalar is repeated); every entry > 0."""
    eta = np.asarray(lr, dtype=np.float64)
    if eta.ndim == 0:
        eta = np.full(steps, float(eta))
    if eta.shape != (steps,):
        raise InputError(f"{WHERE}: the learning-rate schedule needs {steps} entries; got shape {eta.shape}")
    if not (np.isfinite(eta).all() and (eta > 0).all()):
        raise InputError(
            f"{WHERE}: learning rates must be finite and > 0; got min {eta.min() if eta.size else 'none'}"
        )
    return eta


def _decay_products(eta: FloatArray, weight_decay: float) -> FloatArray:
    """``x_s = η_s λ`` after checking ``0 < η_s λ < 1`` (else the average is not one: the factor
    ``1 − η_sλ`` would be ≤ 0)."""
    x = eta * weight_decay
    if (x >= 1).any():
        i = int(np.argmax(x))
        raise PreconditionError(
            f"{WHERE} needs 0 < ηλ < 1; η_{i}·λ = {eta[i]:.6g}·{weight_decay:.6g} = {x[i]:.6g}"
        )
    return x


def _product(lr: float, weight_decay: float) -> tuple[float, float]:
    """``(η, ηλ)`` for a constant learning rate, after checking η > 0, λ > 0 and ``ηλ < 1``."""
    e = as_positive_float(lr, "lr", where=WHERE)
    lam = as_positive_float(weight_decay, "weight_decay", where=WHERE)
    return e, float(_decay_products(np.array([e]), lam)[0])


def _inputs(w0: ArrayLike, updates: ArrayLike, weight_decay: float) -> tuple[FloatArray, FloatArray, float]:
    """``(w_0, u, λ)`` as float64 after checking that the updates have shape ``(T, *w0.shape)``."""
    u = np.asarray(updates, dtype=np.float64)
    w = np.array(w0, dtype=np.float64)
    if u.ndim < 1 or u.shape[1:] != w.shape:
        raise InputError(f"{WHERE}: updates must have shape (T, *w0.shape) = (T, {w.shape}); got {u.shape}")
    return w, u, as_positive_float(weight_decay, "weight_decay", where=WHERE)


def ema_coefficients(lr: ArrayLike, weight_decay: float, steps: int) -> tuple[float, FloatArray]:
    """``(P_0, a)`` with ``w_T = P_0 w_0 + Σ_s a_s·(−u_s/λ)``: ``P_0 = Π_{r<T}(1 − η_rλ)`` and
    ``a_s = η_sλ·Π_{s<r<T}(1 − η_rλ)`` (constant η: ``(1 − ηλ)^T`` and ``ηλ(1 − ηλ)^{T−1−s}``).

    ``P_0 + Σ_s a_s = 1`` (the sum telescopes). The products are ``exp`` of suffix sums of
    ``log1p(−η_rλ)``: forming ``1 − η_rλ`` first would round away the digits of a small ηλ.
    """
    if not isinstance(steps, int | np.integer) or steps < 0:
        raise InputError(f"{WHERE}: steps must be an integer ≥ 0; got {steps!r}")
    lam = as_positive_float(weight_decay, "weight_decay", where=WHERE)
    eta = _schedule(lr, int(steps))
    x = _decay_products(eta, lam)
    logs = np.log1p(-x)
    # suffix[s] = Σ_{r ≥ s} log(1 − x_r); suffix[T] = 0
    suffix = np.concatenate([np.cumsum(logs[::-1])[::-1], [0.0]])
    return float(np.exp(suffix[0])), x * np.exp(suffix[1:])


def ema_weights(w0: ArrayLike, updates: ArrayLike, lr: ArrayLike, weight_decay: float) -> FloatArray:
    """``w_T`` as the weighted sum ``P_0 w_0 + Σ_s a_s (−u_s/λ)`` (:func:`ema_coefficients`), for
    updates ``u`` of shape (T, …) and ``w_0`` of the shape of one update. The closed form of
    :func:`recursion`; the two routes share no arithmetic but the products of ``1 − η_sλ``."""
    w, u, lam = _inputs(w0, updates, weight_decay)
    p0, a = ema_coefficients(lr, lam, u.shape[0])
    return p0 * w - np.tensordot(a / lam, u, axes=(0, 0))


def recursion(w0: ArrayLike, updates: ArrayLike, lr: ArrayLike, weight_decay: float) -> FloatArray:
    """The plain loop ``w ← (1 − η_tλ)w − η_t u_t`` (torch's AdamW step, decay first), returning every
    iterate ``w_0, …, w_T`` (shape (T + 1, …))."""
    w, u, lam = _inputs(w0, updates, weight_decay)
    eta = _schedule(lr, u.shape[0])
    _decay_products(eta, lam)
    out = np.empty((u.shape[0] + 1, *w.shape))
    out[0] = w
    for t in range(u.shape[0]):
        w = (1.0 - eta[t] * lam) * w - eta[t] * u[t]
        out[t + 1] = w
    return out


def ema_rounding_bound(w0: ArrayLike, updates: ArrayLike, lr: ArrayLike, dtype: Any = np.float64) -> float:
    """A bound on ``max|ema_weights − recursion[-1]|`` from rounding, for T updates.

    Both routes start from the same rounded products ``x_t = fl(η_tλ)``. With
    ``S = max_j(|w_{0,j}| + Σ_s η_s|u_{s,j}|)`` (every partial sum of either route is at most S in
    modulus, since each factor ``1 − x_t`` lies in (0, 1)) and the unit roundoff ``u = eps/2``:

    * recursion: ``1 − x_t`` (relative u), the product with w, ``η_t·u_t`` and the difference (u each)
      give ≤ 4u·S a step; later steps multiply it by factors < 1, so ≤ 4T·u·S in all;
    * closed form: ``log1p`` (relative u), the suffix sums (≤ T·u relative to
      ``Λ_s = Σ_{r≥s}|log(1 − x_r)|``), ``exp`` and the products with x and 1/λ (u each): a
      coefficient ``P = e^{−Λ}`` is off by at most ``P(TuΛ + 3u) ≤ Tu + 3u`` relative to its term
      (``Λe^{−Λ} ≤ 1``), and the tensordot's T additions add T·u·S: ≤ (2T + 3)u·S.

    Total ``(6T + 3)·u·S``, returned as ``(7T + 4)·u·S``.
    """
    u = np.abs(np.asarray(updates, dtype=np.float64))
    eta = _schedule(lr, u.shape[0])
    s = float(
        np.max(np.abs(np.asarray(w0, dtype=np.float64)) + np.tensordot(eta, u, axes=(0, 0)), initial=0.0)
    )
    return (7 * u.shape[0] + 4) * (dtype_eps(dtype) / 2) * s


def iteration_timescale(lr: float, weight_decay: float) -> float:
    """``τ_iter = 1/(ηλ)``: the EMA's memory in iterations (Wang & Aitchison 2025).

    Like every function here it needs ``0 < ηλ < 1`` (PreconditionError with the values otherwise):
    at ηλ ≥ 1 the factor ``1 − ηλ`` is ≤ 0 and there is no average, so no memory to measure.
    """
    _, x = _product(lr, weight_decay)
    return 1.0 / x


def efolding_iterations(lr: float, weight_decay: float) -> float:
    """``−1/log(1 − ηλ)``: the exact number of steps after which a weight has decayed by 1/e;
    ``= 1/(ηλ) − ½ − ηλ/12 + O((ηλ)²)``, so it differs from :func:`iteration_timescale` by less than 1
    for ``ηλ ≤ ½``."""
    _, x = _product(lr, weight_decay)
    return -1.0 / math.log1p(-x)


def epoch_timescale(lr: float, weight_decay: float, batch_size: int, n: int) -> float:
    """``τ_epoch = τ_iter·B/N = B/(ηλN)``: the memory in epochs (N/B iterations an epoch)."""
    b, m = _sizes(batch_size, n)
    return iteration_timescale(lr, weight_decay) * b / m


def decay_for_epoch_timescale(tau_epoch: float, lr: float, batch_size: int, n: int) -> float:
    """The λ that gives the memory ``tau_epoch`` epochs: ``λ = B/(η·τ_epoch·N)``, so λ ∝ 1/N at fixed
    τ_epoch, B and η (Wang & Aitchison 2025)."""
    t = as_positive_float(tau_epoch, "tau_epoch", where=WHERE)
    e = as_positive_float(lr, "lr", where=WHERE)
    b, m = _sizes(batch_size, n)
    lam = b / (e * t * m)
    if not e * lam < 1:  # ηλ = B/(τN) ≥ 1: a memory shorter than one step has no λ
        raise PreconditionError(
            f"{WHERE} needs 0 < ηλ < 1; τ_epoch = {t:.6g} epochs of N/B = {m / b:.6g} steps gives "
            f"ηλ = B/(τ_epoch·N) = {b}/({t:.6g}·{m}) = {e * lam:.6g}"
        )
    return lam


def initial_weight(lr: float, weight_decay: float, steps: int) -> float:
    """``(1 − ηλ)^T``: the weight ``w_0`` keeps in ``w_T`` (the rest is the average of the updates)."""
    return ema_coefficients(lr, weight_decay, steps)[0]


def matched_decay(lr: float, weight_decay: float, factor: int) -> float:
    """The λ' for which ``factor``·T steps keep exactly the initial weight that T steps keep at λ:
    ``(1 − ηλ')^{kT} = (1 − ηλ)^T``, so ``λ' = (1 − (1 − ηλ)^{1/k})/η = λ/k + (k − 1)ηλ²/(2k²) + …``.

    λ/k is its first-order form (the 1/N rule); with λ/k the kept weight is larger by the factor
    ``exp(T·[k·log(1 − ηλ/k) − log(1 − ηλ)]) = exp(T(ηλ)²(1 − 1/k)/2 + …)``.
    """
    e = as_positive_float(lr, "lr", where=WHERE)
    lam = as_positive_float(weight_decay, "weight_decay", where=WHERE)
    if not isinstance(factor, int | np.integer) or factor < 1:
        raise InputError(f"{WHERE}: factor must be a positive integer; got {factor!r}")
    x = float(_decay_products(np.array([e]), lam)[0])
    return -math.expm1(math.log1p(-x) / int(factor)) / e


def _sizes(batch_size: int, n: int) -> tuple[int, int]:
    if (
        not (isinstance(batch_size, int | np.integer) and isinstance(n, int | np.integer))
        or not 1 <= batch_size <= n
    ):
        raise InputError(
            f"{WHERE}: need integers 1 ≤ batch_size ≤ n; got batch_size = {batch_size!r}, n = {n!r}"
        )
    return int(batch_size), int(n)


class AdamUpdates:
    """The Adam updates ``u_t = m̂_t/(√v̂_t + ε)`` of a gradient sequence, with a rounding bound.

    Attributes:
        u: shape (T, …), the updates.
        error: shape (T, …), a bound on |u_t − u_t computed by another order of the same operations|.
    """

    __slots__ = ("error", "u")

    def __init__(self, u: FloatArray, error: FloatArray) -> None:
        self.u = u
        self.error = error


def adam_updates(
    grads: ArrayLike, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, dtype: Any = np.float64
) -> AdamUpdates:
    """Adam's moments from gradients ``g_0 … g_{T−1}`` (shape (T, …)), in NumPy (Kingma & Ba 2015):

    ``m_t = β₁m_{t−1} + (1 − β₁)g_t``, ``v_t = β₂v_{t−1} + (1 − β₂)g_t²`` from 0,
    ``m̂_t = m_t/(1 − β₁^{t+1})``, ``v̂_t = v_t/(1 − β₂^{t+1})``, ``u_t = m̂_t/(√v̂_t + ε)``.

    The rounding bound: m_t is a sum of t + 1 terms, each rounded ≤ 2 times per step it survives, so
    its error is ≤ 2(t + 1)·u·M_t with ``M_t`` the same average of |g| (u = eps/2); v_t likewise
    (all terms ≥ 0, so relative 2(t + 1)u, and ½ of it through the square root); the bias corrections,
    the square root, the addition of ε and the quotient add ≤ 6u relative. Hence
    ``|δu_t| ≤ u·[(2(t + 1) + 6)·M̂_t + ((t + 1) + 6)·|m̂_t|]/(√v̂_t + ε)`` — the bound on how far two
    correct implementations (torch's, which divides ``√v_t`` by ``√(1 − β₂^{t+1})``, and this one) can
    differ.
    """
    g = np.asarray(grads, dtype=np.float64)
    if g.ndim < 1 or not np.isfinite(g).all():
        raise InputError(f"{WHERE}: gradients must be a finite array of shape (T, …); got shape {g.shape}")
    b1, b2 = (float(b) for b in betas)
    if not (0 <= b1 < 1 and 0 <= b2 < 1):
        raise InputError(f"{WHERE}: betas must lie in [0, 1); got {betas}")
    e = as_positive_float(eps, "eps", where=WHERE)
    unit = dtype_eps(dtype) / 2
    m = np.zeros(g.shape[1:])
    v = np.zeros(g.shape[1:])
    mabs = np.zeros(g.shape[1:])
    u = np.empty_like(g)
    err = np.empty_like(g)
    for t in range(g.shape[0]):
        m = b1 * m + (1 - b1) * g[t]
        v = b2 * v + (1 - b2) * g[t] * g[t]
        mabs = b1 * mabs + (1 - b1) * np.abs(g[t])
        c1 = 1 - b1 ** (t + 1)
        c2 = 1 - b2 ** (t + 1)
        m_hat, mabs_hat = m / c1, mabs / c1
        denom = np.sqrt(v / c2) + e
        u[t] = m_hat / denom
        err[t] = unit * ((2 * (t + 1) + 6) * mabs_hat + ((t + 1) + 6) * np.abs(m_hat)) / denom
    return AdamUpdates(u, err)
