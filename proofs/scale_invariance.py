"""Derivations of si.gradient and si.effective_lr (scale-invariant weights).

si.gradient. The idea: every identity is about derivatives of f along at most two directions, w and an
arbitrary v, so it suffices to study the function of two real variables ``F(a, b) = f(aw + bv)``.
Scale invariance ``f(kx) = f(x)`` (k > 0) makes F constant along rays, ``F(ka, kb) = F(a, b)``, and
taking ``k = 1/a`` (a > 0) gives ``F(a, b) = h(b/a)`` with ``h(t) = F(1, t)`` an arbitrary function of
one variable: the general scale-invariant F near ``(1, 0)``. SymPy differentiates ``h(b/a)`` with h
undefined, so each identity is proved for every scale-invariant f, in every dimension n (w, v are any
vectors of ℝⁿ): Euler's relation, ``wᵀ∇f(w) = 0``, ``c·vᵀ∇f(cw) = vᵀ∇f(w)``,
``c²·vᵀ∇²f(cw)v = vᵀ∇²f(w)v`` and ``vᵀ∇²f(w)w = −vᵀ∇f(w)``. The second checks compute the gradient
and Hessian of ``f(w) = g(w/‖w‖)`` with g an undefined SymPy function of n = 3 (value and gradient)
and n = 2 (Hessian) variables: every scale-invariant f has this form (g = f, c = 1/‖w‖).

si.effective_lr. With ``r = ‖w‖``, ``u = w/r`` and ``q = ∇f(u)`` (so ``∇f(w) = q/r`` and ``uᵀq = 0``
by si.gradient), the step ``w' = (1 − ηλ)w − η∇f(w)`` is ``(1 − ηλ)r(u − η̂q)`` with
``η̂ = η/((1 − ηλ)r²)``: a positive multiple of the sphere step. Pythagoras gives the new norm, and the
substitution ``(w, η, λ) → (cw, c²η, λ/c²)`` leaves ηλ and η̂ unchanged and scales every iterate by c.
Checked with SymPy's matrix algebra for general n (``u``, ``q`` are n×1 matrix symbols).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from proofs.framework import Derivation, Result, Step, define, holds, identity

__all__ = ["effective_lr", "gradient"]

_n = sp.Symbol("n", integer=True, positive=True)


def _model(size: int) -> tuple[tuple[sp.Symbol, ...], Any]:
    """``(w_1, …, w_size)`` and ``f(w) = g(w/‖w‖)`` with g an undefined function of ``size`` variables."""
    w = sp.symbols(f"w_1:{size + 1}", real=True)
    return w, _g_of(w)


def _g_of(w: Any) -> Any:
    norm = sp.sqrt(sum(x**2 for x in w))
    return sp.Function("g")(*[x / norm for x in w])


def gradient() -> Derivation:
    """si.gradient: ``f(cw) = f(w)`` for all c > 0 implies ``wᵀ∇f(w) = 0``, ``∇f(cw) = ∇f(w)/c``,
    ``∇²f(cw) = ∇²f(w)/c²`` and ``∇²f(w)w = −∇f(w)`` (Euler's theorem for degree 0).

    Proved for general n on the slice ``F(a, b) = f(aw + bv)``, which scale invariance makes
    ``h(b/a)`` with h arbitrary (module docstring); the directional derivatives of f are the partial
    derivatives of F at ``(1, 0)`` (or ``(c, 0)`` for the point cw), by the chain rule:
    ``∂_aF = wᵀ∇f``, ``∂_bF = vᵀ∇f``, ``∂_b²F = vᵀ∇²f v``, ``∂_a∂_bF = vᵀ∇²f w``. An identity that holds
    for every v gives the vector (and, the Hessian being symmetric, the matrix) identity.
    """
    a, b = sp.symbols("a b", positive=True)
    c = sp.Symbol("c", positive=True)
    t = sp.Symbol("t", real=True)
    w = sp.MatrixSymbol("w", _n, 1)
    v = sp.MatrixSymbol("v", _n, 1)
    f, F, h = sp.Function("f"), sp.Function("F"), sp.Function("h")
    slice_ = h(b / a)
    d_a, d_b = sp.Derivative(slice_, a), sp.Derivative(slice_, b)

    def at(expr: Any, point: tuple[Any, Any]) -> Any:
        return sp.Subs(expr, (a, b), point)

    general = "General n: the slice F(a, b) = f(aw + bv) through w and any v"
    steps: list[Step] = [
        define(F(a, b), f(a * w + b * v), "f on the plane spanned by w ≠ 0 and any v ∈ ℝⁿ", case=general),
        define(
            h(t),
            F(1, t),
            "F on the line a = 1; F(ka, kb) = F(a, b) for k > 0 (f(kx) = f(x)), so k = 1/a gives "
            "F(a, b) = h(b/a) for a > 0: the general scale-invariant F near (1, 0), h arbitrary",
            case=general,
        ),
        identity(
            a * d_a + b * d_b,
            0,
            "Euler's relation for degree 0: a∂_aF + b∂_bF = 0 (the derivative of F(ka, kb) in k at k = 1)",
            case=general,
        ),
        identity(
            at(d_a, (1, 0)),
            0,
            "∂_aF(1, 0) = wᵀ∇f(w) by the chain rule, so wᵀ∇f(w) = 0: the gradient is orthogonal to w",
            case=general,
        ),
        identity(
            c * at(d_b, (c, 0)),
            at(d_b, (1, 0)),
            "∂_bF(c, 0) = vᵀ∇f(cw): c·vᵀ∇f(cw) = vᵀ∇f(w) for every v, so ∇f(cw) = ∇f(w)/c",
            case=general,
        ),
        identity(
            c**2 * at(sp.Derivative(slice_, (b, 2)), (c, 0)),
            at(sp.Derivative(slice_, (b, 2)), (1, 0)),
            "∂_b²F(c, 0) = vᵀ∇²f(cw)v: the quadratic forms of c²∇²f(cw) and ∇²f(w) agree for every v, and "
            "a symmetric matrix is fixed by its quadratic form (polarisation), so ∇²f(cw) = ∇²f(w)/c²",
            case=general,
        ),
        identity(
            at(sp.Derivative(slice_, a, b), (1, 0)),
            -at(d_b, (1, 0)),
            "∂_a∂_bF(1, 0) = vᵀ∇²f(w)w and ∂_bF(1, 0) = vᵀ∇f(w): vᵀ∇²f(w)w = −vᵀ∇f(w) for every v, so "
            "∇²f(w)w = −∇f(w) (w is an eigenvector of ∇²f(w) only where ∇f(w) ∥ w, i.e. ∇f(w) = 0)",
            case=general,
        ),
    ]
    # second checks: f = g(w/‖w‖) with g an undefined function, gradient and Hessian computed by SymPy
    w3, f3 = _model(3)
    grad3 = sp.Matrix([sp.Derivative(f3, x) for x in w3])
    scaled3 = dict(zip(w3, (c * x for x in w3), strict=True))
    grad_name = sp.Function(r"\nabla f")
    hess_name = sp.Function(r"\nabla^{2}f")
    third = "Second check: f(w) = g(w/‖w‖), g an undefined function of n = 3 variables"
    steps += [
        identity(
            _g_of([c * x for x in w3]),
            f3,
            "f(cw) = g(cw/‖cw‖) = g(w/‖w‖) = f(w) for c > 0: this f is scale-invariant",
            case=third,
            sizes="n = 3",
        ),
        identity(
            sum(x * d for x, d in zip(w3, grad3, strict=True)),
            0,
            "wᵀ∇f(w) = 0, with ∇f differentiated by SymPy (chain rule through g's three arguments)",
            case=third,
            sizes="n = 3",
        ),
        identity(
            c * sp.Matrix([sp.Subs(d, w3, tuple(scaled3.values())) for d in grad3]),
            grad3,
            "c∇f(cw) = ∇f(w)",
            case=third,
            sizes="n = 3",
            shown=(c * grad_name(c * w), grad_name(w)),
        ),
    ]
    w2, f2 = _model(2)
    grad2 = sp.Matrix([sp.Derivative(f2, x) for x in w2])
    hess2 = sp.Matrix(2, 2, lambda i, j: sp.Derivative(f2, w2[i], w2[j]))
    scaled2 = tuple(c * x for x in w2)
    # ∇f(cw): differentiate once, then put cw for w (what Subs(∂f, w, cw) evaluates to; built so, the
    # c-derivative below is of an explicit expression, and factor clears it 4× faster than cancel)
    grad2_cw = grad2.doit().subs(dict(zip(w2, scaled2, strict=True)), simultaneous=True)
    second = "Second check: f(w) = g(w/‖w‖), g an undefined function of n = 2 variables"
    steps += [
        identity(
            c**2 * hess2.applyfunc(lambda e: sp.Subs(e, w2, scaled2)),
            hess2,
            "c²∇²f(cw) = ∇²f(w), with the Hessian differentiated by SymPy",
            case=second,
            sizes="n = 2",
            shown=(c**2 * hess_name(c * w), hess_name(w)),
        ),
        identity(
            grad2_cw.diff(c).subs(c, 1),
            -grad2,
            "∇²f(w)w is the derivative of ∇f along w, d/dc ∇f(cw) at c = 1; it equals −∇f(w)",
            by="factor",
            case=second,
            sizes="n = 2",
            shown=(sp.Subs(sp.Derivative(grad_name(c * w), c), c, 1), -grad_name(w)),
        ),
    ]
    return Derivation(
        "si.gradient",
        (a, b, c, t, _n, w, v, *w3),
        tuple(steps),
        "proved for general n (slice through w and any v)",
        notes=(
            "The slice argument needs f twice differentiable near w ≠ 0 and a > 0, i.e. it works near "
            "the ray through w; it says nothing at w = 0, where a scale-invariant f is not continuous "
            "unless constant.",
            "A linear layer followed by batch normalisation (batch statistics) is scale-invariant in "
            "each row of its weight; followed by layer normalisation, in the whole weight matrix. The ε "
            "inside the normalisation's square root breaks invariance: at cw the layer acts as at w "
            "with ε/c² (theory.scale_invariance.eps_defect_bound).",
        ),
    )


def effective_lr() -> Derivation:
    """si.effective_lr: ``w' = (1 − ηλ)w − η∇f(w)`` on scale-invariant f moves ``u = w/‖w‖`` to
    ``(u − η̂∇f(u))/‖u − η̂∇f(u)‖`` with ``η̂ = η/((1 − ηλ)‖w‖²)``; ``‖w'‖² = (1 − ηλ)²‖w‖² +
    η²‖∇f(u)‖²/‖w‖²``; and ``(w, η, λ) → (cw, c²η, λ/c²)`` scales the iterates by c.

    The idea: si.gradient with c = ‖w‖ turns ``∇f(w)`` into ``∇f(u)/‖w‖``, so the step is a positive
    multiple ((1 − ηλ)‖w‖ > 0 because ηλ < 1) of the sphere step ``u − η̂∇f(u)``; a positive factor
    does not change a direction. ``u`` and ``q = ∇f(u)`` are n×1 matrix symbols (general n).
    """
    eta = sp.Symbol("eta", positive=True)
    lam = sp.Symbol("lambda", nonnegative=True)
    beta = sp.Symbol("beta", positive=True)
    r = sp.Symbol("r", positive=True)
    c = sp.Symbol("c", positive=True)
    gq = sp.Symbol("gamma", nonnegative=True)
    eta_hat = sp.Symbol(r"\hat\eta", positive=True)
    u = sp.MatrixSymbol("u", _n, 1)
    q = sp.MatrixSymbol("q", _n, 1)
    w_new = sp.Function("w'")
    hat = eta / (beta * r**2)
    step = sp.MatAdd(sp.MatMul(beta * r, u), sp.MatMul(-eta / r, q))  # (1 − ηλ)w − η∇f(w), w = ru
    steps: list[Step] = [
        define(
            beta,
            1 - eta * lam,
            "the decay factor; β > 0 is the assumption ηλ < 1 (torch's SGD(weight_decay=λ) scales w by β)",
        ),
        define(
            eta_hat,
            hat,
            "the effective learning rate η/((1 − ηλ)‖w‖²), with r = ‖w‖, u = w/r and q = ∇f(u); "
            "si.gradient (c = r) gives ∇f(w) = q/r and uᵀq = 0",
        ),
        identity(
            step,
            sp.MatMul(beta * r, u - hat * q),
            "w' = βru − (η/r)q = βr(u − η̂q): a multiple of the sphere step u − η̂∇f(u)",
            "matrix",
            shown=(w_new(eta, lam), sp.MatMul(beta * r, u - eta_hat * q, evaluate=False)),
        ),
        holds(
            sp.Gt(beta * r, 0, evaluate=False),
            "the multiple βr = (1 − ηλ)‖w‖ is positive, so w'/‖w'‖ = (u − η̂q)/‖u − η̂q‖: the direction "
            "moves exactly as normalised GD on the sphere with learning rate η̂",
        ),
        identity(
            sp.MatMul(step.T, step),
            sp.MatAdd(
                sp.MatMul(beta**2 * r**2, u.T, u),
                sp.MatMul(-beta * eta, u.T, q),
                sp.MatMul(-beta * eta, q.T, u),
                sp.MatMul(eta**2 / r**2, q.T, q),
            ),
            "‖w'‖² expanded; with uᵀu = 1 and uᵀq = 0 (si.gradient) the cross terms vanish",
            "matrix",
        ),
        identity(
            (beta * r) ** 2 * (1 + hat**2 * gq**2),
            beta**2 * r**2 + eta**2 * gq**2 / r**2,
            "‖w'‖² = (βr)²‖u − η̂q‖² = (βr)²(1 + η̂²‖q‖²) (Pythagoras, γ = ‖∇f(u)‖) = (1 − ηλ)²‖w‖² + "
            "η²‖∇f(u)‖²/‖w‖²",
        ),
        identity(
            sp.Mul(c**2 * eta, lam / c**2, evaluate=False),
            eta * lam,
            "the run (cw₀, c²η, λ/c²) has the same product ηλ, hence the same decay factor β",
        ),
        identity(
            sp.Mul(c**2 * eta, 1 / (beta * sp.Pow(c * r, 2, evaluate=False)), evaluate=False),
            hat,
            "and the same effective learning rate at the scaled norm c‖w‖",
        ),
        identity(
            sp.MatAdd(sp.MatMul(beta * c * r, u), sp.MatMul(-(c**2) * eta / (c * r), q)),
            sp.MatMul(c, step),
            "its step from cw (gradient ∇f(cw) = q/(cr)) is c times the step from w: by induction every "
            "iterate is c·w_t and the directions coincide; η and λ matter only through ηλ and η/‖w‖²",
            "matrix",
        ),
    ]
    return Derivation(
        "si.effective_lr",
        (eta, lam, beta, eta_hat, r, c, gq, _n, u, q),
        tuple(steps),
        "proved for general n",
        {"effective_lr": Result((eta, lam, r), eta / ((1 - eta * lam) * r**2))},
        (
            "The statement is exact for one step and therefore for every step: nothing is expanded in "
            "ηλ or η̂. SGD with mini-batches obeys it too, with ∇f the mini-batch gradient (still "
            "orthogonal to w and of order 1/‖w‖).",
        ),
    )
