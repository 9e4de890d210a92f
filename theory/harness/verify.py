"""``wdt verify``: run every registered check and print one row per theorem (or per (theorem, route)).

The default table (``rich``) has one row per theorem: its id, its title and one cell per route, the
status with its margin, e.g. ``pass 0.03``: the worst error over the tolerance it was held to (a
derivation's cell says ``pass`` when proved for general n and ``pass n≤N`` when checked up to N;
``—``: no check on that route). It fits 80 columns: below :data:`NARROW` columns the title goes
under the id, and no status cell ever wraps or is cut. ``--verbose`` prints one row per (theorem,
route) with the source, the number of cases, the worst error against the tolerance (and their
ratio), the seconds and the status. A progress bar goes to standard error, so ``--json`` output stays
clean. Output to a pipe follows ``COLUMNS``, else is plain text (see :mod:`theory.harness.console`).

A tolerance derived from the route's error bound is printed as is; one that could only be set
empirically carries a mark (``*``) and the reasons are listed under the table (``--json``: the keys
``tolerance_basis`` and ``empirical_reason``). Ctrl-C stops the run: the rows finished so far are
printed, marked as interrupted, and the exit status is 130.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
import time
from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from theory.catalogue import CATALOGUE
from theory.checks import (
    ROUTES,
    Check,
    CheckContext,
    Outcome,
    all_checks,
    load_plugins,
    plugin_theorems,
    run_check,
    select,
)
from theory.errors import InputError
from theory.harness.console import console as make_console
from theory.harness.console import did_you_mean, is_plain, note
from theory.harness.console import progress as progress_bar

__all__ = [
    "EMPIRICAL_MARK",
    "NARROW",
    "Interrupted",
    "check_prefixes",
    "format_error",
    "render",
    "route_cell",
    "run_checks",
    "verify",
]

_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow"}
_BOX = box.SIMPLE_HEAD

#: printed after a tolerance that is empirical rather than derived from the route's error bound
EMPIRICAL_MARK = "*"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_checks`: carries the outcomes finished before it, the planned count and
    the checks that were planned but did not run (``not_run``)."""

    def __init__(self, outcomes: list[Outcome], planned: int, not_run: Sequence[Check] = ()) -> None:
        super().__init__(f"interrupted after {len(outcomes)} of {planned} checks")
        self.outcomes = outcomes
        self.planned = planned
        self.not_run = list(not_run)


def run_checks(
    *,
    only: Iterable[str] = (),
    routes: Iterable[str] = (),
    seed: int = 0,
    thorough: bool = False,
    device: str = "cpu",
    progress: bool = True,
    plugins: Iterable[str] = (),
    entry_points: bool = True,
) -> list[Outcome]:
    """Run the selected checks and return their outcomes, in catalogue order.

    The installed plugins (unless ``entry_points`` is false: then their checks are left out too, even
    when loaded earlier in the process) and ``plugins`` (module names or ``.py`` paths) are loaded first
    (:func:`theory.checks.load_plugins`); each one that fails adds a failed row ``plugin:<name>`` after
    the others, whatever ``only`` and ``routes`` select (which ids a broken plugin provides is unknown),
    and an ``only`` prefix that matches no check is then no error of its own. A theorem that a plugin
    added without registering any check gets a failed row ``<id> has no check`` (route ``plugin``),
    selected by ``only`` like a check.

    Raises:
        Interrupted: on Ctrl-C, with the outcomes of the checks that finished.
    """
    only, routes = list(only), list(routes)
    broken = [failure.outcome() for failure in load_plugins(plugins, discover=entry_points)]
    found = [c for c in all_checks() if entry_points or not c.entry_point]
    unchecked = _unchecked(found, entry_points)
    try:
        check_prefixes(found, only, extra_ids=[o.id for o in unchecked])
    except InputError:
        if not broken:
            raise
    select(found, (), routes)  # a bad route is an error
    matched = [p for p in only if p.strip() and any(c.theorem_id.startswith(p) for c in found)]
    checks = select(found, matched, routes) if matched or not only else []
    broken = [o for o in unchecked if not only or any(o.id.startswith(p) for p in only)] + broken
    ctx = CheckContext(seed=seed, thorough=thorough, device=device)
    outcomes: list[Outcome] = []
    err = make_console(stderr=True)
    with progress_bar(disable=not progress, err=err) as bar:
        task = bar.add_task("verifying", total=len(checks))
        try:
            for check in checks:
                bar.update(task, description=escape(f"{check.theorem_id} [{check.route}]"))
                outcomes.append(run_check(check, ctx))
                bar.advance(task)
        except KeyboardInterrupt:
            # the failed plugins' rows too: an interrupted run must not hide that a plugin did not load
            not_run = checks[len(outcomes) :]
            raise Interrupted(outcomes + broken, len(checks) + len(broken), not_run) from None
    return outcomes + broken


