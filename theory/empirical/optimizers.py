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

__all__ = [
    "AdamComparison",
    "DecayStep",
    "SGDEquivalence",
    "adam_state",
    "adam_step_bound",
    "adam_vs_adamw",
    "adamw_fixed_point",
    "decay_step",
    "flat_gradients",
    "sgd_equivalence",
    "sgd_step_bound",
    "sync_state",
]

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


# ------------------------------------------------------------------ one step: weight_decay vs (λ/2)‖θ‖²


def flat_gradients(model: Any) -> FloatArray:
    """``model``'s gradients as one float64 vector in parameter order (0 where ``.grad`` is None)."""
    return C.flat(p.grad if p.grad is not None else torch.zeros_like(p) for p in model.parameters())


def sgd_step_bound(theta: FloatArray, g_data: FloatArray, lr: float, lam: float) -> FloatArray:
    """Per entry, how far two float64 SGD steps ``θ − η(g + λθ)`` may differ when one adds λθ inside the
    optimiser (``grad.add(param, alpha=λ)``) and the other gets it from autograd of ``(λ/2)Σθ²``.

    The penalty's gradient ``2θ·(λ/2)`` carries 2 roundings, the sum ``g + λθ`` 1, the product with η
    and the subtraction from θ 2: at most ``5·eps·(|θ| + η(|g| + λ|θ|))`` per side (Higham, "Accuracy
    and Stability of Numerical Algorithms", §2.2, one rounding each); doubled for the two sides. The
    1e-300 keeps the bound positive where θ = g = 0.
    """
    eps = float(np.finfo(np.float64).eps)
    return 10.0 * eps * (np.abs(theta) + lr * (np.abs(g_data) + lam * np.abs(theta))) + 1e-300


def adam_step_bound(
    theta: FloatArray,
    g_data: FloatArray,
    lam: float,
    lr: float,
    m: FloatArray,
    v: FloatArray,
    step: int,
    update: FloatArray,
    betas: tuple[float, float] = (0.9, 0.999),
    eps_adam: float = 1e-8,
) -> FloatArray:
    """Per entry, how far the parameters after one float64 Adam step may differ when the decay term λθ
    reaches the gradient by two routes (the optimiser's ``weight_decay`` against autograd of
    ``(λ/2)Σθ²``), starting from one state; ``m``, ``v``, ``step`` are the state after the step.

    The two gradients differ by ``δg ≤ 4·eps·(|g| + λ|θ|)`` (:func:`sgd_step_bound`'s roundings). To
    first order the update ``u = η·m̂/(√v̂ + ε)`` (``m̂ = m/(1 − β₁ᵗ)``, ``v̂ = v/(1 − β₂ᵗ)``,
    ``m = β₁m' + (1 − β₁)g``, ``v = β₂v' + (1 − β₂)g²``) moves by
    ``η·δg·[(1 − β₁)/((1 − β₁ᵗ)D) + |m̂|(1 − β₂)|g|/((1 − β₂ᵗ)√v̂·D²)]`` with ``D = √v̂ + ε``; Adam's own
    arithmetic adds about 10 roundings of u and the subtraction from θ one of θ, on each side.
    """
    eps = float(np.finfo(np.float64).eps)
    beta1, beta2 = betas
    g = g_data + lam * theta
    dg = 4.0 * eps * (np.abs(g_data) + lam * np.abs(theta))
    b1, b2 = 1.0 - beta1**step, 1.0 - beta2**step
    root = np.sqrt(v / b2)
    D = root + eps_adam
    m_hat = np.abs(m) / b1
    sens = (1.0 - beta1) / (b1 * D) + m_hat * (1.0 - beta2) * np.abs(g) / (
        b2 * np.maximum(root, 1e-300) * D * D
    )
    per_side = lr * dg * sens + 10.0 * eps * np.abs(update) + eps * np.abs(theta)
    return 2.0 * per_side + 1e-300


def adam_state(opt: Any, model: Any) -> tuple[FloatArray, FloatArray, int]:
    """(m, v, t) of a ``torch.optim.Adam`` for ``model``'s parameters, flattened in parameter order.

    Raises:
        InputError: the parameters are at different steps.
    """
    ms, vs, steps = [], [], set()
    for p in model.parameters():
        st = opt.state[p]
        ms.append(C.numpy(st["exp_avg"]).ravel())
        vs.append(C.numpy(st["exp_avg_sq"]).ravel())
        steps.add(int(st["step"]))
    if len(steps) != 1:
        raise InputError(f"Adam's parameters are at different steps: {sorted(steps)}")
    return np.concatenate(ms), np.concatenate(vs), steps.pop()


def sync_state(src_model: Any, src_opt: Any, dst_model: Any, dst_opt: Any) -> None:
    """Put ``dst`` into ``src``'s state: parameter values and per-parameter optimiser state (moments,
    step count), not the hyperparameters (``load_state_dict`` would copy Adam's
    ``decoupled_weight_decay=False`` into an AdamW)."""
    with torch.no_grad():
        for ps, pd in zip(src_model.parameters(), dst_model.parameters(), strict=True):
            pd.copy_(ps)
            dst_opt.state[pd] = {k: v.clone() for k, v in src_opt.state[ps].items()}


