"""Derivation of l2.path_derivative: the regularisation path's derivative at a strict local minimiser.

Along the path w̃(α) of stationary points, ``F(w̃(α), α) = ∇L(w̃(α)) + αDw̃(α) = 0`` for every α; the
implicit function theorem (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Thm A.2) makes w̃
differentiable where ``∂F/∂w = ∇²L(w̃) + αD`` is invertible, and differentiating the identity in α
gives ``(∇²L(w̃) + αD)w̃' + Dw̃ = 0``.

The chain rule for a general L (an undefined SymPy function of n variables) is checked at n = 1, 2, 3:
SymPy differentiates ``∂_iL(w̃(α)) + αd_iw̃_i(α)`` in α itself, and the stated right-hand side is written
with the Hessian entries; SymPy then solves the resulting linear system for the w̃'_j. SymPy has no
chain rule for matrix symbols of symbolic size, so for general n only the linear-algebra step (the
formula solves the differentiated condition) and the quadratic case (decoupled in the eigenbasis of H)
are proved. Second checks: the explicit 2×2 quadratic, with D = I and with D = diag(1, 0), where the
adjugate solution of the normal equations is differentiated in α entry by entry.
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import Derivation, Result, Step, gradient, identity, solve

__all__ = ["path_derivative"]

_n = sp.Symbol("n", integer=True, positive=True)
_alpha = sp.Symbol("alpha", nonnegative=True)


def _chain_rule_case(size: int, L: sp.Function) -> list[Step]:
    """Differentiate ``F_i = ∂_iL(w̃(α)) + αd_iw̃_i(α)`` in α, then solve for ``w̃'``, at n = ``size``."""
    case = f"Chain rule for a general L, n = {size}"
    x = sp.symbols(f"x_1:{size + 1}", real=True)
    d = sp.symbols(f"d_1:{size + 1}", real=True)
    w = [sp.Function(f"\\tilde w_{i + 1}")(_alpha) for i in range(size)]
    on_path = dict(zip(x, w, strict=True))
    hess = sp.Matrix(size, size, lambda i, j: sp.diff(L(*x), x[i], x[j]).subs(on_path))
    dw = sp.Matrix([sp.Derivative(wi, _alpha) for wi in w])
    wv = sp.Matrix(w)
    D = sp.diag(*d)
    A = hess + _alpha * D
    steps: list[Step] = []
    for i in range(size):
        F_i = sp.diff(L(*x), x[i]).subs(on_path) + _alpha * d[i] * w[i]
        steps.append(
            identity(
                sp.Derivative(F_i, _alpha),
                (A[i, :] * dw)[0] + d[i] * w[i],
                f"d/dα of row {i + 1} of ∇L(w̃(α)) + αDw̃(α) = 0 by the chain rule: row {i + 1} of "
                "(∇²L(w̃) + αD)w̃' + Dw̃",
                case=case,
                sizes=f"n = {size}",
            )
        )
    adj, det = A.adjugate(), A.det()
    if size < 3:
        steps.append(
            solve(
                tuple(dw),
                list(A * dw + D * wv),
                tuple(-adj * D * wv / det),
                "the differentiated condition (∇²L(w̃) + αD)w̃' = −Dw̃ solved by SymPy for w̃': "
                "−adj(∇²L + αD)Dw̃/det(∇²L + αD) = −(∇²L(w̃) + αD)⁻¹Dw̃",
                case=case,
                sizes=f"n = {size}",
            )
        )
    else:  # SymPy's solve (and cancel of the substituted solution) take seconds at n = 3
        steps.append(
            identity(
                sp.ImmutableMatrix(A * adj),  # multiplied here: MatMul(...).as_explicit() takes seconds
                det * sp.eye(size),
                "(∇²L + αD)adj(∇²L + αD) = det(∇²L + αD)I, so w̃' = −adj(∇²L + αD)Dw̃/det(∇²L + αD) "
                "= −(∇²L(w̃) + αD)⁻¹Dw̃ solves the differentiated condition (∇²L(w̃) + αD)w̃' = −Dw̃",
                "expand",
                case=case,
                sizes=f"n = {size}",
                shown=(
                    sp.MatMul(sp.ImmutableMatrix(A), sp.ImmutableMatrix(adj), evaluate=False),
                    det * sp.eye(size),
                ),
            )
        )
    return steps


def _explicit_quadratic(mask: tuple[int, int]) -> tuple[list[Step], Result, tuple[sp.Symbol, ...]]:
    """The 2×2 quadratic with D = diag(mask): differentiate the adjugate optimum entry by entry."""
    a, b, c = sp.symbols("a b c", real=True)
    ws = sp.Matrix(sp.symbols("w^*_1:3", real=True))
    H = sp.Matrix([[a, b], [b, c]])
    D = sp.diag(*mask)
    A = H + _alpha * D
    adj, det = A.adjugate(), A.det()
    optimum = adj * H * ws / det  # (H + αD)⁻¹Hw*, adjugate form (the normal equations of l2.optimum)
    formula = -adj * D * optimum / det  # −(H + αD)⁻¹Dw̃
    case = f"Second check: explicit symmetric n = 2, D = diag{mask}"
    steps = [
        identity(
            sp.Matrix([sp.Derivative(entry, _alpha) for entry in optimum]),
            formula,
            f"d/dα of w̃ = adj(H + αD)Hw*/det(H + αD) entry by entry equals −(H + αD)⁻¹Dw̃ (D = diag{mask})",
            case=case,
            sizes="n = 2",
        )
    ]
    return steps, Result((a, b, c, _alpha, *ws), formula), (a, b, c, *ws)


