"""The d2l weight-decay experiment, trained and predicted (gd.min_norm, es.nonzero_init).

Recipe (d2l r0.17 / d2l-zh, section "Weight Decay"; docs/reference.md, "The d2l experiment"):
n_train = 20, n_test = 100,
d = 200, ``x ~ N(0, I)``, ``y = 0.05 + Σ 0.01·x_i + N(0, 0.01²)``; model ``ŷ = wᵀx + b`` with
``w⁽⁰⁾ ~ N(0, I)``, ``b⁽⁰⁾ = 0``; minibatch SGD, batch 5 (reshuffled every epoch), 100 epochs
(400 steps), lr η = 0.003, loss ``mean (ŷ − y)²/2 + (λ/2)‖w‖²`` with λ ∈ {0, 3} (the bias is not
decayed). Here the loss is ``0.5·MSELoss`` and the penalty is ``SGD(weight_decay=λ)`` on ``w`` only,
the same steps (opt.sgd_equiv).

Why ‖w‖ ends near 13 for λ = 0 and near 0.35 for λ = 3: with 20 examples in 200 dimensions every
gradient ``Xᵀ_B r`` lies in the row space of X, so the component ``Pw`` of ``w`` in the 180-dimensional
null space of X obeys ``Pw⁽ᵗ⁺¹⁾ = (1 − ηλ)·Pw⁽ᵗ⁾`` exactly (l2.update, G 7.5): it never moves for
λ = 0 (``‖Pw⁽⁰⁾‖ ≈ √180 ≈ 13.4``), and shrinks by ``(1 − ηλ)^400 = 0.991^400 ≈ 0.027`` for λ = 3. For
λ = 0 SGD converges to the interpolating solution nearest the start, ``X̃⁺y + (I − X̃⁺X̃)θ⁽⁰⁾`` with
``X̃ = [X, 1]`` and ``θ = (w, b)`` (gd.min_norm). The test loss of exact ridge from zero barely depends
on λ: the "overfitting" of the λ = 0 curve is the untouched null-space part of ``w⁽⁰⁾``.

The row-space part ``(I − P)w`` is predicted by full-batch GD on the same objective for the same T
steps, in closed form (es.trajectory): ``θ_T = θ_∞ + (I − ηA)^T(θ⁽⁰⁾ − θ_∞)`` with
``A = X̃ᵀX̃/n + λ·diag(1, …, 1, 0)`` and ``θ_∞`` the ridge optimum with undecayed bias (λ > 0) or the
interpolant nearest θ⁽⁰⁾ (λ = 0). The ridge *optimum* alone is not a prediction at T = 400: the
undecayed bias converges slowly and drags the row part with it. Minibatch SGD differs from that
full-batch iterate by its sampling noise and an O(η²) drift of without-replacement epochs
(:func:`row_space_spread` measures the first across batch orders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.empirical import _common as C
from theory.empirical.linear import canonical_ridge
from theory.errors import InputError
from theory.regression import gd_least_squares_limit
from theory.validate import as_nonneg_float

torch = C.torch

__all__ = [
    "D2LData",
    "D2LRecipe",
    "D2LRun",
    "D2LSweep",
    "d2l_data",
    "d2l_experiment",
    "d2l_sweep",
    "full_batch_iterate",
    "row_space_spread",
    "train_d2l",
]

FloatArray = C.FloatArray


@dataclass(frozen=True, slots=True)
class D2LRecipe:
    """The experiment's settings (defaults: d2l r0.17)."""

    n_train: int = 20
    n_test: int = 100
    d: int = 200
    batch_size: int = 5
    epochs: int = 100
    lr: float = 0.003
    true_w: float = 0.01
    true_b: float = 0.05
    noise: float = 0.01
    init_scale: float = 1.0  # w⁽⁰⁾ ~ N(0, init_scale² I); d2l 1.0 uses 0.01

    @property
    def steps(self) -> int:
        """Optimiser steps: ``epochs · ceil(n_train / batch_size)``."""
        return self.epochs * (-(-self.n_train // self.batch_size))


@dataclass(frozen=True, slots=True)
class D2LData:
    """One draw of the d2l data and initialisation (all float64 NumPy)."""

    X_train: FloatArray
    y_train: FloatArray
    X_test: FloatArray
    y_test: FloatArray
    w0: FloatArray
    b0: float
    null_projector: FloatArray  # P = I − X⁺X onto the null space of X_train (d×d)


@dataclass(frozen=True, slots=True)
class D2LRun:
    """One training run of the recipe at one λ, with the theory's predictions.

    Per-epoch arrays have length ``epochs + 1`` (index 0 is before training); losses are the mean
    of ``(ŷ − y)²/2`` without the penalty, as d2l plots them.

    Attributes:
        lambd: λ (weight decay on w only).
        epochs: 0..epochs.
        train_loss, test_loss, w_norm: per epoch (``w_norm`` is ‖w‖₂, d2l's "L2 norm of w").
        w, b: the trained parameters.
        null_measured: ``‖P w_T‖``; null_predicted: ``(1 − ηλ)^T ‖P w⁽⁰⁾‖`` (exact).
        null_error: ``‖P w_T − (1 − ηλ)^T P w⁽⁰⁾‖ / ‖(1 − ηλ)^T P w⁽⁰⁾‖``.
        w_predicted: the prediction of ``w_T``: the null-space part ``(1 − ηλ)^T P w⁽⁰⁾`` (exact,
            l2.update) plus the row-space part of full-batch GD after the same T steps from
            ``(w⁽⁰⁾, b⁽⁰⁾)`` (closed form, :func:`full_batch_iterate`; its limit is the ridge optimum,
            or for λ = 0 the interpolant ``[X̃⁺y + (I − X̃⁺X̃)θ⁽⁰⁾]_w`` of gd.min_norm).
        w_limit: the T → ∞ limit of full-batch GD (w part of θ_∞).
        norm_predicted: ``‖w_predicted‖``.
        w_error: ``‖w_T − w_predicted‖ / ‖w_predicted‖``.
        row_measured, row_predicted: ``‖(I − P)w_T‖`` and ``‖(I − P)w_predicted‖``.
        row_error: ``‖(I − P)(w_T − w_predicted)‖ / ‖(I − P)w_predicted‖``: the row-space part
            checked as a vector (minibatch SGD against full-batch GD).
        ridge_test_loss: test loss of exact ridge from zero at this λ (canonical, bias undecayed).
        steps: optimiser steps taken.
    """

    lambd: float
    epochs: FloatArray
    train_loss: FloatArray
    test_loss: FloatArray
    w_norm: FloatArray
    w: FloatArray
    b: float
    null_measured: float
    null_predicted: float
    null_error: float
    w_predicted: FloatArray
    w_limit: FloatArray
    norm_predicted: float
    w_error: float
    row_measured: float
    row_predicted: float
    row_error: float
    ridge_test_loss: float
    steps: int


@dataclass(frozen=True, slots=True)
class D2LSweep:
    """Final losses and norms over a λ grid (the "d2l-lambda-sweep" figure).

    Attributes:
        lambdas: the grid.
        sgd_train_loss, sgd_test_loss, sgd_w_norm: the recipe (from ``w⁽⁰⁾ ~ N(0, I)``) after T steps.
        ridge_train_loss, ridge_test_loss, ridge_w_norm: exact ridge from zero (canonical λ, bias
            not penalised), the "no initialisation effect" reference.
        norm_predicted: ``‖w_predicted‖`` of :class:`D2LRun` per λ.
    """

    lambdas: FloatArray
    sgd_train_loss: FloatArray
    sgd_test_loss: FloatArray
    sgd_w_norm: FloatArray
    ridge_train_loss: FloatArray
    ridge_test_loss: FloatArray
    ridge_w_norm: FloatArray
    norm_predicted: FloatArray


def d2l_data(recipe: D2LRecipe = D2LRecipe(), *, seed: int = 0) -> D2LData:
    """Draw the data and ``w⁽⁰⁾`` from one ``torch.Generator`` seeded with ``seed`` (CPU, float64)."""
    if recipe.n_train < 1 or recipe.d < 1 or recipe.n_test < 1 or recipe.batch_size < 1:
        raise InputError(f"the recipe needs positive sizes; got {recipe}")
    g = C.generator(seed)

    def draw(*shape: int) -> FloatArray:
        return torch.randn(*shape, generator=g, dtype=torch.float64).numpy().copy()

    Xtr, Xte = draw(recipe.n_train, recipe.d), draw(recipe.n_test, recipe.d)
    ytr = recipe.true_b + recipe.true_w * Xtr.sum(axis=1) + recipe.noise * draw(recipe.n_train)
    yte = recipe.true_b + recipe.true_w * Xte.sum(axis=1) + recipe.noise * draw(recipe.n_test)
    w0 = recipe.init_scale * draw(recipe.d)
    _, s, Vt = np.linalg.svd(Xtr, full_matrices=False)
    V = Vt[s > max(Xtr.shape) * np.finfo(float).eps * s[0]].T
    P = np.eye(recipe.d) - V @ V.T
    return D2LData(Xtr, ytr, Xte, yte, w0, 0.0, P)


def full_batch_iterate(
    data: D2LData, lambd: float, steps: int, lr: float
) -> tuple[FloatArray, float, FloatArray, float]:
    """Full-batch GD on ``mean (ŷ − y)²/2 + (λ/2)‖w‖²`` (bias not decayed) after ``steps`` steps
    from ``(w⁽⁰⁾, b⁽⁰⁾)``, in closed form, and its limit: ``(w_T, b_T, w_∞, b_∞)``.

    With ``θ = (w, b)``, ``X̃ = [X, 1]`` and ``A = X̃ᵀX̃/n + λ·diag(1, …, 1, 0)``, GD is
    ``θ_{t+1} − θ_∞ = (I − ηA)(θ_t − θ_∞)``, so ``θ_T = θ_∞ + (I − ηA)^T(θ⁽⁰⁾ − θ_∞)`` (es.trajectory,
    :meth:`theory.quadratic.Quadratic.gd_iterates`). ``θ_∞`` is the ridge optimum with undecayed
    bias (:func:`theory.empirical.linear.canonical_ridge`) for λ > 0 and the interpolant nearest
    θ⁽⁰⁾, ``X̃⁺y + (I − X̃⁺X̃)θ⁽⁰⁾`` (:func:`theory.regression.gd_least_squares_limit`, gd.min_norm),
    for λ = 0.
    """
    from theory.quadratic import Quadratic

    lam = as_nonneg_float(lambd, "lambd", where="d2l")
    n, d = data.X_train.shape
    Xa = np.hstack([data.X_train, np.ones((n, 1))])
    theta0 = np.append(data.w0, data.b0)
    if lam == 0:
        limit = gd_least_squares_limit(Xa, data.y_train, theta0)
    else:
        w_inf, b_inf = canonical_ridge(data.X_train, data.y_train, lam, bias=True, decay_bias=False)
        assert b_inf is not None
        limit = np.append(w_inf, b_inf)
    A = Xa.T @ Xa / n + lam * np.diag(np.append(np.ones(d), 0.0))
    theta_T = Quadratic(A, limit).gd_iterates(lr, [steps], w0=theta0)[0]
    return theta_T[:d], float(theta_T[d]), limit[:d], float(limit[d])


def _half_mse(X: FloatArray, y: FloatArray, w: FloatArray, b: float) -> float:
    r = X @ w + b - y
    return float(0.5 * np.mean(r * r))


def train_d2l(
    lambd: float,
    *,
    recipe: D2LRecipe = D2LRecipe(),
    data: D2LData | None = None,
    seed: int = 0,
    order_seed: int | None = None,
    device: str = "cpu",
    dtype: Any = "float64",
) -> D2LRun:
    """Train the recipe at one λ with ``torch.optim.SGD``: data and ``w⁽⁰⁾`` from ``seed``
    (:func:`d2l_data`, unless ``data`` is given), the minibatch order from a ``torch.Generator``
    seeded with ``order_seed`` (default ``seed + 1``)."""
    lam = as_nonneg_float(lambd, "lambd", where="d2l")
    dev, dt, _ = C.setup(device, dtype)
    data = d2l_data(recipe, seed=seed) if data is None else data
    n, d = data.X_train.shape
    order_gen = C.generator(seed + 1 if order_seed is None else order_seed)
    epochs_w = [data.w0.copy()]
    epochs_b = [data.b0]
    steps = 0
    with C.exact_math(threads=1):
        model = torch.nn.Linear(d, 1, dtype=dt)
        with torch.no_grad():
            model.weight.copy_(torch.as_tensor(data.w0, dtype=dt).reshape(1, d))
            model.bias.fill_(data.b0)
        model.to(dev)
        Xt, yt = C.tensor(data.X_train, dev, dt), C.tensor(data.y_train, dev, dt)
        mse = torch.nn.MSELoss()
        opt = torch.optim.SGD(
            [{"params": [model.weight], "weight_decay": lam}, {"params": [model.bias], "weight_decay": 0.0}],
            lr=recipe.lr,
        )
        for _ in range(recipe.epochs):
            perm = torch.randperm(n, generator=order_gen).to(dev)
            for start in range(0, n, recipe.batch_size):
                idx = perm[start : start + recipe.batch_size]
                opt.zero_grad(set_to_none=True)
                (0.5 * mse(model(Xt[idx]).squeeze(-1), yt[idx])).backward()
                opt.step()
                steps += 1
            epochs_w.append(C.numpy(model.weight).ravel())
            epochs_b.append(float(model.bias.detach().cpu()))
    W = np.stack(epochs_w)
    if not np.isfinite(W).all():
        raise InputError(f"d2l training diverged at lr = {recipe.lr}")
    bs = np.asarray(epochs_b)
    train = np.array([_half_mse(data.X_train, data.y_train, w, b) for w, b in zip(W, bs, strict=True)])
    test = np.array([_half_mse(data.X_test, data.y_test, w, b) for w, b in zip(W, bs, strict=True)])
    w_T, b_T = W[-1], float(bs[-1])
    P = data.null_projector
    decay = (1.0 - recipe.lr * lam) ** steps
    null_pred_vec = decay * (P @ data.w0)
    null_meas_vec = P @ w_T
    null_err = float(
        np.linalg.norm(null_meas_vec - null_pred_vec) / max(float(np.linalg.norm(null_pred_vec)), 1e-300)
    )
    ridge_w, ridge_b = canonical_ridge(data.X_train, data.y_train, lam, bias=True, decay_bias=False)
    gd_w, _, limit_w, _ = full_batch_iterate(data, lam, steps, recipe.lr)
    row_pred_vec = gd_w - P @ gd_w
    w_pred = null_pred_vec + row_pred_vec
    row_meas_vec = w_T - null_meas_vec
    row_pred = float(np.linalg.norm(row_pred_vec))
    assert ridge_b is not None
    return D2LRun(
        lambd=lam,
        epochs=np.arange(recipe.epochs + 1, dtype=np.float64),
        train_loss=train,
        test_loss=test,
        w_norm=np.linalg.norm(W, axis=1),
        w=w_T,
        b=b_T,
        null_measured=float(np.linalg.norm(null_meas_vec)),
        null_predicted=float(np.linalg.norm(null_pred_vec)),
        null_error=null_err,
        w_predicted=w_pred,
        w_limit=limit_w,
        norm_predicted=float(np.linalg.norm(w_pred)),
        w_error=float(np.linalg.norm(w_T - w_pred) / np.linalg.norm(w_pred)),
        row_measured=float(np.linalg.norm(row_meas_vec)),
        row_predicted=row_pred,
        row_error=float(np.linalg.norm(row_meas_vec - row_pred_vec) / max(row_pred, 1e-300)),
        ridge_test_loss=_half_mse(data.X_test, data.y_test, ridge_w, ridge_b),
        steps=steps,
    )


def row_space_spread(
    lambd: float,
    *,
    recipe: D2LRecipe = D2LRecipe(),
    data: D2LData | None = None,
    seed: int = 0,
    orders: int = 6,
    device: str = "cpu",
) -> float:
    """The minibatch noise of the row-space part: ``sqrt(mean_k ‖(I − P)(w_T⁽ᵏ⁾ − w̄_T)‖²)`` over
    ``orders`` batch orders (order seeds ``seed + 1 + 1000·k``) on one data draw, divided by the
    predicted ‖(I − P)w_T‖. The null-space part does not depend on the order (it is exact)."""
    if not isinstance(orders, int) or orders < 2:
        raise InputError(f"orders must be an integer ≥ 2; got {orders!r}")
    data = d2l_data(recipe, seed=seed) if data is None else data
    runs = [
        train_d2l(lambd, recipe=recipe, data=data, seed=seed, order_seed=seed + 1 + 1000 * k, device=device)
        for k in range(orders)
    ]
    R = np.eye(data.X_train.shape[1]) - data.null_projector
    rows = np.stack([R @ r.w for r in runs])
    spread = float(np.sqrt(np.mean(np.sum((rows - rows.mean(axis=0)) ** 2, axis=1))))
    return spread / runs[0].row_predicted


def d2l_experiment(
    lambdas: Sequence[float] = (0.0, 3.0),
    *,
    recipe: D2LRecipe = D2LRecipe(),
    seed: int = 0,
    device: str = "cpu",
    dtype: Any = "float64",
) -> tuple[D2LRun, ...]:
    """The recipe at each λ on one data draw (the "d2l-curves" figure): one :class:`D2LRun` per λ."""
    data = d2l_data(recipe, seed=seed)
    return tuple(
        train_d2l(lam, recipe=recipe, data=data, seed=seed, device=device, dtype=dtype) for lam in lambdas
    )


def d2l_sweep(
    lambdas: Sequence[float] | None = None,
    *,
    recipe: D2LRecipe = D2LRecipe(),
    seed: int = 0,
    device: str = "cpu",
    dtype: Any = "float64",
) -> D2LSweep:
    """Final train/test loss and ‖w‖ over a λ grid (default 13 points in [0, 10]), against exact
    ridge from zero (the "d2l-lambda-sweep" figure)."""
    grid = np.asarray(np.linspace(0.0, 10.0, 13) if lambdas is None else lambdas, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or not np.isfinite(grid).all() or (grid < 0).any():
        raise InputError(f"lambdas must be a non-empty 1-D sequence of finite λ ≥ 0; got {lambdas!r}")
    data = d2l_data(recipe, seed=seed)
    runs = [
        train_d2l(float(lam), recipe=recipe, data=data, seed=seed, device=device, dtype=dtype) for lam in grid
    ]
    ridge_train, ridge_test, ridge_norm = [], [], []
    for lam in grid:
        w, b = canonical_ridge(data.X_train, data.y_train, float(lam), bias=True, decay_bias=False)
        assert b is not None
        ridge_train.append(_half_mse(data.X_train, data.y_train, w, b))
        ridge_test.append(_half_mse(data.X_test, data.y_test, w, b))
        ridge_norm.append(float(np.linalg.norm(w)))
    return D2LSweep(
        lambdas=grid,
        sgd_train_loss=np.array([r.train_loss[-1] for r in runs]),
        sgd_test_loss=np.array([r.test_loss[-1] for r in runs]),
        sgd_w_norm=np.array([r.w_norm[-1] for r in runs]),
        ridge_train_loss=np.array(ridge_train),
        ridge_test_loss=np.array(ridge_test),
        ridge_w_norm=np.array(ridge_norm),
        norm_predicted=np.array([r.norm_predicted for r in runs]),
    )
