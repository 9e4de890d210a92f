"""One place that makes the ``rich`` consoles of the CLI, and the "did you mean" of its errors.

Width: a terminal is as wide as ``rich`` finds it (which honours ``COLUMNS``); output to a pipe or a
file follows ``COLUMNS`` when it is set, and is otherwise plain text: no width limit, so a table row
stays one line and a log greps well (no colours either: ``rich`` writes none when not a terminal).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

from rich import box
from rich.console import Console

__all__ = ["PLAIN_WIDTH", "columns", "console", "did_you_mean", "is_plain", "table_box"]

#: the width of plain-text output (a pipe or file without ``COLUMNS``): wide enough never to wrap a row
PLAIN_WIDTH = 1000


def columns() -> int | None:
    """``COLUMNS`` when it is a positive integer, else ``None``."""
    text = os.environ.get("COLUMNS", "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A console for standard output (or ``stderr``).

    A terminal keeps its own width; a pipe or file is ``width`` columns wide when given, else
    ``COLUMNS`` wide when set, else :data:`PLAIN_WIDTH` (plain text, see :func:`is_plain`).
    """
    probe = Console(stderr=stderr)
    if probe.is_terminal:
        return probe
    return Console(stderr=stderr, width=width or columns() or PLAIN_WIDTH)


def is_plain(out: Console) -> bool:
    """True for plain-text output (a pipe or file without ``COLUMNS``): rows are not wrapped."""
    return not out.is_terminal and out.width >= PLAIN_WIDTH


def table_box(out: Console, framed: box.Box = box.HEAVY_HEAD) -> box.Box | None:
    """The box of a table printed on ``out``: none in plain text (columns separated by spaces)."""
    return None if is_plain(out) else framed


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices`` to ``word`` (case-insensitive,
    :func:`difflib.get_close_matches`), or ``""`` when none is close."""
    choices = list(dict.fromkeys(choices))
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=3, cutoff=0.6)
    if not close:
        return ""
    names = [repr(by_lower[c]) for c in close]
    return (
        "; did you mean "
        + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1])
        + "?"
    )
