"""Numeric checks of si.gradient and si.effective_lr (scale-invariant weights).

Imported by :func:`theory.checks.all_checks` (``PROVIDERS``); importing it registers the checks.

The test functions (:class:`~theory.scale_invariance.BatchNormLoss`, a linear unit → batch
normalisation → squared or logistic loss, and :class:`~theory.scale_invariance.SphereFunction`,
``g(w/‖w‖)`` for a random smooth g) have chain-rule gradients and Hessians that never use the
identities checked; complex-step differentiation checks those closed forms independently.

Tolerances. Each closed form is a few stages (features, loss derivatives, back-projection) of dot
products of length ≤ m (m = max(n, d)), each with relative error ≤ ``residual_tolerance(m, κ)``
(``10·m·κ·eps``, :mod:`theory.numerics`), where κ is the design's condition κ(Xc) (‖Xc‖‖w‖/‖Xcw‖ ≤ κ
bounds the amplification in z = Xcw) for gradients and κ(Xc)² for Hessians (a product of two
Jacobians); three stages give ``3·residual_tolerance``. Comparing f, ∇f or ∇²f at w and at cw adds the
rounding of cw itself (relative eps per entry), which moves ∇f by at most ``eps·‖∇²f(w)‖‖w‖`` (∇f(cw)
scales as 1/c): the factor ``1 + ‖∇²f‖‖w‖/‖∇f‖``. GD runs propagate a per-step error δ through the
sphere map, whose Lipschitz constant is at most ``1 + η̂_t‖∇²f(u_t)‖`` (the normalisation divides by
``‖u − η̂q‖ ≥ 1``), plus ``2η̂_t‖∇f(u_t)‖`` times the relative error of the norm r_t that sets η̂_t:
:func:`_propagated`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from theory.checks import CheckContext, CheckResult, ErrorTracker, register
from theory.numerics import residual_tolerance
from theory.scale_invariance import (
    BatchNormLoss,
    SphereFunction,
    complex_step_gradient,
    complex_step_jacobian,
    effective_lr,
    gd_weight_decay,
    norm_step,
    sphere_gd,
    sphere_step,
    weight_decay_step,
)

__all__: list[str] = []  # the checks are reached through theory.checks.all_checks()

_EPS = float(np.finfo(np.float64).eps)


def _norm(x: Any, order: Any = None) -> float:
    return float(np.linalg.norm(x, order))


def _function(rng: np.random.Generator, kind: int) -> BatchNormLoss | SphereFunction:
    """A scale-invariant test function: BN + squared loss, BN + logistic loss, or g(w/‖w‖)."""
    d = int(rng.integers(2, 9))
    if kind % 3 == 2:
        return SphereFunction.random(rng, d)
    n = int(rng.integers(d + 2, 41))
    X = rng.standard_normal((n, d)) * 10 ** rng.uniform(-1, 1, size=d) + rng.uniform(-3, 3, size=d)
    squared = kind % 3 == 0
    y = rng.standard_normal(n) if squared else np.where(rng.standard_normal(n) > 0, 1.0, -1.0)
    loss = "squared" if squared else "logistic"
    return BatchNormLoss(X, y, gamma=rng.uniform(0.5, 2.0), beta=rng.uniform(-1, 1), loss=loss)


def _stage_tolerance(f: Any, power: int) -> float:
    """``3·residual_tolerance(m, κ^power)``: three stages of length-m dot products (module docstring)."""
    return 3.0 * residual_tolerance(f.size, f.condition**power)


@register(
    "si.gradient",
    "numeric",
    "BN-linear and g(w/‖w‖): chain-rule ∇f, ∇²f vs complex step; wᵀ∇f = 0, 1/c and 1/c² scaling, ∇²f·w",
)
def _si_gradient(ctx: CheckContext) -> CheckResult:
    """The identities of si.gradient on functions with independently checked closed forms.

    For each drawn f, w (‖w‖ over 10^±3) and c (10^±3): the closed-form gradient and Hessian against
    complex-step derivatives (the function and the analytic gradient at ``w + ih·e_j``), then
    ``f(cw) = f(w)``, ``wᵀ∇f(w) = 0``, ``c∇f(cw) = ∇f(w)``, ``c²∇²f(cw) = ∇²f(w)`` and
    ``∇²f(w)w = −∇f(w)``, each against the rounding bound of the module docstring.
    """
    rng = ctx.rng(1101)
    tr = ErrorTracker()
    for case in range(ctx.cases(24, 600)):
        f = _function(rng, case)
        w = rng.standard_normal(f.d) * 10 ** rng.uniform(-3, 3)
        c = float(10 ** rng.uniform(-3, 3))
        g, H = f.grad(w), f.hess(w)
        nw, ng, nH = (float(np.linalg.norm(x, 2)) for x in (w, g, H))
        tol_g = _stage_tolerance(f, 1) * (1.0 + nH * nw / ng)
        tol_H = _stage_tolerance(f, 2)
        # the closed forms are the derivatives of f (complex step: no subtraction, no truncation)
        tr.add(_norm(g - complex_step_gradient(f.evaluate, w)) / ng, tol_g)
        tr.add(_norm(H - complex_step_jacobian(f.evaluate_grad, w), 2) / nH, tol_H)
        # f(cw) = f(w): evaluation rounding on the absolute terms, plus ∇f(cw)·δ for the rounding δ of cw
        scale = f.value_scale(w) + ng * nw
        tr.add(abs(f.value(c * w) - f.value(w)) / scale, residual_tolerance(f.size, 1.0))
        tr.add(abs(float(w @ g)) / (nw * ng), tol_g)
        tr.add(_norm(c * f.grad(c * w) - g) / ng, tol_g)
        tr.add(_norm(c * c * f.hess(c * w) - H, 2) / nH, tol_H)
        # Hw + ∇f: a matrix-vector product (d·eps·‖H‖‖w‖) on top of H's and ∇f's own errors
        tr.add(_norm(H @ w + g) / (nH * nw), tol_H + tol_g * ng / (nH * nw))
    return tr.result("BN + squared/logistic loss and g(w/‖w‖), d ≤ 8, n ≤ 40; c, ‖w‖ over 10^±3")


def _propagated(f: Any, us: Any, hats: Any, delta: float) -> Any:
    """``E_T``: the first-order error bound on ``u_t`` after each step, from a per-step error δ.

    ``E_{t+1} = (1 + η̂_t‖∇²f(u_t)‖)E_t + (1 + 2η̂_t‖∇f(u_t)‖)δ``, ``E_0 = δ`` (module docstring),
    capped at :data:`_VACUOUS`: two unit vectors are never further apart than 2, so a larger bound says
    nothing (and the worst-case growth would overflow over long runs); comparisons stop there.
    """
    out = np.empty(len(hats) + 1)
    e = delta
    out[0] = e
    for t, h in enumerate(hats):
        e = _grown(e, h, float(np.linalg.norm(f.hess(us[t]), 2)), float(np.linalg.norm(f.grad(us[t]))), delta)
        out[t + 1] = e
    return out


def _grown(e: float, hat: float, hess_norm: float, grad_norm: float, delta: float) -> float:
    """One step of :func:`_propagated`'s recursion, ``(1 + η̂‖∇²f‖)e + (1 + 2η̂‖∇f‖)δ``, capped."""
    return min(_VACUOUS, (1.0 + hat * hess_norm) * e + (1.0 + 2.0 * hat * grad_norm) * delta)


