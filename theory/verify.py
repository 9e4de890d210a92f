"""``wdt verify``: run every registered check and print one row per (theorem id, route).

The table (``rich``) shows for each row the theorem id, title, source, route, the number of cases
tried, the worst error against the tolerance it was held to (and their ratio: the margin), the time
and the status. A progress bar goes to standard error, so ``--json`` output stays clean.

A tolerance derived from the route's error bound is printed as is; one that could only be set
empirically carries a mark (``*``) and the reasons are listed under the table (``--json``: the keys
``tolerance_basis`` and ``empirical_reason``). Ctrl-C stops the run: the rows finished so far are
printed, marked as interrupted, and the exit status is 130.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterable

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from theory._console import console as make_console
from theory.checks import CheckContext, Outcome, all_checks, load_plugins, run_check, select
from theory.errors import InputError

__all__ = ["EMPIRICAL_MARK", "Interrupted", "format_error", "run_checks", "verify"]

_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow"}

#: printed after a tolerance that is empirical rather than derived from the route's error bound
EMPIRICAL_MARK = "*"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_checks`: carries the outcomes finished before it and the planned count."""

    def __init__(self, outcomes: list[Outcome], planned: int) -> None:
        super().__init__(f"interrupted after {len(outcomes)} of {planned} checks")
        self.outcomes = outcomes
        self.planned = planned


def run_checks(
    *,
    only: Iterable[str] = (),
    routes: Iterable[str] = (),
    seed: int = 0,
    thorough: bool = False,
    device: str = "cpu",
    progress: bool = True,
    plugins: Iterable[str] = (),
) -> list[Outcome]:
    """Run the selected checks and return their outcomes, in catalogue order.

    The installed plugins and ``plugins`` (module names or ``.py`` paths) are loaded first
    (:func:`theory.checks.load_plugins`); each one that fails adds a failed row ``plugin:<name>`` after
    the others, whatever ``only`` and ``routes`` select (which ids a broken plugin provides is unknown),
    and an ``only`` prefix that matches no check is then no error of its own.

    Raises:
        Interrupted: on Ctrl-C, with the outcomes of the checks that finished.
    """
    only, routes = list(only), list(routes)
    broken = [failure.outcome() for failure in load_plugins(plugins)]
    found = all_checks()
    try:
        checks = select(found, only, routes)
    except InputError:
        if not broken:
            raise
        select(found, (), routes)  # a bad route stays an error
        matched = [p for p in only if any(c.theorem_id.startswith(p) for c in found)]
        checks = select(found, matched, routes) if matched else []
    ctx = CheckContext(seed=seed, thorough=thorough, device=device)
    outcomes: list[Outcome] = []
    err = make_console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not progress,
    ) as bar:
        task = bar.add_task("verifying", total=len(checks))
        try:
            for check in checks:
                bar.update(task, description=f"{check.theorem_id} [{check.route}]")
                outcomes.append(run_check(check, ctx))
                bar.advance(task)
        except KeyboardInterrupt:
            raise Interrupted(outcomes, len(checks)) from None
    return outcomes + broken


def format_error(outcome: Outcome) -> str:
    """``error / tolerance (ratio)``; for a passing derivation, how far it goes; ``—`` for a skip."""
    if outcome.status == "skip":
        return "—"
    if outcome.route == "symbolic" and outcome.status == "pass":
        return outcome.detail  # "proved for general n" or "checked for n ≤ N": how far it goes
    if outcome.max_error == 0 and outcome.tolerance == 0:
        return "exact"
    if not math.isfinite(outcome.max_error):
        return "—"
    mark = EMPIRICAL_MARK if outcome.tolerance_basis == "empirical" else ""
    return f"{outcome.max_error:.1e} / {outcome.tolerance:.1e}{mark} ({outcome.ratio:.2g})"


def _empirical_notes(outcomes: list[Outcome]) -> list[str]:
    """One line per row whose tolerance is empirical: ``id (route): reason``."""
    return [f"{o.id} ({o.route}): {o.empirical_reason}" for o in outcomes if o.tolerance_basis == "empirical"]


def _table(outcomes: list[Outcome], title: str) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    # the columns a reader must see (id, route, the numbers, status) keep their width; title, source
    # and a derivation's scope wrap (a symbolic row's scope can be a sentence)
    table.add_column("id", no_wrap=True, min_width=12)
    table.add_column("title", max_width=34)
    table.add_column("source", max_width=22)
    table.add_column("route", no_wrap=True, min_width=9)
    table.add_column("cases", justify="right")
    table.add_column(f"worst error / tolerance{EMPIRICAL_MARK} (ratio)", max_width=34, min_width=25)
    table.add_column("s", justify="right")
    table.add_column("status", no_wrap=True, min_width=6)
    for o in outcomes:
        status = f"[{_STYLE[o.status]}]{o.status}[/]"
        table.add_row(
            o.id, o.title, o.source, o.route, str(o.cases), format_error(o), f"{o.seconds:.2f}", status
        )
    return table


def verify(
    *,
    only: Iterable[str] = (),
    routes: Iterable[str] = (),
    seed: int = 0,
    thorough: bool = False,
    device: str = "cpu",
    as_json: bool = False,
    plugins: Iterable[str] = (),
) -> int:
    """Run the checks, print the table (or JSON), return 0 exactly when no check failed.

    On Ctrl-C: print the finished rows the same way, say so, and return 130.
    """
    start = time.perf_counter()
    interrupted: Interrupted | None = None
    try:
        outcomes = run_checks(
            only=only,
            routes=routes,
            seed=seed,
            thorough=thorough,
            device=device,
            progress=not as_json,
            plugins=plugins,
        )
    except Interrupted as stop:
        outcomes, interrupted = stop.outcomes, stop
    failed = sum(o.status == "fail" for o in outcomes)
    status = 130 if interrupted is not None else 1 if failed else 0
    if as_json:
        json.dump([o.as_dict() for o in outcomes], sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        if interrupted is not None:
            print(f"wdt verify: {interrupted}", file=sys.stderr)
        return status
    passed = sum(o.status == "pass" for o in outcomes)
    skipped = sum(o.status == "skip" for o in outcomes)
    console = make_console()
    mode = "thorough" if thorough else "default"
    title = f"wdt verify (seed {seed}, {mode} cases, device {device})"
    if interrupted is not None:
        title += f", INTERRUPTED after {len(outcomes)} of {interrupted.planned} checks"
    console.print(_table(outcomes, title))
    notes = _empirical_notes(outcomes)
    if notes:
        console.print(
            f"{EMPIRICAL_MARK} empirical tolerance (not derived from the route's error bound):",
            highlight=False,
            markup=False,
        )
        for line in notes:
            console.print(f"  {line}", highlight=False, markup=False)
    for o in outcomes:
        if o.status != "pass":
            console.print(
                f"[{_STYLE[o.status]}]{o.status}[/] {o.id} ({o.route}): {escape(o.detail)}", highlight=False
            )
    colour = "red" if failed or interrupted is not None else "green"
    console.print(
        f"[{colour}]{passed} passed, {failed} failed, {skipped} skipped[/] "
        f"in {time.perf_counter() - start:.1f} s"
        + ("" if interrupted is None else f"; [bold red]interrupted[/]: {interrupted}")
    )
    return status
