"""Derivations of gradient-descent dynamics: es.trajectory, es.equivalence, es.approx,
es.nonzero_init, gd.stability, gd.min_norm.

GD on the quadratic ``J`` (plus ``(α/2)‖w‖²``) is linear, and in the eigenbasis of H it decouples into
one scalar recurrence per direction, ``z_{τ+1} = z_τ − ε(λ(z_τ − c) + αz_τ)`` with ``c = q_iᵀw*``.
Each recurrence is solved by ``rsolve`` from a general start ``z_0``; a result along every direction
is a result for every n.
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import Normal

from proofs.framework import (
    Derivation,
    Result,
    evalf,
    expectation,
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
        (H, w, w_star, _eps, _lam, _c, _z0, _tau),
        steps,
        "proved for general n",
        {"coordinate": Result((_lam, _c, _z0, _eps, _tau), closed)},
        ("(I − εH)^τ = Q(I − εΛ)^τQᵀ, so the matrix statement is the scalar one along every q_i.",),
    )


def equivalence() -> Derivation:
    """es.equivalence: ``w⁽τ⁾ = w̃`` along q_i iff ``(1 − ελ_i)^τ = α_i/(λ_i + α_i)``, i.e.
    ``α_i = λ_i(1 − ελ_i)^τ/(1 − (1 − ελ_i)^τ)`` (G 7.41–7.43); α_i is strictly decreasing in λ_i, so
    one α for every direction needs equal λ_i (a degenerate spectrum).

    Monotonicity: with ``p = ελ_i/(1 − ελ_i)``, ``α_i = 1/(ε Σ_{k=1}^τ (1 + p)^k)``; p increases with
    λ_i on 0 < ελ_i < 1 and every term of the sum increases with p.
    """
    alpha = sp.Symbol("alpha_i", positive=True)
    r = sp.Symbol("r", positive=True)
    lam = _lam_pos
    tau = sp.Symbol("tau", integer=True, positive=True)
    p = sp.Symbol("p", positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    y = sp.Symbol("y", positive=True)
    alpha_i = _alpha_i(lam, _eps, tau)
    geometric = sp.Sum((1 + p) ** k, (k, 1, tau))
    p_of_lam = _eps * lam / (1 - _eps * lam)
    mono = "α_i is strictly decreasing in λ_i (0 < ελ_i < 1, τ ≥ 1)"
    steps = (
        solve(
            alpha,
            (1 - r) - lam / (lam + alpha),
            lam * r / (1 - r),
            "GD from 0 gives [1 − r]c_i with r = (1 − ελ_i)^τ (es.trajectory), ridge gives "
            "λ_i/(λ_i + α)·c_i (l2.eigen); equal for every c_i iff 1 − r = λ_i/(λ_i + α)",
        ),
        identity(
            sp.Subs(1 - lam / (lam + alpha), alpha, lam * r / (1 - r)),
            r,
            "equivalently r = α/(λ_i + α) (G 7.42)",
        ),
        identity(
            sp.Subs(lam / (lam + alpha), alpha, lam * r / (1 - r)),
            1 - r,
            "check: the ridge factor of α = λ_i r/(1 − r) is the GD factor 1 − r; with "
            "r = (1 − ελ_i)^τ this is α_i (G 7.43)",
        ),
        identity(
            sp.Subs(1 / (_eps * geometric), p, p_of_lam),
            alpha_i,
            "with p = ελ_i/(1 − ελ_i) > 0, α_i = 1/(ε Σ_{k=1}^τ (1 + p)^k) (a geometric sum)",
            "equals",
            case=mono,
        ),
        identity(
            sp.Derivative(p_of_lam, lam),
            _eps / (1 - _eps * lam) ** 2,
            "p increases strictly with λ_i ...",
            case=mono,
        ),
        holds(
            sp.Gt(sp.Subs(_eps / (1 - _eps * lam) ** 2, lam, (1 - y) / _eps), 0, evaluate=False),
            "... as ε/(1 − ελ_i)² = ε/y² > 0 with y = 1 − ελ_i > 0",
            case=mono,
        ),
        identity(
            sp.Derivative((1 + p) ** k, p),
            k * (1 + p) ** (k - 1),
            "each term (1 + p)^k of the sum increases strictly with p (k ≥ 1) ...",
            "equals",
            case=mono,
        ),
        holds(
            sp.Gt(k * (1 + p) ** (k - 1), 0, evaluate=False),
            "... so the sum increases and α_i decreases strictly in λ_i: different λ_i need different α_i, "
            "and one α matches GD along every direction only when all λ_i are equal",
            case=mono,
        ),
    )
    return Derivation(
        "es.equivalence",
        (_eps, lam, tau, alpha, r, p, y, k),
        steps,
        "proved for general n",
        {"alpha": Result((lam, _eps, tau), alpha_i)},
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
        (_eps, lam, tau, alpha, a_i, x),
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
        (lam, c, z0, z, alpha, r),
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
    e0 = sp.Symbol("e_0", real=True)
    t = sp.Symbol("t", nonnegative=True)
    eps = sp.Symbol("epsilon", real=True)
    lam, c = _lam, _c
    fixed = lam * c / (lam + alpha)
    rho = 1 - eps * (lam + alpha)
    err = sp.Function("e")
    steps = (
        identity(
            z - eps * (lam * (z - c) + alpha * z) - fixed,
            rho * (z - fixed),
            "one step along q_i shrinks the error to w̃ by ρ_i = 1 − ε(λ_i + α)",
        ),
        rsolve(
            err(_tau),
            err(_tau + 1) - rho * err(_tau),
            {err(0): e0},
            rho**_tau * e0,
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
        identity(
            sp.Subs(1 - eps * mu, eps, 2 / mu),
            -1,
            "at ε = 2/μ_i the factor is −1: the error oscillates, never decays",
        ),
    )
    lam_max = sp.Symbol("lambda_max", nonnegative=True)
    return Derivation(
        "gd.stability",
        (eps, alpha, lam, c, z, e0, mu, t, _tau),
        steps,
        "proved for general n",
        {"max_step": Result((lam_max, alpha), 2 / (lam_max + alpha))},
        ("Needs H + αI ≻ 0; the fixed point is w̃(α) (for α = 0 and λ_i > 0 it is w*).",),
    )


def min_norm() -> Derivation:
    """gd.min_norm: GD on the mean loss ``(1/2n)‖Xw − y‖²`` (n samples, ``H = XᵀX/n``) with
    ``0 < ε < 2/λ_max(H)`` from ``w⁽⁰⁾`` converges to ``X⁺y + (I − X⁺X)w⁽⁰⁾``.

    In the singular basis (``X = USVᵀ``, ``z = Vᵀw``, ``b_i = u_iᵀy``) the gradient ``Xᵀ(Xw − y)/n``
    moves a direction with ``s_i > 0`` by ``(ε/n)(s_i² z − s_i b_i)``; it converges to ``b_i/s_i``
    (that is ``(X⁺y)_i``) exactly when ``|1 − εs_i²/n| < 1``, which the step-size assumption gives since
    ``s_i²/n`` is an eigenvalue of H. A direction with ``s_i = 0`` never moves (that is
    ``((I − X⁺X)w⁽⁰⁾)_i``). Second check: the 1×2 matrix X = (a b) (one sample), whose null space is a
    line.
    """
    s = sp.Symbol("s_i", positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    b = sp.Symbol("b_i", real=True)
    t = sp.Symbol("t", positive=True)
    eps = sp.Symbol("epsilon", real=True)
    lam_max = sp.Symbol("lambda_max", positive=True)
    q = sp.Symbol("q", nonnegative=True)
    a = sp.Symbol("a", real=True, nonzero=True)
    bb = sp.Symbol("b", real=True)
    y = sp.Symbol("y", real=True)
    w1, w2, v1, v2 = sp.symbols("w_1 w_2 w^{(0)}_1 w^{(0)}_2", real=True)
    s_any = sp.Symbol("s", nonnegative=True)
    rho = 1 - eps * s**2 / n
    closed = b / s + rho**_tau * (_z0 - b / s)
    pos, zero = "Case s_i > 0", "Case s_i = 0"
    explicit = "Second check: X = (a  b), one sample (n = 1)"
    X = sp.Matrix([[a, bb]])
    G = X.T / (a**2 + bb**2)
    w = sp.Matrix([w1, w2])
    w0 = sp.Matrix([v1, v2])
    null = sp.Matrix([[-bb, a]])
    limit_point = G * sp.Matrix([y]) + (sp.eye(2) - G * X) * w0
    one = "n = 1, d = 2"
    steps = (
        rsolve(
            _z(_tau),
            _z(_tau + 1) - _z(_tau) + eps / n * (s**2 * _z(_tau) - s * b),
            {_z(0): _z0},
            closed,
            "GD along v_i on (1/2n)‖Xw − y‖²: z ← z − (ε/n)(s_i² z − s_i b_i)",
            case=pos,
        ),
        solveset(
            eps,
            sp.Abs(rho) < 1,
            sp.Interval.open(0, 2 * n / s**2),
            "the factor 1 − εs_i²/n has modulus < 1 iff 0 < ε < 2/(s_i²/n) (gd.stability) ...",
            case=pos,
        ),
        holds(
            sp.Le(sp.Subs(2 / lam_max, lam_max, s**2 / n + q), 2 * n / s**2, evaluate=False),
            "... which 0 < ε < 2/λ_max(H) implies: s_i²/n is an eigenvalue of H = XᵀX/n, so "
            "λ_max = s_i²/n + q with q ≥ 0, and 2/λ_max ≤ 2n/s_i²",
            case=pos,
        ),
        limit(
            (1 / (1 + t)) ** _tau,
            _tau,
            sp.oo,
            0,
            "write |1 − εs_i²/n| = 1/(1 + t), t > 0: its τ-th power vanishes",
            case=pos,
        ),
        identity(
            sp.Subs(closed, rho**_tau, 0),
            b / s,
            "so z_i → b_i/s_i = (X⁺y)_i, whatever z_0",
            case=pos,
        ),
        rsolve(
            _z(_tau),
            _z(_tau + 1) - _z(_tau),
            {_z(0): _z0},
            _z0,
            "with s_i = 0 the gradient has no component along v_i: z_i stays z_0, the component of "
            "w⁽⁰⁾ in the null space of X",
            case=zero,
        ),
        identity(
            sp.MatMul(
                sp.ImmutableMatrix(X.T), sp.ImmutableMatrix(X * limit_point - sp.Matrix([y])), evaluate=False
            ),
            sp.zeros(2, 1),
            "w∞ = X⁺y + (I − X⁺X)w⁽⁰⁾ with X⁺ = Xᵀ/(a² + b²) is a stationary point",
            case=explicit,
            sizes=one,
        ),
        identity(
            null * (w - eps * X.T * (X * w - sp.Matrix([y]))),
            null * w,
            "a GD step never changes the null-space coordinate ν·w, ν = (−b, a)",
            case=explicit,
            sizes=one,
        ),
        identity(
            null * limit_point,
            null * w0,
            "and w∞ keeps the null-space coordinate of w⁽⁰⁾",
            case=explicit,
            sizes=one,
        ),
        identity(
            sp.MatMul(sp.ImmutableMatrix(null), sp.ImmutableMatrix(G * sp.Matrix([y])), evaluate=False),
            sp.zeros(1, 1),
            "from w⁽⁰⁾ = 0, w∞ = X⁺y has no null-space part: it is the minimum-norm solution",
            case=explicit,
            sizes=one,
        ),
    )
    return Derivation(
        "gd.min_norm",
        (eps, n, s, b, _z0, _tau, lam_max, q, t, a, bb, y, w1, w2, v1, v2),
        steps,
        "proved for general n",
        {
            "coordinate": Result((s_any, b, _z0), sp.Piecewise((b / s_any, s_any > 0), (_z0, True))),
            "row": Result((a, bb, y, v1, v2), limit_point),
        },
        (
            "The loss is on the mean scale, (1/2n)‖Xw − y‖², so the step-size assumption on λ_max(XᵀX/n) "
            "is the one that makes every s_i > 0 direction converge; on ½‖Xw − y‖² the same ε can diverge.",
        ),
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
            sp.Mul(s / (s + q), b / (n * s), evaluate=False),
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
        (s, n, k, q, b, r, z),
        steps,
        "proved for general n",
        {"q": Result((s, eps, k), s / ((1 - eps * s) ** (-k) - 1))},
        ("Needs 0 < εs_i < 1 for every i, so 0 < r < 1.",),
    )


def gradient_flow_vs_ridge() -> Derivation:
    """es.gf_vs_ridge: per eigendirection, the estimation risk of gradient flow at time t against ridge
    at λ = 1/t (Ali, Kolter & Tibshirani, AISTATS 2019, arXiv:1810.10082, Theorem 1).

    Model ``y = Xβ₀ + ε``, ``ε ~ N(0, σ²I)``, loss ``(1/2n)‖y − Xβ‖²``; ``s_i`` an eigenvalue of
    ``XᵀX/n`` (eigenvector v_i), ``β_i = v_iᵀβ₀``, and ``b_i = v_iᵀXᵀy/n = s_iβ_i + z_i`` with
    ``z_i ~ N(0, σ²s_i/n)``. Gradient flow from 0 gives ``(1 − e^{−s_i t})b_i/s_i``, ridge
    ``b_i/(s_i + λ)``; their risks ``E(β̂_i − β_i)²`` split into bias and variance. With ``x = s_i t``
    the bias factors are ``e^{−2x}`` (flow) and ``1/(1 + x)²`` (ridge), and ``e^{−x} ≤ 1/(1 + x)``; the
    variance ratio is ``h(x)² = [(1 − e^{−x})(1 + x)/x]²``, which tends to 1 at 0 and ∞ and peaks where
    ``e^x = x² + x + 1``, at x = 1.79328…, with value 1.685909…; so, direction by direction and hence
    summed, the flow's estimation risk is at most 1.6860 times ridge's.
    """
    x = sp.Symbol("x", positive=True)
    s = sp.Symbol("s_i", positive=True)
    t = sp.Symbol("t", positive=True)
    lam = sp.Symbol("lambda", positive=True)
    beta = sp.Symbol("beta_i", real=True)
    b = sp.Symbol("b_i", real=True)
    sigma = sp.Symbol("sigma", positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    z = Normal("z_i", 0, sigma * sp.sqrt(s / n))
    h = (1 - sp.exp(-x)) * (1 + x) / x
    g = (1 + x) * sp.exp(-x)
    k = sp.exp(x) - x**2 - x - 1
    x_star = sp.Float("1.793282132900761007557553363901042400798", 40)
    sup = sp.Float("1.685909058278325034835444938423554195465", 40)
    flow = (1 - sp.exp(-s * t)) * b / s
    ridge = b / (s + lam)
    risk_flow = sp.exp(-2 * s * t) * beta**2 + sigma**2 * (1 - sp.exp(-s * t)) ** 2 / (n * s)
    risk_ridge = (lam / (s + lam)) ** 2 * beta**2 + sigma**2 * s / (n * (s + lam) ** 2)
    estimators, risks = "The two estimators along v_i", "Their risks: bias² + variance"
    bias, variance = "Bias: e^{−2x} ≤ 1/(1 + x)²", "Variance: the ratio h(x)² and its supremum"
    steps = (
        identity(
            sp.Derivative(flow, t),
            b - s * flow,
            "gradient flow dβ/dt = −∇L = b_i − s_iβ along v_i is solved by (1 − e^{−s_i t})b_i/s_i ...",
            case=estimators,
        ),
        identity(sp.Subs(flow, t, 0), 0, "... which starts at 0", case=estimators),
        solve(
            beta,
            (s + lam) * beta - b,
            ridge,
            "ridge solves (s_i + λ)β_i = b_i along v_i (l2.eigen)",
            case=estimators,
        ),
        expectation(
            (sp.Subs(flow, b, s * beta + z).doit() - beta) ** 2,
            risk_flow,
            "with b_i = s_iβ_i + z_i: the flow's risk is e^{−2s_i t}β_i² + σ²(1 − e^{−s_i t})²/(n s_i)",
            case=risks,
        ),
        expectation(
            (sp.Subs(ridge, b, s * beta + z).doit() - beta) ** 2,
            risk_ridge,
            "ridge's is (λ/(s_i + λ))²β_i² + σ²s_i/(n(s_i + λ)²)",
            case=risks,
        ),
        identity(
            sp.Subs(lam / (s + lam), lam, 1 / t),
            1 / (1 + s * t),
            "at λ = 1/t ridge's bias factor is 1/(1 + x), x = s_i t; the flow's is e^{−x}",
            case=bias,
        ),
        identity(
            sp.Derivative(g, x), -x * sp.exp(-x), "g(x) = (1 + x)e^{−x} has derivative −xe^{−x}", case=bias
        ),
        holds(
            sp.Le(-x * sp.exp(-x), 0, evaluate=False),
            "≤ 0, so g(x) ≤ g(0) = 1: e^{−x} ≤ 1/(1 + x), and squared the flow's bias is never larger",
            case=bias,
        ),
        identity(
            sp.Subs(
                (sigma**2 * (1 - sp.exp(-s * t)) ** 2 / (n * s)) / (sigma**2 * s / (n * (s + lam) ** 2)),
                lam,
                1 / t,
            ),
            sp.Subs(h**2, x, s * t),
            "the variance terms at λ = 1/t have the ratio h(x)²",
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
            "... and as x → ∞, so the supremum is at a positive critical point",
            direction="-",
            case=variance,
        ),
        identity(
            sp.Derivative(k, x, 2),
            sp.exp(x) - 2,
            "k(x) = e^x − x² − x − 1 has k(0) = k'(0) = 0 and k'' = e^x − 2: k' falls then rises, so k "
            "has exactly one positive root (k → ∞), the only critical point of h",
            case=variance,
        ),
        nsolve(
            x,
            k,
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
            "where the variance ratio is 1.685909…: bias ratio ≤ 1 and variance ratio ≤ 1.685909…, so the "
            "flow's risk is ≤ 1.6860 × ridge's along every direction, hence in total",
            case=variance,
        ),
    )
    return Derivation(
        "es.gf_vs_ridge",
        (x, s, t, lam, beta, b, sigma, n),
        steps,
        "proved for general n; the constant by nsolve (30 digits)",
        {"variance_ratio": Result((x,), h**2)},
        (
            "The risk is E‖β̂ − β₀‖² = Σ_i E(β̂_i − β_i)² over the eigendirections; each term of the flow's "
            "sum is at most 1.6860 times the matching term of ridge's, so the sums compare the same way.",
        ),
    )


def gradient_flow_vs_tuned_ridge() -> Derivation:
    """es.gf_vs_ridge_tuned: the constant ``sup_{u>0} (1 + u)[e^{−2u} + (1 − e^{−u})²/u] = 1.214662…``
    (Ali, Kolter & Tibshirani, AISTATS 2019, Theorem 2; "1.22" in the abstract), at a unique maximiser.

    The per-direction Bayes-risk ratio f(u) is the paper's. Uniqueness of its maximiser:
    ``u²e^{2u}f'(u) = M(u) = −e^{2u} + 2(u² + u + 1)e^u − (u + 1)(2u² + u + 1)``, whose Taylor
    coefficients vanish up to u³ and are ``c_k = (2(k² + 1) − 2^k)/k!`` from u⁴ on: positive for
    k = 4, 5, 6 and negative for every k ≥ 7 (induction). So ``M(u)/u⁶`` is a sum of terms that all
    decrease strictly in u > 0 (``c₄u^{−2}``, ``c₅u^{−1}``, the constant ``c₆``, and ``c_k u^{k−6}``
    with c_k < 0): M has at most one positive root; M > 0 near 0 and M → −∞, so exactly one. Then f
    rises before it and falls after it: the critical point found numerically is the unique maximiser.
    """
    u = sp.Symbol("u", positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    f = (1 + u) * (sp.exp(-2 * u) + (1 - sp.exp(-u)) ** 2 / u)
    M = -sp.exp(2 * u) + 2 * (u**2 + u + 1) * sp.exp(u) - (u + 1) * (2 * u**2 + u + 1)
    u_star = sp.Float("3.213563520216979243990721598628550332961", 40)
    sup = sp.Float("1.214661840834949106792688458783460054279", 40)
    coefficient = (2 * (k**2 + 1) - 2**k) / sp.factorial(k)
    unique = "The maximiser is unique: the sign of f'"
    steps = (
        limit(f, u, 0, 1, "f(u) → 1 as u → 0⁺ ..."),
        limit(f, u, sp.oo, 1, "... and as u → ∞, so the supremum is at a critical point", direction="-"),
        identity(
            u**2 * sp.exp(2 * u) * sp.Derivative(f, u),
            M,
            "u²e^{2u}f'(u) = M(u): f' has the sign of M",
            "expand",
            case=unique,
        ),
        series(
            M,
            u,
            8,
            sp.Rational(3, 4) * u**4 + u**5 / 6 + u**6 / 72 - u**7 / 180 + sp.O(u**8),
            "M's Taylor coefficients vanish to u³; c₄, c₅, c₆ > 0 and c₇ < 0",
            case=unique,
        ),
        identity(
            -(2**k) / sp.factorial(k)
            + 2 / sp.factorial(k - 2)
            + 2 / sp.factorial(k - 1)
            + 2 / sp.factorial(k),
            coefficient,
            "for k ≥ 4 (beyond the cubic) c_k = −2^k/k! + 2/(k − 2)! + 2/(k − 1)! + 2/k! from the series of "
            "e^{2u} and e^u, that is (2(k² + 1) − 2^k)/k!",
            "combsimp",
            case=unique,
        ),
        holds(
            sp.Gt(sp.Subs(2**k - 2 * (k**2 + 1), k, 7), 0, evaluate=False),
            "2^k > 2(k² + 1) at k = 7 (128 > 100) ...",
            case=unique,
        ),
        identity(
            2 * 2 * (k**2 + 1) - 2 * ((k + 1) ** 2 + 1),
            2 * k * (k - 2),
            "... and if 2^k > 2(k² + 1) then 2^{k+1} > 4(k² + 1) = 2((k + 1)² + 1) + 2k(k − 2) ...",
            "expand",
            case=unique,
        ),
        holds(
            sp.Gt(sp.Subs(2 * k * (k - 2), k, j + 7), 0, evaluate=False),
            "... with 2k(k − 2) > 0 for k = 7 + j ≥ 7: c_k < 0 for every k ≥ 7 (induction)",
            case=unique,
        ),
        limit(
            M / u**4,
            u,
            0,
            sp.Rational(3, 4),
            "M(u)/u⁴ → 3/4: M > 0, so f increases, near 0",
            case=unique,
        ),
        limit(M, u, sp.oo, -sp.oo, "M → −∞: f decreases for large u", direction="-", case=unique),
        nsolve(
            u,
            sp.Derivative(f, u),
            sp.Float("3.2"),
            u_star,
            30,
            "numerically, f'(u) = 0 at u = 3.2136…, the one root of M",
        ),
        evalf(
            sp.Subs(f, u, u_star),
            sup,
            30,
            "where f = 1.214662…: tuned gradient flow's Bayes risk is ≤ 1.2147 × optimal ridge",
        ),
    )
    return Derivation(
        "es.gf_vs_ridge_tuned",
        (u, k, j),
        steps,
        "the constant and the uniqueness of its maximiser; the constant by nsolve (30 digits)",
        {"ratio": Result((u,), f)},
        (
            "The ratio f(u) itself is the paper's (Theorem 2); what is checked here is its supremum and "
            "that it is attained at exactly one u > 0.",
            "M(u)/u⁶ = c₄u^{−2} + c₅u^{−1} + c₆ + Σ_{k≥7} c_k u^{k−6} (the series converges for every u): "
            "each term is strictly decreasing in u > 0, so M/u⁶ crosses 0 at most once.",
        ),
    )
