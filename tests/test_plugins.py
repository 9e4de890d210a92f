"""An open catalogue and plugins: ``theory.catalogue.add``, ``theory.checks.load_plugins`` and
``wdt verify --plugin``; the example plugin package installed with pip and run by a fresh ``wdt``."""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from theory import catalogue, checks
from theory.catalogue import CATALOGUE, Theorem
from theory.checks import CheckContext, CheckResult, ErrorTracker, load_plugins, register, sandbox
from theory.errors import InputError
from theory.harness.cli import main
from theory.harness.verify import run_checks

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "wdt-plugin-example"
EXAMPLE_ID = "example.ridge_augmented"

MINE = Theorem("mine.bound", "A bound of mine", r"x \le 1", "my notes, eq. 1", ("x ∈ [0, 1]",))


@pytest.fixture
def scratch():
    """Whatever a test adds, registers or loads is undone afterwards (the rest of the suite sees the
    built-in catalogue only; ``tests/test_docs.py`` renders it)."""
    with sandbox():
        yield
    assert "mine.bound" not in CATALOGUE and EXAMPLE_ID not in CATALOGUE


def _prepend_path(monkeypatch, folder: str) -> None:
    """``folder`` first on ``sys.path`` for one test. (pytest's ``syspath_prepend`` is not used: it
    calls into ``pkg_resources`` when another test has imported it, which can fail.)"""
    monkeypatch.setattr(sys, "path", [folder, *sys.path])
    importlib.invalidate_caches()


