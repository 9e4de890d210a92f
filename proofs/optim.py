"""Derivations of the optimizer statements: opt.sgd_equiv and opt.adam_not_equiv.

PyTorch's update rules (``torch.optim.SGD``, ``Adam``, ``AdamW`` documentation) are written as SymPy
expressions. SGD's coupled ``weight_decay`` adds ``λw`` to the gradient before the momentum buffer, so
it is the gradient of ``L + (λ/2)‖w‖²`` (Loshchilov & Hutter, ICLR 2019, Prop. 1). Adam divides that
sum by ``√v̂``, AdamW decays ``w`` outside it; a two-dimensional counterexample shows that no L2
coefficient makes them agree, step by step or at the fixed point (L&H Prop. 2).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from proofs.framework import Derivation, Result, Step, define, gradient, holds, identity, solve

__all__ = ["adam_not_equiv", "heavy_ball_step", "sgd_equiv", "torch_sgd_step"]

_n = sp.Symbol("n", integer=True, positive=True)


def torch_sgd_step(
    grad_f: Any, theta: Any, buf: Any, first: bool, lr: Any, wd: Any, mu: Any, damp: Any, nesterov: bool
) -> tuple[Any, Any]:
    """One step of ``torch.optim.SGD`` as its documentation writes it (torch 2.x, "Algorithm"):
    ``g ← ∇f(θ)``; ``g ← g + λθ``; with momentum μ ≠ 0, ``b ← g`` on the first step and
    ``b ← μb + (1 − τ)g`` after; ``g ← g + μb`` (Nesterov) or ``g ← b``; ``θ ← θ − γg``.

    ``grad_f`` is the gradient of the loss f at θ (weight decay not included), ``buf`` the buffer
    before the step (ignored on the first); returns ``(θ_new, b_new)`` (``b_new = None`` without
    momentum). Written independently of :func:`heavy_ball_step`.
    """
    g = grad_f + wd * theta
    if mu == 0:
        return theta - lr * g, None
    b = g if first else mu * buf + (1 - damp) * g
    g = g + mu * b if nesterov else b
    return theta - lr * g, b


def heavy_ball_step(
    grad_objective: Any, w: Any, velocity: Any, first: bool, eta: Any, mu: Any, damp: Any, nesterov: bool
) -> tuple[Any, Any]:
    """Plain SGD with momentum (heavy ball, or Nesterov's look-ahead form) on an objective whose
    gradient at w is ``grad_objective``, no weight decay: the velocity starts at the first gradient and
    then accumulates ``v ← μv + (1 − δ)∇F``; the step is ``ηv`` (heavy ball) or ``η(∇F + μv)``
    (Nesterov). ``mu`` = 0 is plain gradient descent."""
    if mu == 0:
        return w - eta * grad_objective, None
    v = grad_objective if first else mu * velocity + (1 - damp) * grad_objective
    step = grad_objective + mu * v if nesterov else v
    return w - eta * step, v


def sgd_equiv() -> Derivation:
    """opt.sgd_equiv: ``SGD(weight_decay=λ)`` on L takes the steps of plain SGD on
    ``L + (λ/2)‖w‖²``, with momentum μ, dampening δ and Nesterov too (L&H 2019, Prop. 1).

    Two routes, written apart: torch's documented update (:func:`torch_sgd_step`, which adds λw to ∇L)
    on L, and momentum SGD (:func:`heavy_ball_step`) on ``F = L + (λ/2)‖w‖²`` whose gradient SymPy
    differentiates from F. The one-step maps agree for general n, on the first step (b₁ = g) and after,
    with and without Nesterov, and without momentum; by induction on the step every iterate agrees.
    Second check: three steps unrolled for a generic one-dimensional loss L(w).
    """
    eta = sp.Symbol("eta", positive=True)
    wd = sp.Symbol("lambda", nonnegative=True)
    mu = sp.Symbol("mu", positive=True)
    damp = sp.Symbol("delta", nonnegative=True)
    w = sp.MatrixSymbol("w", _n, 1)
    buf = sp.MatrixSymbol("b", _n, 1)
    g = sp.MatrixSymbol(r"\nabla L(w)", _n, 1)
    penalty = sp.MatMul(wd / 2, w.T, w)
    grad_penalty = penalty.diff(w)  # SymPy's matrix calculus: λw
    grad_F = g + grad_penalty

    def named(symbol: str, route: str, kind: str = "") -> Any:
        return sp.Function(
            rf"{symbol}^{{{route}}}_{{\mathrm{{{kind}}}}}" if kind else rf"{symbol}^{{{route}}}"
        )

    torch_w, plain_w = named("w", "torch"), named("w", "F")
    maps = "One step, general n: torch on L against momentum SGD on F = L + (λ/2)‖w‖²"
    later_t = torch_sgd_step(g, w, buf, False, eta, wd, mu, damp, True)[0]
    later_p = heavy_ball_step(grad_F, w, buf, False, eta, mu, damp, True)[0]
    steps: list[Step] = [
        gradient(penalty, w, wd * w, "∇(λ/2)‖w‖² = λw, so ∇F = ∇L + λw (SymPy's matrix calculus)"),
        define(
            named("w", "torch", "Nes")(eta, wd, mu, damp),
            later_t,
            "torch's Nesterov update after the first step, as torch_sgd_step computes it from ∇L(w), λ "
            "and the buffer b (the other cases are named the same way, by their parameters)",
            case=maps,
        ),
        define(
            named("w", "F", "Nes")(eta, wd, mu, damp),
            later_p,
            "momentum SGD's Nesterov update on F, as heavy_ball_step computes it from ∇F (differentiated)",
            case=maps,
        ),
        identity(
            torch_sgd_step(g, w, buf, True, eta, wd, 0, damp, False)[0],
            heavy_ball_step(grad_F, w, buf, True, eta, 0, damp, False)[0],
            "without momentum: torch's w − η(∇L + λw) is gradient descent on F",
            "matrix",
            case=maps,
            shown=(torch_w(eta, wd), plain_w(eta, wd)),
        ),
    ]
    for first in (True, False):
        for nesterov in (False, True):
            t_w, t_b = torch_sgd_step(g, w, buf, first, eta, wd, mu, damp, nesterov)
            p_w, p_b = heavy_ball_step(grad_F, w, buf, first, eta, mu, damp, nesterov)
            when = "first step (b₁ = g)" if first else "later step (b ← μb + (1 − δ)g)"
            kind = "Nesterov" if nesterov else "heavy ball"
            tag = "Nes" if nesterov else "HB"
            args = (eta, wd, mu, damp) if not first else (eta, wd, mu)
            steps += [
                identity(
                    t_b,
                    p_b,
                    f"{kind}, {when}: the buffers agree",
                    "matrix",
                    case=maps,
                    shown=(named("b", "torch", tag)(*args), named("b", "F", tag)(*args)),
                ),
                identity(
                    t_w,
                    p_w,
                    f"{kind}, {when}: the new weights agree",
                    "matrix",
                    case=maps,
                    shown=(named("w", "torch", tag)(*args), named("w", "F", tag)(*args)),
                ),
            ]
    # second check: three steps unrolled, one dimension, a generic loss L
    x = sp.Symbol("x", real=True)
    w0 = sp.Symbol("w_0", real=True)
    loss = sp.Function("L")
    objective = loss(x) + wd / 2 * x**2

    def grad_L(at: Any) -> Any:
        return sp.Derivative(loss(x), x).subs(x, at)

    def grad_objective(at: Any) -> Any:
        return sp.diff(objective, x).subs(x, at)

    unrolled = "Second check: three steps unrolled, n = 1, generic loss L"
    for nesterov in (False, True):
        tw, tb, pw, pb = w0, None, w0, None
        for k in (1, 2, 3):
            tw, tb = torch_sgd_step(grad_L(tw), tw, tb, k == 1, eta, wd, mu, damp, nesterov)
            pw, pb = heavy_ball_step(grad_objective(pw), pw, pb, k == 1, eta, mu, damp, nesterov)
        kind, tag = ("Nesterov", "Nes") if nesterov else ("heavy ball", "HB")
        steps.append(
            identity(
                tw,
                pw,
                f"{kind}: after three steps from w_0 the iterates agree",
                "expand",
                case=unrolled,
                sizes="n = 1",
                shown=(named("w", "torch", tag)(3), named("w", "F", tag)(3)),
            )
        )
    decoupled = "Counterexample: coupled vs decoupled decay (SGDW) with momentum"
    half, one = sp.Rational(1, 2), sp.Integer(1)

    def sgdw_step(at: Any, velocity: Any, first: bool) -> tuple[Any, Any]:  # decay outside the buffer
        v = grad_L(at) if first else half * velocity + grad_L(at)
        return at - eta * one * at - eta * v, v

    cw, cb = torch_sgd_step(grad_L(one), one, None, True, eta, one, half, 0, False)
    cw, _ = torch_sgd_step(grad_L(cw), cw, cb, False, eta, one, half, 0, False)
    dw, db = sgdw_step(one, None, True)
    dw, _ = sgdw_step(dw, db, False)
    steps += [
        identity(
            (1 - eta * wd) * w - eta * g,
            torch_sgd_step(g, w, buf, True, eta, wd, 0, damp, False)[0],
            "without momentum, decaying w by (1 − ηλ) (SGDW) is torch's step (L&H Prop. 1)",
            "matrix",
            case="Decoupled decay without momentum",
        ),
        identity(
            cw,
            dw - eta / 2,
            "with μ = 1/2, λ = 1, w_0 = 1 and any loss L, torch's second iterate is SGDW's minus η/2 "
            "(−ημλw_0 ≠ 0): torch's coupled weight_decay is the L2 penalty, decoupled decay is not",
            "expand",
            case=decoupled,
            sizes="n = 1",
            shown=(named("w", "torch", "HB")(2), named("w", "SGDW", "HB")(2) - eta / 2),
        ),
    ]
    wj, bj, gj = sp.symbols("w_j b_j g_j", real=True)
    grad_F_j = sp.diff(loss(wj) + wd / 2 * wj**2, wj).subs(sp.Derivative(loss(wj), wj), gj)
    return Derivation(
        "opt.sgd_equiv",
        (w, buf, g, eta, wd, mu, damp, w0, x),
        tuple(steps),
        "proved for general n",
        {
            "buffer": Result((bj, gj, wj, wd, mu, damp), mu * bj + (1 - damp) * grad_F_j),
            "step": Result((wj, bj, eta), wj - eta * bj),
        },
        (
            "η is torch's lr, λ its weight_decay, δ its dampening; the equality is of the one-step maps "
            "(state: weights and buffer), so it holds for every step by induction. Torch refuses "
            "Nesterov with δ ≠ 0; the derivation covers every δ.",
            "w^torch, b^torch name torch's update on L, w^F, b^F momentum SGD on F (subscript HB: heavy "
            "ball, Nes: Nesterov; arguments: the parameters used, a number: the step); the checker "
            "compares the expressions the two functions of proofs/optim.py compute.",
        ),
    )


def adam_not_equiv() -> Derivation:
    """opt.adam_not_equiv: Adam on ``L + (λ'/2)‖w‖²`` and AdamW(λ) differ for every λ' in a 2-D
    example, after one step and at the full-batch fixed point (L&H 2019, Prop. 2)."""
    c1 = sp.Symbol("c_1", positive=True)  # 1 − β₁ ∈ (0, 1]
    c2 = sp.Symbol("c_2", positive=True)  # 1 − β₂ ∈ (0, 1]
    gt = sp.Symbol(r"\tilde g", real=True)
    eps = sp.Symbol("epsilon", positive=True)
    lp = sp.Symbol(r"\lambda'", nonnegative=True)
    m, v = sp.Symbol("m", real=True), sp.Symbol("v", nonnegative=True)
    lam_w = sp.Rational(1, 10)
    k = sp.Symbol("k", positive=True)
    h = sp.Symbol("h_i", positive=True)
    wi = sp.Symbol("w_i", real=True)
    x, gx = sp.symbols("x g", real=True)
    lr, lam = sp.Symbol("eta", positive=True), sp.Symbol("lambda", nonnegative=True)
    ws = (1, 1)
    g = (1, 2)

    pen = gx + lp * x
    adam_l2_update = lr * pen / (sp.Abs(pen) + eps)  # Adam's first step on L + (λ'/2)‖w‖²
    adamw_update = lr * lam * x + lr * gx / (sp.Abs(gx) + eps)  # decay, then Adam's first step on L

    def at(update: sp.Expr, i: int) -> sp.Expr:  # coordinate i of the example: lr = 1, ε = 1
        return update.subs({x: ws[i], gx: g[i], lr: 1, eps: 1, lam: lam_w})

    one = "One step from w = (1, 1), ∇L = (1, 2), lr = 1, ε = 1, AdamW λ = 1/10"
    fixed = "Fixed points: H = diag(1, 4), w* = (1, 1), ε = 0, AdamW λ = 1 + k"
    lam_fp = 1 + k
    gaps = [at(adam_l2_update, i) - at(adamw_update, i) for i in (0, 1)]
    steps = (
        identity(
            sp.Subs(m / c1, m, c1 * gt),
            gt,
            "first step from m = v = 0: m = c₁g̃ with c₁ = 1 − β₁, so m̂ = m/c₁ = g̃ (bias correction)",
        ),
        identity(
            sp.Subs(sp.sqrt(v / c2), v, c2 * gt**2),
            sp.Abs(gt),
            "and √v̂ = |g̃|, so the first step is −lr·g̃/(|g̃| + ε)",
            "equals",
        ),
        solve(
            lp,
            gaps[0],
            sp.Rational(1, 2),
            "coordinate 1: Adam with g̃ = ∇L + λ'w matches AdamW only for λ' = 1/2",
            case=one,
        ),
        solve(lp, gaps[1], sp.Rational(9, 7), "coordinate 2: only for λ' = 9/7", case=one),
        solve(lp, gaps, [], "so no λ' makes the first steps equal", case=one),
        identity(
            h * (1 / lam_fp - 1),
            -h * k / (1 + k),
            "AdamW at w_i = 1/λ: the gradient h_i(w_i − 1) ...",
            case=fixed,
        ),
        holds(
            sp.Lt(-h * k / (1 + k), 0, evaluate=False),
            "... is negative, so m̂/√v̂ = sign(g_i) = −1 = −λw_i: w = (1/λ, 1/λ) is AdamW's fixed point",
            case=fixed,
        ),
        solve(
            wi,
            h * (wi - 1) + lp * wi,
            h / (h + lp),
            "Adam + L2 stops where ∇L + λ'w = 0: the ridge optimum h_i/(h_i + λ')",
            case=fixed,
        ),
        solve(
            lp,
            [1 / (1 + lp) - 1 / lam_fp, 4 / (4 + lp) - 1 / lam_fp],
            [],
            "h = 1 needs λ' = λ − 1, h = 4 needs λ' = 4(λ − 1): no λ' gives AdamW's fixed point",
            case=fixed,
        ),
    )
    return Derivation(
        "opt.adam_not_equiv",
        (c1, c2, gt, m, v, eps, lp, k, h, wi),
        steps,
        "checked for n = 2 (a counterexample)",
        {
            "adam_l2_first_step": Result((x, gx, lr, lp, eps), x - adam_l2_update),
            "adamw_first_step": Result((x, gx, lr, lam, eps), x - adamw_update),
        },
        (
            "c₁ = 1 − β₁ and c₂ = 1 − β₂ are positive (Adam's 0 ≤ β_k < 1).",
            "A counterexample suffices to show that no L2 coefficient makes Adam equal AdamW; the "
            "preconditioner 1/(√v̂ + ε) is not a multiple of I in it.",
        ),
    )
