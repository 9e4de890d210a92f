"""Derivations of noise.tikhonov and dropout.ridge: expectations over the noise, by ``sympy.stats``.

The identities are linear in the examples (a sum of per-example terms), and each expectation is of a
polynomial in independent random variables, so ``sympy.stats.E`` of the expanded expression is exact.
The general-d step of input noise uses only the first two moments; the explicit checks expand every
product for d = 3 inputs (input noise, "checked for d ≤ 3") and a 2×2 design (dropout, "checked for
n, d ≤ 2").
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import Bernoulli, Normal

from proofs.framework import Derivation, Result, expectation, identity

__all__ = ["dropout", "input_noise"]


def input_noise() -> Derivation:
    """noise.tikhonov: ``E (1/n)‖y − (X + Ξ)w‖² = (1/n)‖y − Xw‖² + s²‖w‖²`` for iid noise of mean 0 and
    variance s² (Bishop, Neural Computation 1995)."""
    d = 3
    s = sp.Symbol("s", positive=True)
    y = sp.Symbol("y", real=True)
    r = sp.Symbol("r", real=True)
    m1, m2 = sp.symbols(r"\mathbb{E}[u] \mathbb{E}[u^2]", real=True)
    x = sp.symbols(f"x_1:{d + 1}", real=True)
    w = sp.symbols(f"w_1:{d + 1}", real=True)
    xi = [Normal(f"xi_{i + 1}", 0, s) for i in range(d)]
    fit = y - sum(xi_ * wi for xi_, wi in zip(x, w, strict=True))
    noisy = y - sum((xi_ + e) * wi for xi_, e, wi in zip(x, xi, w, strict=True))
    norm2 = sum(wi**2 for wi in w)
    general = "General d: one example, r = y − xᵀw, u = ξᵀw"
    explicit = "Explicit d = 3 with ξ_i ~ N(0, s²) independent"
    u = sp.Symbol("u", real=True)
    q = sp.Symbol("q", nonnegative=True)
    steps = (
        identity(
            (r - u) ** 2, r**2 - 2 * r * u + u**2, "expand the per-example loss", "expand", case=general
        ),
        identity(
            sp.Subs(r**2 - 2 * r * m1 + m2, (m1, m2), (0, s**2 * q)),
            r**2 + s**2 * q,
            "take expectations term by term: E[u] = E[ξ]ᵀw = 0 and E[u²] = wᵀ(s²I)w = s²q with "
            "q = ‖w‖²: the penalty s²‖w‖²",
            case=general,
        ),
        expectation(
            noisy**2,
            fit**2 + s**2 * norm2,
            "the same, expanding every product of the noise",
            case=explicit,
            sizes="d = 3",
        ),
    )
    return Derivation(
        "noise.tikhonov",
        (s, y, *x, *w, r, u, q, m1, m2),
        steps,
        "checked for d = 3 (every product expanded); general d from the two moments E[u] = 0, "
        "E[u²] = s²‖w‖², substituted in step 2",
        {"expected_loss": Result((*x, y, *w, s), fit**2 + s**2 * norm2)},
        (
            "Averaging the per-example identity over n examples gives the mean form of the statement; "
            "s² here is 2 × (λ/2) on the mean squared error, i.e. the canonical λ = s² after halving.",
        ),
    )


def dropout() -> Derivation:
    """dropout.ridge: ``E‖y − (R∘X)w‖² = ‖y − pXw‖² + p(1 − p)‖Γw‖²``, ``Γ = diag(XᵀX)^{1/2}``, R_ij
    iid Bernoulli(p) (Srivastava et al., JMLR 2014, §9.1); with PyTorch's rescaling by 1/p,
    ``‖y − Xw‖² + ((1 − p)/p)‖Γw‖²``."""
    p = sp.Symbol("p", positive=True)
    X = sp.Matrix(2, 2, sp.symbols("x_11 x_12 x_21 x_22", real=True))
    y = sp.Matrix(sp.symbols("y_1 y_2", real=True))
    w = sp.Matrix(sp.symbols("w_1 w_2", real=True))
    R = sp.Matrix(2, 2, [Bernoulli(f"R_{i}{j}", p) for i in (1, 2) for j in (1, 2)])
    masked = y - R.multiply_elementwise(X) * w
    gamma2 = [sum(X[i, j] ** 2 for i in range(2)) for j in range(2)]  # diag(XᵀX)
    penalty = sum(g * wj**2 for g, wj in zip(gamma2, w, strict=True))
    keep = (y - p * X * w).dot(y - p * X * w) + p * (1 - p) * penalty
    rescaled = (y - X * w).dot(y - X * w) + (1 - p) / p * penalty
    steps = (
        expectation(
            masked.dot(masked),
            keep,
            "E R = E R² = p and independence: the mean fit plus p(1 − p) Σ_j (XᵀX)_jj w_j²",
            sizes="n = d = 2",
        ),
        expectation(
            (y - R.multiply_elementwise(X) * w / p).dot(y - R.multiply_elementwise(X) * w / p),
            rescaled,
            "PyTorch rescales kept units by 1/p: penalty ((1 − p)/p)‖Γw‖² on the unscaled fit",
            sizes="n = d = 2",
        ),
    )
    args = (*X, *y, *w, p)
    return Derivation(
        "dropout.ridge",
        (p, *X, *y, *w),
        steps,
        "checked for n, d ≤ 2",
        {"expected_loss": Result(args, keep), "expected_loss_rescaled": Result(args, rescaled)},
        (
            "p is the keep probability; PyTorch's Dropout(q) drops with probability q = 1 − p.",
            "Both sides are sums over examples and features of the same per-entry terms, so the 2×2 "
            "check exercises every kind of term (squares, cross terms within a row, the Γ sum over rows).",
        ),
    )
