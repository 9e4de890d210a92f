"""Figure ``effective-lr``: on scale-invariant weights, weight decay sets the learning rate of the
direction (si.effective_lr, si.gradient).

The loss is :class:`theory.scale_invariance.BatchNormLoss`: one linear unit (d = 6) followed by batch
normalisation and a logistic loss on a fixed random batch, so ``f(cw) = f(w)``.

(a) The angle between ``u_t = w_t/‖w_t‖`` and ``u_0`` for GD with weight decay
(:func:`~theory.scale_invariance.gd_weight_decay`, markers) and for normalised GD on the unit sphere
with ``η̂_t = η/((1 − ηλ)‖w_t‖²)`` (:func:`~theory.scale_invariance.sphere_gd`, lines), for several λ;
the run ``(3w₀, 9η, λ/9)`` (crosses) lands on the same directions: only ηλ and η/‖w‖² matter.

(b) The effective learning rate ``η̂_t`` against t for the same λ: without decay ‖w‖ only grows
(the gradient is orthogonal to w, ``‖w_{t+1}‖² = ‖w_t‖² + η²‖∇f(w_t)‖²``) and η̂ cannot grow; with
decay ‖w‖ shrinks and η̂ grows. Full-batch GD reaches the minimum within the run, the gradient fades and
nothing pushes ‖w‖ back: η̂ grows as ``(1 − ηλ)^{−2t}`` (about 4.4× and 19× over 300 steps at
ηλ = 0.0025 and 0.005), without levelling off. Angles are in radians, as in ``rotational-equilibrium``.

Parameters are inside the stable regime: ``η̂_t‖∇²f(u_t)‖ ≤ 1.2 < 2`` at every step. A larger ηλ
(0.015, the former choice) lets η̂ grow until the sphere step is unstable at the minimum
(``η̂‖∇²f(u)‖ > 2``, reached near t ≈ 150): the direction jumps by tens of degrees per step and the norm
grows back, which is the unstable regime, not the theorem's content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from figures.style import new_figure, panel_label
from theory.scale_invariance import BatchNormLoss, angle_between, gd_weight_decay, sphere_gd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = [
    "DESCRIPTION",
    "ETA",
    "LAMBDAS",
    "NAME",
    "NEEDS_TORCH",
    "RESCALE",
    "STEPS",
    "THEOREMS",
    "data",
    "draw",
    "problem",
]

NAME = "effective-lr"
DESCRIPTION = (
    "GD with weight decay on a batch-normalised unit vs normalised GD on the sphere at η/((1−ηλ)‖w‖²)"
)
THEOREMS = ("si.effective_lr", "si.gradient")
NEEDS_TORCH = False

ETA = 0.05
#: weight decays λ (ηλ = 0, 0.0025, 0.005: η̂_t‖∇²f(u_t)‖ ≤ 1.2 < 2 over the run, a stable sphere step)
LAMBDAS = (0.0, 0.05, 0.1)
STEPS = 300
#: the rescaled run (c·w₀, c²η, λ/c²)
RESCALE = 3.0


def problem() -> tuple[BatchNormLoss, np.ndarray]:
    """The loss (n = 64, d = 6, logistic, γ = 2, β = 0.3) and w₀ (‖w₀‖ = 1.5), from a fixed seed."""
    rng = np.random.default_rng(20191)
    X = rng.standard_normal((64, 6)) @ np.diag([3.0, 2.0, 1.5, 1.0, 0.7, 0.5])
    y = np.where(X @ rng.standard_normal(6) + 0.5 * rng.standard_normal(64) > 0, 1.0, -1.0)
    w0 = rng.standard_normal(6)
    return BatchNormLoss(X, y, gamma=2.0, beta=0.3, loss="logistic"), 1.5 * w0 / np.linalg.norm(w0)


def _angles(directions: np.ndarray) -> np.ndarray:
    """Angle (radians) between each row and the first (:func:`~theory.scale_invariance.angle_between`)."""
    return np.asarray(angle_between(np.broadcast_to(directions[0], directions.shape), directions))


def data() -> dict[str, Any]:
    """Per λ: the GD directions' angles, the sphere route's angles, the rescaled run's, and η̂_t."""
    f, w0 = problem()
    out: dict[str, Any] = {"steps": np.arange(STEPS + 1), "eta": ETA, "lambdas": LAMBDAS, "runs": {}}
    for lam in LAMBDAS:
        W = gd_weight_decay(f.grad, w0, ETA, lam, STEPS)
        run = sphere_gd(f.grad, w0, ETA, lam, STEPS)
        W2 = gd_weight_decay(f.grad, RESCALE * w0, RESCALE**2 * ETA, lam / RESCALE**2, STEPS)
        norms = np.linalg.norm(W, axis=1)
        out["runs"][lam] = {
            "gd": _angles(W / norms[:, None]),
            "sphere": _angles(run.directions),
            "rescaled": _angles(W2 / np.linalg.norm(W2, axis=1)[:, None]),
            "eta_hat": run.eta_hats,
            "norm": norms,
        }
    return out


#: the rescaled run's marker, one per λ (crosses, told apart from the open GD markers)
_CROSSES = ("x", "+", "1")


def draw(d: dict[str, Any], style: Style) -> Figure:
    """(a) angle from u₀ against t, GD (markers), sphere (lines), rescaled run (crosses); (b) η̂_t."""
    fig, (a, b) = new_figure(style, "text", 0.42, 1, 2)
    t = d["steps"]
    every = 20
    for i, lam in enumerate(d["lambdas"]):
        r = d["runs"][lam]
        col = style.color(i)
        label = rf"$\eta\lambda = {d['eta'] * lam:g}$"
        a.plot(t, r["sphere"], color=col, ls=style.linestyle(i), label=f"sphere, {label}")
        # one marker shape per λ (open for GD, a cross for the rescaled run): readable in greyscale
        a.plot(t[::every], r["gd"][::every], style.marker(i), color=col, ms=3.5, mfc="none", mew=0.8)
        cross = _CROSSES[i % len(_CROSSES)]
        a.plot(t[every // 2 :: every], r["rescaled"][every // 2 :: every], cross, color=col, ms=3.5, mew=0.8)
        b.semilogy(t[:-1], r["eta_hat"], color=col, ls=style.linestyle(i), label=label)
    a.plot([], [], "o", color="0.3", ms=3.5, mfc="none", mew=0.8, label=r"GD on $w$ (open markers)")
    a.plot([], [], "x", color="0.3", ms=3.5, mew=0.8, label=r"$(3w_0, 9\eta, \lambda/9)$ (crosses)")
    a.set_xlabel("step t")
    a.set_ylabel(r"angle between $u_t$ and $u_0$ (rad)")
    a.legend(loc="lower right", fontsize=style.small_size - 0.5, handlelength=2.2)
    b.set_xlabel("step t")
    b.set_ylabel(r"$\hat\eta_t = \eta/((1-\eta\lambda)\|w_t\|^2)$")
    b.legend(loc="upper left", fontsize=style.small_size - 0.5, handlelength=2.2)
    panel_label(a, "a", style)
    panel_label(b, "b", style)
    return fig