def path_derivative() -> Derivation:
    """l2.path_derivative: ``dw̃/dα = −(∇²L(w̃) + αD)⁻¹Dw̃`` (implicit function theorem on
    ``∇L(w̃) + αDw̃ = 0``); for a quadratic with D = I, ``d/dα (H + αI)⁻¹Hw* = −(H + αI)⁻²Hw*``."""
    w = sp.MatrixSymbol("w", _n, 1)
    w_t = sp.MatrixSymbol(r"\tilde w", _n, 1)
    w_star = sp.MatrixSymbol("w^*", _n, 1)
    v = sp.MatrixSymbol("v", _n, 1)
    D = sp.MatrixSymbol("D", _n, _n)
    H = sp.MatrixSymbol("H", _n, _n)
    Hess = sp.MatrixSymbol(r"\tilde H", _n, _n)  # H̃ = ∇²L(w̃): SymPy has no Hessian of an undefined L
    A = Hess + _alpha * D
    L = sp.Function("L")
    steps: list[Step] = [
        gradient(
            sp.MatMul(_alpha / 2, sp.Transpose(w), D, w),
            w,
            _alpha * D * w,
            "gradient of the penalty (α/2)‖Dw‖² = (α/2)wᵀDw (D diagonal 0/1, so DᵀD = D = Dᵀ): the "
            "stationarity condition of L + (α/2)‖Dw‖² is ∇L(w̃) + αDw̃ = 0",
            facts=(sp.Q.diagonal(D),),
        ),
    ]
    for size in (1, 2, 3):
        steps += _chain_rule_case(size, L)
    masks = sp.symbols("d_1:4", real=True)  # the mask entries d_i of the chain-rule cases
    steps.append(
        identity(
            sp.MatMul(A, -A.I * D * w_t, evaluate=False),
            -D * w_t,
            "general n, with H̃ = ∇²L(w̃): w̃' = −(H̃ + αD)⁻¹Dw̃ solves (H̃ + αD)w̃' + Dw̃ = 0; H̃ + αD ≻ 0 "
            "makes the solution unique (and, by the implicit function theorem, the path differentiable)",
            "matrix",
        )
    )
    # the quadratic case, general n, in the eigenbasis of H (as l2.eigen)
    lam = sp.Symbol("lambda_i", nonnegative=True)
    ci = sp.Symbol("c_i", real=True)
    case = "The quadratic L = ½(w − w*)ᵀH(w − w*), D = I"
    steps += [
        gradient(
            sp.MatMul(sp.Transpose(v), H, w - w_star),
            w,
            H * v,
            "∇_w(vᵀ∇L(w)) = Hv for every v with ∇L(w) = H(w − w*) (l2.optimum's first step): ∇²L = H "
            "everywhere, whatever w̃",
            case=case,
            facts=(sp.Q.symmetric(H),),
        ),
        identity(
            sp.Derivative(lam * ci / (lam + _alpha), _alpha),
            -(1 / (lam + _alpha)) * (lam * ci / (lam + _alpha)),
            "along q_i, w̃ has the coordinate λ_ic_i/(λ_i + α) (l2.eigen, c = Qᵀw*) and (H + αI)⁻¹ is "
            "1/(λ_i + α): d/dα (H + αI)⁻¹Hw* = −(H + αI)⁻¹w̃ = −(H + αI)⁻²Hw*, the theorem with ∇²L = H",
            case=case,
        ),
    ]
    results: dict[str, Result] = {}
    explicit: dict[sp.Symbol, None] = {}
    for mask, name in (((1, 1), "n2_identity"), ((1, 0), "n2_mask")):
        more, result, symbols = _explicit_quadratic(mask)
        steps += more
        results[name] = result
        explicit.update(dict.fromkeys(symbols))
    return Derivation(
        "l2.path_derivative",
        (w, w_t, w_star, v, D, H, Hess, _alpha, *masks, lam, ci, *explicit),
        tuple(steps),
        "checked for n ≤ 3 with a general L (the chain rule); the solve and the quadratic case proved "
        "for general n",
        results,
        (
            "The implicit function theorem supplies what SymPy cannot: that w̃(α) is a differentiable "
            "path through the strict minimiser; the steps check the derivative it must then have.",
            "With ∇²L(w̃) + αD only positive semi-definite (a symmetry null space, an unpenalised "
            "flat direction) the system is singular and the path need not be differentiable.",
            "The general-L chain rule uses SymPy's own differentiation of L(w̃_1(α), …, w̃_n(α)); the "
            "stated side is written with the Hessian entries, so the two sides are built independently.",
        ),
    )
