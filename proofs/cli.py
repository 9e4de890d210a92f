"""``wdt proofs``: check every SymPy derivation, print a table, optionally write the document.

``wdt proofs``                       check all derivations; exit 0 when every step of every one holds
``wdt proofs --only es.``            only ids starting with ``es.`` (repeatable)
``wdt proofs --out DERIVATIONS.md``  also write the derivations document (atomically)

Module-level imports stay light: SymPy is imported by :func:`run` only.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from theory.errors import InputError

__all__ = ["add_arguments", "run", "write_atomically"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``wdt proofs``."""
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PREFIX",
        help="theorem id prefix, e.g. 'l2.' (repeatable)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE.md",
        type=Path,
        help="write the derivations document (Markdown with $$ math) to this file",
    )


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise InputError(f"--out {str(path)!r}: the directory {str(directory)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    """Check the selected derivations, print one row each, write ``--out``; 0 iff all hold."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from proofs import registry
    from proofs.document import render

    selected = registry.ids(args.only)
    table = Table(title="wdt proofs: SymPy derivations")
    for column in ("id", "status", "how far"):
        table.add_column(column)
    for column in ("steps", "seconds"):
        table.add_column(column, justify="right")
    failed = 0
    for theorem_id in selected:
        outcome = registry.report(theorem_id)
        failed += not outcome.ok
        status = "[green]proved[/green]" if outcome.ok else "[red]FAIL[/red]"
        detail = escape(outcome.detail)
        table.add_row(theorem_id, status, detail, str(outcome.steps), f"{outcome.seconds:.2f}")
    console = Console()
    console.print(table)
    if args.out is not None:
        write_atomically(args.out, render(registry.derivation(t) for t in selected))
        console.print(f"wrote {args.out}")
    if failed:
        console.print(f"[red]{failed} of {len(selected)} derivations fail[/red]")
        return 1
    console.print(f"all {len(selected)} derivations hold")
    return 0
