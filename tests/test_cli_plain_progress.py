"""Plain output (a pipe without ``COLUMNS``) carries no trailing padding, and ``--json`` still shows
its progress on standard error when that is a terminal (standard output stays pure JSON)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from theory.harness.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "--only", "l2.dof", "--route", "numeric"],
        ["verify", "--only", "l2.dof", "--route", "numeric", "--verbose"],
        ["conventions"],
        ["conventions", "--from", "torch.SGD", "weight_decay=1e-4", "--n", "10"],
        ["proofs", "--only", "l2.pinv"],
        ["figures", "--list"],
        ["claims", "--only", "manhua.regularisation_for_generalisation"],
    ],
    ids=" ".join,
)
def test_plain_output_has_no_trailing_spaces(argv, capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(argv) == 0
    out = capsys.readouterr().out
    padded = [line for line in out.splitlines() if line != line.rstrip()]
    assert out.strip() and not padded, padded[:3]


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "--only", "l2.dof", "--route", "numeric", "--json"],
        ["claims", "--only", "manhua.regularisation_for_generalisation", "--json"],
    ],
    ids=" ".join,
)
def test_json_shows_progress_on_a_terminal_stderr(argv):
    """stderr a pseudo-terminal, stdout a pipe: the bar is drawn on stderr, stdout is JSON only."""
    main_fd, tty_fd = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    env.pop("COLUMNS", None)
    try:
        child = subprocess.run(
            [sys.executable, "-m", "theory", *argv],
            stdout=subprocess.PIPE,
            stderr=tty_fd,
            cwd=ROOT,
            env=env,
            timeout=120,
            check=False,
        )
        os.close(tty_fd)
        err = b""
        while True:
            try:
                chunk = os.read(main_fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            err += chunk
    finally:
        os.close(main_fd)
    assert child.returncode == 0, err
    assert isinstance(json.loads(child.stdout), list)  # pure JSON
    assert b"\xe2\x94\x81" in err or b"0:00" in err, err[:300]  # the bar (━) or its elapsed time
