"""The check registry and ``wdt verify``: rows, JSON keys, filters, exit status, skips and failures."""

from __future__ import annotations

import json
import math

import pytest

from theory import checks
from theory.catalogue import CATALOGUE, ids
from theory.checks import CheckContext, CheckResult, CheckSkipped, ErrorTracker, register
from theory.cli import main
from theory.errors import InputError

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
    assert main(["verify", "--only", "l2.dof", "--route", "numeric"]) == 0
    out = capsys.readouterr().out
    for word in ("id", "route", "cases", "worst error / tolerance", "status", "l2.dof", "ESL eq. 3.50"):
        assert word in out
    assert "1 passed, 0 failed, 0 skipped" in out


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
    """An empty registry, so a test can register checks that fail on purpose."""
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
    with pytest.raises(InputError, match="already has a numeric check"):
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
    with pytest.raises(InputError, match="tolerance must be positive"):
        t.add(1.0, 0.0)
    with pytest.raises(InputError, match="at least one case"):
        ErrorTracker().result()