#: at most this many ids are listed after an ``--only`` that matches nothing (the closest ones)
LISTED_IDS = 10


def check_prefixes(checks: Iterable[Check], prefixes: Iterable[str], extra_ids: Iterable[str] = ()) -> None:
    """An :class:`InputError` for a ``--only`` prefix that matches no check (nor one of ``extra_ids``),
    with the closest id or family (``l2.``) as a "did you mean" and at most :data:`LISTED_IDS` of the
    closest ids; an empty prefix is an error too (it would select all)."""
    ids = list(dict.fromkeys([*(c.theorem_id for c in checks), *extra_ids]))
    families = list(dict.fromkeys(i.split(".")[0] + "." for i in ids))
    for p in prefixes:
        if not p.strip():
            raise InputError(f"--only needs a theorem id prefix, e.g. 'l2.'; got {p!r}")
        if not any(i.startswith(p) for i in ids):
            hint = did_you_mean(p, [*families, *ids])
            close = difflib.get_close_matches(p.lower(), [i.lower() for i in ids], n=LISTED_IDS, cutoff=0.0)
            by_lower = {i.lower(): i for i in ids}
            listed = ", ".join(by_lower[c] for c in close)
            more = f", ... ({len(ids)} ids; families: {', '.join(families)})" if len(ids) > len(close) else ""
            raise InputError(f"--only {p!r} matches no check{hint} (closest ids: {listed}{more})")


def _unchecked(found: Sequence[Check], entry_points: bool) -> list[Outcome]:
    """A failed row (route ``plugin``) per theorem a plugin added without registering any check."""
    checked = {c.theorem_id for c in found}
    rows = []
    for tid, plugin in plugin_theorems(entry_points=entry_points).items():
        if tid in checked:
            continue
        theorem = CATALOGUE[tid]
        rows.append(
            Outcome.plugin_failure(
                id=tid,
                title=theorem.title,
                source=theorem.source,
                name="a check on some route",
                detail=f"{tid} has no check (plugin {plugin} added it but registered none; "
                "register one with theory.checks.register)",
            )
        )
    return rows


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


#: below this many columns the default view puts a theorem's title under its id, and ``--verbose``
#: puts the title and source under the id, instead of giving them columns of their own
NARROW = 110

_CHECKED_UP_TO = re.compile(r"checked for n ≤ (\d+)")


def _margin(ratio: float) -> str:
    """The ratio error / tolerance in at most five characters: ``0.03``, ``12.35``, ``3e-05``; below
    1e-9 ``<1e-9`` and from 1e9 on ``>1e9`` (an exponent of three digits would not fit)."""
    if not math.isfinite(ratio):
        return ""
    if ratio == 0:  # display only: an error that is exactly zero
        return "0"
    if ratio < 1e-9:
        return "<1e-9"
    if ratio >= 1e9:
        return ">1e9"
    fixed = f"{ratio:.2f}"
    return fixed if ratio >= 0.01 and len(fixed) <= 5 else f"{ratio:.0e}"


def route_cell(outcome: Outcome | None) -> str:
    """The default view's cell of one route: the status and its margin, e.g. ``pass 0.03``.

    ``pass`` alone for a derivation proved for general n, ``pass n≤N`` for one checked up to N;
    ``pass exact`` for an exact comparison; a ``*`` after the margin when the tolerance is empirical;
    ``fail`` with the ratio when there is one (a crash has none); ``skip``; ``—`` when the theorem has
    no check on this route. At most 11 characters.
    """
    if outcome is None:
        return "—"
    if outcome.status == "skip":
        return "skip"
    if outcome.route == "symbolic":
        match = _CHECKED_UP_TO.search(outcome.detail)
        return outcome.status + (f" n≤{match.group(1)}" if match and outcome.status == "pass" else "")
    if outcome.max_error == 0 and outcome.tolerance == 0:
        return f"{outcome.status} exact"
    margin = _margin(outcome.ratio)
    if not margin:
        return outcome.status
    mark = EMPIRICAL_MARK if outcome.tolerance_basis == "empirical" else ""
    return f"{outcome.status} {margin}{mark}"


