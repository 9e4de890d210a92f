"""The README stays true: its theorem table is generated, its Quickstart is exactly two commands."""

from __future__ import annotations

import re
from pathlib import Path

from theory.docs import TABLE_END, TABLE_START, theorem_table

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_theorem_table_is_up_to_date():
    start = README.index(TABLE_START) + len(TABLE_START)
    end = README.index(TABLE_END)
    assert README[start:end].strip() == theorem_table(), "run: python -m theory.docs, paste into README.md"


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
        exec(compile(block, "README.md", "exec"), {})
