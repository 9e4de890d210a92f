"""Figure ``tau-approximation``: the exact early-stopping penalty α_i against the rule α = 1/(ετ).

After τ steps of size ε from 0, direction i is a ridge solution with
``α_i = λ_i(1 − ελ_i)^τ / (1 − (1 − ελ_i)^τ)`` (es.equivalence, G 7.43). Its series is
``α_i = 1/(ετ) − λ_i(τ + 1)/(2τ) + O(λ_i²)`` (es.approx, G 7.44–7.45), so the rule τ ≈ 1/(εα) has
relative error ≈ λ_i/(2α): good for λ_i ≪ α, wrong by tens of percent once λ_i ≈ α (ετ = 100 gives
shrinkage 0.905 against 0.909 at λ/α = 0.1, but 0.368 against 0.500 at λ/α = 1).

Panel (a) shows ``α_i·ετ = α_i/α`` (1 is the rule); panel (b) the relative error
``|1/(ετ) − α_i|/α_i`` and its first-order term from the series. Curves are for several τ at fixed
α = 1/(ετ); all are computed by :class:`theory.quadratic.Quadratic` on ``H = diag(λ)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import new_figure, panel_label
from theory.quadratic import Quadratic

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["ALPHA", "DESCRIPTION", "NAME", "NEEDS_TORCH", "TAUS", "THEOREMS", "data", "draw", "problem"]

NAME = "tau-approximation"
DESCRIPTION = "exact early-stopping α_i against 1/(ετ) over λ/α: where τ ≈ 1/(εα) breaks"
THEOREMS = ("es.equivalence", "es.approx")
NEEDS_TORCH = False

ALPHA = 1.0
#: step counts, each with ε = 1/(ατ) (so ελ_max = 10/τ < 1)
TAUS = (12, 100, 1000)
X_RANGE = (1e-3, 10.0)


def problem() -> Quadratic:
    """``H = diag(λ)`` with ``λ/α`` log-spaced over ``[10⁻³, 10]``, ``w* = 1``."""
    lam = ALPHA * np.logspace(np.log10(X_RANGE[0]), np.log10(X_RANGE[1]), 201)
    return Quadratic(np.diag(lam), np.ones_like(lam))


def data() -> dict[str, Any]:
    """Per τ: exact α_i, its series, the rule's relative error; all in ascending λ."""
    q = problem()
    out: dict[str, Any] = {"alpha": ALPHA, "x": q.eigenvalues / ALPHA, "taus": np.array(TAUS)}
    for tau in TAUS:
        eps = 1.0 / (ALPHA * tau)
        out[f"exact_{tau}"] = q.early_stopping_alpha(eps, tau)
        out[f"series_{tau}"] = q.early_stopping_alpha_series(eps, tau)
        out[f"error_{tau}"] = q.early_stopping_approx_error(eps, tau)
    return out


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) α_i/α against λ/α; (b) the relative error of α = 1/(ετ), log–log."""
    fig, (a, b) = new_figure(style, "text", 0.4, 1, 2)
    x, alpha = d["x"], d["alpha"]
    a.axhline(1.0, color="k", lw=0.8, ls="-", label=r"rule $\alpha = 1/(\epsilon\tau)$")
    for k, tau in enumerate(d["taus"]):
        i = k + 1
        a.semilogx(
            x,
            d[f"exact_{tau}"] / alpha,
            color=style.color(i),
            ls=style.linestyle(i),
            label=rf"exact $\alpha_i$, $\tau = {tau}$",
        )
        b.loglog(x, d[f"error_{tau}"], color=style.color(i), ls=style.linestyle(i))
    tau = d["taus"][-1]
    a.semilogx(
        x,
        d[f"series_{tau}"] / alpha,
        color="0.45",
        lw=0.8,
        ls=(0, (1, 1)),
        label=r"series $\frac{1}{\epsilon\tau} - \frac{\lambda_i(\tau+1)}{2\tau}$",
    )
    first_order = 1.0 - d[f"series_{tau}"] / alpha  # (1/(ετ) − series)·ετ = λε(τ+1)/2
    b.loglog(x, first_order, color="0.45", lw=0.8, ls=(0, (1, 1)), label=r"first order $\lambda_i/2\alpha$")
    a.set_ylim(0, 1.08)
    a.set_xlabel(r"$\lambda_i / \alpha$,   $\alpha = 1/(\epsilon\tau)$")
    a.set_ylabel(r"$\alpha_i / \alpha$")
    a.legend(loc="lower left", fontsize=style.small_size - 0.5)
    b.axhline(0.1, color="0.6", lw=0.5, zorder=0)
    b.annotate(
        "10 %", (x[0], 0.1), xytext=(2, 2), textcoords="offset points", fontsize=style.small_size, color="0.4"
    )
    b.set_ylim(1e-4, 1e3)
    b.set_xlabel(r"$\lambda_i / \alpha$")
    b.set_ylabel(r"relative error of $\alpha = 1/(\epsilon\tau)$")
    b.legend(loc="upper left", fontsize=style.small_size - 0.5)
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