def _verify_json(capsys, *argv: str) -> tuple[int, list[dict]]:
    code = main(["verify", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def _plugin_file(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


_PASSING = """
    import numpy as np

    from theory.catalogue import Theorem, add
    from theory.checks import ErrorTracker, register

    add(Theorem("mine.bound", "A bound of mine", r"x^2 \\le x,\\ x \\in [0, 1]", "my notes, eq. 1"))

    @register("mine.bound", "numeric", "x drawn in [0, 1)")
    def _check(ctx):
        tracker = ErrorTracker()
        for x in ctx.rng(3).uniform(0, 1, ctx.cases(5, 50)):
            # x·x is rounded once: within eps·x of the true square
            tracker.add(max(FACTOR * x * x - x, 0.0), np.finfo(float).eps * x)
        return tracker.result("x² − x, clipped at 0")
"""


def _passing(factor: float = 1.0) -> str:
    return _PASSING.replace("FACTOR", repr(factor))


# --- the catalogue --------------------------------------------------------------------------------


def test_every_built_in_theorem_is_well_formed():
    for theorem in CATALOGUE.values():
        assert catalogue.validate(theorem) is theorem


@pytest.mark.parametrize(
    "bad_id", ["mine", "Mine.x", "mine.", ".x", "mine.x-y", "1mine.x", "plugin:x", "mine..x", "mine.1x"]
)
def test_add_rejects_an_id_not_of_the_form_family_name(scratch, bad_id):
    with pytest.raises(InputError, match=re.escape(repr(bad_id))):
        catalogue.add(dataclasses.replace(MINE, id=bad_id))
    assert bad_id not in CATALOGUE


@pytest.mark.parametrize(
    ("field", "value"), [("title", ""), ("statement", "  "), ("source", None), ("assumptions", ["a list"])]
)
def test_add_rejects_a_missing_field(scratch, field, value):
    with pytest.raises(InputError, match=field):
        catalogue.add(dataclasses.replace(MINE, **{field: value}))
    assert MINE.id not in CATALOGUE


def test_add_then_register_then_verify(scratch, capsys):
    with pytest.raises(InputError, match="theory.catalogue.add"):  # the error says what to do
        register(MINE.id, "numeric", "too early")
    assert catalogue.add(MINE) is MINE
    assert catalogue.add(dataclasses.replace(MINE)) is not None  # an equal theorem again: harmless
    assert catalogue.ids("mine.") == [MINE.id] and catalogue.ids()[-1] == MINE.id  # after the built-ins

    @register(MINE.id, "numeric", "one case")
    def _check(ctx: CheckContext) -> CheckResult:
        tracker = ErrorTracker()
        tracker.add(0.5, 1.0)
        return tracker.result("half")

    code, rows = _verify_json(capsys, "--only", "mine.")
    assert code == 0
    assert [(r["id"], r["route"], r["status"], r["title"]) for r in rows] == [
        (MINE.id, "numeric", "pass", MINE.title)
    ]


def test_add_refuses_to_replace_a_theorem(scratch):
    with pytest.raises(InputError, match="'l2.dof' is already taken by a built-in theorem"):
        catalogue.add(dataclasses.replace(MINE, id="l2.dof"))
    catalogue.add(MINE)
    with pytest.raises(InputError, match="already taken by a theorem added earlier"):
        catalogue.add(dataclasses.replace(MINE, title="another"))
    assert CATALOGUE[MINE.id] == MINE and CATALOGUE["l2.dof"].title == "Effective degrees of freedom"


def test_remove_takes_an_added_theorem_and_its_checks_out(scratch, capsys):
    catalogue.add(MINE)
    register(MINE.id, "numeric", "never run")(lambda ctx: CheckResult(1, 0.0, 1.0))
    with pytest.raises(InputError, match="built-in"):
        catalogue.remove("l2.dof")
    assert catalogue.remove(MINE.id) == MINE
    with pytest.raises(InputError, match="no added theorem"):
        catalogue.remove(MINE.id)
    assert all(c.theorem_id != MINE.id for c in checks.all_checks())
    assert main(["verify", "--only", "mine."]) == 2  # no such check any more
    assert "matches no check" in capsys.readouterr().err


# --- local plugins: --plugin MODULE and --plugin FILE.py ------------------------------------------


def test_plugin_by_module_name(scratch, tmp_path, monkeypatch, capsys):
    _plugin_file(tmp_path, "my_theorems", _passing())
    _prepend_path(monkeypatch, str(tmp_path))
    code, rows = _verify_json(capsys, "--plugin", "my_theorems", "--only", "mine.")
    assert code == 0 and [(r["id"], r["status"], r["cases"]) for r in rows] == [("mine.bound", "pass", 5)]
    code, rows = _verify_json(capsys, "--plugin", "my_theorems", "--only", "mine.")  # loaded once
    assert code == 0 and len(rows) == 1


def test_plugin_file_table_row_and_failing_check_exit_1(scratch, tmp_path, capsys):
    path = _plugin_file(tmp_path, "strict_theorems", _passing(factor=2.0))  # 2x² > x for x > 1/2
    assert main(["verify", "--plugin", str(path), "--only", "mine."]) == 1
    out = capsys.readouterr().out
    assert "mine.bound" in out and "0 passed, 1 failed" in out


# --- broken plugins: one failed row each, never a crash, nothing left behind ----------------------


_BROKEN = {
    "raises": """
        from theory.catalogue import Theorem, add
        from theory.checks import register
        add(Theorem("mine.half", "Half done", "x", "nowhere"))
        register("mine.half", "numeric", "half")(lambda ctx: None)
        1 / 0
    """,
    "exits": "import sys\nsys.exit(3)\n",
    "nothing": "from theory.catalogue import Theorem, add\nadd(Theorem('mine.quiet', 'Q', 'x', 'nowhere'))\n",
    "taken": "from theory.catalogue import Theorem, add\nadd(Theorem('l2.dof', 'Mine', 'x', 'nowhere'))\n",
    "route": """
        from theory.catalogue import Theorem, add
        from theory.checks import register
        add(Theorem("mine.route", "R", "x", "nowhere"))
        register("mine.route", "numerik", "typo")
    """,
    "syntax": "x = 1\ny = (\n",
    "missing": "import no_such_module_of_mine\n",
}
# the place is the plugin's own line, never the toolkit's (checks.py, catalogue.py, <frozen importlib>)
_CAUSE = {
    "raises": "ZeroDivisionError at raises.py:6: division by zero",
    "exits": "SystemExit at exits.py:2: 3",
    "nothing": "importing nothing registered no check",
    "taken": "InputError at taken.py:2: theorem id 'l2.dof' is already taken by a built-in theorem",
    "route": "InputError at route.py:5: route must be one of",
    "syntax": "SyntaxError at syntax.py:2:",
    "missing": "ModuleNotFoundError at missing.py:1: No module named 'no_such_module_of_mine'",
}


@pytest.mark.parametrize("kind", sorted(_BROKEN))
def test_a_broken_plugin_is_one_failed_row_with_its_cause(scratch, tmp_path, capsys, kind):
    path = _plugin_file(tmp_path, kind, _BROKEN[kind])
    before = (dict(CATALOGUE), dict(checks._REGISTRY))
    code, rows = _verify_json(capsys, "--plugin", str(path), "--only", "l2.dof", "--route", "numeric")
    assert code == 1
    assert [r["id"] for r in rows] == ["l2.dof", f"plugin:{kind}.py"]  # the file's name, not its path
    row = rows[1]
    assert row["status"] == "fail" and row["route"] == "plugin" and row["source"] == f"--plugin {path}"
    assert _CAUSE[kind] in row["detail"]
    assert (dict(CATALOGUE), dict(checks._REGISTRY)) == before  # what it added before failing is undone
    assert kind not in sys.modules


def test_a_broken_plugin_in_the_table_and_an_unmatched_prefix(scratch, tmp_path, capsys):
    path = _plugin_file(tmp_path, "raises", _BROKEN["raises"])
    # the ids of a plugin that did not load are unknown: --only mine. is then no usage error (2) but
    # the failed plugin's row, exit 1
    assert main(["verify", "--plugin", str(path), "--only", "mine."]) == 1
    out = capsys.readouterr().out
    assert "plugin:raises.py" in out and "0 passed, 1 failed" in out
    assert "ZeroDivisionError at raises.py:6" in out
    with pytest.raises(InputError, match="unknown route 'visual'"):  # a bad route stays an error
        run_checks(plugins=[str(path)], only=["mine."], routes=["visual"], progress=False)


def test_missing_plugins(scratch, tmp_path, capsys):
    code, rows = _verify_json(capsys, "--plugin", "no_such_plugin_module", "--only", "l2.dof")
    assert code == 1
    failed = {r["id"]: r["detail"] for r in rows if r["status"] == "fail"}
    # the module itself is missing: no place at all (not "at <frozen importlib._bootstrap>:1140")
    missing = failed["plugin:no_such_plugin_module"]
    assert missing == "ModuleNotFoundError: No module named 'no_such_plugin_module'"
    # a .py file that is not there is a bad argument: usage error, exit 2, before anything runs
    with pytest.raises(SystemExit) as stop:
        main(["verify", "--plugin", str(tmp_path / "gone.py"), "--only", "l2.dof"])
    assert stop.value.code == 2
    assert "no plugin file" in capsys.readouterr().err


_BAD_CHECKS = """
    import sys

    from theory.catalogue import Theorem, add
    from theory.checks import register

    for name in ("float", "none", "exit", "inner"):
        add(Theorem(f"bad.{name}", name, "x", "nowhere"))
    add(Theorem("bad.unchecked", "No check", "x", "nowhere"))

    register("bad.float", "numeric", "returns a float")(lambda ctx: 3.0)
    register("bad.none", "numeric", "returns None")(lambda ctx: None)
    register("bad.exit", "numeric", "exits")(lambda ctx: sys.exit(5))

    @register("bad.inner", "numeric", "a bad tolerance, found inside the toolkit")
    def _inner(ctx):
        from theory.checks import ErrorTracker

        tracker = ErrorTracker()
        tracker.add(1.0, -1.0)
"""


def test_a_check_that_returns_no_result_or_exits_is_a_failed_row(scratch, tmp_path, capsys):
    """A check returning a float or None, or calling sys.exit(), is a failed row with its cause;
    a theorem added without a check is a failed row too; the other rows still run."""
    path = _plugin_file(tmp_path, "badchecks", _BAD_CHECKS)
    code, rows = _verify_json(capsys, "--plugin", str(path), "--only", "bad.", "--only", "l2.dof")
    assert code == 1
    detail = {r["id"]: r["detail"] for r in rows}
    assert {r["id"]: r["status"] for r in rows if r["id"].startswith("bad.")} == dict.fromkeys(
        ["bad.float", "bad.none", "bad.exit", "bad.inner", "bad.unchecked"], "fail"
    )
    assert detail["bad.float"] == "the check returned float 3.0, not a CheckResult"
    assert detail["bad.none"] == "the check returned NoneType None, not a CheckResult"
    assert detail["bad.exit"] == "SystemExit at badchecks.py:13: 5"
    assert detail["bad.inner"].startswith("InputError at badchecks.py:20: a tolerance must be positive")
    assert "bad.unchecked has no check" in detail["bad.unchecked"]
    assert {r["status"] for r in rows if r["id"] == "l2.dof"} == {"pass"}  # the other rows still ran


def test_only_selects_a_theorem_that_has_no_check(scratch, tmp_path, capsys):
    path = _plugin_file(tmp_path, "badchecks2", _BAD_CHECKS)
    code, rows = _verify_json(capsys, "--plugin", str(path), "--only", "bad.unchecked")
    assert code == 1  # its failed row, not "matches no check" (2)
    assert [(r["id"], r["route"], r["status"]) for r in rows] == [("bad.unchecked", "plugin", "fail")]


def test_only_error_lists_a_few_close_ids_not_all():
    with pytest.raises(InputError) as error:
        run_checks(only=["l2.optimun"], progress=False)
    message = str(error.value)
    assert "did you mean 'l2.optimum'" in message
    listed = message.split("closest ids: ")[1].split(", ...")[0].split(", ")
    assert "l2.optimum" in listed and len(listed) <= 10 and len(message) < 400, message


def test_entry_point_plugins_stay_out_of_the_project_docs(scratch, tmp_path, monkeypatch, capsys):
    """An installed plugin (entry point) is loaded by wdt verify but not by run_checks(entry_points=False),
    which the README's generated blocks use: a user's plugins cannot change the project's docs."""
    _fake_distribution(tmp_path, "mine_dist", "[weight_decay_theory.plugins]\nmine = mine_ep_plugin\n")
    (tmp_path / "mine_ep_plugin.py").write_text(
        textwrap.dedent(_passing()).replace(
            "tracker = ErrorTracker()", "tracker = ErrorTracker()\n    tracker.empirical_tolerance('mine')"
        ),
        encoding="utf-8",
    )
    _prepend_path(monkeypatch, str(tmp_path))
    assert [o.id for o in run_checks(only=["mine."], progress=False)] == ["mine.bound"]  # loaded
    with pytest.raises(InputError, match="'mine.' matches no check"):  # though loaded in this process
        run_checks(only=["mine."], progress=False, entry_points=False)
    own = run_checks(routes=["numeric"], only=["l2.dof"], progress=False, entry_points=False)
    from theory.harness import docs

    seen: dict = {}
    monkeypatch.setattr("theory.harness.verify.run_checks", lambda **kw: seen.update(kw) or own)
    assert "mine.bound" not in docs.empirical_tolerance_list()
    assert seen["entry_points"] is False


def _fake_distribution(site: Path, name: str, entry_points: str) -> None:
    """A distribution as an installer leaves it: ``<name>-<version>.dist-info`` with its entry points."""
    info = site / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_an_installed_plugin_that_is_broken(scratch, tmp_path, monkeypatch, capsys):
    _fake_distribution(tmp_path, "broken_dist", "[weight_decay_theory.plugins]\nbroken = no_such_module_x\n")
    _prepend_path(monkeypatch, str(tmp_path))
    failures = load_plugins()
    assert [(f.name, f.origin) for f in failures] == [
        ("broken", "entry point broken = no_such_module_x of broken_dist 0.1")
    ]
    assert "ModuleNotFoundError" in failures[0].cause
    code, rows = _verify_json(capsys, "--only", "l2.dof", "--route", "numeric")
    assert code == 1 and [r["id"] for r in rows] == ["l2.dof", "plugin:broken"]


# --- the example package, installed by pip ---------------------------------------------------------


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> Path:
    """``examples/wdt-plugin-example`` installed by pip into a folder of its own (no network: the
    build backend is the environment's setuptools), from a copy, so the build leaves the repository
    clean."""
    tmp = tmp_path_factory.mktemp("plugin")
    source, site = tmp / "src", tmp / "site"
    shutil.copytree(EXAMPLE, source)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*pip, "--no-index", "--target", str(site), str(source)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (site / "wdt_plugin_example-0.1.0.dist-info" / "entry_points.txt").is_file()
    return site


def test_installed_example_runs_in_a_fresh_wdt(example_site, tmp_path):
    """What a user sees: the package installed, a new ``wdt verify`` finds it by its entry point."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(example_site), str(ROOT)]), COLUMNS="200")
    wdt = [sys.executable, "-m", "theory.harness.cli", "verify", "--only", "example."]
    run = {"capture_output": True, "text": True, "env": env, "cwd": tmp_path, "timeout": 120}
    done = subprocess.run([*wdt, "--json"], **run)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [(r["id"], r["route"], r["status"]) for r in rows] == [(EXAMPLE_ID, "numeric", "pass")]
    assert rows[0]["cases"] == 30 and rows[0]["tolerance_basis"] == "derived"
    assert 0 <= rows[0]["max_error"] <= rows[0]["tolerance"]
    done = subprocess.run(wdt, **run)
    assert done.returncode == 0 and EXAMPLE_ID in done.stdout and "1 passed, 0 failed" in done.stdout


def test_installed_example_in_process(example_site, scratch, monkeypatch, capsys):
    _prepend_path(monkeypatch, str(example_site))
    code, rows = _verify_json(capsys, "--only", EXAMPLE_ID, "--seed", "5")
    assert code == 0 and [r["id"] for r in rows] == [EXAMPLE_ID]
    code, rows = _verify_json(capsys, "--only", "l2.dof", "--route", "numeric")  # --only leaves it out
    assert code == 0 and [r["id"] for r in rows] == ["l2.dof"]
    code, rows = _verify_json(capsys, "--only", "example.", "--route", "symbolic")  # no such route
    assert code == 0 and rows == []


def test_example_check_can_fail(example_site, scratch, monkeypatch):
    """The example's check is a real check: ridge with α/2 (the factor of G 7.15) is not least squares
    on [X; √α I]."""
    _prepend_path(monkeypatch, str(example_site))
    assert load_plugins() == []
    import wdt_plugin_example  # type: ignore[import-not-found]

    real = wdt_plugin_example.regression.ridge
    monkeypatch.setattr(wdt_plugin_example.regression, "ridge", lambda X, y, a, **kw: real(X, y, a / 2, **kw))
    (check,) = [c for c in checks.all_checks() if c.theorem_id == EXAMPLE_ID]
    result = check.func(CheckContext())
    assert result.verdict == "fail" and result.ratio > 1e6


def test_example_tolerance_is_not_vacuous(example_site, scratch, monkeypatch):
    """The example's tolerance is the sum of two perturbation bounds; such worst-case bounds sit a few
    hundred times above the errors met in practice (observed worst ratios 0.0017 to 0.0088 over seeds
    0..7), so a floor of 1e-4, 17× under the lowest, is an empirical floor: a tolerance 1000× too
    loose (ratios ≤ 1e-5) falls under it, the real one does not."""
    _prepend_path(monkeypatch, str(example_site))
    assert load_plugins() == []
    (check,) = [c for c in checks.all_checks() if c.theorem_id == EXAMPLE_ID]
    for seed in (0, 1):
        result = check.func(CheckContext(seed=seed))
        assert result.verdict == "pass" and 1e-4 <= result.ratio <= 1, (seed, result.ratio)


# --- the README's worked example -------------------------------------------------------------------


def test_readme_worked_example_is_a_plugin_that_passes(scratch, tmp_path, capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Your own theorems") :]
    block = re.search(r"```python\n# my_theorems\.py\n(.*?)```", section, re.S)
    assert block is not None, "README: the worked example is a ```python block starting '# my_theorems.py'"
    path = tmp_path / "my_theorems.py"
    path.write_text(block.group(1), encoding="utf-8")
    assert "wdt verify --plugin my_theorems.py --only mine." in section
    code, rows = _verify_json(capsys, "--plugin", str(path), "--only", "mine.")
    assert code == 0 and rows and all(r["status"] == "pass" for r in rows)


def test_a_plugin_cannot_undo_or_steal_built_in_checks_in_a_fresh_wdt(tmp_path):
    """A fresh process (the built-in providers not yet imported): a plugin that imports a built-in
    provider and then raises must not roll that provider's checks back, and a plugin that registers a
    second check for a built-in (theorem, route) is its own failed row, refused by name, and the run
    goes on."""
    reuse = _plugin_file(
        tmp_path, "reuse", "from theory.harness.numeric_checks import _l2_dof\nraise RuntimeError('boom')\n"
    )
    steal = _plugin_file(
        tmp_path,
        "steal",
        """
        from theory.checks import register

        @register("l2.dof", "numeric", "a second dof check")
        def _second(ctx):
            raise AssertionError("never run")
        """,
    )
    argv = ["--plugin", str(reuse), "--plugin", str(steal), "--only", "l2.dof", "--route", "numeric"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "theory", "verify", "--json", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    rows = {r["id"]: r for r in json.loads(done.stdout)}
    assert list(rows) == ["l2.dof", "plugin:reuse.py", "plugin:steal.py"]
    assert rows["l2.dof"]["status"] == "pass"  # the built-in check is still there, and it ran
    assert "RuntimeError at reuse.py:2: boom" in rows["plugin:reuse.py"]["detail"]
    cause = rows["plugin:steal.py"]["detail"]
    assert "cannot register 'a second dof check' (steal._second) as the numeric check of l2.dof" in cause
