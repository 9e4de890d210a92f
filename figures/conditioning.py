"""Figure ``conditioning``: what weight decay buys gradient descent (speed) and what it costs (bias).

On ``H = diag(λ)`` with 20 eigenvalues log-spaced over [10⁻², 1] (κ(H) = 100) and ``w*`` along the
high-curvature directions (``c_i ∝ λ_i``, ‖w*‖ = 1), from ``w⁽⁰⁾ = 0`` (l2.conditioning):

- (a) ``κ_α = (λ_max + α)/(λ_min + α)`` and the steps per e-fold of the error at the optimal step,
  ``1/log(1/ρ_α) ≈ κ_α/2``, against α;
- (b) the rate ``ρ_α = (κ_α − 1)/(κ_α + 1)`` falls while the bias ``‖w̃(α) − w*‖`` rises;
- (c) the exact number of GD steps at ε*(α) after which ``‖w_k − w*‖ ≤ δ`` for good, against the bias
  it pays: it first falls (better conditioning) and then diverges as the bias approaches δ; beyond
  :func:`theory.conditioning.max_useful_alpha` the tolerance is out of reach.

Every value is a call into :mod:`theory.conditioning`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import REFERENCE, new_figure, panel_label
from theory import conditioning
from theory.quadratic import Quadratic

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["ALPHAS", "DELTAS", "DESCRIPTION", "NAME", "NEEDS_TORCH", "THEOREMS", "data", "draw", "problem"]

NAME = "conditioning"
DESCRIPTION = "κ(H + αI) and GD's rate fall with α while the bias rises; steps to reach δ against the bias"
THEOREMS = ("l2.conditioning", "l2.eigen", "gd.stability")
NEEDS_TORCH = False

#: the α grid (λ_min = 10⁻², λ_max = 1)
ALPHAS = np.logspace(-4, 1, 101)
#: tolerances δ on ‖w_k − w*‖ (‖w*‖ = 1)
DELTAS = (0.05, 0.1, 0.2)


def problem() -> Quadratic:
    """``H = diag(λ)``, λ log-spaced over [10⁻², 1] (20 values), ``w* = λ/‖λ‖``."""
    lam = np.logspace(-2, 0, 20)
    return Quadratic(np.diag(lam), lam / np.linalg.norm(lam))


def data() -> dict[str, Any]:
    """κ_α, ρ_α and the bias on :data:`ALPHAS`; per δ, the steps to reach δ on a grid from α = 0 up to
    (and closing in on) :func:`~theory.conditioning.max_useful_alpha`, with the bias there."""
    q = problem()
    alphas = ALPHAS
    rho = np.array([conditioning.optimal_rate(q, a) for a in alphas])
    steps = {}
    for delta in DELTAS:
        a_max = conditioning.max_useful_alpha(q, delta)
        # the grid below α_max, then closing in on it: the count grows like log(1/(δ − bias))
        grid = np.concatenate([[0.0], alphas[alphas < 0.9 * a_max], a_max * (1.0 - np.logspace(-1, -8, 15))])
        steps[delta] = {
            "alphas": grid,
            "bias": np.array([conditioning.bias_norm(q, a) for a in grid]),
            "steps": np.array([conditioning.iterations_to_tolerance(q, a, delta) for a in grid]),
            "alpha_max": a_max,
        }
    return {
        "alphas": alphas,
        "kappa": np.array([conditioning.shifted_condition_number(q, a) for a in alphas]),
        "rho": rho,
        "efold": -1.0 / np.log(rho),
        "bias": np.array([conditioning.bias_norm(q, a) for a in alphas]),
        "w_star_norm": float(np.linalg.norm(q.w_star)),
        "steps": steps,
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) κ_α and steps per e-fold; (b) ρ_α and the bias; (c) steps to δ against the bias."""
    fig, (a, b, c) = new_figure(style, "text", 0.36, 1, 3)
    x = d["alphas"]
    a.loglog(x, d["kappa"], color=style.color(0), ls=style.linestyle(0), label=r"$\kappa_\alpha$")
    a.loglog(x, d["efold"], color=style.color(1), ls=style.linestyle(1), label=r"$1/\log(1/\rho_\alpha)$")
    a.set_xlabel(r"$\alpha$")
    a.set_ylabel("condition / steps per e-fold")
    a.legend(loc="lower left", fontsize=style.small_size - 0.5)
    b.semilogx(x, d["rho"], color=style.color(0), ls=style.linestyle(0), label=r"rate $\rho_\alpha$")
    b.semilogx(
        x,
        d["bias"] / d["w_star_norm"],
        color=style.color(2),
        ls=style.linestyle(2),
        label=r"$\|\tilde w - w^*\| / \|w^*\|$",
    )
    b.set_xlabel(r"$\alpha$")
    b.set_ylabel("rate / relative bias")
    b.set_ylim(0, 1.05)
    # direct labels beside each curve's flat part (a legend box would cross one of the curves)
    size = style.small_size - 0.5
    b.annotate(
        r"rate $\rho_\alpha$", (x[0], d["rho"][0]), xytext=(2, -4), textcoords="offset points",
        va="top", fontsize=size, color=style.color(0),
    )  # fmt: skip
    b.annotate(
        "relative bias", (x[0], 0.1), xytext=(2, 0), textcoords="offset points",  # clear of its rise
        va="bottom", fontsize=size, color=style.color(2),
    )  # fmt: skip
    for i, (delta, s) in enumerate(d["steps"].items()):
        c.semilogy(
            s["bias"],
            s["steps"],
            color=style.color(i + 3),
            ls=style.linestyle(i),
            label=rf"$\delta = {delta}$",
        )
        c.axvline(delta, color=style.color(i + 3), lw=0.6, ls=":", zorder=0, gid=REFERENCE)
    c.set_xlabel(r"bias $\|\tilde w(\alpha) - w^*\|$")
    c.set_ylabel(r"steps until $\|w_k - w^*\| \leq \delta$")
    c.set_xlim(0, 1.1 * max(d["steps"]))
    c.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=style.small_size - 0.5)  # outside
    for ax, label in zip((a, b, c), "abc", strict=True):
        panel_label(ax, label, style)
    return fig
