"""``wdt`` in a real terminal: the verify table at 80 columns, piped output, ``--version``, "did you
mean", clear errors for bad arguments, and progress on standard error (issue 13)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from rich.console import Console

from theory import checks
from theory._console import PLAIN_WIDTH, console
from theory.checks import ROUTES, Outcome
from theory.cli import main
from theory.verify import render, route_cell

ROOT = Path(__file__).resolve().parents[1]
STATUS = re.compile(r"\b(pass|fail|skip)\b")


def _outcomes(kind: str) -> list[Outcome]:
    """One outcome per registered check (all of them: every theorem, every route, symbolic rows too),
    without running any: the widest cells a row can have (``kind``: pass, fail or mixed)."""
    rows = []
    for i, c in enumerate(checks.all_checks()):
        from theory.catalogue import CATALOGUE

        t = CATALOGUE[c.theorem_id]
        status = kind if kind != "mixed" else ("pass", "fail", "skip")[i % 3]
        detail = "checked for n ≤ 12" if c.route == "symbolic" else "a detail " * 12
        rows.append(
            Outcome(
                id=c.theorem_id,
                title=t.title,
                source=t.source,
                route=c.route,
                name=c.name,
                status=status,  # type: ignore[arg-type]
                cases=123456,
                max_error=3.2e-5 * (12345.0 if status == "fail" else 1.0),
                tolerance=1.0,
                ratio=3.2e-5 * (12345.0 if status == "fail" else 1.0),
                seconds=123.45,
                detail=detail,
                tolerance_basis="empirical" if i % 2 else "derived",
                empirical_reason="a reason " * 15 if i % 2 else "",
            )
        )
    return rows


def _render(outcomes: list[Outcome], width: int, *, verbose: bool = False) -> str:
    buffer = io.StringIO()
    out = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    render(outcomes, title="wdt verify (seed 0, default cases, device cpu)", verbose=verbose, out=out)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["pass", "fail", "mixed"])
def test_default_view_at_80_columns_shows_every_status(kind):
    outcomes = _outcomes(kind)
    assert len(outcomes) >= 87 and {o.route for o in outcomes} == set(ROUTES)
    text = _render(outcomes, 80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    # one row per theorem: its id starts a line, and that line carries one cell per route, each the
    # status of that (theorem, route) with its margin (or "—" where there is no check)
    by_id: dict[str, dict[str, Outcome]] = {}
    for o in outcomes:
        by_id.setdefault(o.id, {})[o.route] = o
    for tid, cells in by_id.items():
        row = [line for line in lines if re.match(rf"\s*{re.escape(tid)}\s+(pass|fail|skip|—)", line)]
        assert len(row) == 1, (tid, row)
        shown = row[0].split(None, 1)[1]
        expected = [route_cell(cells.get(r)) for r in ROUTES]
        assert shown.split() == " ".join(expected).split(), (tid, shown, expected)
        assert len(STATUS.findall(shown)) == len(cells)


def test_route_cell_margin_and_marks():
    o = _outcomes("pass")
    numeric = next(x for x in o if x.route == "numeric" and x.tolerance_basis == "derived")
    assert route_cell(numeric) == "pass 3e-05"
    empirical = next(x for x in o if x.route != "symbolic" and x.tolerance_basis == "empirical")
    assert route_cell(empirical) == "pass 3e-05*"
    symbolic = next(x for x in o if x.route == "symbolic")
    assert route_cell(symbolic) == "pass n≤12"
    from dataclasses import replace

    assert route_cell(replace(numeric, ratio=0.0312)) == "pass 0.03"
    assert route_cell(replace(numeric, status="fail", ratio=2.5)) == "fail 2.50"
    assert route_cell(replace(numeric, status="fail", ratio=float("inf"))) == "fail"
    assert route_cell(replace(symbolic, detail="proved for general n")) == "pass"
    assert route_cell(replace(numeric, status="skip")) == "skip"
    assert route_cell(None) == "—"
    assert max(len(route_cell(x)) for x in _outcomes("fail") + o) <= 11


@pytest.mark.parametrize("width", [80, 100, 140])
def test_verbose_view_keeps_every_status_at_any_width(width):
    outcomes = _outcomes("mixed")
    lines = _render(outcomes, width, verbose=True).splitlines()
    assert max(len(line) for line in lines) <= width, max(lines, key=len)
    # every (theorem, route) row: a line that starts with the id and ends with route ... status
    rows = [line for line in lines if line.split() and line.split()[-1] in ("pass", "fail", "skip")]
    assert len(rows) == len(outcomes)
    assert [r.split()[-1] for r in rows] == [o.status for o in outcomes]
    assert "123.45" in rows[0] and "3.2e-05 / 1.0e+00" in _render(outcomes, width, verbose=True)


def test_plain_text_when_piped_without_columns(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    out = console()
    assert not out.is_terminal and out.width == PLAIN_WIDTH  # pytest captures: not a terminal
    monkeypatch.setenv("COLUMNS", "72")
    assert console().width == 72
    monkeypatch.setenv("COLUMNS", "x")
    assert console().width == PLAIN_WIDTH
    buffer = io.StringIO()
    plain = Console(file=buffer, width=PLAIN_WIDTH, force_terminal=False, color_system=None)
    outcomes = _outcomes("pass")
    render(outcomes, title="t", out=plain)
    lines = buffer.getvalue().splitlines()
    # plain text: one line per theorem with its title, no box, nothing wrapped
    for o in outcomes:
        assert any(line.split()[:1] == [o.id] and o.title in line for line in lines if line.strip())
    assert not any(ch in buffer.getvalue() for ch in "│─━┃")


def _child(*argv: str, columns: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "theory.cli", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_piped_verify_follows_columns():
    run = _child("verify", "--only", "l2.update", "--only", "l2.dof", columns="80")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert max(map(len, lines)) <= 80
    update = next(line for line in lines if line.startswith("  l2.update"))
    assert len(STATUS.findall(update)) == 3  # symbolic, numeric and empirical status on the row


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"wdt {version('weight-decay-theory')}"
