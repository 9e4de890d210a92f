"""A real case: a small CNN on scikit-learn's bundled ``load_digits`` (l2.path_derivative).

``load_digits`` ships with scikit-learn (1797 greyscale 8×8 images of the digits 0–9, no download).
:func:`digits_cnn` is a convolution on the 8×8 images, tanh, 2×2 average pooling and a linear layer
to the 10 logits (``channels·9 + channels + channels·16·10 + 10`` parameters: 690 for 4 channels).
tanh and average pooling keep the loss twice differentiable everywhere, as the implicit-function
theorem behind ``l2.path_derivative`` needs (a ReLU network's Hessian is undefined on its kinks).

:func:`digits_loader` wraps the data in a ``torch.utils.data.DataLoader``; :func:`train_digits`
trains with ``torch.optim.SGD(weight_decay=...)`` or ``torch.optim.AdamW`` with two parameter groups
(weights decayed, biases not, the usual practice), with ``torch.nn.CrossEntropyLoss``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.empirical import _common as C
from theory.errors import InputError

torch = C.torch

__all__ = ["DigitsData", "digits_cnn", "digits_data", "digits_loader", "param_groups", "train_digits"]


@dataclass(frozen=True, slots=True)
class DigitsData:
    """``load_digits`` as tensors: ``images`` (n, 1, 8, 8) scaled to [0, 1], ``labels`` (n,) int64."""

    images: Any
    labels: Any

    @property
    def n(self) -> int:
        return int(self.labels.shape[0])


def digits_data(n: int | None = None, *, dtype: Any = "float64", seed: int = 0) -> DigitsData:
    """The first ``n`` examples of a fixed permutation (by ``seed``) of ``load_digits`` (all by default)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    perm = np.random.default_rng(seed).permutation(len(y))
    if n is not None:
        if not 10 <= n <= len(y):
            raise InputError(f"n must be between 10 and {len(y)}; got {n}")
        perm = perm[:n]
    _, dt, _ = C.setup("cpu", dtype)
    images = torch.tensor(X[perm] / 16.0, dtype=dt).reshape(-1, 1, 8, 8)
    return DigitsData(images, torch.tensor(y[perm], dtype=torch.int64))


def digits_cnn(channels: int = 4, *, seed: int = 0, dtype: Any = "float64") -> Any:
    """``Conv2d(1, channels, 3, padding=1) → tanh → AvgPool2d(2) → Flatten → Linear(16·channels, 10)``."""
    if not isinstance(channels, int) or channels < 1:
        raise InputError(f"channels must be a positive integer; got {channels!r}")
    torch.manual_seed(seed)
    _, dt, _ = C.setup("cpu", dtype)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, channels, 3, padding=1),
        nn.Tanh(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * channels, 10),
    )
    return model.to(dt)


def digits_loader(data: DigitsData, batch_size: int = 256, *, shuffle: bool = False, seed: int = 0) -> Any:
    """A ``DataLoader`` over ``data`` (the last batch is smaller unless ``batch_size`` divides n)."""
    ds = torch.utils.data.TensorDataset(data.images, data.labels)
    g = C.generator(seed)
    return torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=shuffle, generator=g)


def param_groups(model: Any, weight_decay: float) -> list[dict[str, Any]]:
    """Two groups: weights (ndim ≥ 2) with ``weight_decay``, biases with 0."""
    weights = [p for p in model.parameters() if p.ndim >= 2]
    biases = [p for p in model.parameters() if p.ndim < 2]
    return [{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}]


def train_digits(
    model: Any,
    loader: Any,
    *,
    optimizer: str = "sgd",
    weight_decay: float = 1e-3,
    lr: float | None = None,
    epochs: int = 20,
) -> Any:
    """Train ``model`` in place with ``torch.optim.SGD(momentum=0.9)`` or ``AdamW`` on
    ``CrossEntropyLoss`` (weights decayed, biases not); returns the optimizer."""
    groups = param_groups(model, weight_decay)
    if optimizer == "sgd":
        opt = torch.optim.SGD(groups, lr=0.1 if lr is None else lr, momentum=0.9)
    elif optimizer == "adamw":
        opt = torch.optim.AdamW(groups, lr=1e-2 if lr is None else lr)
    else:
        raise InputError(f"optimizer must be 'sgd' or 'adamw'; got {optimizer!r}")
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):
        for x, y in loader:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
    return opt


def digits_case(
    n: int = 300, channels: int = 4, weight_decay: float = 1e-3, *, seed: int = 0
) -> tuple[Any, Any, Any]:
    """The repository's real case: ``(model, optimizer, data)`` after 20 epochs of
    ``SGD(momentum=0.9)`` with ``weight_decay`` on the weights (biases undecayed) over a DataLoader of
    batch 100 on the first ``n`` digits; ``data`` is the full-batch pair ``(images, labels)``."""
    data = digits_data(n, seed=seed)
    model = digits_cnn(channels, seed=seed)
    opt = train_digits(model, digits_loader(data, 100), optimizer="sgd", weight_decay=weight_decay)
    return model, opt, (data.images, data.labels)
