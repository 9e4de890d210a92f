"""``wdt`` in a real terminal: the verify table at 80 columns, piped output, ``--version``, "did you
mean", clear errors for bad arguments, and progress on standard error (issue 13)."""

from __future__ import annotations

import io
import json
import math
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from rich.console import Console

from theory import checks
from theory.checks import ROUTES, Outcome
from theory.harness.cli import main
from theory.harness.console import PLAIN_WIDTH, console, did_you_mean
from theory.harness.verify import render, route_cell

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


@pytest.mark.parametrize(("kind", "width"), [("pass", 80), ("fail", 80), ("mixed", 80), ("mixed", 72)])
def test_default_view_at_80_columns_shows_every_status(kind, width):
    outcomes = _outcomes(kind)
    assert len(outcomes) >= 87 and {o.route for o in outcomes} == set(ROUTES)
    text = _render(outcomes, width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width, max(lines, key=len)
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


@pytest.mark.parametrize("width", [66, 60, 56])
def test_narrower_terminals_fold_the_id_never_a_status(width):
    """Below 72 columns the theorem column folds its ids and titles; each route cell stays whole on one
    line (``no_wrap`` and its minimum width), so no status or margin is split or dropped."""
    outcomes = _outcomes("mixed")
    text = _render(outcomes, width)
    assert max(len(line) for line in text.splitlines()) <= width
    by_id: dict[str, dict[str, Outcome]] = {}
    for o in outcomes:
        by_id.setdefault(o.id, {})[o.route] = o
    for tid, routes in by_id.items():
        cells = [route_cell(routes.get(r)) for r in ROUTES]  # in route order, on the id's first line
        pattern = r"\s+".join(re.escape(c) for c in cells)
        assert re.search(rf"^\s+\S+\s+{pattern}\s*$", text, re.MULTILINE), (tid, cells)
        assert re.search(rf"^\s+{re.escape(tid[: width // 4])}", text, re.MULTILINE), tid


@pytest.mark.parametrize("width", [52, 44, 36])
def test_a_terminal_too_narrow_for_the_table_gets_a_stacked_list(width):
    """Under about 53 columns the table would drop its theorem column (rich shrinks it to nothing):
    instead each theorem is a line with its id, then one line per route with that route's cell."""
    outcomes = _outcomes("mixed")
    lines = _render(outcomes, width).splitlines()
    assert max(len(line) for line in lines) <= width
    by_id: dict[str, dict[str, Outcome]] = {}
    for o in outcomes:
        by_id.setdefault(o.id, {})[o.route] = o
    for tid, routes in by_id.items():
        at = [
            i
            for i, line in enumerate(lines)
            if line.startswith(tid[:width] + (" " if len(tid) < width else ""))
        ]
        assert len(at) == 1, (tid, at)
        after = [line for line in lines[at[0] + 1 :] if line.startswith("  ")][: len(ROUTES)]
        assert [line.split(None, 1) for line in after] == [[r, route_cell(routes.get(r))] for r in ROUTES]


@pytest.mark.parametrize("width", [70, 56, 40])
def test_verbose_under_72_columns_lists_every_row_with_its_id(width):
    outcomes = _outcomes("mixed")
    lines = _render(outcomes, width, verbose=True).splitlines()
    assert max(len(line) for line in lines) <= width
    heads = [
        line for line in lines if re.match(r"\S+ \((symbolic|numeric|empirical)\): (pass|fail|skip)$", line)
    ]
    assert heads == [f"{o.id} ({o.route}): {o.status}" for o in outcomes]
    assert sum("123456 cases" in line for line in lines) == len(outcomes)


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


def test_plain_tables_of_every_command_have_no_box(monkeypatch, capsys):
    monkeypatch.delenv("COLUMNS", raising=False)
    for argv in (["conventions"], ["proofs", "--only", "l2.dof"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "weight_decay/2" in out or "l2.dof" in out
        assert not any(ch in out for ch in "│┃━"), argv
    monkeypatch.setenv("COLUMNS", "80")
    out = (main(["conventions"]), capsys.readouterr().out)[1]
    assert "┃" in out and max(map(len, out.splitlines())) <= 80  # COLUMNS: the framed table, folded
    assert "…" not in out and "alpha*l1_ratio" in out and "(1/2n)‖r‖²" in out  # no cell cut short


def _child(*argv: str, columns: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "theory.harness.cli", *argv],
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


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["verfy"], "did you mean 'verify'?"),
        (["verify", "--route", "numerc"], "did you mean 'numeric'?"),
        (["verify", "--device", "cdua"], "did you mean 'cuda'?"),
        (["verify", "--only", "l2.dofs"], "did you mean 'l2.dof'"),
        (["verify", "--only", "l3."], "did you mean 'l2.'"),
        (["proofs", "--only", "l2.dofs"], "did you mean 'l2.dof'"),
        (["figures", "--only", "shrinkge"], "did you mean 'shrinkage'"),
        (["figures", "--style", "slide"], "did you mean 'slides'?"),
        (
            ["conventions", "--from", "torch.SDG", "weight_decay=1e-4", "--n", "10"],
            "did you mean 'torch.SGD'",
        ),
        (
            ["conventions", "--from", "torch.SGD", "weight_decay=1", "--n", "10", "--data-loss", "mes"],
            "'mse'",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_did_you_mean(argv, hint, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors (choices)
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    err = capsys.readouterr().err
    assert hint in err and "Traceback" not in err, err


def test_did_you_mean_is_case_insensitive_and_quiet_when_nothing_is_close():
    assert did_you_mean("TORCH.sgd", ["torch.SGD", "sklearn.Ridge"]) == "; did you mean 'torch.SGD'?"
    assert did_you_mean("zzzz", ["torch.SGD", "sklearn.Ridge"]) == ""


def test_library_api_names_are_case_insensitive(capsys):
    assert main(["conventions", "--from", "TORCH.sgd", "weight_decay=1e-4", "--n", "1000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["canonical"]["l2"] == pytest.approx(5e-5, rel=1e-15)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "--seed", "x"], "--seed: must be a non-negative integer; got 'x'"),
        (["verify", "--seed", "-1"], "--seed: must be a non-negative integer; got -1"),
        (["claims", "--seed", "-1"], "--seed: must be a non-negative integer; got -1"),
        (["verify", "--only", ""], "--only needs a theorem id prefix"),
        (["proofs", "--only", " "], "--only needs a theorem id prefix"),
        (["proofs", "--only", "l2.dof", "--out", "/nonexistent-dir/x.md"], "does not exist"),
        (["conventions", "--from", "torch.SGD", "weight_decay=1e-4"], "--from needs --n"),
        (
            ["conventions", "--from", "torch.SGD", "weight_decay", "--n", "5"],
            "NAME=VALUE; got 'weight_decay'",
        ),
        (["conventions", "--from", "torch.SGD", "weight_decay=abc", "--n", "5"], "got 'abc'"),
        (["conventions", "--from", "torch.SGD", "weight_decay=1", "--n", "0"], "sample count); got 0"),
        (["conventions", "--from", "torch.SGD", "weight_decay=1", "--n", "many"], "count); got 'many'"),
        (["conventions", "weight_decay=1"], "settings need --from"),
        (["figures", "--format", "gif"], "unknown figure format 'gif'"),
        (["figures", "--dpi", "inf"], "--dpi must be positive and finite; got inf"),
        (["figures", "--dpi", "x"], "invalid float value: 'x'"),
        (["verify", "--bogus"], "unrecognized arguments: --bogus"),
        (["verify", "--plugin", ""], "--plugin: needs a module name or a .py file; got ''"),
        (["verify", "--plugin", " "], "--plugin: needs a module name or a .py file; got ' '"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_bad_arguments_exit_2_with_the_offending_value(argv, message, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err, captured.err
    assert captured.out == ""


@pytest.fixture
def terminal_stderr(monkeypatch):
    """Consoles as in a terminal: standard error a forced terminal into a buffer (so the progress
    bar draws), standard output a plain 80-column buffer."""
    import theory.harness.console
    import theory.harness.verify

    err, out = io.StringIO(), io.StringIO()

    def make(*, stderr: bool = False, width: int | None = None) -> Console:
        if stderr:
            return Console(file=err, force_terminal=True, width=80)
        return Console(file=out, width=width or 80, force_terminal=False, color_system=None)

    monkeypatch.setattr(theory.harness.console, "console", make)
    monkeypatch.setattr(theory.harness.verify, "make_console", make)
    return err, out


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["verify", "--only", "l2.dof", "--route", "numeric"], "l2.dof [numeric]"),
        (["proofs", "--only", "l2.dof"], "l2.dof"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_progress_goes_to_stderr(terminal_stderr, argv, shown, capsys):
    err, out = terminal_stderr
    assert main(argv) == 0
    assert shown in err.getvalue() and "1/1" in err.getvalue()  # the bar: what runs, how far
    assert "1/1" not in out.getvalue() and "l2.dof" in out.getvalue()  # the table: standard output


def test_figures_spinner_goes_to_stderr(terminal_stderr, tmp_path):
    err, out = terminal_stderr
    assert main(["figures", "--only", "priors", "--format", "svg", "--out", str(tmp_path)]) == 0
    assert "priors …" in err.getvalue() and "priors …" not in out.getvalue()
    assert "priors.svg" in out.getvalue()


@pytest.mark.parametrize("company", ["alone", "one theorem", "every theorem"])
@pytest.mark.parametrize("width", [140, 80, 60, 44])
def test_a_failed_plugin_row_shows_fail_in_the_default_view(company, width):
    """A plugin that did not load has no route: its row shows ``fail`` in the first route column (or a
    ``status`` column when no route is shown at all), never ``—`` or an empty cell, in the table and
    in the stacked list alike."""
    plugin = checks.PluginFailure(
        "broken.py", "--plugin broken.py", "RuntimeError at broken.py:2: boom"
    ).outcome()
    built_in = {"alone": [], "one theorem": [o for o in _outcomes("pass") if o.id == "l2.dof"]}
    lines = _render([*built_in.get(company, _outcomes("pass")), plugin], width).splitlines()
    at = [i for i, line in enumerate(lines) if line.lstrip().startswith("plugin:broke")]
    assert len(at) == 1, lines
    row = lines[at[0]]
    if not STATUS.search(row):  # the stacked list: the first route line under the (folded) id and title
        row = next(
            line for line in lines[at[0] + 1 :] if re.match(r"  (symbolic|numeric|empirical|status) ", line)
        )
    assert STATUS.findall(row) == ["fail"], (row, lines)
    assert "—" not in row.split("fail")[0], row  # no empty route cell before it


_CHILD_IN_A_TERMINAL = """
import sys
sys.path.insert(0, {tests!r})
from test_cli_terminal import _outcomes
from theory.harness.console import console
from theory.harness.verify import render
out = console()
print("width", out.width, "terminal", out.is_terminal)
render(_outcomes("mixed"), title="wdt verify (seed 0, default cases, device cpu)", out=out)
"""

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_real_terminal_is_a_terminal_of_its_own_width():
    """Under a pseudo-terminal 80 columns wide, with COLUMNS unset (bash does not export it), the CLI's
    console is a terminal of width 80 (from the tty), so the default view is the boxed table whose lines
    fit 80 cells; not plain text 1000 columns wide, as for a pipe."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm", PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]))
    script = _CHILD_IN_A_TERMINAL.format(tests=str(ROOT / "tests"))
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    chunks = []
    while True:  # drain the terminal while the child writes (it would block on a full pty buffer)
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert child.wait(timeout=120) == 0, b"".join(chunks)[-2000:]
    text = _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r", "")
    lines = text.splitlines()
    assert lines[0] == "width 80 terminal True", lines[:3]
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert any(set(line.strip()) == {"─"} for line in lines), "no boxed table (its rule under the header)"
    assert (
        sum(bool(re.match(r"\s*l2\.dof\s+(pass|fail|skip|—) ", line)) for line in lines) == 1
    )  # a table row


_NAN_INF = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize(
    "ratio",
    [
        0.0,
        5e-324,
        1e-300,
        1e-120,
        1e-10,
        1e-9,
        0.009999,
        0.01,
        99.99,
        99.996,
        100.0,
        9.99e8,
        1e9,
        1e300,
        *_NAN_INF,
    ],
)
@pytest.mark.parametrize("status", ["pass", "fail"])
def test_route_cell_is_at_most_11_characters_for_any_ratio(ratio, status):
    """The route columns are 11 characters wide and never wrap: every cell must fit, empirical mark
    included, whatever the ratio (a three-digit exponent would not)."""
    o = Outcome("l2.dof", "t", "s", "numeric", "n", status, 3, ratio, 1.0, ratio, 0.0, "", "empirical", "r")
    cell = route_cell(o)
    assert (
        len(cell) <= 11 and cell.startswith(status) and cell.endswith("*" if math.isfinite(ratio) else status)
    )
