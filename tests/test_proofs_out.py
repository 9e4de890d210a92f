"""``wdt proofs --out``: a value that cannot be the document's file is a usage error (exit 2, the value
in the message) before any derivation is checked, never a traceback after the work."""

from __future__ import annotations

from pathlib import Path

import pytest

from proofs import registry
from theory.harness.cli import main


def _exit_status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse's own usage errors
        return int(stop.code or 0)


@pytest.mark.parametrize("kind", ["directory", "empty"])
def test_wdt_proofs_out_that_is_no_file_is_refused_before_the_work(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_work(theorem_id: str) -> None:
        raise AssertionError(f"checked {theorem_id} before refusing --out")

    monkeypatch.setattr(registry, "report", no_work)
    out = str(tmp_path) if kind == "directory" else ""
    assert _exit_status(["proofs", "--only", "l2.update", "--out", out]) == 2
    err = capsys.readouterr().err
    assert repr(out) in err and "Traceback" not in err
    assert ("is a directory" if kind == "directory" else "needs a file name") in err
