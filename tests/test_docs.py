"""The README and docs/reference.md stay true: their generated blocks match the code, the README's
numbers match the registry, its Quickstart is exactly two commands, and nothing cites a file the
repository does not contain."""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from theory.catalogue import CATALOGUE
from theory.checks import all_checks, sandbox
from theory.harness.docs import (
    BLOCKS,
    TABLE_END,
    TABLE_START,
    empirical_tolerance_list,
    read_block,
    replace_block,
    theorem_table,
    write_all,
)

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_theorem_table_is_up_to_date():
    start = README.index(TABLE_START) + len(TABLE_START)
    end = README.index(TABLE_END)
    assert README[start:end].strip() == theorem_table(), "run: python -m theory.harness.docs --write"


def test_quickstart_is_two_commands_and_ci_runs_the_second():
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "wdt verify" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
    assert "torch==2.13.0" in ci and "torch==2.13.0" in commands[0]


def test_readme_python_examples_run():
    """Every ```python block of the README runs as written."""
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        printed = io.StringIO()
        with sandbox(), contextlib.redirect_stdout(printed):  # a worked example's theorems are undone
            exec(compile(block, "README.md", "exec"), {})
        # a comment `# → TEXT` after a print states what it prints: TEXT must be in the output
        for promised in re.findall(r"^print\(.*#\s*→\s*(.+)$", block, re.M):
            assert promised.strip() in printed.getvalue(), (promised, printed.getvalue())


REFERENCE = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")


def test_reference_has_the_sections_the_code_cites():
    for heading in ("## Theorem catalogue", "## Library conventions", "## Traps", "### Worked examples"):
        assert f"\n{heading}\n" in REFERENCE, heading


@pytest.mark.parametrize("name", ["catalogue", "conventions"])
def test_reference_blocks_are_up_to_date(name):
    relative, render = BLOCKS[name]
    assert relative == "docs/reference.md"
    assert read_block(REFERENCE, name) == render().strip(), "run: python -m theory.harness.docs --write"


def test_reference_catalogue_covers_every_theorem_with_its_source():
    block = read_block(REFERENCE, "catalogue")
    for tid, thm in CATALOGUE.items():
        assert f"### `{tid}`: {thm.title}" in block
        assert thm.statement in block and thm.source in block


def test_reference_conventions_cover_every_row():
    from theory.conventions import CONVENTIONS

    block = read_block(REFERENCE, "conventions")
    for key in CONVENTIONS:
        assert f"| `{key}` |" in block and f"- `{key}`: " in block


@pytest.mark.slow
def test_readme_empirical_tolerance_list_is_up_to_date():
    """The list is what the symbolic and numeric checks report when they run (seed 0)."""
    assert read_block(README, "empirical-tolerances") == empirical_tolerance_list(), (
        "run: python -m theory.harness.docs --write"
    )


def test_readme_row_counts_match_the_registry():
    checks = all_checks()
    by_route = Counter(c.route for c in checks)
    claim = (
        f"`wdt verify --verbose` prints {len(checks)} rows\n({by_route['symbolic']} symbolic, "
        f"{by_route['numeric']} numeric, {by_route['empirical']} empirical;"
    )
    assert " ".join(claim.split()) in " ".join(README.split())


def test_no_file_cites_a_markdown_file_the_project_lacks():
    """The project cites its own files (docs/reference.md, …), never a REFERENCE.md or DESIGN.md that
    lived beside an earlier checkout: every ``NAME.md`` named in a source or document is a file here."""
    tracked = [
        path
        for path in ROOT.rglob("*")
        if path.is_file()
        and not any(
            part.startswith(".") or part in {"build", "dist", "mutants"}
            for part in path.relative_to(ROOT).parts
        )
    ]
    have = {path.name for path in tracked if path.suffix == ".md"}
    offenders = []
    for path in tracked:
        if path.suffix not in {".py", ".md", ".toml", ".cfg", ".txt"} or path.name == "test_docs.py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            # upper-case document names (README.md, DESIGN.md, …); FILE.md is the CLI's placeholder
            for cited in re.findall(r"\b([A-Z][A-Z_]{2,}\.md)\b", line):
                if cited not in have and cited != "FILE.md":
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {cited}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_write_all_rewrites_only_the_blocks(tmp_path):
    (tmp_path / "docs").mkdir()
    for relative in {r for r, _ in BLOCKS.values()}:
        text = (ROOT / relative).read_text(encoding="utf-8")
        for name, (where, _) in BLOCKS.items():
            if where == relative:
                text = replace_block(text, name, "stale")
        (tmp_path / relative).write_text(text, encoding="utf-8")
    assert sorted(write_all(tmp_path)) == sorted(BLOCKS)
    for relative in {r for r, _ in BLOCKS.values()}:
        assert (tmp_path / relative).read_text(encoding="utf-8") == (ROOT / relative).read_text(
            encoding="utf-8"
        )
    assert write_all(tmp_path) == []


def test_readme_lists_every_json_key_of_wdt_verify():
    from theory.checks import Outcome

    row = next(line for line in README.splitlines() if line.startswith("| `wdt verify ["))
    listed = re.search(r"array of objects with `([^`]*)`", row)
    assert listed is not None
    assert [key.strip() for key in listed.group(1).split(",")] == list(Outcome.__slots__)
