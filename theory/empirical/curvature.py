"""Curvature of a user's own objective: any ``nn.Module``, any loss callable, any data source.

The Hessian of the full-data mean loss

    L(θ) = (1/N) Σ_b n_b · loss_fn(model(x_b; θ), y_b),      N = Σ_b n_b,

(each batch's value weighted by its size ``n_b``, so batches of unequal size give the mean over all
examples) is exposed as a float64 ``scipy.sparse.linalg.LinearOperator`` whose ``matvec`` is one
Hessian-vector product ``Hv = ∇(∇L(θ)·v)`` (Pearlmutter, "Fast exact multiplication by the Hessian",
Neural Computation 1994), summed over batches. Nothing of size p × p is ever formed.

Data
    ``data`` is a ``torch.utils.data.DataLoader``, any *re-iterable* of ``(inputs, targets)`` batches
    (a list, a tuple of batches, a custom class with ``__iter__``), or one ``(inputs, targets)`` pair
    (a tuple of length 2 whose second element is a tensor). ``inputs`` is a tensor (``model(x)``), a
    tuple or list of tensors (``model(*inputs)``) or a dict (``model(**inputs)``). The batch size
    ``n_b`` is the leading dimension of ``targets`` (of the first input tensor when ``targets`` is not a
    tensor). A one-shot iterator or generator is refused: every product makes one pass over the data.

Loss
    ``loss_fn(outputs, targets)`` returns the batch *mean* as a 0-d tensor: torch losses with their
    default ``reduction="mean"``, label smoothing, custom callables. "Mean" is whatever the callable
    means by it; the operator weights batch values by ``n_b``. For ``CrossEntropyLoss(weight=w)`` torch
    divides by the batch's total class weight ``Σ_{i∈b} w_{y_i}``, so the objective is the global
    weighted mean ``Σ_i w_{y_i} l_i / Σ_i w_{y_i}`` for a single batch, and the ``n_b``-weighted average of
    per-batch weighted means otherwise (equal to the global one only when every batch has the same
    mean class weight).

Train-mode randomness
    Batch norm in train mode (batch statistics) and dropout in train mode (a new mask per call) make
    ``Hv`` a product with a different matrix each time: refused with a PreconditionError listing the
    modules, or with ``stochastic="eval"`` those modules are put in eval mode around every evaluation
    (with an :class:`EmpiricalWarning`) and restored to the user's mode afterwards. A data source whose
    loss differs between two passes (``shuffle=True`` with ``drop_last=True``, random augmentation)
    is refused when the two losses differ by more than a rounding bound (``check_data=False`` skips
    this check and its extra forward pass). The bound, ``2·(n_max + B + 2)·eps·Σ_b n_b|ℓ_b|``, covers
    reordering the sums over examples and batches; it assumes each example's loss comes out to the same
    bits in both passes, true on CPU; a GPU's non-deterministic kernels may exceed it (then pass
    ``check_data=False``).

dtype and device
    Without ``dtype``/``device`` the operator works on the user's model in place (its parameters
    are read, and written only by :meth:`CurvatureOperator.set_theta`). With a ``dtype`` or ``device``
    different from the model's, it works on a *copy* (``copy.deepcopy`` then ``.to``); the user's model
    is never converted; ``op.model`` is the copy. Floating inputs and targets are then cast to that
    dtype. Products run and accumulate in the model's dtype on its device and are converted to float64
    NumPy once per product; the solvers always see float64 (``op.precision`` is the machine epsilon of the
    dtype the products were computed in).

Speed
    With ``cache=True`` (or ``"auto"`` when the measured graph fits ``cache_bytes``) the gradient graph
    of every batch is built once and kept (``create_graph=True``), so a product is one backward pass
    per batch through the retained graphs, as PyHessian does; otherwise each product recomputes
    forward, gradient and the second backward pass per batch (memory of one batch only). The memory of
    the graphs is measured on the first batch with ``torch.autograd.graph.saved_tensors_hooks`` and
    scaled by ``N/n_1`` (``op.graph_bytes``). The cache is dropped when :meth:`set_theta` is called or
    when any parameter or buffer of the model was changed in place (torch's version counters).
    Measured with ``python bench/hessian.py`` (99,861-parameter MLP, 256 examples, float64, one
    thread, medians of 40 interleaved rounds on a quiet 2-core machine): a cached product costs
    1.02× (torch ``op.hvp``) and 1.04× (NumPy ``matvec``) PyHessian's product on its retained graph,
    the same backward pass plus the flattening, and 0.45× curvlinops' (which recomputes the forward
    pass); without the cache 1.7× PyHessian's. Forward-over-reverse (``torch.func.jvp`` of
    ``torch.func.grad``) took 2.1× the cached product, ``torch.func.linearize`` 1.0× after a 3 s
    trace, and batching 10 products with ``is_grads_batched`` 1.4× per product: none is used.

Data-parallel
    With ``distributed=True`` (``torch.distributed`` initialised, gloo on CPU, NCCL on GPU) each
    process passes its own shard of the data and an identical model; the operator is the Hessian of
    the mean over the union of the shards. Each product does one ``all_reduce`` of one buffer (the
    shard's ``Σ_b n_b H_b v``); :meth:`loss` and :meth:`gradient` pack value, gradient and example count
    into one buffer. Every process must call the same methods in the same order (they are
    collectives); scipy's solvers then run identically on every rank. Launch::

        torchrun --nproc_per_node=2 my_script.py
        # my_script.py:
        #   torch.distributed.init_process_group("gloo")   # "nccl" on GPUs
        #   shard = my_batches[rank::world_size]
        #   op = hessian_operator(model, loss_fn, shard, distributed=True)
        #   pairs = top_eigenpairs(op, 10)

See ``docs/reference.md`` for the theorems this serves (``l2.eigen``, ``l2.dof``,
``l2.path_derivative``).
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse.linalg

from theory.empirical import _common as C
from theory.errors import InputError, PreconditionError
from theory.resources import array_bytes, check_allocation
from theory.spectral import effective_dimensionality, spectral_density, trace

torch = C.torch
from torch.nn.attention import SDPBackend, sdpa_kernel  # noqa: E402  (after torch's own check)

__all__ = [
    "CurvatureOperator",
    "Eigenpairs",
    "EmpiricalWarning",
    "call_model",
    "dense_hessian",
    "effective_dimensionality",
    "hessian_operator",
    "spectral_density",
    "stochastic_modules",
    "top_eigenpairs",
    "trace",
]
# effective_dimensionality, spectral_density and trace are theory.spectral's (pure NumPy/SciPy),
# re-exported so that one import serves the whole workflow

FloatArray = C.FloatArray

# the one warning class of the empirical layer (theory.empirical.hessian defines it; import it from
# there so a filter on one catches both)
from theory.empirical.hessian import EmpiricalWarning  # noqa: E402

_DROPOUT = (torch.nn.modules.dropout._DropoutNd,)
_BATCHNORM = (torch.nn.modules.batchnorm._BatchNorm,)


def stochastic_modules(model: Any) -> list[str]:
    """Modules of ``model`` that are random or batch-dependent in their current (train) mode.

    Batch norm in train mode (batch statistics), dropout of every kind with ``p > 0`` in train mode,
    and ``MultiheadAttention`` with attention dropout in train mode; each as ``"module 'name' (Type)"``.
    """
    found = []
    for name, m in model.named_modules():
        if not m.training:
            continue
        random = (
            isinstance(m, _BATCHNORM)
            or (isinstance(m, _DROPOUT) and float(m.p) > 0)
            or (isinstance(m, torch.nn.MultiheadAttention) and float(m.dropout) > 0)
        )
        if random:
            found.append(f"module '{name or '<root>'}' ({type(m).__name__})")
    return found


def _is_pair(data: Any) -> bool:
    return isinstance(data, tuple) and len(data) == 2 and isinstance(data[1], torch.Tensor)


def _batches(data: Any) -> Iterable[Any]:
    """A re-iterable of ``(inputs, targets)`` batches from a DataLoader, an iterable of pairs or one pair."""
    if _is_pair(data):
        return [data]
    if isinstance(data, tuple) and len(data) == 2 and type(data[1]).__module__ == "numpy":
        raise InputError(
            f"data must hold torch tensors; got an (inputs, targets) pair of {type(data[0]).__name__}, "
            f"{type(data[1]).__name__}: convert with torch.as_tensor (features to the model's dtype, "
            "class labels to torch.long)"
        )
    if isinstance(data, torch.Tensor) or not hasattr(data, "__iter__"):
        raise InputError(
            "data must be a DataLoader, a re-iterable of (inputs, targets) batches or one (inputs, "
            f"targets) pair; got {type(data).__name__}"
        )
    if iter(data) is data:
        raise InputError(
            "data must be re-iterable (a DataLoader, a list of (inputs, targets) batches or one pair); "
            f"got a one-shot iterator {type(data).__name__}, which the first pass would consume "
            "(wrap it in list(...) if it fits in memory)"
        )
    return data


def _leading(t: Any) -> int | None:
    if isinstance(t, torch.Tensor) and t.ndim >= 1:
        return int(t.shape[0])
    return None


def _batch_size(x: Any, y: Any) -> int:
    n = _leading(y)
    if n is None:
        firsts = (
            list(x.values()) if isinstance(x, dict) else (list(x) if isinstance(x, list | tuple) else [x])
        )
        n = next((m for m in map(_leading, firsts) if m is not None), None)
    if n is None:
        raise InputError(
            "cannot tell the batch size: neither the targets nor an input is a tensor with a leading "
            f"(batch) dimension; got targets {type(y).__name__} {getattr(y, 'shape', '')}"
        )
    return n


def _unpack(batch: Any) -> tuple[Any, Any]:
    if isinstance(batch, dict):
        raise InputError(
            f"each batch must be an (inputs, targets) pair; got a dict with keys {sorted(map(str, batch))} "
            "(a collate_fn's output?): pass a re-iterable that yields pairs, e.g. a class whose __iter__ "
            "yields (batch['x'], batch['y']) for each batch of the loader"
        )
    if isinstance(batch, list | tuple) and len(batch) == 2 and type(batch[1]).__module__ == "numpy":
        raise InputError(
            f"batches must hold torch tensors; got targets of type {type(batch[1]).__name__}: convert "
            "with torch.as_tensor (features to the model's dtype, class labels to torch.long)"
        )
    if not isinstance(batch, list | tuple) or len(batch) != 2:
        raise InputError(
            "each batch must be an (inputs, targets) pair; got "
            f"{type(batch).__name__} of length {len(batch) if hasattr(batch, '__len__') else '?'}"
        )
    return batch[0], batch[1]


def call_model(model: Any, inputs: Any, params: dict[str, Any] | None = None) -> Any:
    """``model(inputs)``: a tensor is passed as it is, a tuple or list as positional arguments, a dict
    as keyword arguments; with ``params`` (name → tensor) through ``torch.func.functional_call``."""
    if isinstance(inputs, dict):
        args, kwargs = (), inputs
    else:
        args, kwargs = (tuple(inputs) if isinstance(inputs, list | tuple) else (inputs,)), {}
    if params is None:
        return model(*args, **kwargs)
    return torch.func.functional_call(model, params, args, kwargs)


class CurvatureOperator(scipy.sparse.linalg.LinearOperator):
    """``∇²L(θ)`` at the model's current parameters, as a float64 ``LinearOperator`` (module doc).

    Attributes:
        model, loss_fn, data: what it was built from (``model`` is the user's or its converted copy).
        names, shapes, sizes: the selected parameters, in order; ``dim = Σ sizes``.
        n_examples: ``N``, the number of examples in one pass over ``data`` (over all shards when
            distributed).
        n_batches: batches in one pass (over all shards).
        max_batch: the largest ``n_b``.
        matvecs: Hessian-vector products computed so far.
        precision: machine epsilon (twice the unit roundoff) of the dtype the products are computed
            in: 2.2e-16 for float64, 1.2e-7 for float32.
        graph_bytes: measured (first batch) and scaled estimate of the memory the cached gradient
            graphs take, in bytes; ``cached`` says whether they are kept.
        stochastic: ``"raise"`` or ``"eval"``; ``eval_modules`` lists what runs in eval mode.
        distributed: whether products are all-reduced over ``torch.distributed``.
    """

    def __init__(
        self,
        model: Any,
        loss_fn: Callable[[Any, Any], Any],
        data: Any,
        params: Any = None,
        *,
        stochastic: str = "raise",
        check_data: bool = True,
        cache: bool | str = "auto",
        cache_bytes: int = 2**30,
        cast: Any = None,
        distributed: bool = False,
        threads: int | str | None = "auto",
    ) -> None:
        if not isinstance(model, torch.nn.Module):
            raise InputError(f"model must be a torch.nn.Module; got {type(model).__name__}")
        if not callable(loss_fn):
            raise InputError(f"loss_fn must be a callable loss_fn(outputs, targets); got {loss_fn!r}")
        if stochastic not in ("raise", "eval"):
            raise InputError(f"stochastic must be 'raise' or 'eval'; got {stochastic!r}")
        if cache not in (True, False, "auto"):
            raise InputError(f"cache must be True, False or 'auto'; got {cache!r}")
        counted = isinstance(threads, int) and not isinstance(threads, bool) and threads >= 1
        if not (threads in ("auto", None) or counted):
            raise InputError(f"threads must be 'auto', None or a positive integer; got {threads!r}")
        self.model, self.loss_fn, self.data = model, loss_fn, _batches(data)
        self.stochastic = stochastic
        self._threads: int | None = threads if isinstance(threads, int) else None
        found = stochastic_modules(model)
        if found and stochastic == "raise":
            raise PreconditionError(
                "the Hessian is not one matrix for a model with batch norm or dropout in train mode: "
                f"{', '.join(found)}; call model.eval() or pass stochastic='eval' (those modules run "
                "in eval mode for every evaluation and are restored afterwards)"
            )
        self.eval_modules = found
        if found:
            warnings.warn(
                f"the Hessian is computed with these modules in eval mode (restored after each "
                f"evaluation): {', '.join(found)}",
                EmpiricalWarning,
                stacklevel=3,
            )
        named = dict(model.named_parameters())
        if params is None:
            chosen = [(n, p) for n, p in named.items() if p.requires_grad]
        else:
            if isinstance(params, str | torch.Tensor):
                params = [params]
            by_id = {id(p): n for n, p in named.items()}
            chosen = []
            for p in params:
                name = p if isinstance(p, str) else by_id.get(id(p))
                if name is None or name not in named:
                    shown = p if isinstance(p, str) else f"a tensor of shape {tuple(getattr(p, 'shape', ()))}"
                    raise InputError(f"params: {shown} is not a parameter of the model")
                if name in (n for n, _ in chosen):
                    raise InputError(f"params: {name} is selected twice")
                chosen.append((name, named[name]))
        if not chosen:
            raise InputError("no parameters selected (none requires grad)")
        dtypes = {p.dtype for _, p in chosen}
        if len(dtypes) > 1:
            raise InputError(f"the selected parameters have mixed dtypes {sorted(map(str, dtypes))}")
        self.names = [n for n, _ in chosen]
        self.shapes = [tuple(p.shape) for _, p in chosen]
        self.sizes = [int(p.numel()) for _, p in chosen]
        first = chosen[0][1]
        self.param_dtype, self.device = first.dtype, first.device
        self.precision = C.eps(self.param_dtype)
        self._cast = cast
        self.distributed = bool(distributed)
        if self.distributed:
            dist = torch.distributed
            if not (dist.is_available() and dist.is_initialized()):
                raise PreconditionError(
                    "distributed=True needs torch.distributed initialised (init_process_group, e.g. "
                    "under torchrun)"
                )
        self.matvecs = 0
        super().__init__(dtype=np.float64, shape=(sum(self.sizes), sum(self.sizes)))
        # per batch: the gradient blocks that depend on θ, their indices, n_b
        self._graphs: list[tuple[list[Any], list[int], int]] | None = None
        self._versions: list[tuple[int, int]] | None = None
        self._leaves: list[Any] | None = None
        # pass 1 (and 2): counts, loss, and that the data give the same loss twice
        n_local, b_local, n_max, s1, a1 = self._pass()
        if self.distributed:
            self._check_same_theta()
            buf = torch.tensor([float(n_local), float(b_local), s1, a1], dtype=torch.float64)
            buf = self._all_reduce(buf.to(self.device)).cpu()
            mx = self._all_reduce(
                torch.tensor([float(n_max)], dtype=torch.float64, device=self.device), op="max"
            )
            n_total, b_total, n_max = int(buf[0]), int(buf[1]), int(mx[0])
        else:
            n_total, b_total = n_local, b_local
        if n_total == 0:
            raise InputError("data holds no examples")
        self.n_examples, self.n_batches, self.max_batch = n_total, b_total, n_max
        if threads == "auto":  # one thread for small batches (C.threads_for; measured in its docstring)
            self._threads = C.threads_for(n_max * self.dim)
        self._n_local = n_local
        if check_data:
            n2, _, _, s2, a2 = self._pass()
            # each pass sums n_max-term batch means and b_local batch values: the rounding of one pass
            # is at most (n_max + b + 2)·u·Σ_b n_b|ℓ_b|, up to the |l_i| ≥ |ℓ_b| caveat of mixed signs
            bound = 2 * (n_max + b_local + 2) * self.precision * max(a1, a2)
            if n2 != n_local or abs(s1 - s2) > bound:
                raise PreconditionError(
                    "the data give a different loss on a second pass (shuffling with drop_last, random "
                    f"augmentation or a random transform?): N·L = {s1!r} with {n_local} examples, then "
                    f"{s2!r} with {n2} examples; the rounding bound is {bound:.3g}. Fix the data "
                    "(shuffle=False, no random transforms) or pass check_data=False"
                )
        self.graph_bytes = 0
        self.cached = False
        self._cache_mode, self._cache_limit = cache, int(cache_bytes)
        if cache is not False:
            self._build_cache(measure_only=False)

    # ------------------------------------------------------------------ helpers
    @property
    def dim(self) -> int:
        """The number of selected parameters p."""
        return int(self.shape[0])

    def _params(self) -> list[Any]:
        named = dict(self.model.named_parameters())
        return [named[n] for n in self.names]

    @contextlib.contextmanager
    def _tf32_off(self) -> Iterator[None]:
        """Exact kernels for every evaluation: ``scaled_dot_product_attention`` on its math backend (the
        fused flash / memory-efficient kernels, which attention layers pick by default on CPU and GPU,
        have no second derivative: "derivative for ..._flash_attention_for_cpu_backward is not
        implemented"), and on CUDA ``C.exact_math`` (TF32 off). Not ``C.exact_math`` on CPU, where its
        warning filters took 5% of a small cached product and TF32 does not exist. On CPU, with
        ``threads`` set, torch's intra-op threads are capped for the evaluation and restored after."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(sdpa_kernel([SDPBackend.MATH]))
            if self.device.type == "cuda":
                stack.enter_context(C.exact_math())
            old = torch.get_num_threads()
            cap = self._threads if self.device.type == "cpu" else None
            if cap is not None and cap < old:
                torch.set_num_threads(cap)
                stack.callback(torch.set_num_threads, old)
            yield

    @contextlib.contextmanager
    def _mode(self) -> Iterator[None]:
        """Run with TF32 off (``C.exact_math``) and the stochastic modules in eval mode; restore each
        module's own mode afterwards."""
        if not self.eval_modules:
            with self._tf32_off():
                yield
            return
        saved = [(m, m.training) for m in self.model.modules()]
        for m in self.model.modules():
            if isinstance(m, (*_BATCHNORM, *_DROPOUT, torch.nn.MultiheadAttention)):
                m.training = False
        try:
            with self._tf32_off():
                yield
        finally:
            for m, mode in saved:
                m.training = mode

    def _to(self, obj: Any) -> Any:
        if isinstance(obj, torch.Tensor):
            if self._cast is not None and obj.is_floating_point():
                return obj.to(device=self.device, dtype=self._cast)
            return obj.to(self.device)
        if isinstance(obj, list | tuple):
            return type(obj)(self._to(o) for o in obj)
        if isinstance(obj, dict):
            return {k: self._to(o) for k, o in obj.items()}
        return obj

    def batches(self) -> Iterator[tuple[Any, Any, int]]:
        """One pass over this process's data: ``(inputs, targets, n_b)`` per batch, on the operator's
        device and, for a converted copy, in its dtype (what every product sees)."""
        for batch in self.data:
            x, y = _unpack(batch)
            n = _batch_size(x, y)
            yield self._to(x), self._to(y), n

    def outputs(self, inputs: Any, params: list[Any] | None = None) -> Any:
        """``model(inputs)`` at the current (or the given) selected parameters, with the inputs
        convention of the module doc (tensor, tuple/list as positional, dict as keyword arguments),
        in the operator's mode (eval for the stochastic modules with ``stochastic="eval"``)."""
        tensors = dict(zip(self.names, self._params() if params is None else params, strict=True))
        with self._mode():
            return call_model(self.model, inputs, tensors)

    def _batch_loss(self, params: list[Any], batch: Any) -> tuple[Any, int]:
        x, y = _unpack(batch)
        n = _batch_size(x, y)
        x, y = self._to(x), self._to(y)
        tensors = dict(zip(self.names, params, strict=True))
        out = call_model(self.model, x, tensors)
        val = self.loss_fn(out, y)
        if not isinstance(val, torch.Tensor) or val.numel() != 1:
            raise InputError(
                "loss_fn must return the batch mean as a 0-d tensor; got "
                f"{type(val).__name__} of shape {tuple(getattr(val, 'shape', ()))}"
            )
        return val.reshape(()), n

    def _pass(self) -> tuple[int, int, int, float, float]:
        """One forward pass: (examples, batches, largest batch, Σ n_b ℓ_b, Σ n_b |ℓ_b|) of this shard."""
        n_tot = b = n_max = 0
        s = a = 0.0
        with torch.no_grad(), self._mode():
            for batch in self.data:
                val, n = self._batch_loss(self._params(), batch)
                v = float(val)
                if not math.isfinite(v):
                    raise InputError(f"the loss is not finite on batch {b}: {v}")
                n_tot, b, n_max = n_tot + n, b + 1, max(n_max, n)
                s, a = s + n * v, a + n * abs(v)
        return n_tot, b, n_max, s, a

    def _all_reduce(self, t: Any, op: str = "sum") -> Any:
        dist = torch.distributed
        dist.all_reduce(t, op=dist.ReduceOp.SUM if op == "sum" else dist.ReduceOp.MAX)
        return t

    def _check_same_theta(self) -> None:
        """Every rank must hold the same θ: one all-reduce of (θ, −θ) with MAX gives max and −min."""
        th = torch.cat([p.detach().reshape(-1) for p in self._params()])
        buf = self._all_reduce(torch.cat([th, -th]).clone(), op="max")
        spread = (buf[: th.numel()] + buf[th.numel() :]).abs().max()
        # the models are copies of one initialisation: bitwise equal, so any difference is a bug
        if float(spread) != 0.0:
            raise PreconditionError(
                f"distributed: the processes hold different parameters (max spread {float(spread):.3g}); "
                "load the same state on every rank"
            )

    def _state_versions(self) -> list[tuple[int, int]]:
        """Identity and version counter of every parameter and buffer: an in-place change (optimiser
        step, ``load_state_dict``, ``set_theta``) bumps a version, a reassigned tensor changes an id."""
        return [(id(t), t._version) for t in (*self.model.parameters(), *self.model.buffers())]

    def _leaf_params(self) -> list[Any]:
        return [p.detach().requires_grad_(True) for p in self._params()]

    def _build_cache(self, *, measure_only: bool) -> None:
        """Build (and keep, if allowed) every batch's gradient graph; measure its memory."""
        storages: dict[int, int] = {}
        skip = {p.untyped_storage().data_ptr() for p in self.model.parameters()}

        def pack(t: Any) -> Any:
            key = t.untyped_storage().data_ptr()
            if key not in skip:
                storages[key] = t.untyped_storage().nbytes()
            return t

        leaves = self._leaf_params()
        graphs = []
        with torch.enable_grad(), self._mode():
            for i, batch in enumerate(self.data):
                if i == 0:
                    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                        val, n = self._batch_loss(leaves, batch)
                        grads = torch.autograd.grad(
                            val, leaves, create_graph=True, allow_unused=True, materialize_grads=True
                        )
                    first = sum(storages.values())
                    self.graph_bytes = int(first * self._n_local / max(n, 1))
                    keep = self._cache_mode is True or (
                        self._cache_mode == "auto" and self.graph_bytes <= self._cache_limit
                    )
                    if measure_only or not keep:
                        return
                else:
                    val, n = self._batch_loss(leaves, batch)
                    grads = torch.autograd.grad(
                        val, leaves, create_graph=True, allow_unused=True, materialize_grads=True
                    )
                live = [i for i, g in enumerate(grads) if g.requires_grad]
                graphs.append(([grads[i] for i in live], live, n))
        self._graphs, self._leaves = graphs, leaves
        self._versions = self._state_versions()
        self.cached = True

    def _cache_valid(self) -> bool:
        if self._graphs is None:
            return False
        if self._versions != self._state_versions():
            # the model was changed in place (an optimiser step, load_state_dict): rebuild
            self._graphs = None
            self._build_cache(measure_only=False)
        return self._graphs is not None

    # ------------------------------------------------------------------ public
    def theta(self) -> FloatArray:
        """The selected parameters as one flat float64 vector (a copy)."""
        return np.concatenate([C.numpy(p).ravel() for p in self._params()])

    def _split(self, v: FloatArray) -> list[Any]:
        arr = np.ascontiguousarray(v, dtype=np.float64).ravel()
        if arr.shape[0] != self.dim:
            raise InputError(f"a vector of length {self.dim} is needed; got length {arr.shape[0]}")
        t = torch.as_tensor(arr).to(device=self.device, dtype=self.param_dtype)
        return [c.reshape(s) for c, s in zip(torch.split(t, self.sizes), self.shapes, strict=True)]

    def set_theta(self, theta: FloatArray) -> None:
        """Write a flat vector into the selected parameters (drops the cached graphs)."""
        chunks = self._split(theta)
        with torch.no_grad():
            for p, c in zip(self._params(), chunks, strict=True):
                p.copy_(c)
        if self._graphs is not None:
            self._graphs = None
            self._build_cache(measure_only=False)

    def _reduce_value(self, flat: Any | None, s: Any, n_pass: int) -> tuple[Any | None, float]:
        """All-reduce ``(Σ n_b g_b, Σ n_b ℓ_b, n)`` of this pass in one float64 buffer (exact counts up to
        2⁵³ whatever the model's dtype); refuse a pass whose example count differs from the first."""
        parts = ([flat.to(torch.float64)] if flat is not None else []) + [
            s.reshape(1).to(torch.float64),
            torch.full((1,), float(n_pass), dtype=torch.float64, device=s.device),
        ]
        buf = torch.cat(parts)
        if self.distributed:
            buf = self._all_reduce(buf)
        n = round(float(buf[-1]))
        if n != self.n_examples:
            raise PreconditionError(
                f"the data changed size: {n} examples in this pass, {self.n_examples} when the operator "
                "was built"
            )
        g = buf[:-2] if flat is not None else None
        return g, float(buf[-2])

    def loss(self) -> float:
        """``L(θ)``, the full-data mean loss."""
        s = torch.zeros((), dtype=self.param_dtype, device=self.device)
        n_pass = 0
        with torch.no_grad(), self._mode():
            for batch in self.data:
                val, n = self._batch_loss(self._params(), batch)
                s = s + n * val.to(self.param_dtype)
                n_pass += n
        _, total = self._reduce_value(None, s, n_pass)
        return total / self.n_examples

    def gradient(self) -> FloatArray:
        """``∇L(θ)`` as a flat float64 vector (accumulated in torch, converted once)."""
        return self.value_and_gradient()[1]

    def value_and_gradient(self) -> tuple[float, FloatArray]:
        """``(L(θ), ∇L(θ))`` in one pass over the data (one all-reduce when distributed), in the
        operator's mode: its thread cap, eval mode for the stochastic modules, the math attention
        kernel."""
        params = self._leaf_params()
        acc = torch.zeros(self.dim, dtype=self.param_dtype, device=self.device)
        s = torch.zeros((), dtype=self.param_dtype, device=self.device)
        n_pass = 0
        with torch.enable_grad(), self._mode():
            for batch in self.data:
                val, n = self._batch_loss(params, batch)
                grads = torch.autograd.grad(val, params, allow_unused=True, materialize_grads=True)
                acc += n * torch.cat([g.reshape(-1) for g in grads])
                s = s + n * val.detach()
                n_pass += n
        g, total = self._reduce_value(acc, s, n_pass)
        assert g is not None
        return total / self.n_examples, C.numpy(g / self.n_examples)

    def hvp(self, v: Any) -> Any:
        """``Hv`` for a flat torch tensor ``v`` (the model's dtype and device), as a flat tensor.

        The torch-level product behind :meth:`matvec`: per batch, ``n_b·H_b v`` (one backward pass
        through the retained gradient graph when cached, else forward, gradient and backward), summed
        in torch, all-reduced once when distributed, divided by ``N``. Counts in :attr:`matvecs`.
        """
        if not isinstance(v, torch.Tensor) or v.shape != (self.dim,):
            raise InputError(
                f"hvp needs a flat tensor of length {self.dim}; got {type(v).__name__} "
                f"{tuple(getattr(v, 'shape', ()))}"
            )
        v = v.to(device=self.device, dtype=self.param_dtype)
        vs = [c.view(s) for c, s in zip(torch.split(v, self.sizes), self.shapes, strict=True)]
        self.matvecs += 1
        acc: Any = None
        single = len(self._graphs or ()) == 1 and not self.distributed

        def add(hv: Any, n: int) -> Any:
            flat = torch.cat([h.reshape(-1) for h in hv])
            return flat.mul_(n) if acc is None else acc.add_(flat, alpha=n)

        if self._cache_valid():
            assert self._graphs is not None and self._leaves is not None
            leaves = self._leaves
            with torch.enable_grad(), self._tf32_off():
                for outs, live, n in self._graphs:
                    if not outs:
                        continue
                    hv = torch.autograd.grad(
                        outs,
                        leaves,
                        grad_outputs=[vs[i] for i in live],
                        retain_graph=True,
                        allow_unused=True,
                        materialize_grads=True,
                    )
                    if single:  # one batch holding all N examples: n·Hv/N is Hv, skip two roundings
                        return torch.cat([h.reshape(-1) for h in hv])
                    acc = add(hv, n)
        else:
            params = self._leaf_params()
            with torch.enable_grad(), self._mode():
                for batch in self.data:
                    val, n = self._batch_loss(params, batch)
                    grads = torch.autograd.grad(
                        val, params, create_graph=True, allow_unused=True, materialize_grads=True
                    )
                    pairs = [(g, x) for g, x in zip(grads, vs, strict=True) if g.requires_grad]
                    if not pairs:
                        continue
                    hv = torch.autograd.grad(
                        [g for g, _ in pairs],
                        params,
                        grad_outputs=[x for _, x in pairs],
                        allow_unused=True,
                        materialize_grads=True,
                    )
                    acc = add(hv, n)
        if acc is None:  # the loss does not depend on the selected parameters at all
            acc = torch.zeros(self.dim, dtype=self.param_dtype, device=self.device)
        if self.distributed:
            acc = self._all_reduce(acc)
        return acc.div_(self.n_examples)

    def _matvec(self, v: FloatArray) -> FloatArray:
        arr = np.ascontiguousarray(v, dtype=np.float64).reshape(-1)
        if arr.shape[0] != self.dim:
            raise InputError(f"a vector of length {self.dim} is needed; got length {arr.shape[0]}")
        out = self.hvp(torch.from_numpy(arr))
        # the one conversion: a fresh tensor nobody else holds, so its float64 CPU buffer is returned
        return out.detach().to("cpu", torch.float64).numpy()

    def _rmatvec(self, v: FloatArray) -> FloatArray:
        return self._matvec(v)  # H is symmetric

    def _matmat(self, X: FloatArray) -> FloatArray:
        return np.column_stack([self._matvec(X[:, j]) for j in range(X.shape[1])])

    def _adjoint(self) -> CurvatureOperator:
        return self


def hessian_operator(
    model: Any,
    loss_fn: Callable[[Any, Any], Any],
    data: Any,
    *,
    params: Any = None,
    dtype: Any = None,
    device: Any = None,
    stochastic: str = "raise",
    check_data: bool = True,
    cache: bool | str = "auto",
    cache_bytes: int = 2**30,
    distributed: bool = False,
    threads: int | str | None = "auto",
) -> CurvatureOperator:
    """The Hessian of the full-data mean loss at the model's current parameters (module doc).

    Args:
        model: any ``torch.nn.Module``; used in place unless ``dtype``/``device`` differ from its own.
        loss_fn: ``loss_fn(outputs, targets)`` → the batch mean (0-d tensor).
        data: a DataLoader, a re-iterable of ``(inputs, targets)`` batches, or one pair.
        params: parameter names or tensors of ``model`` (default: all that require grad; ones the
            loss does not use give zero rows and columns).
        dtype, device: work on a converted copy of the model (``"float64"``/``"float32"``,
            ``"cpu"``/``"cuda"``); the user's model is not touched.
        stochastic: ``"raise"`` (train-mode batch norm or dropout is a PreconditionError) or
            ``"eval"`` (those modules run in eval mode, with a warning, and are restored after).
        check_data: compare the loss of two passes over ``data`` (PreconditionError beyond rounding).
        cache: keep every batch's gradient graph (``True``), never (``False``), or when the measured
            estimate ``op.graph_bytes`` is at most ``cache_bytes`` (``"auto"``, default 1 GiB).
        distributed: all-reduce over ``torch.distributed`` (each process passes its shard).
        threads: torch's intra-op CPU threads during each evaluation: ``"auto"`` caps them at 1 when
            a batch is small (``max_batch·p < 4·10⁶``: intra-op parallelism does not pay there, and on
            a busy 2-core machine two threads made a 275-parameter product 100× slower), an integer
            caps them at that, ``None`` leaves torch's setting; restored after every evaluation.

    Raises:
        InputError: malformed model, loss, data or params (the message names the value).
        PreconditionError: train-mode randomness with ``stochastic="raise"``; data that change
            between passes; ``distributed=True`` without an initialised process group.
        DeviceUnavailableError: a CUDA device this machine does not have.
    """
    cast = None
    if dtype is not None or device is not None:
        ref = next(iter(model.parameters()), None) if isinstance(model, torch.nn.Module) else None
        if ref is None:
            raise InputError(f"model must be a torch.nn.Module with parameters; got {type(model).__name__}")
        dev, dt, _ = C.setup(device if device is not None else ref.device.type, dtype or ref.dtype)
        same_dev = ref.device.type == dev.type and (dev.index is None or ref.device.index == dev.index)
        if dt != ref.dtype or not same_dev:
            model = copy.deepcopy(model).to(device=dev, dtype=dt)
            cast = dt
            if isinstance(loss_fn, torch.nn.Module):  # its buffers too (CrossEntropyLoss's class weights)
                loss_fn = copy.deepcopy(loss_fn).to(device=dev, dtype=dt)
    return CurvatureOperator(
        model,
        loss_fn,
        data,
        params,
        stochastic=stochastic,
        check_data=check_data,
        cache=cache,
        cache_bytes=cache_bytes,
        cast=cast,
        distributed=distributed,
        threads=threads,
    )


def dense_hessian(model: Any, loss_fn: Callable[[Any, Any], Any], inputs: Any, targets: Any) -> FloatArray:
    """The full ``p × p`` Hessian of ``loss_fn(model(inputs), targets)`` in the flat parameters (all
    that require grad), by ``torch.func.jacrev`` of ``torch.func.jacrev`` (reverse over reverse),
    symmetrised, as float64 NumPy: a reference for small models, independent of the operator's
    Hessian-vector products (one batch, no batch weighting). Not for attention layers: there
    ``torch.func``'s Hessian disagreed with finite differences and with
    ``torch.autograd.functional.hessian`` (torch 2.13), while the operator agreed with both.
    """
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    names = [n for n, _ in named]
    shapes = [tuple(p.shape) for _, p in named]
    sizes = [int(p.numel()) for _, p in named]

    def flat_loss(theta: Any) -> Any:
        parts = torch.split(theta, sizes)
        params = {n: c.reshape(sh) for n, c, sh in zip(names, parts, shapes, strict=True)}
        return loss_fn(call_model(model, inputs, params), targets)

    theta = torch.cat([p.detach().reshape(-1) for _, p in named])
    # jacrev's p×p result, its float64 copy and the symmetrised sum: at most 3 p×p float64 arrays
    n_p = int(theta.numel())
    check_allocation(
        3 * array_bytes((n_p, n_p)), f"dense_hessian ({n_p}²)", hint="use CurvatureOperator products"
    )
    h = C.numpy(torch.func.jacrev(torch.func.jacrev(flat_loss))(theta))
    return (h + h.T) / 2


@dataclass(frozen=True, slots=True)
class Eigenpairs:
    """Eigenpairs of a curvature operator.

    Attributes:
        values: eigenvalues (k,), descending for ``"LA"``/``"LM"`` (by value; by magnitude for LM),
            ascending for ``"SA"``.
        vectors: unit eigenvectors (p, k) as columns.
        residuals: ``‖Hv_i − λ_i v_i‖₂``, recomputed with fresh products (not counted in ``matvecs``).
        matvecs: products the solver used.
        seconds: the solver's wall time.
        which: ``"LA"``, ``"SA"`` or ``"LM"``.
        residual_bound: what the residuals can be expected to reach, per pair:
            ``max(tol, u₆₄)·‖H‖ + c·√p·u·‖H‖`` with ``u`` the operator's precision (the rounding of one
            product in its dtype) and ``‖H‖`` estimated by the largest ``|λ|`` found (a lower bound,
            exact for ``"LM"``); ``c = 10``. ``converged`` = residuals ≤ residual_bound.
    """

    values: FloatArray
    vectors: FloatArray
    residuals: FloatArray
    matvecs: int
    seconds: float
    which: str
    residual_bound: FloatArray | None = None

    @property
    def converged(self) -> np.ndarray:
        """Per pair: residual within :attr:`residual_bound`."""
        if self.residual_bound is None:
            return np.ones(len(self.values), dtype=bool)
        return np.asarray(self.residuals <= self.residual_bound)


class _Counting(scipy.sparse.linalg.LinearOperator):
    """Wraps any LinearOperator (or matrix) in float64 and counts its products."""

    def __init__(self, op: Any) -> None:
        self.op = scipy.sparse.linalg.aslinearoperator(op)
        self.matvecs = 0
        super().__init__(dtype=np.float64, shape=self.op.shape)

    def _matvec(self, v: FloatArray) -> FloatArray:
        self.matvecs += 1
        return np.asarray(self.op.matvec(np.asarray(v, dtype=np.float64)), dtype=np.float64).ravel()

    def _rmatvec(self, v: FloatArray) -> FloatArray:
        return self._matvec(v)


def _precision(op: Any) -> float:
    prec = getattr(op, "precision", None)
    if prec is not None:
        return float(prec)
    try:
        return float(np.finfo(np.dtype(op.dtype)).eps) / 2
    except (TypeError, ValueError):
        return float(np.finfo(np.float64).eps) / 2


def top_eigenpairs(
    op: Any,
    k: int,
    which: str = "LA",
    *,
    tol: float = 0.0,
    seed: int = 0,
    ncv: int | None = None,
    maxiter: int | None = None,
) -> Eigenpairs:
    """``k`` eigenpairs of a symmetric operator by ``scipy.sparse.linalg.eigsh`` (implicitly restarted
    Lanczos, ARPACK; Lehoucq, Sorensen & Yang, "ARPACK Users' Guide", 1998).

    ``which="LA"``: the algebraically largest, ``"SA"``: smallest, ``"LM"``: largest magnitude. ``op`` is
    any square ``scipy.sparse.linalg.LinearOperator`` (or array); it is run in float64, and its products
    are counted whether or not it counts them itself. ``tol`` is ARPACK's relative accuracy (0: machine
    precision). Residuals and the bound they should meet are in the result (:class:`Eigenpairs`).

    Raises:
        InputError: ``which`` unknown, ``k`` not in ``1 ≤ k < p``, a non-square operator.
    """
    if which not in ("LA", "SA", "LM"):
        raise InputError(f"which must be 'LA', 'SA' or 'LM'; got {which!r}")
    shape = getattr(op, "shape", None)
    if shape is None or len(shape) != 2 or shape[0] != shape[1]:
        raise InputError(f"op must be a square linear operator; got shape {shape}")
    p = int(shape[0])
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k < p:
        raise InputError(f"k must be an integer with 1 ≤ k < p = {p}; got {k!r}")
    if not (tol >= 0 and math.isfinite(tol)):
        raise InputError(f"tol must be finite and ≥ 0; got {tol!r}")
    counted = _Counting(op)
    v0 = np.random.default_rng(seed).standard_normal(p)
    start = time.perf_counter()
    lam, Q = scipy.sparse.linalg.eigsh(
        counted, k=int(k), which=which, v0=v0, tol=tol, ncv=ncv, maxiter=maxiter
    )
    seconds = time.perf_counter() - start
    used = counted.matvecs
    if which == "SA":
        order = np.argsort(lam)
    elif which == "LM":
        order = np.argsort(-np.abs(lam))
    else:
        order = np.argsort(lam)[::-1]
    lam, Q = lam[order], Q[:, order]
    res = np.array([np.linalg.norm(counted.matvec(Q[:, i]) - lam[i] * Q[:, i]) for i in range(int(k))])
    norm = float(np.max(np.abs(lam)))
    u = _precision(op)
    bound = np.full(int(k), (max(tol, np.finfo(np.float64).eps) + 10 * math.sqrt(p) * u) * norm)
    return Eigenpairs(lam, Q, res, used, seconds, which, bound)
