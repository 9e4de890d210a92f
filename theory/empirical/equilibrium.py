"""Rotational equilibrium in a real normalised network (si.equilibrium, empirical route).

:func:`digits_mlp` is a small MLP on scikit-learn's ``load_digits`` built by
:func:`theory.empirical.normalised.normalised_mlp`: two hidden layers
``Linear(bias=False) → BatchNorm1d(affine=False) → ReLU`` and a head ``Linear(width, 10)``. Each row of
a hidden weight matrix feeds one batch-normalised unit, so the loss is invariant to scaling that row,
and a fortiori the whole matrix (si.gradient; the gradient of the matrix is orthogonal to it).
BatchNorm's ``eps`` is set to 1e-10 (torch's default 1e-5 would add to the batch variance and break
the invariance at the level ``eps/variance``).

:func:`train_equilibrium` finds the scale-invariant weights with
:func:`~theory.empirical.normalised.scale_invariant_parameters` (a test of ``f(cW) = f(W)`` on the
first minibatch, not an assumption about the architecture), puts weight decay on those only (the head
is not scale-invariant and is trained without it, as the theorem assumes), trains with
``torch.optim.SGD`` (any momentum) or ``torch.optim.AdamW`` on shuffled minibatches, and records, per
scale-invariant layer and step, the angle between the weight matrix before and after the step
(:func:`theory.scale_invariance.angle_between`) and its squared Frobenius norm. Optionally, at one
step, it multiplies the scale-invariant weights by a factor (the network's function is unchanged) so
that the return to equilibrium can be timed against the norm recursion of :mod:`theory.equilibrium`.

Limitation (AdamW). :func:`moons_angle_ratios` measures the steady-state angle over its prediction on a
second problem, ``Linear(2, 16) → BN → ReLU → Linear(16, 16) → BN → ReLU → Linear(16, 2)`` on
scikit-learn's ``make_moons``: torch SGD with μ = 0.9 comes out at 1.04–1.08× ``√(2ηλ/(1 + μ))``, AdamW
(β₁ = 0.9) at 0.63–0.86× ``√(2ηλ(1 − β₁)/(1 + β₁))`` (seeds 0, 1; a new user measured 0.38–0.85× on a
similar set-up). Adam divides each coordinate by its own ``√v̂_i``, so ``ĝ = ∇f/√v̂`` is orthogonal to w
only when v̂ is nearly the same across the coordinates of w; the 2-input first layer is where it is
least so (0.63–0.74×). On digits (64 inputs) the AdamW angles of the empirical row are within 15 %.
Reproduce: ``python -c "from theory.empirical.equilibrium import moons_angle_ratios as m;
print(m('adamw', 0.01, 0.5, 0.9), m('sgd', 0.1, 0.05, 0.9))"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.empirical import _common as C
from theory.empirical.normalised import normalised_mlp, scale_invariant_parameters
from theory.errors import InputError, PreconditionError
from theory.scale_invariance import angle_between
from theory.validate import as_count

torch = C.torch

__all__ = ["EquilibriumRun", "digits_mlp", "moons_angle_ratios", "train_equilibrium"]

BN_EPS = 1e-10


def digits_mlp(width: int = 32, *, seed: int = 0, dtype: Any = "float64", device: Any = "cpu") -> Any:
    """``Linear(64, w, bias=False) → BN → ReLU → Linear(w, w, bias=False) → BN → ReLU → Linear(w, 10)``,
    BN = ``BatchNorm1d(w, affine=False, eps=1e-10)`` (:func:`~theory.empirical.normalised.normalised_mlp`);
    the two hidden weights are scale-invariant."""
    if isinstance(width, bool) or not isinstance(width, int) or width < 2:
        raise InputError(f"width must be an integer ≥ 2; got {width!r}")
    return normalised_mlp(
        64,
        (width, width),
        10,
        norm="batch",
        affine=False,
        eps=BN_EPS,
        activation="relu",
        seed=seed,
        dtype=dtype,
        device=device,
    )


@dataclass(frozen=True, slots=True)
class EquilibriumRun:
    """``angles[t, l]``: angle between layer l's weights before and after step t; ``norms2[t, l]``:
    ``‖W_l‖²`` before step t (``steps + 1`` rows; the row after a rescale shows the rescaled norm);
    ``orthogonality``: the largest ``|⟨W, ∇W⟩|/(‖W‖‖∇W‖)`` seen (0 for exact scale invariance)."""

    optimizer: str
    lr: float
    weight_decay: float
    momentum: float
    angles: np.ndarray
    norms2: np.ndarray
    orthogonality: float
    rescale_step: int | None


def _optimizer(
    kind: str, decayed: list[Any], rest: list[Any], lr: float, weight_decay: float, momentum: float
) -> Any:
    """torch's ``SGD(momentum=μ)`` or ``AdamW(betas=(μ, 0.999))``, decaying only ``decayed`` (the
    scale-invariant weights)."""
    groups = [{"params": decayed, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=momentum)
    return torch.optim.AdamW(groups, lr=lr, betas=(momentum, 0.999))


def train_equilibrium(
    optimizer: str,
    lr: float,
    weight_decay: float,
    steps: int,
    *,
    momentum: float = 0.0,
    width: int = 32,
    batch_size: int = 64,
    rescale_step: int | None = None,
    rescale: float = 2.0,
    seed: int = 0,
    device: Any = "cpu",
    dtype: Any = "float64",
) -> EquilibriumRun:
    """Train :func:`digits_mlp` on ``load_digits`` with ``torch.optim.SGD(lr, momentum,
    weight_decay)`` or ``torch.optim.AdamW(lr, betas=(momentum, 0.999), weight_decay)`` (weight decay
    on the scale-invariant weights only) and record their angular updates and norms.

    ``rescale_step``: before that step, multiply the scale-invariant weights by ``rescale`` (their
    squared norm by ``rescale²``) without touching the optimiser state.
    """
    from theory.empirical.digits import digits_data

    if optimizer not in ("sgd", "adamw"):
        raise InputError(f"optimizer must be 'sgd' or 'adamw'; got {optimizer!r}")
    steps = as_count(steps, "steps", where="train_equilibrium", low=1)
    if rescale_step is not None and not 0 <= rescale_step < steps:
        raise InputError(f"rescale_step must lie in [0, {steps}); got {rescale_step}")
    dev, _, _ = C.setup(device, dtype)
    data = digits_data(dtype=dtype, seed=seed)
    X = data.images.reshape(data.n, 64).to(dev)
    y = data.labels.to(dev)
    model = digits_mlp(width, seed=seed, dtype=dtype, device=device)
    model.train()
    gen = C.generator(seed)
    order = torch.randperm(data.n, generator=gen)
    loss_fn = torch.nn.CrossEntropyLoss()
    first = order[:batch_size].to(dev)
    invariant = {
        r.name for r in scale_invariant_parameters(model, loss_fn, (X[first], y[first])) if r.invariant
    }
    si = [p for name, p in model.named_parameters() if name in invariant]
    if not si:  # the hidden weights must be found: without them there is nothing to measure
        raise PreconditionError(f"no scale-invariant parameter in {[n for n, _ in model.named_parameters()]}")
    rest = [p for name, p in model.named_parameters() if name not in invariant]
    opt = _optimizer(optimizer, si, rest, lr, weight_decay, momentum)
    angles = np.empty((steps, len(si)))
    norms2 = np.empty((steps + 1, len(si)))
    worst = 0.0
    cursor = 0
    for t in range(steps):
        if t == rescale_step:
            with torch.no_grad():
                for p in si:
                    p.mul_(rescale)
        if cursor + batch_size > data.n:
            order, cursor = torch.randperm(data.n, generator=gen), 0
        idx = order[cursor : cursor + batch_size].to(dev)
        cursor += batch_size
        before = [p.detach().clone() for p in si]
        opt.zero_grad()
        loss_fn(model(X[idx]), y[idx]).backward()
        with torch.no_grad():
            for p in si:
                gnorm = float(p.grad.norm())
                if gnorm > 0:
                    worst = max(worst, abs(float((p * p.grad).sum())) / (float(p.norm()) * gnorm))
        opt.step()
        with torch.no_grad():
            for k, (p, b) in enumerate(zip(si, before, strict=True)):
                nb = b.cpu().numpy().ravel()
                angles[t, k] = angle_between(nb, p.detach().cpu().numpy().ravel())
                norms2[t, k] = float(nb @ nb)
    with torch.no_grad():
        norms2[steps] = [float((p * p).sum()) for p in si]
    return EquilibriumRun(
        optimizer, float(lr), float(weight_decay), float(momentum), angles, norms2, worst, rescale_step
    )


def moons_angle_ratios(
    optimizer: str,
    lr: float,
    weight_decay: float,
    momentum: float,
    *,
    seed: int = 0,
    steps: int = 1500,
    batch_size: int = 64,
) -> np.ndarray:
    """Per scale-invariant layer: the RMS angular update over the second half of ``steps`` minibatch
    steps, divided by its prediction (:func:`theory.equilibrium.first_order_angle` for SGD,
    :func:`~theory.equilibrium.adamw_angle` for AdamW), on a batch-normalised MLP (2 → 16 → 16 → 2,
    ``BatchNorm1d(affine=False, eps=1e-10)``, ReLU) trained on 1000 points of ``make_moons(noise=0.2)``
    with ``torch.optim.SGD(momentum=μ)`` or ``torch.optim.AdamW(betas=(β₁, 0.999))``, weight decay on
    the two hidden weights only (float64, CPU). The module docstring gives the measured values: SGD
    near 1, AdamW well below (Adam's per-coordinate scaling)."""
    from sklearn.datasets import make_moons

    from theory import equilibrium as E

    if optimizer not in ("sgd", "adamw"):
        raise InputError(f"optimizer must be 'sgd' or 'adamw'; got {optimizer!r}")
    steps = as_count(steps, "steps", where="moons_angle_ratios", low=2)
    pred = E.predicted_angle(optimizer, lr, weight_decay, momentum)
    Xn, yn = make_moons(1000, noise=0.2, random_state=seed)
    X = torch.tensor(Xn, dtype=torch.float64)
    y = torch.tensor(yn)
    model = normalised_mlp(
        2, (16, 16), 2, norm="batch", affine=False, eps=BN_EPS, activation="relu", seed=seed, dtype="float64"
    )
    model.train()
    si = [model[0].weight, model[3].weight]
    rest = [p for p in model.parameters() if all(p is not q for q in si)]
    opt = _optimizer(optimizer, si, rest, lr, weight_decay, momentum)
    gen = C.generator(seed)
    loss_fn = torch.nn.CrossEntropyLoss()
    angles = np.empty((steps, len(si)))
    with C.exact_math(threads=1):  # a tiny problem: threads only cost time
        for t in range(steps):
            idx = torch.randint(0, X.shape[0], (batch_size,), generator=gen)
            before = [p.detach().clone().numpy().ravel() for p in si]
            opt.zero_grad()
            loss_fn(model(X[idx]), y[idx]).backward()
            opt.step()
            for k, (b, p) in enumerate(zip(before, si, strict=True)):
                angles[t, k] = angle_between(b, p.detach().numpy().ravel())
    rms = np.sqrt(np.mean(angles[steps // 2 :] ** 2, axis=0))
    return np.asarray(rms / pred)