#: a propagated bound this large is no bound: ‖u − v‖ ≤ 2 for unit vectors
_VACUOUS = 2.0
#: trajectory comparisons count as informative while their propagated bound is below this
_INFORMATIVE = 1e-3


@register(
    "si.effective_lr",
    "numeric",
    "GD with weight decay vs normalised GD on the sphere at η/((1−ηλ)‖w‖²); (cw₀, c²η, λ/c²) symmetry",
)
def _si_effective_lr(ctx: CheckContext) -> CheckResult:
    """Directions and norms of ``w_{t+1} = (1 − ηλ)w_t − η∇f(w_t)`` against the sphere route
    (:func:`~theory.scale_invariance.sphere_gd`: unit vectors, η̂_t from the norm recursion, w never
    formed), and the run ``(cw₀, c²η, λ/c²)`` against ``c`` times the first (si.effective_lr).

    The propagated bound grows geometrically (worst-case Lipschitz constants), so whole trajectories
    are compared only while it is below 2 (beyond, it claims nothing; the detail says how many
    comparisons had a bound < 10⁻³). Every step is also checked on its own, from GD's own ``w_t``: the
    next direction against one sphere step at ``effective_lr(η, λ, ‖w_t‖)``, the next norm against
    :func:`~theory.scale_invariance.norm_step`, and the rescaled step against ``c`` times GD's, each
    within a one-step rounding bound, however long the run."""
    rng = ctx.rng(1102)
    tr = ErrorTracker()
    steps = ctx.cases(40, 400)
    informative = compared = 0
    for case in range(ctx.cases(6, 60)):
        f = _function(rng, case)
        w0 = rng.standard_normal(f.d) * 10 ** rng.uniform(-1, 1)
        r0 = float(np.linalg.norm(w0))
        curvature = float(np.linalg.norm(f.hess(w0 / r0), 2))
        # η̂₀·‖∇²f(u₀)‖ between 0.02 and 0.5: real motion on the sphere, a stable step
        eta = float(rng.uniform(0.02, 0.5)) * r0**2 / curvature
        lam = float(rng.uniform(0.0, 0.9)) / eta
        W = gd_weight_decay(f.grad, w0, eta, lam, steps)
        run = sphere_gd(f.grad, w0, eta, lam, steps)
        norms = np.linalg.norm(W, axis=1)
        delta = _stage_tolerance(f, 1)
        bound = _propagated(f, run.directions, run.eta_hats, delta)
        informative += int(np.sum(bound < _INFORMATIVE))
        compared += steps + 1
        for t in np.nonzero(bound < _VACUOUS)[0].tolist():  # beyond, the trajectories may part: no claim
            tr.add(_norm(W[t] / norms[t] - run.directions[t]), bound[t])
            tr.add(abs(norms[t] - run.norms[t]) / run.norms[t], bound[t])
        # every step on its own, from GD's own w_t (no propagation: the bound stays at rounding level
        # however far the trajectories run): GD's next direction and norm against one sphere step at
        # η̂ = effective_lr(η, λ, ‖w_t‖) and one step of the norm recursion
        rel = np.empty(steps)  # 1 + ‖∇²f(u_t)‖/‖∇f(u_t)‖, also the rescaled run's factor below
        for t in range(steps):
            u = W[t] / norms[t]
            g_u = f.grad(u)
            n_g, n_h = _norm(g_u), float(np.linalg.norm(f.hess(u), 2))
            hat = effective_lr(eta, lam, float(norms[t]))
            one = _grown(delta, hat, n_h, n_g, delta)
            tr.add(_norm(W[t + 1] / norms[t + 1] - sphere_step(u, g_u, hat)), one)
            # ‖w‖∇f(w) = ∇f(u) is rounded like a gradient at w: the factor 1 + ‖∇²f(u)‖/‖∇f(u)‖
            x1 = norm_step(float(norms[t]) ** 2, eta, lam, n_g)
            rel[t] = 1.0 + n_h / max(n_g, _EPS)
            tr.add(abs(norms[t + 1] / np.sqrt(x1) - 1.0), one * rel[t])
        c = float(10 ** rng.uniform(-2, 2))
        W2 = gd_weight_decay(f.grad, c * w0, c * c * eta, lam / (c * c), steps)
        errs = np.linalg.norm(W2 / c - W, axis=1) / norms
        for t in np.nonzero(bound < _VACUOUS)[0].tolist():
            tr.add(float(errs[t]), 2.0 * bound[t])
        # and step by step: one step of (c²η, λ/c²) from c·w_t is c times GD's step from w_t
        for t in range(steps):
            cw = c * W[t]
            step = weight_decay_step(cw, f.grad(cw), c * c * eta, lam / (c * c)) / c
            tr.add(_norm(step - W[t + 1]) / norms[t + 1], 2.0 * delta * rel[t])
    return tr.result(
        f"directions and norms over {steps} steps, ηλ ≤ 0.9, η̂₀‖∇²f(u₀)‖ ≤ 0.5; every step on its own, "
        f"and trajectories ({informative} of {compared} within a propagated bound < {_INFORMATIVE:g})"
    )
