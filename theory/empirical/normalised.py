"""Normalised layers in torch: model factories, gradients and Hessian-vector products of one weight, and
a detector of scale-invariant parameters (si.gradient, si.effective_lr).

Which settings are scale-invariant in the weight W of a ``Linear(bias=False)`` feeding a normalisation
layer (exactly so when the layer's ``eps`` is 0; see below for ``eps > 0``):

* ``BatchNorm1d`` **with batch statistics** (``model.train()``, or ``track_running_stats=False`` in
  either mode), affine or not: each output unit is centred and divided by its standard deviation over
  the batch, so the loss is invariant under scaling *each row* of W (and so the whole of W). The
  affine γ, β act after the normalisation and do not matter; a bias of the Linear layer would be
  removed by the centring.
* ``BatchNorm1d`` **in eval mode with running statistics** is *not* scale-invariant: it is the fixed
  affine map ``(z − μ_run)/√(σ²_run + ε)``, so scaling W scales its output. (The issue's "eval
  statistics" is the wrong setting; "affine-free" is irrelevant to invariance.)
* ``LayerNorm`` over the Linear's outputs, affine or not: each example is normalised across the
  output features, so the loss is invariant under scaling the *whole* of W, not a single row.

``eps > 0`` breaks invariance by a computable amount: the layer at cW equals the layer at W with
``eps/c²`` (:func:`theory.scale_invariance.eps_defect_bound`); :func:`norm_eps` sets the ``eps`` of
every normalisation layer for the duration of a ``with`` block.

:func:`scale_invariant_parameters` tests ``f(cp) = f(p)`` for every parameter p of any model, loss and
batch (with the normalisation eps set to 0 and restored), with a forward-error tolerance, and whether
each row may be scaled on its own (BatchNorm: yes; LayerNorm: no); BatchNorm's running statistics are
restored afterwards. It is meant for users' own models as much as for the checks.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.empirical import _common as C
from theory.errors import InputError

torch = C.torch

__all__ = [
    "NORM_LAYERS",
    "InvarianceReport",
    "hvp",
    "loss_and_grad",
    "norm_eps",
    "normalised_mlp",
    "scale_invariant_parameters",
]

#: the normalisation layers whose ``eps`` :func:`norm_eps` controls
NORM_LAYERS = (
    torch.nn.BatchNorm1d,
    torch.nn.BatchNorm2d,
    torch.nn.LayerNorm,
    torch.nn.GroupNorm,
    torch.nn.InstanceNorm1d,
    torch.nn.InstanceNorm2d,
)


def _norm_layer(kind: str, width: int, affine: bool, eps: float) -> Any:
    if kind == "batch":
        return torch.nn.BatchNorm1d(width, affine=affine, eps=eps)
    if kind == "layer":
        return torch.nn.LayerNorm(width, elementwise_affine=affine, eps=eps)
    raise InputError(f"norm must be 'batch' or 'layer'; got {kind!r}")


_ACTIVATIONS = {"tanh": "Tanh", "relu": "ReLU"}


def normalised_mlp(
    d_in: int,
    hidden: int | Sequence[int],
    d_out: int,
    *,
    norm: str = "batch",
    affine: bool = True,
    eps: float = 1e-5,
    activation: str = "tanh",
    seed: int = 0,
    dtype: Any = "float64",
    device: Any = "cpu",
) -> Any:
    """``[Linear(bias=False) → Norm → activation] × len(hidden) → Linear(hidden[-1], d_out)``.

    ``hidden`` is one width or a sequence of widths; Norm is ``BatchNorm1d`` (``norm="batch"``) or
    ``LayerNorm`` with ``affine`` and ``eps``; ``activation`` is ``"tanh"`` (smooth, so Hessian-vector
    products exist everywhere) or ``"relu"``. The weight of every hidden Linear (``model[3k].weight``)
    is scale-invariant (module docstring; :func:`scale_invariant_parameters` tests it); the head is
    not. The modules are created in order after ``torch.manual_seed(seed)``, so a seed fixes the
    initial weights.
    """
    widths = [hidden] if isinstance(hidden, int) else list(hidden)
    for name, value in (("d_in", d_in), ("d_out", d_out), *(("hidden", h) for h in widths)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive integer; got {value!r}")
    if not widths:
        raise InputError(f"hidden must name at least one width; got {hidden!r}")
    if activation not in _ACTIVATIONS:
        raise InputError(f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}")
    dev, dt, _ = C.setup(device, dtype)
    torch.manual_seed(seed)
    layers: list[Any] = []
    for fan_in, width in zip([d_in, *widths], widths, strict=False):
        layers += [
            torch.nn.Linear(fan_in, width, bias=False),
            _norm_layer(norm, width, affine, eps),
            getattr(torch.nn, _ACTIVATIONS[activation])(),
        ]
    layers.append(torch.nn.Linear(widths[-1], d_out))
    return torch.nn.Sequential(*layers).to(device=dev, dtype=dt)


@contextlib.contextmanager
def norm_eps(model: Any, eps: float) -> Iterator[list[Any]]:
    """Set the ``eps`` of every normalisation layer (:data:`NORM_LAYERS`) in ``model`` to ``eps`` for the
    duration; yields the layers changed and restores their values on exit.

    ``eps = 0`` is set as the smallest positive normal number of the dtype (``torch.finfo.tiny``,
    2.2e-308 in float64, 1.2e-38 in float32): torch refuses ``eps = 0`` for batch norm in training,
    and ``v + tiny`` rounds to ``v`` for every variance ``v ≥ tiny/eps`` (1e-292 in float64), so the
    layer is then exactly scale-invariant in floating point.
    """
    if not (isinstance(eps, int | float) and eps >= 0 and math.isfinite(eps)):
        raise InputError(f"eps must be a finite float ≥ 0; got {eps!r}")
    layers = [m for m in model.modules() if isinstance(m, NORM_LAYERS)]
    old = [m.eps for m in layers]
    for m in layers:
        dtypes = [t.dtype for t in (*m.parameters(), *m.buffers()) if t.is_floating_point()]
        tiny = torch.finfo(dtypes[0] if dtypes else torch.get_default_dtype()).tiny
        m.eps = float(eps) if eps > 0 else float(tiny)
    try:
        yield layers
    finally:
        for m, e in zip(layers, old, strict=True):
            m.eps = e


Loss = Callable[[Any, Any], Any]


def _loss(model: Any, loss_fn: Loss, batch: Sequence[Any]) -> Any:
    x, y = batch
    return loss_fn(model(x), y)


@contextlib.contextmanager
def _replaced(param: Any, value: Any) -> Iterator[None]:
    """Temporarily overwrite ``param.data`` with ``value``."""
    saved = param.detach().clone()
    with torch.no_grad():
        param.copy_(value)
    try:
        yield
    finally:
        with torch.no_grad():
            param.copy_(saved)


def loss_and_grad(
    model: Any, loss_fn: Loss, batch: Sequence[Any], param: Any, at: Any = None
) -> tuple[float, Any]:
    """``(f, ∇_p f)`` for the parameter ``param`` of ``model`` (at the value ``at`` if given; the
    parameter is restored afterwards)."""
    with _replaced(param, param.detach() if at is None else at):
        loss = _loss(model, loss_fn, batch)
        (g,) = torch.autograd.grad(loss, [param])
    return float(loss.detach()), g.detach()


def hvp(model: Any, loss_fn: Loss, batch: Sequence[Any], param: Any, v: Any, at: Any = None) -> Any:
    """``∇²_p f · v`` by double backward (Pearlmutter's trick through autograd)."""
    with _replaced(param, param.detach() if at is None else at):
        loss = _loss(model, loss_fn, batch)
        (g,) = torch.autograd.grad(loss, [param], create_graph=True)
        (hv,) = torch.autograd.grad(g, [param], grad_outputs=v)
    return hv.detach()


@dataclass(frozen=True, slots=True)
class InvarianceReport:
    """The outcome of :func:`scale_invariant_parameters` for one parameter.

    ``change`` is ``max_c |f(cp) − f(p)|`` with the normalisation eps set to 0, ``tolerance`` its
    forward-error bound, ``invariant`` whether ``change ≤ tolerance``; ``eps_change`` is the same
    change with the model's own eps (≥ change; the eps defect), ``first_order`` is ``|pᵀ∇_p f|``, the
    change a non-invariant parameter would show to first order per unit of log c. ``row_invariant``
    (parameters with two or more rows, else ``None``) says whether f is also invariant when each row
    is scaled by its own factor (the rows alternate between the scales): true after BatchNorm (each
    unit is normalised on its own), false after LayerNorm (the units are normalised together).
    """

    name: str
    shape: tuple[int, ...]
    invariant: bool
    change: float
    tolerance: float
    eps_change: float
    first_order: float
    row_invariant: bool | None = None


def _chain_length(model: Any, batch_size: int) -> int:
    """K = Σ fan-in of the weight tensors + batch size: the longest chain of roundings in a forward pass
    and mean loss (each dot product of length k adds relative error γ_k ≈ k·eps, Higham §3.1)."""
    fan = sum(int(np.prod(p.shape[1:])) for p in model.parameters() if p.ndim >= 2)
    return fan + batch_size


def scale_invariant_parameters(
    model: Any,
    loss_fn: Loss,
    batch: Sequence[Any],
    *,
    scales: Sequence[float] = (0.5, 3.0),
    names: Sequence[str] | None = None,
) -> list[InvarianceReport]:
    """Which parameters of ``model`` is ``loss_fn(model(x), y)`` scale-invariant in?

    For each parameter p (or those in ``names``) and each c in ``scales``, evaluates ``f(cp)`` and
    ``f(p)`` with every normalisation layer's eps set to 0 (then restored), and calls p invariant when
    ``|f(cp) − f(p)| ≤ 10·K·eps·(|f| + ‖p‖‖∇_p f‖)`` for every c: the forward error of the loss
    (K from :func:`_chain_length`, γ_K, Higham §3.1) plus the rounding of cp itself, which moves f by
    at most ``eps·‖cp‖‖∇f(cp)‖ = eps·‖p‖‖∇f(p)‖`` when f is invariant. The model's mode
    (train/eval) is used as is: BatchNorm in eval mode with
    running statistics is correctly reported as not invariant. Non-negative losses assumed (no
    cancellation in the mean).

    Raises:
        InputError: a scale ``c ≤ 0`` or ``c = 1``, or a name that is not a parameter.
    """
    cs = [float(c) for c in scales]
    bad = [c for c in cs if not (c > 0 and math.isfinite(c)) or c == 1.0]
    if not cs or bad:
        raise InputError(
            f"scales must be positive, finite and ≠ 1 (f(cp) = f(p) needs c > 0); got {list(scales)}"
        )
    params = dict(model.named_parameters())
    chosen = list(params) if names is None else list(names)
    unknown = [n for n in chosen if n not in params]
    if unknown:
        raise InputError(f"no parameter named {unknown}; the model has {', '.join(params)}")
    x = batch[0]
    eps = C.eps(x.dtype)
    K = _chain_length(model, int(x.shape[0]))
    # a training-mode forward pass updates BatchNorm's running statistics: restore them afterwards
    saved = {k: b.detach().clone() for k, b in model.named_buffers()}
    try:
        return [_invariance(model, loss_fn, batch, name, params[name], cs, K, eps) for name in chosen]
    finally:
        with torch.no_grad():
            for k, b in model.named_buffers():
                b.copy_(saved[k])


def _invariance(
    model: Any, loss_fn: Loss, batch: Sequence[Any], name: str, p: Any, cs: list[float], K: int, eps: float
) -> InvarianceReport:
    """One parameter's :class:`InvarianceReport` (see :func:`scale_invariant_parameters`)."""
    with norm_eps(model, 0.0):
        f0, g = loss_and_grad(model, loss_fn, batch, p)
    first = abs(float((p.detach() * g).sum()))
    grad_scale = float(p.detach().norm()) * float(g.norm())
    change, tol, eps_change = 0.0, 1.0, 0.0
    for k, c in enumerate(cs):
        with norm_eps(model, 0.0), _replaced(p, c * p.detach()), torch.no_grad():
            fc = float(_loss(model, loss_fn, batch))
        with torch.no_grad():
            f_own = float(_loss(model, loss_fn, batch))
        with _replaced(p, c * p.detach()), torch.no_grad():
            fc_own = float(_loss(model, loss_fn, batch))
        t = 10.0 * K * eps * (abs(f0) + grad_scale)
        if k == 0 or abs(fc - f0) / t > change / tol:  # keep the worst ratio
            change, tol = abs(fc - f0), t
        eps_change = max(eps_change, abs(fc_own - f_own))
    moved = bool((p.detach() != 0).any())
    rows = None
    if p.ndim >= 2 and p.shape[0] >= 2:
        factors = torch.tensor([cs[i % len(cs)] for i in range(p.shape[0])], dtype=p.dtype, device=p.device)
        factors = factors.reshape(-1, *([1] * (p.ndim - 1)))
        if len(cs) == 1:  # one scale: rows alternate between c and 1/c
            factors = torch.where(
                torch.arange(p.shape[0], device=p.device).reshape_as(factors) % 2 == 0,
                factors,
                1.0 / factors,
            )
        with norm_eps(model, 0.0), _replaced(p, factors * p.detach()), torch.no_grad():
            f_rows = float(_loss(model, loss_fn, batch))
        rows = moved and abs(f_rows - f0) <= 10.0 * K * eps * (abs(f0) + grad_scale)
    return InvarianceReport(
        name, tuple(p.shape), moved and change <= tol, change, tol, eps_change, first, rows
    )
