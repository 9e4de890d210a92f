"""Tolerances that scale with size, conditioning and dtype, and the error measures they bound.

A bare ``1e-8`` means nothing for a matrix with condition number 1e12. The bounds here follow the
standard backward-error argument (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
§7.1): solving or eigendecomposing a d×d system with condition number κ in precision ``eps`` gives a
relative error of order ``d·κ·eps`` in a residual-type identity, and of order ``d·κ²·eps`` in a
product or commutator of two such matrices (``docs/reference.md``, "Traps"). Checks report the measured
``error / tolerance`` so a reader sees the margin.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError
from theory.validate import dtype_eps

__all__ = [
    "contraction_rate_error",
    "eigenbasis_tolerance",
    "elastic_net_agreement_tolerance",
    "gd_fraction_done",
    "gd_fraction_done_tolerance",
    "is_zero_within_rounding",
    "product_tolerance",
    "relative_error",
    "residual_tolerance",
    "rounding_zero_tolerance",
]


def residual_tolerance(d: int, kappa: float, dtype: Any = np.float64, c: float = 10.0) -> float:
    """``c · d · κ · eps(dtype)``: the bound for one solve or one eigendecomposition."""
    return c * max(d, 1) * max(float(kappa), 1.0) * dtype_eps(dtype)


def eigenbasis_tolerance(d: int, kappa: float = 1.0, dtype: Any = np.float64) -> float:
    """``3 · residual_tolerance``: a result assembled as ``Q f(Λ) Qᵀx`` passes three O(d·eps) stages.

    They are ``eigh``'s backward error (``H = QΛQᵀ + E``, ``‖E‖ ≤ c·d·eps·‖H‖``) and the two products
    with Q (each ``γ_d = d·eps/(1 − d·eps)``, Higham §3.5); their errors add.
    """
    return 3.0 * residual_tolerance(d, kappa, dtype)


def product_tolerance(d: int, kappa: float, dtype: Any = np.float64, c: float = 10.0) -> float:
    """``c · d · κ² · eps(dtype)``: the bound for a product or commutator of ill-conditioned factors."""
    return c * max(d, 1) * max(float(kappa), 1.0) ** 2 * dtype_eps(dtype)


def relative_error(actual: ArrayLike, expected: ArrayLike) -> float:
    """``‖actual − expected‖₂ / ‖expected‖₂`` (absolute error when ``expected`` is zero)."""
    a = np.asarray(actual, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    num = float(np.linalg.norm(a - b))
    den = float(np.linalg.norm(b))
    return num / den if den > 0 else num


def rounding_zero_tolerance(
    d: int, scale: float, dtype: Any = np.float64, *, c: float = 10.0, eps: float | None = None
) -> float:
    """``c · d · eps · scale``: how close to 0 a computed eigenvalue (or sum of them) may be by rounding.

    A backward-stable symmetric eigensolver returns the exact eigenvalues of ``H + E`` with
    ``‖E‖₂ ≤ c·d·eps·‖H‖₂`` (Higham §7.1; Weyl's inequality moves each eigenvalue by at most ‖E‖₂), so
    a computed eigenvalue with ``|λ| ≤ c·d·eps·λ_max`` cannot be told apart from 0. ``scale`` is
    ``‖H‖₂`` (``max|λ_i|``); ``eps`` overrides ``dtype`` (e.g. ``torch.finfo(t.dtype).eps``).
    """
    e = dtype_eps(dtype) if eps is None else float(eps)
    return c * max(d, 1) * e * max(abs(float(scale)), 0.0)


def is_zero_within_rounding(
    value: float, d: int, scale: float, dtype: Any = np.float64, *, c: float = 10.0, eps: float | None = None
) -> bool:
    """``|value| ≤ rounding_zero_tolerance(d, scale)``: the test that replaces ``value == 0`` / ``> 0``.

    With ``scale = 0`` (an all-zero matrix) only an exact 0 counts as zero, and every eigenvalue of
    such a matrix is exactly 0.
    """
    return abs(float(value)) <= rounding_zero_tolerance(d, scale, dtype, c=c, eps=eps)


def gd_fraction_done(x: ArrayLike, tau: ArrayLike) -> NDArray[np.floating[Any]]:
    """``1 − (1 − x)^τ`` for ``x = ε(λ + α)``: the fraction of the way to the fixed point after τ GD steps.

    es.trajectory (G 7.40) along one eigendirection. For ``x < 1`` it is evaluated as
    ``−expm1(τ·log1p(−x))`` from the product ``x`` itself: forming ``1 − x`` first would round away
    ``log10(1/x)`` digits of x, and ``1 − (1 − x)^τ`` would cancel. For ``x ≥ 1`` (oscillating or
    divergent GD) the power is used as is. Broadcasts ``x`` against ``tau``.
    """
    xa = np.asarray(x)
    ta = np.asarray(tau, dtype=xa.dtype if xa.dtype.kind == "f" else np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        monotone = xa < 1
        log_rate = np.log1p(-np.where(monotone, xa, 0.0))
        return np.where(monotone, -np.expm1(ta * log_rate), 1.0 - np.power(1.0 - xa, ta))


def gd_fraction_done_tolerance(x: float, dtype: Any = np.float64) -> float:
    """Relative forward-error bound of :func:`gd_fraction_done` for ``0 < x < 1`` (any τ ≥ 1).

    With ``u = eps/2`` and x the product ``ε·(λ + α)`` (at most two roundings: ``x̂ = x(1 + θ)``,
    ``|θ| ≤ 2u``), a log1p and an expm1 each within 1 ulp (``≤ 2u`` relative) and one rounding of
    ``τ·log1p``:

    * ``L = log1p(−x)`` carries ``2u·κ + 2u``, where ``κ = x / ((1 − x)·|log1p(−x)|)`` is its
      condition number in x (``κ → 1`` as x → 0; 1.44 at x = ½; 21.5 at x = 0.99);
    * ``y = τL`` adds u;
    * ``−expm1(y)`` has condition number ``|y|e^y/(1 − e^y) = s/(e^s − 1) ≤ 1`` (``s = −y > 0``) and
      adds 2u of its own.

    Total ``u(2κ + 5) = eps·(κ + 2.5)``: independent of τ, which is the point of the expm1/log1p form
    (the naive form's error grows like ``eps/(x·τ)``).
    """
    xf = float(x)
    if not 0 < xf < 1:
        raise InputError(f"gd_fraction_done_tolerance is for 0 < x < 1; got x = {xf}")
    kappa = xf / ((1.0 - xf) * abs(math.log1p(-xf)))
    return dtype_eps(dtype) * (kappa + 2.5)


def elastic_net_agreement_tolerance(
    h: ArrayLike, w_star: ArrayLike, l1: float, l2: float, w: ArrayLike, kkt_tolerance: float
) -> float:
    """Bound on ``‖w_FISTA − w_closed‖₂`` for diagonal H (l1.soft_threshold with α₂ = 0, enet.diagonal),
    from the two routes' errors.

    * ``kkt_tolerance`` bounds FISTA's computed KKT violation at w (the smallest |subgradient| per
      coordinate of ``F = J + α₁‖w‖₁ + (α₂/2)‖w‖²``): the violation reached
      (``ProximalResult.kkt_violation``) or the stopping tolerance, which is larger; the computed gradient
      ``h·w − h·w* + α₂w`` is off by at most ``δ = 2·eps·max_i(|h_i|(|w_i| + |w*_i|) + α₂|w_i|)``. F is
      μ-strongly convex with ``μ = min_i(h_i + α₂)``, so for any subgradient s at w,
      ``‖w − w_opt‖₂ ≤ ‖s‖₂/μ ≤ √d·(kkt_tolerance + δ)/μ`` (Nesterov, *Lectures on Convex
      Optimization*, 2018, Thm 2.1.10 applied to F).
    * The closed form rounds ``b = h·w*``, ``|b| − α₁``, ``h + α₂`` and the quotient: per coordinate
      ``eps·((|b_i| + α₁)/m_i + |w_i|(1 + (|h_i| + α₂)/m_i))`` with ``m_i = h_i + α₂`` (the middle
      term is the cancellation in ``h + α₂`` when ``h_i < 0``).
    """
    hv = np.asarray(h, dtype=np.float64)
    ws = np.asarray(w_star, dtype=np.float64)
    wv = np.asarray(w, dtype=np.float64)
    eps = dtype_eps(np.float64)
    m = hv + l2
    mu = float(np.min(m))
    if not mu > 0:
        raise InputError(f"elastic_net_agreement_tolerance needs h_i + α₂ > 0; min is {mu}")
    delta = 2.0 * eps * float(np.max(np.abs(hv) * (np.abs(wv) + np.abs(ws)) + l2 * np.abs(wv)))
    fista = math.sqrt(hv.size) * (float(kkt_tolerance) + delta) / mu
    b = np.abs(hv * ws)
    closed = eps * ((b + l1) / m + np.abs(wv) * (1.0 + (np.abs(hv) + l2) / m))
    return fista + float(np.linalg.norm(closed))


def contraction_rate_error(rho: float, t: float, k: int, err_k: float, err_0: float) -> float:
    """How far a measured contraction rate ``(e_k/e_0)^{1/k}`` may lie from ρ, given the errors of its parts.

    If ``|e_k − ρ^k t| ≤ err_k`` and ``|e_0 − t| ≤ err_0`` (t > err_0), then ``(e_k/e_0)^{1/k}`` lies in
    ``[((ρ^k t − err_k)₊/(t + err_0))^{1/k}, ((ρ^k t + err_k)/(t − err_0))^{1/k}]``, since the k-th root
    is increasing; the result is the larger distance from ρ to an end of that interval. Used by the
    l2.conditioning checks, which measure GD's rate from ``e_k = ‖w_k − w̃‖`` along an eigenvector.
    """
    hi = ((rho**k * t + err_k) / (t - err_0)) ** (1.0 / k)
    lo = (max(rho**k * t - err_k, 0.0) / (t + err_0)) ** (1.0 / k)
    return max(hi - rho, rho - lo)
