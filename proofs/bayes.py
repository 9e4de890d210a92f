"""Derivations of bayes.gaussian and bayes.laplace: a prior is a penalty, MAP is penalised fitting.

Log densities are written with every constant. ``R = ‖Xw − y‖²`` and ``q = ‖w‖²`` are kept as
non-negative scalars: the densities depend on w only through them, so the steps hold for every n and
d. The posterior mean is computed per eigendirection of XᵀX (λ_i, with ``b_i`` the coordinate of
Xᵀy), where the Gaussian posterior factorises.
"""

from __future__ import annotations

import sympy as sp

from proofs.framework import Derivation, Result, identity, solve

__all__ = ["gaussian", "laplace"]


def gaussian() -> Derivation:
    """bayes.gaussian: ``y ~ N(Xw, σ²I)``, ``w ~ N(0, s²I)`` ⇒ MAP = posterior mean = ridge with
    ``α = σ²/s²`` on the ½-SSE scale, ``σ²/(n s²)`` on the canonical mean scale (G 5.79; ESL 3.4.1)."""
    sigma2 = sp.Symbol("sigma^2", positive=True)
    s2 = sp.Symbol("s^2", positive=True)
    n = sp.Symbol("n", integer=True, positive=True)
    d = sp.Symbol("d", integer=True, positive=True)
    R = sp.Symbol("R", nonnegative=True)
    q = sp.Symbol("q", nonnegative=True)
    lam = sp.Symbol("lambda_i", nonnegative=True)
    b = sp.Symbol("b_i", real=True)
    z = sp.Symbol("z_i", real=True)
    alpha = sigma2 / s2
    log_lik = -R / (2 * sigma2) - n / 2 * sp.log(2 * sp.pi * sigma2)
    log_prior = -q / (2 * s2) - d / 2 * sp.log(2 * sp.pi * s2)
    const = n * sigma2 / 2 * sp.log(2 * sp.pi * sigma2) + d * sigma2 / 2 * sp.log(2 * sp.pi * s2)
    precision = lam / sigma2 + 1 / s2
    mean = b / (sigma2 * precision)
    post = "Posterior along eigendirection i of XᵀX"
    steps = (
        identity(
            sp.log((2 * sp.pi * sigma2) ** (-n / 2) * sp.exp(-R / (2 * sigma2))),
            log_lik,
            "log N(y; Xw, σ²I) with R = ‖Xw − y‖²",
            "expand_log",
        ),
        identity(
            sp.log((2 * sp.pi * s2) ** (-d / 2) * sp.exp(-q / (2 * s2))),
            log_prior,
            "log N(w; 0, s²I) with q = ‖w‖² (G 5.79)",
            "expand_log",
        ),
        identity(
            -sigma2 * (log_lik + log_prior),
            R / 2 + alpha / 2 * q + const,
            "−σ² log p(w | y) = ½‖Xw − y‖² + (α/2)‖w‖² + const with α = σ²/s²: MAP is ridge "
            "(l2.ridge, ½-SSE convention)",
            "expand",
        ),
        identity(
            (R / 2 + alpha / 2 * q) / n,
            R / (2 * n) + sigma2 / (n * s2) / 2 * q,
            "divided by n: the canonical mean scale has α = σ²/(n s²)",
            "expand",
        ),
        identity(
            -(lam * z**2 - 2 * b * z) / (2 * sigma2) - z**2 / (2 * s2),
            -precision / 2 * (z - mean) ** 2 + precision / 2 * mean**2,
            "completing the square: the posterior of z_i is Gaussian with precision λ_i/σ² + 1/s²",
            case=post,
        ),
        solve(
            z,
            -(lam * z - b) / sigma2 - z / s2,
            mean,
            "its mode (the MAP) solves the stationarity condition ...",
            case=post,
        ),
        identity(
            mean,
            b / (lam + alpha),
            "... and equals its mean: MAP = E[w | y] = (XᵀX + (σ²/s²)I)⁻¹Xᵀy",
            case=post,
        ),
    )
    return Derivation(
        "bayes.gaussian",
        (sigma2, s2, n, d, R, q, lam, b, z),
        steps,
        "proved for general n",
        {
            "alpha": Result((sigma2, s2), alpha),
            "log_prior": Result((q, d, s2), log_prior),
            "posterior_mean": Result((lam, b, sigma2, s2), b / (lam + alpha)),
        },
        (
            "R = ‖Xw − y‖², q = ‖w‖²; λ_i and b_i are the eigenvalues of XᵀX and the coordinates of Xᵀy in "
            "its eigenbasis.",
        ),
    )


def laplace() -> Derivation:
    """bayes.laplace: ``log Π_i Laplace(w_i; 0, 1/α) = −α‖w‖₁ + d log α − d log 2``; MAP = L1
    (G 7.24, 3.26)."""
    alpha = sp.Symbol("alpha", positive=True)
    d = sp.Symbol("d", integer=True, positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    x = sp.Symbol("x", real=True)
    J = sp.Symbol("J", real=True)
    w = sp.IndexedBase("w", real=True)
    l1 = sp.Sum(sp.Abs(w[i]), (i, 1, d))
    density = alpha / 2 * sp.exp(-alpha * sp.Abs(x))
    per_coordinate = -alpha * sp.Abs(w[i]) + sp.log(alpha) - sp.log(2)
    log_prior = -alpha * l1 + d * sp.log(alpha) - d * sp.log(2)
    steps = (
        identity(
            sp.Integral(density, (x, -sp.oo, sp.oo)),
            1,
            "Laplace(x; 0, b) = exp(−|x|/b)/(2b) with b = 1/α is a density (G 3.26)",
        ),
        identity(
            sp.log(alpha / 2 * sp.exp(-alpha * sp.Abs(w[i]))),
            per_coordinate,
            "its log at w_i, every constant kept",
            "expand_log",
        ),
        identity(
            sp.Sum(per_coordinate, (i, 1, d)),
            log_prior,
            "independent coordinates: the log prior is the sum (G 7.24)",
            "expand_sum",
        ),
        identity(
            sp.Mul(-1, -J + log_prior, evaluate=False),
            J + alpha * l1 - d * sp.log(alpha) + d * sp.log(2),
            "−log p(w | y) = J(w) + α‖w‖₁ + const with J = −log p(y | w): MAP is the L1 optimum",
            "expand",
        ),
    )
    return Derivation(
        "bayes.laplace",
        (alpha, d, i, w, x, J),
        steps,
        "proved for general n",
        {
            "log_prior": Result(
                (sp.Symbol("L1"), d, alpha), -alpha * sp.Symbol("L1") + d * sp.log(alpha) - d * sp.log(2)
            )
        },
        ("d is the number of coordinates of w; ‖w‖₁ = Σ_i |w_i|.",),
    )
