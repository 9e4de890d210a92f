"""The check registry and ``wdt verify``: rows, JSON keys, filters, exit status, skips and failures."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from theory import checks
from theory.catalogue import CATALOGUE, ids
from theory.checks import CheckContext, CheckResult, CheckSkipped, ErrorTracker, register
from theory.errors import InputError
from theory.harness.cli import EXIT_BROKEN_PIPE, main

KEYS = {"id", "route", "status", "cases", "max_error", "tolerance", "seconds", "detail"}


def _json(capsys, *argv):
    code = main(["verify", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_numeric_rows_cover_every_textbook_theorem(capsys):
    code, rows = _json(capsys, "--route", "numeric")
    assert code == 0
    assert all(row.keys() >= KEYS for row in rows)
    assert all(row["status"] == "pass" for row in rows), [r for r in rows if r["status"] != "pass"]
    covered = {row["id"] for row in rows}
    textbook = set(ids()[: ids().index("gd.min_norm") + 1]) - {"opt.sgd_equiv", "opt.adam_not_equiv"}
    assert textbook <= covered
    for row in rows:
        assert row["cases"] > 0 and row["max_error"] <= row["tolerance"]


def test_only_prefix_and_seed_are_deterministic(capsys):
    _, first = _json(capsys, "--only", "es.", "--route", "numeric", "--seed", "7")
    _, again = _json(capsys, "--only", "es.", "--route", "numeric", "--seed", "7")
    _, other = _json(capsys, "--only", "es.", "--route", "numeric", "--seed", "8")
    assert {r["id"] for r in first} <= {i for i in CATALOGUE if i.startswith("es.")}
    assert [r["max_error"] for r in first] == [r["max_error"] for r in again]
    assert [r["max_error"] for r in first] != [r["max_error"] for r in other]


def test_table_output_has_header_and_summary(capsys):
    assert main(["verify", "--only", "l2.dof", "--route", "numeric", "--verbose"]) == 0
    out = capsys.readouterr().out
    for word in ("id", "route", "cases", "worst error / tolerance", "status", "l2.dof", "ESL eq. 3.50"):
        assert word in out
    assert "1 passed, 0 failed, 0 skipped" in out
    assert main(["verify", "--only", "l2.dof", "--route", "numeric"]) == 0  # one row per theorem
    out = capsys.readouterr().out
    assert "Effective degrees of freedom" in out and "numeric" in out and "ESL eq. 3.50" not in out
    assert re.search(r"l2\.dof .* pass \S+", out) and "1 passed, 0 failed, 0 skipped" in out


def test_unknown_prefix_is_an_error_not_an_empty_pass(capsys):
    assert main(["verify", "--only", "l3."]) == 2
    err = capsys.readouterr().err
    assert "--only 'l3.' matches no check" in err


def test_bad_options_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["verify", "--device", "tpu"])
    assert info.value.code == 2
    assert "invalid choice: 'tpu'" in capsys.readouterr().err


@pytest.fixture
def private_registry(monkeypatch):
    """An empty registry, so a test can register checks that fail on purpose.

    The providers are imported first: imported later, they would register into this registry and
    collide with the test's own checks (the test would then pass or fail by test order).
    """
    checks.all_checks()
    monkeypatch.setattr(checks, "_REGISTRY", {})
    return checks._REGISTRY


def test_failure_skip_and_crash_become_rows_and_exit_status(private_registry, capsys):
    @register("l2.update", "numeric", "fails on purpose")
    def _fail(ctx: CheckContext) -> CheckResult:
        t = ErrorTracker()
        t.add(2.0, 1.0)
        return t.result("too big")

    @register("l2.optimum", "numeric", "skips")
    def _skip(ctx: CheckContext) -> CheckResult:
        raise CheckSkipped("no such device")

    @register("l2.eigen", "numeric", "crashes")
    def _crash(ctx: CheckContext) -> CheckResult:
        raise ZeroDivisionError("boom")

    code, rows = _json(capsys)
    assert code == 1
    by_id = {r["id"]: r for r in rows}
    assert by_id["l2.update"]["status"] == "fail" and by_id["l2.update"]["max_error"] == 2.0
    assert by_id["l2.optimum"]["status"] == "skip" and by_id["l2.optimum"]["detail"] == "no such device"
    assert by_id["l2.eigen"]["status"] == "fail" and "ZeroDivisionError" in by_id["l2.eigen"]["detail"]
    assert by_id["l2.optimum"]["max_error"] is None  # NaN becomes JSON null

    assert main(["verify", "--only", "l2.optimum"]) == 0  # a skip is not a failure
    assert "skip l2.optimum (numeric): no such device" in capsys.readouterr().out


def test_registry_rejects_bad_registrations(private_registry):
    with pytest.raises(InputError, match="unknown theorem id 'nope'"):
        register("nope", "numeric", "x")
    with pytest.raises(InputError, match="route must be one of"):
        register("l2.update", "visual", "x")  # type: ignore[arg-type]

    def first(ctx: CheckContext) -> CheckResult:
        return CheckResult(1, 0.0, 1.0)

    register("l2.update", "numeric", "first")(first)
    register("l2.update", "numeric", "first")(first)  # the same function again is harmless
    with pytest.raises(
        InputError, match="cannot register .second. .* as the numeric check of l2.update: it already has one"
    ):
        register("l2.update", "numeric", "second")(lambda ctx: CheckResult(1, 0.0, 1.0))


def test_error_tracker_keeps_worst_ratio():
    t = ErrorTracker()
    t.add(1.0, 10.0)
    t.add(0.5, 1.0)
    t.add(0.0, 1e-20)
    r = t.result()
    assert (r.max_error, r.tolerance, r.cases, r.verdict) == (0.5, 1.0, 3, "pass")
    t.add(float("nan"), 1.0)
    assert t.result().verdict == "fail" and math.isinf(t.result().max_error)
    for bad in (0.0, -1.0, float("nan"), float("inf")):  # inf: a tolerance from an infinite κ passed ∞ ≤ ∞
        with pytest.raises(InputError, match="tolerance must be positive and finite"):
            t.add(float("inf"), bad)
    with pytest.raises(InputError, match="at least one case"):
        ErrorTracker().result()


def test_empirical_tolerance_is_flagged_in_table_and_json(private_registry, capsys):
    @register("l2.update", "numeric", "derived")
    def _derived(ctx: CheckContext) -> CheckResult:
        t = ErrorTracker()
        t.add(1.0, 2.0)
        return t.result()

    @register("l2.optimum", "numeric", "empirical")
    def _empirical(ctx: CheckContext) -> CheckResult:
        t = ErrorTracker()
        t.empirical_tolerance("an optimiser's own stopping rule")
        t.add(1.0, 2.0)
        return t.result()

    code, rows = _json(capsys)
    assert code == 0
    by_id = {r["id"]: r for r in rows}
    assert (by_id["l2.update"]["tolerance_basis"], by_id["l2.update"]["empirical_reason"]) == ("derived", "")
    assert by_id["l2.optimum"]["tolerance_basis"] == "empirical"
    assert by_id["l2.optimum"]["empirical_reason"] == "an optimiser's own stopping rule"

    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"l2\.optimum .*pass 0\.50\*", out) and re.search(r"l2\.update .*pass 0\.50\s", out)
    assert "l2.optimum (numeric): an optimiser's own stopping rule" in out
    assert main(["verify", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "1.0e+00 / 2.0e+00* (0.5)" in out  # the mark on the empirical row's tolerance
    assert "1.0e+00 / 2.0e+00 (0.5)" in out  # and none on the derived row
    assert "l2.optimum (numeric): an optimiser's own stopping rule" in out  # the footnote
    assert "l2.update (numeric):" not in out


def test_device_cuda_without_cuda_fails_before_running(capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(["verify", "--device", "cuda", "--only", "l2.dof"]) == 2
    captured = capsys.readouterr()
    # the reason is resolve_device's: a CPU-only build, or a CUDA build that sees no device
    assert "DeviceUnavailableError" in captured.err and "'cuda' requested but" in captured.err
    assert "no CUDA support" in captured.err or "sees no CUDA device" in captured.err
    assert "passed" not in captured.out  # nothing ran, so nothing "passed with skips"
    assert main(["verify", "--device", "cuda", "--json", "--only", "l2.dof"]) == 2
    assert json.loads(capsys.readouterr().out)["error"] == "DeviceUnavailableError"


ROOT = Path(__file__).resolve().parents[1]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["COLUMNS"] = "200"
    return env


# a child that registers two quick checks and a third that announces itself and then waits for Ctrl-C
_SLOW_RUN = """
import signal, sys, time
# Ctrl-C as in an interactive shell whatever the parent did: a parent that ignores SIGINT (a job started
# with nohup setsid … &, some CI runners) passes the ignore on through fork and exec, and a Python started
# so installs no KeyboardInterrupt handler; the SIGINT below would do nothing and the test would time out
signal.signal(signal.SIGINT, signal.default_int_handler)
from theory import checks
from theory.harness import verify
from theory.checks import ErrorTracker, register
from theory.harness.cli import EXIT_BROKEN_PIPE, main

