"""The notebooks in ``docs/notebooks/``: every one runs from top to bottom, and is committed clean.

Every ``docs/notebooks/*.ipynb`` is found by a glob, so a notebook added there is tested without
editing this file. Each one is

- committed clean: no outputs and no execution counts (outputs are generated when the notebook runs,
  here and in the documentation build, so diffs of the notebook stay diffs of its source), with a title
  cell (a Markdown cell starting with ``# ``) first and the ``python3`` kernel in its metadata;
- executed with nbclient in a fresh ``python3`` kernel (ipykernel) whose working directory is a
  temporary directory and whose ``PYTHONPATH`` starts with this checkout, so it runs this code; a cell
  that raises fails the test with the notebook, the cell's number, its source and the traceback;
- not allowed to write into the repository: the files under the checkout (caches left out) are the
  same, with the same sizes and modification times, before and after the run.

A notebook that needs an optional extra names it in its metadata, ``{"wdt": {"requires": ["torch"]}}``.
Without nbclient, nbformat or ipykernel (the ``test`` extra), or without a required module, the tests
skip with the reason; when the environment variable ``CI`` is ``true`` they fail instead, so CI never
passes by skipping them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "docs" / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
#: the notebooks this repository ships (more may be added: the glob finds them)
SHIPPED = {"tour.ipynb", "d2l_experiment.ipynb"}
#: seconds a single cell may run (a loaded CI machine is several times slower than a quiet core)
CELL_TIMEOUT = 300
#: directories under the checkout that a run may change: caches, build output, virtual environments
_SCRATCH = re.compile(
    r"(^|/)(\.git|__pycache__|\.hypothesis|\.pytest_cache|\.mypy_cache|\.ruff_cache|mutants|build|dist"
    r"|_build|\.venv[^/]*|[^/]*\.egg-info)(/|$)"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _skip_or_fail(reason: str) -> None:
    """Skip with ``reason``, or fail under CI (a CI run must execute the notebooks)."""
    if _in_ci():
        pytest.fail(f"CI=true, so this must not be skipped: {reason}")
    pytest.skip(reason)


def _require(*modules: str, why: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        _skip_or_fail(f"{why} needs {', '.join(missing)} (not installed)")


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """``relative path → (size, mtime_ns)`` of every file under ``root`` outside :data:`_SCRATCH`."""
    files: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        dirnames[:] = [d for d in dirnames if not _SCRATCH.search(f"{rel_dir}/{d}")]
        for name in filenames:
            rel = f"{rel_dir}/{name}" if rel_dir != "." else name
            if _SCRATCH.search(rel):
                continue
            st = (Path(dirpath) / name).stat()
            files[rel] = (st.st_size, st.st_mtime_ns)
    return files


def _changes(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    return sorted(
        [f"new {p}" for p in after.keys() - before.keys()]
        + [f"removed {p}" for p in before.keys() - after.keys()]
        + [f"changed {p}" for p in before.keys() & after.keys() if before[p] != after[p]]
    )


def _failure_report(path: Path, nb: Any) -> str:
    """The first cell with an error output: its number, source and traceback (colours removed)."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                trace = _ANSI.sub("", "\n".join(out.get("traceback", [])))
                return (
                    f"{path.relative_to(ROOT)}: cell {index} raised {out.get('ename')}: {out.get('evalue')}\n"
                    f"--- cell source ---\n{cell.source}\n--- traceback ---\n{trace}"
                )
    return f"{path.relative_to(ROOT)}: the run failed without an error output"


def test_the_notebooks_are_found() -> None:
    """The glob finds the shipped notebooks (an empty parametrisation would pass silently)."""
    found = {p.name for p in NOTEBOOKS}
    assert found >= SHIPPED, f"missing from {NOTEBOOK_DIR}: {sorted(SHIPPED - found)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path: Path) -> None:
    """nbformat 4, the python3 kernel, a title cell first, and no outputs or execution counts."""
    nb = _load(path)
    assert nb.get("nbformat") == 4, f"{path.name}: nbformat {nb.get('nbformat')}, want 4"
    kernel = nb.get("metadata", {}).get("kernelspec", {})
    assert kernel.get("name") == "python3", f"{path.name}: kernelspec {kernel}, want name 'python3'"
    assert kernel.get("language") == "python", f"{path.name}: kernelspec {kernel}, want language 'python'"
    cells = nb.get("cells", [])
    assert cells, f"{path.name} has no cells"
    first = cells[0]
    assert first.get("cell_type") == "markdown" and _source(first).startswith("# "), (
        f"{path.name}: the first cell must be a Markdown title ('# …'); got {first.get('cell_type')} "
        f"{_source(first)[:60]!r}"
    )
    dirty = [
        f"cell {i} ({len(cell.get('outputs') or [])} outputs, execution_count {cell.get('execution_count')})"
        for i, cell in enumerate(cells)
        if cell.get("cell_type") == "code"
        and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name} is committed with outputs or execution counts in {', '.join(dirty)}; clear them "
        "(e.g. `jupyter nbconvert --clear-output --inplace` or Jupyter's 'Clear All Outputs'): outputs are "
        "generated when the notebook runs"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cell runs without error in a fresh kernel, and nothing in the checkout changes."""
    _require("nbclient", "nbformat", "ipykernel", why="executing the notebooks (the test extra)")
    requires = _load(path).get("metadata", {}).get("wdt", {}).get("requires", [])
    _require(*requires, why=f"{path.name}")

    # jupyter_core's platform paths, without its warning about migrating to them (warnings are errors)
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        startup_timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel's working directory
    )
    before = _snapshot(ROOT)
    try:
        client.execute(env=env)
    except CellExecutionError:
        pytest.fail(_failure_report(path, nb), pytrace=False)
    changes = _changes(before, _snapshot(ROOT))
    assert not changes, f"{path.name} wrote into the repository: {changes}"
