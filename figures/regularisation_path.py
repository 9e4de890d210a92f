"""Figure ``regularisation-path``: ridge coefficients against α and GD iterates against 1/(ετ).

A least-squares problem with correlated inputs, ``H = XᵀX/n`` and ``w* = X⁺y``
(:meth:`theory.quadratic.Quadratic.from_regression`). Solid lines: the ridge path
``w̃(α) = Q(Λ + αI)⁻¹ΛQᵀw*`` (l2.eigen, G 7.13). Markers joined by dashes: GD from 0,
``w⁽τ⁾ = Q[I − (I − εΛ)^τ]Qᵀw*`` (es.trajectory, G 7.40), placed at ``α = 1/(ετ)`` (es.approx,
G 7.45). The x axis runs from strong regularisation (large α, few steps) to none, so training time
goes left to right; the top axis gives τ. The paths agree where every λ_i ≪ α (the first steps) and
as α → 0, and part in between, where the single-α rule is only an approximation (es.equivalence):
GD keeps the high-curvature directions sooner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import REFERENCE, new_figure
from theory.quadratic import Quadratic

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "SEED", "THEOREMS", "data", "draw", "problem"]

NAME = "regularisation-path"
DESCRIPTION = "ridge coefficient paths against α and GD iterates against 1/(ετ), on the same axes"
THEOREMS = ("l2.eigen", "es.trajectory", "es.approx", "es.equivalence")
NEEDS_TORCH = False

SEED = 7
#: ε·λ_max: a small step, so that the first iterates sit at α = 1/(ετ) ≫ λ_max
STEP = 0.1
N, D = 60, 5


def problem() -> Quadratic:
    """Least squares on 60 examples with 5 correlated inputs (seeded), as a :class:`Quadratic`."""
    rng = np.random.default_rng(SEED)
    base = rng.standard_normal((N, 1))
    X = 0.75 * base + 0.6 * rng.standard_normal((N, D))
    beta = np.array([2.0, -1.5, 1.0, 0.4, -0.6])
    y = X @ beta + 0.8 * rng.standard_normal(N)
    return Quadratic.from_regression(X, y)


def data() -> dict[str, Any]:
    """Ridge path on a log α grid; GD iterates at log-spaced τ with ε = 0.1/λ_max."""
    q = problem()
    eps = STEP / float(q.eigenvalues[-1])
    alphas = np.logspace(-3, np.log10(1.0 / eps), 241)
    taus = np.unique(np.round(np.logspace(0, 4.6, 40)).astype(int))
    return {
        "alphas": alphas,
        "ridge": q.l2_path(alphas),
        "eps": eps,
        "taus": taus,
        "gd_alpha": 1.0 / (eps * taus),
        "gd": q.gd_iterates(eps, taus),
        "w_star": q.w_star,
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """Both paths, per coefficient one colour; τ on the top axis."""
    fig, ax = new_figure(style, "single", 0.8)
    eps = d["eps"]
    for i in range(d["ridge"].shape[1]):
        ax.semilogx(  # coefficient i: colour i and marker i (filled on ridge, open on GD)
            d["alphas"],
            d["ridge"][:, i],
            color=style.color(i),
            ls="-",
            marker=style.marker(i),
            ms=style.marker_size * 0.6,
            markevery=(4 * i, 24),
        )
        ax.semilogx(
            d["gd_alpha"],
            d["gd"][:, i],
            color=style.color(i),
            ls=(0, (2, 1.5)),
            lw=0.7,
            marker=style.marker(i),
            ms=style.marker_size * 0.6,
            mew=0.4,
            mfc="white",
        )
    ax.axhline(0, color="0.6", lw=0.5, zorder=0, gid=REFERENCE)
    ax.plot(
        [], [], color="k", ls="-", marker="o", ms=style.marker_size * 0.6, label=r"ridge $\tilde w(\alpha)$"
    )
    ax.plot(
        [],
        [],
        color="k",
        ls=(0, (2, 1.5)),
        lw=0.7,
        marker="o",
        ms=style.marker_size * 0.6,
        mfc="white",
        label=r"GD $w^{(\tau)}$ at $\alpha = 1/(\epsilon\tau)$",
    )
    ax.invert_xaxis()
    ax.set_xlabel(r"$\alpha$ (ridge) or $1/(\epsilon\tau)$ (GD)")
    ax.set_ylabel(r"coefficient $w_i$")

    def reciprocal(v: Any) -> Any:  # α ↔ τ = 1/(εα); matplotlib may probe 0 on a log axis
        with np.errstate(divide="ignore"):
            return 1.0 / (eps * np.asarray(v, dtype=float))

    top = ax.secondary_xaxis("top", functions=(reciprocal, reciprocal))
    top.set_xlabel(rf"GD steps $\tau$ ($\epsilon = {STEP:g}/\lambda_{{\max}}$)")
    fig.legend(loc="outside lower center", ncols=2, fontsize=style.small_size)  # the panel is full
    return fig
