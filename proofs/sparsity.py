"""Derivations of l1.soft_threshold and enet.diagonal: case analysis on the subgradient.

For diagonal H the objective separates into one scalar problem per coordinate,
``f(w) = (h/2)(w − w*)² + α₁|w| + (α₂/2)w²`` (α₂ = 0 for L1), so each case below is proved for one
coordinate and therefore for every n. Up to a constant, ``f(w) = (a/2)w² − bw + α₁|w|`` with
``a = h + α₂`` and ``b = hw*``. With ``a > 0`` (the stated assumption ``H_ii + α₂ > 0``; h itself may
be negative) the smooth part is strictly convex and ``|w|`` is convex, so f is strictly convex: it has
at most one minimiser, and a point where 0 lies in the subdifferential ``aw − b + α₁∂|w|`` is it. The
three cases w > 0, w < 0 and w = 0 (where ∂|w| = [−1, 1]) are checked to tile every value of b. Each
region is written with fresh symbols (``b = α₁ + t``, t > 0; ``b = u``, ``α₁ = u + v``, u, v ≥ 0), so
that SymPy evaluates the closed form's ``sign`` and ``max`` from the assumptions alone.
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import (
    Derivation,
    Result,
    Step,
    define,
    gradient,
    holds,
    identity,
    partition,
    solve,
    solveset,
)

__all__ = ["elastic_net", "path", "soft_threshold"]

_w = sp.Symbol("w", real=True)
_w_star = sp.Symbol("w^*", real=True)
_t = sp.Symbol("t", positive=True)
_u = sp.Symbol("u", nonnegative=True)
_v = sp.Symbol("v", nonnegative=True)


def _cases(
    a: sp.Expr, b: sp.Symbol, a1: sp.Symbol, closed: sp.Expr, tag: str
) -> tuple[list[Step], tuple[str, str, str]]:
    """The three subgradient cases of ``(a/2)w² − bw + α₁|w|`` (a > 0), each checked against
    ``closed`` (a function of b and α₁), and the check that their regions of b tile ℝ."""
    pos, neg, zero = "Case w > 0", "Case w < 0", "Case w = 0 (∂|w| = [−1, 1])"
    steps: list[Step] = [
        solve(_w, a * _w - b + a1, (b - a1) / a, f"f'(w) = {tag}w − b + α₁ = 0 on w > 0", case=pos),
        solveset(
            b,
            sp.Gt(b - a1, 0, evaluate=False),
            sp.Interval.open(a1, sp.oo),
            "as a > 0, this w is positive exactly when b − α₁ > 0",
            case=pos,
        ),
        identity(
            sp.Subs(closed, b, a1 + _t), _t / a, "there (b = α₁ + t, t > 0) the closed form agrees", case=pos
        ),
        solve(_w, a * _w - b - a1, (b + a1) / a, f"f'(w) = {tag}w − b − α₁ = 0 on w < 0", case=neg),
        solveset(
            b,
            sp.Lt(b + a1, 0, evaluate=False),
            sp.Interval.open(-sp.oo, -a1),
            "as a > 0, this w is negative exactly when b + α₁ < 0",
            case=neg,
        ),
        identity(
            sp.Subs(closed, b, -a1 - _t),
            -_t / a,
            "there (b = −α₁ − t, t > 0) the closed form agrees",
            case=neg,
        ),
        holds(
            sp.Ge(sp.Subs(a1 - sp.Abs(b), (b, a1), (_u, _u + _v)), 0, evaluate=False),
            "0 ∈ −b + α₁[−1, 1] iff |b| ≤ α₁; for 0 ≤ b ≤ α₁ write b = u, α₁ = u + v (u, v ≥ 0)",
            case=zero,
        ),
        identity(sp.Subs(closed, (b, a1), (_u, _u + _v)), 0, "there the closed form gives 0", case=zero),
        holds(
            sp.Ge(sp.Subs(a1 - sp.Abs(b), (b, a1), (-_u, _u + _v)), 0, evaluate=False),
            "likewise for −α₁ ≤ b ≤ 0: b = −u, α₁ = u + v",
            case=zero,
        ),
        identity(sp.Subs(closed, (b, a1), (-_u, _u + _v)), 0, "and again the closed form gives 0", case=zero),
        partition(
            (sp.Interval.open(-sp.oo, -a1), sp.Interval(-a1, a1), sp.Interval.open(a1, sp.oo)),
            "the regions b < −α₁, |b| ≤ α₁, b > α₁ of the three cases cover every b once: the case "
            "split is exhaustive",
            case="Every b is in exactly one case",
        ),
    ]
    return steps, (pos, neg, zero)


def soft_threshold() -> Derivation:
    """l1.soft_threshold: ``w_i = sign(w*_i) max(|w*_i| − α/H_ii, 0)`` for diagonal H, H_ii > 0
    (G 7.20–7.23); the enet.diagonal cases with α₂ = 0, a = h, b = hw*."""
    alpha = sp.Symbol("alpha", nonnegative=True)
    h = sp.Symbol("h", positive=True)
    b = sp.Symbol("b", real=True)
    closed = sp.sign(_w_star) * sp.Max(sp.Abs(_w_star) - alpha / h, 0)
    closed_b = sp.sign(b) * sp.Max(sp.Abs(b) - alpha, 0) / h
    unique, l2 = "Uniqueness", "L2 never zeroes a coordinate"
    cases, _ = _cases(h, b, alpha, closed_b, "h")
    steps = [
        identity(
            sp.Derivative(h / 2 * (_w - _w_star) ** 2, _w, 2),
            h,
            "the smooth part (h/2)(w − w*)² has second derivative h > 0, and α|w| is convex (triangle "
            "inequality): f is strictly convex, so it has at most one minimiser, the point where 0 ∈ ∂f",
            case=unique,
        ),
        identity(
            sp.Subs(h / 2 * (_w - _w_star) ** 2, _w_star, b / h),
            h / 2 * _w**2 - b * _w + b**2 / (2 * h),
            "with b = hw*, f(w) = (h/2)w² − bw + α|w| + const: the cases below are on b",
            "expand",
        ),
        *cases,
        identity(
            sp.Subs(closed_b, b, h * _w_star),
            closed,
            "back in w*: sign(hw*) = sign(w*) and |hw*|/h = |w*| for h > 0 (G 7.22–7.23)",
            "equals",
        ),
        solve(
            _w,
            h * (_w - _w_star) + alpha * _w,
            h * _w_star / (h + alpha),
            "with the L2 penalty (α/2)w² instead, f'(w) = h(w − w*) + αw = 0",
            case=l2,
        ),
        solve(
            _w_star,
            h * _w_star / (h + alpha),
            sp.S.Zero,
            "which is 0 only for w* = 0: only L1 produces exact zeros",
            case=l2,
        ),
    ]
    return Derivation(
        "l1.soft_threshold",
        (_w, _w_star, h, alpha, b, _t, _u, _v),
        tuple(steps),
        "proved for general n",
        {"w": Result((_w_star, h, alpha), closed)},
        (
            "h = H_ii > 0; the cases are one coordinate of a diagonal H, so they hold for every n.",
            "t > 0 in the cases w ≠ 0; in the case w = 0, u, v ≥ 0 (the boundary |b| = α included).",
        ),
    )


def elastic_net() -> Derivation:
    """enet.diagonal: ``w_i = sign(H_ii w*_i) max(|H_ii w*_i| − α₁, 0)/(H_ii + α₂)`` on the whole
    domain ``H_ii + α₂ > 0`` (Zou & Hastie 2005 for the penalty; the formula derived here).

    Penalty ``α₁‖w‖₁ + (α₂/2)‖w‖²``, diagonal H. H_ii may be zero or negative: only a = H_ii + α₂ > 0
    is used, and b = H_ii w*_i carries the sign. For H_ii > 0 this is the catalogue's earlier
    ``sign(w*) max(H_ii|w*| − α₁, 0)/(H_ii + α₂)``, which is wrong for H_ii < 0 (counterexample below).
    """
    a1 = sp.Symbol("alpha_1", nonnegative=True)
    a2 = sp.Symbol("alpha_2", nonnegative=True)
    h = sp.Symbol("h", real=True)
    a = sp.Symbol("a", positive=True)
    b = sp.Symbol("b", real=True)
    closed_ab = sp.sign(b) * sp.Max(sp.Abs(b) - a1, 0) / a
    closed = sp.sign(h * _w_star) * sp.Max(sp.Abs(h * _w_star) - a1, 0) / (h + a2)
    unique, special, counter = (
        "Uniqueness",
        "Special cases",
        "Counterexample: the earlier formula at H_ii = −1",
    )
    cases, _ = _cases(a, b, a1, closed_ab, "a")
    smooth = h / 2 * (_w - _w_star) ** 2 + a2 / 2 * _w**2
    old = sp.sign(_w_star) * sp.Max(h * sp.Abs(_w_star) - a1, 0) / (h + a2)
    example = ((h, a2, a1, _w_star), (-1, 2, 0, 1))
    steps = [
        identity(
            smooth,
            sp.Subs(a / 2 * _w**2 - b * _w, (a, b), (h + a2, h * _w_star)) + h * _w_star**2 / 2,
            "the smooth part is (a/2)w² − bw + const with a = h + α₂ > 0 and b = hw* (h may be ≤ 0)",
            "expand",
        ),
        identity(
            sp.Derivative(a / 2 * _w**2 - b * _w, _w, 2),
            a,
            "its second derivative is a > 0 and α₁|w| is convex: f is strictly convex, so it has at most "
            "one minimiser, the point where 0 ∈ aw − b + α₁∂|w|",
            case=unique,
        ),
        *cases,
        identity(
            sp.Subs(closed_ab, (a, b), (h + a2, h * _w_star)),
            closed,
            "back in H_ii and w*: w = sign(hw*) max(|hw*| − α₁, 0)/(h + α₂)",
            "equals",
        ),
        identity(
            sp.Subs(closed_ab, a1, 0),
            b / a,
            "α₁ = 0 leaves b/a = hw*/(h + α₂), the L2 shrinkage of l2.eigen (sign(b)|b| = b)",
            "equals",
            case=special,
        ),
        identity(
            sp.Subs(closed, _w_star, 0),
            0,
            "w* = 0 (or H_ii = 0, where b = 0 too) gives w = 0: the minimiser of α₁|w| + (α₂/2)w²",
            case=special,
        ),
        identity(
            sp.Subs(closed, *example),
            -1,
            "H_ii = −1, α₂ = 2, α₁ = 0, w* = 1: the formula gives −1, the ridge optimum (l2.optimum)",
            case=counter,
        ),
        identity(
            sp.Subs(old, *example),
            0,
            "while sign(w*) max(H_ii|w*| − α₁, 0)/(H_ii + α₂) gives 0: it holds only for H_ii ≥ 0",
            case=counter,
        ),
    ]
    return Derivation(
        "enet.diagonal",
        (_w, _w_star, h, a1, a2, a, b, _t, _u, _v),
        tuple(steps),
        "proved for general n",
        {"w": Result((_w_star, h, a1, a2), closed)},
        (
            "h = H_ii with h + α₂ > 0; the cases are one coordinate of a diagonal H, so they hold for "
            "every n.",
            "t > 0 in the cases w ≠ 0; in the case w = 0, u, v ≥ 0 (the boundary |b| = α₁ included).",
        ),
    )


def path() -> Derivation:
    """enet.path: on an interval of α₁ with fixed active set A and signs s the elastic-net minimiser is
    ``w_A = (H_AA + α₂I)⁻¹(b_A − α₁s_A)``, affine in α₁; the events that end the interval solve linear
    equations (the homotopy of Osborne, Presnell & Turlach 2000 and Efron et al. 2004; LARS-EN in Gram
    form, Zou & Hastie 2005). :mod:`theory.sparse_path` follows it and certifies each point by KKT."""
    d = sp.Symbol("d", integer=True, positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    a1 = sp.Symbol("alpha_1", nonnegative=True)
    M = sp.MatrixSymbol("M", d, d)  # H + α₂I
    w = sp.MatrixSymbol("w", d, 1)
    b = sp.MatrixSymbol("b", d, 1)
    M_AA = sp.MatrixSymbol("M_{AA}", k, k)  # H_AA + α₂I
    M_A = sp.MatrixSymbol("M_{:A}", d, k)  # the columns A of H + α₂I
    b_A = sp.MatrixSymbol("b_A", k, 1)
    s_A = sp.MatrixSymbol("s_A", k, 1)
    w_A = M_AA.I * (b_A - a1 * s_A)
    w_A_name = sp.MatrixSymbol("w_A", k, 1)
    c = b - M_A * w_A  # w is zero off A
    c_j, a_j, delta, w_i, u_i = sp.symbols("c_j a_j Delta w_i u_i", real=True)
    piece, events, second = (
        "On a piece (A, s fixed)",
        "Events: where a piece ends",
        "Second check: explicit n = 2",
    )
    p, q, r, a2 = sp.symbols("p q r alpha_2", real=True)
    b1, b2, s1, s2 = sp.symbols("b_1 b_2 s_1 s_2", real=True)
    M2 = sp.Matrix([[p + a2, q], [q, r + a2]])
    w2 = M2.adjugate() * (sp.Matrix([b1, b2]) - a1 * sp.Matrix([s1, s2])) / M2.det()
    steps: list[Step] = [
        gradient(
            sp.MatMul(sp.Rational(1, 2), sp.Transpose(w), M, w) - sp.MatMul(sp.Transpose(b), w),
            w,
            M * w - b,
            "f = ½wᵀMw − bᵀw (M = H + α₂I): c = b − Mw = −∇f; 0 ∈ ∂(f + α₁‖·‖₁)(w) is c_i = α₁ sign w_i "
            "(w_i ≠ 0), |c_i| ≤ α₁ (w_i = 0), optimal as M ⪰ 0",
            facts=(sp.Q.symmetric(M),),
        ),
        define(
            w_A_name,
            w_A,
            "on a piece, the candidate: solve the equality part c_A = α₁s_A of the optimality condition "
            "for w_A (M_AA ≻ 0), w = 0 off A",
            case=piece,
        ),
        identity(
            sp.MatMul(M_AA, w_A, evaluate=False),
            b_A - a1 * s_A,
            "consistency of the definition (M_AA·M_AA⁻¹ = I): c_A = b_A − M_AA w_A = α₁s_A along the whole "
            "piece; the inequality part |c_j| ≤ α₁ off A and sign(w_A) = s_A are what the events monitor",
            "matrix",
            case=piece,
        ),
        identity(
            sp.diff(w_A, a1),
            -M_AA.I * s_A,
            "SymPy differentiates w_A in α₁: the slope −M_AA⁻¹s_A does not depend on α₁",
            "matrix",
            case=piece,
            shown=(sp.Derivative(w_A, a1), -M_AA.I * s_A),
        ),
        identity(
            sp.diff(w_A, a1, 2),
            sp.ZeroMatrix(k, 1),
            "so the second derivative vanishes: w is affine in α₁ on the piece (piecewise linear path)",
            "matrix",
            case=piece,
            shown=(sp.Derivative(w_A, (a1, 2)), sp.ZeroMatrix(k, 1)),
        ),
        identity(
            sp.diff(c, a1),
            M_A * M_AA.I * s_A,
            "and c = b − M_{:A}w_A moves with the constant slope a = M_{:A}M_AA⁻¹s_A: c(α₁ − Δ) = c − Δa",
            "matrix",
            case=piece,
            shown=(sp.Derivative(c, a1), M_A * M_AA.I * s_A),
        ),
        solve(
            delta,
            c_j - delta * a_j - (a1 - delta),
            (a1 - c_j) / (1 - a_j),
            "an inactive j reaches the bound +(α₁ − Δ) when α₁ decreases by Δ = (α₁ − c_j)/(1 − a_j) "
            "(a join, sign +1, where 1 − a_j > 0)",
            case=events,
        ),
        solve(
            delta,
            c_j - delta * a_j + (a1 - delta),
            (a1 + c_j) / (1 + a_j),
            "or the bound −(α₁ − Δ) at Δ = (α₁ + c_j)/(1 + a_j) (a join, sign −1, where 1 + a_j > 0)",
            case=events,
        ),
        solve(
            delta,
            w_i + delta * u_i,
            -w_i / u_i,
            "an active i reaches w_i = 0 along w_A + Δu_A (u_A = M_AA⁻¹s_A) at Δ = −w_i/u_i (a drop, where "
            "w_i u_i < 0); the piece ends at the smallest positive Δ of all three",
            case=events,
        ),
        identity(
            M2 * w2,
            sp.Matrix([b1, b2]) - a1 * sp.Matrix([s1, s2]),
            "explicit symmetric M_AA = [[p + α₂, q], [q, r + α₂]]: the adjugate solution w_A = adj(M_AA)"
            "(b_A − α₁s_A)/det(M_AA) satisfies the equality part entry by entry",
            case=second,
            sizes="n = 2",
        ),
        identity(
            sp.Matrix([sp.Derivative(e, (a1, 2)) for e in w2]),
            sp.zeros(2, 1),
            "and each entry has zero second derivative in α₁",
            "cancel",
            case=second,
            sizes="n = 2",
        ),
    ]
    return Derivation(
        "enet.path",
        (
            d,
            k,
            a1,
            a2,
            M,
            w,
            b,
            M_AA,
            M_A,
            b_A,
            s_A,
            w_A_name,
            c_j,
            a_j,
            delta,
            w_i,
            u_i,
            p,
            q,
            r,
            b1,
            b2,
            s1,
            s2,
        ),
        tuple(steps),
        "proved for general n: the affine piece and the event equations; that a point meeting the "
        "optimality conditions is the minimiser is cited (Rockafellar, Thm 27.1), not proved here",
        {},
        (
            "M = H + α₂I and M_AA its rows and columns A (k = |A|); b = Hw* = −∇J(0). The optimality "
            "condition is the subdifferential of the convex f + α₁‖·‖₁ (Rockafellar, Convex Analysis, "
            "1970, Thm 23.8 and 27.1); its per-coordinate cases are those of enet.diagonal.",
            "The pieces are finitely many when each event is a single join or drop (Efron et al. 2004, "
            "Lemma 7 and §5; Tibshirani, The lasso problem and uniqueness, 2013); ties are handled in "
            "theory.sparse_path by joining blocks and excluding columns in the span of the active ones.",
        ),
    )