#: the cell of a check that was planned but did not run (Ctrl-C); ``—`` means there is no check
NOT_RUN = "not run"


def _styled(outcome: Outcome | None, pending: bool = False) -> str:
    text = NOT_RUN if pending and outcome is None else escape(route_cell(outcome))
    return f"[dim]{text}[/]" if outcome is None else f"[{_STYLE[outcome.status]}]{text}[/]"


#: the widest route cell (``route_cell``), and the narrowest theorem column worth a table
_CELL = len("pass 3e-05*")
_MIN_THEOREM = 10


def _stacked(
    rows: dict[str, dict[str, Outcome]],
    titles: dict[str, str],
    routes: list[str],
    title: str,
    pending: set[tuple[str, str]],
) -> Group:
    """The per-theorem view for a terminal too narrow for its table (under about 53 columns): the id and
    title on one folded line, then one indented line per route with its cell, so nothing is hidden."""
    lines: list[RenderableType] = [Text(title, style="bold", overflow="fold"), Text("")]
    name_width = max(len(r) for r in routes)
    for tid, cells in rows.items():
        lines.append(Text.assemble((tid, "bold"), "  ", (titles[tid], "dim"), overflow="fold"))
        other = [o for r, o in cells.items() if r not in ROUTES]
        for i, route in enumerate(routes):
            cell = other[0] if other and i == 0 else cells.get(route)
            styled = _styled(cell, (tid, route) in pending)
            lines.append(Text.from_markup(f"  {route:<{name_width}}  {styled}", overflow="fold"))
    return Group(*lines)


def _theorem_table(
    outcomes: list[Outcome], title: str, width: int, plain: bool, not_run: Sequence[Check] = ()
) -> Table | Group:
    """One row per theorem: id, title, a status cell per route (the routes that appear); a check in
    ``not_run`` (planned, not run: Ctrl-C) shows ``not run``."""
    pending: set[tuple[str, str]] = {(c.theorem_id, c.route) for c in not_run}
    present = {o.route for o in outcomes} | {route for _, route in pending}
    routes: list[str] = [r for r in ROUTES if r in present]
    # a row of no route (a plugin that failed to load) shows its status in the first column
    if not routes and any(o.route not in ROUTES for o in outcomes):
        routes = ["status"]
    rows: dict[str, dict[str, Outcome]] = {}
    for o in outcomes:
        rows.setdefault(o.id, {})[o.route] = o
    titles = {o.id: o.title for o in outcomes}
    for c in not_run:
        rows.setdefault(c.theorem_id, {})
        titles.setdefault(c.theorem_id, CATALOGUE[c.theorem_id].title)
    narrow = width < NARROW and not plain
    if not plain and width < _MIN_THEOREM + len(routes) * (_CELL + 2) + 4:
        return _stacked(rows, titles, routes, title, pending)
    table = Table(
        title=title, header_style="bold", box=None if plain else _BOX, min_width=min(len(title) + 2, width)
    )
    # the route cells keep their width (no_wrap, at most 11 characters); the theorem wraps
    table.add_column(
        "theorem" if narrow else "id", no_wrap=not narrow, overflow="fold", ratio=1, min_width=_MIN_THEOREM
    )
    if not narrow:
        table.add_column("title", no_wrap=plain, ratio=2)
    for route in routes:
        table.add_column(route, no_wrap=True, min_width=_CELL)
    for tid, cells in rows.items():
        head: list[RenderableType]
        if narrow:
            head = [Group(Text(tid), Padding(Text(titles[tid], style="dim"), (0, 0, 0, 2)))]
        else:
            head = [Text(tid), Text(titles[tid])]
        shown = [_styled(cells.get(r), (tid, r) in pending) for r in routes]
        other = [o for r, o in cells.items() if r not in ROUTES]
        if other and shown:
            shown[0] = _styled(other[0])
        table.add_row(*head, *shown)
    return table


#: below this width the verbose table's id column folds to a few letters (or vanishes): list instead
_MIN_VERBOSE = 72


def _route_stacked(outcomes: list[Outcome], title: str) -> Group:
    """``--verbose`` for a terminal under 72 columns: per (theorem, route) a line with id, route and
    status, then the title and source, then cases, worst error / tolerance and seconds, indented."""
    lines: list[RenderableType] = [Text(title, style="bold", overflow="fold"), Text("")]
    for o in outcomes:
        lines.append(
            Text.assemble((o.id, "bold"), f" ({o.route}): ", (o.status, _STYLE[o.status]), overflow="fold")
        )
        lines.append(Padding(Text(f"{o.title}; {o.source}", style="dim"), (0, 0, 0, 2)))
        lines.append(Padding(Text(f"{o.cases} cases, {format_error(o)}, {o.seconds:.2f} s"), (0, 0, 0, 2)))
    return Group(*lines)


