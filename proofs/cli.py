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
        type=_out_file,
        help="write the derivations document (Markdown with $$ math) to this file",
    )


def _out_file(text: str) -> Path:
    """``--out``'s value as a path; an empty one is a usage error (``Path('')`` would be ``.``)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"needs a file name, e.g. DERIVATIONS.md; got {text!r}")
    return Path(text)


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


def _check_prefixes(prefixes: list[str]) -> None:
    """An :class:`InputError` for a ``--only`` prefix that matches no derivation, with the closest id
    or family (``l2.``) as a "did you mean"."""
    from proofs import registry
    from theory.harness.console import did_you_mean

    known = registry.ids()
    families = [i.split(".")[0] + "." for i in known]
    for prefix in prefixes:
        if not prefix.strip():
            raise InputError(f"--only needs a theorem id prefix, e.g. 'l2.'; got {prefix!r}")
        if not any(i.startswith(prefix) for i in known):
            raise InputError(
                f"--only {prefix!r} matches no derivation{did_you_mean(prefix, [*families, *known])} "
                f"(ids with derivations: {', '.join(known)})"
            )


def run(args: argparse.Namespace) -> int:
    """Check the selected derivations, print one row each, write ``--out``; 0 iff all hold.

    A progress bar on standard error names the derivation being checked."""
    from rich.markup import escape
    from rich.table import Table

    from proofs import registry
    from proofs.document import render
    from theory.harness.console import console as make_console
    from theory.harness.console import progress as progress_bar
    from theory.harness.console import table_box

    _check_prefixes(list(args.only))
    if args.out is not None and args.out.is_dir():  # say so before the work
        raise InputError(f"--out {str(args.out)!r} is a directory; give a file name, e.g. DERIVATIONS.md")
    if args.out is not None and not args.out.resolve().parent.is_dir():  # say so before the work
        raise InputError(
            f"--out {str(args.out)!r}: the directory {str(args.out.resolve().parent)!r} does not exist"
        )
    selected = registry.ids(args.only)
    console = make_console()
    table = Table(title="wdt proofs: SymPy derivations", box=table_box(console))
    table.add_column("id", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("how far")
    for column in ("steps", "seconds"):
        table.add_column(column, justify="right", no_wrap=True)
    failed = 0
    with progress_bar() as bar:
        task = bar.add_task("proofs", total=len(selected))
        for theorem_id in selected:
            bar.update(task, description=theorem_id)
            outcome = registry.report(theorem_id)
            bar.advance(task)
            failed += not outcome.ok
            status = "[green]proved[/green]" if outcome.ok else "[red]FAIL[/red]"
            detail = escape(outcome.detail)
            table.add_row(theorem_id, status, detail, str(outcome.steps), f"{outcome.seconds:.2f}")
    console.print(table)
    if args.out is not None:
        write_atomically(args.out, render(registry.derivation(t) for t in selected))
        console.print(f"wrote {args.out}")
    if failed:
        console.print(f"[red]{failed} of {len(selected)} derivations fail[/red]")
        return 1
    console.print(f"all {len(selected)} derivations hold")
    return 0
