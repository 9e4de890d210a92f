"""Figure ``priors``: a Gaussian prior is an L2 penalty, a Laplace prior an L1 penalty.

(a) The two prior densities at equal variance: ``N(0, s²)`` and ``Laplace(0, b)`` with ``2b² = s²``,
from :func:`theory.bayes.gaussian_log_prior` and :func:`theory.bayes.laplace_log_prior`
(``log p(w) = −α|w| + log α − log 2``, α = 1/b, G 7.24).

(b), (c) One weight, ``y = xw + noise``, ``noise ~ N(0, σ²)``: the posterior under each prior and its
MAP. Gaussian: MAP = posterior mean = ridge with ``α = σ²/(n s²)`` on the mean scale (bayes.gaussian,
G 5.79, ESL 3.4.1); Laplace: MAP = the L1 soft threshold with ``α = σ²/(n b)`` (bayes.laplace,
l1.soft_threshold). With strong evidence (b) both MAPs sit near the least-squares w*; with weak
evidence (c) the Laplace MAP is exactly 0, where its posterior has a kink, while the Gaussian MAP is
only shrunk. Posteriors are drawn as ``p(w | y)/max p`` on the grid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import new_figure, panel_label
from theory import bayes
from theory.quadratic import Quadratic
from theory.regression import min_norm_solution, ridge

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "THEOREMS", "data", "draw", "regression_data"]

NAME = "priors"
DESCRIPTION = "Gaussian and Laplace prior densities, and their MAP estimates (ridge and soft threshold)"
THEOREMS = ("bayes.gaussian", "bayes.laplace", "l1.soft_threshold", "l2.ridge")
NEEDS_TORCH = False

PRIOR_VAR = 1.0
LAPLACE_SCALE = float(np.sqrt(PRIOR_VAR / 2.0))  # equal variance: 2b² = s²
NOISE_VAR = 1.0
#: (true weight, n, seed) of the strong- and the weak-evidence data sets
YTOP = 1.3  # posterior panels: room above the peak (= 1) for the text
CASES = {"strong": (1.0, 12, 3), "weak": (0.2, 4, 11)}


def regression_data(case: str) -> tuple[np.ndarray, np.ndarray]:
    """One-input data ``y = x·w + N(0, σ²)``, seeded, with ``x`` fixed at ``±1``."""
    w_true, n, seed = CASES[case]
    rng = np.random.default_rng(seed)
    X = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)[:, None]
    y = X[:, 0] * w_true + np.sqrt(NOISE_VAR) * rng.standard_normal(n)
    return X, y


def data() -> dict[str, Any]:
    """Prior densities, and per case: log posteriors on the grid, MAPs and w*."""
    grid = np.linspace(-3.0, 3.0, 601)
    laplace_alpha = 1.0 / LAPLACE_SCALE
    out: dict[str, Any] = {
        "grid": grid,
        "prior_var": PRIOR_VAR,
        "laplace_scale": LAPLACE_SCALE,
        "noise_var": NOISE_VAR,
        "gauss_prior": np.exp([bayes.gaussian_log_prior([w], PRIOR_VAR) for w in grid]),
        "laplace_prior": np.exp([bayes.laplace_log_prior([w], laplace_alpha) for w in grid]),
    }
    post = np.linspace(-1.5, 2.5, 801)
    out["post_grid"] = post
    for case in CASES:
        X, y = regression_data(case)
        n = X.shape[0]
        loglik = np.array([bayes.gaussian_log_likelihood([w], X, y, NOISE_VAR) for w in post])
        out[f"{case}_n"] = n
        out[f"{case}_w_star"] = float(min_norm_solution(X, y)[0])
        out[f"{case}_gauss_logpost"] = np.array(
            [bayes.gaussian_log_posterior([w], X, y, NOISE_VAR, PRIOR_VAR) for w in post]
        )
        out[f"{case}_laplace_logpost"] = loglik + np.array(
            [bayes.laplace_log_prior([w], laplace_alpha) for w in post]
        )
        alpha_g = bayes.alpha_from_gaussian_prior(NOISE_VAR, PRIOR_VAR, n=n)
        alpha_l = bayes.alpha_from_laplace_prior(LAPLACE_SCALE, noise_var=NOISE_VAR, n=n)
        out[f"{case}_alpha_gauss"] = alpha_g
        out[f"{case}_alpha_laplace"] = alpha_l
        out[f"{case}_map_gauss"] = float(bayes.gaussian_posterior(X, y, NOISE_VAR, PRIOR_VAR)[0][0])
        out[f"{case}_ridge"] = float(ridge(X, y, alpha_g)[0])
        out[f"{case}_map_laplace"] = float(Quadratic.from_regression(X, y).l1_optimum(alpha_l)[0])
    return out


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) the priors; (b), (c) posteriors and MAPs for strong and weak evidence."""
    fig, (a, b, c) = new_figure(style, "double", 0.28, 1, 3)
    blue, red = style.color(0), style.color(1)
    g = d["grid"]
    a.plot(
        g,
        d["gauss_prior"],
        color=blue,
        ls="--",
        label=rf"Gaussian $\mathcal{{N}}(0, {d['prior_var']:g})$: L2",
    )
    a.plot(g, d["laplace_prior"], color=red, ls="-", label=rf"Laplace$(0, {d['laplace_scale']:.3g})$: L1")
    a.set_xlabel(r"$w$")
    a.set_ylabel(r"prior density $p(w)$")
    a.set_xlim(g[0], g[-1])
    a.set_ylim(0, 1.2)  # headroom: the legend sits above the densities
    a.legend(loc="upper left", fontsize=style.small_size - 0.5, handlelength=1.8)
    p = d["post_grid"]
    for ax, case, title in ((b, "strong", "strong evidence"), (c, "weak", "weak evidence")):
        for key, color, ls, label in (
            ("gauss", blue, "--", "Gaussian prior"),
            ("laplace", red, "-", "Laplace prior"),
        ):
            lp = d[f"{case}_{key}_logpost"]
            ax.plot(p, np.exp(lp - lp.max()), color=color, ls=ls, label=label)
            m = d[f"{case}_map_{key}"]
            ax.axvline(m, ymax=1.0 / YTOP, color=color, ls=ls, lw=0.7)
        ws = d[f"{case}_w_star"]
        ax.axvline(ws, ymax=1.0 / YTOP, color="0.4", ls=":", lw=0.9, label=r"least squares $w^*$")
        ax.set_xlabel(r"$w$")
        ax.set_ylabel(r"$p(w \mid y)\,/\,\max$")
        ax.set_ylim(0, YTOP)
        ax.set_xlim(p[0], p[-1])
        ax.text(
            0.02,
            0.97,
            f"{title}, $n = {d[f'{case}_n']}$\n"
            rf"MAP: L2 {d[f'{case}_map_gauss']:.2f}, L1 {d[f'{case}_map_laplace']:.2f}",
            transform=ax.transAxes,
            va="top",
            fontsize=style.small_size - 0.5,
        )
    handles, labels = b.get_legend_handles_labels()  # (b) and (c) share their series
    fig.legend(
        handles, labels, loc="outside lower right", ncols=3, fontsize=style.small_size - 0.5, handlelength=1.8
    )
    for ax, label in zip((a, b, c), "abc", strict=True):
        panel_label(ax, label, style)
    return fig
