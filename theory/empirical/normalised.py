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
batch (with the normalisation eps set to 0), at the current parameters and at random points of all the
others, on a float64 copy of the model, with a forward-error tolerance; it reports each parameter as
scale-invariant, unused (the loss does not depend on it) or not invariant, and whether each row may be
scaled on its own (BatchNorm: yes; LayerNorm: no). The user's model and RNG state are not touched. It
is meant for users' own models as much as for the checks.
"""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.empirical import _common as C
from theory.errors import InputError, PreconditionError

torch = C.torch

__all__ = [
    "NORM_LAYERS",
    "NOT_INVARIANT",
    "SCALE_INVARIANT",
    "UNUSED",
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


#: the three outcomes of :func:`scale_invariant_parameters` (:attr:`InvarianceReport.status`)
SCALE_INVARIANT, UNUSED, NOT_INVARIANT = "scale-invariant", "unused", "not invariant"


@dataclass(frozen=True, slots=True)
class InvarianceReport:
    """The outcome of :func:`scale_invariant_parameters` for one parameter.

    ``status`` is one of three exclusive outcomes (rules in :func:`scale_invariant_parameters`):

    * ``"unused"`` (``unused=True``): the loss does not depend on p at all (its gradient is identically
      zero), e.g. the bias of a layer followed by train-mode batch norm, whose centring removes it.
      Weight decay on such a parameter only shrinks it towards 0; it has no effective learning rate.
    * ``"scale-invariant"`` (``invariant=True``): ``f(cp) = f(p)`` at every point tested, and the loss
      does depend on p: si.gradient and si.effective_lr apply.
    * ``"not invariant"``: some point and some scale c changed the loss beyond rounding.

    ``change`` is the worst (relative to its tolerance) ``|f(cp) − f(p)|`` over the scales and points,
    with the normalisation eps set to 0, and ``tolerance`` its forward-error bound; ``eps_change`` is
    the largest such change with the model's own eps (the eps defect, si.gradient); ``first_order`` is
    ``|pᵀ∇_p f|`` at the model's current parameters, the change a non-invariant parameter would show
    to first order per unit of log c. ``row_invariant`` (parameters with two or more rows, else
    ``None``) says whether f is also invariant, at every point, when each row is scaled by its own
    factor (the rows alternate between the scales): true after BatchNorm (each unit is normalised on
    its own), false after LayerNorm (the units are normalised together). ``points`` is the number of
    points at which p was non-zero, so that ``f(cp) = f(p)`` was a real test.
    """

    name: str
    shape: tuple[int, ...]
    invariant: bool
    change: float
    tolerance: float
    eps_change: float
    first_order: float
    row_invariant: bool | None = None
    unused: bool = False
    points: int = 0

    @property
    def status(self) -> str:
        """``"unused"``, ``"scale-invariant"`` or ``"not invariant"`` (class docstring)."""
        return UNUSED if self.unused else SCALE_INVARIANT if self.invariant else NOT_INVARIANT


def _chain_length(model: Any, batch_size: int) -> int:
    """K = Σ fan-in of the weight tensors + batch size: the longest chain of roundings in a forward pass
    and mean loss (each dot product of length k adds relative error γ_k ≈ k·eps, Higham §3.1)."""
    fan = sum(int(np.prod(p.shape[1:])) for p in model.parameters() if p.ndim >= 2)
    return fan + batch_size


def _first_batch(data: Any) -> tuple[Any, Any]:
    """The first ``(inputs, targets)`` batch of ``data``, with the conventions of
    :func:`theory.empirical.curvature.hessian_operator` (one pair, a list or DataLoader of pairs)."""
    from theory.empirical import curvature as cv

    if isinstance(data, list) and len(data) == 2 and isinstance(data[1], torch.Tensor):
        data = tuple(data)  # [inputs, targets]: one pair (a batch is never a bare tensor)
    if (
        isinstance(data, list | tuple)
        and not cv._is_pair(data)
        and any(isinstance(e, torch.Tensor) for e in data)
    ):
        kinds = ", ".join(type(e).__name__ for e in data)
        raise InputError(
            "data must be one (inputs, targets) pair, a list of pairs or a DataLoader; got a "
            f"{type(data).__name__} of length {len(data)} ({kinds})"
        )
    batches = cv._batches(data)
    for batch in batches:
        x, y = cv._unpack(batch)
        return x, y
    raise InputError(f"data holds no batch; got an empty {type(data).__name__}")


def _cast(obj: Any, device: Any) -> Any:
    """``obj`` on ``device`` with its floating tensors in float64 (tensors, lists, tuples, dicts)."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device=device, dtype=torch.float64) if obj.is_floating_point() else obj.to(device)
    if isinstance(obj, list | tuple):
        return type(obj)(_cast(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _cast(o, device) for k, o in obj.items()}
    return obj


@contextlib.contextmanager
def _fixed_rng(seed: int, device: Any) -> Iterator[None]:
    """Run with torch's global RNG (CPU and the model's CUDA device) seeded with ``seed``, and restore
    the caller's RNG state afterwards: every evaluation under one seed draws the same dropout mask."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        # the generators themselves: torch.manual_seed records a stack trace per call (lazy CUDA
        # seeding), 0.6 ms here and far more under a deep stack
        torch.default_generator.manual_seed(seed)
        if device.type == "cuda":
            index = torch.cuda.current_device() if device.index is None else device.index
            torch.cuda.default_generators[index].manual_seed(seed)
        yield


def scale_invariant_parameters(
    model: Any,
    loss_fn: Loss,
    data: Any,
    *,
    scales: Sequence[float] = (0.5, 3.0),
    names: Sequence[str] | str | None = None,
    points: int = 2,
    seed: int = 0,
) -> list[InvarianceReport]:
    """Which parameters of ``model`` is ``loss_fn(model(x), y)`` scale-invariant in, or independent of?

    p is scale-invariant when ``f(cp) = f(p)`` for every c > 0, every value of p **and every value of
    the other parameters**. The test is a necessary check at finitely many points, not a proof: at the
    model's current parameters and at ``points`` random points (seeded by ``seed``) where every
    parameter q, this one included, is moved to ``q + σ_q·z`` with z standard normal and σ_q the RMS of
    q (1 when q is zero, so zero-initialised biases and BatchNorm shifts are moved too). At each point
    and each c in ``scales`` it compares ``f(cp)`` with ``f(p)``, with every normalisation layer's eps
    set to 0 (the model's own eps breaks invariance by a known amount, reported as ``eps_change``).
    Testing other points matters: a BatchNorm γ followed by ReLU looks invariant at initialisation
    only because β = 0 there and ReLU is positively homogeneous.

    Rules (:attr:`InvarianceReport.status`): **unused** when replacing p by an unrelated value
    (``p + σ_p·z``) leaves f unchanged at every point (the gradient is identically zero); otherwise
    **scale-invariant** when ``|f(cp) − f(p)| ≤ tol`` at every point where p ≠ 0 (at least one: the
    random points move p away from 0) and for every c; else **not invariant**. The tolerance is
    ``tol = 10·K·eps·(|f| + ‖p‖‖∇_p f‖)``: the forward error of the loss (K from :func:`_chain_length`,
    γ_K, Higham, "Accuracy and Stability of Numerical Algorithms", §3.1) plus the rounding of cp
    itself, which moves f by at most ``eps·‖cp‖‖∇f(cp)‖ = eps·‖p‖‖∇f(p)‖`` when f is invariant.

    Precision: the test runs on a float64 **copy** of the model (and of ``loss_fn`` if it is a module;
    floating inputs and targets cast), whatever the model's dtype. Invariance is a property of the
    function, not of the dtype, and the float32 forward-error bound (K·eps₃₂ ≈ 1e-4 relative) is larger
    than the change of a weakly non-invariant parameter (a bias scaled by 1e-3 before LayerNorm changes
    the loss by 3e-4), so float32 could not tell the two apart. The user's model, its buffers
    (BatchNorm running statistics) and torch's RNG state are never touched.

    Modes and randomness: the model's mode (train/eval) is used as is; BatchNorm in eval mode with
    running statistics is (correctly) not invariant. Dropout in train mode is evaluated with a fixed
    mask: every evaluation at one point runs under the same seed (``torch.random.fork_rng``, CPU and
    the model's CUDA device), a different seed at each point, so f is tested as the training loss of
    one dropout draw, as an optimiser step sees it.

    Data: ``data`` is what :func:`theory.empirical.curvature.hessian_operator` accepts (one
    ``(inputs, targets)`` pair, a list of pairs or a DataLoader; inputs a tensor, a tuple of tensors or
    a dict of keyword arguments); only the **first batch** is used (the mean over batches is invariant
    when each batch's loss is, and one batch keeps the test cheap). ``loss_fn`` must return a scalar
    (the batch mean). ``names`` selects parameters (default: every parameter that requires grad; a
    frozen one may be named). Non-negative losses assumed (no cancellation in the mean).

    Raises:
        InputError: a model that is not an ``nn.Module``, a loss that is not callable or not a scalar,
            data in another form, a scale ``c ≤ 0`` or ``c = 1``, ``points < 1``, or a name that is not
            a floating parameter.
        PreconditionError: the model cannot be copied, or fails or gives a non-finite loss on the batch.
    """
    if not isinstance(model, torch.nn.Module):
        raise InputError(f"model must be a torch.nn.Module; got {type(model).__name__} {model!r}")
    if not callable(loss_fn):
        raise InputError(f"loss_fn must be a callable loss_fn(outputs, targets); got {loss_fn!r}")
    cs = [float(c) for c in scales]
    bad = [c for c in cs if not (c > 0 and math.isfinite(c)) or c == 1.0]
    if not cs or bad:
        raise InputError(
            f"scales must be positive, finite and ≠ 1 (f(cp) = f(p) needs c > 0); got {list(scales)}"
        )
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise InputError(
            f"points must be an integer ≥ 1 (random points besides the current one); got {points!r}"
        )
    params = dict(model.named_parameters())
    if names is None:
        chosen = [n for n, p in params.items() if p.requires_grad and p.is_floating_point()]
    else:
        chosen = [names] if isinstance(names, str) else list(names)
        unknown = [n for n in chosen if n not in params or not params[n].is_floating_point()]
        if unknown:
            raise InputError(
                f"no parameter named {unknown} (floating-point); the model has {', '.join(params)}"
            )
    if not chosen:
        raise InputError(f"no parameter to test: none of {list(params)} requires grad")
    x, y = _first_batch(data)
    from theory.empirical.curvature import _batch_size

    n = _batch_size(x, y)
    try:
        work = copy.deepcopy(model).to(torch.float64)
        loss64 = copy.deepcopy(loss_fn).to(torch.float64) if isinstance(loss_fn, torch.nn.Module) else loss_fn
    except Exception as err:  # any failure to copy is reported as one error
        raise PreconditionError(
            f"cannot make a float64 copy of the model {type(model).__name__}: {err}"
        ) from err
    device = next(work.parameters()).device
    return _Detector(work, loss64, _cast(x, device), _cast(y, device), n, device).run(
        chosen, cs, points, seed
    )


class _Detector:
    """The evaluations of :func:`scale_invariant_parameters` on the float64 copy ``model``."""

    def __init__(self, model: Any, loss_fn: Loss, x: Any, y: Any, n: int, device: Any) -> None:
        self.model, self.loss_fn, self.x, self.y, self.device = model, loss_fn, x, y, device
        self.params = dict(model.named_parameters())
        self.eps = C.eps(torch.float64)
        self.K = _chain_length(model, n)
        self.seed = 0

    def loss(self) -> Any:
        """f at the copy's current parameters, under this point's dropout seed."""
        from theory.empirical.curvature import call_model

        with _fixed_rng(self.seed, self.device):
            try:
                val = self.loss_fn(call_model(self.model, self.x), self.y)
            except (RuntimeError, ValueError, TypeError, IndexError) as err:
                shapes = [tuple(t.shape) for t in (self.x, self.y) if isinstance(t, torch.Tensor)]
                raise PreconditionError(
                    f"the model or loss_fn fails on the batch (tensor shapes {shapes}): {err}"
                ) from err
        if not isinstance(val, torch.Tensor) or val.numel() != 1:
            raise InputError(
                "loss_fn must return one number (the batch mean, reduction='mean'); got "
                f"{type(val).__name__} of shape {tuple(getattr(val, 'shape', ()))}"
            )
        return val.reshape(())

    def value(self) -> float:
        with torch.no_grad():
            return float(self.loss())

    def run(self, chosen: list[str], cs: list[float], points: int, seed: int) -> list[InvarianceReport]:
        gen = C.generator(seed)
        base = {k: p.detach().clone() for k, p in self.params.items()}
        draws = [int(torch.randint(0, 2**62, (1,), generator=gen)) for _ in range(points + 1)]
        acc = {k: _Tally() for k in chosen}
        for j in range(points + 1):
            self.seed = draws[j]
            with torch.no_grad():
                for k, p in self.params.items():
                    if j > 0 and p.is_floating_point():
                        p.copy_(base[k] + _scale(base[k]) * _normal(p, gen))
            for k in chosen:
                self.params[k].requires_grad_(True)
            with norm_eps(self.model, 0.0):
                f0 = self.loss()
                grads = torch.autograd.grad(f0, [self.params[k] for k in chosen], allow_unused=True)
            f0v = float(f0.detach())
            if not math.isfinite(f0v):
                where = "the current parameters" if j == 0 else f"random point {j}"
                raise PreconditionError(f"the loss is not finite at {where}: {f0v}")
            f_own = self.value()
            for k, g in zip(chosen, grads, strict=True):
                p = self.params[k]
                g = torch.zeros_like(p) if g is None else g
                self._point(acc[k], j, p, g, f0v, f_own, cs, gen)
        return [acc[k].report(k, tuple(self.params[k].shape)) for k in chosen]

    def _point(
        self, t: _Tally, j: int, p: Any, g: Any, f0: float, f_own: float, cs: list[float], gen: Any
    ) -> None:
        """One parameter at one point: the scale, row and unused tests."""
        pd = p.detach()
        tol = 10.0 * self.K * self.eps * (abs(f0) + float(pd.norm()) * float(g.norm()))
        if j == 0:
            t.first_order = abs(float((pd * g).sum()))
        with norm_eps(self.model, 0.0), _replaced(p, pd + _scale(pd) * _normal(p, gen)):
            t.used |= abs(self.value() - f0) > tol
        if not bool((pd != 0).any()):
            return  # f(c·0) = f(0): no test at this point
        t.points += 1
        for c in cs:
            with norm_eps(self.model, 0.0), _replaced(p, c * pd):
                fc = self.value()
            with _replaced(p, c * pd):
                t.eps_change = max(t.eps_change, abs(self.value() - f_own))
            t.add(abs(fc - f0), tol)
        if p.ndim >= 2 and p.shape[0] >= 2:
            factors = torch.tensor(
                [cs[i % len(cs)] for i in range(p.shape[0])], dtype=p.dtype, device=p.device
            )
            if len(cs) == 1:  # one scale: rows alternate between c and 1/c
                factors[1::2] = 1.0 / factors[1::2]
            factors = factors.reshape(-1, *([1] * (p.ndim - 1)))
            with norm_eps(self.model, 0.0), _replaced(p, factors * pd):
                t.rows &= abs(self.value() - f0) <= tol


def _scale(q: Any) -> float:
    """σ_q: the RMS of q, or 1 when q is zero."""
    rms = float(q.detach().pow(2).mean().sqrt()) if q.numel() else 0.0
    return rms if rms > 0 else 1.0


def _normal(p: Any, gen: Any) -> Any:
    """Standard normal draws of p's shape from the CPU generator ``gen``, on p's device and dtype."""
    return torch.randn(p.shape, generator=gen, dtype=torch.float64).to(device=p.device, dtype=p.dtype)


@dataclass(slots=True)
class _Tally:
    """What one parameter's tests found so far."""

    change: float = 0.0
    tolerance: float = 1.0
    worst: float = -1.0
    eps_change: float = 0.0
    first_order: float = 0.0
    points: int = 0
    used: bool = False
    rows: bool = True

    def add(self, change: float, tol: float) -> None:
        if change / tol > self.worst:  # keep the worst ratio
            self.change, self.tolerance, self.worst = change, tol, change / tol

    def report(self, name: str, shape: tuple[int, ...]) -> InvarianceReport:
        unused = not self.used
        invariant = not unused and self.points > 0 and self.worst <= 1.0
        rows = invariant and self.rows if len(shape) >= 2 and shape[0] >= 2 else None
        return InvarianceReport(
            name,
            shape,
            invariant,
            self.change,
            self.tolerance,
            self.eps_change,
            self.first_order,
            rows,
            unused,
            self.points,
        )
