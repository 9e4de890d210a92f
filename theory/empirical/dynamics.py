"""Real torch runs for l2.conditioning and adamw.ema (``docs/reference.md``, "Theorem catalogue").

- :func:`diabetes_regression`: scikit-learn's bundled diabetes data (442 patients, 10 measurements;
  no download), standardised, as a least-squares problem the project did not write. Full-batch
  ``torch.optim.SGD(lr=ε*, weight_decay=α)`` on it is :func:`theory.empirical.linear.gd_trajectory`.
- :func:`record_adamw`: trains a model with ``torch.optim.AdamW`` over a ``DataLoader`` (optionally under
  a learning-rate scheduler) and records, for every step, the gradients torch used, the learning rate
  of the step and the weights after it: everything the EMA identity needs, and nothing computed by
  torch's Adam moments (those are recomputed in NumPy by :func:`theory.adamw.adam_updates`). It also
  puts a zero-gradient probe parameter (value 1) into the optimiser's parameter group: with g = 0
  AdamW's moments stay 0 and its update is exactly 0, so torch moves the probe only by its decay,
  ``1 − η_tλ`` per step; its trajectory is the weight ``Π_t(1 − η_tλ)`` on w₀ as torch applied it,
  with the real schedule and the DataLoader's real step count.
- :func:`digits_adamw_run`: that recording for the digits CNN of :mod:`theory.empirical.digits` on the
  first N images of scikit-learn's ``load_digits``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from theory.empirical import _common as C
from theory.errors import InputError
from theory.validate import as_positive_float

torch = C.torch

__all__ = ["AdamWRecord", "diabetes_regression", "digits_adamw_run", "record_adamw"]

FloatArray = NDArray[np.floating[Any]]


def diabetes_regression() -> tuple[FloatArray, FloatArray]:
    """``(X, y)``: scikit-learn's diabetes data with each column centred and scaled to unit variance and
    y centred and scaled to unit variance (so ``H = XᵀX/n`` is the correlation matrix, κ(H) ≈ 470):
    :func:`theory.empirical.listings_regularisers.diabetes` with ``centre_y=True``, the one loader.

    Raises:
        CheckSkipped: scikit-learn is not installed.
    """
    from theory.empirical.listings_regularisers import diabetes

    return diabetes(centre_y=True)


@dataclass(frozen=True, slots=True)
class AdamWRecord:
    """One AdamW run, flattened over all parameters (float64 NumPy arrays).

    Attributes:
        w0: (P,) the weights before the first step.
        grads: (T, P) the gradient each step used (``p.grad`` just before ``opt.step()``).
        weights: (T + 1, P) the weights before the first step and after every step.
        lrs: (T,) the learning rate of each step (the group's ``lr`` when the step was taken).
        weight_decay, betas, eps: AdamW's settings.
        steps_per_epoch: batches per epoch.
        probe: (T + 1,) the zero-gradient probe parameter before the first step and after every step
            (starts at 1; torch multiplies it by ``1 − η_tλ`` at step t and does nothing else).
    """

    w0: FloatArray
    grads: FloatArray
    weights: FloatArray
    lrs: FloatArray
    weight_decay: float
    betas: tuple[float, float]
    eps: float
    steps_per_epoch: int
    probe: FloatArray


def record_adamw(
    model: Any,
    loader: Any,
    loss_fn: Callable[[Any, Any], Any],
    *,
    epochs: int,
    lr: float,
    weight_decay: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    cosine: bool = False,
) -> AdamWRecord:
    """Train ``model`` in place with ``torch.optim.AdamW(model.parameters(), lr, betas, eps,
    weight_decay)`` (one group: every parameter decayed) for ``epochs`` passes over ``loader``,
    recording every step (:class:`AdamWRecord`). With ``cosine``, a
    ``torch.optim.lr_scheduler.CosineAnnealingLR`` over all steps changes the lr after each step.

    A probe parameter (one entry, value 1, of the model's dtype and device) joins the group with the
    model's parameters and gets a zero gradient before every step (:attr:`AdamWRecord.probe`); it is
    kept out of ``w0``/``grads``/``weights``, and torch's update of the other parameters does not
    depend on it (every AdamW operation is per element)."""
    if not isinstance(epochs, int) or epochs < 1:
        raise InputError(f"epochs must be a positive integer; got {epochs!r}")
    step_lr = as_positive_float(lr, "lr", where="adamw.ema")
    wd = as_positive_float(weight_decay, "weight_decay", where="adamw.ema")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise InputError("record_adamw: the model has no trainable parameters")
    probe = torch.nn.Parameter(torch.ones(1, dtype=params[0].dtype, device=params[0].device))
    opt = torch.optim.AdamW([*params, probe], lr=step_lr, betas=betas, eps=eps, weight_decay=wd)
    per_epoch = len(loader)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * per_epoch) if cosine else None
    w0 = C.flat(params)
    grads, weights, lrs, probes = [], [w0], [], [1.0]
    for _ in range(epochs):
        for x, y in loader:
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            grads.append(C.flat(p.grad for p in params))
            lrs.append(float(opt.param_groups[0]["lr"]))
            probe.grad = torch.zeros_like(probe)  # zero_grad(set_to_none) dropped it; None would skip it
            opt.step()
            weights.append(C.flat(params))
            probes.append(float(probe.detach().cpu()[0]))
            if sched is not None:
                sched.step()
    out = np.stack(weights)
    C.check_finite_tensor(torch.as_tensor(out), "AdamW weights")
    return AdamWRecord(
        w0=w0,
        grads=np.stack(grads),
        weights=out,
        lrs=np.asarray(lrs),
        weight_decay=wd,
        betas=(float(betas[0]), float(betas[1])),
        eps=float(eps),
        steps_per_epoch=per_epoch,
        probe=np.asarray(probes),
    )


def digits_adamw_run(
    n: int,
    *,
    batch_size: int = 50,
    epochs: int = 3,
    lr: float = 1e-2,
    weight_decay: float = 0.1,
    cosine: bool = False,
    channels: int = 2,
    seed: int = 0,
    device: str = "cpu",
    dtype: Any = "float64",
) -> AdamWRecord:
    """:func:`record_adamw` for :func:`~theory.empirical.digits.digits_cnn` (``channels`` filters) on
    the first ``n`` digits of a seeded permutation, shuffled minibatches of ``batch_size``
    (``n/batch_size`` steps an epoch), cross-entropy loss."""
    from theory.empirical.digits import digits_cnn, digits_data

    dev, _, name = C.setup(device, dtype)
    data = digits_data(n, dtype=name, seed=seed)
    model = digits_cnn(channels, seed=seed, dtype=name).to(dev)
    ds = torch.utils.data.TensorDataset(data.images.to(dev), data.labels.to(dev))
    loader = torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=True, generator=C.generator(seed))
    return record_adamw(
        model,
        loader,
        torch.nn.CrossEntropyLoss(),
        epochs=epochs,
        lr=lr,
        weight_decay=weight_decay,
        cosine=cosine,
    )
