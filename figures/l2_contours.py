"""Figure ``l2-contours``: Goodfellow et al. Fig. 7.1, with the whole ridge path.

The solid ellipses are level sets of ``J(w) = ½(w − w*)ᵀH(w − w*)``; the dashed circles are level sets
of the penalty ``(α/2)‖w‖²``. The regularised optimum ``w̃ = (H + αI)⁻¹Hw*`` (l2.optimum, G 7.10) is
where a level set of J touches the circle of radius ``k = ‖w̃‖`` (l2.constraint, G 7.26–7.28). In the
eigenbasis the component along ``q_i`` is scaled by ``λ_i/(λ_i + α)`` (l2.eigen, G 7.13): the
low-curvature direction (here w₁) shrinks far more than the high-curvature one, so the path
``α ↦ w̃(α)`` from w* (α → 0) to 0 (α → ∞) bends towards the steep axis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures._common import objective_grid
from figures.style import new_figure
from theory.quadratic import Quadratic

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "THEOREMS", "data", "draw", "problem"]

NAME = "l2-contours"
DESCRIPTION = "Goodfellow Fig. 7.1: contours of J, L2 circles, w* and w̃, and the ridge path α ∈ (0, ∞)"
THEOREMS = ("l2.optimum", "l2.eigen", "l2.constraint")
NEEDS_TORCH = False

#: the α whose optimum w̃ is marked
ALPHA = 1.0


def problem() -> Quadratic:
    """Diagonal ``H = diag(0.5, 4)`` (w₁ flat, w₂ steep) and ``w* = (2, 1)``, as in G Fig. 7.1."""
    return Quadratic(np.diag([0.5, 4.0]), [2.0, 1.0])


def data() -> dict[str, Any]:
    """The grid of J, w*, w̃(α), the constraint radius ‖w̃‖ and the ridge path, all from theory."""
    q = problem()
    xs = np.linspace(-0.6, 2.6, 161)
    ys = np.linspace(-0.55, 1.45, 101)
    alphas = np.logspace(-3, 3, 241)
    w_tilde = q.l2_optimum(ALPHA)
    return {
        "xs": xs,
        "ys": ys,
        "J": objective_grid(q, xs, ys),
        "w_star": q.w_star,
        "alpha": ALPHA,
        "w_tilde": w_tilde,
        "J_at_w_tilde": q.value(w_tilde),
        "radius": q.constraint_radius(ALPHA),
        "alphas": alphas,
        "path": q.l2_path(alphas),
        "eigenvalues": q.eigenvalues,
        "shrinkage": q.shrinkage(ALPHA),
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """Contours, circles, path and the two marked optima on equal axes."""
    fig, ax = new_figure(style, "single", 0.75)
    blue, red, green = style.color(0), style.color(1), style.color(2)
    j0 = d["J_at_w_tilde"]
    levels = j0 * np.array([0.12, 0.4, 1.0, 1.9, 3.2])
    ax.contour(d["xs"], d["ys"], d["J"], levels=levels, colors=blue, linewidths=0.7, linestyles="-")
    t = np.linspace(0, 2 * np.pi, 361)
    k = d["radius"]
    for r in k * np.array([0.5, 1.0, 1.5]):
        ax.plot(r * np.cos(t), r * np.sin(t), color=red, lw=0.7, ls="--")
    path = d["path"]
    ax.plot(
        path[:, 0],
        path[:, 1],
        color=green,
        lw=style.line_width * 1.3,
        ls="-",
        zorder=3,
        label=r"ridge path $\tilde w(\alpha)$, $\alpha \in (0, \infty)$",
    )
    ax.plot([], [], color=blue, lw=0.7, label=r"contours of $J(w)$")
    ax.plot([], [], color=red, lw=0.7, ls="--", label=r"$\|w\| = $ const")
    ws, wt = d["w_star"], d["w_tilde"]
    ax.plot(*ws, "o", color="k", ms=style.marker_size, zorder=4)
    ax.plot(*wt, "s", color=red, ms=style.marker_size, zorder=4)
    ax.plot(0, 0, "+", color="k", ms=style.marker_size)
    ax.annotate(r"$w^*$", ws, xytext=(4, 3), textcoords="offset points")
    ax.annotate(
        rf"$\tilde w$ ($\alpha = {d['alpha']:g}$)",
        wt,
        xytext=(-5, 5),
        textcoords="offset points",
        ha="right",
        va="bottom",
        bbox={"fc": "white", "ec": "none", "pad": 0.3, "alpha": 0.85},
    )
    ax.annotate(
        r"$\alpha \to \infty$", (0, 0), xytext=(4, -9), textcoords="offset points", fontsize=style.small_size
    )
    ax.set_aspect("equal")
    ax.set_xlim(d["xs"][0], d["xs"][-1])
    ax.set_ylim(d["ys"][0], d["ys"][-1])
    ax.set_xlabel(r"$w_1$ (small $\lambda_1$)")
    ax.set_ylabel(r"$w_2$ (large $\lambda_2$)")
    fig.legend(loc="outside upper center", ncols=2, fontsize=style.small_size)
    return fig
