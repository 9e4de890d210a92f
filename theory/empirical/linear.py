"""Linear models trained with ``torch.optim`` under each library convention (l2.ridge, l2.optimum,
es.trajectory, es.equivalence, l1.soft_threshold).

The canonical objective (docs/reference.md, "Canonical convention") is
``(1/2n)‖Xw + b − y‖² + (λ/2)‖w‖²`` with minimiser
``(XᵀX + nλI)⁻¹Xᵀy`` (G 7.17 rescaled; :func:`theory.regression.ridge`, convention ``"mean"``). A
library minimises ``scale·(that)`` with its own parameters; :func:`fit_ridge` asks
:func:`theory.conventions.from_canonical` for the library parameters that should give λ, trains the
model the way that library defines its objective (written out here independently of the table, e.g.
Keras' ``loss += l2·Σw²``), and compares the trained weights with the canonical closed form. A wrong
row of the convention table therefore shows up as a mismatch (``converter=`` lets a test inject one).

Training is full batch. The optimiser is ``torch.optim.SGD`` with Polyak's heavy-ball momentum tuned
to the objective's spectrum (computed from the model with ``torch.func.hessian``), ``torch.optim.Adam``
for the Adam row, and plain SGD without momentum where a library's rule is only an L2 penalty
without momentum (Keras' decoupled SGD decay).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from theory.conventions import Penalty, from_canonical, get_convention
from theory.empirical import _common as C
from theory.errors import ConvergenceError, InputError, PreconditionError
from theory.numerics import relative_error, residual_tolerance, rounding_zero_tolerance
from theory.quadratic import Quadratic
from theory.regression import ridge, validate_regression
from theory.validate import as_nonneg_float, as_positive_float, as_steps

torch = C.torch

__all__ = [
    "DATA_LOSS_REDUCTIONS",
    "LIBRARY_ROWS",
    "LargeRidge",
    "LassoFit",
    "RidgeFit",
    "canonical_ridge",
    "fit_lasso",
    "fit_ridge",
    "gd_trajectory",
    "large_ridge",
    "make_regression",
]

FloatArray = C.FloatArray
Converter = Callable[..., Mapping[str, Any]]

#: data-loss name -> (torch MSELoss reduction, factor): loss = factor · MSELoss(reduction)
DATA_LOSS_REDUCTIONS: dict[str, tuple[str, float]] = {
    "mse": ("mean", 1.0),  # torch MSELoss, Keras MSE: (1/n)‖r‖²
    "half_mse": ("mean", 0.5),  # canonical: (1/2n)‖r‖²
    "sse": ("sum", 1.0),  # ‖r‖² (sklearn Ridge, G 7.15)
    "half_sse": ("sum", 0.5),  # ½‖r‖² (G 7.17)
}


@dataclass(frozen=True, slots=True)
class _Row:
    """How one library row is trained: which optimiser, and what it adds to the loss."""

    optimizer: str  # "sgd", "adam", "sgd_decoupled" (w ← w − lr·wd·w, then the step)
    weight_decay: float  # the optimiser's weight_decay
    loss_sumsq: float  # c in loss += c·Σw² (no ½), the library's penalty written in its own terms
    data_loss: str


def _row(key: str, p: Mapping[str, Any], data_loss: str | None) -> _Row:
    """Each library's documented rule (its own documentation), independent of ``theory.conventions``."""
    f = {k: float(v) for k, v in p.items()}
    user_loss = data_loss or "mse"
    if key == "torch.SGD":  # grad += wd·w before momentum
        return _Row("sgd", f["weight_decay"], 0.0, user_loss)
    if key == "torch.Adam":  # grad += wd·w, then Adam
        return _Row("adam", f["weight_decay"], 0.0, user_loss)
    if key == "keras.regularizers.L2":  # loss += l2·Σw²
        return _Row("sgd", 0.0, f["l2"], user_loss)
    if key == "keras.optimizers.SGD":  # w ← w − lr·wd·w before the (momentum-free) step
        if f.get("momentum", 0.0) != 0.0:
            raise InputError(f"fit_ridge trains {key} without momentum; got momentum = {f['momentum']}")
        return _Row("sgd_decoupled", f["weight_decay"], 0.0, user_loss)
    if key == "optax.add_decayed_weights+sgd":  # update += wd·w before sgd
        return _Row("sgd", f["weight_decay"], 0.0, user_loss)
    if key == "sklearn.Ridge":  # ‖y − Xw‖² + α‖w‖²
        return _Row("sgd", 0.0, f["alpha"], "sse")
    if key == "sklearn.ElasticNet":  # (1/2n)‖r‖² + αρ‖w‖₁ + (α(1 − ρ)/2)‖w‖²
        _no_l1(key, f["alpha"] * f["l1_ratio"])
        return _Row("sgd", 0.0, f["alpha"] * (1 - f["l1_ratio"]) / 2, "half_mse")
    if key == "glmnet":  # (1/2N)Σr² + λ[(1 − a)/2‖β‖² + a‖β‖₁] on y/sd(y) with λ/sd(y)
        _no_l1(key, f["lambda"] * f["alpha"])
        return _Row("sgd", 0.0, f["lambda"] * (1 - f["alpha"]) / (2 * f["sd_y"]), "half_mse")
    if key == "statsmodels.fit_regularized":  # 0.5·RSS/n + α[(1 − L1_wt)/2‖b‖² + L1_wt‖b‖₁]
        _no_l1(key, f["alpha"] * f["L1_wt"])
        return _Row("sgd", 0.0, f["alpha"] * (1 - f["L1_wt"]) / 2, "half_mse")
    if key == "goodfellow.7.15":  # ‖Xw − y‖² + (α/2)‖w‖²
        return _Row("sgd", 0.0, f["alpha"] / 2, "sse")
    if key == "goodfellow.7.17":  # ½‖Xw − y‖² + (α/2)‖w‖²
        return _Row("sgd", 0.0, f["alpha"] / 2, "half_sse")
    raise InputError(f"fit_ridge cannot train convention {key!r}; supported: {', '.join(LIBRARY_ROWS)}")


