"""Derivation of l2.kernel: ridge regression in primal and in kernel (dual) form are one estimator.

For X of size n×d (n samples, d features) and α > 0, with the mean-loss convention's penalty nα,

    (XᵀX + nαI_d)⁻¹Xᵀy = Xᵀ(XXᵀ + nαI_n)⁻¹y,

the push-through identity (Petersen & Pedersen, *The Matrix Cookbook*, "push-through" identities of
the inverse) applied to ridge as in Saunders, Gammerman & Vovk, *Ridge Regression Learning Algorithm in
Dual Variables* (ICML 1998). The left side solves a d×d system, the right side an n×n one: for wide
data (d ≫ n) the kernel form is the cheap one (``theory.regression.regression_spectrum(route="gram")``).

General sizes with matrix symbols: ``Xᵀ(XXᵀ + cI) = (XᵀX + cI)Xᵀ`` by expansion, then multiplying by
the two inverses (each insertion or cancellation of ``BB⁻¹`` and ``A⁻¹A`` is its own checked step).
The α → 0⁺ limit is taken along a singular pair ``(u_i, s_i, v_i)`` of X, where both sides have the
coefficient ``s_i b_i/(s_i² + nα)`` (``b_i = u_iᵀy``), with ``s_i = 0`` as its own case (l2.pinv's
trap: SymPy's limit of ``σ/(σ² + α)`` with a merely non-negative σ is not 0 at σ = 0).
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import Derivation, Result, identity, limit, solve

__all__ = ["kernel"]


def kernel() -> Derivation:
    """l2.kernel: ``(XᵀX + nαI)⁻¹Xᵀy = Xᵀ(XXᵀ + nαI)⁻¹y`` for α > 0; both tend to X⁺y as α → 0⁺.

    Steps 1–3 hold for symbolic sizes (MatrixSymbol X of size n×d). Second check: explicit X of size
    2×3 (wide) and 3×2 (tall) with symbolic entries, both inverses in adjugate form.
    """
    n = sp.Symbol("n", integer=True, positive=True)
    d = sp.Symbol("d", integer=True, positive=True)
    alpha = sp.Symbol("alpha", positive=True)
    X = sp.MatrixSymbol("X", n, d)
    y = sp.MatrixSymbol("y", n, 1)
    A = X.T * X + n * alpha * sp.Identity(d)  # primal, d×d
    B = X * X.T + n * alpha * sp.Identity(n)  # kernel, n×n
    s = sp.Symbol("s_i", positive=True)
    sigma = sp.Symbol("sigma", nonnegative=True)
    b = sp.Symbol("b_i", real=True)
    z = sp.Symbol("z_i", real=True)
    a1, a2 = sp.symbols("a b", real=True)
    single = "Case s_i > 0"
    zero = "Case σ = 0"
    steps = [
        identity(
            sp.MatMul(X.T, B, evaluate=False),
            sp.MatMul(A, X.T, evaluate=False),
            "push-through: Xᵀ(XXᵀ + nαI_n) = XᵀXXᵀ + nαXᵀ = (XᵀX + nαI_d)Xᵀ",
            "matrix",
        ),
        identity(
            sp.MatMul(A.I, X.T, B, B.I, evaluate=False),
            A.I * X.T,
            "(XᵀX + nαI)⁻¹Xᵀ = (XᵀX + nαI)⁻¹Xᵀ(XXᵀ + nαI)(XXᵀ + nαI)⁻¹: insert BB⁻¹ = I (B ≻ 0 for α > 0)",
            "matrix",
        ),
        identity(
            sp.MatMul(A.I, A, X.T, B.I, evaluate=False),
            X.T * B.I,
            "replace Xᵀ(XXᵀ + nαI) by (XᵀX + nαI)Xᵀ (step 1) and cancel A⁻¹A = I (A ≻ 0): "
            "(XᵀX + nαI)⁻¹Xᵀ = Xᵀ(XXᵀ + nαI)⁻¹, and times y the two ridge forms agree",
            "matrix",
        ),
        solve(
            z,
            (s**2 + n * alpha) * z - b,
            b / (s**2 + n * alpha),
            "kernel form along u_i (XXᵀu_i = s_i²u_i, b_i = u_iᵀy): the dual coordinate solves "
            "(s_i² + nα)z_i = b_i, and Xᵀu_i = s_i v_i gives w's coordinate s_i z_i",
            case=single,
        ),
        solve(
            z,
            (s**2 + n * alpha) * z - s * b,
            s * b / (s**2 + n * alpha),
            "primal form along v_i (XᵀXv_i = s_i²v_i, Xᵀy·v_i = s_i b_i): (s_i² + nα)z_i = s_i b_i, "
            "the kernel form's s_i times its dual coordinate",
            case=single,
        ),
        limit(
            s * b / (s**2 + n * alpha),
            alpha,
            0,
            b / s,
            "as α → 0⁺ the common coordinate tends to b_i/s_i, the coordinate of X⁺y = VS⁺Uᵀy",
            case=single,
        ),
        identity(
            sp.Subs(sigma * b / (sigma**2 + n * alpha), sigma, 0),
            0,
            "a zero singular value: the coordinate is 0 for every α > 0 (substituted before any limit), "
            "as in X⁺y, whose S⁺ has 0 there",
            case=zero,
        ),
    ]
    explicit: dict[sp.Symbol, None] = {}
    for rows, cols in ((2, 3), (3, 2)):
        case = f"Second check: explicit X of size {rows}×{cols}, adjugate form"
        entries = sp.symbols(f"x_1:{rows * cols + 1}", real=True)
        explicit.update(dict.fromkeys(entries))
        Xe = sp.Matrix(rows, cols, entries)
        Ae = Xe.T * Xe + n * alpha * sp.eye(cols)
        Be = Xe * Xe.T + n * alpha * sp.eye(rows)
        steps.append(
            identity(
                Ae.adjugate() * Xe.T / Ae.det(),
                Xe.T * Be.adjugate() / Be.det(),
                f"adj(XᵀX + nαI)Xᵀ/det(XᵀX + nαI) = Xᵀadj(XXᵀ + nαI)/det(XXᵀ + nαI), entry by entry "
                f"({cols}×{cols} against {rows}×{rows} inverses)",
                case=case,
                sizes=f"n = {rows}, d = {cols}",
            )
        )
    one = "Second check: X = (a  b), the α → 0⁺ limit of the kernel form"
    Xr = sp.Matrix([[a1, a2]])
    dual = Xr.T * (Xr * Xr.T + n * alpha * sp.eye(1)).inv()
    for k, entry in enumerate((a1, a2)):
        steps.append(
            limit(
                dual[k],
                alpha,
                0,
                entry / (a1**2 + a2**2),
                f"entry {k + 1} of Xᵀ(XXᵀ + nα)⁻¹ tends to that of X⁺ = Xᵀ/(a² + b²) (l2.pinv)",
                case=one,
                sizes="n = 1, d = 2",
            )
        )
    return Derivation(
        "l2.kernel",
        (X, y, n, d, alpha, s, sigma, b, z, a1, a2, *explicit),
        tuple(steps),
        "proved for general n",
        {"coefficient": Result((s, b, n, alpha), s * b / (s**2 + n * alpha))},
        (
            "Steps 2 and 3 with step 1 make the chain A⁻¹Xᵀ = A⁻¹XᵀBB⁻¹ = A⁻¹AXᵀB⁻¹ = XᵀB⁻¹; SymPy checks "
            "each link (it cannot cancel A⁻¹ against a sum in one expansion).",
            "Both inverses exist for α > 0: XᵀX + nαI and XXᵀ + nαI are ⪰ nαI.",
            "n is the number of samples, so nα is the canonical mean-loss penalty: the minimiser of "
            "(1/2n)‖Xw − y‖² + (α/2)‖w‖² (l2.ridge with α → nα).",
        ),
    )
