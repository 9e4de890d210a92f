"""The memory limit: refuse, before allocating, any array larger than a set number of bytes.

A d×d Hessian of a 200,000-feature regression is 320 GB; NumPy would try to allocate it (and the
machine would swap or be killed) long before anything useful happened. Every place in the toolkit
that allocates an array whose size grows with the problem calls :func:`check_allocation` first, which
raises :class:`theory.errors.ResourceError` naming the bytes, the limit, what needed them and the
route that avoids them.

The limit is per step, not a cap on the process: each check compares the bytes that one step is
about to allocate (one array, or one decomposition with its copies and workspace) with the limit. It
does not add up the arrays that are already alive, nor watch NumPy, SciPy or anything else in the
process; a program can hold many arrays each under the limit and use more memory than the limit in all.

The limit is, in order of precedence: the innermost :func:`memory_limit` context, the value given to
:func:`set_memory_limit`, the environment variable ``WDT_MEMORY_LIMIT`` (bytes, or a size such as
``"8GiB"``, ``"500MB"``; ``"none"`` for no limit), and :data:`DEFAULT_MEMORY_LIMIT` (4 GiB).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from theory.errors import InputError, ResourceError

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "array_bytes",
    "check_allocation",
    "format_bytes",
    "get_memory_limit",
    "memory_limit",
    "parse_bytes",
    "set_memory_limit",
    "suggested_limit",
]

#: the limit when nothing else sets one: 4 GiB, a few times a d = 10⁴ Hessian
DEFAULT_MEMORY_LIMIT = 4 * 2**30

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}

_set_limit: float | None = None
_context_limits: list[float] = []


def parse_bytes(value: str | float) -> float:
    """``"8GiB"`` → 8·2³⁰, ``"500MB"`` → 5·10⁸, ``"none"``/``"inf"`` → ``inf``; a number is taken as bytes."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = float(value)
    else:
        text = str(value).strip().lower().replace(" ", "")
        if text in {"none", "inf", "unlimited"}:
            return math.inf
        m = re.fullmatch(r"([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)([kmgt]?i?b?)", text)
        if m is None or m.group(2) not in _UNITS:
            raise InputError(
                f"a memory size must be a number of bytes or like '8GiB', '500MB', 'none'; got {value!r}"
            )
        v = float(m.group(1)) * _UNITS[m.group(2)]
    if not v > 0:
        raise InputError(f"a memory limit must be positive; got {value!r}")
    return v


def format_bytes(n: float) -> str:
    """``1.5 GiB``, ``320 MiB``, ``12 KiB``, ``7 B`` (binary units, three significant figures)."""
    if math.isinf(n):
        return "unlimited"
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} B"


def get_memory_limit() -> float:
    """The limit in force now, in bytes (``inf`` for none); see the module docstring for the order."""
    if _context_limits:
        return _context_limits[-1]
    if _set_limit is not None:
        return _set_limit
    env = os.environ.get("WDT_MEMORY_LIMIT")
    if env:
        try:
            return parse_bytes(env)
        except InputError as exc:
            raise InputError(
                f"the environment variable WDT_MEMORY_LIMIT={env!r} is not a memory limit: {exc}"
            ) from None
    return float(DEFAULT_MEMORY_LIMIT)


def set_memory_limit(limit: str | float | None) -> None:
    """Set the process-wide limit (``None`` returns to ``WDT_MEMORY_LIMIT`` or the default)."""
    global _set_limit
    _set_limit = None if limit is None else parse_bytes(limit)


@contextmanager
def memory_limit(limit: str | float) -> Iterator[float]:
    """Within the ``with`` block the limit is ``limit`` (``"none"`` lifts it); yields it in bytes."""
    value = parse_bytes(limit)
    _context_limits.append(value)
    try:
        yield value
    finally:
        _context_limits.pop()


def array_bytes(shape: tuple[int, ...] | int, dtype: Any = np.float64) -> int:
    """Bytes of an array of this shape and dtype (Python integers: no overflow)."""
    dims = (shape,) if isinstance(shape, int) else shape
    return math.prod(int(s) for s in dims) * np.dtype(dtype).itemsize


def suggested_limit(nbytes: float) -> str:
    """A limit that admits ``nbytes``: the next power of two GiB at or above it (``"1GiB"`` at least)."""
    if not math.isfinite(nbytes):
        return "none"
    gib = max(1.0, float(nbytes) / 2**30)
    return f"{2 ** math.ceil(math.log2(gib))}GiB"


def check_allocation(nbytes: float, what: str, *, hint: str = "") -> None:
    """Raise :class:`ResourceError` if ``nbytes`` exceed the limit, before anything is allocated.

    Per step: ``nbytes`` is what this one step allocates, compared with the limit on its own (arrays
    already alive are not counted). The message suggests a limit that admits the step
    (:func:`suggested_limit`), to be raised only if the machine has that much free memory.

    Args:
        nbytes: the peak extra bytes the step would allocate (count workspace and copies).
        what: what needs them, with the shape, e.g. ``"H = XᵀX/n, 200000×200000 float64"``.
        hint: the route that avoids the allocation, if there is one.
    """
    limit = get_memory_limit()
    if nbytes > limit:
        msg = f"{what} needs {format_bytes(nbytes)}, more than the memory limit of {format_bytes(limit)}"
        if hint:
            msg += f"; {hint}"
        need = suggested_limit(nbytes)
        msg += (
            f". Raise the limit with theory.resources.memory_limit('{need}') (a with-block), "
            f"set_memory_limit('{need}') or WDT_MEMORY_LIMIT={need}, if the machine has that much free memory"
        )
        raise ResourceError(msg)