def _no_l1(key: str, l1: float) -> None:
    if l1 != 0:
        raise InputError(f"fit_ridge trains L2 only; {key} was given an L1 coefficient {l1}")


#: convention keys that :func:`fit_ridge` can train (decoupled Adam rows have no L2 form)
LIBRARY_ROWS: tuple[str, ...] = (
    "torch.SGD",
    "torch.Adam",
    "keras.regularizers.L2",
    "keras.optimizers.SGD",
    "optax.add_decayed_weights+sgd",
    "sklearn.Ridge",
    "sklearn.ElasticNet",
    "glmnet",
    "statsmodels.fit_regularized",
    "goodfellow.7.15",
    "goodfellow.7.17",
)


@dataclass(frozen=True, slots=True)
class RidgeFit:
    """A linear model trained under one library convention, against the canonical closed form.

    Attributes:
        weight, bias: the trained parameters (``bias`` is ``None`` without one).
        expected_weight, expected_bias: the canonical ridge solution for ``penalty.l2``.
        relative_error: ``‖θ − θ_expected‖/‖θ_expected‖`` over ``θ = (weight, bias)``.
        tolerance: what ``relative_error`` is held to: ``c·max(n, d)·κ·eps(dtype)`` with c = 100
            (10⁴ for Adam, which stops on a quiet criterion); ≈ 2e-11 (Adam 2e-9) in float64 for
            the default problems, well inside the 1e-8 the issue asks for.
        steps: optimiser steps taken.
        params: the library parameters used (from the converter).
        penalty: the canonical penalty asked for.
        convention, data_loss, decay_bias, optimizer: how it was trained.
        condition_number: κ of the trained objective (sets the tolerance and the step count).
        seconds: training wall time.
    """

    weight: FloatArray
    bias: float | None
    expected_weight: FloatArray
    expected_bias: float | None
    relative_error: float
    tolerance: float
    steps: int
    params: dict[str, float]
    penalty: Penalty
    convention: str
    data_loss: str
    decay_bias: bool
    optimizer: str
    condition_number: float
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """``relative_error <= tolerance``."""
        return self.relative_error <= self.tolerance

    @property
    def ratio(self) -> float:
        """``relative_error / tolerance``: the margin."""
        return self.relative_error / self.tolerance


