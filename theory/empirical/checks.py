"""Empirical checks registered with ``wdt verify`` (route ``empirical``).

Each check trains real PyTorch models with real ``torch.optim`` optimisers on ``ctx.device`` (float64)
and compares the trained weights with the closed forms of :mod:`theory`. This module imports without
torch: the ``theory.empirical`` submodules are imported inside the checks, and a missing torch or a
missing CUDA device becomes :class:`~theory.checks.CheckSkipped` with the reason.

Budget: the whole set runs in well under 30 s on 2 CPU cores by default; ``--thorough`` adds seeds,
float32 cases and larger models.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from theory.checks import CheckContext, CheckResult, CheckSkipped, ErrorTracker, register
from theory.empirical import TORCH_HINT, DeviceUnavailableError, require_torch, resolve_device
from theory.errors import MissingDependencyError
from theory.numerics import relative_error, residual_tolerance

__all__: list[str] = []  # the checks are reached through theory.checks.all_checks()


def _device(ctx: CheckContext) -> str:
    """``ctx.device`` after checking torch and the device exist (else :class:`CheckSkipped`)."""
    try:
        require_torch()
    except MissingDependencyError:
        raise CheckSkipped(f"torch not installed: {TORCH_HINT}") from None
    try:
        return resolve_device(ctx.device)
    except DeviceUnavailableError as exc:
        raise CheckSkipped(f"CUDA not available: {exc}") from None


@contextmanager
def _small() -> Iterator[None]:
    """Single-threaded torch for the checks' small problems (see ``_common.exact_math``)."""
    from theory.empirical import _common

    with _common.exact_math(threads=1):
        yield


def _seed(ctx: CheckContext, salt: int) -> int:
    return int(ctx.rng(salt).integers(0, 2**31))


def _dtypes(ctx: CheckContext) -> tuple[str, ...]:
    return ("float64", "float32") if ctx.thorough else ("float64",)


# --------------------------------------------------------------------------------- l2.update


