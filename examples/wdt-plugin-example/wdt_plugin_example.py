"""An example plugin for weight-decay-theory: a theorem of your own, with a numeric check.

The theorem ``example.ridge_augmented``: ridge regression is ordinary least squares on augmented data,
``argmin_w ½‖Xw − y‖² + (α/2)‖w‖² = argmin_w ½‖Aw − b‖²`` with ``A = [X; √α I]`` and ``b = [y; 0]``
(Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*, 2nd ed., Exercise 3.12): the
two objectives are the same function of w, since ``‖Aw − b‖² = ‖Xw − y‖² + α‖w‖²``.

How it reaches ``wdt verify``: this package's ``pyproject.toml`` declares this module in the
entry-point group ``weight_decay_theory.plugins``; ``wdt verify`` imports every module declared there,
and importing this one adds the theorem (``theory.catalogue.add``) and registers its check
(``theory.checks.register``). After ``pip install examples/wdt-plugin-example``::

    wdt verify --only example.
"""

from __future__ import annotations

import numpy as np

from theory import regression
from theory.catalogue import Theorem, add
from theory.checks import CheckContext, CheckResult, ErrorTracker, register
from theory.numerics import product_tolerance, relative_error, residual_tolerance

THEOREM = add(
    Theorem(
        "example.ridge_augmented",
        "Ridge is least squares on augmented data",
        r"\arg\min_w \tfrac12\|Xw - y\|^2 + \tfrac\alpha2\|w\|^2"
        r" = \arg\min_w \tfrac12\|Aw - b\|^2,\ A = \begin{bmatrix}X\\ \sqrt\alpha I\end{bmatrix},"
        r"\ b = \begin{bmatrix}y\\ 0\end{bmatrix}",
        "Hastie, Tibshirani & Friedman, The Elements of Statistical Learning (2nd ed.), Exercise 3.12",
        ("α > 0 (A then has full column rank, so both minimisers are unique)",),
    )
)


@register(THEOREM.id, "numeric", "theory's ridge (SVD of X) vs numpy.linalg.lstsq on [X; √α I], [y; 0]")
def check_ridge_augmented(ctx: CheckContext) -> CheckResult:
    """Both routes solve one least-squares problem with a backward-stable method (an SVD), so by the
    perturbation theorem for least squares (Higham, *Accuracy and Stability of Numerical Algorithms*,
    2nd ed., Thm 20.1) each is within ``γ κ (2 + (κ + 1) ρ)`` of the exact minimiser, relative to its
    norm, where κ is A's condition number, ``ρ = ‖r‖/(‖A‖‖w‖)`` with the residual ``r = b − Aw`` and
    ``γ = c·(n + d)·eps`` the backward error; the tolerance is the sum of the two routes' bounds."""
    rng = ctx.rng(1)
    tracker = ErrorTracker()
    for _ in range(ctx.cases(30, 500)):
        n, d = (int(k) for k in rng.integers(2, 12, size=2))  # n < d too
        X = rng.standard_normal((n, d)) * np.logspace(0, -rng.uniform(0, 3), d)  # κ(X) up to ~1e3
        y = rng.standard_normal(n)
        alpha = float(10 ** rng.uniform(-4, 1))
        ours = regression.ridge(X, y, alpha, convention="half_sse")
        A = np.vstack([X, np.sqrt(alpha) * np.eye(d)])
        b = np.concatenate([y, np.zeros(d)])
        theirs = np.linalg.lstsq(A, b, rcond=None)[0]
        s = np.linalg.svd(A, compute_uv=False)
        kappa = float(s[0] / s[-1])
        rho = float(np.linalg.norm(b - A @ theirs) / (s[0] * np.linalg.norm(theirs)))
        m = n + d  # A is m×d
        one_route = (
            2 * residual_tolerance(m, kappa)
            + (product_tolerance(m, kappa) + residual_tolerance(m, kappa)) * rho
        )
        tracker.add(relative_error(ours, theirs), 2 * one_route)
    return tracker.result("‖w_ridge − w_lstsq‖/‖w_lstsq‖ against two least-squares perturbation bounds")
