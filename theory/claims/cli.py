"""``wdt claims``: run the claims ledger's evidence and print each record with its verdict and status.

Two tables (``rich``, in the style of ``wdt verify``; a progress bar on standard error): the code
listings of the five source texts, then their claims, one row per record: id, verdict (claims),
status, the evidence references, and the seconds its checks took. Under the tables: the checks whose
tolerance is empirical, the reason of every ``unverified`` record, and a summary line (counts by
verdict and by status).

Statuses: ``verified`` (every check the evidence stands for ran and passed), ``unverified`` (one
failed, crashed or was skipped: a claim whose evidence did not run is never reported as holding),
``n/a`` (a "not a mathematical claim": nothing to verify; evidence it cites must still pass).

``--json`` prints an array with one object per record (:meth:`theory.claims.ClaimOutcome.as_dict`):
``kind`` (``"listing"`` or ``"claim"``), the record's fields (with ``source_title``), ``status``,
``reason``, ``seconds`` and ``checks`` (per check: ``ref`` and the keys of ``wdt verify --json``; an
evidence check's ``source`` is its source text's key).

Exit status: 0 when no record is unverified, 1 when one is, 2 for bad usage
(an unknown source or id prefix, an invalid record, ``--device cuda`` without CUDA); 130 after Ctrl-C,
which prints the records finished so far (marked as interrupted: in the table's title, and with
``--json`` as a last array element ``{"kind": "interrupted", "records": n, "planned": m, "reason": ...}``
after the n finished records), and 141 when the output pipe closes
early, as for ``wdt verify`` (:func:`theory.harness.cli.main`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable

from rich.box import HEAVY_HEAD
from rich.markup import escape
from rich.table import Table

from theory.checks import CheckContext, Outcome
from theory.claims import (
    STATUSES,
    VERDICTS,
    Claim,
    ClaimOutcome,
    LedgerInterrupted,
    Listing,
    load,
    plan,
    run_ledger,
)
from theory.harness.console import console as make_console
from theory.harness.console import is_plain, note
from theory.harness.console import progress as progress_bar

__all__ = ["add_arguments", "render_text", "run"]

_STATUS_STYLE = {"verified": "green", "unverified": "bold red", "n/a": "yellow"}
_VERDICT_STYLE = {
    "holds": "green",
    "holds under conditions": "cyan",
    "false": "magenta",
    "not a mathematical claim": "dim",
}
#: printed after an evidence reference one of whose checks has an empirical tolerance
EMPIRICAL_MARK = "*"
#: 128 + SIGINT (as :data:`theory.harness.cli.EXIT_INTERRUPTED`, which imports this module)
EXIT_INTERRUPTED = 130


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``wdt claims``."""
    p.add_argument(
        "--source",
        action="extend",
        nargs="+",
        default=[],
        metavar="S",
        help="only these source texts: d2l, ddlee, apx, pydl, manhua (repeatable)",
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ID-PREFIX",
        help="only the records whose id starts with this, e.g. 'd2l.' (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array instead of the tables")
    from theory.harness.cli import seed_type  # a negative seed is a usage error, not an unverified claim

    p.add_argument("--seed", type=seed_type, default=0, help="seed of every random draw (default 0)")
    p.add_argument("--thorough", action="store_true", help="the evidence checks' larger runs")
    p.add_argument(
        "--device",
        default="cpu",
        type=str.lower,
        choices=["cpu", "cuda"],
        help="torch device for the torch evidence",
    )
    p.epilog = (
        "statuses: verified (every evidence check passed), unverified (one failed, crashed or was "
        "skipped), n/a (not a mathematical claim: nothing to verify; evidence it cites must still pass). "
        "Exit status 0 when no record is unverified, 1 when one is, 2 for bad usage."
    )


#: below this many columns the evidence goes under the id, one reference a line, instead of into a
#: column of its own (five columns do not fit 80 without folding ids and references mid-word)
NARROW = 110


def _evidence_refs(outcome: ClaimOutcome) -> list[str]:
    """The record's references; a ``*`` marks one with a check whose tolerance is empirical."""
    empirical = {
        ref for ref, o in zip(outcome.refs, outcome.outcomes, strict=True) if o.tolerance_basis == "empirical"
    }
    return [ref + (EMPIRICAL_MARK if ref in empirical else "") for ref in outcome.record.evidence]


def _tables(outcomes: list[ClaimOutcome], title: str, width: int, plain: bool = False) -> list[Table]:
    """The listings table and the claims table (a table only where there are records of its kind)."""
    narrow = width < NARROW
    listings = [o for o in outcomes if not isinstance(o.record, Claim)]
    claims = [o for o in outcomes if isinstance(o.record, Claim)]
    tables = []
    for kind, rows in (("code listings", listings), ("claims", claims)):
        if not rows:
            continue
        table = Table(title=f"{title}: {kind}", header_style="bold", box=None if plain else HEAVY_HEAD)
        # the status keeps its width (it is what the reader looks for); the rest wraps, ids and
        # references folding only when a single one is wider than its column
        table.add_column(f"id, evidence{EMPIRICAL_MARK}" if narrow else "id", overflow="fold", ratio=3)
        if kind == "claims":
            # narrow: as wide as its longest word ("mathematical"), the verdict wraps into lines
            table.add_column("verdict", width=12 if narrow else None, ratio=None if narrow else 2)
        table.add_column("status", no_wrap=True, min_width=10)
        if not narrow:
            table.add_column(f"evidence{EMPIRICAL_MARK}", overflow="fold", ratio=4)
        table.add_column("s", justify="right", no_wrap=True)
        for o in rows:
            refs = _evidence_refs(o) or ["—"]
            if narrow:
                cells = [escape(o.record.id) + "".join(f"\n  [dim]{escape(r)}[/]" for r in refs)]
            else:
                cells = [escape(o.record.id)]
            if isinstance(o.record, Claim):
                cells.append(f"[{_VERDICT_STYLE[o.record.verdict]}]{o.record.verdict}[/]")
            cells.append(f"[{_STATUS_STYLE[o.status]}]{o.status}[/]")
            if not narrow:
                cells.append(escape(", ".join(refs)))
            cells.append(f"{o.seconds:.2f}")
            table.add_row(*cells)
        tables.append(table)
    return tables


