"""Numeric checks of ridge.double_descent.

Imported by :func:`theory.checks.all_checks` (``PROVIDERS``); importing it registers the checks.

One row, four parts, each a comparison of a closed form of :mod:`theory.double_descent` with Monte
Carlo over Gaussian designs (one SVD per draw, every α at once):

1. the exact finite-n risk of the minimum-norm interpolator, on both sides of the peak, for sizes
   with ``|n − d| ≥ 6`` (the Monte Carlo mean has a finite variance only for ``|n − d| > 3``: the
   second moment of an inverse Wishart matrix needs ``n − d − 3 > 0``, so CLT intervals are
   meaningless nearer the peak, where the formula is ``+inf`` or huge);
2. ``α* = σ²d/(n r²)`` is not beaten by any ``α*·c`` (c ∈ {¼, ½, 2, 4}), one-sided paired comparisons;
3. the tuned risk does not increase from n to n + 1 (n = 2 … 3d), one-sided paired comparisons on
   nested designs;
4. the Marchenko–Pastur risk (Dobriban & Wager 2018) against Monte Carlo at d = 200 (600 under
   ``--thorough``), at α* and 4α*, with β's direction integrated out.

Statistical design: every comparison is ``|mean − value| ≤ z·SE`` (or one-sided), z from
:func:`~theory.double_descent.bonferroni_z` so that a correct implementation fails the whole row with
probability at most ``FALSE_ALARM`` = 10⁻³ (a quarter of it per part, split over that part's
comparisons), up to the CLT approximation. Part 4 adds an allowance ``2R/d`` for the finite-d bias of
the Monte Carlo mean, which is O(1/d) (measured ``|bias|·d/R ≤ 0.55`` at d = 150…1200): that allowance
is empirical and the row says so.
"""

from __future__ import annotations

import numpy as np

from theory import double_descent as dd
from theory.checks import CheckContext, CheckResult, ErrorTracker, register
from theory.validate import dtype_eps

__all__: list[str] = []  # the checks are reached through theory.checks.all_checks()

FALSE_ALARM = 1e-3
_NOISE, _R2 = 1.0, 4.0  # σ² and ‖β‖²: SNR 4, so the bias term (1 − n/d)r² is visible next to σ²


def _beta(d: int, rng: np.random.Generator) -> np.ndarray:
    """A fixed β of norm r (one random direction per check run)."""
    v = rng.standard_normal(d)
    return np.asarray(np.sqrt(_R2) * v / np.linalg.norm(v))


def _rounding(value: float, d: int) -> float:
    """Rounding of a sum of O(d) terms of size ≤ value: ``10·d·eps·value`` (negligible next to z·SE)."""
    return 10.0 * d * dtype_eps(np.float64) * abs(value)


class _Worst:
    """The case with the largest err/tol ratio seen so far, and its description (for the row's detail)."""

    def __init__(self) -> None:
        self.ratio = -1.0
        self.text = ""

    def see(self, err: float, tol: float, text: str) -> None:
        ratio = err / tol
        if ratio > self.ratio:
            self.ratio, self.text = ratio, text


def _min_norm_part(ctx: CheckContext, tracker: ErrorTracker, rng: np.random.Generator) -> str:
    d = 12
    ns = (2, 3, 4, 5, 6, 18, 20, 24, 36, 48) if ctx.thorough else (3, 6, 18, 24)
    draws = ctx.cases(1500, 8000)
    z = dd.bonferroni_z(FALSE_ALARM / 4, len(ns))
    beta = _beta(d, rng)
    worst = _Worst()
    for n in ns:
        mc = dd.monte_carlo_risk(n, d, _NOISE, beta, [0.0], draws, rng)
        exact = dd.min_norm_risk(n, d, _NOISE, _R2)
        err = abs(float(mc.mean[0]) - exact)
        tol = z * float(mc.stderr[0]) + _rounding(exact, d)
        tracker.add(err, tol)
        mean, se = float(mc.mean[0]), float(mc.stderr[0])
        worst.see(
            err,
            tol,
            f"worst min-norm case n={n}, d={d}: exact {exact:.4f}, MC {mean:.4f} ± {se:.4f} "
            f"(|MC − exact|/tolerance {err / tol:.2f})",
        )
    return worst.text


