"""Saving figures: deterministic bytes, atomic writes.

Two builds of the same figure give byte-identical files:

- PDF: no ``CreationDate``, ``Producer`` or ``Creator`` (matplotlib writes the time and its version);
  fonts are embedded as Type 42 (``pdf.fonttype = 42``).
- SVG: no ``Date`` or ``Creator``; ``svg.hashsalt`` fixed, so the element ids matplotlib derives from
  random salts are the same every run.
- PNG: no ``Software`` text chunk.

A file is first written to a temporary file in the target directory and then moved over the target
with :func:`os.replace` (atomic on POSIX and Windows), so an interrupted run leaves either the old
file or the new one, never half of one.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from theory.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["FORMATS", "SVG_HASHSALT", "atomic_write", "figure_bytes", "metadata", "save_figure"]

#: the formats ``wdt figures`` writes
FORMATS: tuple[str, ...] = ("pdf", "png", "svg")

#: fixed salt for the ids in SVG output
SVG_HASHSALT = "weight-decay-theory"


def metadata(fmt: str) -> dict[str, Any]:
    """The ``metadata`` argument of ``savefig`` that clears every time- or version-dependent field."""
    if fmt == "pdf":
        return {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    if fmt == "png":
        return {"Software": None}
    raise InputError(f"unknown figure format {fmt!r}; choose from {', '.join(FORMATS)}")


def figure_bytes(fig: Figure, fmt: str, *, dpi: float | None = None) -> bytes:
    """The bytes of ``fig`` in ``fmt`` (``pdf``, ``png`` or ``svg``), deterministic for a given input."""
    import matplotlib

    meta = metadata(fmt)
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "pdf.fonttype": 42, "ps.fonttype": 42}):
        extra: dict[str, Any] = {} if dpi is None else {"dpi": dpi}
        fig.savefig(buf, format=fmt, metadata=meta, **extra)
    return buf.getvalue()


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory and ``os.replace``.

    The directory is created if needed. On any error the temporary file is removed and the target
    is untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: float | None = None) -> Path:
    """Save ``fig`` to ``path``, the format taken from the suffix, deterministically and atomically."""
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise InputError(
            f"cannot tell the figure format from {str(target)!r}; the suffix must be one of "
            f"{', '.join('.' + f for f in FORMATS)}"
        )
    return atomic_write(target, figure_bytes(fig, fmt, dpi=dpi))