@register("l2.update", "empirical", "one torch.optim.SGD(weight_decay=α) step = (1 − εα)w − ε∇J(w)")
def _l2_update(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical import _common as C
    from theory.empirical.linear import make_regression

    torch = C.torch
    tracker = ErrorTracker()
    with _small():
        for case in range(ctx.cases(4, 40)):
            rng = ctx.rng(100 + case)
            for dtype in _dtypes(ctx):
                X, y = make_regression(30, 6, seed=rng, condition=50.0)
                dev, dt, name = C.setup(device, dtype)
                w0 = rng.standard_normal(6)
                eps_, alpha = float(rng.uniform(0.01, 0.2)), float(rng.uniform(0.0, 2.0))
                w = torch.nn.Parameter(C.tensor(w0, dev, dt))
                opt = torch.optim.SGD([w], lr=eps_, weight_decay=alpha)
                r = C.tensor(X, dev, dt) @ w - C.tensor(y, dev, dt)
                (0.5 * (r * r).mean()).backward()
                opt.step()
                grad = X.T @ (X @ w0 - y) / X.shape[0]
                expected = (1 - eps_ * alpha) * w0 - eps_ * grad
                tracker.add(
                    relative_error(C.numpy(w), expected), residual_tolerance(30, 50.0, np.dtype(name))
                )
    return tracker.result("torch SGD step vs G 7.5 computed in NumPy")


# --------------------------------------------------------------------------------- l2.optimum / ridge


@register("l2.optimum", "empirical", "full-batch torch SGD(weight_decay) → (H + αI)⁻¹Hw*")
def _l2_optimum(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.conventions import from_canonical
    from theory.empirical.linear import fit_ridge, make_regression
    from theory.quadratic import Quadratic

    tracker = ErrorTracker()
    worst = ""
    with _small():
        for case in range(ctx.cases(3, 30)):
            rng = ctx.rng(200 + case)
            cond = float(10 ** rng.uniform(0.5, 3.0))
            X, y = make_regression(60, 12, seed=rng, condition=cond)
            lam = float(10 ** rng.uniform(-3, 0))
            for dtype in _dtypes(ctx):
                fit = fit_ridge(X, y, lam, convention="torch.SGD", device=device, dtype=dtype)
                expected = Quadratic.from_regression(X, y).l2_optimum(lam)
                err = relative_error(fit.weight, expected)
                tracker.add(err, fit.tolerance)
                if err / fit.tolerance >= tracker.worst_ratio:
                    wd = from_canonical("torch.SGD", fit.penalty, n=60)["weight_decay"]
                    worst = f"κ(H) = {cond:.3g}, λ = {lam:.3g} (weight_decay = {wd:.3g}), {fit.steps} steps"
    return tracker.result(f"heavy-ball SGD on MSELoss; worst: {worst}")


_USER_LOSS_ROWS = (
    "torch.SGD",
    "torch.Adam",
    "keras.regularizers.L2",
    "keras.optimizers.SGD",
    "optax.add_decayed_weights+sgd",
)


def ridge_cases(thorough: bool) -> Iterator[tuple[str, str | None, bool, bool]]:
    """(convention, data_loss, bias, decay_bias) combinations the l2.ridge check trains."""
    from theory.empirical.linear import DATA_LOSS_REDUCTIONS, LIBRARY_ROWS

    biases = ((False, True), (True, True), (True, False))
    for key in LIBRARY_ROWS:
        if key in _USER_LOSS_ROWS:
            losses: tuple[str | None, ...] = (
                tuple(DATA_LOSS_REDUCTIONS) if (thorough or key == "torch.SGD") else ("mse",)
            )
        else:
            losses = (None,)
        for loss in losses:
            for bias, decay in (
                biases if (thorough or key == "torch.SGD") else ((True, key != "sklearn.Ridge"),)
            ):
                yield key, loss, bias, decay


@register("l2.ridge", "empirical", "every library row of theory.conventions, trained in torch → ridge")
def _l2_ridge(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.linear import fit_ridge, make_regression

    tracker = ErrorTracker()
    worst = ""
    seeds = ctx.cases(1, 3)
    with _small():
        for s in range(seeds):
            X, y = make_regression(50, 10, seed=ctx.rng(300 + s), condition=30.0, offset=0.7)
            for key, loss, bias, decay in ridge_cases(ctx.thorough):
                for dtype in _dtypes(ctx):
                    fit = fit_ridge(
                        X,
                        y,
                        0.05,
                        convention=key,
                        data_loss=loss,
                        bias=bias,
                        decay_bias=decay,
                        device=device,
                        dtype=dtype,
                    )
                    tracker.add(fit.relative_error, fit.tolerance)
                    if fit.ratio >= tracker.worst_ratio:
                        kind = "decayed" if bias and decay else bias
                        worst = f"{key} {fit.params} on {fit.data_loss}, bias={kind}, {dtype}"
    return tracker.result(
        f"{tracker.cases} trainings, params from theory.conventions.from_canonical; worst: {worst}"
    )


# --------------------------------------------------------------------------------- early stopping


def _trajectory_problem(ctx: CheckContext, salt: int) -> tuple[Any, Any, Any, float, list[int]]:
    from theory.empirical.linear import make_regression
    from theory.quadratic import Quadratic

    rng = ctx.rng(salt)
    X, y = make_regression(40, 8, seed=rng, condition=float(10 ** rng.uniform(1, 3)))
    q = Quadratic.from_regression(X, y)
    eps_ = float(rng.uniform(0.2, 0.9)) / float(q.eigenvalues[-1])
    return X, y, q, eps_, [1, 5, 20, 100, 300]


@register("es.trajectory", "empirical", "τ steps of torch SGD from 0 = Q[I − (I − εΛ)^τ]Qᵀw*")
def _es_trajectory(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.linear import gd_trajectory

    tracker = ErrorTracker()
    with _small():
        for case in range(ctx.cases(3, 30)):
            X, y, q, eps_, taus = _trajectory_problem(ctx, 400 + case)
            for dtype in _dtypes(ctx):
                got = gd_trajectory(X, y, eps_, taus, device=device, dtype=dtype)
                want = q.gd_iterates(eps_, taus)
                tol = 10.0 * max(taus) * float(np.finfo(np.dtype(dtype)).eps)
                for g, w in zip(got, want, strict=True):
                    tracker.add(relative_error(g, w), tol)
    return tracker.result("closed form theory.Quadratic.gd_iterates; tolerance 10·τ·eps")


@register("es.equivalence", "empirical", "torch GD iterate = generalised ridge with exact α_i")
def _es_equivalence(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.linear import gd_trajectory

    tracker = ErrorTracker()
    with _small():
        for case in range(ctx.cases(3, 30)):
            X, y, q, eps_, taus = _trajectory_problem(ctx, 500 + case)
            got = gd_trajectory(X, y, eps_, taus, device=device)
            for tau, g in zip(taus, got, strict=True):
                alphas = q.early_stopping_alpha(eps_, tau)
                want = q.generalized_ridge(alphas)
                tracker.add(relative_error(g, want), 10.0 * tau * float(np.finfo(np.float64).eps) * q.d)
    return tracker.result("α_i = λ_i(1 − ελ_i)^τ/(1 − (1 − ελ_i)^τ) (G 7.41–7.43)")


@register("es.nonzero_init", "empirical", "d2l data: torch GD from w⁽⁰⁾ = ridge centred at w⁽⁰⁾")
def _es_nonzero_init(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.d2l import D2LRecipe, d2l_data
    from theory.empirical.linear import gd_trajectory
    from theory.quadratic import Quadratic

    tracker = ErrorTracker()
    recipe = D2LRecipe()
    with _small():
        for case in range(ctx.cases(2, 10)):
            data = d2l_data(recipe, seed=_seed(ctx, 600 + case))
            yc = data.y_train - data.y_train.mean()  # no bias here: centre y
            q = Quadratic.from_regression(data.X_train, yc)
            taus = [10, 100, 400]
            got = gd_trajectory(data.X_train, yc, recipe.lr, taus, w0=data.w0, device=device)
            for tau, g in zip(taus, got, strict=True):
                want = q.generalized_ridge(q.early_stopping_alpha(recipe.lr, tau), center=data.w0)
                tracker.add(relative_error(g, want), 10.0 * tau * float(np.finfo(np.float64).eps) * 20)
    return tracker.result("n = 20, d = 200 (rank 20): null-space directions keep w⁽⁰⁾ (α_i = 1/(ετ) limit)")


# --------------------------------------------------------------------------------- gd


@register("gd.stability", "empirical", "torch SGD converges for ε < 2/(λ_max + α), diverges above")
def _gd_stability(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.linear import gd_trajectory, make_regression
    from theory.errors import ConvergenceError
    from theory.quadratic import Quadratic

    tracker = ErrorTracker()
    with _small():
        for case in range(ctx.cases(3, 20)):
            rng = ctx.rng(700 + case)
            X, y = make_regression(30, 5, seed=rng, condition=10.0)
            alpha = float(rng.uniform(0, 1))
            q = Quadratic.from_regression(X, y)
            bound = q.max_stable_step(alpha)
            limit = q.l2_optimum(alpha)
            for factor, converges in ((0.97, True), (1.03, False)):
                try:
                    w = gd_trajectory(X, y, factor * bound, [600], l2=alpha, device=device)[0]
                    dist = relative_error(w, limit)
                except ConvergenceError:
                    dist = math.inf
                if converges:
                    tracker.add(dist, 1e-6)
                else:  # must be far away: record 1/dist against 1e-6 (passes iff dist ≥ 10⁶)
                    tracker.add(1.0 / dist if dist > 0 else math.inf, 1e-6)
    return tracker.result("600 steps at 0.97× and 1.03× the bound; diverging runs must grow ≥ 10⁶×")


@register("gd.min_norm", "empirical", "d2l recipe: minibatch SGD from w⁽⁰⁾, λ ∈ {0, 3}")
def _gd_min_norm(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.d2l import D2LRecipe, d2l_data, train_d2l

    tracker = ErrorTracker()
    recipe = D2LRecipe()
    eps64 = float(np.finfo(np.float64).eps)
    notes = []
    with _small():
        for case in range(ctx.cases(1, 5)):
            seed = _seed(ctx, 800 + case)
            data = d2l_data(recipe, seed=seed)
            n = data.X_train.shape[0]
            Xa = np.hstack([data.X_train, np.ones((n, 1))])
            s = np.linalg.svd(Xa, compute_uv=False)
            lam_min = float(s[s > 1e-10 * s[0]][-1] ** 2) / n
            for lam in (0.0, 3.0):
                run = train_d2l(lam, recipe=recipe, data=data, seed=seed, device=device)
                # the null-space part of w obeys P w ← (1 − ηλ) P w exactly
                tracker.add(run.null_error, 10.0 * run.steps * eps64 * 100)
                if lam == 0:
                    # the row-space part contracts at least like full-batch GD, (1 − ηλ⁺_min)^T
                    tol = 10.0 * (1 - recipe.lr * lam_min) ** run.steps
                    tracker.add(run.w_error, tol)
                else:
                    # null part exact, row part ≈ full-batch ridge: allow the row part's size
                    row = float(np.linalg.norm(run.w_predicted - data.null_projector @ run.w_predicted))
                    tracker.add(
                        abs(run.w_norm[-1] - run.norm_predicted) / run.norm_predicted,
                        row / run.norm_predicted,
                    )
                notes.append(f"λ={lam:g}: ‖w‖ = {run.w_norm[-1]:.4g} (predicted {run.norm_predicted:.4g})")
    return tracker.result("; ".join(notes[:2]) + f"; (1 − ηλ)^400 = {(1 - 0.009) ** 400:.4f}")


# --------------------------------------------------------------------------------- L1


@register("l1.soft_threshold", "empirical", "torch proximal GD → soft threshold; subgradient gives no zeros")
def _l1(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.linear import fit_lasso, make_regression
    from theory.quadratic import Quadratic

    tracker = ErrorTracker()
    zeros = []
    with _small():
        for case in range(ctx.cases(2, 20)):
            rng = ctx.rng(900 + case)
            X, y = make_regression(60, 12, seed=rng, condition=4.0, decorrelated=True)
            q = Quadratic.from_regression(X, y)
            mu = float(np.median(np.abs(q.w_star) * np.diag(q.H)))  # about half the weights hit 0
            prox = fit_lasso(X, y, mu, method="proximal", device=device)
            tracker.add(prox.relative_error, prox.tolerance)
            tracker.add(0.0 if prox.zero_pattern_matches else math.inf, 1.0)
            sub = fit_lasso(X, y, mu, method="subgradient", device=device)
            tracker.add(float(sub.exact_zeros), 0.5)  # passes iff the subgradient run has no exact 0
            zeros.append(f"{prox.exact_zeros}/{prox.expected_zeros} vs {sub.exact_zeros}")
    return tracker.result(
        "decorrelated X (diagonal H); exact zeros prox/expected vs subgradient: " + ", ".join(zeros[:3])
    )


# --------------------------------------------------------------------------------- optimisers


@register("opt.sgd_equiv", "empirical", "torch SGD(weight_decay) ≡ SGD on loss + (λ/2)‖θ‖², ± momentum")
def _sgd_equiv(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.linear import make_regression
    from theory.empirical.optimizers import sgd_equivalence

    tracker = ErrorTracker()
    with _small():
        for case in range(ctx.cases(2, 20)):
            rng = ctx.rng(1000 + case)
            X, y = make_regression(40, 8, seed=rng, condition=20.0, offset=0.5)
            wd = float(10 ** rng.uniform(-3, 0))
            for momentum, nesterov in ((0.0, False), (0.9, False), (0.9, True)):
                for dtype in _dtypes(ctx):
                    r = sgd_equivalence(
                        X,
                        y,
                        wd,
                        lr=0.05,
                        momentum=momentum,
                        nesterov=nesterov,
                        steps=50,
                        seed=_seed(ctx, 1100 + case),
                        device=device,
                        dtype=dtype,
                    )
                    tracker.add(r.max_relative_error, r.tolerance)
    return tracker.result("50 steps, weight and bias decayed; tolerance 4500·eps (1e-12 in float64)")


@register("opt.adam_not_equiv", "empirical", "Adam(weight_decay) → ridge; AdamW → its own fixed point")
def _adam(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.linear import make_regression
    from theory.empirical.optimizers import adam_vs_adamw

    tracker = ErrorTracker()
    gaps = []
    with _small():
        for case in range(ctx.cases(1, 5)):
            X, y = make_regression(50, 10, seed=ctx.rng(1200 + case), condition=30.0)
            r = adam_vs_adamw(X, y, 0.5, device=device)
            tracker.add(r.adam_error, r.tolerance)
            tracker.add(r.adamw_error, r.tolerance)
            tracker.add(0.01, r.adamw_best_ridge_gap)  # passes iff AdamW is ≥ 1% from every ridge solution
            gaps.append(f"{r.adamw_best_ridge_gap:.3f} (λ' = {r.adamw_best_l2:.3g})")
    return tracker.result(
        "fixed point g + λθ(|g| + ε) = 0 by scipy.optimize.root; AdamW's distance to the nearest ridge "
        "solution: " + ", ".join(gaps)
    )


# --------------------------------------------------------------------------------- l2.eigen


@register("l2.eigen", "empirical", "MLP: dense vs eigsh Hessian; retrained w̃ vs (H + αI)⁻¹Hw*")
def _l2_eigen(ctx: CheckContext) -> CheckResult:
    device = _device(ctx)
    from theory.empirical.hessian import shrinkage_experiment

    tracker = ErrorTracker()
    configs: list[tuple[tuple[int, ...], int]] = [((4, 6, 1), 1024)]
    if ctx.thorough:
        configs += [((6, 8, 1), 2048), ((4, 6, 6, 1), 2048)]  # p = 65 and 79, two hidden layers
    details = []
    for sizes, n in configs:
        r = shrinkage_experiment(sizes=sizes, n=n, k=5, seed=_seed(ctx, 1300), device=device)
        eps_tol = residual_tolerance(r.n_params, 1.0, np.float64, c=100.0)
        tracker.add(r.dense_vs_eigsh, eps_tol)
        tracker.add(r.eigsh_residual, eps_tol)
        # the quadratic prediction is first-order exact: at α = 10⁻³λ_min the move is right to 2%,
        tracker.add(float(r.shift_error[-1]), 0.02)
        # and its error falls at least like √α over the last decade (O(α) expected)
        tracker.add(float(r.shift_error[-1] / r.shift_error[-2]), math.sqrt(r.alphas[-1] / r.alphas[-2]))
        details.append(
            f"p = {r.n_params}, κ(H) = {r.condition_number:.2g}, eigsh {r.eigsh_matvecs} HVPs, "
            f"shift error {' → '.join(f'{e:.2g}' for e in r.shift_error)} for α/λ_min = 10 … 10⁻³"
        )
    return tracker.result("; ".join(details))
