"""Figure ``d2l-curves``: the d2l weight-decay experiment, trained in torch, with its explanation.

Recipe (d2l r0.17, §"Weight Decay"): 20 training examples in 200 dimensions, ``w⁽⁰⁾ ~ N(0, I)``,
minibatch SGD (batch 5, lr 0.003, 100 epochs = 400 steps), loss ``mean (ŷ − y)²/2 + (λ/2)‖w‖²``,
λ ∈ {0, 3}; trained by :func:`theory.empirical.d2l.d2l_experiment`.

(a), (b) Train and test loss per epoch. The dotted line is the test loss of exact ridge *from zero*
at the same λ: nearly the same for both λ. (c) ‖w‖ per epoch and the prediction of the
initialisation analysis (gd.min_norm, es.nonzero_init, l2.update): every gradient lies in the row
space of X, so the null-space part of ``w⁽⁰⁾`` (norm ≈ √180 ≈ 13.4) never moves for λ = 0 and is
multiplied by ``(1 − ηλ)^400 ≈ 0.027`` for λ = 3; the small row-space part is that of full-batch GD
after the same 400 steps (:func:`theory.empirical.d2l.full_batch_iterate`). The famous "overfitting"
at λ = 0 is this untouched part of the initialisation, not a property of the least-squares fit.

The draw is ``SEED = 0``, the one the README quotes and ``wdt verify --only gd.min_norm --route
empirical`` (default ``--seed 0``) checks: ‖w‖ = 12.91 and 0.3487, as predicted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from figures.style import new_figure, panel_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "LAMBDAS", "NAME", "NEEDS_TORCH", "SEED", "THEOREMS", "data", "draw"]

NAME = "d2l-curves"
DESCRIPTION = "d2l train/test loss per epoch, λ = 0 and 3 (torch), and the min-norm/initialisation prediction"
THEOREMS = ("gd.min_norm", "es.nonzero_init", "l2.update", "opt.sgd_equiv")
NEEDS_TORCH = True

LAMBDAS = (0.0, 3.0)
SEED = 0


def data() -> dict[str, Any]:
    """Per λ: the per-epoch curves, the ridge-from-zero test loss and the predicted norms."""
    from theory.empirical.d2l import D2LRecipe, d2l_experiment

    recipe = D2LRecipe()
    runs = d2l_experiment(LAMBDAS, recipe=recipe, seed=SEED)
    out: dict[str, Any] = {"lambdas": LAMBDAS, "lr": recipe.lr, "steps": recipe.steps}
    for lam, run in zip(LAMBDAS, runs, strict=True):
        key = f"{lam:g}"
        out[f"epochs_{key}"] = run.epochs
        out[f"train_{key}"] = run.train_loss
        out[f"test_{key}"] = run.test_loss
        out[f"w_norm_{key}"] = run.w_norm
        out[f"norm_predicted_{key}"] = run.norm_predicted
        out[f"null_measured_{key}"] = run.null_measured
        out[f"null_predicted_{key}"] = run.null_predicted
        out[f"ridge_test_{key}"] = run.ridge_test_loss
    return out


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) λ = 0 losses; (b) λ = 3 losses; (c) ‖w‖ per epoch with the predicted final norms."""
    fig, axes = new_figure(style, "double", 0.3, 1, 3)
    axes[1].sharey(axes[0])
    blue, red, green = style.color(0), style.color(1), style.color(2)
    for ax, lam in zip(axes[:2], d["lambdas"], strict=True):
        key = f"{lam:g}"
        ep = d[f"epochs_{key}"]
        ax.semilogy(ep, d[f"train_{key}"], color=blue, ls="-", label="train (SGD)")
        ax.semilogy(ep, d[f"test_{key}"], color=red, ls="--", label="test (SGD)")
        ax.axhline(
            d[f"ridge_test_{key}"],
            color=green,
            ls=":",
            lw=style.line_width * 1.2,
            label="test, exact ridge from 0",
        )
        ax.set_xlabel("epoch")
        if ax is axes[0]:
            ax.set_ylabel(r"loss $\frac{1}{2}\,\mathrm{mean}(\hat y - y)^2$")
        ax.set_title(rf"$\lambda = {lam:g}$", fontsize=style.font_size)
        ax.set_xlim(ep[0], ep[-1])
        ax.set_ylim(1e-6, 3e3)
    handles, labels = axes[0].get_legend_handles_labels()  # (a) and (b) share their series
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=style.small_size - 0.5)
    c = axes[2]
    for i, lam in enumerate(d["lambdas"]):
        key = f"{lam:g}"
        ep = d[f"epochs_{key}"]
        c.semilogy(
            ep,
            d[f"w_norm_{key}"],
            color=style.color(3 + i),
            ls=style.linestyle(i),
            label=rf"$\|w\|$, $\lambda = {lam:g}$",
        )
        c.plot(
            ep[-1],
            d[f"norm_predicted_{key}"],
            ls="none",
            marker="o",
            mfc="none",
            mec="k",
            ms=style.marker_size * 1.6,
            mew=0.8,
        )
        c.annotate(
            rf"predicted {d[f'norm_predicted_{key}']:.3g}",
            (ep[-1], d[f"norm_predicted_{key}"]),
            xytext=(-6, -5),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=style.small_size - 0.5,
        )
    c.set_xlabel("epoch")
    c.set_ylabel(r"$\|w\|_2$")
    c.set_ylim(0.1, 60)
    c.set_xlim(ep[0], ep[-1] * 1.04)
    c.legend(loc="lower left", fontsize=style.small_size - 0.5)
    for ax, label in zip(axes, "abc", strict=True):
        panel_label(ax, label, style)
    return fig
