"""Curvature of a user's own objective: any ``nn.Module``, any loss callable, any data source.

The Hessian of the full-data mean loss

    L(θ) = (1/N) Σ_b n_b · loss_fn(model(x_b; θ), y_b),      N = Σ_b n_b,

(each batch's mean loss weighted by its size ``n_b``, so batches of unequal size give the mean over
all examples) is exposed as a float64 ``scipy.sparse.linalg.LinearOperator`` whose ``matvec`` is one
Hessian-vector product ``Hv = ∇(∇L(θ)·v)`` (Pearlmutter, "Fast exact multiplication by the Hessian",
Neural Computation 1994), summed over batches. Nothing of size p × p is ever formed.

This module is the skeleton of issue 9's API; see ``docs/reference.md`` for the theorems it serves
(``l2.eigen``, ``l2.dof``, ``l2.path_derivative``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse.linalg

from theory.empirical import _common as C
from theory.errors import InputError

torch = C.torch

__all__ = ["CurvatureOperator", "Eigenpairs", "hessian_operator", "top_eigenpairs"]

FloatArray = C.FloatArray


def _batches(data: Any) -> Sequence[Any] | Iterable[Any]:
    """A re-iterable of ``(inputs, targets)`` batches from a DataLoader, an iterable of pairs or one pair."""
    if isinstance(data, tuple) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        return [data]
    if iter(data) is data:
        raise InputError(
            "data must be re-iterable (a DataLoader, a list of (inputs, targets) batches or one pair); "
            f"got a one-shot iterator {type(data).__name__}, which the first pass would consume"
        )
    return data


class CurvatureOperator(scipy.sparse.linalg.LinearOperator):
    """``∇²L(θ)`` at the model's current parameters, as a float64 ``LinearOperator``.

    Attributes:
        model, loss_fn, data: what it was built from (the model is used in place).
        names, shapes, sizes: the selected parameters, in order; ``dim = Σ sizes``.
        n_examples: ``N``, the number of examples in one pass over ``data``.
        matvecs: Hessian-vector products computed so far.
        precision: unit roundoff of the model's dtype (the products are computed in it).
    """

    def __init__(self, model: Any, loss_fn: Callable[[Any, Any], Any], data: Any, params: Any = None) -> None:
        if not isinstance(model, torch.nn.Module):
            raise InputError(f"model must be a torch.nn.Module; got {type(model).__name__}")
        if not callable(loss_fn):
            raise InputError(f"loss_fn must be a callable loss_fn(outputs, targets); got {loss_fn!r}")
        self.model, self.loss_fn, self.data = model, loss_fn, _batches(data)
        named = dict(model.named_parameters())
        if params is None:
            chosen = [(n, p) for n, p in named.items() if p.requires_grad]
        else:
            by_id = {id(p): n for n, p in named.items()}
            chosen = []
            for p in params:
                name = p if isinstance(p, str) else by_id.get(id(p))
                if name is None or name not in named:
                    raise InputError(f"params: {p!r} is not a parameter of the model")
                chosen.append((name, named[name]))
        if not chosen:
            raise InputError("no parameters selected (none requires grad)")
        self.names = [n for n, _ in chosen]
        self.shapes = [tuple(p.shape) for _, p in chosen]
        self.sizes = [int(p.numel()) for _, p in chosen]
        first = chosen[0][1]
        self.param_dtype, self.device = first.dtype, first.device
        self.precision = C.eps(self.param_dtype)
        self.n_examples = sum(len(y) for _, y in self.data)
        if self.n_examples == 0:
            raise InputError("data holds no examples")
        self.matvecs = 0
        super().__init__(dtype=np.float64, shape=(sum(self.sizes), sum(self.sizes)))

    @property
    def dim(self) -> int:
        """The number of selected parameters p."""
        return int(self.shape[0])

    def _params(self) -> list[Any]:
        named = dict(self.model.named_parameters())
        return [named[n] for n in self.names]

    def theta(self) -> FloatArray:
        """The selected parameters as one flat float64 vector (a copy)."""
        return np.concatenate([C.numpy(p).ravel() for p in self._params()])

    def _split(self, v: FloatArray) -> list[Any]:
        t = torch.as_tensor(np.ascontiguousarray(v, dtype=np.float64).ravel())
        t = t.to(device=self.device, dtype=self.param_dtype)
        return [c.reshape(s) for c, s in zip(torch.split(t, self.sizes), self.shapes, strict=True)]

    def set_theta(self, theta: FloatArray) -> None:
        """Write a flat vector into the selected parameters."""
        with torch.no_grad():
            for p, c in zip(self._params(), self._split(theta), strict=True):
                p.copy_(c)

    def _batch_loss(self, params: list[Any], batch: Any) -> tuple[Any, int]:
        x, y = batch
        x = x.to(self.device) if isinstance(x, torch.Tensor) else x
        y = y.to(self.device) if isinstance(y, torch.Tensor) else y
        tensors = dict(zip(self.names, params, strict=True))
        out = torch.func.functional_call(self.model, tensors, (x,))
        return self.loss_fn(out, y), len(y)

    def loss(self) -> float:
        """``L(θ)``, the full-data mean loss."""
        total = 0.0
        with torch.no_grad():
            for batch in self.data:
                val, n = self._batch_loss(self._params(), batch)
                total += float(val) * n
        return total / self.n_examples

    def gradient(self) -> FloatArray:
        """``∇L(θ)`` as a flat float64 vector."""
        params = [p.detach().requires_grad_(True) for p in self._params()]
        acc = np.zeros(self.dim)
        for batch in self.data:
            val, n = self._batch_loss(params, batch)
            grads = torch.autograd.grad(val, params, allow_unused=True, materialize_grads=True)
            acc += (n / self.n_examples) * np.concatenate([C.numpy(g).ravel() for g in grads])
        return acc

    def _matvec(self, v: FloatArray) -> FloatArray:
        self.matvecs += 1
        vs = self._split(v)
        params = [p.detach().requires_grad_(True) for p in self._params()]
        acc = np.zeros(self.dim)
        with torch.enable_grad():
            for batch in self.data:
                val, n = self._batch_loss(params, batch)
                grads = torch.autograd.grad(
                    val, params, create_graph=True, allow_unused=True, materialize_grads=True
                )
                hv = torch.autograd.grad(
                    grads, params, grad_outputs=vs, allow_unused=True, materialize_grads=True
                )
                acc += (n / self.n_examples) * np.concatenate([C.numpy(h).ravel() for h in hv])
        return acc

    def _rmatvec(self, v: FloatArray) -> FloatArray:
        return self._matvec(v)  # H is symmetric


def hessian_operator(
    model: Any,
    loss_fn: Callable[[Any, Any], Any],
    data: Any,
    *,
    params: Any = None,
    dtype: Any = None,
    device: Any = None,
) -> CurvatureOperator:
    """The Hessian of the full-data mean loss at the model's current parameters (see module doc)."""
    if dtype is not None or device is not None:
        dev, dt, _ = C.setup(device or "cpu", dtype or "float64")
        model.to(device=dev, dtype=dt)
    return CurvatureOperator(model, loss_fn, data, params)