@dataclass(frozen=True, slots=True)
class LassoFit:
    """A linear model trained with an L1 penalty (l1.soft_threshold).

    Attributes:
        weight: the trained weights.
        expected: the closed form ``sign(w*_i) max(|w*_i| − μ/H_ii, 0)`` (G 7.20–7.23).
        relative_error: ``‖weight − expected‖/‖expected‖``.
        tolerance: ``c·d·κ·eps(dtype)``.
        exact_zeros: how many entries of ``weight`` are exactly 0.0.
        expected_zeros: how many entries of ``expected`` are exactly 0.0.
        zero_pattern_matches: the zero sets coincide exactly.
        method: ``"proximal"`` (gradient step then soft threshold) or ``"subgradient"`` (μ‖w‖₁ in
            the loss, autograd's ``sign(0) = 0`` subgradient).
        steps: optimiser steps.
    """

    weight: FloatArray
    expected: FloatArray
    relative_error: float
    tolerance: float
    exact_zeros: int
    expected_zeros: int
    zero_pattern_matches: bool
    method: str
    steps: int

    @property
    def ok(self) -> bool:
        """``relative_error <= tolerance`` (the proximal method is expected to pass)."""
        return self.relative_error <= self.tolerance


# ---------------------------------------------------------------------------------------- data