def _optimal_alpha_part(ctx: CheckContext, tracker: ErrorTracker, rng: np.random.Generator) -> None:
    d = 12
    ns = (2, 4, 8, 11, 12, 13, 16, 24, 48) if ctx.thorough else (4, 12, 24)
    factors = (0.25, 0.5, 2.0, 4.0)
    draws = ctx.cases(800, 5000)
    z = dd.bonferroni_z(FALSE_ALARM / 4, len(ns) * len(factors), sided=1)
    beta = _beta(d, rng)
    for n in ns:
        a = dd.optimal_alpha(n, d, _NOISE, _R2)
        risks = dd.ridge_risk_draws(n, d, _NOISE, beta, [a, *(a * c for c in factors)], draws, rng)
        for j in range(1, risks.shape[1]):
            diff = dd.summarise(risks[:, 0] - risks[:, j])  # > 0 would mean α*·c beats α*
            tracker.add(max(float(diff.mean[0]), 0.0), z * float(diff.stderr[0]) + _rounding(risks[0, 0], d))


def _monotone_part(ctx: CheckContext, tracker: ErrorTracker, rng: np.random.Generator) -> None:
    d = 12
    ns = np.arange(2, 3 * d + 1)
    draws = ctx.cases(300, 4000)
    z = dd.bonferroni_z(FALSE_ALARM / 4, len(ns) - 1, sided=1)
    beta = _beta(d, rng)
    risks = dd.nested_risk_draws(
        d, ns, _NOISE, beta, lambda n: dd.optimal_alpha(n, d, _NOISE, _R2), draws, rng
    )
    steps = dd.summarise(np.diff(risks, axis=1))  # R(n + 1) − R(n), paired
    for mean, se in zip(steps.mean, steps.stderr, strict=True):
        tracker.add(max(float(mean), 0.0), z * float(se) + _rounding(float(risks[0, 0]), d))


def _marchenko_pastur_part(ctx: CheckContext, tracker: ErrorTracker, rng: np.random.Generator) -> str:
    d = ctx.cases(150, 400)
    gammas = (0.25, 0.5, 0.8, 1.25, 2.0, 4.0) if ctx.thorough else (0.5, 2.0)
    draws = ctx.cases(8, 20)
    z = dd.bonferroni_z(FALSE_ALARM / 4, 2 * len(gammas))
    tracker.empirical_tolerance(
        "MP vs Monte Carlo at finite d: allowance 2R/d for the O(1/d) finite-size bias (measured ≤ 0.55R/d)"
    )
    beta = _beta(d, rng)
    worst = _Worst()
    for g in gammas:
        n = round(d / g)
        a = dd.optimal_alpha(n, d, _NOISE, _R2)
        alphas = np.array([a, 4 * a])
        mc = dd.summarise(dd.ridge_risk_draws(n, d, _NOISE, beta, alphas, draws, rng, average_direction=True))
        limit = dd.asymptotic_ridge_risk(d / n, alphas, _NOISE, _R2)
        tuned = dd.asymptotic_tuned_risk(d / n, _NOISE, _R2)
        # the collapse R_∞(α*) = σ² + r²μ(α*) (μ = αm): two formulas that agree up to rounding, by
        # the quadratic γμ² + bμ − α = 0 (at α* = σ²γ/r², σ²γ = r²α*). Each route is a few products,
        # one hypot, a square root and divisions of positive numbers (no cancellation), ≤ 10 eps
        # relative per term; all terms are positive, so the error is ≤ 20 eps × (the two values).
        g = d / n
        size = float(limit[0]) + tuned
        tracker.add(abs(float(limit[0]) - tuned), 20.0 * dtype_eps(np.float64) * size)
        for k, name in enumerate(("α*", "4α*")):
            err = abs(float(mc.mean[k]) - float(limit[k]))
            tol = z * float(mc.stderr[k]) + 2.0 * float(limit[k]) / d
            tracker.add(err, tol)
            worst.see(
                err,
                tol,
                f"worst MP case γ={g:.2f} at {name}: R∞ {float(limit[k]):.4f}, "
                f"MC {float(mc.mean[k]):.4f} ± {float(mc.stderr[k]):.4f} "
                f"(|MC − R∞|/tolerance {err / tol:.2f})",
            )
    return worst.text


@register(
    "ridge.double_descent",
    "numeric",
    "exact min-norm risk and MP limit vs Monte Carlo; α* optimal; tuned risk non-increasing in n",
)
def _double_descent(ctx: CheckContext) -> CheckResult:
    tracker = ErrorTracker()
    rng = ctx.rng(1101)
    first = _min_norm_part(ctx, tracker, rng)
    _optimal_alpha_part(ctx, tracker, rng)
    _monotone_part(ctx, tracker, rng)
    last = _marchenko_pastur_part(ctx, tracker, rng)
    return tracker.result(
        f"max_error/tolerance: the worst |estimate − formula| over z·SE (+ rounding, + 2R/d for MP) of "
        f"all parts, in units of risk; {first}; {last}; false-alarm ≤ {FALSE_ALARM:g} (Bonferroni, CLT)"
    )
