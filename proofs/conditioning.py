"""Derivation of l2.conditioning: weight decay lowers the condition number, speeds GD up, and biases
its limit.

Idea of the proof. The penalised objective ``J + (α/2)‖w‖²`` has Hessian ``H + αI``, whose eigenvalues
are ``λ_i + α``; along each eigenvector GD multiplies the error to the ridge optimum w̃ by the number
``1 − ε(λ_i + α)``. So everything reduces to the two extreme numbers ``μ = λ_min + α`` and
``L = λ_max + α``: the condition number is L/μ, the worst factor over all starts is the larger of
``|1 − εμ|`` and ``|1 − εL|``, and the best constant step makes those two equal. The price is read off
l2.eigen: the limit w̃ keeps only ``λ_i/(λ_i + α)`` of each coordinate of w*.
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import Derivation, Result, define, holds, identity, limit, rsolve, series, solve

__all__ = ["conditioning"]


def conditioning() -> Derivation:
    """l2.conditioning (Nesterov, *Lectures on Convex Optimization*, 2018, Thm 2.1.15 with μ = λ_min + α,
    L = λ_max + α, gives the rate as an upper bound for every strongly convex smooth objective; that a
    quadratic attains it, along q_min and q_max, is this derivation's own step; bias from l2.eigen).

    Steps: κ_α's derivative in α is ``−(λ_max − λ_min)/(λ_min + α)²`` (≤ 0; < 0 when the spectrum is
    not flat) and κ_α → 1; the step ε* solves ``1 − εμ = −(1 − εL)``, at which both extreme factors
    have modulus ``ρ = (L − μ)/(L + μ) = (κ − 1)/(κ + 1)``; any other step makes one of them larger
    (moving ε by h adds hμ or hL), so ε* is optimal; along q_min the error is multiplied by exactly ρ
    each step (rsolve); ``log(1/ρ) = 2/κ + O(κ⁻³)``, so iterations to a fixed reduction grow like κ;
    the bias along q_i is ``−αc_i/(λ_i + α)``, whose square grows in α towards c_i²; and the step
    count after which ``ρ^k g + b ≤ δ`` solves ``ρ^k g + b = δ`` (it exists only when b < δ).
    """
    alpha = sp.Symbol("alpha", positive=True)  # α > 0 (α = 0 is the limit; λ_min + α > 0 either way)
    lam_min = sp.Symbol("lambda_min", nonnegative=True)
    spread = sp.Symbol("s", nonnegative=True)  # λ_max − λ_min
    spread_pos = sp.Symbol("s_+", positive=True)
    mu = sp.Symbol("mu", positive=True)  # λ_min + α
    big = sp.Symbol("L", positive=True)  # λ_max + α
    eps = sp.Symbol("epsilon", real=True)
    h = sp.Symbol("h", positive=True)
    kappa = sp.Symbol("kappa_alpha", positive=True)
    x = sp.Symbol("x", positive=True)  # 1/κ
    rho = sp.Symbol("rho", positive=True)
    lam = sp.Symbol("lambda_i", nonnegative=True)
    lam_pos = sp.Symbol("lambda_+", positive=True)
    c = sp.Symbol("c_i", real=True)
    e0 = sp.Symbol("e_0", real=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    k_real = sp.Symbol("K", positive=True)
    g = sp.Symbol("g", positive=True)  # ‖w⁽⁰⁾ − w̃‖
    b = sp.Symbol("b", nonnegative=True)  # ‖w̃ − w*‖
    delta = sp.Symbol("delta", positive=True)
    err = sp.Function("e")
    kappa_of = sp.Function("kappa")

    lam_max = lam_min + spread
    kappa_alpha = (lam_max + alpha) / (lam_min + alpha)
    eps_star = 2 / (mu + big)
    rate = (big - mu) / (big + mu)
    step_q = "Step and rate"
    price = "The price: bias"
    steps = (
        define(
            kappa_of(alpha),
            kappa_alpha,
            "the condition number of H + αI, its largest eigenvalue over its smallest, with "
            "λ_max = λ_min + s",
        ),
        identity(
            sp.Derivative(kappa_alpha, alpha),
            -spread / (lam_min + alpha) ** 2,
            "differentiate the quotient in α (numerator and denominator both grow by 1 per unit of α)",
        ),
        holds(
            sp.Le(-spread / (lam_min + alpha) ** 2, 0, evaluate=False),
            "s ≥ 0, so κ_α never increases with α",
        ),
        holds(
            sp.Lt(-spread_pos / (lam_min + alpha) ** 2, 0, evaluate=False),
            "and when λ_max > λ_min (s > 0) it strictly decreases",
        ),
        limit(kappa_alpha, alpha, sp.oo, 1, "a large α swamps the spread: κ_α → 1", direction="-"),
        solve(
            eps,
            (1 - eps * mu) + (1 - eps * big),
            eps_star,
            "1 − ε(λ + α) is linear in λ, so its largest modulus over the spectrum is at μ = λ_min + α or "
            "L = λ_max + α; the first falls and the second rises with ε, and the best ε is where "
            "1 − εμ = −(1 − εL)",
            case=step_q,
        ),
        identity(
            sp.Subs(1 - eps * mu, eps, eps_star),
            rate,
            "at ε* the slowest direction keeps the fraction ρ = (L − μ)/(L + μ) of its error",
            case=step_q,
        ),
        identity(
            sp.Subs(1 - eps * big, eps, eps_star),
            -rate,
            "and the fastest direction flips sign with the same modulus ρ",
            case=step_q,
        ),
        identity(
            sp.Subs((kappa - 1) / (kappa + 1), kappa, big / mu),
            rate,
            "with κ_α = L/μ this is ρ = (κ_α − 1)/(κ_α + 1)",
            case=step_q,
        ),
        identity(
            sp.Subs(1 - eps * mu, eps, eps_star - h),
            rate + h * mu,
            "a step shorter by h > 0 leaves the slowest direction a factor ρ + hμ > ρ",
            case=step_q,
        ),
        identity(
            sp.Subs(eps * big - 1, eps, eps_star + h),
            rate + h * big,
            "a step longer by h > 0 gives the fastest direction a factor of modulus ρ + hL > ρ: "
            "ε* is optimal",
            case=step_q,
        ),
        rsolve(
            err(k),
            err(k + 1) - rho * err(k),
            {err(0): e0},
            rho**k * e0,
            "an error along q_min is multiplied by exactly ρ each step: after k steps it is ρ^k e_0, so ρ "
            "is attained, not only a bound",
            case=step_q,
        ),
        series(
            -sp.log((1 - x) / (1 + x)),
            x,
            4,
            2 * x + 2 * x**3 / 3 + sp.O(x**4),
            "with x = 1/κ_α: log(1/ρ) = 2/κ_α + O(κ_α⁻³), so reducing the error by a factor F takes about "
            "κ_α·log(F)/2 steps, proportional to κ_α",
            case=step_q,
        ),
        identity(
            lam * c / (lam + alpha) - c,
            -alpha * c / (lam + alpha),
            "w̃ keeps λ_i/(λ_i + α) of the coordinate c_i of w* (l2.eigen); the bias along q_i is the rest",
            case=price,
        ),
        identity(
            sp.Derivative((alpha * c / (lam + alpha)) ** 2, alpha),
            2 * alpha * lam * c**2 / (lam + alpha) ** 3,
            "the squared bias along q_i changes with α at this rate",
            case=price,
        ),
        holds(
            sp.Ge(2 * alpha * lam * c**2 / (lam + alpha) ** 3, 0, evaluate=False),
            "which is ≥ 0: ‖w̃ − w*‖ grows with α",
            case=price,
        ),
        limit(
            alpha / (lam_pos + alpha),
            alpha,
            sp.oo,
            1,
            "and the biased fraction tends to 1: ‖w̃ − w*‖ → ‖w*‖ as α → ∞",
            direction="-",
            case=price,
        ),
        solve(
            k_real,
            rho**k_real * g + b - delta,
            sp.log((delta - b) / g) / sp.log(rho),
            "‖w_k − w*‖ ≤ ρ^k‖w⁽⁰⁾ − w̃‖ + ‖w̃ − w*‖ = ρ^k g + b reaches δ at k = K; it needs b < δ "
            "(the logarithm of δ − b), so beyond the α where the bias equals δ no number of steps suffices",
            case=price,
        ),
    )
    lmin, lmax = sp.symbols("lambda_min lambda_max", nonnegative=True)
    a = alpha
    return Derivation(
        "l2.conditioning",
        (
            alpha,
            lam_min,
            spread,
            spread_pos,
            mu,
            big,
            eps,
            h,
            kappa,
            x,
            rho,
            lam,
            lam_pos,
            c,
            e0,
            k,
            k_real,
            g,
            b,
            delta,
        ),
        steps,
        "proved for general n",
        {
            "condition": Result((lmin, lmax, a), (lmax + a) / (lmin + a)),
            "optimal_step": Result((lmin, lmax, a), 2 / (lmax + lmin + 2 * a)),
            "rate": Result((lmin, lmax, a), (lmax - lmin) / (lmax + lmin + 2 * a)),
            "bias": Result((lam, c, a), -a * c / (lam + a)),
        },
        (
            "H symmetric PSD and λ_min + α > 0; the eigenvalues of H + αI are λ_i + α (the same "
            "eigenvectors), and GD's error to w̃ evolves independently along each (gd.stability).",
            "k counts steps (an integer); K is the real solution of ρ^K g + b = δ, rounded up to a "
            "step count.",
        ),
    )
