"""Empirical (torch) checks of ridge.double_descent.

Imported by :func:`theory.checks.all_checks` (``PROVIDERS``); importing it registers the checks.

Linear models trained by ``torch.optim.SGD`` (full batch, from 0; :mod:`theory.empirical.double_descent`)
over a grid of n at d = 16 (24 under ``--thorough``), with α = 0 and with ``weight_decay = α*(n)``:

1. every trained model equals its closed form (``theory.regression.ridge``: ``X⁺y`` or
   ``(XᵀX + nαI)⁻¹Xᵀy``) within the GD contraction bound plus rounding (derived);
2. the mean test risk of the α = 0 models matches the exact ``E R(X⁺y)`` (n away from the peak,
   ``|n − d| ≥ 8``, where the risk has a finite variance) with a CLT interval;
3. the mean test risk of the tuned models matches the numeric route's Monte Carlo estimate (many
   more draws, ε integrated out) with a two-sample CLT interval, and does not increase along the grid.

False-alarm probability ≤ 10⁻³ for the whole row (Bonferroni over the statistical comparisons).
"""

from __future__ import annotations

import math

import numpy as np

from theory.checks import CheckContext, CheckResult, LabelledTracker, register
from theory.empirical.checks import _device

__all__ = ["run_grid"]  # the check itself is reached through theory.checks.all_checks()

FALSE_ALARM = 1e-3
_NOISE, _R2 = 1.0, 4.0


@register(
    "ridge.double_descent",
    "empirical",
    "torch.optim.SGD linear models over n: λ = 0 risk vs exact formula, tuned weight decay vs Monte Carlo",
)
def _double_descent(ctx: CheckContext) -> CheckResult:
    if ctx.thorough:
        return run_grid(ctx, 24, 400, (4, 8, 32, 40, 64), (4, 8, 16, 24, 32, 48, 64))
    return run_grid(ctx, 16, 120, (6, 40), (6, 16, 28))


def run_grid(
    ctx: CheckContext, d: int, draws: int, ridgeless_ns: tuple[int, ...], tuned_ns: tuple[int, ...]
) -> CheckResult:
    """The check on a given grid (``|n − d| ≥ 8`` in ``ridgeless_ns``: finite variance, see above)."""
    device = _device(ctx)
    from theory import double_descent as dd
    from theory.empirical import _common
    from theory.empirical import double_descent as edd
    from theory.regression import ridge

    comparisons = len(ridgeless_ns) + len(tuned_ns) + max(len(tuned_ns) - 1, 0)
    z2 = dd.bonferroni_z(FALSE_ALARM, comparisons)
    z1 = dd.bonferroni_z(FALSE_ALARM, comparisons, sided=1)
    rng = ctx.rng(1102)
    beta = rng.standard_normal(d)
    beta *= math.sqrt(_R2) / np.linalg.norm(beta)
    tracker = LabelledTracker()
    detail = []
    with _common.exact_math(threads=1):
        for ridgeless, alpha_of_n, ns in (
            (True, lambda n: 0.0, ridgeless_ns),
            (False, lambda n: dd.optimal_alpha(n, d, _NOISE, _R2), tuned_ns),
        ):
            previous: dd.MonteCarloRisk | None = None
            for n in ns:
                a = alpha_of_n(n)
                X, y = edd.make_data(n, d, draws, _NOISE, beta, rng)
                run = edd.train(X, y, a, beta, _NOISE, device=device)
                exact = np.stack([ridge(X[b], y[b], a) for b in range(draws)])
                norms = np.linalg.norm(exact, axis=1)
                tol = edd.weight_tolerance(run, norms, d)
                gaps = np.linalg.norm(run.weights - exact, axis=1)
                k = int(np.argmax(gaps / tol))
                tracker.add(
                    f"torch weights vs closed-form ridge at n={n} (norm)", float(gaps[k]), float(tol[k])
                )
                got = dd.summarise(run.risks)
                if ridgeless:  # α = 0 by construction: the exact min-norm formula
                    expected = dd.min_norm_risk(n, d, _NOISE, _R2)
                    tracker.add(
                        f"|torch mean risk − exact| at n={n} (risk; z·SE)",
                        abs(float(got.mean[0]) - expected),
                        z2 * float(got.stderr[0]),
                    )
                else:
                    ref = dd.monte_carlo_risk(n, d, _NOISE, beta, [a], 20 * draws, rng)
                    expected = float(ref.mean[0])
                    se = math.hypot(float(got.stderr[0]), float(ref.stderr[0]))
                    tracker.add(
                        f"|torch mean risk − Monte Carlo| at n={n} (risk; z·SE)",
                        abs(float(got.mean[0]) - expected),
                        z2 * se,
                    )
                    if previous is not None:  # independent samples: two-sample one-sided comparison
                        rise = float(got.mean[0] - previous.mean[0])
                        tracker.add(
                            f"tuned risk rise to n={n} (risk; z·SE)",
                            max(rise, 0.0),
                            z1 * math.hypot(float(got.stderr[0]), float(previous.stderr[0])),
                        )
                    previous = got
                mean, se = float(got.mean[0]), float(got.stderr[0])
                detail.append(f"n={n} α={a:.3g}: torch {mean:.3f}±{se:.3f} vs {expected:.3f}")
    return tracker.result(f"d={d}, {draws} models per n; " + "; ".join(detail))
