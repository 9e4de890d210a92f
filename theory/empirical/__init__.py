"""The empirical route: real PyTorch models trained with real ``torch.optim`` optimisers.

Every function here trains a model (a linear model, the d2l experiment, a small MLP) with the
optimisers users actually call and compares the trained weights with the closed forms of
:mod:`theory` (docs/reference.md, "Theorem catalogue": ids ``l2.*``, ``es.*``, ``l1.*``, ``gd.*``, ``opt.*``).

torch is an optional dependency (the ``torch`` extra). Importing :mod:`theory.empirical` does not
import it; :func:`require_torch` is the single place that does, and raises
:class:`~theory.errors.MissingDependencyError` naming the extra when it is missing. The submodules

- :mod:`theory.empirical.linear`      linear models under each library convention (l2.ridge, ...),
- :mod:`theory.empirical.d2l`         the d2l weight-decay experiment (gd.min_norm, es.nonzero_init),
- :mod:`theory.empirical.optimizers`  SGD vs SGD+L2, Adam+L2 vs AdamW (opt.sgd_equiv, opt.adam_not_equiv),
- :mod:`theory.empirical.hessian`     dense and Lanczos Hessians of real networks (l2.eigen),
- :mod:`theory.empirical.curvature`   the Hessian of any model, loss and data as a LinearOperator,
- :mod:`theory.empirical.path`        dw̃/dα by MINRES on Hessian-vector products (l2.path_derivative),
- :mod:`theory.empirical.penalties`   identify_penalty: what a user's penalty fn(model) is (l2, l1, ...),
- :mod:`theory.empirical.report`      weight_decay_report: what weight decay does to your network,
- :mod:`theory.empirical.digits`      the repository's real case, a CNN on load_digits,
- :mod:`theory.empirical.normalised`  Linear → BatchNorm/LayerNorm models, scale-invariance detector (si.*),
- :mod:`theory.empirical.equilibrium` a batch-normalised MLP: rotational equilibrium (si.equilibrium),
- :mod:`theory.empirical.dynamics`    SGD at the optimal step (l2.conditioning), AdamW as an EMA (adamw.ema),

call :func:`require_torch` when first imported, so ``from theory.empirical import linear`` without
torch raises that error. ``theory.empirical.checks`` registers the ``empirical`` route of
``wdt verify`` and imports without torch (a check then reports a skip).

Conventions shared by all submodules:

- ``device``: ``"cpu"`` (default), ``"cuda"`` or ``"cuda:N"``; anything else is an
  :class:`~theory.errors.InputError`, and CUDA without a CUDA device is a
  :class:`DeviceUnavailableError`.
- ``dtype``: ``"float64"`` (default) or ``"float32"`` (a string, a NumPy or a torch dtype);
  tolerances scale with ``eps(dtype)`` (:mod:`theory.numerics`).
- ``seed``: every random draw comes from a ``numpy.random.Generator`` or ``torch.Generator`` seeded
  from it, and the torch code paths used are deterministic, so a call is reproducible on one device.
- Results are frozen dataclasses holding NumPy float64 arrays (never tensors), ready for plotting.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import Any

import numpy as np

from theory.errors import DeviceUnavailableError, InputError, MissingDependencyError

__all__ = [
    "TORCH_HINT",
    "DeviceUnavailableError",
    "cuda_available",
    "dtype_name",
    "require_torch",
    "resolve_device",
    "torch_dtype",
]

#: how to install the extra, quoted by every "torch is missing" message
TORCH_HINT = "pip install 'weight-decay-theory[torch]'"

_SUBMODULES = (
    "checks",
    "curvature",
    "d2l",
    "digits",
    "dynamics",
    "equilibrium",
    "hessian",
    "linear",
    "normalised",
    "optimizers",
    "path",
    "penalties",
    "report",
)


def require_torch() -> ModuleType:
    """Import and return ``torch``; the one place the empirical route imports it.

    Raises:
        MissingDependencyError: torch is not installed; the message names the ``torch`` extra.
    """
    try:
        return importlib.import_module("torch")
    except ImportError as exc:
        raise MissingDependencyError(
            f"the empirical route needs PyTorch, which is not installed ({exc}); "
            f"install the extra: {TORCH_HINT}"
        ) from None


def cuda_available() -> bool:
    """True when torch is installed and sees a CUDA device (False, never an error, otherwise)."""
    try:
        torch = require_torch()
    except MissingDependencyError:
        return False
    return bool(torch.cuda.is_available())


_DEVICE = re.compile(r"^(cpu|cuda)(:\d+)?$")


def resolve_device(device: object = "cpu") -> str:
    """Validate a device name and check that it exists: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

    The one device check of the project: the empirical checks, ``python -m theory.empirical`` and
    ``wdt verify --device`` all call it, so asking for a device that is not there is an error with
    the reason, never a run that "passes" with every check skipped.

    Raises:
        InputError: not a string of that form (``"gpu"``, ``"mps"``, ``3``, ``"cpu:1"``).
        DeviceUnavailableError: a CUDA device that this machine does not have; the message names the
            device and why (a CPU-only torch build, no visible device, or an index out of range).
        MissingDependencyError: torch is not installed.
    """
    if not isinstance(device, str) or not _DEVICE.match(device) or device.startswith("cpu:"):
        raise InputError(f"device must be 'cpu', 'cuda' or 'cuda:N'; got {device!r}")
    torch = require_torch()
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            why = (
                "this torch build has no CUDA support (a CPU-only wheel)"
                if torch.version.cuda is None
                else f"torch (CUDA {torch.version.cuda}) sees no CUDA device (driver, CUDA_VISIBLE_DEVICES)"
            )
            raise DeviceUnavailableError(
                f"device {device!r} requested but {why}; torch {torch.__version__}. Use --device cpu"
            )
        index = int(device.split(":")[1]) if ":" in device else 0
        count = torch.cuda.device_count()
        if index >= count:
            raise DeviceUnavailableError(
                f"device {device!r} requested but this machine has {count} CUDA device(s) "
                f"(cuda:0 … cuda:{count - 1})"
            )
    return device


_DTYPES = {"float64": "float64", "double": "float64", "float32": "float32", "float": "float32"}


def dtype_name(dtype: Any = "float64") -> str:
    """``"float64"`` or ``"float32"`` for a string, NumPy or torch dtype; InputError otherwise.

    Integer, half, bfloat16 and complex dtypes are refused: the closed forms are compared in
    float64 or float32 only.
    """
    if isinstance(dtype, str):
        key = dtype.removeprefix("torch.")
    elif type(dtype).__module__.startswith("torch"):
        key = str(dtype).removeprefix("torch.")
    else:
        try:
            key = np.dtype(dtype).name
        except TypeError:
            raise InputError(f"dtype must be float64 or float32; got {dtype!r}") from None
    if key not in _DTYPES:
        raise InputError(f"dtype must be float64 or float32; got {dtype!r}")
    return _DTYPES[key]


def torch_dtype(dtype: Any = "float64") -> Any:
    """The torch dtype (``torch.float64`` or ``torch.float32``) for :func:`dtype_name` input."""
    torch = require_torch()
    return getattr(torch, dtype_name(dtype))


def __getattr__(name: str) -> ModuleType:
    # ``theory.empirical.linear`` etc. load on first use, so importing the package needs no torch
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
