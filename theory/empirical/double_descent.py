"""Double descent with torch: linear models trained by full-batch GD over a grid of n (ridge.double_descent).

For each n, ``draws`` independent training sets (``x ~ N(0, I_d)``, ``y = xᵀβ + ε``, ε drawn for real)
train ``draws`` independent linear models ``x ↦ xᵀw_b``, stacked as the rows of one ``(draws, d)``
parameter, with ``torch.optim.SGD`` from ``w = 0`` on the canonical objective
``Σ_b [(1/2n)‖X_b w_b − y_b‖²]`` and ``weight_decay = α`` (torch adds ``αw`` to the gradient: the
penalty ``(α/2)‖w‖²``, l2.update). The sum over b makes each row's gradient its own model's gradient.

With α = 0, GD from 0 stays in the row space of X_b and converges to the minimum-norm least-squares
solution ``X_b⁺y_b`` (gd.min_norm); with α > 0 to ridge ``(XᵀX + nαI)⁻¹Xᵀy``. With
``L_b = s_max(X_b)²/n + α`` and ``μ_b`` the smallest non-zero eigenvalue of ``X_bᵀX_b/n``, the step
is ``lr = 2/(max_b L_b + min_b(μ_b + α))`` (the optimal constant step for the batch's extreme
eigenvalues) and the GD error contracts on the row space by ``ρ_b = max(|1 − lr(μ_b + α)|,
|1 − lr·L_b|) < 1`` per step: ``‖w_k − ŵ‖ ≤ ρ_b^k‖ŵ‖``. The number of steps makes ``max_b ρ_b^k``
at most ``tol``; :func:`train` reports the bound per model, so a check can hold the weights to it.
The test risk of each model is ``σ² + ‖w_b − β‖²`` (exact for Gaussian test points).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from theory.empirical import _common as C
from theory.errors import InputError
from theory.numerics import residual_tolerance
from theory.validate import as_nonneg_float

torch = C.torch

__all__ = ["GDRun", "make_data", "train", "weight_tolerance"]

FloatArray = C.FloatArray
MAX_STEPS = 200_000


@dataclass(frozen=True, slots=True)
class GDRun:
    """Trained weights and what they should be.

    Attributes:
        weights: ``(draws, d)`` trained by torch.
        risks: ``σ² + ‖w_b − β‖²`` per model.
        steps: GD steps taken; lr: the step size.
        contraction: per model, ``ρ_b^steps``: the GD error bound relative to ‖ŵ_b‖.
        kappa: per model, ``(s_max² /n + α)/(μ_b + α)``, for the rounding bound.
    """

    weights: FloatArray
    risks: FloatArray
    steps: int
    lr: float
    contraction: FloatArray
    kappa: FloatArray


def make_data(
    n: int, d: int, draws: int, noise_var: float, beta: ArrayLike, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """``draws`` training sets: X of shape ``(draws, n, d)``, y of shape ``(draws, n)``."""
    if min(n, d, draws) < 1:
        raise InputError(f"ridge.double_descent: n, d and draws must be ≥ 1; got {n}, {d}, {draws}")
    s2 = as_nonneg_float(noise_var, "noise_var", where="ridge.double_descent")
    b = np.asarray(beta, dtype=np.float64)
    X = rng.standard_normal((draws, n, d))
    y = X @ b + math.sqrt(s2) * rng.standard_normal((draws, n))
    return X, y


def train(
    X: ArrayLike,
    y: ArrayLike,
    alpha: float,
    beta: ArrayLike,
    noise_var: float,
    *,
    device: Any = "cpu",
    dtype: Any = "float64",
    tol: float = 1e-8,
) -> GDRun:
    """Train the stacked linear models with ``torch.optim.SGD(lr, weight_decay=alpha)`` from 0."""
    Xa = np.asarray(X, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    if Xa.ndim != 3 or ya.shape != Xa.shape[:2]:
        raise InputError(
            f"ridge.double_descent: X must be (draws, n, d) and y (draws, n); got {Xa.shape}, {ya.shape}"
        )
    a = as_nonneg_float(alpha, "alpha", where="ridge.double_descent")
    draws, n, d = Xa.shape
    s = np.linalg.svd(Xa, compute_uv=False)  # (draws, min(n, d)), descending
    cutoff = max(n, d) * np.finfo(np.float64).eps * s[:, :1]
    eig = np.where(s > cutoff, s, np.inf) ** 2 / n
    mu = eig.min(axis=1)  # smallest non-zero eigenvalue of XᵀX/n per model
    top = s[:, 0] ** 2 / n + a
    lr = 2.0 / (float(top.max()) + float((mu + a).min()))
    # per model, the GD map's spectral radius on the row space: the extreme eigenvalues decide
    rate = np.maximum(np.abs(1.0 - lr * (mu + a)), np.abs(1.0 - lr * top))
    worst = float(rate.max())
    steps = 1 if worst <= 0 else min(MAX_STEPS, max(1, math.ceil(math.log(tol) / math.log(worst))))
    dev, dt, _ = C.setup(device, dtype)
    Xt, yt = C.tensor(Xa, dev, dt), C.tensor(ya, dev, dt)
    w = torch.nn.Parameter(torch.zeros(draws, d, dtype=dt, device=dev))
    opt = torch.optim.SGD([w], lr=lr, weight_decay=a)
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        residual = torch.bmm(Xt, w.unsqueeze(2)).squeeze(2) - yt
        loss = 0.5 * (residual * residual).mean(dim=1).sum()
        loss.backward()
        opt.step()
    weights = C.numpy(w)
    b = np.asarray(beta, dtype=np.float64)
    risks = float(noise_var) + np.sum((weights - b) ** 2, axis=1)
    return GDRun(weights, risks, steps, lr, rate**steps, top / (mu + a))


def weight_tolerance(run: GDRun, exact_norms: ArrayLike, d: int, dtype: Any = np.float64) -> FloatArray:
    """Per model: ``contraction·‖ŵ‖ + 2·residual_tolerance(d, κ)·‖ŵ‖`` (GD error plus the rounding of
    the SVD solution and of the GD iteration, whose errors are damped like a geometric series with
    ratio ``1 − 1/κ``, so amplified by at most κ)."""
    norms = np.asarray(exact_norms, dtype=np.float64)
    rounding = np.array([2.0 * residual_tolerance(d, k, dtype) for k in run.kappa])
    return np.asarray((run.contraction + rounding) * norms)
