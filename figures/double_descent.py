"""Figure ``double-descent``: test risk against n/d for λ = 0 and for optimally tuned ridge.

Features ``x ~ N(0, I_d)``, ``y = xᵀβ + ε``, ``σ² = 1``, ``‖β‖² = 4`` (:mod:`theory.double_descent`).

(a) d = 20: the exact risk of the minimum-norm interpolator, ``σ² + σ²d/(n − d − 1)`` for n ≥ d + 2
and ``σ² + r²(1 − n/d) + σ²n/(d − n − 1)`` for n ≤ d − 2 (infinite in between: the peak at n = d),
with Monte Carlo means and 95 % intervals (1.96 standard errors) over Gaussian designs; and the
Monte Carlo risk of ridge at ``α* = σ²d/(n r²)``, which falls monotonically through n = d (Nakkiran,
Venkat, Kakade & Ma, Thm 1); its designs are nested (size n uses the first n rows of each draw), so
neighbouring points share their randomness and the curve shows the trend, not the noise. Ridgeless
Monte Carlo points are drawn only for ``|n − d| ≥ 4``: closer to the peak the risk has an infinite
variance and a sample mean says nothing.

(b) The proportional limit d, n → ∞, d/n → γ (Marchenko–Pastur; Dobriban & Wager 2018): ridgeless
``σ²/(1 − γ)`` / ``σ² + r²(1 − 1/γ) + σ²/(γ − 1)`` and tuned ``σ² + σ²γm(σ²γ/r²)``, with the d = 20
tuned Monte Carlo points of (a) on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import new_figure, panel_label
from theory import double_descent as dd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "THEOREMS", "D", "data", "draw"]

NAME = "double-descent"
DESCRIPTION = "test risk against n/d: the min-norm interpolator peaks at n = d, tuned ridge decreases"
THEOREMS = ("ridge.double_descent",)
NEEDS_TORCH = False

D = 20
NOISE_VAR = 1.0
BETA_NORM2 = 4.0
DRAWS = 300
SEED = 2021
Z95 = 1.959963984540054  # the 97.5 % normal quantile
YMAX = 12.0
#: sizes with Monte Carlo points
MC_NS = np.array([2, 4, 6, 8, 10, 12, 14, 16, 18, 19, 20, 21, 22, 24, 28, 32, 40, 48, 60])


def data() -> dict[str, Any]:
    """Exact and asymptotic curves, and seeded Monte Carlo means with standard errors."""
    rng = np.random.default_rng(SEED)
    beta = np.zeros(D)
    beta[0] = np.sqrt(BETA_NORM2)
    ns = np.arange(1, 3 * D + 1)
    exact = np.array([dd.min_norm_risk(int(n), D, NOISE_VAR, BETA_NORM2) for n in ns])
    ridgeless_ns = MC_NS[np.abs(MC_NS - D) >= 4]
    ridgeless = [dd.monte_carlo_risk(int(n), D, NOISE_VAR, beta, [0.0], DRAWS, rng) for n in ridgeless_ns]
    tuned = dd.summarise(
        dd.nested_risk_draws(
            D, MC_NS, NOISE_VAR, beta, lambda n: dd.optimal_alpha(n, D, NOISE_VAR, BETA_NORM2), DRAWS, rng
        )
    )
    ratio = np.linspace(0.05, 3.0, 591)  # n/d
    gamma = 1.0 / ratio
    asym_ridgeless = np.array([dd.asymptotic_min_norm_risk(float(g), NOISE_VAR, BETA_NORM2) for g in gamma])
    return {
        "d": D,
        "n": ns,
        "exact_min_norm": exact,
        "ridgeless_n": ridgeless_ns,
        "ridgeless_mean": np.array([float(r.mean[0]) for r in ridgeless]),
        "ridgeless_se": np.array([float(r.stderr[0]) for r in ridgeless]),
        "tuned_n": MC_NS,
        "tuned_mean": tuned.mean,
        "tuned_se": tuned.stderr,
        "ratio": ratio,
        "asym_min_norm": asym_ridgeless,
        "asym_tuned": dd.asymptotic_tuned_risk(gamma, NOISE_VAR, BETA_NORM2),
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) finite d: exact λ = 0 curve, Monte Carlo points; (b) the Marchenko–Pastur limit."""
    fig, (a, b) = new_figure(style, "text", 0.4, 1, 2, sharey=True)
    dim = d["d"]
    x = d["n"] / dim
    exact = np.where(np.isfinite(d["exact_min_norm"]), d["exact_min_norm"], np.nan)  # a gap at the peak
    a.plot(x, exact, color=style.color(0), ls=style.linestyle(0), label=r"$\lambda = 0$, exact $\mathbb{E}R$")
    a.errorbar(
        d["ridgeless_n"] / dim,
        d["ridgeless_mean"],
        yerr=Z95 * d["ridgeless_se"],
        fmt=style.marker(0),
        color=style.color(0),
        ms=style.marker_size - 1,
        capsize=1.5,
        lw=0.8,
        label=r"$\lambda = 0$, Monte Carlo (95 %)",
    )
    a.errorbar(
        d["tuned_n"] / dim,
        d["tuned_mean"],
        yerr=Z95 * d["tuned_se"],
        fmt=style.marker(1),
        color=style.color(1),
        ms=style.marker_size - 1,
        capsize=1.5,
        lw=0.8,
        label=r"tuned $\alpha^*$, Monte Carlo",
    )
    a.set_xlabel(rf"$n/d$   ($d = {dim}$)")
    a.set_ylabel(r"test risk $\sigma^2 + \mathbb{E}\|\hat w - \beta\|^2$")
    a.set_ylim(0.0, YMAX)
    a.axvline(1.0, color="0.6", lw=0.5, zorder=0)
    a.legend(loc="upper right", fontsize=style.small_size - 0.5)
    ratio = d["ratio"]
    b.plot(
        ratio,
        d["asym_min_norm"],
        color=style.color(0),
        ls=style.linestyle(0),
        label=r"$\lambda = 0$ (MP limit)",
    )
    b.plot(ratio, d["asym_tuned"], color=style.color(1), ls=style.linestyle(1), label=r"tuned (MP limit)")
    b.plot(
        d["tuned_n"] / dim,
        d["tuned_mean"],
        style.marker(1),
        color=style.color(1),
        ms=style.marker_size - 1,
        label=rf"tuned, $d = {dim}$",
    )
    b.set_xlabel(r"$n/d = 1/\gamma$")
    b.axvline(1.0, color="0.6", lw=0.5, zorder=0)
    b.legend(loc="upper right", fontsize=style.small_size - 0.5)
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
