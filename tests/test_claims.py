"""The claims ledger's machinery: record validation, the runner's statuses, ``wdt claims`` (tables,
JSON, filters, exit status) and the page ``docs/claims.md``.

The tests run private records against private registries of checks (as ``tests/test_verify_cli.py``
does), so they decide the machinery whatever records the ledger holds; the real records are only
rendered (the page must be up to date) and validated.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import pytest

from theory import checks, claims
from theory.checks import CheckContext, CheckResult, CheckSkipped, ErrorTracker, Outcome, register
from theory.claims import (
    Claim,
    ClaimOutcome,
    Listing,
    load,
    plan,
    records,
    register_evidence,
    run_ledger,
    validate,
)
from theory.errors import InputError
from theory.harness.cli import EXIT_INTERRUPTED, main
from theory.harness.docs import BLOCKS, read_block

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def registries(monkeypatch):
    """Empty registries of theorem checks and evidence checks, so a test registers its own (the
    providers are imported first, or they would register into the private registries later)."""
    checks.all_checks()
    claims.all_evidence()
    monkeypatch.setattr(checks, "_REGISTRY", {})
    monkeypatch.setattr(claims, "_EVIDENCE", {})
    return monkeypatch


def _passing(count: list[str] | None = None, name: str = "", empirical: str = ""):
    def check(ctx: CheckContext) -> CheckResult:
        if count is not None:
            count.append(name)
        tracker = ErrorTracker()
        tracker.add(0.5, 1.0)
        if empirical:
            tracker.empirical_tolerance(empirical)
        return tracker.result("within tolerance")

    return check


def _failing(ctx: CheckContext) -> CheckResult:
    tracker = ErrorTracker()
    tracker.add(2.0, 1.0)
    return tracker.result("twice the tolerance")


def _crashing(ctx: CheckContext) -> CheckResult:
    raise ZeroDivisionError("boom")


def _skipping(ctx: CheckContext) -> CheckResult:
    raise CheckSkipped("torch is not installed")


@pytest.fixture
def ledger(registries):
    """A private ledger: one listing and claims of every verdict and status, on private checks.

    ``ledger.ran`` lists every check run (by name), to count runs.
    """
    ran: list[str] = []
    register("l2.update", "numeric", "private")(_passing(ran, "l2.update:numeric"))
    register("l2.update", "symbolic", "private")(_passing(ran, "l2.update:symbolic"))
    register_evidence("src.d2l.pass", "passes")(
        _passing(ran, "src.d2l.pass", empirical="measured on 3 seeds")
    )
    register_evidence("src.d2l.fail", "fails")(_failing)
    register_evidence("src.apx.crash", "crashes")(_crashing)
    register_evidence("src.apx.skip", "skips")(_skipping)
    listing = Listing("d2l.scratch", "d2l", "3.1", "trains a model", ("prints a norm",), ("src.d2l.pass",))
    mine = (
        Claim("d2l.update", "d2l", "s", "one step shrinks w", "holds", "", ("l2.update", "src.d2l.pass")),
        Claim("d2l.bad", "d2l", "s", "c", "false", "it is not", ("src.d2l.fail",)),
        Claim("apx.crash", "apx", "s", "c", "holds under conditions", "SGD only", ("src.apx.crash",)),
        Claim("apx.skip", "apx", "s", "c", "holds", "", ("l2.update:numeric", "src.apx.skip")),
        Claim("manhua.words", "manhua", "s", "choose λ by grid search", "not a mathematical claim"),
    )
    registries.setattr(records, "LISTINGS", (listing,))
    registries.setattr(records, "CLAIMS", mine)
    registries.ran = ran
    return registries


def _good(**changes: object) -> Claim:
    base = Claim("d2l.x", "d2l", "s", "a claim", "holds under conditions", "linear models", ("l2.update",))
    return replace(base, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([_good(), _good(claim="again")], r"claim 'd2l.x' \(record 1\): id already used by the claim at"),
        ([_good(id="x.y")], r"'x.y': id must be 'd2l.<slug>'"),
        ([_good(id="d2l.")], r"'d2l.': id must be 'd2l.<slug>'"),
        ([_good(id="apx.x", source="apx2")], r"'apx.x': source 'apx2' is not one of d2l, ddlee"),
        ([_good(verdict="true")], r"'d2l.x': verdict 'true' is not one of 'holds'"),
        ([_good(conditions=" ")], r"'d2l.x': verdict 'holds under conditions' needs its conditions"),
        ([_good(verdict="false", conditions="")], r"'d2l.x': verdict 'false' needs its conditions"),
        ([_good(verdict="holds", evidence=())], r"'d2l.x': verdict 'holds' needs evidence"),
        ([_good(evidence="l2.update")], r"'d2l.x': evidence must be a tuple of non-empty strings"),
        ([_good(evidence=("l2.update", ""))], r"'d2l.x': evidence must be a tuple of non-empty strings"),
        ([_good(evidence=("l2.update", "l2.update"))], r"'d2l.x': evidence cites l2.update more than once"),
        ([_good(evidence=("l3.update",))], r"'d2l.x': evidence 'l3.update': unknown theorem id 'l3.update'"),
        ([_good(evidence=("l2.update:visual",))], r"'d2l.x': evidence 'l2.update:visual': unknown route"),
        ([_good(evidence=("src.d2l.nope",))], r"'d2l.x': unknown evidence check 'src.d2l.nope'"),
        ([_good(claim="")], r"'d2l.x': claim is empty"),
        ([_good(section="")], r"'d2l.x': section is empty"),
        (
            [Listing("d2l.l", "d2l", "s", "runs", ("f",), ())],
            r"listing 'd2l.l': a listing needs the evidence",
        ),
        (
            [Listing("d2l.l", "d2l", "s", "runs", (), ("l2.update",))],
            r"'d2l.l': a listing needs at least one",
        ),
        ([Listing("d2l.l", "d2l", "s", "", ("f",), ("l2.update",))], r"'d2l.l': behaviour is empty"),
        (["d2l.x"], r"is a str, not a Claim or a Listing"),
    ],
)
def test_validation_names_each_bad_record(bad, message):
    with pytest.raises(InputError, match=message):
        validate(bad)


def test_validation_accepts_good_records_and_reports_every_problem():
    validate([_good(), Claim("d2l.advice", "d2l", "s", "λ is usually small", "not a mathematical claim")])
    listing = Listing("d2l.x", "d2l", "s", "runs", ("f",), ("l2.update",))  # a listing and a claim
    with pytest.raises(InputError, match=r"claim 'd2l.x' \(record 1\): id already used by the listing at"):
        validate([listing, _good()])
    with pytest.raises(InputError, match=r"\(2 problems\)") as info:
        validate([_good(verdict="nope"), _good(id="d2l.y", evidence=())])
    assert "'d2l.x'" in str(info.value) and "'d2l.y'" in str(info.value)


def test_the_ledger_s_own_records_are_valid():
    """Whatever records have landed (the command and the page need them valid)."""
    load()


# --------------------------------------------------------------------------------------------------
# the runner


def test_failing_crashing_and_skipping_evidence_leave_the_claim_unverified(ledger):
    out = {o.record.id: o for o in run_ledger([*records.LISTINGS, *records.CLAIMS], CheckContext())}
    assert {k: o.status for k, o in out.items()} == {
        "d2l.scratch": "verified",
        "d2l.update": "verified",
        "d2l.bad": "unverified",
        "apx.crash": "unverified",
        "apx.skip": "unverified",
        "manhua.words": "n/a",
    }
    assert out["d2l.bad"].reason == "src.d2l.fail (evidence): fail: twice the tolerance"
    assert out["apx.crash"].reason.startswith("src.apx.crash (evidence): fail: ZeroDivisionError at ")
    assert out["apx.crash"].reason.endswith(": boom")
    assert out["apx.skip"].reason == "src.apx.skip (evidence): skip: torch is not installed"
    assert out["d2l.update"].reason == out["manhua.words"].reason == ""
    assert out["manhua.words"].outcomes == ()


@pytest.mark.parametrize(
    ("returned", "cause"),
    [
        (None, "the check returned NoneType None, not a CheckResult"),
        (CheckResult(0, 0.0, 0.0), "a pass with 0 cases (nothing was checked) is not evidence"),
        (CheckResult(1, 1e300, math.inf), "a pass with tolerance inf (not finite and non-negative) is not"),
        (CheckResult(1, -math.inf, 1.0), "a pass with error -inf (not finite) is not evidence"),
        (CheckResult(2, math.nan, 1.0), "src.d2l.odd (evidence): fail: "),
    ],
)
def test_a_result_that_checked_nothing_is_unverified_not_verified_or_a_crash(ledger, returned, cause):
    """The ledger does not trust a pass over zero cases or within an infinite tolerance, and a check
    returning something other than a CheckResult is a failed row, not an AttributeError."""
    register_evidence("src.d2l.odd", "odd result")(lambda ctx: returned)
    (result,) = run_ledger([_good(evidence=("src.d2l.odd",))], CheckContext())
    assert result.status == "unverified"
    assert cause in result.reason, result.reason


def test_a_record_with_several_bad_checks_names_them_all(ledger):
    claim = Claim("d2l.two", "d2l", "s", "c", "holds", "", ("src.d2l.fail", "src.apx.skip"))
    (result,) = run_ledger([claim], CheckContext())
    assert result.status == "unverified"
    assert result.reason.endswith("; and 1 more: src.apx.skip (evidence): skip")


def test_not_a_mathematical_claim_with_evidence_is_run(ledger):
    """Such a record is never "verified" (there is nothing to verify: a reader took "verified" as "the
    advice holds"), but the evidence its conditions rely on runs, and a failure shows."""
    cited = Claim("d2l.advice", "d2l", "s", "c", "not a mathematical claim", "", ("src.d2l.pass",))
    failing = replace(cited, id="d2l.advice2", evidence=("src.d2l.fail",))
    assert [o.status for o in run_ledger([cited, failing], CheckContext())] == ["n/a", "unverified"]
    assert len(cited.evidence) == len(run_ledger([cited], CheckContext())[0].outcomes)


def test_each_check_runs_once_however_many_records_cite_it(ledger):
    every = [*records.LISTINGS, *records.CLAIMS]
    started: list[str] = []
    finished: list[str] = []
    out = run_ledger(
        every, CheckContext(), on_start=started.append, on_run=lambda key, o: finished.append(key)
    )
    # src.d2l.pass is cited by the listing and a claim; l2.update:numeric by two claims (once as a
    # theorem id, once by route); inside d2l.update, "l2.update" stands for both routes
    assert sorted(ledger.ran) == ["l2.update:numeric", "l2.update:symbolic", "src.d2l.pass"]
    assert started == finished == plan(every)
    assert len(set(plan(every))) == len(plan(every)) == 6
    by_id = {o.record.id: o for o in out}
    assert by_id["d2l.update"].refs == ("l2.update", "l2.update", "src.d2l.pass")
    assert [o.route for o in by_id["d2l.update"].outcomes] == ["symbolic", "numeric", "evidence"]


def test_run_ledger_validates_its_records(ledger):
    with pytest.raises(InputError, match="'d2l.x'"):
        run_ledger([_good(evidence=())], CheckContext())


# --------------------------------------------------------------------------------------------------
# wdt claims


def _json(capsys, *argv: str) -> tuple[int, list[dict]]:
    code = main(["claims", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_json_has_every_field_status_and_check_outcome(ledger, capsys):
    code, rows = _json(capsys)
    assert code == 1  # three claims are unverified
    assert [r["id"] for r in rows] == [r.id for r in (*records.LISTINGS, *records.CLAIMS)]  # listings first
    common = {"kind", "source_title", "status", "reason", "seconds", "checks"}
    for row in rows:
        kind = Claim if row["kind"] == "claim" else Listing
        assert set(row) == set(kind.__slots__) | common
        for check in row["checks"]:
            assert set(check) == {"ref"} | set(Outcome.__slots__)
    by_id = {r["id"]: r for r in rows}
    update = by_id["d2l.update"]
    assert update["evidence"] == ["l2.update", "src.d2l.pass"] and update["verdict"] == "holds"
    assert [(c["ref"], c["id"], c["route"], c["status"]) for c in update["checks"]] == [
        ("l2.update", "l2.update", "symbolic", "pass"),
        ("l2.update", "l2.update", "numeric", "pass"),
        ("src.d2l.pass", "src.d2l.pass", "evidence", "pass"),
    ]
    assert update["checks"][2]["tolerance_basis"] == "empirical"
    assert update["checks"][2]["source"] == "d2l"  # an evidence check's source: its text's key
    assert update["source_title"] == records.SOURCES["d2l"].title and list(update)[3] == "source_title"
    assert by_id["apx.skip"]["checks"][1]["max_error"] is None  # NaN becomes null
    assert by_id["d2l.scratch"]["findings"] == ["prints a norm"] and by_id["d2l.scratch"]["kind"] == "listing"
    assert by_id["manhua.words"]["status"] == "n/a" and by_id["manhua.words"]["checks"] == []


def test_exit_status_is_0_when_every_record_with_evidence_is_verified(ledger, capsys):
    code, rows = _json(capsys, "--only", "d2l.s", "--only", "d2l.u", "--only", "manhua.")
    assert code == 0
    assert [r["id"] for r in rows] == ["d2l.scratch", "d2l.update", "manhua.words"]


@pytest.mark.parametrize(
    ("argv", "status"),
    [(["--source", "d2l"], 1), (["--source", "apx", "manhua"], 1), (["--source", "manhua"], 0)],
)
def test_source_filter(ledger, capsys, argv, status):
    code, rows = _json(capsys, *argv)
    assert code == status
    assert rows and {r["source"] for r in rows} == set(argv[1:])


def test_source_is_case_insensitive(ledger, capsys):
    code, rows = _json(capsys, "--source", "D2L")
    assert code == 1 and rows and {r["source"] for r in rows} == {"d2l"}


def test_torch_is_imported_before_the_first_check_is_timed(ledger, monkeypatch):
    """needs_torch: an empirical route or a theory.empirical evidence check; warm_up runs before the
    first check (so that check's seconds are its own, not torch's import time)."""
    import theory.claims as claims

    def empirical_check(ctx: CheckContext) -> CheckResult:
        return CheckResult(1, 0.0, 1.0)

    empirical_check.__module__ = "theory.empirical.fake"
    register_evidence("src.d2l.torchy", "torch")(empirical_check)
    assert claims.needs_torch(["src.d2l.torchy"]) and claims.needs_torch(["l2.update:empirical"])
    assert not claims.needs_torch(["src.d2l.pass", "l2.update:numeric"])
    order: list[str] = []
    monkeypatch.setattr(claims, "warm_up", lambda keys: order.append("warm:" + ",".join(keys)))
    run_ledger(records.CLAIMS[:1], CheckContext(), on_start=order.append)
    assert order == ["warm:l2.update:symbolic,l2.update:numeric,src.d2l.pass", *order[1:]]
    assert len(order) == 4


def test_unknown_source_or_prefix_is_a_usage_error_with_did_you_mean(ledger, capsys):
    assert main(["claims", "--source", "d2"]) == 2
    err = capsys.readouterr().err
    assert "unknown source 'd2' (did you mean 'd2l'?); sources are d2l, ddlee, apx, pydl, manhua" in err
    assert main(["claims", "--only", "d2l.updat3"]) == 2
    err = capsys.readouterr().err
    assert "--only 'd2l.updat3' matches no record (did you mean 'd2l.update'?); ids start with" in err
    assert main(["claims", "--only", "ddle."]) == 2  # a near-miss source prefix
    err = capsys.readouterr().err
    assert "(did you mean 'ddlee.'" in err and "d2l., ddlee., apx., pydl., manhua." in err
    assert "d2l.scratch" not in err  # the sources, not every id, on one line
    assert main(["claims", "--source", "apx", "--only", "d2l."]) == 2  # the prefix is outside the source
    assert "--only 'd2l.' matches no record of source apx" in capsys.readouterr().err
    code, error = _json(capsys, "--source", "nope")
    assert code == 2 and error["error"] == "InputError" and "unknown source 'nope'" in error["message"]


def test_an_invalid_record_in_the_ledger_is_a_usage_error_naming_it(ledger, capsys):
    ledger.setattr(records, "CLAIMS", (*records.CLAIMS, _good(id="d2l.update")))
    assert main(["claims", "--source", "apx"]) == 2  # every record is validated, not just those selected
    err = capsys.readouterr().err
    assert "claim 'd2l.update' (record 6): id already used by the claim at record 1" in err


def test_seed_thorough_and_device_reach_the_checks(ledger, capsys):
    seen: list[CheckContext] = []

    def record(ctx: CheckContext) -> CheckResult:
        seen.append(ctx)
        return _passing()(ctx)

    register_evidence("src.d2l.context", "records its context")(record)
    ledger.setattr(records, "CLAIMS", (_good(evidence=("src.d2l.context",)),))
    assert main(["claims", "--json", "--seed", "7", "--thorough"]) == 0
    assert seen == [CheckContext(seed=7, thorough=True, device="cpu")]


def test_device_cuda_without_cuda_fails_before_running(ledger, capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(["claims", "--device", "cuda"]) == 2
    captured = capsys.readouterr()
    assert "DeviceUnavailableError" in captured.err and captured.out == ""
    assert ledger.ran == []  # nothing ran, so nothing is "verified" with every torch check skipped


@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_prints_the_finished_records_and_exits_130(ledger, capsys, as_json):
    def interrupted(ctx: CheckContext) -> CheckResult:
        raise KeyboardInterrupt

    register_evidence("src.d2l.ctrl_c", "Ctrl-C")(interrupted)
    first = _good(id="d2l.first", evidence=("src.d2l.pass",))
    ledger.setattr(records, "CLAIMS", (first, _good(evidence=("src.d2l.ctrl_c",))))
    assert main(["claims", *(["--json"] if as_json else [])]) == EXIT_INTERRUPTED
    captured = capsys.readouterr()
    assert "wdt claims: interrupted after 2 of 3 records" in captured.err  # the listing, then d2l.first
    if as_json:
        rows = json.loads(captured.out)
        assert [r.get("id") for r in rows] == ["d2l.scratch", "d2l.first", None]
        assert rows[-1] == {
            "kind": "interrupted",
            "records": 2,
            "planned": 3,
            "reason": "Ctrl-C: interrupted after 2 of 3 records",
        }
    else:
        out = " ".join(captured.out.split())
        assert "INTERRUPTED after 2 of 3 records" in out and "d2l.first" in out and "d2l.x" not in out


def _long_ledger(ledger) -> None:
    """The private ledger plus a record with a long id and long references, as real ones are."""
    register_evidence("src.pydl.regularization_p2_long", "long")(_passing())
    long = Claim(
        "pydl.a_claim_whose_identifier_is_long_enough_to_wrap",
        "pydl",
        "s",
        "c",
        "holds",
        "",
        ("src.pydl.regularization_p2_long", "l2.update:numeric"),
    )
    ledger.setattr(records, "CLAIMS", (*records.CLAIMS, long))


def test_table_fits_80_columns_and_shows_every_status(ledger, capsys):
    _long_ledger(ledger)
    ledger.setenv("COLUMNS", "80")
    assert main(["claims"]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, "\n".join(line for line in lines if len(line) > 80)
    for word in ("code listings", "claims", "id, evidence*", "verdict", "status"):
        assert word in out
    for o in run_ledger([*records.LISTINGS, *records.CLAIMS], CheckContext()):
        assert re.search(rf"│ {re.escape(o.record.id[:20])}.*│ {o.status} +│", out), o.record.id
        for ref in o.record.evidence:  # each reference on a line of its own, under the id
            assert re.search(rf"│   {re.escape(ref)}\*? +│", out), ref
    assert "unverified d2l.bad: src.d2l.fail (evidence): fail: twice the tolerance" in out
    assert "unverified apx.skip: src.apx.skip (evidence): skip: torch is not installed" in out
    assert "src.d2l.pass (evidence): measured on 3 seeds" in out  # the empirical tolerance, explained
    notes = lines[next(i for i, line in enumerate(lines) if line.startswith("* empirical")) :]
    wrapped = [line for line in notes[1:] if not line.startswith(("  ", "unverified "))]
    assert wrapped[:-1] == [], wrapped  # every continuation line of a note is indented
    summary = " ".join(out.split("measured on 3 seeds", 1)[1].split())
    assert "1 listings: 1 verified, 0 unverified; 6 claims: 2 verified, 3 unverified, 1 n/a" in summary
    assert "(3 holds, 1 holds under conditions, 1 false, 1 not a mathematical claim)" in summary
    assert "; 7 checks in " in summary


def test_wide_table_has_an_evidence_column(ledger, capsys):
    ledger.setenv("COLUMNS", "140")
    assert main(["claims", "--source", "d2l"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"│ d2l\.update +│ holds +│ verified +│ l2\.update, src\.d2l\.pass\* +│", out)
    assert re.search(r"│ d2l\.bad +│ false +│ unverified +│ src\.d2l\.fail +│", out)


def test_piped_without_columns_is_plain_text_one_line_a_row(ledger, capsys):
    """As wdt verify: a pipe or file without COLUMNS gets plain text (no box, a row on one line)."""
    ledger.delenv("COLUMNS", raising=False)
    assert main(["claims", "--source", "d2l"]) == 1
    out = capsys.readouterr().out
    assert "│" not in out and "━" not in out
    assert re.search(r"^ *d2l\.update +holds +verified +l2\.update, src\.d2l\.pass\* ", out, re.M)


def test_readme_lists_every_json_key_of_wdt_claims():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `wdt claims ["))
    listed = re.search(r"`--json` for an array of objects with `([^`]*)` \(for code listings: `([^`]*)`", row)
    assert listed is not None
    keys = [k.strip() for k in listed.group(1).split(",")]
    claim = ClaimOutcome(_good(), "verified", (), "").as_dict()
    assert keys == list(claim)
    listing = ClaimOutcome(Listing("d2l.l", "d2l", "s", "b", ("f",), ("l2.update",)), "verified", (), "")
    assert [k.strip() for k in listed.group(2).split(",")] == [k for k in listing.as_dict() if k not in claim]
    checks_keys = re.search(r"each check: `([^`]*)`", row)
    assert checks_keys is not None
    assert [k.strip() for k in checks_keys.group(1).split(",")] == ["ref", *Outcome.__slots__]


# --------------------------------------------------------------------------------------------------
# the page


def test_page_is_up_to_date():
    relative, render = BLOCKS["claims"]
    page = (ROOT / relative).read_text(encoding="utf-8")
    assert read_block(page, "claims") == render().strip(), "run: python -m theory.harness.docs --write"


def test_page_shows_every_record_and_links_theorems_to_the_catalogue(ledger):
    from theory.claims.render import catalogue_anchor, claims_page

    register("bayes.gaussian", "numeric", "private")(_passing())
    claim = replace(
        records.CLAIMS[0], evidence=("l2.update:numeric", "bayes.gaussian"), network="si.gradient"
    )
    page = claims_page(records.LISTINGS, (claim, *records.CLAIMS[1:]))
    for record in (*records.LISTINGS, *records.CLAIMS):
        assert f'<a id="{record.id}"></a>' in page
    assert "#### `d2l.scratch` (section 3.1)\n\ntrains a model\n" in page and "- prints a norm" in page
    assert "**`d2l.bad`** (section s): c\n  - Verdict: **false**: it is not\n" in page
    assert "  - For a network: si.gradient\n" in page
    assert "[`l2.update:numeric`](reference.md#l2update-" in page
    assert "`src.d2l.fail` (fails)" in page  # an evidence check, with its description
    assert "- Verdict: **not a mathematical claim**\n  - Evidence: none" in page
    assert "| [深度学习笔记(五):权重衰减](#d2l) | `d2l` | 1 | 2 | 1 | 0 | 1 | 0 |" in page
    assert "<https://blog.ddlee.cn/posts/cd6f40b8/>" in page  # a text's address, where it gives one
    # every anchor is the slug of the catalogue heading in docs/reference.md (GitHub's rule)
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    for tid in ("l2.update", "bayes.gaussian", "es.approx"):
        (heading,) = [line for line in reference.splitlines() if line.startswith(f"### `{tid}`: ")]
        slug = re.sub(r"[^\w\- ]", "", heading[4:].replace("`", "").lower()).replace(" ", "-")
        assert catalogue_anchor(tid) == slug
    assert "(reference.md#bayesgaussian-gaussian-prior--l2-map--posterior-mean--ridge)" in page


def test_page_has_no_run_time_numbers(ledger):
    """Rendering runs no check: the page depends on the records alone."""
    from theory.claims.render import claims_page

    claims_page()
    assert ledger.ran == []


def test_readme_counts_of_the_claims_match_the_records():
    """The README's "Of the N claims, a hold as stated, b hold under conditions, c are false and d are
    not mathematical claims" is counted from the records."""
    import re
    from collections import Counter
    from pathlib import Path

    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8").split())
    m = re.search(
        r"Of the (\d+) claims, (\d+) hold as stated, (\d+) hold under conditions .*?, (\d+) are false and "
        r"(\d+) are not mathematical claims",
        readme,
    )
    assert m, "the README's claim counts sentence is missing"
    counts = Counter(c.verdict for c in records.CLAIMS)
    assert [int(g) for g in m.groups()] == [
        len(records.CLAIMS),
        counts["holds"],
        counts["holds under conditions"],
        counts["false"],
        counts["not a mathematical claim"],
    ]
