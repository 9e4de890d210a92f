"""Figure ``optimizers``: SGD's weight decay is an L2 penalty; Adam's L2 penalty is not AdamW's decay.

(a) ``torch.optim.SGD(weight_decay=λ)`` on ``MSELoss`` and plain ``SGD`` on ``MSELoss + (λ/2)‖θ‖²``
(momentum 0.9), from the same start: the distance of each iterate to the ridge optimum, and the
distance between the two runs, at rounding level at every step (opt.sgd_equiv; Loshchilov & Hutter
2019, Prop. 1). The ridge optimum is :func:`theory.empirical.linear.canonical_ridge` at the canonical
λ of ``torch.SGD(weight_decay)`` (:func:`theory.conventions.to_canonical`).

(b) Full-batch ``Adam(weight_decay=λ)`` and ``AdamW(weight_decay=λ)`` from 0: Adam + L2 converges to the
ridge optimum; AdamW converges to a different point, the solution of ``g + λθ(|g| + ε) = 0``
(opt.adam_not_equiv; L&H Prop. 2), which no ridge solution equals. Trained by
:func:`theory.empirical.optimizers.adam_vs_adamw`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import REFERENCE, new_figure, panel_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "THEOREMS", "data", "draw", "problem"]

NAME = "optimizers"
DESCRIPTION = "SGD + weight decay = SGD + L2; Adam + L2 against AdamW: distance to the ridge optimum per step"
THEOREMS = ("opt.sgd_equiv", "opt.adam_not_equiv", "l2.ridge")
NEEDS_TORCH = True

SEED = 1
N, D = 64, 4
SGD_DECAY = 0.1
SGD_LR = 0.05
SGD_MOMENTUM = 0.9
SGD_STEPS = 600
ADAM_DECAY = 0.5
ADAM_STEPS = 1500


def problem() -> tuple[np.ndarray, np.ndarray]:
    """A seeded problem with condition number 20 (:func:`theory.empirical.linear.make_regression`)."""
    from theory.empirical.linear import make_regression

    return make_regression(N, D, seed=SEED, condition=20.0, noise=0.1)


def data() -> dict[str, Any]:
    """Per-step distances for both SGD runs and for Adam + L2 and AdamW."""
    from theory.conventions import to_canonical
    from theory.empirical.linear import canonical_ridge
    from theory.empirical.optimizers import adam_vs_adamw, sgd_equivalence

    X, y = problem()
    sgd = sgd_equivalence(X, y, SGD_DECAY, lr=SGD_LR, momentum=SGD_MOMENTUM, steps=SGD_STEPS, seed=SEED)
    lam = float(to_canonical("torch.SGD", {"weight_decay": SGD_DECAY}, n=N, data_loss="mse").l2)
    w, b = canonical_ridge(X, y, lam, bias=True, decay_bias=True)  # torch decays the bias too
    assert b is not None  # with bias=True
    theta = np.append(w, b)  # nn.Linear's parameter order: weight, then bias
    scale = np.linalg.norm(theta)
    adam = adam_vs_adamw(X, y, ADAM_DECAY, steps=ADAM_STEPS)
    return {
        "sgd_steps": np.arange(SGD_STEPS + 1, dtype=np.float64),
        "sgd_ridge": theta,
        "sgd_canonical_l2": lam,
        "sgd_decayed_distance": np.linalg.norm(sgd.decayed - theta, axis=1) / scale,
        "sgd_penalised_distance": np.linalg.norm(sgd.penalised - theta, axis=1) / scale,
        "sgd_difference": sgd.relative_difference,
        "sgd_tolerance": sgd.tolerance,
        "adam_steps": adam.steps,
        "adam_distance": adam.adam_distance,
        "adamw_distance": adam.adamw_distance,
        "adamw_fixed_point_distance": adam.adamw_fixed_point_distance,
        "adamw_ridge_gap": adam.adamw_ridge_gap,
        "adamw_best_ridge_gap": adam.adamw_best_ridge_gap,
    }


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) the two SGD runs and their difference; (b) Adam + L2 and AdamW."""
    fig, (a, b) = new_figure(style, "text", 0.42, 1, 2)
    blue, red, green = style.color(0), style.color(1), style.color(2)
    s = d["sgd_steps"]
    a.semilogy(
        s,
        d["sgd_decayed_distance"],
        color=blue,
        ls="-",
        lw=style.line_width * 2.2,
        alpha=0.45,
        label="SGD(weight_decay=λ)",
    )
    a.semilogy(
        s,
        d["sgd_penalised_distance"],
        color=red,
        ls="--",
        label=r"SGD on $L + \frac{\lambda}{2}\|\theta\|^2$",
    )
    a.semilogy(
        s[1:],
        np.maximum(d["sgd_difference"][1:], 1e-18),
        color="k",
        ls=":",
        label="difference of the two runs\n(0 drawn at $10^{-18}$)",
    )
    a.axhline(d["sgd_tolerance"], color="0.6", lw=0.5, gid=REFERENCE)
    a.annotate(
        "test tolerance",
        (0.2 * s[-1], d["sgd_tolerance"]),  # left: the SGD curve crosses the line near 0.8·steps
        xytext=(0, -2),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=style.small_size - 1,
        color="0.4",
    )
    a.set_ylim(1e-18, 1e5)  # headroom: the legend sits above the falling curves
    a.set_xlabel("step")
    a.set_ylabel(r"$\|\theta_t - \theta_{\mathrm{ridge}}\| / \|\theta_{\mathrm{ridge}}\|$")
    a.legend(loc="upper right", fontsize=style.small_size - 0.5)  # the curves fall away from this corner
    t = d["adam_steps"]
    size = style.small_size - 0.5
    b.semilogy(t, d["adam_distance"], color=blue, ls="-")
    b.semilogy(t, d["adamw_distance"], color=red, ls="--")
    b.semilogy(t, d["adamw_fixed_point_distance"], color=green, ls=":")
    # direct labels instead of a legend: every region of this panel holds a curve
    b.annotate(
        r"Adam + L2 $\to$ ridge",
        (t[-1], d["adam_distance"][-1]),
        xytext=(0, -3),
        textcoords="offset points",
        ha="right",
        va="top",
        color=blue,
        fontsize=size,
    )
    b.annotate(
        r"AdamW $\to$ ridge",
        (t[-1], d["adamw_distance"][-1]),
        xytext=(0, 3),
        textcoords="offset points",
        ha="right",
        va="bottom",
        color=red,
        fontsize=size,
    )
    i = int(0.5 * (len(t) - 1))
    b.annotate(
        r"AdamW $\to$ its fixed point",
        (t[i], d["adamw_fixed_point_distance"][i]),
        xytext=(3, 3),
        textcoords="offset points",
        ha="left",
        va="bottom",
        color=green,
        fontsize=size,
    )
    b.annotate(
        rf"$\theta_{{\mathrm{{AdamW}}}}$ is {d['adamw_ridge_gap']:.2f} from this ridge,"
        "\n"
        rf"{d['adamw_best_ridge_gap']:.2f} from the nearest ridge",
        (t[-1], d["adamw_distance"][-1]),
        xytext=(0, -5),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=style.small_size - 1,
    )
    b.set_ylim(1e-17, 10)
    b.set_xlabel("step")
    b.set_ylabel("relative distance")
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
