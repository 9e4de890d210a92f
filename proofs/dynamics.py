"""Derivations of gradient-descent dynamics: es.trajectory, es.equivalence, es.approx,
es.nonzero_init, gd.stability, gd.min_norm.

GD on the quadratic ``J`` (plus ``(α/2)‖w‖²``) is linear, and in the eigenbasis of H it decouples into
one scalar recurrence per direction, ``z_{τ+1} = z_τ − ε(λ(z_τ − c) + αz_τ)`` with ``c = q_iᵀw*``.
Each recurrence is solved by ``rsolve`` from a general start ``z_0``; a result along every direction
is a result for every n.
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import (
    Derivation,
    Result,
    evalf,
    holds,
    identity,
    limit,
    nsolve,
    rsolve,
    series,
    solve,
    solveset,
)

__all__ = [
    "approx",
    "equivalence",
    "generalized_ridge",
    "gradient_flow_vs_ridge",
    "gradient_flow_vs_tuned_ridge",
    "min_norm",
    "nonzero_init",
    "stability",
    "trajectory",
]

_n = sp.Symbol("n", integer=True, positive=True)
_eps = sp.Symbol("epsilon", positive=True)
_tau = sp.Symbol("tau", integer=True, nonnegative=True)
_lam = sp.Symbol("lambda_i", nonnegative=True)
_lam_pos = sp.Symbol("lambda_i", positive=True)
_c = sp.Symbol("c_i", real=True)
_z0 = sp.Symbol("z_0", real=True)
_z = sp.Function("z")


def _alpha_i(lam: sp.Expr, eps: sp.Expr, tau: sp.Expr) -> sp.Expr:
    """``α_i = λ_i(1 − ελ_i)^τ / (1 − (1 − ελ_i)^τ)`` (G 7.43)."""
    r = (1 - eps * lam) ** tau
    return lam * r / (1 - r)


def trajectory() -> Derivation:
    """es.trajectory: ``w⁽τ⁾ − w* = (I − εH)^τ(w⁽⁰⁾ − w*)``; from 0,
    ``w⁽τ⁾ = Q[I − (I − εΛ)^τ]Qᵀw*`` (G 7.33–7.40)."""
    H = sp.MatrixSymbol("H", _n, _n)
    w = sp.MatrixSymbol(r"w^{(\tau)}", _n, 1)
    w_star = sp.MatrixSymbol("w^*", _n, 1)
    eye = sp.Identity(_n)
    closed = _c + (1 - _eps * _lam) ** _tau * (_z0 - _c)
    steps = (
        identity(
            w - _eps * H * (w - w_star) - w_star,
            (eye - _eps * H) * (w - w_star),
            "one GD step w ← w − εH(w − w*) on the error w − w* (G 7.33–7.35)",
            "matrix",
        ),
        rsolve(
            _z(_tau),
            _z(_tau + 1) - _z(_tau) + _eps * _lam * (_z(_tau) - _c),
            {_z(0): _z0},
            closed,
            "along q_i (z = q_iᵀw, c_i = q_iᵀw*), solved for a general start z_0 (G 7.38)",
        ),
        identity(
            closed.subs(_tau, _tau + 1),
            closed - _eps * _lam * (closed - _c),
            "second check: the closed form satisfies the recurrence",
            "expand",
        ),
        identity(
            closed.subs(_z0, 0),
            (1 - (1 - _eps * _lam) ** _tau) * _c,
            "from w⁽⁰⁾ = 0: w⁽τ⁾ = Q[I − (I − εΛ)^τ]Qᵀw* (G 7.40)",
        ),
    )
    return Derivation(
        "es.trajectory",
        (H, w_star, _eps, _lam, _c, _z0, _tau),
        steps,
        "proved for general n",
        {"coordinate": Result((_lam, _c, _z0, _eps, _tau), closed)},
        ("(I − εH)^τ = Q(I − εΛ)^τQᵀ, so the matrix statement is the scalar one along every q_i.",),
    )


def equivalence() -> Derivation:
    """es.equivalence: ``w⁽τ⁾ = w̃`` along q_i iff ``(1 − ελ_i)^τ = α_i/(λ_i + α_i)``, i.e.
    ``α_i = λ_i(1 − ελ_i)^τ/(1 − (1 − ελ_i)^τ)`` (G 7.41–7.43)."""
    alpha = sp.Symbol("alpha_i", positive=True)
    r = sp.Symbol("r", positive=True)
    lam = _lam_pos
    alpha_i = _alpha_i(lam, _eps, _tau)
    example = {_eps: sp.Rational(1, 10), _tau: 2}
    steps = (
        solve(
            alpha,
            (1 - r) - lam / (lam + alpha),
            lam * r / (1 - r),
            "GD from 0 gives [1 − r]c_i with r = (1 − ελ_i)^τ (es.trajectory), ridge gives "
            "λ_i/(λ_i + α)·c_i (l2.eigen); equal for every c_i iff 1 − r = λ_i/(λ_i + α)",
        ),
        identity(1 - lam / (lam + alpha), alpha / (lam + alpha), "equivalently r = α/(λ_i + α) (G 7.42)"),
        identity(
            lam / (lam + lam * r / (1 - r)),
            1 - r,
            "check: the ridge factor of α = λ_i r/(1 − r) is the GD factor 1 − r; with "
            "r = (1 − ελ_i)^τ this is α_i (G 7.43)",
        ),
        holds(
            sp.Ne(alpha_i.subs(example).subs(lam, 1), alpha_i.subs(example).subs(lam, 2), evaluate=False),
            "α_i depends on λ_i (ε = 1/10, τ = 2: λ = 1 and λ = 2 need different α): one α "
            "matches only a degenerate spectrum",
        ),
    )
    return Derivation(
        "es.equivalence",
        (_eps, lam, _tau, alpha, r),
        steps,
        "proved for general n",
        {"alpha": Result((lam, _eps, _tau), alpha_i)},
        (
            "Assumes 0 < ελ_i < 1, so 0 < r < 1; a direction with λ_i = 0 moves neither under GD from 0 "
            "nor under ridge.",
        ),
    )


def approx() -> Derivation:
    """es.approx: ``α_i = 1/(ετ) − λ_i(τ + 1)/(2τ) + O(λ_i²)``, hence ``τ ≈ 1/(εα)`` with relative
    error ``ελ_i(τ + 1)/2 ≈ λ_i/(2α)`` (G 7.44–7.45)."""
    lam = _lam_pos
    tau = sp.Symbol("tau", integer=True, positive=True)
    alpha = sp.Symbol("alpha", positive=True)
    x = sp.Symbol("x", positive=True)
    a_i = sp.Symbol("alpha_i", positive=True)
    alpha_i = _alpha_i(lam, _eps, tau)
    first_order = 1 / (_eps * tau) - lam * (tau + 1) / (2 * tau)
    rel = _eps * lam * (tau + 1) / 2
    steps = (
        series(alpha_i, lam, 2, first_order + sp.O(lam**2), "expand α_i of es.equivalence in λ_i (G 7.44)"),
        solve(
            tau,
            alpha - 1 / (_eps * tau),
            1 / (_eps * alpha),
            "keeping the leading term, α = 1/(ετ) gives τ = 1/(εα) (G 7.45)",
        ),
        series(
            sp.Subs((1 / (_eps * tau) - a_i) / a_i, a_i, alpha_i),
            lam,
            2,
            rel + sp.O(lam**2),
            "relative error of the rule to first order in λ_i",
        ),
        identity(
            sp.Subs(rel, _eps, 1 / (alpha * tau)),
            lam * (tau + 1) / (2 * tau * alpha),
            "in terms of α = 1/(ετ)",
        ),
        limit(
            lam * (tau + 1) / (2 * tau * alpha),
            tau,
            sp.oo,
            lam / (2 * alpha),
            "≈ λ_i/(2α) for many steps: small only where λ_i ≪ α",
        ),
        limit(
            (1 - x / tau) ** tau,
            tau,
            sp.oo,
            sp.exp(-x),
            "with ετ fixed and ελ_i = x/τ, the GD factor (1 − ελ_i)^τ → e^{−x}, x = λ_i/α; the "
            "ridge factor is 1/(1 + x): 0.905 vs 0.909 at x = 0.1 but 0.368 vs 0.500 at x = 1",
        ),
    )
    return Derivation(
        "es.approx",
        (_eps, lam, tau, alpha),
        steps,
        "proved for general n",
        {
            "alpha_series": Result((lam, _eps, tau), first_order),
            "relative_error": Result((lam, _eps, tau), rel),
        },
        ("The series is in λ_i at fixed ε and τ; the O(λ_i²) term is what the rule τ ≈ 1/(εα) drops.",),
    )


def nonzero_init() -> Derivation:
    """es.nonzero_init: from ``w⁽⁰⁾ ≠ 0`` the equivalent penalty is ``(α_i/2)(q_iᵀ(w − w⁽⁰⁾))²``, with
    the same α_i as from 0 (G footnote to 7.40)."""
    alpha = sp.Symbol("alpha_i", positive=True)
    r = sp.Symbol("r", positive=True)
    z = sp.Symbol("z_i", real=True)
    lam = _lam_pos
    c = sp.Symbol("c_i", real=True)
    z0 = sp.Symbol("z_0", real=True)
    centred = (lam * c + alpha * z0) / (lam + alpha)
    steps = (
        solve(
            z,
            lam * (z - c) + alpha * (z - z0),
            centred,
            "minimiser of (λ_i/2)(z − c_i)² + (α/2)(z − z_0)² along q_i",
        ),
        identity(
            c + r * (z0 - c) - centred,
            (z0 - c) * (r - alpha / (lam + alpha)),
            "GD from z_0 gives c_i + r(z_0 − c_i), r = (1 − ελ_i)^τ (es.trajectory): the gap is "
            "(z_0 − c_i)(r − α/(λ_i + α))",
        ),
        solve(
            alpha,
            r - alpha / (lam + alpha),
            lam * r / (1 - r),
            "so for z_0 ≠ c_i they agree iff α = λ_i r/(1 − r): the α_i of es.equivalence",
        ),
    )
    return Derivation(
        "es.nonzero_init",
        (lam, c, z0, alpha, r),
        steps,
        "proved for general n",
        {"coordinate": Result((lam, c, z0, alpha), centred)},
        ("From 0 (z_0 = 0) this is es.equivalence.",),
    )


def stability() -> Derivation:
    """gd.stability: GD on ``J + (α/2)‖w‖²`` converges from every start iff
    ``0 < ε < 2/(λ_max + α)`` (spectral radius of ``I − ε(H + αI)``)."""
    alpha = sp.Symbol("alpha", nonnegative=True)
    mu = sp.Symbol("mu_i", positive=True)
    z = sp.Symbol("z", real=True)
    e = sp.Symbol("e", real=True)
    t = sp.Symbol("t", nonnegative=True)
    eps = sp.Symbol("epsilon", real=True)
    lam, c = _lam, _c
    fixed = lam * c / (lam + alpha)
    rho = 1 - _eps * (lam + alpha)
    err = sp.Function("e")
    steps = (
        identity(
            z - _eps * (lam * (z - c) + alpha * z) - fixed,
            rho * (z - fixed),
            "one step along q_i shrinks the error to w̃ by ρ_i = 1 − ε(λ_i + α)",
        ),
        rsolve(
            err(_tau),
            err(_tau + 1) - rho * err(_tau),
            {err(0): e},
            rho**_tau * e,
            "so the error after τ steps is ρ_i^τ e_0: it tends to 0 for every e_0 iff |ρ_i| < 1",
        ),
        solveset(
            eps,
            sp.Abs(1 - eps * mu) < 1,
            sp.Interval.open(0, 2 / mu),
            "with μ_i = λ_i + α > 0: |1 − εμ_i| < 1 iff 0 < ε < 2/μ_i",
        ),
        identity(
            2 / mu - 2 / (mu + t),
            2 * t / (mu * (mu + t)),
            "the bound 2/μ_i is smallest for the largest μ_i = λ_max + α (write it μ_i + t)",
        ),
        holds(
            sp.Ge(2 * t / (mu * (mu + t)), 0, evaluate=False),
            "so every direction converges iff 0 < ε < 2/(λ_max + α)",
        ),
        identity(1 - 2 / mu * mu, -1, "at ε = 2/μ_i the factor is −1: the error oscillates, never decays"),
    )
    lam_max = sp.Symbol("lambda_max", nonnegative=True)
    return Derivation(
        "gd.stability",
        (_eps, alpha, lam, mu),
        steps,
        "proved for general n",
        {"max_step": Result((lam_max, alpha), 2 / (lam_max + alpha))},
        ("Needs H + αI ≻ 0; the fixed point is w̃(α) (for α = 0 and λ_i > 0 it is w*).",),
    )


def min_norm() -> Derivation:
    """gd.min_norm: GD on ``½‖Xw − y‖²`` from ``w⁽⁰⁾`` converges to ``X⁺y + (I − X⁺X)w⁽⁰⁾``.

    In the singular basis (``X = USVᵀ``, ``z = Vᵀw``, ``b_i = u_iᵀy``) a direction with ``s_i > 0``
    converges to ``b_i/s_i`` (that is ``(X⁺y)_i``) and a direction with ``s_i = 0`` never moves (that is
    ``((I − X⁺X)w⁽⁰⁾)_i``). Second check: the 1×2 matrix X = (a b), whose null space is a line.
    """
    s = sp.Symbol("s_i", positive=True)
    s0 = sp.Symbol("s_i", nonnegative=True)
    b = sp.Symbol("b_i", real=True)
    t = sp.Symbol("t", positive=True)
    a = sp.Symbol("a", real=True, nonzero=True)
    bb = sp.Symbol("b", real=True)
    y = sp.Symbol("y", real=True)
    w1, w2, v1, v2 = sp.symbols("w_1 w_2 w^{(0)}_1 w^{(0)}_2", real=True)
    closed = b / s + (1 - _eps * s**2) ** _tau * (_z0 - b / s)
    pos, zero, explicit = "Case s_i > 0", "Case s_i = 0", "Second check: X = (a  b)"
    X = sp.Matrix([[a, bb]])
    G = X.T / (a**2 + bb**2)
    w = sp.Matrix([w1, w2])
    w0 = sp.Matrix([v1, v2])
    null = sp.Matrix([[-bb, a]])
    limit_point = G * sp.Matrix([y]) + (sp.eye(2) - G * X) * w0
    steps = (
        rsolve(
            _z(_tau),
            _z(_tau + 1) - _z(_tau) + _eps * (s**2 * _z(_tau) - s * b),
            {_z(0): _z0},
            closed,
            "GD along v_i: z ← z − ε(s_i² z − s_i b_i)",
            case=pos,
        ),
        limit(
            (1 / (1 + t)) ** _tau,
            _tau,
            sp.oo,
            0,
            "gd.stability gives |1 − εs_i²| < 1; write it 1/(1 + t), t > 0: the power vanishes",
            case=pos,
        ),
        identity(
            sp.Subs(closed, (1 - _eps * s**2) ** _tau, 0),
            b / s,
            "so z_i → b_i/s_i = (X⁺y)_i, whatever z_0",
            case=pos,
        ),
        rsolve(
            _z(_tau),
            _z(_tau + 1) - _z(_tau) + _eps * (0 * _z(_tau) - 0 * b),
            {_z(0): _z0},
            _z0,
            "with s_i = 0 the gradient has no component along v_i: z_i stays z_0, the component of "
            "w⁽⁰⁾ in the null space of X",
            case=zero,
        ),
        identity(
            X.T * (X * limit_point - sp.Matrix([y])),
            sp.zeros(2, 1),
            "w∞ = X⁺y + (I − X⁺X)w⁽⁰⁾ with X⁺ = Xᵀ/(a² + b²) is a stationary point",
            case=explicit,
        ),
        identity(
            null * (w - _eps * X.T * (X * w - sp.Matrix([y]))),
            null * w,
            "a GD step never changes the null-space coordinate n·w, n = (−b, a)",
            case=explicit,
        ),
        identity(
            null * limit_point, null * w0, "and w∞ keeps the null-space coordinate of w⁽⁰⁾", case=explicit
        ),
        identity(
            null * (G * sp.Matrix([y])),
            sp.zeros(1, 1),
            "from w⁽⁰⁾ = 0, w∞ = X⁺y has no null-space part: it is the minimum-norm solution",
            case=explicit,
        ),
    )
    return Derivation(
        "gd.min_norm",
        (_eps, s, b, _z0, _tau),
        steps,
        "proved for general n",
        {
            "coordinate": Result((s0, b, _z0), sp.Piecewise((b / s0, s0 > 0), (_z0, True))),
            "row": Result((a, bb, y, v1, v2), limit_point),
        },
        ("The step size must satisfy gd.stability for the s_i > 0 directions to converge.",),
    )


def generalized_ridge() -> Derivation:
    """es.gd_generalized_ridge: GD from 0 after k steps on ``(1/2n)‖Xw − y‖²`` is the generalised ridge
    ``(XᵀX + nQ_k)⁻¹Xᵀy``, ``Q_k = VS((I − εS)^{−k} − I)⁻¹Vᵀ`` (Ali, Kolter & Tibshirani 2019,
    supplement Lemma 3)."""
    s = sp.Symbol("s_i", positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    r = sp.Symbol("r", positive=True)
    q = sp.Symbol("q_i", positive=True)
    b = sp.Symbol("b_i", real=True)
    z = sp.Symbol("z_i", real=True)
    steps = (
        solve(
            z,
            n * (s + q) * z - b,
            b / (n * (s + q)),
            "along v_i (XᵀX/n = VSVᵀ, b_i = v_iᵀXᵀy) the generalised ridge solves n(s_i + q_i)z_i = b_i",
        ),
        identity(
            s / (s + q) * b / (n * s),
            b / (n * (s + q)),
            "which is the factor s_i/(s_i + q_i) times the least-squares coordinate b_i/(n s_i)",
        ),
        identity(
            s / (1 / r - 1),
            s * r / (1 - r),
            "with r = (1 − εs_i)^k, q_i = s_i/(r⁻¹ − 1) is es.equivalence's α_i",
        ),
        identity(
            s / (s + s / (1 / r - 1)),
            1 - r,
            "so the factor is 1 − (1 − εs_i)^k: GD from 0 after k steps (es.trajectory)",
        ),
    )
    eps = _eps
    return Derivation(
        "es.gd_generalized_ridge",
        (s, n, k, q),
        steps,
        "proved for general n",
        {"q": Result((s, eps, k), s / ((1 - eps * s) ** (-k) - 1))},
        ("Needs 0 < εs_i < 1 for every i, so 0 < r < 1.",),
    )


def gradient_flow_vs_ridge() -> Derivation:
    """es.gf_vs_ridge: per eigendirection, gradient flow at time t against ridge at λ = 1/t
    (Ali, Kolter & Tibshirani, AISTATS 2019, arXiv:1810.10082).

    With ``x = s_i t`` (s_i an eigenvalue of XᵀX/n), the bias factors are ``e^{−x}`` (flow) and
    ``1/(1 + x)`` (ridge), and ``e^{−x} ≤ 1/(1 + x)``; the variance ratio is
    ``h(x)² = [(1 − e^{−x})(1 + x)/x]²``, which tends to 1 at 0 and ∞ and peaks where
    ``e^x = x² + x + 1``, at x = 1.79328…, with value 1.685909…; so the flow's estimation risk is at
    most 1.6860 times ridge's.
    """
    x = sp.Symbol("x", positive=True)
    s = sp.Symbol("s_i", positive=True)
    t = sp.Symbol("t", positive=True)
    h = (1 - sp.exp(-x)) * (1 + x) / x
    g = (1 + x) * sp.exp(-x)
    x_star = sp.Float("1.793282132900761007557553363901042400798", 40)
    sup = sp.Float("1.685909058278325034835444938423554195465", 40)
    bias, variance = "Bias", "Variance"
    steps = (
        identity(
            (1 / t) / (s + 1 / t),
            1 / (1 + s * t),
            "ridge with λ = 1/t shrinks direction i by λ/(s_i + λ) = 1/(1 + x), x = s_i t; the flow "
            "by e^{−x} (es.trajectory as ε → 0)",
            case=bias,
        ),
        identity(
            sp.Derivative(g, x), -x * sp.exp(-x), "g(x) = (1 + x)e^{−x} has derivative −xe^{−x}", case=bias
        ),
        holds(
            sp.Le(-x * sp.exp(-x), 0, evaluate=False),
            "≤ 0, so g(x) ≤ g(0) = 1: e^{−x} ≤ 1/(1 + x), the flow's bias is never larger",
            case=bias,
        ),
        identity(
            ((1 - sp.exp(-s * t)) / s) / (t / (1 + s * t)),
            sp.Subs(h, x, s * t),
            "coefficients (1 − e^{−x})/s_i (flow) and t/(1 + x) (ridge): their ratio is h(x)",
            case=variance,
        ),
        identity(
            sp.Derivative(h, x),
            (sp.exp(-x) * (x**2 + x + 1) - 1) / x**2,
            "h'(x) = 0 iff e^x = x² + x + 1",
            case=variance,
        ),
        limit(h, x, 0, 1, "h → 1 as x → 0⁺ ...", case=variance),
        limit(
            h,
            x,
            sp.oo,
            1,
            "... and as x → ∞, so the supremum is at the positive critical point",
            direction="-",
            case=variance,
        ),
        nsolve(
            x,
            sp.exp(x) - x**2 - x - 1,
            sp.Float("1.8"),
            x_star,
            30,
            "numerically, e^x = x² + x + 1 at x = 1.79328…",
            case=variance,
        ),
        evalf(
            sp.Subs(h**2, x, x_star),
            sup,
            30,
            "where the variance ratio is 1.685909…: the flow's risk is ≤ 1.6860 × ridge's",
            case=variance,
        ),
    )
    return Derivation(
        "es.gf_vs_ridge",
        (x, s, t),
        steps,
        "proved for general n; the constant by nsolve (30 digits)",
        {"variance_ratio": Result((x,), h**2)},
        (
            "k(x) = e^x − x² − x − 1 has k(0) = k'(0) = 0 and k'' = e^x − 2, so k falls and then rises once: "
            "the root found is the only positive one.",
        ),
    )


def gradient_flow_vs_tuned_ridge() -> Derivation:
    """es.gf_vs_ridge_tuned: the constant ``sup_{u>0} (1 + u)[e^{−2u} + (1 − e^{−u})²/u] = 1.214662…``
    (Ali, Kolter & Tibshirani, AISTATS 2019, Theorem 2; "1.22" in the abstract).

    Only the constant is derived here: the per-direction Bayes-risk ratio f(u) is taken from the
    paper; f → 1 at both ends and its critical point is found numerically.
    """
    u = sp.Symbol("u", positive=True)
    f = (1 + u) * (sp.exp(-2 * u) + (1 - sp.exp(-u)) ** 2 / u)
    u_star = sp.Float("3.213563520216979243990721598628550332961", 40)
    sup = sp.Float("1.214661840834949106792688458783460054279", 40)
    steps = (
        limit(f, u, 0, 1, "f(u) → 1 as u → 0⁺ ..."),
        limit(f, u, sp.oo, 1, "... and as u → ∞, so the supremum is at a critical point", direction="-"),
        nsolve(u, sp.Derivative(f, u), sp.Float("3.2"), u_star, 30, "numerically, f'(u) = 0 at u = 3.2136…"),
        evalf(
            sp.Subs(f, u, u_star),
            sup,
            30,
            "where f = 1.214662…: tuned gradient flow's Bayes risk is ≤ 1.2147 × optimal ridge",
        ),
    )
    return Derivation(
        "es.gf_vs_ridge_tuned",
        (u,),
        steps,
        "the constant only, by nsolve (30 digits)",
        {"ratio": Result((u,), f)},
        ("The ratio f(u) itself is the paper's (Theorem 2); what is checked here is its supremum.",),
    )