def _summary(outcomes: list[ClaimOutcome], checks: int, seconds: float) -> str:
    """Counts by verdict (claims) and by status (listings, claims), the checks run and the time."""
    parts = []
    for kind, rows in (
        ("listings", [o for o in outcomes if not isinstance(o.record, Claim)]),
        ("claims", [o for o in outcomes if isinstance(o.record, Claim)]),
    ):
        if not rows:
            continue
        status = Counter(o.status for o in rows)
        shown = STATUSES if kind == "claims" else ("verified", "unverified")  # a listing is never n/a
        text = f"{len(rows)} {kind}: " + ", ".join(f"{status[s]} {s}" for s in shown)
        if kind == "claims":
            verdict = Counter(o.record.verdict for o in rows if isinstance(o.record, Claim))
            text += " (" + ", ".join(f"{verdict[v]} {v}" for v in VERDICTS) + ")"
        parts.append(text)
    if not parts:
        parts.append("no records")
    return "; ".join(parts) + f"; {checks} checks in {seconds:.1f} s"


def render_text(outcomes: list[ClaimOutcome], *, title: str, checks: int, seconds: float) -> None:
    """Print the tables, the notes and the summary to standard output."""
    console = make_console()  # a pipe or file: COLUMNS wide when set, else plain text (one line a row)
    for table in _tables(outcomes, title, console.width, is_plain(console)):
        console.print(table)
    ran: dict[str, Outcome] = {}
    for o in outcomes:
        ran.update((f"{c.id} ({c.route})", c) for c in o.outcomes)
    empirical = {key: c.empirical_reason for key, c in ran.items() if c.tolerance_basis == "empirical"}
    width = console.width
    if empirical:
        console.print(
            f"{EMPIRICAL_MARK} empirical tolerance (not derived from the route's error bound):",
            highlight=False,
            markup=False,
        )
        for key, reason in empirical.items():
            note(console, f"{key}: {reason}", width, indent="  ", break_long_words=False)
    unverified = [o for o in outcomes if o.status == "unverified"]
    for o in unverified:
        text = f"unverified {o.record.id}: {o.reason}"
        note(console, text, width, style="bold red", styled=len("unverified"), break_long_words=False)
    colour = "red" if unverified else "green"
    summary = _summary(outcomes, checks, seconds)
    note(console, summary, width, style=colour, styled=len(summary), break_long_words=False)


def _run_with_progress(
    records: Iterable[Claim | Listing], ctx: CheckContext, progress: bool
) -> list[ClaimOutcome]:
    records = list(records)
    with progress_bar(disable=not progress) as bar:
        task = bar.add_task("claims", total=len(plan(records)))
        return run_ledger(
            records,
            ctx,
            on_start=lambda key: bar.update(task, description=key),
            on_run=lambda key, outcome: bar.advance(task),
        )


def run(args: argparse.Namespace) -> int:
    """Run the ledger; exit status 1 when a record with evidence is unverified."""
    records = load(sources=args.source, only=args.only)
    if args.device != "cpu":
        from theory.empirical import resolve_device

        resolve_device(args.device)  # DeviceUnavailableError (exit status 2) without the device
    ctx = CheckContext(seed=args.seed, thorough=args.thorough, device=args.device)
    start = time.perf_counter()
    interrupted: LedgerInterrupted | None = None
    try:
        outcomes = _run_with_progress(records, ctx, progress=True)  # stderr, terminal only: --json stays pure
    except LedgerInterrupted as stop:  # Ctrl-C: the records finished so far, then status 130
        outcomes, interrupted = stop.outcomes, stop
    seconds = time.perf_counter() - start
    status = 1 if any(o.status == "unverified" for o in outcomes) else 0
    if args.json:
        rows: list[dict[str, object]] = [o.as_dict() for o in outcomes]
        if interrupted is not None:  # the array itself says it is incomplete, not only the exit status
            rows.append(
                {
                    "kind": "interrupted",
                    "records": len(outcomes),
                    "planned": interrupted.planned,
                    "reason": f"Ctrl-C: {interrupted}",
                }
            )
        json.dump(rows, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        mode = "thorough" if args.thorough else "default"
        title = f"wdt claims (seed {args.seed}, {mode} cases, device {args.device})"
        if interrupted is not None:
            title += f", INTERRUPTED after {len(outcomes)} of {interrupted.planned} records"
        checks = len({(c.id, c.route) for o in outcomes for c in o.outcomes})
        render_text(outcomes, title=title, checks=checks, seconds=seconds)
    if interrupted is not None:
        print(f"wdt claims: {interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return status
