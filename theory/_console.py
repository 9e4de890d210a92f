"""One place that makes the ``rich`` consoles of the CLI."""

from __future__ import annotations

from rich.console import Console


def console(*, stderr: bool = False, width: int = 140) -> Console:
    """A console; written to a pipe or a file (CI logs), it is ``width`` columns wide, not 80."""
    probe = Console(stderr=stderr)
    if probe.is_terminal:
        return probe
    return Console(stderr=stderr, width=width)
