"""Figure ``hessian-shrinkage``: weight decay on a trained MLP shrinks along Hessian eigenvectors (G 7.13).

:func:`theory.empirical.hessian.shrinkage_experiment` trains a small tanh MLP to a minimum ``w*`` of a
teacher regression task (full batch, L-BFGS then Newton), computes the Hessian ``H = QΛQᵀ`` at ``w*``
on the full data set (dense, and its top eigenpairs by ARPACK), retrains with weight decay α from
``w*`` and measures ``q_iᵀθ(α)/q_iᵀw*`` along the eigenvectors.

(a) The kept fraction ``q_iᵀθ(α)/q_iᵀw*`` along every eigenvector of the dense ``H(w*)`` against
``λ_i/α``, one marker shape per α, on the prediction ``λ_i/(λ_i + α)`` of the quadratic model
(l2.eigen, G 7.13; the curve is :meth:`theory.quadratic.Quadratic.shrinkage`); black dots are the
top eigenvectors found by ARPACK (at large λ_i/α, kept ≈ 1 as predicted). For α above λ_min the
network leaves the quadratic regime and the points scatter.

(b) The relative error of the quadratic prediction of the move, ``‖θ(α) − w̃(α)‖/‖w* − w̃(α)‖``,
falls like O(α): the network's minimiser and the quadratic model's agree to first order in α
(implicit function theorem).

The draw is ``SEED = 0``, the one ``wdt verify --only l2.eigen --route empirical`` checks (order of
the shift error 0.97 over the last decade, factor error of order ≥ 0.84 along all 37 eigenvectors)
and the README quotes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import new_figure, panel_label
from theory.quadratic import Quadratic

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "SEED", "THEOREMS", "data", "draw"]

NAME = "hessian-shrinkage"
DESCRIPTION = "measured against predicted shrinkage λ/(λ+α) along the Hessian eigenvectors of a trained MLP"
THEOREMS = ("l2.eigen", "l2.optimum")
NEEDS_TORCH = True

SEED = 0


def _sci(v: float) -> str:
    """``5.9\\times 10^{-5}`` (mathtext) for a label."""
    e = int(np.floor(np.log10(abs(v))))
    return rf"{v / 10.0**e:.1f} \times 10^{{{e}}}"


def data() -> dict[str, Any]:
    """Measured and predicted factors along every eigenvector of H(w*) (and the top-k), per α; the
    shift errors; the prediction curve λ/(λ + α) from :meth:`theory.quadratic.Quadratic.shrinkage`."""
    from theory.empirical.hessian import shrinkage_experiment

    r = shrinkage_experiment(seed=SEED)
    ratios = r.all_eigenvalues[None, :] / r.alphas[:, None]
    lo, hi = float(ratios.min()), float(ratios.max())
    x = np.logspace(np.log10(lo) - 0.3, np.log10(hi) + 0.3, 300)
    curve = Quadratic(np.diag(x), np.ones_like(x)).shrinkage(1.0)  # λ/(λ + α) at α = 1
    return {
        "alphas": r.alphas,
        "all_eigenvalues": r.all_eigenvalues,
        "all_ratio": ratios,
        "all_measured": r.all_measured,
        "all_predicted": r.all_predicted,
        "eigenvalues": r.eigenvalues,
        "top_ratio": r.eigenvalues[None, :] / r.alphas[:, None],
        "measured": r.measured,
        "predicted": r.predicted,
        "shift_error": r.shift_error,
        "curve_x": x,
        "curve": curve,
        "n_params": r.n_params,
        "n_samples": r.n_samples,
        "eigsh_residual": r.eigsh_residual,
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) kept fraction against λ_i/α with the prediction; (b) shift error against α."""
    fig, (a, b) = new_figure(style, "text", 0.42, 1, 2, width_ratios=[1.35, 1])
    a.semilogx(
        d["curve_x"],
        d["curve"],
        color="k",
        ls="-",
        lw=0.9,
        zorder=1,
        label=r"predicted $\lambda_i/(\lambda_i + \alpha)$",
    )
    for j, alpha in enumerate(d["alphas"]):
        a.semilogx(
            d["all_ratio"][j],
            d["all_measured"][j],
            ls="none",
            marker=style.marker(j),
            color=style.color(j),
            ms=style.marker_size * 0.9,
            mfc="none",
            mew=0.8,
            label=rf"$\alpha = {_sci(alpha)}$",
        )
    a.semilogx(
        d["top_ratio"].ravel(),
        d["measured"].ravel(),
        ls="none",
        marker="o",
        ms=style.marker_size * 0.5,
        color="k",
        label=f"top {d['eigenvalues'].size} (eigsh)",
    )
    a.set_xlabel(r"$\lambda_i / \alpha$, every eigenvector $q_i$ of $H(w^*)$")
    a.set_ylabel(r"kept fraction $q_i^\top\theta(\alpha) \,/\, q_i^\top w^*$")
    a.set_ylim(-0.7, 1.3)
    a.legend(loc="lower right", fontsize=style.small_size - 1, ncols=1, handlelength=1.2)
    al = d["alphas"]
    b.loglog(al, d["shift_error"], color=style.color(0), ls="-", marker="o", label="measured")
    lam_min = float(d["all_eigenvalues"][0])
    small = al[al <= 0.2 * lam_min]  # the reference slope where the quadratic regime holds
    ref = d["shift_error"][-1] * small / al[-1]
    b.loglog(small, ref, color="0.5", ls="--", lw=0.8, label=r"slope 1: $O(\alpha)$")
    b.axvline(lam_min, color="0.6", lw=0.5, zorder=0)
    b.annotate(
        r"$\alpha = \lambda_{\min}$",
        (lam_min, ref.min()),
        xytext=(-3, 0),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=style.small_size - 1,
        color="0.4",
    )
    b.set_xlabel(r"weight decay $\alpha$")
    b.set_ylabel(r"$\|\theta(\alpha) - \tilde w(\alpha)\| \,/\, \|w^* - \tilde w(\alpha)\|$")
    lo, hi = b.get_ylim()
    b.set_ylim(lo, hi * 10)  # a decade of headroom: the legend sits above the curves
    b.legend(loc="upper left", fontsize=style.small_size - 0.5)
    a.set_title(
        f"MLP, {d['n_params']} parameters, {d['n_samples']} samples", fontsize=style.small_size, loc="right"
    )
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
