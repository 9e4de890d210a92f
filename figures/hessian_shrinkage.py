"""Figure ``hessian-shrinkage``: weight decay on a trained MLP shrinks along Hessian eigenvectors (G 7.13).

:func:`theory.empirical.hessian.shrinkage_experiment` trains a small tanh MLP to a minimum ``w*`` of a
teacher regression task (full batch, L-BFGS then Newton), computes the Hessian ``H = QΛQᵀ`` at ``w*``
on the full data set (dense, and its top eigenpairs by ARPACK), retrains with weight decay α from
``w*`` and measures ``q_iᵀθ(α)/q_iᵀw*`` along the top eigenvectors.

(a) The removed fraction ``1 − q_iᵀθ(α)/q_iᵀw*`` against ``λ_i/α``, one marker per (α, i), on the
prediction ``α/(λ_i + α)`` of the quadratic model (l2.eigen, G 7.13; the curve is
:meth:`theory.quadratic.Quadratic.shrinkage`). (b) The relative error of the quadratic prediction of
the move, ``‖θ(α) − w̃(α)‖/‖w* − w̃(α)‖``, falls like O(α): the network's minimiser and the quadratic
model's agree to first order in α (implicit function theorem).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures._common import new_figure, panel_label
from theory.quadratic import Quadratic

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "SEED", "THEOREMS", "data", "draw"]

NAME = "hessian-shrinkage"
DESCRIPTION = "measured against predicted shrinkage λ/(λ+α) along top Hessian eigenvectors of a trained MLP"
THEOREMS = ("l2.eigen", "l2.optimum")
NEEDS_TORCH = True

SEED = 0


def data() -> dict[str, Any]:
    """The experiment's measured and predicted factors, its shift errors, and the prediction curve."""
    from theory.empirical.hessian import shrinkage_experiment

    r = shrinkage_experiment(seed=SEED)
    ratios = r.eigenvalues[None, :] / r.alphas[:, None]
    lo, hi = float(ratios.min()), float(ratios.max())
    x = np.logspace(np.log10(lo) - 0.3, np.log10(hi) + 0.3, 200)
    curve = Quadratic(np.diag(x), np.ones_like(x)).shrinkage(1.0)  # λ/(λ + α) at α = 1
    return {
        "alphas": r.alphas,
        "eigenvalues": r.eigenvalues,
        "ratio": ratios,
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
    """(a) removed fraction against λ_i/α with the prediction; (b) shift error against α."""
    fig, (a, b) = new_figure(style, "text", 0.42, 1, 2)
    a.loglog(d["curve_x"], 1.0 - d["curve"], color="k", ls="-", lw=0.9,
             label=r"predicted $\alpha/(\lambda_i + \alpha)$")
    for j, alpha in enumerate(d["alphas"]):
        a.loglog(d["ratio"][j], 1.0 - d["measured"][j], ls="none", marker=style.marker(j),
                 color=style.color(j), ms=style.marker_size * 1.1, mfc="none", mew=0.9,
                 label=rf"measured, $\alpha = {alpha:.2g}$")
    a.set_xlabel(rf"$\lambda_i / \alpha$ (top {d['eigenvalues'].size} eigenvalues of $H$)")
    a.set_ylabel(r"removed fraction $1 - q_i^\top\theta(\alpha) / q_i^\top w^*$")
    a.legend(loc="lower left", fontsize=style.small_size - 1)
    b.loglog(d["alphas"], d["shift_error"], color=style.color(0), ls="-", marker="o",
             label="measured")
    ref = d["shift_error"][-1] * d["alphas"] / d["alphas"][-1]
    b.loglog(d["alphas"], ref, color="0.5", ls="--", lw=0.8, label=r"slope 1: $O(\alpha)$")
    b.set_xlabel(r"weight decay $\alpha$")
    b.set_ylabel(r"$\|\theta(\alpha) - \tilde w(\alpha)\| \,/\, \|w^* - \tilde w(\alpha)\|$")
    b.legend(loc="upper left", fontsize=style.small_size - 0.5)
    b.set_title(f"MLP, {d['n_params']} parameters, {d['n_samples']} samples",
                fontsize=style.small_size, loc="right")
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
