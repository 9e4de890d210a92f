"""Numeric checks of si.equilibrium (rotational equilibrium of SGD, SGD with momentum and AdamW).

Imported by :func:`theory.checks.all_checks` (``PROVIDERS``); importing it registers the checks.

Three parts, one row:

* the exact norm recursion ``x' = (1 − ηλ)²x + η²g²/x`` iterated in floating point against the closed
  fixed point, the relaxation rate ``ρ = 2(1 − ηλ)² − 1`` and ``cos θ* = 1 − ηλ`` (derived tolerances);
* a d-dimensional SGD random walk with random tangent gradients of size ``g/‖w‖`` against that scalar
  recursion (it must follow it to rounding: the recursion is exact, whatever the directions);
* random walks of SGD with momentum and of AdamW: the measured steady-state angular update against
  ``√(2ηλ/(1 + μ))`` and ``√(2ηλ(1 − β₁)/(1 + β₁))``, and the norm against its first-order fixed
  point, within a statistical tolerance (4 standard errors over independent trials) plus an
  allowance for the first-order formulas' neglected ``O(ηλ)`` terms.
"""

from __future__ import annotations

import math

import numpy as np

from theory import equilibrium as E
from theory.checks import CheckContext, CheckResult, ErrorTracker, register
from theory.validate import dtype_eps

__all__: list[str] = []  # the checks are reached through theory.checks.all_checks()

_EPS = dtype_eps(np.float64)
#: standard errors a statistical estimate may stray (two-sided p ≈ 6·10⁻⁵ under normality)
Z = 4.0
#: Adam's second-moment average in the AdamW walks (a short memory, so v̂ settles within the burn-in)
BETA2 = 0.99


def bias_allowance(p: float, beta: float) -> float:
    """``2ηλ/(1 − β)``: the relative error allowed to a first-order formula at ``ηλ = p`` with
    momentum or β₁ = β. Empirical: the formulas neglect relative terms of order ηλ whose constant grows
    as β → 1; simulations at ηλ ≤ 0.02, β ∈ {0, 0.5, 0.9} measured at most 0.5 % (AdamW, whose
    per-coordinate normalisation makes the update only orthogonal to w on average)."""
    return 2.0 * p / (1.0 - beta)


def recursion_errors(p: float, eta: float, g: float, start: float) -> list[tuple[str, float, float]]:
    """``(what, error, tolerance)`` for the exact recursion at ``ηλ = p``, from ``x0 = start·x*``.

    * Convergence: for ``x ≥ x*`` and ``ρ ≥ 0`` the identity ``F(x) − x* = (x − x*)(a − c/(x·x*))``
      gives ``0 ≤ F(x) − x* ≤ a(x − x*)``, so after T steps ``x_T/x* − 1 ≤ (start − 1)a^T`` plus
      rounding: each step rounds ``x`` by a few eps relative and F never amplifies a relative error
      (its elasticity ``(ax² − c)/(ax² + c)`` lies in (−1, 1)), so at most ``8·T·eps`` in all.
    * The angle there: ``θ(x) = atan(ηg/((1 − ηλ)x))`` against ``arccos(1 − ηλ)``; ``|dθ/d ln x| ≤ θ``.
    * The rate: from ``x0 = x*(1 + δ)`` the mean log-ratio of successive deviations over T steps lies
      in ``[ln ρ, ln(ρ + (1 − a)δ)]``, and the rounding of the last deviation adds
      ``16·eps/(δ_T·T)``; as a relative error of the relaxation time ``−1/ln ρ``.
    """
    wd = p / eta
    a = (1.0 - p) ** 2
    x_star = E.sgd_norm_fixed_point(eta, wd, g)
    rho = E.relaxation_rate(eta, wd)
    tau = E.relaxation_time(eta, wd)
    out: list[tuple[str, float, float]] = []
    steps = math.ceil(40.0 / (1.0 - a))  # a^T ≤ e^{-40}
    xs = E.iterate_norm(start * x_star, eta, wd, g, steps)
    conv_tol = (start - 1.0) * a**steps + 8.0 * steps * _EPS
    out.append(("x_T vs x*", abs(xs[-1] / x_star - 1.0), conv_tol))
    theta = float(E.step_angle(xs[-1], eta, wd, g))
    out.append(
        ("θ(x_T) vs arccos(1 − ηλ)", abs(theta - E.equilibrium_angle(eta, wd)), theta * (conv_tol + 8 * _EPS))
    )
    delta = 1e-3
    span = math.ceil(3.0 * tau)
    near = E.iterate_norm(x_star * (1.0 + delta), eta, wd, g, span)
    dev = near / x_star - 1.0
    mean_log = math.log(dev[-1] / dev[0]) / span
    rate_err = math.log1p((1.0 - a) * delta / rho) + 16.0 * _EPS / (abs(dev[-1]) * span)
    out.append(("relaxation rate", abs(math.exp(mean_log) / rho - 1.0), math.expm1(rate_err)))
    measured_tau = -1.0 / mean_log
    out.append(("relaxation time", abs(measured_tau / tau - 1.0), rate_err * tau + 1e-12))
    return out


