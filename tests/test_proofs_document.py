"""The derivations document, ``wdt proofs`` and the ``wdt verify`` registration."""

from __future__ import annotations

import argparse
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from proofs import registry
from proofs.cli import add_arguments, run, write_atomically
from proofs.document import MAX_FORMULA, SYMPY_LINE, markdown_text, render
from proofs.framework import Report
from theory.checks import CheckContext, all_checks, run_check
from theory.harness.cli import main

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "proofs" / "DERIVATIONS.md"
_RENDER = (
    "import sys; from proofs import registry, document; "
    "sys.stdout.write(document.render(registry.derivation(t) for t in registry.ids()))"
)


def _document() -> str:
    return render(registry.derivation(t) for t in registry.ids())


def test_committed_document_is_up_to_date() -> None:
    committed = COMMITTED.read_text(encoding="utf-8")
    recorded = re.search(rf"^{SYMPY_LINE} (\S+)\.$", committed, re.MULTILINE)
    assert recorded is not None, "proofs/DERIVATIONS.md does not say which SymPy rendered it"
    if recorded.group(1) != sympy.__version__:
        pytest.skip(
            f"proofs/DERIVATIONS.md was rendered by SymPy {recorded.group(1)}, this is "
            f"{sympy.__version__}: LaTeX printing may differ between versions"
        )
    assert committed == _document(), (
        "proofs/DERIVATIONS.md is out of date: run `wdt proofs --out proofs/DERIVATIONS.md`"
    )


def test_document_has_every_derivation_and_step() -> None:
    text = _document()
    for theorem_id in registry.ids():
        d = registry.derivation(theorem_id)
        assert f"## `{theorem_id}`: {markdown_text(d.theorem.title)}" in text
        assert d.theorem.statement in text
        assert markdown_text(d.theorem.source) in text
        for step in d.steps:
            assert markdown_text(step.why) in text
    assert text.count("$$") % 2 == 0
    assert "w\\* = (1, 1)" in text  # an asterisk in prose cannot open or close emphasis


def _top_level_sides(formula: str) -> list[str]:
    """The parts of a LaTeX formula between ``=`` signs outside braces (``:=`` counts too)."""
    parts, depth, current = [], 0, []
    for ch in formula:
        depth += (ch == "{") - (ch == "}")
        if ch == "=" and depth == 0:
            parts.append("".join(current).rstrip(": ").strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts


def _formulas(text: str) -> list[str]:
    return re.findall(r"^\$\$\n(.*?)\n\$\$$", text, re.MULTILINE | re.DOTALL)


def test_no_rendered_step_is_x_equals_x() -> None:
    """A step shown as ``A = A`` tells a student nothing: the left side must be shown unevaluated."""
    same = []
    for formula in _formulas(_document()):
        sides = _top_level_sides(formula)
        same += [formula for left, right in itertools.pairwise(sides) if left == right]
    assert not same, f"steps rendered with identical sides: {same}"


def test_the_x_equals_x_detector_finds_one() -> None:
    assert _top_level_sides(r"H w^{*} = H w^{*}") == ["H w^{*}", "H w^{*}"]
    assert _top_level_sides(r"\left. x \right|_{\substack{ a=1 }} = 0") == [
        r"\left. x \right|_{\substack{ a=1 }}",
        "0",
    ]
    assert _formulas("$$\nA = A\n$$\n") == ["A = A"]


def test_no_line_of_the_document_is_too_long() -> None:
    """The n = 3 adjugate entries were thousands of characters on one line; now summarised."""
    limit = 400  # a sane line for a reader, whatever the renderer's own threshold says
    assert limit >= MAX_FORMULA
    long = [(n, len(line)) for n, line in enumerate(_document().splitlines(), 1) if len(line) > limit]
    assert not long, f"lines longer than {limit} characters: {long}"
    assert "formula is omitted" in _document()  # the n = 3 lines are summarised, not dropped silently


def test_definitions_and_explicit_sizes_are_shown() -> None:
    text = _document()
    assert "*Definition* (not checked)." in text
    assert "Checked for n = 3 only." in text
    sgd = registry.derivation("opt.sgd_equiv")
    assert sgd.definitions == 2
    assert registry.report("opt.sgd_equiv").detail == sgd.extent
    assert "2 definitions" in sgd.extent and "n = 1" in sgd.extent


def test_document_does_not_depend_on_the_hash_seed() -> None:
    outputs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _RENDER],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            encoding="utf-8",
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] == _document()