@dataclass(frozen=True, slots=True)
class DecayStep:
    """One step of an optimiser's ``weight_decay=λ`` against the same optimiser on ``loss + (λ/2)‖θ‖²``
    (:func:`decay_step`), as float64 vectors in parameter order.

    Attributes:
        theta: the parameters before the step (common to both).
        grad: the data gradient ∇L(θ) (without the decay).
        decayed: after the step of the optimiser with ``weight_decay=λ`` on L.
        penalised: after the step of the optimiser without it on ``L + (λ/2)‖θ‖²``.
        bound: per entry, the rounding bound on |decayed − penalised| (:func:`sgd_step_bound` or
            :func:`adam_step_bound`).
    """

    theta: FloatArray
    grad: FloatArray
    decayed: FloatArray
    penalised: FloatArray
    bound: FloatArray

    @property
    def error(self) -> FloatArray:
        """|decayed − penalised| per entry."""
        return np.abs(self.decayed - self.penalised)

    @property
    def ratio(self) -> float:
        """max(error / bound): ≤ 1 when the two routes agree within rounding."""
        return float(np.max(self.error / self.bound))


def decay_step(
    decayed_model: Any,
    decayed_opt: Any,
    penalised_model: Any,
    penalised_opt: Any,
    loss: Any,
    lam: float,
    penalty: Any = None,
) -> DecayStep:
    """One step of ``decayed_opt`` (``torch.optim.SGD`` without momentum, or ``torch.optim.Adam``, with
    ``weight_decay=λ``) on ``loss(decayed_model)`` and one of ``penalised_opt`` (the same class and
    settings, ``weight_decay=0``) on ``loss(penalised_model) + (λ/2)Σθ²`` over every parameter, from
    one state: the penalised pair is first put into the decayed pair's state (:func:`sync_state`), so a
    run of steps compares step by step, never letting rounding differences compound. ``penalty(model)``
    replaces the (λ/2)Σθ² term when given (a listing's own penalty code, to be checked against it).

    Equation: both optimisers add λθ to the gradient before anything else (SGD: ``θ − η(g + λθ)``;
    Adam: before the moments), so the two steps agree up to rounding (Loshchilov & Hutter, "Decoupled
    weight decay regularization", ICLR 2019, Props. 1 and 2; theorems opt.sgd_equiv,
    opt.adam_not_equiv); the bound per entry is :func:`sgd_step_bound` or :func:`adam_step_bound`.
    The whole-trajectory versions are :func:`sgd_equivalence` and :func:`adam_vs_adamw`.

    Raises:
        InputError: another optimiser (AdamW's decoupled decay is not a gradient term), SGD with
            momentum or Nesterov (the bound covers one plain step), mismatched classes or settings, or
            ``decayed_opt``'s weight_decay is not ``lam`` or ``penalised_opt``'s is not 0.
    """
    kinds = {torch.optim.SGD: "sgd", torch.optim.Adam: "adam"}
    kind = kinds.get(type(decayed_opt))
    if kind is None or type(penalised_opt) is not type(decayed_opt):
        raise InputError(
            "decay_step compares torch.optim.SGD or torch.optim.Adam with itself; got "
            f"{type(decayed_opt).__name__} and {type(penalised_opt).__name__}"
        )
    (group,), (other,) = decayed_opt.param_groups, penalised_opt.param_groups
    if group["weight_decay"] != lam or other["weight_decay"] != 0:
        raise InputError(
            f"decayed_opt needs weight_decay = λ = {lam} (has {group['weight_decay']}) and penalised_opt 0 "
            f"(has {other['weight_decay']})"
        )
    same = ("lr", "betas", "eps") if kind == "adam" else ("lr", "momentum", "nesterov")
    if any(group[k] != other[k] for k in same):
        raise InputError(f"the two optimisers' settings differ: {[(k, group[k], other[k]) for k in same]}")
    if kind == "sgd" and (group["momentum"] != 0 or group["nesterov"]):
        raise InputError(f"decay_step's SGD bound is for plain SGD; got momentum = {group['momentum']}")
    if kind == "adam" and group.get("amsgrad"):
        raise InputError("decay_step's Adam bound is for Adam without amsgrad")
    sync_state(decayed_model, decayed_opt, penalised_model, penalised_opt)
    theta = C.flat(decayed_model.parameters())
    decayed_opt.zero_grad()
    loss(decayed_model).backward()
    grad = flat_gradients(decayed_model)
    decayed_opt.step()
    decayed = C.flat(decayed_model.parameters())
    penalised_opt.zero_grad()
    if penalty is None:
        term = (lam / 2.0) * sum((p * p).sum() for p in penalised_model.parameters())
    else:
        term = penalty(penalised_model)
    (loss(penalised_model) + term).backward()
    penalised_opt.step()
    penalised = C.flat(penalised_model.parameters())
    lr = float(group["lr"])
    if kind == "sgd":
        bound = sgd_step_bound(theta, grad, lr, lam)
    else:
        m, v, t = adam_state(decayed_opt, decayed_model)
        bound = adam_step_bound(
            theta, grad, lam, lr, m, v, t, decayed - theta, tuple(group["betas"]), float(group["eps"])
        )
    return DecayStep(theta, grad, decayed, penalised, bound)