def make_regression(
    n: int,
    d: int,
    *,
    seed: int | np.random.Generator = 0,
    condition: float = 10.0,
    noise: float = 0.1,
    decorrelated: bool = False,
    offset: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """A regression problem ``(X, y)`` whose ``H = XᵀX/n`` has condition number ``condition``.

    ``X = √n·U·diag(s)·Vᵀ`` with ``U`` (n×d) orthonormal columns, ``s²`` geometric from 1 down to
    ``1/condition`` and ``V`` a random rotation (``V = I`` when ``decorrelated``, so H is diagonal,
    as l1.soft_threshold needs); ``y = Xβ + offset + noise·ξ``. Needs ``n ≥ d``.
    """
    if not (isinstance(n, int | np.integer) and isinstance(d, int | np.integer)) or d < 1 or n < d:
        raise InputError(f"make_regression needs integers n ≥ d ≥ 1; got n = {n!r}, d = {d!r}")
    cond = as_positive_float(condition, "condition")
    if cond < 1:
        raise InputError(f"condition must be ≥ 1; got {cond}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((n, d)))
    s = np.sqrt(np.geomspace(1.0, 1.0 / cond, d)) if d > 1 else np.ones(1)
    V = np.eye(d) if decorrelated else np.linalg.qr(rng.standard_normal((d, d)))[0]
    X = math.sqrt(n) * (U * s) @ V.T
    beta = rng.standard_normal(d)
    y = X @ beta + offset + noise * rng.standard_normal(n)
    return X, y


def canonical_ridge(
    X: ArrayLike, y: ArrayLike, l2: float, *, bias: bool = False, decay_bias: bool = True
) -> tuple[FloatArray, float | None]:
    """Minimiser of ``(1/2n)‖Xw + b − y‖² + (λ/2)(‖w‖² + [decay_bias]·b²)`` (l2.ridge, canonical).

    Without a bias: ``(XᵀX + nλI)⁻¹Xᵀy`` (:func:`theory.regression.ridge`, ``"mean"``). A decayed bias
    is one more input column of ones. An undecayed bias is the intercept of ridge on centred data:
    ``w = ridge(X − x̄, y − ȳ)``, ``b = ȳ − x̄ᵀw`` (ESL §3.4.1).
    """
    Xm, yv = validate_regression(X, y)
    lam = as_nonneg_float(l2, "l2", where="l2.ridge")
    if not bias:
        return ridge(Xm, yv, lam, convention="mean"), None
    if decay_bias:
        theta = ridge(np.hstack([Xm, np.ones((Xm.shape[0], 1))]), yv, lam, convention="mean")
        return theta[:-1], float(theta[-1])
    xbar, ybar = Xm.mean(axis=0), float(yv.mean())
    w = ridge(Xm - xbar, yv - ybar, lam, convention="mean")
    return w, ybar - float(xbar @ w)


# ---------------------------------------------------------------------------------------- training


def _model(d: int, bias: bool, dev: Any, dt: Any) -> Any:
    model = torch.nn.Linear(d, 1, bias=bias, device=dev, dtype=dt)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    return model


def _mse(data_loss: str) -> Callable[[Any, Any], Any]:
    if data_loss not in DATA_LOSS_REDUCTIONS:
        raise InputError(f"unknown data_loss {data_loss!r}; choose one of {', '.join(DATA_LOSS_REDUCTIONS)}")
    reduction, factor = DATA_LOSS_REDUCTIONS[data_loss]
    mse = torch.nn.MSELoss(reduction=reduction)
    if factor == 1.0:
        return mse
    return lambda pred, target: factor * mse(pred, target)


def _flat(model: Any) -> Any:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def _objective_spectrum(model: Any, objective: Callable[[Any], Any], shift: Any) -> tuple[float, float]:
    """(λ_min, λ_max) of the Hessian of ``objective`` plus ``diag(shift)`` (the optimiser's decay).

    Dense ``torch.func.hessian`` up to 1024 parameters; beyond that, λ_max by 50 power iterations
    on Hessian-vector products (×1.05) and λ_min bounded below by ``min(shift)`` (a convex data term
    has λ_min ≥ 0), so no p×p matrix is formed.
    """
    theta0 = _flat(model)
    p = theta0.numel()
    if p <= 1024:
        Hm = torch.func.hessian(objective)(theta0) + torch.diag(shift)
        ev = torch.linalg.eigvalsh((Hm + Hm.T) / 2)
        return float(ev[0]), float(ev[-1])
    t = theta0.detach().requires_grad_(True)
    with torch.enable_grad():
        (grad,) = torch.autograd.grad(objective(t), t, create_graph=True)
    g = C.generator(0, theta0.device)
    v = torch.randn(p, generator=g, device=theta0.device, dtype=theta0.dtype)
    top = 0.0
    for _ in range(50):
        v = v / torch.linalg.vector_norm(v)
        (hv,) = torch.autograd.grad(grad, t, grad_outputs=v, retain_graph=True)
        hv = hv + shift * v
        top = float(v @ hv)
        v = hv.detach()
    return float(shift.min()), 1.05 * top


def _train(
    model: Any,
    X: Any,
    y: Any,
    row: _Row,
    decay_mask: Sequence[bool],
    *,
    reduction: float,
    max_steps: int = 200_000,
) -> tuple[int, float]:
    """Minimise the row's objective from the model's current parameters; returns (steps, κ)."""
    params = list(model.parameters())
    names = [n for n, _ in model.named_parameters()]
    data = _mse(row.data_loss)
    decayed = [p for p, m in zip(params, decay_mask, strict=True) if m]

    def loss_fn() -> Any:
        loss = data(model(X).squeeze(-1), y)
        if row.loss_sumsq:
            loss = loss + row.loss_sumsq * sum((p * p).sum() for p in decayed)
        return loss

    # the spectrum of what the optimiser actually descends: Hessian of the loss + wd on decayed params
    shapes = [p.shape for p in params]
    sizes = [p.numel() for p in params]

    def objective(theta: Any) -> Any:
        chunks = torch.split(theta, sizes)
        tensors = {n: c.reshape(s) for n, c, s in zip(names, chunks, shapes, strict=True)}
        out = torch.func.functional_call(model, tensors, (X,)).squeeze(-1)
        loss = data(out, y)
        if row.loss_sumsq:
            loss = loss + row.loss_sumsq * sum(
                (tensors[n] ** 2).sum() for n, m in zip(names, decay_mask, strict=True) if m
            )
        return loss

    shift = torch.cat(
        [
            torch.full((s,), row.weight_decay if m else 0.0, dtype=X.dtype, device=X.device)
            for s, m in zip(sizes, decay_mask, strict=True)
        ]
    )
    lo, hi = _objective_spectrum(model, objective, shift)
    # λ_min within rounding of 0 is 0: a duplicated column gives λ_min = ±3e-17, never exactly 0. The
    # Hessian sums n rows and eigvalsh adds c·p·eps·‖H‖ (theory.numerics.rounding_zero_tolerance).
    zero_tol = rounding_zero_tolerance(sum(sizes) + X.shape[0], max(abs(lo), abs(hi)), eps=C.eps(X.dtype))
    if lo <= zero_tol:
        raise PreconditionError(
            f"the {row.data_loss} objective is not strongly convex (λ_min = {lo:.3g} ≤ the rounding "
            f"threshold {zero_tol:.3g}): ridge with λ = 0 and a rank-deficient X has no unique minimiser "
            "to train to; use λ > 0"
        )
    kappa = hi / lo
    groups = [
        {
            "params": [p for p, m in zip(params, decay_mask, strict=True) if m],
            "weight_decay": row.weight_decay,
        },
        {"params": [p for p, m in zip(params, decay_mask, strict=True) if not m], "weight_decay": 0.0},
    ]
    groups = [g for g in groups if g["params"]]
    if row.optimizer == "adam":
        return _train_adam(model, loss_fn, groups, reduction, kappa, max_steps), kappa
    if row.optimizer == "sgd_decoupled":
        lr = 2.0 / (lo + hi)  # plain GD, optimal constant step: rate (κ − 1)/(κ + 1)
        rate = (kappa - 1) / (kappa + 1)
        for g in groups:
            g["weight_decay"] = 0.0
        opt = torch.optim.SGD(groups, lr=lr)
        steps = C.steps_for(rate, reduction, cap=max_steps)
        wd = row.weight_decay
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            loss_fn().backward()
            with torch.no_grad():  # Keras 3: variable ← variable − variable·wd·lr, before the step
                for p in decayed:
                    p.sub_(p * (wd * lr))
            opt.step()
        return steps, kappa
    lr, momentum, rate = C.heavy_ball(hi, lo)
    opt = torch.optim.SGD(groups, lr=lr, momentum=momentum)
    # heavy ball has a transient growth of order √κ·steps on non-normal modes: slack in the count
    steps = C.steps_for(rate, reduction / max(kappa, 10.0), slack=1.3, cap=max_steps)
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss_fn().backward()
        opt.step()
    return steps, kappa


def _train_adam(
    model: Any,
    loss_fn: Callable[[], Any],
    groups: list[dict[str, Any]],
    reduction: float,
    kappa: float,
    max_steps: int,
) -> int:
    """Full-batch Adam(weight_decay) to the fixed point ``∇L + wd·w = 0``.

    Constant-step Adam hovers around its fixed point; a step size decaying geometrically from
    ``lr0`` to ``lr0·1e-6`` (``ExponentialLR``) lets it settle. Stops when the parameters stop moving
    (relative change below ``reduction`` for 20 consecutive steps) or at ``max_steps``.
    """
    opt = torch.optim.Adam(groups, lr=0.05, betas=(0.9, 0.999))
    total = min(max_steps, 20_000)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=(1e-6) ** (1.0 / total))
    quiet = 0
    steps = 0
    prev = _flat(model)
    for steps in range(1, total + 1):  # noqa: B007 - steps is returned
        opt.zero_grad(set_to_none=True)
        loss_fn().backward()
        opt.step()
        sched.step()
        cur = _flat(model)
        change = float(
            torch.linalg.vector_norm(cur - prev) / max(float(torch.linalg.vector_norm(cur)), 1e-300)
        )
        prev = cur
        quiet = quiet + 1 if change < reduction else 0
        if quiet >= 20:
            break
    return steps


def fit_ridge(
    X: ArrayLike,
    y: ArrayLike,
    l2: float,
    *,
    convention: str = "torch.SGD",
    data_loss: str | None = None,
    bias: bool = False,
    decay_bias: bool = True,
    converter: Converter = from_canonical,
    device: str = "cpu",
    dtype: Any = "float64",
) -> RidgeFit:
    """Train a linear model with the library ``convention`` set to the canonical L2 penalty ``l2``.

    ``params = converter(convention, Penalty(l2), n=n, data_loss=...)`` (by default
    :func:`theory.conventions.from_canonical`); the model is trained on that library's objective (its
    data term ``data_loss`` where the user chooses it, default ``"mse"`` = ``torch.nn.MSELoss``) and
    compared with :func:`canonical_ridge`. The minimiser of the library objective equals the
    canonical one exactly when the table row is right (l2.ridge, G 7.14–7.17).

    Args:
        X, y: the data, ``n ≥ 1`` rows.
        l2: the canonical λ ≥ 0 (λ = 0 needs X of full column rank).
        convention: a key of :data:`LIBRARY_ROWS`.
        data_loss: ``"mse"``, ``"half_mse"``, ``"sse"`` or ``"half_sse"`` for rows where the user
            picks the data term (torch, Keras, optax); must be ``None`` for the others.
        bias: fit an intercept; ``decay_bias``: include it in the penalty (torch decays it by
            default; sklearn and glmnet do not).
        converter: ``(key, Penalty, n=, data_loss=) -> params``; a test injects a wrong one.
        device, dtype: see :mod:`theory.empirical`.

    Raises:
        InputError: bad data, convention, data loss, device or dtype.
        PreconditionError: the objective is not strongly convex (λ = 0 and rank-deficient X).
        ConventionError: the row is decoupled decay with no L2 form (from the converter).
    """
    import time

    Xm, yv = validate_regression(X, y)
    lam = as_nonneg_float(l2, "l2", where="l2.ridge")
    get_convention(convention)  # InputError for an unknown key
    dev, dt, name = C.setup(device, dtype)
    n, d = Xm.shape
    fixed = get_convention(convention).data_loss
    # the inputs a row's λ depends on: momentum-free Keras SGD, glmnet's sd(y) (1/n, about the mean)
    needs = get_convention(convention).inputs
    extra: dict[str, Any] = {}
    if needs:
        known = {"momentum": 0.0, "sd_y": float(np.sqrt(np.mean((yv - yv.mean()) ** 2)))}
        extra["inputs"] = {k: known[k] for k in needs}
    params = {
        k: float(v)
        for k, v in converter(
            convention,
            Penalty(lam),
            n=n,
            data_loss=None if fixed is not None else (data_loss or "mse"),
            **extra,
        ).items()
    }
    if fixed is not None and data_loss not in (None, fixed):
        raise InputError(f"{convention} fixes its data loss to {fixed!r}; got data_loss={data_loss!r}")
    row = _row(convention, params, data_loss)
    expected_w, expected_b = canonical_ridge(Xm, yv, lam, bias=bias, decay_bias=decay_bias)
    expected = np.append(expected_w, [] if expected_b is None else [expected_b])
    c_tol = 1e3 if row.optimizer == "adam" else 100.0  # Adam stops on a quiet criterion
    start = time.perf_counter()
    with C.exact_math(threads=C.threads_for(Xm.size)):
        model = _model(d, bias, dev, dt)
        Xt, yt = C.tensor(Xm, dev, dt), C.tensor(yv, dev, dt)
        mask = [True] + ([decay_bias] if bias else [])
        floor = residual_tolerance(max(n, d), 1.0, np.dtype(name), c=c_tol)
        steps, kappa = _train(model, Xt, yt, row, mask, reduction=floor * 1e-3)
        theta = C.numpy(_flat(model))
    seconds = time.perf_counter() - start
    C.check_finite_tensor(torch.as_tensor(theta), f"fit_ridge({convention}) weights")
    tol = residual_tolerance(max(n, d), kappa, np.dtype(name), c=c_tol)
    err = relative_error(theta, expected)
    return RidgeFit(
        weight=theta[:d],
        bias=float(theta[d]) if bias else None,
        expected_weight=expected_w,
        expected_bias=expected_b,
        relative_error=err,
        tolerance=tol,
        steps=steps,
        params=params,
        penalty=Penalty(lam),
        convention=convention,
        data_loss=row.data_loss,
        decay_bias=decay_bias,
        optimizer=row.optimizer,
        condition_number=kappa,
        seconds=seconds,
    )


def gd_trajectory(
    X: ArrayLike,
    y: ArrayLike,
    eps: float,
    taus: ArrayLike,
    *,
    w0: ArrayLike | None = None,
    l2: float = 0.0,
    device: str = "cpu",
    dtype: Any = "float64",
) -> FloatArray:
    """Full-batch ``torch.optim.SGD(lr=ε, weight_decay=λ)`` on the canonical ``(1/2n)‖Xw − y‖²``.

    Returns the iterates at the step counts ``taus``, shape ``(len(taus), d)``; the independent route
    for :meth:`theory.Quadratic.gd_iterates` (es.trajectory, G 7.33–7.40) and, from ``w0``, for
    es.nonzero_init. No bias.
    """
    Xm, yv = validate_regression(X, y)
    e = as_positive_float(eps, "eps", where="es.trajectory")
    lam = as_nonneg_float(l2, "l2", where="es.trajectory")
    steps = as_steps(taus, "taus")
    dev, dt, _ = C.setup(device, dtype)
    d = Xm.shape[1]
    with C.exact_math(threads=C.threads_for(Xm.size)):
        model = _model(d, False, dev, dt)
        if w0 is not None:
            with torch.no_grad():
                model.weight.copy_(C.tensor(np.asarray(w0, dtype=np.float64).reshape(1, d), dev, dt))
        Xt, yt = C.tensor(Xm, dev, dt), C.tensor(yv, dev, dt)
        loss = _mse("half_mse")
        opt = torch.optim.SGD(model.parameters(), lr=e, weight_decay=lam)
        record: dict[int, FloatArray] = {}
        wanted = {int(s) for s in steps}
        if 0 in wanted:
            record[0] = C.numpy(model.weight).ravel()
        for tau in range(1, int(steps.max()) + 1):
            opt.zero_grad(set_to_none=True)
            loss(model(Xt).squeeze(-1), yt).backward()
            opt.step()
            if tau in wanted:
                record[tau] = C.numpy(model.weight).ravel()
    out = np.stack([record[int(s)] for s in steps])
    C.check_finite_tensor(torch.as_tensor(out), "gd_trajectory iterates")
    return out


def fit_lasso(
    X: ArrayLike,
    y: ArrayLike,
    l1: float,
    *,
    method: str = "proximal",
    steps: int | None = None,
    device: str = "cpu",
    dtype: Any = "float64",
) -> LassoFit:
    """Minimise ``(1/2n)‖Xw − y‖² + μ‖w‖₁`` with ``torch.optim.SGD`` and compare with the closed form.

    ``method="proximal"``: ISTA, an SGD step of size ``1/L`` on the data term, then the soft threshold
    ``w ← sign(w)·max(|w| − μ/L, 0)`` (Beck & Teboulle 2009); it reaches exact zeros.
    ``method="subgradient"``: ``μ‖w‖₁`` added to the loss and SGD with a step decaying as ``1/√t``;
    autograd's subgradient at 0 is 0, but iterates hop across 0 and almost never land on it, so the
    zeros of the L1 optimum come out as small non-zero numbers.

    The closed form is :meth:`theory.Quadratic.l1_optimum` (l1.soft_threshold, G 7.20–7.23), which
    needs ``XᵀX/n`` diagonal: use ``make_regression(..., decorrelated=True)``.
    """
    Xm, yv = validate_regression(X, y)
    mu = as_nonneg_float(l1, "l1", where="l1.soft_threshold")
    if method not in ("proximal", "subgradient"):
        raise InputError(f"method must be 'proximal' or 'subgradient'; got {method!r}")
    dev, dt, name = C.setup(device, dtype)
    q = Quadratic.from_regression(Xm, yv)
    expected = q.l1_optimum(mu)  # PreconditionError when H is not diagonal
    hdiag = np.diag(q.H)
    L, lo = float(hdiag.max()), float(hdiag.min())
    kappa = L / lo
    d = Xm.shape[1]
    n_steps = steps if steps is not None else C.steps_for(1 - lo / L, C.eps(name), extra=50)
    with C.exact_math(threads=C.threads_for(Xm.size)):
        model = _model(d, False, dev, dt)
        Xt, yt = C.tensor(Xm, dev, dt), C.tensor(yv, dev, dt)
        loss = _mse("half_mse")
        w = model.weight
        if method == "proximal":
            opt = torch.optim.SGD([w], lr=1.0 / L)
            for _ in range(n_steps):
                opt.zero_grad(set_to_none=True)
                loss(model(Xt).squeeze(-1), yt).backward()
                opt.step()
                with torch.no_grad():  # prox of (μ/L)‖·‖₁: soft threshold
                    w.copy_(torch.sign(w) * torch.clamp(w.abs() - mu / L, min=0.0))
        else:
            opt = torch.optim.SGD([w], lr=1.0 / L)
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0 / math.sqrt(1.0 + t))
            for _ in range(n_steps):
                opt.zero_grad(set_to_none=True)
                (loss(model(Xt).squeeze(-1), yt) + mu * w.abs().sum()).backward()
                opt.step()
                sched.step()
        weight = C.numpy(w).ravel()
    if not np.isfinite(weight).all():
        raise ConvergenceError(f"fit_lasso({method}) diverged")
    zeros, want = weight == 0.0, expected == 0.0
    return LassoFit(
        weight=weight,
        expected=expected,
        relative_error=relative_error(weight, expected),
        tolerance=residual_tolerance(d, kappa, np.dtype(name), c=100.0),
        exact_zeros=int(zeros.sum()),
        expected_zeros=int(want.sum()),
        zero_pattern_matches=bool(np.array_equal(zeros, want)),
        method=method,
        steps=n_steps,
    )


