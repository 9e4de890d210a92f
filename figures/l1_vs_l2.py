"""Figure ``l1-vs-l2``: L1 zeroes coefficients, L2 only scales them.

(a) One coefficient, ``H = 1``: the L1 optimum is the soft threshold
``sign(w*) max(|w*| − α/H, 0)`` (l1.soft_threshold, G 7.22–7.23), zero on ``|w*| ≤ α/H``; the L2
optimum is ``H w*/(H + α)`` (l2.eigen, G 7.13), never zero unless ``w* = 0``.

(b) Geometry, diagonal ``H``: the L1 optimum is where a level set of J first touches the diamond
``‖w‖₁ = k₁``, often at a corner (a zero coordinate); the L2 optimum is where one touches the circle
``‖w‖ = k₂`` (l2.constraint), at a point with no zero coordinate.

(c) Along the path: the L1 coefficients ``w_i(α)`` (solid) leave one by one, at ``α = H_ii|w*_i|``;
the L2 coefficients (dashed, same colour and marker, open) shrink smoothly and stay non-zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures._common import objective_grid
from figures.style import REFERENCE, new_figure, panel_label
from theory.quadratic import Quadratic

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "THEOREMS", "data", "draw"]

NAME = "l1-vs-l2"
DESCRIPTION = "soft threshold against proportional shrinkage, diamond and circle, sparsity along the path"
THEOREMS = ("l1.soft_threshold", "l2.eigen", "l2.constraint")
NEEDS_TORCH = False

#: (a): penalty for both
ALPHA_1D = 1.0
#: (b): diagonal H and w*; both penalties
GEOMETRY_H = (1.0, 1.5)
GEOMETRY_W = (2.0, 0.6)
GEOMETRY_ALPHA = 1.0
#: (c): a diagonal problem with five coefficients
PATH_H = (2.0, 1.0, 0.5, 1.5, 3.0)
PATH_W = (1.5, -1.2, 2.4, 0.5, -0.3)


def data() -> dict[str, Any]:
    """(a) both optima over a grid of w*; (b) the 2-d geometry; (c) L1 and L2 paths over α."""
    w_grid = np.linspace(-3.0, 3.0, 241)
    q1 = Quadratic(np.eye(w_grid.size), w_grid)
    qg = Quadratic(np.diag(GEOMETRY_H), GEOMETRY_W)
    w_l1 = qg.l1_optimum(GEOMETRY_ALPHA)
    w_l2 = qg.l2_optimum(GEOMETRY_ALPHA)
    xs = np.linspace(-1.3, 2.7, 161)
    ys = np.linspace(-1.2, 1.4, 105)
    qp = Quadratic(np.diag(PATH_H), PATH_W)
    alphas = np.logspace(-2, 1, 181)
    return {
        "w_grid": w_grid,
        "alpha_1d": ALPHA_1D,
        "l1_1d": q1.l1_optimum(ALPHA_1D),
        "l2_1d": q1.l2_optimum(ALPHA_1D),
        "xs": xs,
        "ys": ys,
        "J": objective_grid(qg, xs, ys),
        "geometry_w_star": qg.w_star,
        "geometry_alpha": GEOMETRY_ALPHA,
        "w_l1": w_l1,
        "w_l2": w_l2,
        "J_l1": qg.value(w_l1),
        "J_l2": qg.value(w_l2),
        "radius_l2": qg.constraint_radius(GEOMETRY_ALPHA),
        "alphas": alphas,
        "l1_path": np.stack([qp.l1_optimum(a) for a in alphas]),
        "l2_path": np.stack([qp.l2_optimum(a) for a in alphas]),
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """Three panels side by side at double-column width."""
    fig, (a, b, c) = new_figure(style, "double", 0.3, 1, 3, width_ratios=[1, 1.15, 1.25])
    blue, red = style.color(0), style.color(1)
    w = d["w_grid"]
    a.plot(w, w, color="0.6", lw=0.6, ls=":", label=r"$w^*$ (no penalty)")
    a.plot(w, d["l1_1d"], color=red, ls="-", label="L1: soft threshold")
    a.plot(w, d["l2_1d"], color=blue, ls="--", label=r"L2: $\frac{H}{H+\alpha}w^*$")
    th = d["alpha_1d"]
    a.axvspan(-th, th, ymax=0.5, color=red, alpha=0.08, lw=0)  # below the legend
    a.annotate(
        r"$|w^*| \leq \alpha/H$" "\n" r"$\Rightarrow w_{L1} = 0$",
        (0.15, -2.0),  # low and right: the dotted w* diagonal passes the upper left
        ha="center",
        fontsize=style.small_size - 1,
        color=red,
    )
    a.set_xlabel(r"$w^*$")
    a.set_ylabel(r"regularised optimum $w$")
    a.set_aspect("equal")
    a.set_xlim(w[0], w[-1])
    a.set_ylim(w[0], w[-1])
    a.legend(loc="upper left", fontsize=style.small_size - 1, handlelength=1.8)

    b.contour(d["xs"], d["ys"], d["J"], levels=sorted([d["J_l1"], d["J_l2"]]), colors="0.55", linewidths=0.7)
    b.contour(d["xs"], d["ys"], d["J"], levels=[0.05, 0.3], colors="0.8", linewidths=0.5)
    k1 = float(np.sum(np.abs(d["w_l1"])))
    from matplotlib.colors import to_rgba

    b.fill([k1, 0, -k1, 0], [0, k1, 0, -k1], facecolor=to_rgba(red, 0.12), edgecolor=red, lw=1.0)
    t = np.linspace(0, 2 * np.pi, 361)
    k2 = d["radius_l2"]
    b.plot(k2 * np.cos(t), k2 * np.sin(t), color=blue, ls="--", lw=1.0)
    b.plot(*d["w_l1"], "o", color=red, ms=style.marker_size, zorder=4)
    b.plot(*d["w_l2"], "s", color=blue, ms=style.marker_size, zorder=4)
    b.plot(*d["geometry_w_star"], "*", color="k", ms=style.marker_size * 1.6)
    b.annotate(r"$w^*$", d["geometry_w_star"], xytext=(4, 2), textcoords="offset points")
    box = {"fc": "white", "ec": "none", "pad": 0.2, "alpha": 0.85}
    b.annotate(
        r"$w_{L1}$: $w_2 = 0$",
        d["w_l1"],
        xytext=(-3, -4),
        textcoords="offset points",
        color=red,
        fontsize=style.small_size,
        ha="right",
        va="top",
        bbox=box,
    )
    b.annotate(
        r"$w_{L2}$",
        d["w_l2"],
        xytext=(-3, 3),
        textcoords="offset points",
        color=blue,
        fontsize=style.small_size,
        ha="right",
        va="bottom",
        bbox=box,
    )
    b.axhline(0, color="0.7", lw=0.4, zorder=0)
    b.axvline(0, color="0.7", lw=0.4, zorder=0)
    b.set_aspect("equal")
    b.set_xlim(d["xs"][0], d["xs"][-1])
    b.set_ylim(d["ys"][0], d["ys"][-1])
    b.set_xlabel(r"$w_1$")
    b.set_ylabel(r"$w_2$")

    al = d["alphas"]
    for i in range(d["l1_path"].shape[1]):
        # one marker per coefficient (L1 filled, L2 open), so the pairs read in greyscale too
        every = (3 * i, 30)
        mark = {"marker": style.marker(i), "ms": style.marker_size * 0.8, "markevery": every}
        c.semilogx(al, d["l1_path"][:, i], color=style.color(i), ls="-", **mark)
        c.semilogx(
            al,
            d["l2_path"][:, i],
            color=style.color(i),
            ls="--",
            lw=style.line_width * 0.7,
            mfc="white",
            **mark,
        )
    c.axhline(0, color="0.6", lw=0.5, zorder=0, gid=REFERENCE)
    c.plot([], [], color="k", ls="-", marker="o", ms=style.marker_size * 0.8, label="L1")
    c.plot(
        [],
        [],
        color="k",
        ls="--",
        lw=style.line_width * 0.7,
        marker="o",
        mfc="white",
        ms=style.marker_size * 0.8,
        label="L2",
    )
    c.set_xlabel(r"$\alpha$")
    c.set_ylabel(r"$w_i(\alpha)$")
    c.set_xlim(al[0], al[-1])
    c.legend(loc="upper right", fontsize=style.small_size - 0.5, ncols=2)
    for ax, label in zip((a, b, c), "abc", strict=True):
        panel_label(ax, label, style)
    return fig