checks._REGISTRY.clear()

def quick(ctx):
    t = ErrorTracker()
    t.add(0.25, 1.0)
    return t.result("quick")

register("l2.update", "numeric", "quick")(quick)
register("l2.optimum", "numeric", "quick too")(lambda ctx: quick(ctx))

@register("l2.eigen", "numeric", "slow")
def slow(ctx):
    print("SLOW CHECK STARTED", file=sys.stderr, flush=True)
    time.sleep(120)
    raise AssertionError("not interrupted")

real_all_checks = checks.all_checks
# these three only, in catalogue order (load_plugins imports the providers through checks.all_checks)
checks.all_checks = verify.all_checks = lambda providers=(): real_all_checks(())
sys.exit(main(["verify", *sys.argv[1:]]))
"""


@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_ctrl_c_prints_finished_rows_and_exits_130(as_json):
    argv = ["--json"] if as_json else []
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_RUN, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
        cwd=ROOT,
    )
    assert child.stderr is not None
    try:
        for line in child.stderr:  # the first two rows are done when the third check starts
            if "SLOW CHECK STARTED" in line:
                break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130, (out, err)
    assert "Traceback" not in out + err
    if as_json:
        rows = json.loads(out)
        assert [(r["id"], r["status"]) for r in rows] == [("l2.update", "pass"), ("l2.optimum", "pass")]
        assert "interrupted after 2 of 3 checks" in err
    else:
        assert "l2.update" in out and "l2.optimum" in out
        # the check that was planned but did not run says so ("—" would mean: no check on that route)
        (eigen,) = [line for line in out.splitlines() if line.split()[:1] == ["l2.eigen"]]
        assert eigen.split()[-2:] == ["not", "run"], out
        assert "INTERRUPTED after 2 of 3 checks" in out
        assert "2 passed, 0 failed, 0 skipped, 1 not run in" in out
        assert "interrupted: interrupted" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "--only", "l2.dof", "--route", "numeric"],
        ["verify", "--only", "l2.dof", "--route", "numeric", "--json"],
        ["conventions"],
        ["conventions", "--json"],
        ["conventions", "--from", "torch.SGD", "weight_decay=1e-4", "--n", "1000"],
        ["proofs", "--only", "l2.pinv"],
        ["figures", "--list"],
    ],
    ids=" ".join,
)
def test_closed_pipe_ends_without_traceback(argv):
    """``wdt … | head``: the reader has gone before anything is written; exit 141 (128 + SIGPIPE)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "theory.harness.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(),
        cwd=ROOT,
    )
    assert child.stdout is not None
    child.stdout.close()
    err = child.communicate(timeout=120)[1].decode()
    assert child.returncode == EXIT_BROKEN_PIPE, err
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err


