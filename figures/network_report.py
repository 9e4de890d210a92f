"""Figure ``network-report``: what weight decay does to a small CNN on ``load_digits``.

:func:`theory.empirical.report.weight_decay_report` on the repository's real case
(:func:`theory.empirical.digits.digits_case`: a 690-parameter CNN on 300 digits, trained by
``SGD(momentum=0.9, weight_decay=1e-3)`` on the weights) polishes it to ``w̃(α)``, α = 10⁻³.

(a) The spectral density of ``H = ∇²L(w̃)`` by stochastic Lanczos quadrature (``theory.spectral``),
with α marked: most of the spectral mass lies below α (and a softmax-shift null space sits at 0), so
α is *not* small against the curvature and the quadratic shrinkage about a ``w*`` does not apply
(the data are separable: there is no ``w*``).

(b) What does apply is the local theorem ``l2.path_derivative``: along the top eigenvectors ``q_i`` of
H, the predicted change ``δα·q_iᵀ dw̃/dα`` (MINRES on ``H + αD``) against the measured
``q_iᵀ(w̃(α + δα) − w̃(α))``, with the trust-region ratio ρ of the whole step in the title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import new_figure, panel_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["ALPHA", "DESCRIPTION", "NAME", "NEEDS_TORCH", "SEED", "THEOREMS", "K", "data", "draw"]

NAME = "network-report"
DESCRIPTION = (
    "a digits CNN: Hessian spectral density with α marked; predicted vs measured dw̃/dα along top eigenvectors"
)
THEOREMS = ("l2.path_derivative", "l2.dof")
NEEDS_TORCH = True

SEED = 0
ALPHA = 1e-3
K = 8


def data() -> dict[str, Any]:
    """The report's spectrum (SLQ density on a grid, top eigenvalues) and per-direction changes."""
    import torch

    from theory.empirical import _common
    from theory.empirical.digits import digits_case
    from theory.empirical.report import weight_decay_report

    with _common.exact_math(threads=1):
        model, _, pair = digits_case(seed=SEED)
        r = weight_decay_report(
            model, torch.nn.CrossEntropyLoss(), pair, ALPHA, decay="weights", k=K, progress=False, seed=SEED
        )
    s = r.spectrum
    lo, hi = float(min(s.slq_nodes.min(), 0.0)), float(s.top[0])
    grid = np.linspace(lo - 0.02 * (hi - lo), hi * 1.05, 800)
    return {
        "alpha": r.alpha,
        "delta_alpha": r.delta_alpha,
        "grid": grid,
        "density": s.density.density(grid),
        "top": s.top,
        "lambda_min_penalised": float(s.bottom_penalised[0]),
        "effective_dim": s.effective_dim,
        "fraction_below_alpha": s.fraction_below_alpha,
        "predicted_along": r.predicted_along,
        "measured_along": r.measured_along,
        "rho": r.rho,
        "relative_error": r.relative_error,
        "n_params": r.n_params,
        "n_examples": r.n_examples,
        "null_space_dim": r.null_space_dim,
        "failed": [a.name for a in r.failed],
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) SLQ density with α; (b) predicted vs measured change along the top eigenvectors."""
    fig, (a, b) = new_figure(style, "text", 0.42, 1, 2, width_ratios=[1.2, 1])
    dens = np.maximum(d["density"], 1e-6)
    a.semilogy(d["grid"], dens, color=style.color(0), lw=1.0, label="SLQ density of $H$")
    a.axvline(d["alpha"], color=style.color(1), ls="--", lw=0.9, label=rf"$\alpha = {d['alpha']:g}$")
    a.plot(d["top"], np.full(d["top"].size, dens.max() * 0.5), ls="none", marker="v", color="k",
           ms=style.marker_size * 0.6, label=f"top {d['top'].size} (eigsh)")  # fmt: skip
    a.set_ylim(1e-4, dens.max() * 3)
    a.set_xlabel(r"eigenvalue $\lambda$ of $\nabla^2 L(\tilde w)$")
    a.set_ylabel("density")
    a.set_title(
        f"{100 * d['fraction_below_alpha']:.0f}% of the mass below α; "
        rf"$n_{{\rm eff}} = {d['effective_dim']:.0f}$ of {d['n_params']}",
        fontsize=style.small_size,
        loc="right",
    )
    i = np.arange(1, d["top"].size + 1)
    w = 0.38
    b.bar(
        i - w / 2,
        d["predicted_along"],
        w,
        color=style.color(0),
        label=r"predicted $\delta\alpha\, q_i^\top d\tilde w/d\alpha$",
    )
    b.bar(
        i + w / 2,
        d["measured_along"],
        w,
        facecolor="white",
        edgecolor=style.color(2),
        hatch="//////",
        lw=0.6,
        label=r"measured $q_i^\top \Delta\tilde w$",
    )  # white and hatched: told from the filled bars without colour
    b.axhline(0, color="0.5", lw=0.5)
    b.set_xticks(i)
    b.set_xlabel(r"top eigenvector $q_i$ of $H$")
    b.set_ylabel(r"change along $q_i$")
    handles, labels = [], []
    for ax in (a, b):  # one legend below both panels: no region of either is free of data
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=style.small_size - 1)
    b.set_title(
        rf"$\rho = {d['rho']:.3f}$, relative error {d['relative_error']:.1e}",
        fontsize=style.small_size,
        loc="right",
    )
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
