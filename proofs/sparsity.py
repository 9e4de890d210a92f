"""Derivations of l1.soft_threshold and enet.diagonal: case analysis on the subgradient.

For diagonal H the objective separates into one scalar problem per coordinate,
``f(w) = (h/2)(w − w*)² + α₁|w| + (α₂/2)w²`` (α₂ = 0 for L1), so each case below is proved for one
coordinate and therefore for every n. ``f`` is strictly convex (h + α₂ > 0), so the point where 0 lies
in the subdifferential ``h(w − w*) + α₂w + α₁∂|w|`` is the unique minimiser; the three cases w > 0,
w < 0 and w = 0 (where ∂|w| = [−1, 1]) cover every w*. Each region is written with fresh
non-negative symbols (``w* = α/h + t``, t > 0, and so on), so that SymPy evaluates the closed form's
``sign`` and ``max`` from the assumptions alone.
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import Derivation, Result, holds, identity, solve

__all__ = ["elastic_net", "soft_threshold"]

_w = sp.Symbol("w", real=True)
_w_star = sp.Symbol("w^*", real=True)
_h = sp.Symbol("h", positive=True)
_t = sp.Symbol("t", positive=True)
_u = sp.Symbol("u", nonnegative=True)
_t0 = sp.Symbol("t", nonnegative=True)


def soft_threshold() -> Derivation:
    """l1.soft_threshold: ``w_i = sign(w*_i) max(|w*_i| − α/H_ii, 0)`` for diagonal H (G 7.20–7.23)."""
    alpha = sp.Symbol("alpha", nonnegative=True)
    w_nz = sp.Symbol("w^*", real=True, nonzero=True)
    closed = sp.sign(_w_star) * sp.Max(sp.Abs(_w_star) - alpha / _h, 0)
    pos, neg, zero, l2 = (
        "Case w > 0",
        "Case w < 0",
        "Case w = 0 (∂|w| = [−1, 1])",
        "L2 never zeroes a coordinate",
    )
    steps = (
        solve(
            _w,
            _h * (_w - _w_star) + alpha,
            _w_star - alpha / _h,
            "f'(w) = h(w − w*) + α = 0 on w > 0 (G 7.21)",
            case=pos,
        ),
        identity(
            sp.Subs(_w_star - alpha / _h, _w_star, alpha / _h + _t),
            _t,
            "this w is positive exactly when w* = α/h + t with t > 0",
            case=pos,
        ),
        identity(
            sp.Subs(closed, _w_star, alpha / _h + _t),
            _t,
            "and there the closed form gives the same w",
            case=pos,
        ),
        solve(
            _w,
            _h * (_w - _w_star) - alpha,
            _w_star + alpha / _h,
            "f'(w) = h(w − w*) − α = 0 on w < 0",
            case=neg,
        ),
        identity(
            sp.Subs(_w_star + alpha / _h, _w_star, -alpha / _h - _t),
            -_t,
            "this w is negative exactly when w* = −α/h − t with t > 0",
            case=neg,
        ),
        identity(
            sp.Subs(closed, _w_star, -alpha / _h - _t),
            -_t,
            "and there the closed form gives the same w",
            case=neg,
        ),
        holds(
            sp.Ge(
                sp.Subs(alpha - _h * sp.Abs(_w_star), (_w_star, alpha), (_u, _h * (_u + _t0))),
                0,
                evaluate=False,
            ),
            "0 ∈ −hw* + α[−1, 1] iff |w*| ≤ α/h; for 0 ≤ w* ≤ α/h write w* = u, α = h(u + t)",
            case=zero,
        ),
        identity(
            sp.Subs(closed, (_w_star, alpha), (_u, _h * (_u + _t0))),
            0,
            "there the closed form gives 0",
            case=zero,
        ),
        holds(
            sp.Ge(
                sp.Subs(alpha - _h * sp.Abs(_w_star), (_w_star, alpha), (-_u, _h * (_u + _t0))),
                0,
                evaluate=False,
            ),
            "likewise for −α/h ≤ w* ≤ 0: w* = −u, α = h(u + t)",
            case=zero,
        ),
        identity(
            sp.Subs(closed, (_w_star, alpha), (-_u, _h * (_u + _t0))),
            0,
            "and again the closed form gives 0 (G 7.22–7.23)",
            case=zero,
        ),
        solve(
            _w,
            _h * (_w - w_nz) + alpha * _w,
            _h * w_nz / (_h + alpha),
            "with the L2 penalty (α/2)w² instead, f'(w) = h(w − w*) + αw = 0",
            case=l2,
        ),
        holds(
            sp.Ne(_h * w_nz / (_h + alpha), 0, evaluate=False),
            "which is non-zero whenever w* ≠ 0: only L1 produces exact zeros",
            case=l2,
        ),
    )
    return Derivation(
        "l1.soft_threshold",
        (_w, _w_star, _h, alpha, _t, _u),
        steps,
        "proved for general n",
        {"w": Result((_w_star, _h, alpha), closed)},
        (
            "h = H_ii > 0; the cases are one coordinate of a diagonal H, so they hold for every n.",
            "t > 0 in the cases w ≠ 0; in the case w = 0, t ≥ 0 (the boundary |w*| = α/h included).",
        ),
    )


def elastic_net() -> Derivation:
    """enet.diagonal: ``w_i = sign(w*_i) max(H_ii|w*_i| − α₁, 0)/(H_ii + α₂)`` (Zou & Hastie 2005).

    Penalty ``α₁‖w‖₁ + (α₂/2)‖w‖²``, diagonal H; the case H_ii = 0 (allowed when α₂ > 0) is its own
    case, since the parametrisation ``w* = (α₁ + t)/h`` needs h > 0.
    """
    a1 = sp.Symbol("alpha_1", nonnegative=True)
    a2 = sp.Symbol("alpha_2", nonnegative=True)
    a2_pos = sp.Symbol("alpha_2", positive=True)
    closed = sp.sign(_w_star) * sp.Max(_h * sp.Abs(_w_star) - a1, 0) / (_h + a2)
    pos, neg, zero, flat = (
        "Case w > 0",
        "Case w < 0",
        "Case w = 0 (∂|w| = [−1, 1])",
        "Case H_ii = 0 (then α₂ > 0)",
    )
    h0 = sp.Symbol("h", nonnegative=True)
    closed_h = sp.sign(_w_star) * sp.Max(h0 * sp.Abs(_w_star) - a1, 0) / (h0 + a2_pos)
    steps = (
        solve(
            _w,
            _h * (_w - _w_star) + a1 + a2 * _w,
            (_h * _w_star - a1) / (_h + a2),
            "f'(w) = h(w − w*) + α₁ + α₂w = 0 on w > 0",
            case=pos,
        ),
        identity(
            sp.Subs((_h * _w_star - a1) / (_h + a2), _w_star, (a1 + _t) / _h),
            _t / (_h + a2),
            "this w is positive exactly when hw* = α₁ + t with t > 0",
            case=pos,
        ),
        identity(
            sp.Subs(closed, _w_star, (a1 + _t) / _h),
            _t / (_h + a2),
            "and there the closed form gives the same w",
            case=pos,
        ),
        solve(
            _w,
            _h * (_w - _w_star) - a1 + a2 * _w,
            (_h * _w_star + a1) / (_h + a2),
            "f'(w) = h(w − w*) − α₁ + α₂w = 0 on w < 0",
            case=neg,
        ),
        identity(
            sp.Subs((_h * _w_star + a1) / (_h + a2), _w_star, -(a1 + _t) / _h),
            -_t / (_h + a2),
            "this w is negative exactly when hw* = −α₁ − t with t > 0",
            case=neg,
        ),
        identity(
            sp.Subs(closed, _w_star, -(a1 + _t) / _h),
            -_t / (_h + a2),
            "and there the closed form gives the same w",
            case=neg,
        ),
        holds(
            sp.Ge(sp.Subs(a1 - _h * sp.Abs(_w_star), (_w_star, a1), (_u / _h, _u + _t0)), 0, evaluate=False),
            "0 ∈ −hw* + α₁[−1, 1] iff h|w*| ≤ α₁; for w* ≥ 0 write hw* = u, α₁ = u + t",
            case=zero,
        ),
        identity(
            sp.Subs(closed, (_w_star, a1), (_u / _h, _u + _t0)), 0, "there the closed form gives 0", case=zero
        ),
        holds(
            sp.Ge(sp.Subs(a1 - _h * sp.Abs(_w_star), (_w_star, a1), (-_u / _h, _u + _t0)), 0, evaluate=False),
            "likewise for w* ≤ 0: hw* = −u, α₁ = u + t",
            case=zero,
        ),
        identity(
            sp.Subs(closed, (_w_star, a1), (-_u / _h, _u + _t0)),
            0,
            "and again the closed form gives 0",
            case=zero,
        ),
        identity(
            sp.Subs(closed_h, h0, 0),
            0,
            "f(w) = α₁|w| + (α₂/2)w² is minimised at 0, and the closed form gives 0",
            case=flat,
        ),
        identity(
            sp.Subs(closed, a2, 0),
            sp.sign(_w_star) * sp.Max(_h * sp.Abs(_w_star) - a1, 0) / _h,
            "α₂ = 0 leaves h⁻¹ sign(w*) max(h|w*| − α₁, 0), the soft threshold of l1.soft_threshold",
            case="Special cases",
        ),
        identity(
            sp.Subs(closed, a1, 0),
            _h * _w_star / (_h + a2),
            "α₁ = 0 leaves the L2 shrinkage h w*/(h + α₂) of l2.eigen (sign(w*)|w*| = w*)",
            "equals",
            case="Special cases",
        ),
    )
    return Derivation(
        "enet.diagonal",
        (_w, _w_star, _h, a1, a2, _t, _u),
        steps,
        "proved for general n",
        {"w": Result((_w_star, _h, a1, a2), closed)},
        (
            "h = H_ii; the cases are one coordinate of a diagonal H, so they hold for every n.",
            "t > 0 in the cases w ≠ 0; in the case w = 0, t ≥ 0 (the boundary h|w*| = α₁ included).",
        ),
    )