def _route_table(
    outcomes: list[Outcome], title: str, width: int, plain: bool, not_run: Sequence[Check] = ()
) -> Table | Group:
    """``--verbose``: one row per (theorem, route) with source, cases, error / tolerance, seconds."""
    narrow = width < NARROW and not plain
    if not plain and width < _MIN_VERBOSE:
        return _route_stacked(outcomes, title)
    table = Table(
        title=title, header_style="bold", box=None if plain else _BOX, min_width=min(len(title) + 2, width)
    )
    # status, route, cases and seconds keep their width; the rest wraps (a derivation's scope can be
    # a sentence), and when narrow the title and source go under the id
    table.add_column("id, title, source" if narrow else "id", no_wrap=not narrow, overflow="fold", ratio=3)
    if not narrow:
        table.add_column("title", no_wrap=plain, ratio=3)
        table.add_column("source", no_wrap=plain, ratio=2)
    table.add_column("route", no_wrap=True)
    table.add_column("cases", justify="right", no_wrap=True)
    # the mark only when a row carries it: its legend is then printed under the table
    mark = EMPIRICAL_MARK if any(o.tolerance_basis == "empirical" for o in outcomes) else ""
    table.add_column(f"worst error / tolerance{mark} (ratio)", no_wrap=plain, ratio=3)
    table.add_column("s", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True, min_width=6)
    for o in outcomes:
        status = f"[{_STYLE[o.status]}]{o.status}[/]"
        head: list[RenderableType]
        if narrow:
            head = [Group(Text(o.id), Padding(Text(f"{o.title}\n{o.source}", style="dim"), (0, 0, 0, 2)))]
        else:
            head = [Text(o.id), Text(o.title), Text(o.source)]
        table.add_row(*head, o.route, str(o.cases), escape(format_error(o)), f"{o.seconds:.2f}", status)
    return table


def render(
    outcomes: list[Outcome],
    *,
    title: str,
    verbose: bool = False,
    seconds: float = 0.0,
    interrupted: Interrupted | None = None,
    out: Console | None = None,
) -> None:
    """Print the table (one row per theorem, or per (theorem, route) when ``verbose``), the notes
    (empirical tolerances, every row that did not pass) and the summary line."""
    out = out or make_console()
    width, plain = out.width, is_plain(out)
    make = _route_table if verbose else _theorem_table
    not_run = interrupted.not_run if interrupted is not None else []
    out.print(make(outcomes, title, width, plain, not_run))
    notes = _empirical_notes(outcomes)
    if notes:
        note(out, f"{EMPIRICAL_MARK} empirical tolerance (not derived from the route's error bound):", width)
        for line in notes:
            note(out, line, width, indent="  ")
    for o in outcomes:
        if o.status != "pass":
            note(out, f"{o.status} {o.id} ({o.route}): {o.detail}", width, style=_STYLE[o.status], styled=4)
    failed = sum(o.status == "fail" for o in outcomes)
    counts = (
        f"{sum(o.status == 'pass' for o in outcomes)} passed, {failed} failed, "
        f"{sum(o.status == 'skip' for o in outcomes)} skipped"
        + (f", {len(not_run)} not run" if not_run else "")
    )
    summary = f"{counts} in {seconds:.1f} s" + ("" if interrupted is None else f"; {interrupted} (Ctrl-C)")
    colour = "red" if failed or interrupted is not None else "green"
    note(out, summary, width, style=colour, styled=len(counts))


def verify(
    *,
    only: Iterable[str] = (),
    routes: Iterable[str] = (),
    seed: int = 0,
    thorough: bool = False,
    device: str = "cpu",
    as_json: bool = False,
    plugins: Iterable[str] = (),
    verbose: bool = False,
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
            progress=True,  # on standard error (and only on a terminal): --json's stdout stays pure
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
    mode = "thorough" if thorough else "default"
    title = f"wdt verify (seed {seed}, {mode} cases, device {device})"
    if interrupted is not None:
        title += f", INTERRUPTED after {len(outcomes)} of {interrupted.planned} checks"
    render(
        outcomes, title=title, verbose=verbose, seconds=time.perf_counter() - start, interrupted=interrupted
    )
    return status
