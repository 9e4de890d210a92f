"""Derivations of the optimizer statements: opt.sgd_equiv and opt.adam_not_equiv.

PyTorch's update rules (``torch.optim.SGD``, ``Adam``, ``AdamW`` documentation) are written as SymPy
expressions. SGD's coupled ``weight_decay`` adds ``λw`` to the gradient before the momentum buffer, so
it is the gradient of ``L + (λ/2)‖w‖²`` (Loshchilov & Hutter, ICLR 2019, Prop. 1). Adam divides that
sum by ``√v̂``, AdamW decays ``w`` outside it; a two-dimensional counterexample shows that no L2
coefficient makes them agree, step by step or at the fixed point (L&H Prop. 2).
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import Derivation, Result, gradient, holds, identity, solve

__all__ = ["adam_not_equiv", "sgd_equiv"]

_n = sp.Symbol("n", integer=True, positive=True)


def sgd_equiv() -> Derivation:
    """opt.sgd_equiv: ``SGD(weight_decay=λ)`` on L takes the steps of plain SGD on
    ``L + (λ/2)‖w‖²``, with momentum μ, dampening δ and Nesterov too (L&H 2019, Prop. 1)."""
    eta = sp.Symbol("eta", positive=True)
    wd = sp.Symbol("lambda", nonnegative=True)
    mu = sp.Symbol("mu", nonnegative=True)
    damp = sp.Symbol("delta", nonnegative=True)
    w = sp.MatrixSymbol("w", _n, 1)
    buf = sp.MatrixSymbol("b", _n, 1)
    g = sp.MatrixSymbol(r"\nabla L(w)", _n, 1)
    grad_pen = g + wd * w
    new_buf = mu * buf + (1 - damp) * grad_pen
    # two steps in one dimension with a generic gradient g(·), momentum μ, no dampening
    gf = sp.Function("g")
    mu_p = sp.Symbol("mu", positive=True)
    wd_p = sp.Symbol("lambda", positive=True)
    w0_nz = sp.Symbol("w_0", real=True, nonzero=True)
    b1c = gf(w0_nz) + wd_p * w0_nz
    w1 = sp.expand(w0_nz - eta * b1c)
    w2_coupled = w1 - eta * (mu_p * b1c + gf(w1) + wd_p * w1)
    w1_decoupled = sp.expand(w0_nz - eta * wd_p * w0_nz - eta * gf(w0_nz))
    w2_decoupled = w1_decoupled - eta * wd_p * w1_decoupled - eta * (mu_p * gf(w0_nz) + gf(w1_decoupled))
    momentum = "Momentum μ, dampening δ (torch: the first step sets b = the gradient)"
    decoupled = "Coupled vs decoupled decay (SGDW)"
    steps = (
        gradient(sp.MatMul(wd / 2, w.T, w), w, wd * w, "∇(λ/2)‖w‖² = λw"),
        identity(
            w - eta * grad_pen,
            w - eta * (g + wd * w),
            "plain step: torch adds λw to the gradient; SGD on L + (λ/2)‖w‖² uses ∇L + λw",
            "matrix",
        ),
        identity(
            new_buf,
            mu * buf + (1 - damp) * (g + wd * w),
            "b ← μb + (1 − δ)(∇L + λw): the same buffer update as on the penalised loss",
            "matrix",
            case=momentum,
        ),
        identity(
            w - eta * (grad_pen + mu * new_buf),
            w - eta * ((g + wd * w) + mu * new_buf),
            "Nesterov: w ← w − η(g + μb) with the same g: the same step; by induction every step agrees",
            "matrix",
            case=momentum,
        ),
        identity(
            (1 - eta * wd) * w - eta * g,
            w - eta * (g + wd * w),
            "without momentum, decaying w by (1 − ηλ) is the same step (L&H Prop. 1)",
            "matrix",
            case=decoupled,
        ),
        identity(
            w2_coupled - w2_decoupled,
            -eta * mu_p * wd_p * w0_nz,
            "with momentum μ they differ after two steps (generic gradient g(·), n = 1)",
            "expand",
            case=decoupled,
        ),
        holds(
            sp.Ne(-eta * mu_p * wd_p * w0_nz, 0, evaluate=False),
            "by −ημλw_0 ≠ 0: torch's coupled weight_decay is the L2 penalty, decoupled decay is not",
            case=decoupled,
        ),
    )
    x, b, gx = sp.symbols("x b g", real=True)
    return Derivation(
        "opt.sgd_equiv",
        (w, buf, eta, wd, mu, damp),
        steps,
        "proved for general n",
        {
            "buffer": Result((b, gx, x, wd, mu, damp), mu * b + (1 - damp) * (gx + wd * x)),
            "step": Result((x, b, eta), x - eta * b),
        },
        (
            "η is torch's lr, λ its weight_decay; the equality is of the one-step maps, so it holds for "
            "every step by induction.",
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
        (c1, c2, eps, lp, k),
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
