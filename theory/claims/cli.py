"""``wdt claims``: run the claims ledger's evidence and print each claim with its verdict and status."""

from __future__ import annotations

import argparse
import json

from theory.checks import CheckContext

__all__ = ["add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``wdt claims``."""
    p.add_argument(
        "--source", action="append", default=[], metavar="S", help="only this source text (repeatable)"
    )
    p.add_argument("--json", action="store_true", help="print a JSON array instead of the table")
    p.add_argument("--seed", type=int, default=0, help="seed of every random draw (default 0)")


def run(args: argparse.Namespace) -> int:
    """Run the ledger; exit status 1 when a claim with evidence is unverified."""
    from theory.claims import Claim, Listing, run_ledger
    from theory.claims.records import CLAIMS, LISTINGS, SOURCES
    from theory.errors import InputError

    for key in args.source:
        if key not in SOURCES:
            raise InputError(f"unknown source {key!r}; sources are {', '.join(SOURCES)}")
    every: list[Claim | Listing] = [*LISTINGS, *CLAIMS]
    records = [r for r in every if not args.source or r.source in args.source]
    outcomes = run_ledger(records, CheckContext(seed=args.seed))
    if args.json:
        print(
            json.dumps(
                [{"id": o.record.id, "status": o.status, "reason": o.reason} for o in outcomes], indent=1
            )
        )
    else:
        for o in outcomes:
            print(o.record.id, o.status, o.reason)
    return 1 if any(o.status == "unverified" for o in outcomes) else 0