def test_importing_the_checks_does_not_import_sympy() -> None:
    code = "import sys, proofs.checks; sys.exit('sympy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


# ---------------------------------------------------------------------------- wdt proofs


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_wdt_proofs_writes_the_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "D.md"
    out.write_text("old", encoding="utf-8")
    assert main(["proofs", "--only", "l2.", "--only", "gd.", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "## `l2.pinv`" in text and "## `gd.min_norm`" in text and "## `es.approx`" not in text
    assert [p.name for p in tmp_path.iterdir()] == ["D.md"]  # no temporary file left behind
    printed = capsys.readouterr().out
    assert "l2.pinv" in printed and "proved for general n" in printed and "es.approx" not in printed


def test_wdt_proofs_prints_brackets_in_the_scope(capsys: pytest.CaptureFixture[str]) -> None:
    """Rich markup must not swallow "E[u]" (it read "[u]" as an underline tag)."""
    assert main(["proofs", "--only", "noise.tikhonov"]) == 0
    assert "E[u] = 0" in " ".join(capsys.readouterr().out.split())


def test_wdt_proofs_unknown_prefix_is_a_typed_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proofs", "--only", "nope."]) == 2
    assert "InputError" in capsys.readouterr().err


def test_wdt_proofs_missing_directory_is_a_typed_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["proofs", "--only", "l2.update", "--out", str(tmp_path / "no" / "D.md")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_wdt_proofs_exit_status_is_1_when_a_derivation_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    failing = Report("l2.update", False, 1, "proved for general n", 0.0, 2, "wrong sign")
    monkeypatch.setattr(registry, "report", lambda theorem_id: failing)
    assert run(_args("--only", "l2.update")) == 1


def test_write_atomically_keeps_the_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "D.md"
    target.write_text("old", encoding="utf-8")

    def broken(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["D.md"]


# ---------------------------------------------------------------------------- wdt verify


def test_every_derivation_is_a_symbolic_check_of_wdt_verify() -> None:
    checks = [c for c in all_checks(("proofs.checks",)) if c.route == "symbolic"]
    assert sorted(c.theorem_id for c in checks) == sorted(registry.ids())
    check = next(c for c in checks if c.theorem_id == "es.approx")
    outcome = run_check(check, CheckContext())
    assert outcome.status == "pass"
    assert outcome.detail == "proved for general n"
    assert outcome.cases == len(registry.derivation("es.approx").steps)
    sgd = next(c for c in checks if c.theorem_id == "opt.sgd_equiv")
    sgd_outcome = run_check(sgd, CheckContext())
    assert sgd_outcome.detail == registry.derivation("opt.sgd_equiv").extent
    assert sgd_outcome.cases == registry.report("opt.sgd_equiv").checked  # definitions are not cases
    assert outcome.max_error == 0.0 and outcome.tolerance == 0.0


def test_a_failing_derivation_fails_its_verify_row(monkeypatch: pytest.MonkeyPatch) -> None:
    failing = Report("es.approx", False, 2, "proved for general n", 0.0, 3, "order terms differ")
    monkeypatch.setattr("proofs.checks.report", lambda theorem_id: failing)
    check = next(
        c for c in all_checks(("proofs.checks",)) if c.theorem_id == "es.approx" and c.route == "symbolic"
    )
    outcome = run_check(check, CheckContext())
    assert outcome.status == "fail"
    assert outcome.detail == "step 3 fails: order terms differ"
