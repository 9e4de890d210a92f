"""Derivations of the L2 family: l2.update, l2.optimum, l2.eigen, l2.ridge, l2.pinv.

General n is handled two ways. Where the algebra is linear and never needs a commutation such as
``H(H + αI)⁻¹ = (H + αI)⁻¹H`` (which SymPy cannot show for ``MatrixSymbol``), the steps are matrix
expressions in ``MatrixSymbol`` of symbolic size n. Everything else is done in the eigenbasis (or the
singular basis of X), where the problem decouples into one scalar problem per direction; an explicit
symmetric n = 2 and n = 3 in adjugate form is the second check of l2.optimum.
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import Derivation, Result, gradient, holds, identity, limit, solve

__all__ = ["constraint", "dof", "eigen", "optimum", "pinv", "ridge", "update"]

_n = sp.Symbol("n", integer=True, positive=True)
_m = sp.Symbol("m", integer=True, positive=True)
_I = sp.Identity(_n)
_w = sp.MatrixSymbol("w", _n, 1)
_w_star = sp.MatrixSymbol("w^*", _n, 1)
_H = sp.MatrixSymbol("H", _n, _n)


def _quadratic(v: sp.MatrixExpr, H: sp.MatrixExpr) -> sp.MatrixExpr:
    """``½ vᵀHv`` as a 1×1 matrix expression."""
    return sp.MatMul(sp.Rational(1, 2), sp.Transpose(v), H, v)


def update() -> Derivation:
    """l2.update: one GD step on ``J + (α/2)‖w‖²`` is ``w ← (1 − εα)w − ε∇J(w)`` (G 7.4–7.5)."""
    eps = sp.Symbol("epsilon", positive=True)
    alpha = sp.Symbol("alpha", nonnegative=True)
    grad_J = sp.MatrixSymbol(r"\nabla J(w)", _n, 1)
    penalty = sp.MatMul(alpha / 2, sp.Transpose(_w), _w)
    grad_tilde = grad_J + alpha * _w
    steps = (
        gradient(penalty, _w, alpha * _w, "gradient of the penalty (α/2)wᵀw (G 7.3)"),
        identity(
            _w - eps * grad_tilde,
            (1 - eps * alpha) * _w - eps * grad_J,
            "GD step w ← w − ε∇J̃(w) with ∇J̃ = ∇J + αw, collected in w (G 7.5)",
            "matrix",
        ),
    )
    x, g = sp.symbols("x g", real=True)
    return Derivation(
        "l2.update",
        (_w, grad_J, eps, alpha),
        steps,
        "proved for general n",
        {"update": Result((x, g, eps, alpha), (1 - eps * alpha) * x - eps * g)},
        ("Weight decay multiplies w by 1 − εα before the usual gradient step.",),
    )


def optimum() -> Derivation:
    """l2.optimum: ``w̃ = (H + αI)⁻¹Hw*`` from ``∇J̃(w̃) = 0`` (G 7.6–7.10).

    General n with matrix symbols: gradient, normal equations ``(H + αI)w̃ = Hw*``, solution. Second
    check: explicit symmetric n = 2 and n = 3, where the inverse is written ``adj(A)/det(A)`` and the
    linear system is also solved by ``solve``.
    """
    alpha = sp.Symbol("alpha", nonnegative=True)
    facts = (sp.Q.symmetric(_H),)
    A = _H + alpha * _I
    w_tilde = A.I * _H * _w_star
    steps = [
        gradient(
            _quadratic(_w - _w_star, _H),
            _w,
            _H * (_w - _w_star),
            "gradient of ½(w − w*)ᵀH(w − w*) with H = Hᵀ (G 7.7)",
            facts=facts,
        ),
        identity(
            _H * (_w - _w_star) + alpha * _w,
            A * _w - _H * _w_star,
            "∇J̃(w) = H(w − w*) + αw = 0 is the normal equation (H + αI)w = Hw* (G 7.8–7.9)",
            "matrix",
        ),
        identity(
            sp.MatMul(A, w_tilde, evaluate=False),
            _H * _w_star,
            "w̃ = (H + αI)⁻¹Hw* solves it; H + αI ≻ 0 makes it the unique minimiser (G 7.10)",
            "matrix",
        ),
    ]
    results: dict[str, Result] = {}
    explicit: dict[sp.Symbol, None] = {}
    for size, names in ((2, "a b c"), (3, "a b c d e f")):
        case = f"Second check: explicit symmetric n = {size}, adjugate form"
        entries = sp.symbols(names, real=True)
        Hn = _symmetric(entries, size)
        ws = sp.Matrix(sp.symbols(f"w^*_1:{size + 1}", real=True))
        wn = sp.symbols(f"w_1:{size + 1}", real=True)
        An = Hn + alpha * sp.eye(size)
        adj, det = An.adjugate(), An.det()
        explicit.update(dict.fromkeys((*entries, *ws, *wn)))
        solution = adj * Hn * ws / det
        steps += [
            identity(
                sp.MatMul(sp.ImmutableMatrix(An), sp.ImmutableMatrix(adj), evaluate=False),
                det * sp.eye(size),
                "A adj(A) = det(A) I, so A⁻¹ = adj(A)/det(A)",
                "expand",
                case=case,
                sizes=f"n = {size}",
            ),
            identity(
                sp.MatMul(sp.ImmutableMatrix(An), sp.ImmutableMatrix(solution), evaluate=False),
                Hn * ws,
                "w̃ = adj(H + αI)Hw*/det(H + αI) solves (H + αI)w̃ = Hw*",
                case=case,
                sizes=f"n = {size}",
            ),
            solve(
                tuple(wn),
                list(An * sp.Matrix(wn) - Hn * ws),
                tuple(solution),
                "the normal equations solved for w by SymPy give the same w̃",
                case=case,
                sizes=f"n = {size}",
            ),
        ]
        results[f"n{size}"] = Result((*entries, alpha, *ws), solution)
    return Derivation(
        "l2.optimum",
        (_H, _w, _w_star, alpha, *explicit),
        tuple(steps),
        "proved for general n",
        results,
        (
            "H + αI ≻ 0 is what makes the inverse exist and the stationary point the minimiser.",
            "The adjugate form is a second check at n = 2, 3; it is never expanded by simplify().",
        ),
    )


def _symmetric(entries: tuple[sp.Symbol, ...], size: int) -> sp.Matrix:
    """The symmetric size×size matrix whose upper triangle, row by row, is ``entries``."""
    upper = iter(entries)
    H = sp.zeros(size, size)
    for i in range(size):
        for j in range(i, size):
            H[i, j] = H[j, i] = next(upper)
    return H


def eigen() -> Derivation:
    """l2.eigen: ``w̃ = Q(Λ + αI)⁻¹ΛQᵀw*``; along q_i the factor is ``λ_i/(λ_i + α)`` (G 7.11–7.13)."""
    alpha = sp.Symbol("alpha", positive=True)
    lam = sp.Symbol("lambda_i", nonnegative=True)
    c = sp.Symbol("c_i", real=True)
    z = sp.Symbol("z_i", real=True)
    Q = sp.MatrixSymbol("Q", _n, _n)
    Lam = sp.MatrixSymbol("Lambda", _n, _n)
    facts = (sp.Q.orthogonal(Q),)
    H_eig = Q * Lam * Q.T
    A = H_eig + alpha * _I
    D = (Lam + alpha * _I).I * Lam
    factor = lam / (lam + alpha)
    steps = (
        identity(
            A,
            Q * (Lam + alpha * _I) * Q.T,
            "H + αI = Q(Λ + αI)Qᵀ because QQᵀ = I (G 7.11)",
            "matrix",
            facts=facts,
        ),
        identity(
            Q * (Lam + alpha * _I) * Q.T * (Q * D * Q.T),
            H_eig,
            "Q(Λ + αI)⁻¹ΛQᵀ times H + αI = Q(Λ + αI)Qᵀ is H (QᵀQ = I), so "
            "(H + αI)⁻¹H = Q(Λ + αI)⁻¹ΛQᵀ (G 7.12)",
            "matrix",
            facts=facts,
        ),
        solve(
            z,
            (lam + alpha) * z - lam * c,
            factor * c,
            "along q_i the normal equation is (λ_i + α)z_i = λ_i c_i with c = Qᵀw* (G 7.13)",
        ),
        identity(factor, 1 - alpha / (lam + alpha), "the shrinkage factor is 1 − α/(λ_i + α)"),
        holds(
            sp.And(
                sp.Ge(factor, 0, evaluate=False),
                sp.Gt(alpha / (lam + alpha), 0, evaluate=False),
                evaluate=False,
            ),
            "so 0 ≤ λ_i/(λ_i + α) < 1: every direction is shrunk, λ_i ≪ α ones almost to 0",
        ),
        identity(sp.Derivative(factor, alpha), -lam / (lam + alpha) ** 2, "the factor decreases as α grows"),
    )
    return Derivation(
        "l2.eigen",
        (Q, Lam, lam, c, z, alpha),
        steps,
        "proved for general n",
        {"shrinkage": Result((lam, alpha), factor), "coordinate": Result((lam, c, alpha), factor * c)},
        ("Q is orthogonal (SymPy fact Q.orthogonal(Q)); Λ = diag(λ_i).",),
    )


def ridge() -> Derivation:
    """l2.ridge in two conventions: the ½-SSE objective and G 7.15's SSE objective (G 7.14–7.17).

    ``argmin ½‖Xw − y‖² + (α/2)‖w‖² = (XᵀX + αI)⁻¹Xᵀy`` but
    ``argmin ‖Xw − y‖² + (α/2)‖w‖² = (XᵀX + (α/2)I)⁻¹Xᵀy``: G 7.17 pairs the first answer with the
    second objective. Along a right singular vector (``X = USVᵀ``, ``b_i = u_iᵀy``) the coefficients are
    ``s_i b_i/(s_i² + α)`` and ``s_i b_i/(s_i² + α/2)``.
    """
    alpha = sp.Symbol("alpha", positive=True)
    X = sp.MatrixSymbol("X", _m, _n)
    y = sp.MatrixSymbol("y", _m, 1)
    r = X * _w - y
    half_sse = sp.MatMul(sp.Rational(1, 2), sp.Transpose(r), r) + sp.MatMul(alpha / 2, _w.T, _w)
    sse = sp.MatMul(sp.Transpose(r), r) + sp.MatMul(alpha / 2, _w.T, _w)
    XtX = X.T * X
    s = sp.Symbol("s_i", positive=True)
    b = sp.Symbol("b_i", real=True)
    z = sp.Symbol("z_i", real=True)
    half_case = "Convention ½‖Xw − y‖² + (α/2)‖w‖² (G 7.17)"
    sse_case = "Convention ‖Xw − y‖² + (α/2)‖w‖² (G 7.15 as printed)"
    g717 = s * b / (s**2 + alpha)
    steps = (
        gradient(half_sse, _w, X.T * r + alpha * _w, "gradient of the ½-SSE objective", case=half_case),
        identity(
            X.T * r + alpha * _w,
            (XtX + alpha * _I) * _w - X.T * y,
            "= 0 is the normal equation (XᵀX + αI)w = Xᵀy",
            "matrix",
            case=half_case,
        ),
        identity(
            sp.MatMul(XtX + alpha * _I, (XtX + alpha * _I).I * X.T * y, evaluate=False),
            X.T * y,
            "w = (XᵀX + αI)⁻¹Xᵀy solves it (G 7.17)",
            "matrix",
            case=half_case,
        ),
        solve(
            z,
            (s**2 + alpha) * z - s * b,
            s * b / (s**2 + alpha),
            "along v_i (X = USVᵀ, b_i = u_iᵀy): (s_i² + α)z_i = s_i b_i",
            case=half_case,
        ),
        gradient(
            sse, _w, 2 * X.T * r + alpha * _w, "gradient of G 7.15's objective: no ½, so a 2", case=sse_case
        ),
        identity(
            2 * X.T * r + alpha * _w,
            2 * ((XtX + alpha / 2 * _I) * _w - X.T * y),
            "= 0 is (XᵀX + (α/2)I)w = Xᵀy: α/2, not α",
            "matrix",
            case=sse_case,
        ),
        identity(
            sp.MatMul(XtX + alpha / 2 * _I, (XtX + alpha / 2 * _I).I * X.T * y, evaluate=False),
            X.T * y,
            "w = (XᵀX + (α/2)I)⁻¹Xᵀy solves it",
            "matrix",
            case=sse_case,
        ),
        solve(
            z,
            2 * (s**2 * z - s * b) + alpha * z,
            s * b / (s**2 + alpha / 2),
            "along v_i: 2(s_i² z_i − s_i b_i) + αz_i = 0",
            case=sse_case,
        ),
        identity(
            sp.Subs(2 * (s**2 * z - s * b) + alpha * z, z, g717),
            -alpha * s * b / (s**2 + alpha),
            "G 7.17's answer leaves this gradient at −αs_i b_i/(s_i² + α)",
            case=sse_case,
        ),
        solve(
            b,
            -alpha * s * b / (s**2 + alpha),
            sp.S.Zero,
            "which vanishes only for b_i = 0 (α > 0): G 7.17 does not minimise G 7.15",
            case=sse_case,
        ),
    )
    return Derivation(
        "l2.ridge",
        (X, y, _w, alpha, s, b, z),
        steps,
        "proved for general n",
        {
            "half_sse": Result((s, b, alpha), s * b / (s**2 + alpha)),
            "sse": Result((s, b, alpha), s * b / (s**2 + alpha / 2)),
        },
        (
            "The two answers differ by α ↔ α/2; each is right for its own objective "
            "(theory.regression.ridge, conventions 'half_sse' and 'sse').",
        ),
    )


def pinv() -> Derivation:
    """l2.pinv: ``lim_{α→0⁺}(XᵀX + αI)⁻¹Xᵀ = X⁺`` (G 7.29), with the zero singular values apart.

    Along the singular pair (u_i, v_i) of ``X = USVᵀ``, ``(XᵀX + αI)⁻¹Xᵀ`` has coefficient
    ``s_i/(s_i² + α)``: it tends to ``1/s_i`` for ``s_i > 0`` and is 0 for every α when ``s_i = 0`` —
    exactly ``X⁺ = V S⁺ Uᵀ``. The zero case is its own case because ``limit(λ/(λ + α), α → 0⁺)`` with
    a merely non-negative λ returns 1 (SymPy treats λ as generic), which is wrong at λ = 0.
    """
    alpha = sp.Symbol("alpha", positive=True)
    s = sp.Symbol("s_i", positive=True)
    s0 = sp.Symbol("sigma", nonnegative=True)
    lam = sp.Symbol("lambda_i", positive=True)
    a = sp.Symbol("a", real=True, nonzero=True)
    bb = sp.Symbol("b", real=True)
    pos, zero, explicit = ("Case s_i > 0", "Case σ = 0", "Second check: X = (a  b), XᵀX singular")
    one = "X of size 1 × 2"
    X = sp.Matrix([[a, bb]])
    A = X.T * X + alpha * sp.eye(2)
    ridge_map = A.adjugate() * X.T / A.det()
    G = X.T / (a**2 + bb**2)
    steps = (
        limit(s / (s**2 + alpha), alpha, 0, 1 / s, "coefficient s_i/(s_i² + α) → 1/s_i", case=pos),
        limit(lam / (lam + alpha), alpha, 0, 1, "and (XᵀX + αI)⁻¹XᵀX along v_i: λ_i/(λ_i + α) → 1", case=pos),
        identity(
            sp.Subs(s0 / (s0**2 + alpha), s0, 0),
            0,
            "the coefficient σ/(σ² + α) of a singular value σ ≥ 0, at σ = 0 before the limit: 0/(0 + α) = 0 "
            "for every α > 0, so the limit is 0",
            case=zero,
        ),
        identity(
            sp.Subs(s0**2 / (s0**2 + alpha), s0, 0),
            0,
            "and XᵀX's null direction gets 0, not 1: the limit is the projector X⁺X",
            case=zero,
        ),
        identity(
            ridge_map,
            X.T / (a**2 + bb**2 + alpha),
            "(XᵀX + αI)⁻¹Xᵀ by the adjugate of the 2×2 XᵀX + αI",
            case=explicit,
            sizes=one,
        ),
        limit(
            a / (a**2 + bb**2 + alpha),
            alpha,
            0,
            a / (a**2 + bb**2),
            "first entry as α → 0⁺",
            case=explicit,
            sizes=one,
        ),
        limit(
            bb / (a**2 + bb**2 + alpha),
            alpha,
            0,
            bb / (a**2 + bb**2),
            "second entry as α → 0⁺",
            case=explicit,
            sizes=one,
        ),
        identity(
            _product(X, G, X),
            X,
            "the limit G = Xᵀ/(a² + b²) satisfies XGX = X (Penrose 1)",
            case=explicit,
            sizes=one,
        ),
        identity(_product(G, X, G), G, "GXG = G (Penrose 2)", case=explicit, sizes=one),
        identity(
            sp.Transpose(sp.ImmutableMatrix(X * G)),
            X * G,
            "(XG)ᵀ = XG (Penrose 3)",
            case=explicit,
            sizes=one,
        ),
        identity(
            sp.Transpose(sp.ImmutableMatrix(G * X)),
            G * X,
            "(GX)ᵀ = GX (Penrose 4): G = X⁺",
            case=explicit,
            sizes=one,
        ),
    )
    return Derivation(
        "l2.pinv",
        (s, s0, lam, alpha, a, bb),
        steps,
        "proved for general n",
        {"coefficient": Result((s0,), sp.Piecewise((1 / s0, s0 > 0), (0, True)))},
        (
            "SymPy's limit(λ/(λ + α), α → 0⁺) returns 1 even for a λ that may be 0; the case σ = 0 is "
            "therefore substituted before any limit is taken.",
            "s_i denotes a positive singular value, σ ≥ 0 any singular value.",
        ),
    )


def _product(*factors: sp.Matrix) -> sp.MatMul:
    """The unevaluated product of explicit matrices (shown as a product, evaluated by the checker)."""
    return sp.MatMul(*(sp.ImmutableMatrix(f) for f in factors), evaluate=False)


def dof() -> Derivation:
    """l2.dof: ``df(α) = tr[(H + αI)⁻¹H] = Σ_i λ_i/(λ_i + α)`` (ESL eq. 3.50).

    Per direction the term is l2.eigen's shrinkage factor. It decreases in α, tends to 0 as α → ∞
    and, as α → 0⁺, to 1 for λ_i > 0 and 0 for λ_i = 0 (its own case), so ``df(0⁺) = rank H``.
    Second check: n = 2, where the trace of ``adj(H + αI)H/det(H + αI)`` equals the sum over the
    eigenvalues written through ``λ₁ + λ₂ = tr H`` and ``λ₁λ₂ = det H``.
    """
    alpha = sp.Symbol("alpha", positive=True)
    lam = sp.Symbol("lambda_i", positive=True)
    lam0 = sp.Symbol("lambda", nonnegative=True)
    l1, l2 = sp.symbols("lambda_1 lambda_2", nonnegative=True)
    a, b, c = sp.symbols("a b c", real=True)
    term = lam0 / (lam0 + alpha)
    H2 = sp.Matrix([[a, b], [b, c]])
    A2 = H2 + alpha * sp.eye(2)
    via_symmetric = 2 - alpha * (H2.trace() + 2 * alpha) / A2.det()
    explicit = "Second check: n = 2"
    steps = (
        identity(
            sp.Derivative(term, alpha),
            -lam0 / (lam0 + alpha) ** 2,
            "each term λ/(λ + α) (λ ≥ 0 an eigenvalue of H) has derivative −λ/(λ + α)² in α",
        ),
        holds(sp.Le(-lam0 / (lam0 + alpha) ** 2, 0, evaluate=False), "so df(α) is non-increasing"),
        limit(lam / (lam + alpha), alpha, 0, 1, "an eigenvalue λ_i > 0: its term tends to 1 as α → 0⁺"),
        identity(sp.Subs(term, lam0, 0), 0, "λ = 0: the term is 0 for every α > 0, so df(0⁺) = rank H"),
        limit(term, alpha, sp.oo, 0, "and every term tends to 0 as α → ∞", direction="-"),
        identity(
            (A2.adjugate() * H2).trace() / A2.det(),
            via_symmetric,
            "tr[(H + αI)⁻¹H] with the inverse in adjugate form",
            case=explicit,
            sizes="n = 2",
        ),
        identity(
            l1 / (l1 + alpha) + l2 / (l2 + alpha),
            2 - alpha * ((l1 + l2) + 2 * alpha) / ((l1 + alpha) * (l2 + alpha)),
            "Σ λ_i/(λ_i + α) is the same function of tr H = λ₁ + λ₂ and det(H + αI) = (λ₁ + α)(λ₂ + α)",
            case=explicit,
            sizes="n = 2",
        ),
    )
    return Derivation(
        "l2.dof",
        (lam0, lam, alpha, a, b, c, l1, l2),
        steps,
        "proved for general n",
        {"term": Result((lam0, alpha), sp.Piecewise((term, lam0 > 0), (0, True)))},
        ("The trace is basis-independent, so tr[Q(Λ + αI)⁻¹ΛQᵀ] = Σ_i λ_i/(λ_i + α) (l2.eigen).",),
    )


def constraint() -> Derivation:
    """l2.constraint: ``w̃(α)`` solves ``min J(w) s.t. ‖w‖ ≤ k`` with ``k = ‖w̃(α)‖``, k decreases
    strictly in α, and conversely every radius ``0 < k < ‖w̃(0⁺)‖`` is ``‖w̃(α)‖`` for exactly one
    α > 0, whose w̃(α) is then the only solution of the constrained problem (G 7.26–7.28).

    ⇒ (KKT for the convex problem): the Lagrangian ``J(w) + (α/2)(‖w‖² − k²)`` has the penalised
    objective's gradient, so w̃(α) is stationary; it is feasible with equality, so complementary
    slackness holds, and α > 0 is the multiplier. Along q_i, ``(q_iᵀw̃)² = (λ_i c_i/(λ_i + α))²``
    decreases in α, strictly where λ_i c_i ≠ 0, hence so does ``k² = Σ_i (q_iᵀw̃)²``.

    ⇐: k(α) is continuous and strictly decreasing from ``k(0⁺)² = Σ_{λ_i>0} c_i²`` to 0, so each radius
    in between is hit by one α; a constrained minimiser with such a radius has an active constraint and
    a multiplier α > 0 (Slater: w = 0 is strictly feasible), and the Lagrangian's Hessian H + αI ≻ 0
    makes w̃(α) its only stationary point.
    """
    alpha = sp.Symbol("alpha", positive=True)
    k = sp.Symbol("k", positive=True)
    lam = sp.Symbol("lambda_i", nonnegative=True)
    c = sp.Symbol("c_i", real=True)
    lam_j = sp.Symbol("lambda_j", positive=True)
    c_j = sp.Symbol("c_j", real=True, nonzero=True)
    facts = (sp.Q.symmetric(_H),)
    lagrangian = _quadratic(_w - _w_star, _H) + sp.MatMul(alpha / 2, _w.T, _w)
    w_tilde = (_H + alpha * _I).I * _H * _w_star
    coordinate = lam * c / (lam + alpha)
    coordinate_j = lam_j * c_j / (lam_j + alpha)
    converse = "Converse: each radius 0 < k < k(0⁺) comes from exactly one α > 0"
    steps = (
        gradient(
            lagrangian,
            _w,
            _H * (_w - _w_star) + alpha * _w,
            "∇_w of the Lagrangian J(w) + (α/2)(‖w‖² − k²) (k² is constant) is the penalised "
            "gradient (G 7.26)",
            facts=facts,
        ),
        identity(
            sp.MatAdd(sp.MatMul(_H + alpha * _I, w_tilde, evaluate=False), -_H * _w_star, evaluate=False),
            sp.ZeroMatrix(_n, 1),
            "so w̃(α) = (H + αI)⁻¹Hw* is stationary (l2.optimum)",
            "matrix",
        ),
        identity(
            sp.Derivative(coordinate**2, alpha),
            -2 * lam**2 * c**2 / (lam + alpha) ** 3,
            "along q_i the squared coordinate of w̃(α) has this derivative in α",
        ),
        holds(
            sp.Le(-2 * lam**2 * c**2 / (lam + alpha) ** 3, 0, evaluate=False),
            "≤ 0, so k(α)² = Σ_i (λ_i c_i/(λ_i + α))² is non-increasing: a larger α is a smaller ball "
            "(G 7.28)",
        ),
        holds(
            sp.Lt(sp.Derivative(coordinate_j**2, alpha), 0, evaluate=False),
            "unless w̃ ≡ 0 some direction j has λ_j > 0 and c_j ≠ 0, and its term decreases strictly: "
            "k(α) is strictly decreasing, so no two α give the same radius",
            case=converse,
        ),
        limit(
            coordinate**2, alpha, sp.oo, 0, "every term → 0 as α → ∞: k(α) → 0", direction="-", case=converse
        ),
        limit(
            coordinate_j**2,
            alpha,
            0,
            c_j**2,
            "as α → 0⁺ a term with λ_j > 0 tends to c_j² ...",
            case=converse,
        ),
        identity(
            sp.Subs(coordinate**2, lam, 0),
            0,
            "... and a term with λ_i = 0 is 0: k(α)² → k(0⁺)² = Σ_{λ_i>0} c_i²; k is continuous (its "
            "terms are rational with denominators (λ_i + α)² > 0), so every 0 < k < k(0⁺) is k(α) for "
            "exactly one α > 0",
            case=converse,
        ),
        holds(
            sp.Gt(lam + alpha, 0, evaluate=False),
            "at that α the Lagrangian's Hessian H + αI has eigenvalues λ_i + α > 0: its only stationary "
            "point, and so the only constrained minimiser (active constraint, multiplier α > 0 by KKT "
            "with Slater's condition), is w̃(α)",
            case=converse,
        ),
    )
    return Derivation(
        "l2.constraint",
        (_H, _w, _w_star, alpha, k, lam, c, lam_j, c_j),
        steps,
        "proved for general n, citing the KKT conditions and the intermediate value theorem",
        {"radius_terms": Result((lam, c, alpha), coordinate**2)},
        (
            "With k = ‖w̃(α)‖ the constraint is active, so complementary slackness α(‖w̃‖² − k²) = 0 holds "
            "by the choice of k; J is convex (H ⪰ 0) and the ball is convex, so the KKT conditions are "
            "sufficient.",
            "Cited, not checked by SymPy: the KKT conditions (necessary under Slater's condition, "
            "sufficient for a convex problem) and the intermediate value theorem for the continuous k(α).",
        ),
    )