@dataclass(frozen=True, slots=True)
class LargeRidge:
    """A large ridge problem solved on the device two ways (the GPU scale test of l2.ridge).

    Attributes:
        d, n: dimensions (``X`` is n×d standard normal, drawn on the device).
        l2: the canonical λ; weight_decay: what ``torch.optim.SGD`` got (``from_canonical``, MSELoss).
        relative_error: ``‖w_trained − w_closed‖/‖w_closed‖``; tolerance: ``100·max(n, d)·κ·eps``.
        steps: heavy-ball SGD steps; condition_number: the κ estimate used.
        seconds_closed_form: Cholesky solve of ``(XᵀX/n + λI)w = Xᵀy/n`` on the device.
        seconds_train: the training loop.
    """

    d: int
    n: int
    l2: float
    weight_decay: float
    relative_error: float
    tolerance: float
    steps: int
    condition_number: float
    seconds_closed_form: float
    seconds_train: float
    device: str
    dtype: str

    @property
    def ok(self) -> bool:
        """``relative_error <= tolerance``."""
        return self.relative_error <= self.tolerance


def large_ridge(
    d: int = 16384,
    *,
    n: int | None = None,
    l2: float = 0.1,
    seed: int = 0,
    device: str = "cuda",
    dtype: Any = "float64",
) -> LargeRidge:
    """Ridge with ``d`` inputs (default 16384) and ``n = 2d`` examples, trained with full-batch
    ``torch.optim.SGD(weight_decay)`` on ``MSELoss`` and solved in closed form by a Cholesky
    factorisation of ``XᵀX/n + λI``, both on ``device`` (l2.ridge at scale).

    The step size comes from ``λ_max`` by power iteration and ``λ_min ≥ λ`` (the penalty), so no
    d×d eigendecomposition is needed. Memory: X (8·n·d bytes) plus the Gram matrix (8·d²): about
    6.4 GiB in float64 at the default size.
    """
    import time

    if not isinstance(d, int) or d < 1:
        raise InputError(f"d must be a positive integer; got {d!r}")
    rows = 2 * d if n is None else int(n)
    lam = as_positive_float(l2, "l2", where="l2.ridge")
    dev, dt, name = C.setup(device, dtype)
    g = C.generator(seed, dev)
    with C.exact_math(threads=C.threads_for(rows * d)):
        X = torch.randn(rows, d, generator=g, device=dev, dtype=dt)
        beta = torch.randn(d, generator=g, device=dev, dtype=dt) / math.sqrt(d)
        y = X @ beta + 0.1 * torch.randn(rows, generator=g, device=dev, dtype=dt)
        start = time.perf_counter()
        gram = X.T @ X / rows
        gram.diagonal().add_(lam)
        chol = torch.linalg.cholesky(gram)
        w_closed = torch.cholesky_solve((X.T @ y / rows).unsqueeze(-1), chol).squeeze(-1)
        del gram, chol
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        t_closed = time.perf_counter() - start
        wd = float(from_canonical("torch.SGD", Penalty(lam), n=rows, data_loss="mse")["weight_decay"])
        row = _Row("sgd", wd, 0.0, "mse")
        model = _model(d, False, dev, dt)
        floor = residual_tolerance(max(rows, d), 1.0, np.dtype(name), c=100.0)
        start = time.perf_counter()
        steps, kappa = _train(model, X, y, row, [True], reduction=floor * 1e-3)
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        t_train = time.perf_counter() - start
        w = model.weight.detach().reshape(-1)
        err = float(torch.linalg.vector_norm(w - w_closed) / torch.linalg.vector_norm(w_closed))
    return LargeRidge(
        d=d,
        n=rows,
        l2=lam,
        weight_decay=wd,
        relative_error=err,
        tolerance=residual_tolerance(max(rows, d), kappa, np.dtype(name), c=100.0),
        steps=steps,
        condition_number=kappa,
        seconds_closed_form=t_closed,
        seconds_train=t_train,
        device=str(dev),
        dtype=name,
    )
