"""Derivation of adamw.ema: AdamW's weights are an exponential moving average of −u_t/λ.

Idea of the proof. torch's AdamW step ``w_{t+1} = (1 − ηλ)w_t − ηu_t`` is linear in the start w_0 and
in the updates u_s, so its solution is a sum of responses: the start decays by the factor
``a = 1 − ηλ`` each step, and an update made at step s enters as ``−ηu_s`` and then decays the same
way. Rewriting ``−η = ηλ·(−1/λ)`` shows the weights ``ηλ a^{t−1−s}`` of an exponential moving average
of the targets ``−u_s/λ``, which sum to ``1 − a^t`` (the rest, ``a^t``, stays on w_0). The memory of
the average is the number of steps over which ``a^τ`` falls by e, about ``1/(ηλ)``; in epochs that is
``B/(ηλN)``, so holding it fixed as N grows means λ ∝ 1/N (Wang & Aitchison, ICML 2025).
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import Derivation, Result, define, identity, rsolve, series, solve

__all__ = ["ema"]


def ema() -> Derivation:
    """adamw.ema (Wang & Aitchison, *How to set AdamW's weight decay as you scale model and dataset
    size*, ICML 2025, arXiv 2405.13698; torch's AdamW step as its documentation writes it, Loshchilov &
    Hutter 2019).

    Steps: the step as an average; the solution from w_0 alone and from one update (rsolve), which add
    up by linearity; for a constant update the whole solution (rsolve) is the average with weight
    ``1 − a^t``; the weights of the general sum add to ``1 − a^t``; the e-folding count
    ``−1/log(1 − ηλ) = 1/(ηλ) − ½ + O(ηλ)``; the epoch timescale and λ ∝ 1/N; what λ/k instead of the
    exact matched decay changes. Second check (T = 3): the recursion unrolled against the closed form,
    with a constant η and with a schedule η_0, η_1, η_2 (whose weights telescope to 1).
    """
    eta = sp.Symbol("eta", positive=True)
    lam = sp.Symbol("lambda", positive=True)
    a = sp.Symbol("a", positive=True)  # 1 − ηλ ∈ (0, 1)
    x = sp.Symbol("x", positive=True)  # ηλ
    w = sp.Symbol("w", real=True)
    u = sp.Symbol("u", real=True)
    w0 = sp.Symbol("w_0", real=True)
    t = sp.Symbol("t", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    s = sp.Symbol("s", integer=True, nonnegative=True)
    tau = sp.Symbol("tau", positive=True)
    n_data, batch, tau_e = sp.symbols("N B tau_epoch", positive=True)
    k = sp.Symbol("k", positive=True)
    u0, u1, u2 = sp.symbols("u_0 u_1 u_2", real=True)
    e0, e1, e2 = sp.symbols("eta_0 eta_1 eta_2", positive=True)
    W = sp.Function("W")
    r = sp.Function("r")
    step_fn = sp.Function("step")

    def step(v: sp.Expr, upd: sp.Expr, lr: sp.Expr = eta) -> sp.Expr:
        return (1 - lr * lam) * v - lr * upd  # torch AdamW: decay first, then the Adam step

    # T = 3 unrolled, against the closed form w_T = a^T w_0 + Σ_s ηλ a^{T−1−s}(−u_s/λ)
    unrolled = step(step(step(w0, u0), u1), u2)
    closed = (1 - eta * lam) ** 3 * w0 + sum(
        eta * lam * (1 - eta * lam) ** (2 - i) * (-ui / lam) for i, ui in enumerate((u0, u1, u2))
    )
    sched = step(step(step(w0, u0, e0), u1, e1), u2, e2)
    d0, d1, d2 = (1 - e0 * lam), (1 - e1 * lam), (1 - e2 * lam)
    sched_closed = (
        d0 * d1 * d2 * w0
        + e0 * lam * d1 * d2 * (-u0 / lam)
        + e1 * lam * d2 * (-u1 / lam)
        + e2 * lam * (-u2 / lam)
    )
    second = "Second check: T = 3"
    steps = (
        define(
            step_fn(w, u),
            step(w, u),
            "torch's AdamW step: multiply w by 1 − ηλ, then subtract η times the Adam update u = m̂/(√v̂ + ε)",
        ),
        identity(
            step(w, u),
            (1 - eta * lam) * w
            + sp.Mul(eta * lam, sp.Mul(sp.S.NegativeOne, u, sp.Pow(lam, -1), evaluate=False), evaluate=False),
            "−ηu = ηλ·(−u/λ): the step mixes w with the target −u/λ in proportions 1 − ηλ and ηλ, an "
            "exponential moving average",
        ),
        rsolve(
            W(t),
            W(t + 1) - a * W(t),
            {W(0): w0},
            a**t * w0,
            "with every u = 0 (linearity: the start and each update can be followed separately) the start "
            "is multiplied by a = 1 − ηλ each step",
        ),
        rsolve(
            r(j),
            r(j + 1) - a * r(j),
            {r(0): -eta * u},
            -eta * u * a**j,
            "an update u made at step s enters as −ηu at step s + 1 and decays the same way: j steps later "
            "it is −ηu·a^j, so in w_t (j = t − 1 − s) it carries the weight ηλ a^{t−1−s} on −u_s/λ",
        ),
        rsolve(
            W(t),
            W(t + 1) - (1 - eta * lam) * W(t) + eta * u,
            {W(0): w0},
            (1 - eta * lam) ** t * w0 + (1 - (1 - eta * lam) ** t) * (-u / lam),
            "all at once for a constant update u: w_t moves from w_0 to the target −u/λ, keeping "
            "(1 − ηλ)^t of the way still to go",
        ),
        identity(
            sp.Sum((1 - a) * a ** (t - 1 - s), (s, 0, t - 1)),
            1 - a**t,
            "for any updates the weights ηλ a^{t−1−s} = (1 − a)a^{t−1−s} of the t targets sum to 1 − a^t "
            "(a geometric sum); the remaining a^t stays on w_0",
        ),
        solve(
            tau,
            (1 - x) ** tau - sp.exp(-1),
            -1 / sp.log(1 - x),
            "the memory: with x = ηλ, a weight has fallen by the factor e after τ = −1/log(1 − ηλ) steps",
        ),
        series(
            -1 / sp.log(1 - x),
            x,
            2,
            1 / x - sp.Rational(1, 2) - x / 12 + sp.O(x**2),
            "so τ_iter = 1/(ηλ) up to less than one step when ηλ is small: the timescale is 1/(ηλ), not "
            "1/λ or η/λ",
        ),
        define(
            tau_e,
            batch / (eta * lam * n_data),
            "an epoch is N/B steps (N examples, batch size B), so the memory in epochs is τ_iter·B/N",
        ),
        solve(
            lam,
            batch / (eta * lam * n_data) - tau_e,
            batch / (eta * tau_e * n_data),
            "to keep τ_epoch as N grows (B, η fixed) take λ = B/(ητ_epoch N): λ ∝ 1/N",
        ),
        series(
            1 - (1 - x) ** (1 / k),
            x,
            3,
            x / k + (k - 1) * x**2 / (2 * k**2) + sp.O(x**3),
            "with k times the data, k times the steps keep exactly the same weight on w_0 when "
            "1 − ηλ' = (1 − ηλ)^{1/k}; then ηλ' = ηλ/k + O((ηλ)²): λ/k is the first-order rule",
        ),
        series(
            k * sp.log(1 - x / k) - sp.log(1 - x),
            x,
            3,
            x**2 * (1 - 1 / k) / 2 + sp.O(x**3),
            "with λ/k, the log of the weight on w_0 per T steps of the small set changes by "
            "T(ηλ)²(1 − 1/k)/2 + …: the rule is exact to first order in ηλ",
        ),
        identity(
            sp.UnevaluatedExpr(unrolled),
            closed,
            "three steps of the recursion, multiplied out, are the closed form at T = 3",
            by="expand",
            case=second,
            sizes="T = 3",
        ),
        identity(
            sp.UnevaluatedExpr(sched),
            sched_closed,
            "with a schedule η_t torch decays by 1 − η_tλ: the same average, with weights "
            "η_sλ Π_{r>s}(1 − η_rλ)",
            by="expand",
            case=second,
            sizes="T = 3",
        ),
        identity(
            d0 * d1 * d2 + e0 * lam * d1 * d2 + e1 * lam * d2 + e2 * lam,
            1,
            "and those weights, with the one left on w_0, still sum to 1 (the sum telescopes)",
            by="expand",
            case=second,
            sizes="T = 3",
        ),
    )
    T = sp.Symbol("T", integer=True, nonnegative=True)
    return Derivation(
        "adamw.ema",
        (eta, lam, a, x, w, u, w0, t, j, s, tau, n_data, batch, tau_e, k, u0, u1, u2, e0, e1, e2, T),
        steps,
        "proved for general n",
        {
            "initial_weight": Result((eta, lam, T), (1 - eta * lam) ** T),
            "update_weight": Result((eta, lam, T, s), eta * lam * (1 - eta * lam) ** (T - 1 - s)),
            "timescale": Result((eta, lam), 1 / (eta * lam)),
            "epoch_timescale": Result((eta, lam, batch, n_data), batch / (eta * lam * n_data)),
        },
        (
            "a = 1 − ηλ ∈ (0, 1) needs 0 < ηλ < 1. u_t is whatever the Adam moments give; the identity "
            "does not depend on how u_t is computed, only on the decay being applied as w ← (1 − ηλ)w.",
            "Every statement is per coordinate: the decay factor is the same for all coordinates.",
        ),
    )
