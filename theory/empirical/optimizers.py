"""SGD with weight decay vs SGD on an L2 loss, and Adam + L2 vs AdamW (opt.sgd_equiv, opt.adam_not_equiv).

Loshchilov & Hutter (ICLR 2019) Prop. 1: ``torch.optim.SGD(weight_decay=λ)`` on a loss L takes exactly
the steps of plain SGD on ``L + (λ/2)‖θ‖²`` (momentum included: the decay is added to the gradient
before the momentum buffer). Prop. 2: for Adam the two differ. ``Adam(weight_decay=λ)`` adds ``λθ`` to
the gradient, so its full-batch fixed point is ``∇L + λθ = 0``, the ridge optimum. ``AdamW`` first
scales ``θ ← θ(1 − lr·λ)`` and then takes the Adam step, so at a full-batch fixed point (``m̂ = g``,
``v̂ = g²``)::

    λθ + g/(|g| + ε) = 0   ⇔   g + λθ(|g| + ε) = 0   (element-wise, g = ∇L(θ))

which no L2 coefficient reproduces when the ``|g| + ε`` are unequal. :func:`adam_vs_adamw` trains both
and solves that equation independently with ``scipy.optimize.root``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.optimize
from numpy.typing import ArrayLike

from theory.conventions import to_canonical
from theory.empirical import _common as C
from theory.empirical.linear import canonical_ridge
from theory.errors import ConvergenceError, InputError
from theory.numerics import relative_error
from theory.regression import validate_regression
from theory.validate import as_nonneg_float, as_positive_float

torch = C.torch

__all__ = ["AdamComparison", "SGDEquivalence", "adam_vs_adamw", "adamw_fixed_point", "sgd_equivalence"]

FloatArray = C.FloatArray


@dataclass(frozen=True, slots=True)
class SGDEquivalence:
    """Two trajectories of ``torch.optim.SGD`` from the same start (opt.sgd_equiv).

    Attributes:
        decayed: parameters after each step of ``SGD(weight_decay=wd)`` on ``MSELoss``, shape
            ``(steps + 1, p)`` (row 0 is the start; p counts weight and bias).
        penalised: the same for ``SGD(weight_decay=0)`` on ``MSELoss + (wd/2)‖θ‖²``.
        relative_difference: ``‖decayed[t] − penalised[t]‖/‖penalised[t]‖`` per step.
        max_relative_error: its maximum.
        tolerance: ``10·steps·p·eps(dtype)`` (4500·eps for 50 steps and p = 9: 1e-12 in float64,
            5e-4 in float32): each step rounds each of the p coordinates at most a few eps apart in
            the two routes (``wd·θ`` added to the gradient by the optimiser vs by autograd), and at
            this lr the iteration does not amplify a difference, so the errors add over the steps.
        momentum, nesterov, lr, weight_decay: the settings.
    """

    decayed: FloatArray
    penalised: FloatArray
    relative_difference: FloatArray
    max_relative_error: float
    tolerance: float
    momentum: float
    nesterov: bool
    lr: float
    weight_decay: float

    @property
    def ok(self) -> bool:
        """``max_relative_error <= tolerance``."""
        return self.max_relative_error <= self.tolerance


@dataclass(frozen=True, slots=True)
class AdamComparison:
    """Full-batch Adam(weight_decay) and AdamW on the same problem (opt.adam_not_equiv).

    Attributes:
        steps: 0..N, the step index of the per-step arrays.
        adam_distance, adamw_distance: ``‖θ_t − w_ridge‖/‖w_ridge‖`` per step, where ``w_ridge`` is
            the ridge optimum of the canonical λ that ``Adam(weight_decay)`` represents
            (``theory.conventions``: λ = wd/2 on ``MSELoss``).
        adamw_fixed_point_distance: ``‖θ_t − θ_AdamW‖/‖θ_AdamW‖`` per step for AdamW.
        ridge: ``w_ridge``. adam_final, adamw_final: the last iterates.
        adamw_fixed_point: the solution of ``g + λθ(|g| + ε) = 0`` from ``scipy.optimize.root``.
        fixed_point_residual: ``max|g + λθ(|g| + ε)|`` at that solution.
        adam_error: ``adam_distance[-1]``; adamw_error: ``adamw_fixed_point_distance[-1]``.
        adamw_ridge_gap: ``‖θ_AdamW − w_ridge‖/‖w_ridge‖``.
        adamw_best_ridge_gap, adamw_best_l2: ``min_λ' ‖θ_AdamW − ridge(λ')‖/‖θ_AdamW‖`` and its λ':
            how far AdamW's limit is from *every* ridge solution.
        tolerance: what ``adam_error`` and ``adamw_error`` are held to.
        lr, betas, eps, weight_decay: the optimiser settings.
    """

    steps: FloatArray
    adam_distance: FloatArray
    adamw_distance: FloatArray
    adamw_fixed_point_distance: FloatArray
    ridge: FloatArray
    adam_final: FloatArray
    adamw_final: FloatArray
    adamw_fixed_point: FloatArray
    fixed_point_residual: float
    adam_error: float
    adamw_error: float
    adamw_ridge_gap: float
    adamw_best_ridge_gap: float
    adamw_best_l2: float
    tolerance: float
    lr: float
    betas: tuple[float, float]
    eps: float
    weight_decay: float


def sgd_equivalence(
    X: ArrayLike,
    y: ArrayLike,
    weight_decay: float,
    *,
    lr: float = 0.05,
    momentum: float = 0.0,
    nesterov: bool = False,
    steps: int = 50,
    seed: int = 0,
    device: str = "cpu",
    dtype: Any = "float64",
) -> SGDEquivalence:
    """Run ``SGD(weight_decay=wd)`` on ``MSELoss`` and plain SGD on ``MSELoss + (wd/2)‖θ‖²`` side by side.

    Both start from the same ``nn.Linear`` initialisation (``torch.Generator`` seeded with ``seed``);
    weight and bias are both decayed, as torch does by default. L&H 2019, Prop. 1.
    """
    Xm, yv = validate_regression(X, y)
    wd = as_nonneg_float(weight_decay, "weight_decay", where="opt.sgd_equiv")
    step = as_positive_float(lr, "lr", where="opt.sgd_equiv")
    mom = as_nonneg_float(momentum, "momentum", where="opt.sgd_equiv")
    if not isinstance(steps, int) or steps < 1:
        raise InputError(f"steps must be a positive integer; got {steps!r}")
    dev, dt, name = C.setup(device, dtype)
    _n, d = Xm.shape
    trajectories = []
    with C.exact_math(threads=C.threads_for(Xm.size)):
        Xt, yt = C.tensor(Xm, dev, dt), C.tensor(yv, dev, dt)
        mse = torch.nn.MSELoss()
        for coupled in (True, False):
            torch_gen = C.generator(seed)
            model = torch.nn.Linear(d, 1, dtype=dt)
            with torch.no_grad():
                for p in model.parameters():
                    p.copy_(torch.randn(p.shape, generator=torch_gen, dtype=dt))
            model.to(dev)
            opt = torch.optim.SGD(
                model.parameters(),
                lr=step,
                momentum=mom,
                nesterov=nesterov,
                weight_decay=wd if coupled else 0.0,
            )
            rows = [C.numpy(torch.cat([p.reshape(-1) for p in model.parameters()]))]
            for _ in range(steps):
                opt.zero_grad(set_to_none=True)
                loss = mse(model(Xt).squeeze(-1), yt)
                if not coupled:
                    loss = loss + 0.5 * wd * sum((p * p).sum() for p in model.parameters())
                loss.backward()
                opt.step()
                rows.append(C.numpy(torch.cat([p.reshape(-1) for p in model.parameters()])))
            trajectories.append(np.stack(rows))
    a, b = trajectories
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ConvergenceError(f"SGD diverged with lr = {step}; take a smaller lr")
    rel = np.linalg.norm(a - b, axis=1) / np.maximum(np.linalg.norm(b, axis=1), np.finfo(float).tiny)
    return SGDEquivalence(
        decayed=a,
        penalised=b,
        relative_difference=rel,
        max_relative_error=float(rel.max()),
        tolerance=10.0 * steps * a.shape[1] * C.eps(name),
        momentum=mom,
        nesterov=nesterov,
        lr=step,
        weight_decay=wd,
    )


def adamw_fixed_point(
    X: ArrayLike, y: ArrayLike, weight_decay: float, eps: float, *, x0: ArrayLike | None = None
) -> tuple[FloatArray, float]:
    """Solve ``g + λθ(|g| + ε) = 0`` with ``g = (2/n)Xᵀ(Xθ − y)`` (``MSELoss``, no bias) by
    ``scipy.optimize.root`` (Powell hybrid, then Levenberg–Marquardt if needed).

    Returns ``(θ, max|residual|)``. This is the full-batch fixed point of ``torch.optim.AdamW``
    (decay ``θ ← θ(1 − lr·λ)`` then ``θ ← θ − lr·m̂/(√v̂ + ε)`` with ``m̂ = g``, ``v̂ = g²``).
    """
    Xm, yv = validate_regression(X, y)
    lam = as_positive_float(weight_decay, "weight_decay", where="opt.adam_not_equiv")
    e = as_positive_float(eps, "eps", where="opt.adam_not_equiv")
    n = Xm.shape[0]

    def residual(theta: FloatArray) -> FloatArray:
        g = (2.0 / n) * (Xm.T @ (Xm @ theta - yv))
        return g + lam * theta * (np.abs(g) + e)

    start = canonical_ridge(Xm, yv, lam / 2)[0] if x0 is None else np.asarray(x0, dtype=np.float64)
    best = start
    for method in ("hybr", "lm"):
        sol = scipy.optimize.root(residual, best, method=method, tol=1e-15)
        best = sol.x
        res = float(np.max(np.abs(residual(best))))
        if res <= 1e-13 * max(1.0, float(np.max(np.abs(Xm.T @ yv))) / n):
            return best, res
    raise ConvergenceError(
        f"scipy.optimize.root did not solve the AdamW fixed-point equation: residual {res:.3g}"
    )


def adam_vs_adamw(
    X: ArrayLike,
    y: ArrayLike,
    weight_decay: float = 0.5,
    *,
    lr: float = 0.05,
    betas: tuple[float, float] = (0.9, 0.95),
    eps: float = 0.1,
    steps: int = 1500,
    device: str = "cpu",
    dtype: Any = "float64",
) -> AdamComparison:
    """Train ``nn.Linear(d, 1, bias=False)`` from 0 with full-batch ``Adam(weight_decay)`` and
    ``AdamW(weight_decay)`` on ``MSELoss`` (opt.adam_not_equiv; L&H 2019, Prop. 2).

    The defaults (``betas=(0.9, 0.95)``, ``eps=0.1``, constant lr) make both converge linearly to
    their fixed points in about 1000 steps; with ``β₂ = 0.999`` the second-moment estimate needs
    tens of thousands of steps to forget the early gradients, and with ``eps = 1e-8`` AdamW's fixed
    point sits within ``~ε·λ`` of the unregularised optimum (still not ridge, but stiff to reach).
    """
    Xm, yv = validate_regression(X, y)
    wd = as_positive_float(weight_decay, "weight_decay", where="opt.adam_not_equiv")
    step = as_positive_float(lr, "lr", where="opt.adam_not_equiv")
    e = as_positive_float(eps, "eps", where="opt.adam_not_equiv")
    if not isinstance(steps, int) or steps < 1:
        raise InputError(f"steps must be a positive integer; got {steps!r}")
    dev, dt, name = C.setup(device, dtype)
    n, d = Xm.shape
    lam = float(to_canonical("torch.Adam", {"weight_decay": wd}, n=n, data_loss="mse").l2)
    w_ridge = canonical_ridge(Xm, yv, lam)[0]
    w_fp, residual = adamw_fixed_point(Xm, yv, wd, e)
    finals, paths = [], []
    with C.exact_math(threads=C.threads_for(Xm.size)):
        Xt, yt = C.tensor(Xm, dev, dt), C.tensor(yv, dev, dt)
        mse = torch.nn.MSELoss()
        for cls in (torch.optim.Adam, torch.optim.AdamW):
            w = torch.zeros(d, dtype=dt, device=dev, requires_grad=True)
            opt = cls([w], lr=step, betas=betas, eps=e, weight_decay=wd)
            path = [C.numpy(w)]
            for _ in range(steps):
                opt.zero_grad(set_to_none=True)
                mse(Xt @ w, yt).backward()
                opt.step()
                path.append(C.numpy(w))
            arr = np.stack(path)
            if not np.isfinite(arr).all():
                raise ConvergenceError(f"{cls.__name__} diverged with lr = {step}")
            paths.append(arr)
            finals.append(arr[-1])

    def dist(path: FloatArray, ref: FloatArray) -> FloatArray:
        return np.linalg.norm(path - ref, axis=1) / np.linalg.norm(ref)

    def gap(log_l2: float) -> float:
        return relative_error(canonical_ridge(Xm, yv, math.exp(log_l2))[0], w_fp)

    grid = np.linspace(-25.0, 8.0, 67)
    vals = [gap(t) for t in grid]
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    best = scipy.optimize.minimize_scalar(gap, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    best_gap, best_l2 = (
        (float(best.fun), math.exp(best.x)) if best.fun < vals[i] else (vals[i], math.exp(grid[i]))
    )
    return AdamComparison(
        steps=np.arange(steps + 1, dtype=np.float64),
        adam_distance=dist(paths[0], w_ridge),
        adamw_distance=dist(paths[1], w_ridge),
        adamw_fixed_point_distance=dist(paths[1], w_fp),
        ridge=w_ridge,
        adam_final=finals[0],
        adamw_final=finals[1],
        adamw_fixed_point=w_fp,
        fixed_point_residual=residual,
        adam_error=relative_error(finals[0], w_ridge),
        adamw_error=relative_error(finals[1], w_fp),
        adamw_ridge_gap=relative_error(w_fp, w_ridge),
        adamw_best_ridge_gap=best_gap,
        adamw_best_l2=best_l2,
        tolerance=1e3 * d * C.eps(name),
        lr=step,
        betas=(float(betas[0]), float(betas[1])),
        eps=e,
        weight_decay=wd,
    )