@dataclass(frozen=True, slots=True)
class Eigenpairs:
    """Eigenpairs of a curvature operator: ``values`` (k,), unit ``vectors`` (p, k) as columns,
    ``residuals`` ``‖Hv_i − λ_i v_i‖``, the products used, the wall time and ``which``."""

    values: FloatArray
    vectors: FloatArray
    residuals: FloatArray
    matvecs: int
    seconds: float
    which: str


def top_eigenpairs(op: Any, k: int, which: str = "LA", *, tol: float = 0.0, seed: int = 0) -> Eigenpairs:
    """``k`` eigenpairs by ``scipy.sparse.linalg.eigsh`` (implicitly restarted Lanczos, ARPACK):
    ``which="LA"`` the algebraically largest, ``"SA"`` smallest, ``"LM"`` largest magnitude."""
    if which not in ("LA", "SA", "LM"):
        raise InputError(f"which must be 'LA', 'SA' or 'LM'; got {which!r}")
    p = op.shape[0]
    if not isinstance(k, int) or not 1 <= k < p:
        raise InputError(f"k must be an integer with 1 ≤ k < p = {p}; got {k!r}")
    v0 = np.random.default_rng(seed).standard_normal(p)
    before = getattr(op, "matvecs", 0)
    start = time.perf_counter()
    lam, Q = scipy.sparse.linalg.eigsh(op, k=k, which=which, v0=v0, tol=tol)
    seconds = time.perf_counter() - start
    used = getattr(op, "matvecs", 0) - before
    order = np.argsort(lam)[::-1] if which != "SA" else np.argsort(lam)
    lam, Q = lam[order], Q[:, order]
    res = np.array([np.linalg.norm(op.matvec(Q[:, i]) - lam[i] * Q[:, i]) for i in range(k)])
    return Eigenpairs(lam, Q, res, used, seconds, which)
