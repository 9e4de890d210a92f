"""Derivation of ridge.double_descent: the peak of least squares at n = d, and none for tuned ridge.

Setting (``theory/double_descent.py``): rows ``x ~ N(0, I_d)``, ``y = xᵀβ + ε``, ``Var ε = σ²``,
``r² = ‖β‖²``; test risk ``R(ŵ) = σ² + ‖ŵ − β‖²``; ridge ``ŵ = (XᵀX + λI)⁻¹Xᵀy`` with ``λ = nα`` in the
canonical convention.

What SymPy proves, and what is taken as given:

1. *Exact risk of the minimum-norm interpolator.* Two moment facts are taken as given (definitions in
   the document, with their source): the inverse-Wishart mean ``E tr(XᵀX)⁻¹ = d/(n − d − 1)`` for
   ``n ≥ d + 2`` (and ``E tr(XXᵀ)⁻¹ = n/(d − n − 1)`` for ``n ≤ d − 2``; Muirhead, *Aspects of
   Multivariate Statistical Theory*, Thm 3.2.12), and that the row space of X is uniformly distributed
   (X's law is rotation invariant). From them SymPy assembles the two formulas, derives
   ``E P = (n/d)I`` for the projection on the row space, and shows the poles at n = d ± 1 (the peak).
   The base cases d = 1 and n = 1, where the Wishart matrix is a χ² variable, are proved from
   ``E[1/χ²_k] = 1/(k − 2)``, which ``sympy.stats`` derives.
2. *The optimal penalty.* Averaged over β's direction, each eigenvalue s of XᵀX contributes
   ``ρ(λ) = (r²/d)λ²/(s + λ)² + σ²s/(s + λ)²``; SymPy differentiates, finds the one stationary point
   ``λ* = σ²d/r²`` (the same for every s, so it minimises the sum for every X and hence the
   expectation), converts it to ``α* = σ²d/(n r²)`` and collapses ρ(λ*) to ``σ²/(s + λ*)``. That the
   tuned risk cannot increase in n at finite n is the Bayes argument of Nakkiran et al. (module
   docstring of ``theory/double_descent.py``), not a SymPy step.
3. *The proportional limit.* The Marchenko–Pastur Stieltjes transform ``m(α)`` solves a quadratic;
   SymPy solves it, shows that exactly one root is positive, that the ridge risk collapses at
   ``α* = σ²γ/r²`` to ``σ² + σ²γm``, and, by implicit differentiation of the quadratic satisfied by
   ``f = γm(α*)``, that ``df/dγ > 0``: the tuned limit risk increases in γ = d/n, i.e. decreases in n.
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import ChiSquared

from proofs.framework import Derivation, Result, Step, define, expectation, holds, identity, limit, solve

__all__ = ["double_descent"]


def _chi_square_cases(nu: sp.Symbol, n: sp.Symbol, d: sp.Symbol, s2: sp.Symbol, r2: sp.Symbol) -> list[Step]:
    case = "Second check: the base cases d = 1 and n = 1 from the χ² moment"
    chi = ChiSquared("Y", nu + 2)  # Y ~ χ²_k with k = ν + 2
    half = nu / 2
    gamma_form = sp.gamma(half) / (2 * sp.gamma(half + 1))
    return [
        expectation(
            1 / chi,
            gamma_form,
            "Y ~ χ²_k with k = ν + 2 > 2 degrees of freedom: sympy.stats integrates 1/y against its density",
            case=case,
        ),
        identity(
            gamma_form,
            1 / nu,
            "Γ(ν/2 + 1) = (ν/2)Γ(ν/2), so E[1/χ²_k] = 1/(k − 2)",
            "combsimp",
            case=case,
        ),
        identity(
            sp.Subs(s2 + s2 * d / (n - d - 1), d, 1),
            s2 + s2 / ((n - 2) + 2 - 2),
            "d = 1: XᵀX = Σ x_i² is χ² with n degrees of freedom, so E R = σ² + σ²E[1/χ²_n] = σ² + "
            "σ²/(n − 2), which is the general formula at d = 1",
            case=case,
            sizes="d = 1",
        ),
        identity(
            sp.Subs(s2 + r2 * (1 - n / d) + s2 * n / (d - n - 1), n, 1),
            s2 + r2 * (d - 1) / d + s2 / (d - 2),
            "n = 1: ŵ = x y/‖x‖² keeps the part of β along the random line x, E(uᵀβ)² = r²/d for a "
            "uniform unit u, and the noise term is σ²/‖x‖² with ‖x‖² ~ χ²_d: σ²/(d − 2) by the "
            "moment above; this is the general formula at n = 1",
            case=case,
            sizes="n = 1",
        ),
    ]


def double_descent() -> Derivation:
    """ridge.double_descent: ``E R(ŵ₀)`` has poles at n = d ± 1 (the peak of double descent), the
    optimal penalty is ``α* = σ²d/(n r²)`` for every n, and the tuned Marchenko–Pastur risk
    ``σ² + σ²γm(σ²γ/r²)`` increases strictly in γ = d/n (decreases in n).
    """
    n = sp.Symbol("n", positive=True)  # a real variable: the formulas continue to real n
    d = sp.Symbol("d", positive=True)
    nu = sp.Symbol("nu", positive=True)
    s2 = sp.Symbol("sigma^2", positive=True)
    r2 = sp.Symbol("r^2", positive=True)
    s = sp.Symbol("s", positive=True)
    lam = sp.Symbol("lambda", positive=True)
    alpha = sp.Symbol("alpha", positive=True)
    gam = sp.Symbol("gamma", positive=True)
    m = sp.Symbol("m", positive=True)
    q = sp.Symbol("q", positive=True)
    f = sp.Symbol("f", positive=True)
    snr = sp.Symbol("S", positive=True)  # r²/σ²
    c = sp.Symbol("c", positive=True)
    u = sp.Symbol("u", positive=True)
    m_integral = sp.Symbol(r"\int \frac{\mathrm{d}F(s)}{s + \alpha}", positive=True)
    T_over = sp.Symbol(r"\mathbb{E}\operatorname{tr}(X^\top X)^{-1}", positive=True)
    T_under = sp.Symbol(r"\mathbb{E}\operatorname{tr}(XX^\top)^{-1}", positive=True)
    G = sp.MatrixSymbol("G", d, d)

    assemble = "Exact risk of the minimum-norm interpolator"
    over_formula = s2 + s2 * d / (n - d - 1)
    under_formula = s2 + r2 * (1 - n / d) + s2 * n / (d - n - 1)
    steps: list[Step] = [
        define(
            T_over,
            d / (n - d - 1),
            "taken as given: for n ≥ d + 2, XᵀX is Wishart with n degrees of freedom and "
            "E(XᵀX)⁻¹ = I/(n − d − 1) (Muirhead, Thm 3.2.12); the trace sums d diagonal entries",
            case=assemble,
        ),
        define(
            T_under,
            n / (d - n - 1),
            "taken as given, the same fact for the n×n Wishart matrix XXᵀ (d degrees of freedom), n ≤ d − 2",
            case=assemble,
        ),
        Step(
            sp.MatMul(G.I, G, G.I, evaluate=False),
            G.I,
            "n ≥ d + 2: ŵ₀ − β = (XᵀX)⁻¹Xᵀε, whose covariance σ²(XᵀX)⁻¹XᵀX(XᵀX)⁻¹ is σ²(XᵀX)⁻¹ "
            "(G = XᵀX invertible); for n ≤ d − 2 the same with G = XXᵀ and X⁺ = Xᵀ(XXᵀ)⁻¹",
            "matrix",
            case=assemble,
            facts=(sp.Q.invertible(G),),
        ),
        identity(
            s2 + s2 * T_over.subs(T_over, d / (n - d - 1)),
            s2 * (n - 1) / (n - d - 1),
            "so E R = σ² + σ²E tr(XᵀX)⁻¹ = σ² + σ²d/(n − d − 1) = σ²(n − 1)/(n − d − 1)",
            case=assemble,
        ),
        solve(
            c,
            c * d - n,
            n / d,
            "n ≤ d − 2: X⁺X = P, the projection on the row space; E P = cI by rotation invariance and "
            "tr P = n, so cd = n",
            case=assemble,
        ),
        identity(
            r2 - c.subs(c, n / d) * r2 + s2 + s2 * T_under.subs(T_under, n / (d - n - 1)),
            r2 * (d - n) / d + s2 * (d - 1) / (d - n - 1),
            "bias E‖(I − P)β‖² = r² − βᵀ(E P)β = r²(1 − n/d), plus σ² and the variance σ²E tr(XXᵀ)⁻¹",
            case=assemble,
        ),
        limit(
            s2 * (n - 1) / (n - d - 1),
            n,
            d + 1,
            sp.oo,
            "n ↓ d + 1: the risk of least squares diverges",
            case=assemble,
        ),
        limit(
            (r2 * (d - n) / d + s2 * (d - 1) / (d - n - 1)).subs(d, u + 1),
            n,
            u,
            sp.oo,
            "n ↑ d − 1 (written d = u + 1, u > 0, as this branch needs d ≥ 3): the risk of the "
            "interpolator diverges too: the peak sits at n = d",
            direction="-",
            case=assemble,
        ),
        identity(
            sp.Derivative(over_formula, n),
            -s2 * d / (n - d - 1) ** 2,
            "for n > d + 1 the risk decreases in n (derivative −σ²d/(n − d − 1)² < 0)",
            case=assemble,
        ),
        identity(
            sp.Derivative(under_formula, n),
            -r2 / d + s2 * (d - 1) / (d - n - 1) ** 2,
            "for n < d − 1 the variance term grows like σ²(d − 1)/(d − n − 1)² towards the pole, "
            "the bias falls like −r²/d: the risk rises towards n = d once the variance term dominates",
            case=assemble,
        ),
    ]
    steps += _chi_square_cases(nu, n, d, s2, r2)

    tuned = "The optimal penalty"
    rho = (r2 / d) * lam**2 / (s + lam) ** 2 + s2 * s / (s + lam) ** 2
    lam_star = s2 * d / r2
    steps += [
        define(
            sp.Function("rho")(lam),
            rho,
            "per eigenvalue s of XᵀX, ridge keeps λ/(s + λ) of β's component (E c² = r²/d over β's "
            "direction, taken as given from rotation invariance) and passes σ²s/(s + λ)² of noise",
            case=tuned,
        ),
        identity(
            sp.Derivative(rho, lam),
            2 * s * r2 * (lam - lam_star) / (d * (s + lam) ** 3),
            "the derivative has the sign of λ − σ²d/r² for every s > 0",
            case=tuned,
        ),
        solve(
            lam,
            sp.diff(rho, lam),
            lam_star,
            "its only zero is λ* = σ²d/r², the same for every eigenvalue: a minimum of each term, so of "
            "the sum over the spectrum for every X, so of the expected risk",
            case=tuned,
        ),
        solve(
            alpha,
            n * alpha - lam_star,
            s2 * d / (n * r2),
            "in the canonical convention λ = nα: α* = σ²d/(n r²)",
            case=tuned,
        ),
        identity(
            sp.Subs(rho, lam, lam_star),
            s2 / (s + lam_star),
            "at λ* each term collapses to σ²/(s + λ*): min_α E R = σ² + σ²E tr(XᵀX + λ*I)⁻¹",
            case=tuned,
        ),
    ]

    mp = "The proportional limit (Marchenko–Pastur)"
    b = 1 - gam + alpha
    quad = gam * alpha * m**2 + b * m - 1
    root = (sp.sqrt(b**2 + 4 * gam * alpha) - b) / (2 * gam * alpha)
    other = (-sp.sqrt(b**2 + 4 * gam * alpha) - b) / (2 * gam * alpha)
    risk = s2 + r2 * alpha**2 * q + s2 * gam * (m - alpha * q)
    F = (gam / snr) * f**2 + (1 - gam + gam / snr) * f - gam
    disc = (1 - gam + gam / snr) ** 2 + 4 * gam**2 / snr
    steps += [
        define(
            m,
            m_integral,
            "m = m(α) is the Stieltjes transform ∫dF(s)/(s + α) of F, the Marchenko–Pastur law of XᵀX/n "
            "as d/n → γ; "
            "taken as given (Dobriban & Wager 2018, from Marchenko & Pastur): it is a root of "
            "γαm² + (1 − γ + α)m − 1 = 0",
            case=mp,
        ),
        solve(
            m,
            gam * alpha * m**2 + b * m - 1,
            [root, other],
            "the quadratic has the two roots (±√((1 − γ + α)² + 4γα) − (1 − γ + α))/(2γα)",
            case=mp,
        ),
        identity(
            sp.Mul(root, other, evaluate=False),
            -1 / (gam * alpha),
            "their product is −1/(γα) < 0: exactly one root is positive, and m > 0, so m is that root",
            case=mp,
        ),
        limit(
            alpha * root,
            alpha,
            sp.oo,
            1,
            "and αm(α) → 1 as α → ∞, as ∫dF/(s + α) ~ 1/α must",
            case=mp,
        ),
        identity(
            risk.subs(alpha, s2 * gam / r2) - s2 - s2 * gam * m,
            0 * m,
            "the ridge risk σ² + r²α²q + σ²γ(m − αq) (q = ∫dF/(s + α)², Dobriban & Wager Thm 2.1) at "
            "α* = σ²γ/r² loses its q terms: R∞(α*) = σ² + σ²γm(α*)",
            "expand",
            case=mp,
            shown=(risk.subs(alpha, s2 * gam / r2), s2 + s2 * gam * m),
        ),
        identity(
            gam * quad.subs({m: f / gam, alpha: gam / snr}),
            F,
            "write f = γm(α*) and S = r²/σ² (so α* = γ/S): f is the positive root of "
            "F(f, γ) = (γ/S)f² + (1 − γ + γ/S)f − γ",
            case=mp,
        ),
        identity(
            sp.Derivative(F, gam),
            (f + 1) * (f - snr) / snr,
            "∂F/∂γ = (f + 1)(f − S)/S",
            "factor",
            case=mp,
        ),
        identity(
            sp.Derivative(F, f) ** 2 - disc,
            4 * (gam / snr) * F,
            "(∂F/∂f)² equals the discriminant where F = 0, so ∂F/∂f = +√Δ > 0 at the larger, positive root",
            "expand",
            case=mp,
        ),
        identity(
            F.subs(f, snr),
            snr + 0 * gam,
            "F(S, γ) = S > 0 while F(0, γ) = −γ < 0, so the positive root has 0 < f < S: the tuned risk "
            "σ²(1 + f) is below r² + σ², the risk of ŵ = 0",
            case=mp,
        ),
        holds(
            sp.Gt(disc, 0, evaluate=False),
            "the discriminant Δ is a square plus 4γ²/S > 0, so ∂F/∂f = √Δ > 0",
            case=mp,
        ),
        holds(
            sp.Gt(((f + 1) * (snr - f) / snr).subs(f, snr / (1 + c)), 0, evaluate=False),
            "so df/dγ = −(∂F/∂γ)/(∂F/∂f) = (f + 1)(S − f)/(S√Δ) > 0 (f = S/(1 + c) with c > 0 "
            "encodes 0 < f < S): the tuned limit risk increases in γ = d/n, i.e. decreases in n",
            case=mp,
        ),
    ]
    return Derivation(
        "ridge.double_descent",
        (n, d, u, nu, s2, r2, s, lam, alpha, gam, m, q, f, snr, c, m_integral, T_over, T_under, G),
        tuple(steps),
        "proved for general n, d from the two cited moment facts (definitions); the tuned finite-n "
        "monotonicity is the Bayes argument of Nakkiran et al., not a SymPy step",
        {
            "min_norm_over": Result((n, d, s2), s2 * (n - 1) / (n - d - 1)),
            "min_norm_under": Result((n, d, s2, r2), r2 * (d - n) / d + s2 * (d - 1) / (d - n - 1)),
            "optimal_alpha": Result((n, d, s2, r2), s2 * d / (n * r2)),
            "tuned_limit": Result((gam, s2, r2), s2 + s2 * gam * root.subs(alpha, s2 * gam / r2)),
        },
        (
            "The peak is a property of the expectation: for |n − d| ≤ 1 the inverse-Wishart mean does not "
            "exist, and theory.double_descent.min_norm_risk returns +inf there.",
            "Finite-n monotonicity of min_α E R: the averaged risk equals the Bayes risk under "
            "β ~ N(0, (r²/d)I), whose Bayes estimator is ridge at λ*; a Bayes estimator from n + 1 rows "
            "may ignore the last row, so its risk is at most that from n rows (Nakkiran et al., Thm 1).",
        ),
    )