def test_issue_11_theorems_have_all_three_routes():
    """Every theorem added beyond the textbook (normalised networks, AdamW, conditioning, double
    descent) is checked symbolically, numerically and on real torch models."""
    registered = {(c.theorem_id, c.route) for c in checks.all_checks()}
    new = (
        "l2.conditioning",
        "si.gradient",
        "si.effective_lr",
        "si.equilibrium",
        "adamw.ema",
        "ridge.double_descent",
    )
    missing = [(t, r) for t in new for r in checks.ROUTES if (t, r) not in registered]
    assert not missing, missing


def test_ctrl_c_keeps_the_rows_of_plugins_that_failed_to_load(tmp_path):
    """An interrupted run still shows that a plugin did not load (its failed row is among the rows)."""
    broken = tmp_path / "broken_plugin.py"
    broken.write_text('raise RuntimeError("boom")\n', encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_RUN, "--json", "--plugin", str(broken)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
        cwd=ROOT,
    )
    assert child.stderr is not None
    try:
        for line in child.stderr:
            if "SLOW CHECK STARTED" in line:
                break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130, (out, err)
    rows = json.loads(out)
    assert [(r["id"], r["status"]) for r in rows] == [
        ("l2.update", "pass"),
        ("l2.optimum", "pass"),
        ("plugin:broken_plugin.py", "fail"),
    ]
