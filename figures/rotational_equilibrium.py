"""Figure ``rotational-equilibrium``: weight decay fixes the angular update of scale-invariant weights.

Random walks of :func:`theory.equilibrium.simulate` (gradients orthogonal to w, of size ``g/‖w‖``, in
random directions; 16 independent trials of 64 coordinates, started far above the equilibrium norm):
torch's SGD without and with momentum μ = 0.9 (ηλ = 0.01), and AdamW with β₁ = 0.9 (ηλ = 0.01).

(a) The root-mean-square angle between ``w_t`` and ``w_{t+1}`` over the trials, against the
predicted levels (si.equilibrium): ``arccos(1 − ηλ) ≈ √(2ηλ)`` (SGD, exact at the fixed point),
``√(2ηλ/(1 + μ))`` (momentum; Wan, Zhu, Zhang & Sun 2021), ``√(2ηλ(1 − β₁)/(1 + β₁))`` (AdamW;
Kosson, Messmer & Jaggi 2024).

(b) ``‖w‖²`` (mean over the trials; one trial for SGD) over its predicted equilibrium
(:func:`~theory.equilibrium.sgd_norm_fixed_point`,
:func:`~theory.equilibrium.momentum_norm_fixed_point`, :func:`~theory.equilibrium.adamw_norm_fixed_point`),
with the exact SGD recursion ``x' = (1 − ηλ)²x + η²g²/x`` (:func:`~theory.equilibrium.iterate_norm`)
from the same start drawn over the SGD walk, which it follows to rounding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import REFERENCE, new_figure, panel_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["DESCRIPTION", "NAME", "NEEDS_TORCH", "RUNS", "THEOREMS", "data", "draw"]

NAME = "rotational-equilibrium"
DESCRIPTION = (
    "angular update and ‖w‖² per step for SGD, SGD+momentum and AdamW against the predicted equilibrium"
)
THEOREMS = ("si.equilibrium", "si.gradient")
NEEDS_TORCH = False

SEED = 2024
STEPS = 1200
DIM = 64
TRIALS = 16
SCALE0 = 0.5  # ‖w₀‖² ≈ 16, far above every equilibrium below
#: (key, label, optimizer, η, λ, μ or β₁)
RUNS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("sgd", "SGD", "sgd", 0.1, 0.1, 0.0),
    ("momentum", r"SGD, $\mu = 0.9$", "sgd", 0.1, 0.1, 0.9),
    ("adamw", r"AdamW, $\beta_1 = 0.9$", "adamw", 0.01, 1.0, 0.9),
)


def data() -> dict[str, Any]:
    """Per-step RMS angles and mean ``‖w‖²/x*`` of each run, the predicted angles, and the exact
    SGD recursion."""
    from theory import equilibrium as E

    out: dict[str, Any] = {"steps": np.arange(STEPS + 1, dtype=np.float64)}
    for k, (key, _, kind, eta, wd, beta) in enumerate(RUNS):
        sim = E.simulate(
            kind,  # type: ignore[arg-type]
            eta,
            wd,
            STEPS,
            dim=DIM,
            trials=TRIALS,
            momentum=beta,
            scale0=SCALE0,
            seed=SEED + k,
        )
        if kind == "adamw":
            predicted = E.adamw_angle(eta, wd, beta)
            x_star = E.adamw_norm_fixed_point(eta, wd, DIM)
        elif beta == 0:
            predicted = E.equilibrium_angle(eta, wd)
            x_star = E.sgd_norm_fixed_point(eta, wd, sim.g)
            out["recursion"] = E.iterate_norm(float(sim.norms2[0, 0]), eta, wd, sim.g, STEPS) / x_star
            out["sgd_trial0"] = sim.norms2[:, 0] / x_star
        else:
            predicted = E.first_order_angle(eta, wd, beta)
            x_star = E.momentum_norm_fixed_point(eta, wd, sim.g, beta)
        out[f"{key}_angle"] = np.sqrt(np.mean(sim.angles**2, axis=1))
        out[f"{key}_predicted"] = predicted
        out[f"{key}_norm"] = np.mean(sim.norms2, axis=1) / x_star
        out[f"{key}_eta_lambda"] = eta * wd
    return out


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) RMS angle per step with the predicted levels; (b) ‖w‖²/x* with the exact recursion."""
    fig, (a, b) = new_figure(style, "text", 0.42, 1, 2)
    s = d["steps"]
    for i, (key, label, *_rest) in enumerate(RUNS):
        color = style.color(i)
        ls = style.linestyle(i)
        a.semilogy(s[1:], d[f"{key}_angle"], color=color, ls=ls, lw=style.line_width * 0.8, label=label)
        a.axhline(  # the predicted level: a guide beside its run, not a series of its own
            d[f"{key}_predicted"],
            color=color,
            ls=(0, (4, 2)),
            lw=style.line_width * 1.3,
            alpha=0.7,
            gid=REFERENCE,
        )
        norm = d["sgd_trial0"] if key == "sgd" else d[f"{key}_norm"]
        b.semilogy(s, norm, color=color, ls=ls, lw=style.line_width, label=label)
    b.semilogy(s, d["recursion"], color="k", ls=":", lw=style.line_width * 1.4, label="exact recursion (SGD)")
    b.axhline(1.0, color="0.5", lw=0.6, ls="--", gid=REFERENCE)
    a.plot([], [], color="0.3", ls=(0, (4, 2)), label="predicted")
    a.set_xlabel("step")
    a.set_ylabel(r"angle between $w_t$ and $w_{t+1}$ (rad)")
    a.set_ylim(1e-3, 0.6)
    a.legend(loc="upper right", fontsize=style.small_size - 0.5, ncol=2)
    b.set_xlabel("step")
    b.set_ylabel(r"$\|w_t\|^2 / x^*$")
    b.legend(loc="upper right", fontsize=style.small_size - 0.5)
    b.set_ylim(0.3, 300)
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
