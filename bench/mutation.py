"""Mutation score of the numeric modules of ``theory/``: every mutant mutmut makes, module by module.

For each module, ``mutmut run 'theory.<module>.*'`` (configuration: ``[tool.mutmut]`` in
pyproject.toml) tests every mutant of the module against the test selection configured there, with
Hypothesis derandomised (``CI=true``, ``HYPOTHESIS_PROFILE=ci``). Then a table per module:

- mutants: all mutants of the module (no sampling);
- killed: a test failed; survived: every test passed; timeout: the tests ran out of time;
- other: no test ran the function, or mutmut reported it suspicious / segfault / not checked;
- equivalent: survivors listed in ``bench/mutation-equivalent.toml`` (a mutant that computes the same
  results as the original for every input, or differs only where no caller can reach), each with
  its reason;
- score = killed / (mutants − equivalent).

Equivalent mutants are matched by function and by the changed lines of their diff, not by mutmut's
number (which shifts whenever the function changes); entries that match no survivor are reported as
stale. The survivors that are not equivalent are printed with their diffs (what ``mutmut show NAME``
prints), each followed by a stub for the equivalents file.

Run: ``python bench/mutation.py`` (all eleven modules; measured before issue 13 split
theory/quadratic.py into quadratic.py, _eigenbasis.py, sparsity.py and dynamics.py, the eight modules
then had 2613 mutants: 9 minutes on 2 cores when they are free, 534 s of it in mutmut, 239 s for
theory/quadratic.py, whose constructor every test calls; several times that when other jobs load the
cores), or
``python bench/mutation.py --module theory/noise.py --max-children 2``; ``--report-only`` prints the
table from the last run without running mutmut; ``--not-killed`` reruns only what the last run did
not kill (quick after adding tests; the default, and the number to quote, reruns every mutant).
Exit status 1 when a module scores below ``--threshold`` (95 %), 2 when mutmut itself fails.

mutmut keeps its results in ``./mutants`` (git-ignored). Two of its habits matter here: it re-records
which tests run which function only for tests it has not seen (this script makes it re-record
whenever a test file changed), and a change of the test selection in pyproject.toml resets every
recorded result. Interrupting it while it writes mutants can leave an empty file in ``mutants/``
that it then takes as up to date: delete ``mutants/`` after an interrupted run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "bench" / "mutation-equivalent.toml"
MODULES = (
    "theory/quadratic.py",
    "theory/_eigenbasis.py",
    "theory/sparsity.py",
    "theory/dynamics.py",
    "theory/regression.py",
    "theory/bayes.py",
    "theory/conventions.py",
    "theory/risk.py",
    "theory/noise.py",
    "theory/numerics.py",
    "theory/validate.py",
)
# mutmut's exit-code meanings (mutmut/stats.py, 3.8.1), kept here so reading a result needs no import
KILLED = {1, 3, 37}
SURVIVED = {0}
TIMEOUT = {36, 24, -24, 152, 255}
_NUMBER = re.compile(r"__mutmut_\d+$")


@dataclass
class Equivalent:
    module: str
    function: str
    removed: str
    added: str
    reason: str
    used: bool = False


@dataclass
class ModuleResult:
    module: str
    seconds: float | None
    killed: list[str] = field(default_factory=list)
    survived: list[str] = field(default_factory=list)
    timeout: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    equivalent: list[tuple[str, str]] = field(default_factory=list)  # (mutant, reason)

    @property
    def total(self) -> int:
        return len(self.killed) + len(self.survived) + len(self.timeout) + len(self.other)

    @property
    def score(self) -> float:
        live = self.total - len(self.equivalent)
        return 100.0 * len(self.killed) / live if live else 100.0


def _normalise(line: str) -> str:
    return " ".join(line.split())


def load_equivalents(path: Path = EQUIVALENTS) -> list[Equivalent]:
    """The ``[[equivalent]]`` entries: module, function, removed, added (diff lines), reason."""
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text("utf-8"))
    out = []
    for i, entry in enumerate(data.get("equivalent", [])):
        missing = {"module", "function", "removed", "added", "reason"} - set(entry)
        if missing or not str(entry.get("reason", "")).strip():
            raise SystemExit(f"{path}: entry {i} lacks {sorted(missing) or ['a reason']}")
        out.append(
            Equivalent(
                entry["module"],
                entry["function"],
                _normalise(entry["removed"]),
                _normalise(entry["added"]),
                entry["reason"],
            )
        )
    return out


def function_of(mutant: str) -> str:
    """``theory.noise.x_f__mutmut_12`` → ``x_f`` (methods: ``xǁClassǁmethod``)."""
    return _NUMBER.sub("", mutant.rpartition(".")[2])


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and the added lines of a unified diff, each joined and whitespace-normalised."""
    removed, added = [], []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
    return _normalise(" ".join(removed)), _normalise(" ".join(added))


