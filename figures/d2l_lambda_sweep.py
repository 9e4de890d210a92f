"""Figure ``d2l-lambda-sweep``: the d2l experiment over λ, trained in torch and in closed form.

For each λ on a grid in [0, 10], :func:`theory.empirical.d2l.d2l_sweep` trains the d2l recipe
(``w⁽⁰⁾ ~ N(0, I)``, 400 SGD steps) and computes exact ridge from zero (canonical λ, bias not
penalised; l2.ridge). (a) Test loss: SGD's test loss falls by orders of magnitude as λ
grows, while exact ridge's barely changes: what λ removes is the initialisation's null-space
part, ``‖Pw⁽ᵀ⁾‖ = (1 − ηλ)^T ‖Pw⁽⁰⁾‖`` (gd.min_norm, es.nonzero_init, l2.update). (b) ‖w‖: trained,
closed form, and the prediction of that analysis (null part exact, row part from full-batch GD after
the same T steps, as checked by ``gd.min_norm``). Same draw as ``d2l-curves`` (``SEED = 0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import new_figure, panel_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "LAMBDAS", "NAME", "NEEDS_TORCH", "SEED", "THEOREMS", "data", "draw"]

NAME = "d2l-lambda-sweep"
DESCRIPTION = "d2l test loss and ‖w‖ against λ: SGD from a random start (torch) and exact ridge from zero"
THEOREMS = ("l2.ridge", "gd.min_norm", "es.nonzero_init", "l2.update")
NEEDS_TORCH = True

LAMBDAS = tuple(float(v) for v in np.linspace(0.0, 10.0, 11))
SEED = 0


def data() -> dict[str, Any]:
    """Final losses and norms per λ, trained and closed form (one data draw)."""
    from theory.empirical.d2l import d2l_sweep

    s = d2l_sweep(LAMBDAS, seed=SEED)
    return {
        "lambdas": s.lambdas,
        "sgd_train": s.sgd_train_loss,
        "sgd_test": s.sgd_test_loss,
        "sgd_norm": s.sgd_w_norm,
        "ridge_train": s.ridge_train_loss,
        "ridge_test": s.ridge_test_loss,
        "ridge_norm": s.ridge_w_norm,
        "norm_predicted": s.norm_predicted,
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) test loss against λ (log y); (b) ‖w‖ against λ (log y)."""
    fig, (a, b) = new_figure(style, "text", 0.4, 1, 2)
    lam = d["lambdas"]
    blue, red = style.color(0), style.color(1)
    a.semilogy(lam, d["sgd_test"], color=red, ls="-", marker="o", label="SGD from $w^{(0)}$")
    a.semilogy(lam, d["ridge_test"], color=blue, ls="--", marker="s", label="exact ridge from 0")
    a.set_xlabel(r"$\lambda$")
    a.set_ylabel("final test loss")
    b.semilogy(lam, d["sgd_norm"], color=red, ls="-", marker="o", label="SGD from $w^{(0)}$")
    b.semilogy(
        lam,
        d["norm_predicted"],
        ls="none",
        marker="o",
        ms=style.marker_size * 1.8,
        mfc="none",
        mec="k",
        mew=0.8,
        label="predicted (null part + GD row part)",
    )
    b.semilogy(lam, d["ridge_norm"], color=blue, ls="--", marker="s", label="exact ridge from 0")
    b.set_xlabel(r"$\lambda$")
    b.set_ylabel(r"$\|w\|_2$")
    handles, labels = b.get_legend_handles_labels()  # (b)'s series include (a)'s
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=style.small_size - 0.5)
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
