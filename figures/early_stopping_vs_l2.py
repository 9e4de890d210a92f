"""Figure ``early-stopping-vs-l2``: Goodfellow et al. Fig. 7.4, made exact.

Gradient descent from ``w⁽⁰⁾ = 0`` with step ε follows ``w⁽τ⁾ = Q[I − (I − εΛ)^τ]Qᵀw*``
(es.trajectory, G 7.40). It is *exactly* a ridge solution only with one penalty per eigendirection,
``α_i = λ_i(1 − ελ_i)^τ / (1 − (1 − ελ_i)^τ)`` (es.equivalence, G 7.41–7.43): the generalised ridge
with these α_i lands on the GD iterate. The textbook rule ``α ≈ 1/(ετ)`` (es.approx, G 7.45) picks a
point on the ordinary ridge path instead; the dotted segments show how far it is from the iterate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures._common import objective_grid
from figures.l2_contours import problem
from figures.style import new_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "EPS", "MATCHED_TAUS", "NAME", "NEEDS_TORCH", "THEOREMS", "data", "draw"]

NAME = "early-stopping-vs-l2"
DESCRIPTION = "Goodfellow Fig. 7.4: GD from 0 beside the ridge path, matched by the exact α_i and by 1/(ετ)"
THEOREMS = ("es.trajectory", "es.equivalence", "es.approx")
NEEDS_TORCH = False

#: step size: ελ ∈ {0.05, 0.4} for H = diag(0.5, 4)
EPS = 0.1
#: the iterates matched to ridge solutions
MATCHED_TAUS = (2, 6, 20)


def data() -> dict[str, Any]:
    """Trajectory, ridge path, and for each matched τ: the iterate, its exact α_i and both ridge points."""
    q = problem()
    xs = np.linspace(-0.25, 2.25, 126)
    ys = np.linspace(-0.15, 1.2, 69)
    taus = np.arange(0, 61)
    alphas = np.logspace(-3, 3, 241)
    matched = np.array(MATCHED_TAUS)
    exact_alphas = np.stack([q.early_stopping_alpha(EPS, int(t)) for t in matched])
    rule_alphas = 1.0 / (EPS * matched)
    return {
        "xs": xs,
        "ys": ys,
        "J": objective_grid(q, xs, ys),
        "w_star": q.w_star,
        "eps": EPS,
        "taus": taus,
        "trajectory": q.gd_iterates(EPS, taus),
        "alphas": alphas,
        "path": q.l2_path(alphas),
        "matched_taus": matched,
        "gd_points": q.gd_iterates(EPS, matched),
        "exact_alphas": exact_alphas,
        "exact_points": np.stack([q.generalized_ridge(a) for a in exact_alphas]),
        "rule_alphas": rule_alphas,
        "rule_points": q.l2_path(rule_alphas),
        "eigenvalues": q.eigenvalues,
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """Trajectory and ridge path over the contours of J, with the matched points joined."""
    fig, ax = new_figure(style, "single", 0.75)
    blue, red, green = style.color(0), style.color(1), style.color(2)
    levels = np.array([0.02, 0.12, 0.4, 1.0, 2.0])
    ax.contour(d["xs"], d["ys"], d["J"], levels=levels, colors="0.75", linewidths=0.6, linestyles="-")
    path, traj = d["path"], d["trajectory"]
    ax.plot(
        path[:, 0],
        path[:, 1],
        color=green,
        ls="-",
        lw=style.line_width * 1.2,
        label=r"ridge path $\tilde w(\alpha)$",
    )
    ax.plot(
        traj[:, 0],
        traj[:, 1],
        color=blue,
        ls="--",
        marker="o",
        ms=style.marker_size * 0.45,
        label=rf"GD from 0, $\epsilon = {d['eps']:g}$",
    )
    ax.plot(
        *d["exact_points"].T,
        ls="none",
        marker="o",
        ms=style.marker_size * 1.9,
        mfc="none",
        mec="k",
        mew=0.8,
        label=r"ridge with exact $\alpha_i$ (= GD)",
    )
    ax.plot(
        *d["rule_points"].T,
        ls="none",
        marker="s",
        ms=style.marker_size,
        color=red,
        label=r"ridge with $\alpha = 1/(\epsilon\tau)$",
    )
    for g, r, t, a in zip(
        d["gd_points"], d["rule_points"], d["matched_taus"], d["exact_alphas"], strict=True
    ):
        ax.plot([g[0], r[0]], [g[1], r[1]], color=red, ls=":", lw=0.9)
        ax.annotate(
            rf"$\tau = {t}$: $\alpha_i = {a[0]:.2g}, {a[1]:.2g}$"
            "\n"
            rf"$1/(\epsilon\tau) = {1 / (d['eps'] * t):.3g}$",
            r,
            xytext=(5, -3),
            textcoords="offset points",
            va="top",
            fontsize=style.small_size - 1,
            linespacing=1.1,
        )
    ax.plot(*d["w_star"], "*", color="k", ms=style.marker_size * 1.8)
    ax.annotate(r"$w^*$", d["w_star"], xytext=(4, 4), textcoords="offset points")
    ax.set_aspect("equal")
    ax.set_xlim(d["xs"][0], d["xs"][-1])
    ax.set_ylim(d["ys"][0], d["ys"][-1])
    ax.set_xlabel(r"$w_1$ ($\lambda_1 = {:g}$)".format(d["eigenvalues"][0]))
    ax.set_ylabel(r"$w_2$ ($\lambda_2 = {:g}$)".format(d["eigenvalues"][1]))
    fig.legend(loc="outside upper center", ncols=2, fontsize=style.small_size)
    return fig