def diff_of(mutant: str, module: str) -> str:
    """What ``mutmut show`` prints for a mutant (in-process: one subprocess per survivor is slow)."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        return get_diff_for_mutant(mutant, path=module)
    except Exception:  # a mutmut without that helper: fall back to its command line
        out = subprocess.run(
            ["mutmut", "show", mutant], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return out.stdout


def drop_stale_stats() -> None:
    """Make mutmut re-record which tests run which function when a test file changed since it last did.

    mutmut records that mapping once and afterwards only adds tests it has never seen: a test that was
    edited to call one more function would never be run against that function's mutants.
    """
    digest = hashlib.sha256()
    for path in sorted((ROOT / "tests").rglob("*.py")):
        digest.update(path.read_bytes())
    stamp = ROOT / "mutants" / "tests.sha256"  # the tests the recorded mapping was made with
    if not stamp.exists() or stamp.read_text() != digest.hexdigest():
        (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())


def run_module(module: str, max_children: int, names: list[str] | None = None) -> float:
    """``mutmut run`` on every mutant of one module (or on ``names``); returns the wall time.

    mutmut's output goes to ``mutants/run-<module>.log``.
    """
    dotted = module.removesuffix(".py").replace("/", ".")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # mutmut puts ./mutants first
    # derandomised Hypothesis; one BLAS thread per worker (the workers are the parallelism)
    # PYTHONHASHSEED fixes the order in which mutmut hands a mutant's tests to pytest (a set)
    env.update(
        CI="true", HYPOTHESIS_PROFILE="ci", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0"
    )
    log = ROOT / "mutants" / f"run-{dotted}.log"
    log.parent.mkdir(exist_ok=True)
    drop_stale_stats()
    cmd = ["mutmut", "run", "--max-children", str(max_children), *(names or [f"{dotted}.*"])]
    start = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = log.read_text("utf-8", errors="replace").replace("\r", "\n").splitlines()[-30:]
        print("\n".join(tail), file=sys.stderr)
        print(f"mutmut run failed on {module} (exit {proc.returncode}); log: {log}", file=sys.stderr)
        raise SystemExit(2)
    return seconds


def read_results(module: str, seconds: float | None, equivalents: list[Equivalent]) -> ModuleResult:
    """Classify every mutant of ``module`` by mutmut's recorded exit code; match survivors to equivalents."""
    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.exists():
        raise SystemExit(f"no mutmut results for {module} ({meta} missing): run without --report-only")
    codes: dict[str, int | None] = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    res = ModuleResult(module, seconds)
    for name, code in sorted(codes.items(), key=lambda kv: _sort_key(kv[0])):
        if code in KILLED:
            res.killed.append(name)
        elif code in SURVIVED:
            res.survived.append(name)
        elif code in TIMEOUT:
            res.timeout.append(name)
        else:
            res.other.append(name)
    for name in res.survived:
        removed, added = changed_lines(diff_of(name, module))
        func = function_of(name)
        for eq in equivalents:
            if eq.module == module and eq.function == func and eq.removed == removed and eq.added == added:
                eq.used = True
                res.equivalent.append((name, eq.reason))
                break
    return res


def _sort_key(name: str) -> tuple[str, int]:
    m = re.search(r"__mutmut_(\d+)$", name)
    return (function_of(name), int(m.group(1)) if m else 0)


