"""One place that makes the ``rich`` consoles of the CLI, and the "did you mean" of its errors.

Width: a terminal is as wide as ``rich`` finds it (which honours ``COLUMNS``); output to a pipe or a
file follows ``COLUMNS`` when it is set, and is otherwise plain text: no width limit, so a table row
stays one line and a log greps well (no colours either: ``rich`` writes none when not a terminal).
"""

from __future__ import annotations

import difflib
import io
import os
import sys
import textwrap
from collections.abc import Iterable

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

__all__ = [
    "PLAIN_WIDTH",
    "TrimmedLines",
    "columns",
    "console",
    "did_you_mean",
    "is_plain",
    "note",
    "progress",
    "table_box",
]

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
    if width or columns():
        return Console(stderr=stderr, width=width or columns())
    # plain text: rich pads every table line to the console's width; a pipe gets the lines unpadded
    return Console(file=TrimmedLines(stderr=stderr), width=PLAIN_WIDTH)  # type: ignore[arg-type]


class TrimmedLines(io.TextIOBase):
    """Standard output (or error, looked up at each write, as ``rich`` does) with the trailing spaces
    of every line removed: plain text for a pipe, where ``rich``'s padding to the width is noise."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._pending = ""  # the unfinished last line: its trailing spaces may be followed by text

    @property
    def _target(self) -> io.TextIOBase:
        return sys.stderr if self._stderr else sys.stdout  # type: ignore[return-value]

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._target.fileno()

    def write(self, text: str) -> int:
        head, newline, self._pending = (self._pending + text).rpartition("\n")
        if newline:
            self._target.write("\n".join(line.rstrip(" ") for line in head.split("\n")) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._target.write(self._pending)
            self._pending = ""
        self._target.flush()


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


def progress(*, disable: bool = False, err: Console | None = None) -> Progress:
    """The progress bar of every command that runs longer than a second: description, bar, n/m done,
    time elapsed, on standard error (``err``, else a new stderr console) and gone when done, so that
    standard output stays clean for a pipe and for ``--json``; drawn only on a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err or console(stderr=True),
        transient=True,
        disable=disable,
    )


def note(
    out: Console,
    text: str,
    width: int,
    *,
    indent: str = "",
    style: str = "",
    styled: int = 0,
    break_long_words: bool = True,
) -> None:
    """A note under a table, wrapped to ``width`` with its continuation lines indented four columns
    deeper than its first (so a wrapped note reads as one); ``style`` colours its first ``styled``
    characters."""
    lines = textwrap.wrap(
        text,
        width=max(width, 20),
        initial_indent=indent,
        subsequent_indent=indent + "    ",
        break_long_words=break_long_words,
        break_on_hyphens=False,
    ) or [indent]
    body = Text("\n".join(lines))
    if style:
        body.stylize(style, len(indent), len(indent) + styled)
    out.print(body, highlight=False, soft_wrap=True)