@register(
    "si.equilibrium",
    "numeric",
    "exact norm recursion; random walks of SGD, SGD+momentum, AdamW vs √(2ηλ/(1+μ)), √(2ηλ(1−β₁)/(1+β₁))",
)
def _si_equilibrium(ctx: CheckContext) -> CheckResult:
    rng = ctx.rng(4101)
    tr = ErrorTracker()
    # exact recursion, ηλ ∈ [1e-3, 0.25] (ρ > 0: a monotone approach from above)
    for _ in range(ctx.cases(6, 60)):
        p = float(10 ** rng.uniform(-3, math.log10(0.25)))
        eta = float(10 ** rng.uniform(-2, 0))
        g = float(10 ** rng.uniform(-2, 2))
        for what, err, tol in recursion_errors(p, eta, g, float(rng.uniform(1.5, 10.0))):
            del what
            tr.add(err, tol)
    # SGD random walk (d dimensions) against the scalar recursion, to rounding
    steps, dim = ctx.cases(300, 2000), 32
    sim = E.simulate("sgd", 0.1, 0.2, steps, dim=dim, trials=8, g=2.0, seed=rng)
    for k in range(sim.norms2.shape[1]):
        rec = E.iterate_norm(float(sim.norms2[0, k]), 0.1, 0.2, 2.0, steps)
        tr.add(float(np.max(np.abs(sim.norms2[:, k] / rec - 1.0))), 10.0 * dim * steps * _EPS)
        exact = E.step_angle(rec[:-1], 0.1, 0.2, 2.0)
        tr.add(float(np.max(np.abs(sim.angles[:, k] / exact - 1.0))), 10.0 * dim * steps * _EPS)
    # momentum and AdamW random walks: statistics
    tr.empirical_tolerance(
        f"random walks: {Z:g} standard errors over independent trials plus 2ηλ/(1 − β) for the "
        "first-order formulas' O(ηλ) terms (measured ≤ 0.5 % at ηλ ≤ 0.02); AdamW's norm also "
        "2(1 − β₂) for the update's RMS (Adam's v̂ is a running average)"
    )
    eta_s, eta_a = 0.1, 0.01
    long = ctx.cases(1500, 6000)
    walks: tuple[tuple[E.Optimizer, float, float], ...] = (
        ("sgd", 0.9, 0.005),
        ("sgd", 0.5, 0.01),
        ("adamw", 0.0, 0.01),
        ("adamw", 0.9, 0.005),
    )
    for kind, beta, p in walks:
        eta = eta_s if kind == "sgd" else eta_a
        wd = p / eta
        sims = E.simulate(
            kind, eta, wd, long, dim=64, trials=ctx.cases(24, 96), momentum=beta, beta2=BETA2, seed=rng
        )
        burn = long // 2
        mean, se = E.steady_state_angle(sims, burn)
        pred = E.first_order_angle(eta, wd, beta) if kind == "sgd" else E.adamw_angle(eta, wd, beta)
        allow = bias_allowance(p, beta)
        tr.add(abs(mean / pred - 1.0), Z * se / pred + allow)
        norms = np.mean(sims.norms2[burn:], axis=0)
        x_pred = (
            E.momentum_norm_fixed_point(eta, wd, 1.0, beta)
            if kind == "sgd"
            else E.adamw_norm_fixed_point(eta, wd, 64)
        )
        se_x = float(np.std(norms, ddof=1) / math.sqrt(norms.size))
        # Adam's v̂ averages ~1/(1 − β₂) steps, so its update's mean square is 1 only to O(1 − β₂)
        rms_allow = 2.0 * (1.0 - BETA2) if kind == "adamw" else 0.0
        tr.add(abs(float(np.mean(norms)) / x_pred - 1.0), Z * se_x / x_pred + allow + rms_allow)
    return tr.result(
        "x* = ηg/√(ηλ(2−ηλ)), cos θ* = 1 − ηλ, τ = −1/ln(2(1−ηλ)²−1); "
        "walks: SGD μ ∈ {0.5, 0.9}, AdamW β₁ ∈ {0, 0.9}"
    )