def _toml_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def print_report(results: list[ModuleResult], equivalents: list[Equivalent], threshold: float) -> bool:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=max(Console().width, 140))
    ok = True
    for res in results:
        equivalent = {name for name, _ in res.equivalent}
        live = [n for n in res.survived + res.timeout + res.other if n not in equivalent]
        if not live:
            continue
        console.rule(f"[bold]{res.module}: {len(live)} not killed, not equivalent")
        for name in live:
            kind = "survived" if name in res.survived else "timeout" if name in res.timeout else "other"
            diff = diff_of(name, res.module)
            removed, added = changed_lines(diff)
            console.print(f"# {name}: {kind}", style="bold")
            console.print(diff, markup=False)
            console.print(
                "[[equivalent]]\n"
                f"module = {_toml_string(res.module)}\nfunction = {_toml_string(function_of(name))}\n"
                f'removed = {_toml_string(removed)}\nadded = {_toml_string(added)}\nreason = ""\n',
                markup=False,
                style="dim",
            )
    stale = [eq for eq in equivalents if not eq.used and eq.module in {r.module for r in results}]
    for eq in stale:
        console.print(
            f"stale equivalent (matches no survivor): {eq.module} {eq.function}: −{eq.removed} +{eq.added}",
            style="yellow",
        )

    table = Table(title="Mutation score per module (score = killed / (mutants − equivalent))")
    for col in ("module", "mutants", "killed", "survived", "timeout", "other", "equivalent", "score", "time"):
        table.add_column(col, justify="left" if col == "module" else "right")
    totals = [0, 0, 0, 0, 0, 0]
    for res in results:
        counts = [
            res.total,
            len(res.killed),
            len(res.survived),
            len(res.timeout),
            len(res.other),
            len(res.equivalent),
        ]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        passed = res.score >= threshold
        ok &= passed
        table.add_row(
            res.module,
            *map(str, counts),
            f"[{'green' if passed else 'red'}]{res.score:.1f} %",
            "" if res.seconds is None else f"{res.seconds:.0f} s",
        )
    if len(results) > 1:
        n_live = totals[0] - totals[5]
        total_score = 100.0 * totals[1] / n_live if n_live else 100.0
        seconds = [r.seconds for r in results if r.seconds is not None]
        table.add_row(
            "all",
            *map(str, totals),
            f"{total_score:.1f} %",
            f"{sum(seconds):.0f} s" if seconds else "",
            style="bold",
        )
    console.print(table)
    console.print(f"threshold {threshold:g} % per module: {'met' if ok else 'NOT met'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--module", action="append", choices=MODULES, help="a module to test (repeatable; default: all)"
    )
    parser.add_argument(
        "--max-children", type=int, default=os.cpu_count() or 2, help="parallel mutmut workers"
    )
    parser.add_argument("--threshold", type=float, default=95.0, help="minimum score per module, in %%")
    parser.add_argument(
        "--report-only", action="store_true", help="print the last run's results, run nothing"
    )
    parser.add_argument(
        "--not-killed",
        action="store_true",
        help="rerun only the mutants the last run did not kill (after adding tests: a killed mutant stays "
        "killed while the module's source is unchanged); the default reruns every mutant",
    )
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    equivalents = load_equivalents()
    results = []
    for module in args.module or MODULES:
        seconds = None
        if not args.report_only:
            names = None
            if args.not_killed:
                last = read_results(module, None, [])
                if last.killed:  # one cheap run first, so mutmut regenerates mutants of changed code
                    run_module(module, args.max_children, last.killed[:1])
                    last = read_results(module, None, [])
                names = last.survived + last.timeout + last.other
                if not names:
                    results.append(read_results(module, None, equivalents))
                    continue
            print(f"mutmut: {module} ({len(names) if names else 'all'} mutants) …", flush=True)
            seconds = run_module(module, args.max_children, names)
        results.append(read_results(module, seconds, equivalents))
    return 0 if print_report(results, equivalents, args.threshold) else 1


if __name__ == "__main__":
    sys.exit(main())
