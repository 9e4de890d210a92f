"""Every input check of the toolkit, in one place.

Each function returns the cleaned value (a float64 or float32 ndarray, a float, an int array) or
raises an :class:`~theory.errors.InputError` / :class:`~theory.errors.PreconditionError` whose message
names the argument, the assumption and the offending value. Callers pass ``where`` (the theorem id or
function name) so a message says which result needed the assumption.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError, PreconditionError

__all__ = [
    "as_alphas",
    "as_array",
    "as_count",
    "as_matrix",
    "as_nonneg_float",
    "as_positive_float",
    "as_steps",
    "as_vector",
    "check_finite",
    "dtype_eps",
    "float_dtype",
    "symmetric_tolerance",
]

FloatArray = NDArray[np.floating[Any]]

_ALLOWED = (np.float32, np.float64)


def float_dtype(dtype: Any) -> np.dtype[Any]:
    """``float64`` or ``float32``; anything else (``float16``, complex, object) is an InputError."""
    dt = np.dtype(dtype)
    if dt.type not in _ALLOWED:
        raise InputError(f"dtype must be float64 or float32; got {dt}")
    return dt


def dtype_eps(dtype: Any) -> float:
    """Machine epsilon of a float dtype."""
    return float(np.finfo(np.dtype(dtype)).eps)


def as_array(value: ArrayLike, name: str, *, dtype: Any = None) -> FloatArray:
    """A finite, non-empty real float array (float64 unless ``dtype`` or a float32 input says so)."""
    try:
        raw = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise InputError(f"{name} is not an array: {exc}") from None
    if raw.dtype.kind == "c":
        raise InputError(f"{name} must be real; got complex dtype {raw.dtype}")
    if raw.dtype.kind not in "biuf":
        raise InputError(f"{name} must be a real numeric array; got dtype {raw.dtype}")
    if raw.size == 0:
        raise InputError(f"{name} is empty (shape {raw.shape})")
    if dtype is None:
        dtype = np.float32 if raw.dtype == np.float32 else np.float64
    target = float_dtype(dtype)
    if raw.dtype != target:
        # the conversion copy grows with the input: checked before it is made (an int64 X of 50×10⁵
        # is a 38 MiB float64 copy)
        from theory.resources import array_bytes, check_allocation

        check_allocation(
            array_bytes(raw.shape, target),
            f"the {target} copy of {name} ({'×'.join(map(str, raw.shape))} {raw.dtype})",
            hint=f"pass {name} as a {target} array",
        )
    arr = raw.astype(target, copy=False)
    check_finite(arr, name)
    return arr


def check_finite(arr: NDArray[Any], name: str) -> None:
    """InputError naming how many entries are NaN or infinite, and the first one's index.

    A finite sum proves every entry finite (NaN and ±inf propagate through a sum) without the
    two boolean arrays of ``arr``'s size that an elementwise test allocates; only when the sum is not
    finite (a bad entry, or an overflow of finite ones) is each entry tested.
    """
    if arr.dtype.kind in "fc" and arr.size:
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.sum(arr)
        if np.isfinite(total):
            return
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(
            f"{name} must be finite; {int(bad.sum())} of {arr.size} entries are NaN or infinite "
            f"(first at index {first}: {arr[first]})"
        )


def as_vector(value: ArrayLike, name: str, *, size: int | None = None, dtype: Any = None) -> FloatArray:
    """A finite 1-D float array, of length ``size`` when given."""
    arr = as_array(value, name, dtype=dtype)
    if arr.ndim != 1:
        raise InputError(f"{name} must be 1-D; got shape {arr.shape}")
    if size is not None and arr.shape[0] != size:
        raise InputError(f"{name} must have length {size}; got shape {arr.shape}")
    return arr


def as_matrix(value: ArrayLike, name: str, *, square: bool = False, dtype: Any = None) -> FloatArray:
    """A finite 2-D float array, square when asked."""
    arr = as_array(value, name, dtype=dtype)
    if arr.ndim != 2:
        raise InputError(f"{name} must be 2-D; got shape {arr.shape}")
    if square and arr.shape[0] != arr.shape[1]:
        raise InputError(f"{name} must be square; got shape {arr.shape}")
    return arr


def symmetric_tolerance(H: FloatArray) -> float:
    """How far from symmetric ``H`` may be: ``100·d·eps·max|H|`` (rounding, not a different matrix)."""
    d = H.shape[0]
    scale = float(np.max(np.abs(H))) if H.size else 0.0
    return 100.0 * d * dtype_eps(H.dtype) * max(scale, np.finfo(H.dtype).tiny)


def _as_real_scalar(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.floating | np.integer):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise InputError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    out = float(value)  # type: ignore[arg-type]
    if not np.isfinite(out):
        raise InputError(f"{name} must be finite; got {out}")
    return out


def as_nonneg_float(value: object, name: str, *, where: str = "") -> float:
    """A finite float ≥ 0 (e.g. α)."""
    out = _as_real_scalar(value, name)
    if out < 0:
        raise PreconditionError(f"{_prefix(where)}{name} must be ≥ 0; got {name} = {out}")
    return out


def as_positive_float(value: object, name: str, *, where: str = "") -> float:
    """A finite float > 0 (e.g. ε, σ²)."""
    out = _as_real_scalar(value, name)
    if out <= 0:
        raise PreconditionError(f"{_prefix(where)}{name} must be > 0; got {name} = {out}")
    return out


def as_alphas(value: ArrayLike, name: str = "alphas", *, where: str = "") -> FloatArray:
    """Penalty strengths α as a 1-D float64 array (a scalar becomes length 1): the one α policy.

    Every α-taking entry point (``Quadratic.l2_path``, ``l2_optimum``, ``effective_dof``,
    ``proximal_optimum``, ``theory.selection.ridge_cv``) applies the same rules:

    * malformed input is an :class:`~theory.errors.InputError`: not real numbers (booleans, strings,
      complex), empty, more than one dimension, NaN or ±inf;
    * a negative α is well formed but outside every theorem's assumption α ≥ 0, so it is a
      :class:`~theory.errors.PreconditionError` naming the first offending value
      (``"{where}: alpha must be ≥ 0; got alpha = -1.0"``), as :func:`as_nonneg_float` does for one α.

    Values are validated in float64 and returned in float64: casting first to a float32 problem's
    dtype would turn a large finite α (1e200) into inf and refuse it, where its α → ∞ limit is meant.
    """
    try:
        is_bool = np.asarray(value).dtype == bool
    except Exception:  # ragged lists and the like: as_array words the error
        is_bool = False
    if is_bool:
        raise InputError(f"{_prefix(where)}{name} must be real numbers, not booleans; got {value!r}")
    arr = as_array(value, name, dtype=np.float64)
    if arr.ndim > 1:
        raise InputError(f"{_prefix(where)}{name} must be a number or a 1-D array; got shape {arr.shape}")
    flat = arr.reshape(-1)
    neg = flat < 0
    if neg.any():
        first = float(flat[np.argmax(neg)])
        raise PreconditionError(f"{_prefix(where)}alpha must be ≥ 0; got alpha = {first}")
    return flat


def as_steps(value: ArrayLike, name: str = "tau") -> NDArray[np.int64]:
    """Non-negative integer step counts, as a 1-D int64 array (a scalar becomes length 1).

    Integral floats such as ``10.0`` are accepted; ``10.5``, ``-1``, NaN and booleans are not.
    """
    raw = np.asarray(value)
    if raw.dtype == bool or raw.dtype.kind not in "iuf":
        raise InputError(f"{name} must be non-negative integers; got dtype {raw.dtype}")
    if raw.size == 0:
        raise InputError(f"{name} is empty")
    flat = raw.reshape(-1)
    if raw.dtype.kind == "f":
        check_finite(flat, name)
        frac = flat != np.round(flat)
        if frac.any():
            raise InputError(f"{name} must be integers; got {flat[frac][0]}")
    if (flat < 0).any():
        raise InputError(f"{name} must be ≥ 0; got {flat[flat < 0][0]}")
    return flat.astype(np.int64)


def as_count(value: object, name: str, *, where: str = "", low: int = 0) -> int:
    """An integer ``≥ low`` (a number of steps, probes, a dimension); booleans are refused.

    Raises:
        InputError: anything else, with the value.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise InputError(f"{_prefix(where)}{name} must be an integer ≥ {low}; got {value!r}")
    return int(value)


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""
