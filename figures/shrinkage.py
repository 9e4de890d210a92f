"""Figure ``shrinkage``: how much of ``q_iᵀw*`` survives, as a function of ``λ_i/α``.

- L2: ``λ/(λ + α)`` (l2.eigen, G 7.13).
- Early stopping after τ steps of size ε from 0: ``1 − (1 − ελ)^τ`` (es.trajectory, G 7.40), plotted at
  ``α = 1/(ετ)`` (the rule of es.approx, G 7.45).
- Gradient flow, ε → 0 with ετ = 1/α fixed: ``1 − e^{−λ/α}`` (Ali, Kolter & Tibshirani 2019).

Both filters keep the high-curvature directions (λ ≫ α) and remove the flat ones (λ ≪ α); the
removed part is ``α/(λ + α)`` for ridge but ``e^{−λ/α} ≤ 1/(1 + λ/α)`` for gradient flow
(es.gf_vs_ridge): early stopping has a sharper cut-off. Every curve is computed by
:class:`theory.quadratic.Quadratic` on ``H = diag(λ)``, ``w* = 1``, so that coordinates are factors;
the gradient-flow curve is :meth:`~theory.quadratic.Quadratic.gradient_flow` at ``t = 1/α``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import new_figure, panel_label
from theory.quadratic import Quadratic

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["ALPHA", "DESCRIPTION", "GD_TAUS", "NAME", "NEEDS_TORCH", "THEOREMS", "data", "draw", "problem"]

NAME = "shrinkage"
DESCRIPTION = "λ/(λ+α) and 1 − (1 − ελ)^τ against λ/α (ετ = 1/α), with gradient flow 1 − e^{−λ/α}"
THEOREMS = ("l2.eigen", "es.trajectory", "es.approx", "es.gf_vs_ridge")
NEEDS_TORCH = False

ALPHA = 1.0
#: discrete GD curves: τ steps of size ε = 1/(ατ)
GD_TAUS = (3, 25)
X_RANGE = (1e-2, 20.0)


def problem() -> Quadratic:
    """``H = diag(λ)`` over ``λ/α ∈ [10⁻², 20]`` (log-spaced), ``w* = 1``."""
    lam = ALPHA * np.logspace(np.log10(X_RANGE[0]), np.log10(X_RANGE[1]), 241)
    return Quadratic(np.diag(lam), np.ones_like(lam))


def data() -> dict[str, Any]:
    """Shrinkage factors along each direction (ascending λ) for ridge, GD and gradient flow."""
    q = problem()
    # H is diagonal with ascending entries, so coordinates are already in ascending-λ order
    gd = {int(tau): q.gd_iterates(1.0 / (ALPHA * tau), [tau])[0] for tau in GD_TAUS}
    flow = q.gradient_flow(1.0 / ALPHA)[0]
    return {
        "alpha": ALPHA,
        "x": q.eigenvalues / ALPHA,
        "ridge": q.shrinkage(ALPHA),
        "gd": gd,
        "flow": flow,
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) kept fraction against λ/α; (b) removed fraction, log–log."""
    fig, (a, b) = new_figure(style, "text", 0.4, 1, 2)
    x = d["x"]
    series = [(r"ridge $\lambda/(\lambda+\alpha)$", x, d["ridge"], 0)]
    for k, (tau, f) in enumerate(d["gd"].items()):
        # drawn where GD is monotone, ελ < 1 (beyond it the iterates oscillate: gd.stability)
        keep = x / tau < 1.0
        series.append((rf"GD $1-(1-\epsilon\lambda)^\tau$, $\tau = {tau}$", x[keep], f[keep], 2 + 2 * k))
    series.append((r"gradient flow $1-e^{-\lambda/\alpha}$", x, d["flow"], 1))
    for label, xx, f, i in series:
        a.semilogx(xx, f, color=style.color(i), ls=style.linestyle(i), label=label)
        b.loglog(xx, 1.0 - f, color=style.color(i), ls=style.linestyle(i))
    a.set_xlabel(r"$\lambda_i / \alpha$   (with $\epsilon\tau = 1/\alpha$)")
    a.set_ylabel(r"kept fraction of $q_i^\top w^*$")
    a.set_ylim(0, 1.02)
    a.axvline(1.0, color="0.6", lw=0.5, zorder=0)
    fig.legend(loc="outside lower center", ncols=2, fontsize=style.small_size - 0.5, handlelength=2.6)
    b.set_xlabel(r"$\lambda_i / \alpha$")
    b.set_ylabel("removed fraction")
    b.set_ylim(1e-4, 1.5)
    b.axvline(1.0, color="0.6", lw=0.5, zorder=0)
    b.annotate(r"$\alpha/\lambda$", (8, 0.16), fontsize=style.small_size, color=style.color(0))
    b.annotate(r"$e^{-\lambda/\alpha}$", (4.6, 1.5e-2), fontsize=style.small_size, color=style.color(1))
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
