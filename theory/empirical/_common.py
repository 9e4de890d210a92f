"""Private helpers shared by the empirical submodules (torch is required here)."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from theory.empirical import dtype_name, require_torch, resolve_device
from theory.errors import ConvergenceError, InputError
from theory.validate import dtype_eps

torch = require_torch()

FloatArray = NDArray[np.floating[Any]]


def setup(device: object, dtype: Any) -> tuple[Any, Any, str]:
    """``(torch.device, torch dtype, dtype name)`` after validating both."""
    dev = torch.device(resolve_device(device))
    name = dtype_name(dtype)
    return dev, getattr(torch, name), name


def eps(dtype: Any) -> float:
    """Machine epsilon of float64 / float32 given by name, NumPy or torch dtype."""
    return dtype_eps(np.dtype(dtype_name(dtype)))


def generator(seed: int, device: Any = "cpu") -> Any:
    """A ``torch.Generator`` seeded with ``seed`` (on CPU: draws are then identical on every device)."""
    g = torch.Generator(device=device)
    g.manual_seed(int(seed) & 0x7FFF_FFFF_FFFF_FFFF)
    return g


def tensor(value: ArrayLike, dev: Any, dt: Any) -> Any:
    """A tensor copy of ``value`` on ``dev`` with dtype ``dt``."""
    # torch.tensor copies: a tensor sharing memory with the caller's array would let an in-place
    # optimiser step overwrite it
    return torch.tensor(np.asarray(value, dtype=np.float64), dtype=dt).to(dev)


def numpy(t: Any) -> FloatArray:
    """A float64 NumPy copy of a tensor (detached, on CPU)."""
    return np.array(t.detach().to("cpu", torch.float64).numpy(), dtype=np.float64, copy=True)


def flat(tensors: Iterable[Any]) -> FloatArray:
    """The tensors' entries, each raveled, concatenated into one float64 NumPy vector (detached, CPU):
    the parameter (or gradient) vector θ of a model, ``flat(model.parameters())``."""
    return np.concatenate([numpy(t).ravel() for t in tensors])


def seed_int(rng: np.random.Generator) -> int:
    """A seed for a torch.Generator drawn from a NumPy generator."""
    return int(rng.integers(0, 2**62))


@contextlib.contextmanager
def exact_math(threads: int | None = None) -> Iterator[None]:
    """Disable TF32 (float32 matmuls at 10-bit mantissa on Ampere+) for the duration; optionally cap
    torch's CPU threads.

    TF32 would make float32 results on a GPU far less accurate than ``eps(float32)`` and break the
    dtype-scaled tolerances; every training loop here runs inside this context. ``threads=1`` is for
    the small problems of the checks and figures: their tensors are far too small for intra-op
    parallelism to pay, and on a busy 2-core machine a second thread made them 10–100× slower.
    Both settings are restored on exit.
    """
    old_matmul = torch.backends.cuda.matmul.allow_tf32
    old_cudnn = torch.backends.cudnn.allow_tf32
    old_threads = torch.get_num_threads()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if threads is not None and threads < old_threads:
        torch.set_num_threads(threads)
    try:
        with warnings.catch_warnings():
            # torch.func's first forward-mode call scripts a helper with torch.jit.script, which
            # torch ≥ 2.10 reports as deprecated: torch's internal business, not the caller's
            warnings.filterwarnings(
                "ignore", message=r"`torch\.jit\.script` is deprecated", category=DeprecationWarning
            )
            yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old_matmul
        torch.backends.cudnn.allow_tf32 = old_cudnn
        if torch.get_num_threads() != old_threads:
            torch.set_num_threads(old_threads)


def threads_for(size: int) -> int | None:
    """1 for problems with fewer than 4·10⁶ numbers (see :func:`exact_math`), else no cap."""
    return 1 if size < 4_000_000 else None


def heavy_ball(L: float, mu: float) -> tuple[float, float, float]:
    """Polyak's heavy-ball parameters for a quadratic with spectrum in ``[mu, L]``.

    ``lr = 4/(√L + √μ)²``, ``momentum = ((√κ − 1)/(√κ + 1))²`` and the asymptotic rate
    ``(√κ − 1)/(√κ + 1)`` (Polyak 1964; Nesterov, *Lectures on Convex Optimization*, 2018, §2.2).
    torch's ``SGD(momentum=β)`` is exactly the heavy-ball iteration
    ``w ← w − lr·∇f(w) + β(w − w_prev)``.
    """
    if not (L > 0 and mu > 0 and math.isfinite(L)):
        raise InputError(f"heavy-ball parameters need 0 < μ ≤ L < ∞; got μ = {mu}, L = {L}")
    mu = min(mu, L)
    sl, sm = math.sqrt(L), math.sqrt(mu)
    rate = (sl - sm) / (sl + sm)
    return 4.0 / (sl + sm) ** 2, rate**2, rate


def steps_for(
    rate: float, reduction: float, *, slack: float = 1.25, extra: int = 20, cap: int = 200_000
) -> int:
    """Steps for a linear rate ``rate`` to reduce an error by ``reduction`` (with some slack)."""
    if rate <= 0:
        return extra
    need = math.log(reduction) / math.log(rate)
    return int(min(cap, math.ceil(slack * need) + extra))


def check_finite_tensor(t: Any, what: str) -> None:
    """ConvergenceError naming ``what`` when a tensor holds NaN or Inf (training diverged)."""
    if not bool(torch.isfinite(t).all()):
        raise ConvergenceError(f"{what} is not finite (NaN or Inf): training diverged")
