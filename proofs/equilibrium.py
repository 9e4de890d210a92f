"""Derivation of si.equilibrium: weight decay and a scale-invariant loss balance at a fixed angular update.

Idea. For a scale-invariant loss the gradient is orthogonal to w and has length ``g/‖w‖``
(si.gradient). One SGD step with weight decay shrinks w to ``(1 − ηλ)w`` and adds the orthogonal
``−η∇f``, so by Pythagoras the squared norm ``x = ‖w‖²`` follows ``x' = (1 − ηλ)²x + η²g²/x``. Its
fixed point balances shrinking and growing; there ``‖w'‖ = ‖w‖``, and since ``w·w' = (1 − ηλ)‖w‖²``,
the cosine of the angle turned is exactly ``1 − ηλ``. Linearising the recursion at the fixed point gives
how fast it is reached. AdamW's update has a fixed size instead of ``g/‖w‖``: the same argument gives its
fixed point and the same angle, and a linear recursion, reached at half SGD's rate.

With momentum (or Adam's β₁) the update of one step carries gradients of earlier steps. Assuming the
gradients are uncorrelated from step to step and keeping the first order in ηλ (the weights barely move
over the momentum's memory), the second moments of the buffer, of its overlap with w, and of ‖w‖² are
stationary; solving those linear balance equations gives the norm and the angular update
``√(2ηλ/(1 + μ))`` (Wan, Zhu, Zhang & Sun 2021) and ``√(2ηλ(1 − β₁)/(1 + β₁))`` (Kosson, Messmer & Jaggi
2024).
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import Normal

from proofs.framework import Derivation, Result, define, expectation, holds, identity, limit, series, solve

__all__ = ["equilibrium"]


def equilibrium() -> Derivation:
    """si.equilibrium: exact fixed point, ``cos θ* = 1 − ηλ``, its series, the relaxation rates (SGD and
    AdamW with an orthogonal update of fixed size); first-order angular updates with momentum and β₁."""
    eta, lam, g, x, C = sp.symbols("eta lambda g x C", positive=True)
    w1, w2 = sp.symbols("w_1 w_2", real=True)
    p = sp.Symbol("p", positive=True)
    s = sp.Symbol("s", positive=True)
    rho_s = 2 * (1 - 1 / (1 + s)) ** 2 - 1
    X = sp.Symbol("X", positive=True)
    mu = sp.Symbol("mu", nonnegative=True)
    beta = sp.Symbol("beta_1", nonnegative=True)
    H, P, M = sp.symbols("H P M", real=True)
    sigma = sp.Symbol("sigma", positive=True)
    F = sp.Function("F")
    Fa = sp.Function("F_A")

    a = (1 - eta * lam) ** 2
    c = eta**2 * g**2
    F_x = a * x + c / x
    x_star = eta * g / sp.sqrt(eta * lam * (2 - eta * lam))
    # w = (w₁, w₂) in the plane of w and ∇f, ‖w‖² = x; the gradient orthogonal to it, of length g/√x
    w = sp.Matrix([w1, w2])
    norm2 = w1**2 + w2**2
    grad = g / norm2 * sp.Matrix([-w2, w1])
    w_new = (1 - eta * lam) * w - eta * grad
    w_new_norm2 = sp.Symbol(r"\|w'\|^2", positive=True)

    sgd = "SGD without momentum: exact"
    steps = [
        define(
            sp.Function(r"\nabla f")(w1, w2),
            grad,
            "definition (the model taken from si.gradient, not proved here): a scale-invariant loss has its "
            "gradient orthogonal to w and of length g/‖w‖; in the plane of the two, w = (w₁, w₂) and "
            "∇f = (g/x)(−w₂, w₁), orthogonal to w by construction, x = w₁² + w₂²",
            case=sgd,
        ),
        define(F(x), F_x, "the map x ↦ x' that the next step shows", case=sgd),
        identity(
            w_new.dot(w_new),
            F_x.subs(x, norm2),
            "Pythagoras: ‖(1 − ηλ)w − η∇f‖² = (1 − ηλ)²x + η²g²/x, whatever the direction of w",
            case=sgd,
            shown=(w_new_norm2, F(x)),
        ),
        solve(
            X,
            (1 - a) * X - c,
            c / (eta * lam * (2 - eta * lam)),
            "a fixed point x = (1 − ηλ)²x + η²g²/x, multiplied by x, is linear in X = x²; "
            "1 − (1 − ηλ)² = ηλ(2 − ηλ)",
            case=sgd,
        ),
        identity(
            sp.Subs(F_x, x, x_star),
            x_star,
            "its positive root x* = ηg/√(ηλ(2 − ηλ)) is the fixed point: F(x*) = x*",
            case=sgd,
            shown=(F(x_star), x_star),
        ),
        identity(
            w.dot(w_new),
            (1 - eta * lam) * norm2,
            "the angle θ turned in one step has cos θ = w·w'/(‖w‖‖w'‖) = (1 − ηλ)√x/√F(x), "
            "since w·w' = (1 − ηλ)x (the gradient term is orthogonal)",
            case=sgd,
            shown=(sp.Symbol(r"w \cdot w'"), (1 - eta * lam) * x),
        ),
        identity(
            sp.Subs((1 - eta * lam) * sp.sqrt(x) / sp.sqrt(F_x), x, x_star),
            1 - eta * lam,
            "at the fixed point ‖w'‖ = ‖w‖, so cos θ* = 1 − ηλ exactly",
            "equals",
            case=sgd,
        ),
        series(
            sp.acos(1 - p),
            p,
            2,
            sp.sqrt(2) * sp.sqrt(p) + sp.sqrt(2) * p ** sp.Rational(3, 2) / 12 + sp.O(p**2),
            "with p = ηλ: θ* = arccos(1 − p) = √(2p)(1 + p/12 + …), so θ* = √(2ηλ) + O((ηλ)^{3/2})",
            case=sgd,
        ),
        identity(
            sp.Subs(sp.Derivative(F_x, x), x, x_star),
            2 * (1 - eta * lam) ** 2 - 1,
            "linearised at x*: F'(x*) = a − η²g²/x*² = a − (1 − a) = 2(1 − ηλ)² − 1 =: ρ",
            case=sgd,
        ),
        identity(
            F_x - x_star,
            (x - x_star) * (a - c / (x * x_star)),
            "exactly, F(x) − x* = (x − x*)(a − η²g²/(x·x*)): the factor tends to ρ as x → x*",
            case=sgd,
        ),
        holds(
            sp.And(sp.Lt(rho_s, 1, evaluate=False), sp.Gt(rho_s, -1, evaluate=False)),
            "|ρ| < 1 for every 0 < ηλ < 1 (written ηλ = 1/(1 + s), s > 0): x* attracts, monotonically "
            "for ρ > 0 and oscillating for ρ < 0 (ηλ > 1 − 1/√2)",
            case=sgd,
        ),
        series(
            -1 / sp.log(2 * (1 - p) ** 2 - 1),
            p,
            1,
            1 / (4 * p) - sp.Rational(3, 8) + sp.O(p),
            "a deviation shrinks by e every τ = −1/ln ρ = 1/(4ηλ) − 3/8 + O(ηλ) steps",
            case=sgd,
        ),
    ]
    adam = "AdamW with an update of fixed size, orthogonal to w (β₁ = 0): exact"
    Fa_x = a * x + eta**2 * C
    xa_star = eta * C / (lam * (2 - eta * lam))
    steps += [
        define(
            Fa(x),
            Fa_x,
            "AdamW: w' = (1 − ηλ)w − ηu with u ⟂ w and ‖u‖² = C (RMS 1 in each of C coordinates); "
            "Pythagoras as above with ηg/√x replaced by η√C",
            case=adam,
        ),
        solve(x, Fa_x - x, xa_star, "the fixed point x* = ηC/(λ(2 − ηλ)) ≈ ηC/(2λ)", case=adam),
        identity(
            sp.Subs((1 - eta * lam) * sp.sqrt(x) / sp.sqrt(Fa_x), x, xa_star),
            1 - eta * lam,
            "w·w' = (1 − ηλ)x again, and ‖w'‖ = ‖w‖ at x*: cos θ* = 1 − ηλ, the same angle as SGD",
            "equals",
            case=adam,
        ),
        identity(
            Fa_x - xa_star,
            a * (x - xa_star),
            "the recursion is linear: x' − x* = (1 − ηλ)²(x − x*) at every x",
            case=adam,
        ),
        series(
            -1 / (2 * sp.log(1 - p)),
            p,
            1,
            1 / (2 * p) - sp.Rational(1, 4) + sp.O(p),
            "so AdamW's norm relaxes in τ = −1/(2 ln(1 − ηλ)) = 1/(2ηλ) − 1/4 + O(ηλ) steps: twice SGD's",
            case=adam,
        ),
    ]
    mom = "SGD with momentum μ: first order in ηλ, uncorrelated gradients"
    H_star = g**2 / (x * (1 - mu**2))
    P_star = -eta * H_star / (1 - mu)
    X_mom = eta * g**2 / (2 * lam * (1 - mu))
    steps += [
        solve(
            H,
            mu**2 * H + g**2 / x - H,
            H_star,
            "torch's buffer b ← μb + ∇f(w) + λw; its gradient part h ← μh + ∇f(w). A new gradient, "
            "uncorrelated with h and of mean square g²/x, keeps H = E‖h‖² stationary when H = μ²H + g²/x",
            case=mom,
        ),
        solve(
            P,
            mu * P - eta * H_star - P,
            P_star,
            "the λw part of the buffer is λΣμᵏw_{t−k} ≈ λw/(1 − μ) (w barely turns over the buffer's memory: "
            "the error is of relative order ηλ at fixed μ), so w' = (1 − ηλ/(1 − μ))w − ηh' with "
            "h' = μh + ∇f(w). Then P = E[w·h] obeys P' = E[w·h'] − ηH = μP − ηH to first order, "
            "since E[w·∇f] = 0",
            case=mom,
        ),
        solve(
            X,
            2 * lam * X / (1 - mu) + 2 * mu * P_star * x - eta * H_star * x,
            X_mom,
            "‖w'‖² = (1 − ηλ/(1 − μ))²x − 2ηE[w·h'] + η²H with E[w·h'] = μP: at first order the balance "
            "2ηλx/(1 − μ) = −2ημP + η²H, times x/η, is linear in X = x²: ‖w*‖⁴ = ηg²/(2λ(1 − μ))",
            case=mom,
        ),
        identity(
            sp.Subs(eta**2 * g**2 / (X * (1 - mu**2)), X, X_mom),
            2 * eta * lam / (1 + mu),
            "the step's part orthogonal to w is −ηh, so θ² = η²H/x = η²g²/(x²(1 − μ²)) = 2ηλ/(1 + μ)",
            case=mom,
        ),
        limit(
            sp.acos(1 - p) ** 2 / p,
            p,
            0,
            2,
            "μ = 0 gives 2ηλ, the first order of the exact θ*² = arccos²(1 − ηλ) (p = ηλ)",
            case=mom,
        ),
    ]
    ad1 = "AdamW with β₁: first order in ηλ, uncorrelated gradients"
    M_star = C * (1 - beta) / (1 + beta)
    steps += [
        solve(
            M,
            beta**2 * M + (1 - beta) ** 2 * C - M,
            M_star,
            "Adam's m ← β₁m + (1 − β₁)ĝ, ĝ = ∇f/√v̂ uncorrelated with m and E‖ĝ‖² = C: "
            "M = E‖m‖² = β₁²M + (1 − β₁)²C, so the update's RMS is √((1 − β₁)/(1 + β₁))",
            case=ad1,
        ),
        solve(
            P,
            beta * P - eta * M_star - P,
            -eta * M_star / (1 - beta),
            "w' = (1 − ηλ)w − ηm' with m' = β₁m + (1 − β₁)ĝ: P = E[w·m] obeys "
            "P' = (1 − ηλ)E[w·m'] − ηM = β₁P − ηM to first order, since E[w·ĝ] = 0",
            case=ad1,
        ),
        solve(
            x,
            2 * eta * lam * x + 2 * eta * beta * (-eta * M_star / (1 - beta)) - eta**2 * M_star,
            eta * C / (2 * lam),
            "‖w'‖² = (1 − ηλ)²x − 2ηβ₁P + η²M: the balance 2ηλx = −2ηβ₁P + η²M gives x* = ηC/(2λ), "
            "the β₁ = 0 value: β₁ leaves the norm unchanged",
            case=ad1,
        ),
        identity(
            sp.Subs(eta**2 * M_star / x, x, eta * C / (2 * lam)),
            2 * eta * lam * (1 - beta) / (1 + beta),
            "θ² = η²M/x* = 2ηλ(1 − β₁)/(1 + β₁): β₁ = 0.9 turns w 4.4 times more slowly than β₁ = 0",
            case=ad1,
        ),
    ]
    second = "Second check: the buffer's mean square, three uncorrelated gradients"
    Z = [Normal(f"Z_{k}", 0, sigma) for k in range(3)]
    steps.append(
        expectation(
            (Z[0] + mu * Z[1] + mu**2 * Z[2]) ** 2,
            sigma**2 * (1 + mu**2 + mu**4),
            "E(Z₀ + μZ₁ + μ²Z₂)² = σ²(1 + μ² + μ⁴), the first three terms of σ²/(1 − μ²): "
            "the cross terms vanish because the gradients are uncorrelated",
            case=second,
            sizes="K = 3",
        )
    )
    return Derivation(
        "si.equilibrium",
        (eta, lam, g, x, X, C, p, s, w1, w2, mu, beta, H, P, M, sigma, w_new_norm2),
        tuple(steps),
        "proved for general n: exact for SGD and for AdamW with an orthogonal update of fixed size "
        "(w and ∇f span a plane); first order in ηλ with momentum and β₁ (stationary second moments, "
        "uncorrelated gradients)",
        {
            "x_star": Result((eta, lam, g), x_star),
            "theta_star": Result((eta, lam), sp.acos(1 - eta * lam)),
            "theta_momentum": Result((eta, lam, mu), sp.sqrt(2 * eta * lam / (1 + mu))),
            "theta_adamw": Result((eta, lam, beta), sp.sqrt(2 * eta * lam * (1 - beta) / (1 + beta))),
            "x_adamw": Result((eta, lam, C), xa_star),
            "relaxation_rate": Result((eta, lam), 2 * (1 - eta * lam) ** 2 - 1),
        },
        (
            "η is torch's lr, λ its weight_decay (coupled for SGD, decoupled for AdamW), μ SGD's momentum "
            "and β₁ Adam's first beta; x = ‖w‖², g = ‖w‖·‖∇f(w)‖ (constant for a scale-invariant loss "
            "along a path of fixed direction statistics), C the number of coordinates of the layer.",
            "The exact results need only ∇f ⟂ w at every step (any directions); the momentum and β₁ "
            "results need the gradients uncorrelated from step to step and drop relative O(ηλ) terms.",
            "0 < ηλ < 1 throughout (theory.equilibrium refuses anything else).",
        ),
    )
