"""One exception family for the whole toolkit.

Every error a user can provoke with bad input is a :class:`TheoryError` (a ``ValueError``), and its
message names the violated assumption and the measured value, for example::

    PreconditionError: l2.optimum needs H + αI positive definite; smallest eigenvalue of H is
    -0.31 and α = 0.1

Catch :class:`TheoryError` to catch them all; catch a subclass to catch one kind.
"""

from __future__ import annotations

__all__ = [
    "ConventionError",
    "ConvergenceError",
    "DeviceUnavailableError",
    "InputError",
    "MissingDependencyError",
    "PreconditionError",
    "ResourceError",
    "StabilityError",
    "TheoryError",
]


class TheoryError(ValueError):
    """Base class of every error raised on purpose by ``weight-decay-theory``."""


class InputError(TheoryError):
    """An argument is malformed: NaN/Inf, wrong shape or ndim, empty, complex, wrong type or range."""


class PreconditionError(TheoryError):
    """The input is well formed but violates a theorem's assumption (PSD, H + αI ≻ 0, diagonal H)."""


class StabilityError(PreconditionError):
    """A step size is outside the range in which gradient descent converges (gd.stability)."""


class ConvergenceError(TheoryError):
    """An iterative solver stopped before meeting its stopping rule."""


class ConventionError(TheoryError):
    """A library setting has no equivalent in the canonical convention (e.g. decoupled AdamW)."""


class ResourceError(TheoryError, MemoryError):
    """A computation would allocate more memory than the limit allows (:mod:`theory.resources`).

    Raised *before* the allocation, with the bytes asked for, the limit, what needed them and how to
    proceed; also a ``MemoryError``, so code that already guards against running out of memory catches it.
    """


class MissingDependencyError(TheoryError, ImportError):
    """An optional dependency (an extra such as ``torch``) is not installed."""


class DeviceUnavailableError(TheoryError):
    """A well-formed torch device that this machine does not have (``"cuda"`` without a GPU)."""
