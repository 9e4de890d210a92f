"""Benchmark of the symbolic route: the time to build and check each derivation, and the total.

Run ``python bench/proofs.py`` (optionally ``--repeat 3``: each repeat in a fresh interpreter, so
SymPy's caches start cold, and the best time per derivation is printed). The baseline is the goal of
issue 3: every derivation together in under 30 s on 2 cores. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

GOAL_SECONDS = 30.0

_ONE_RUN = """
import json, time
start = time.perf_counter()
import sympy  # noqa: F401
imported = time.perf_counter() - start
from proofs import registry
times = {}
for theorem_id in registry.ids():
    outcome = registry.report(theorem_id)
    assert outcome.ok, outcome.detail
    times[theorem_id] = [outcome.seconds, outcome.steps]
print(json.dumps({"import": imported, "times": times}))
"""


def _run_once() -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _ONE_RUN], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    """Print each derivation's best time over ``--repeat`` cold runs, the best run's total and the
    ratio to the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="cold runs (default 1); best time kept")
    args = parser.parse_args()
    wall = time.perf_counter()
    runs = [_run_once() for _ in range(max(args.repeat, 1))]
    best: dict[str, float] = {}
    steps: dict[str, int] = {}
    for run in runs:
        for theorem_id, (seconds, count) in run["times"].items():  # type: ignore[union-attr]
            best[theorem_id] = min(best.get(theorem_id, float("inf")), seconds)
            steps[theorem_id] = count
    width = max(len(t) for t in best) + 2
    print(f"{'derivation':<{width}}{'steps':>6}{'seconds':>10}")
    for theorem_id, seconds in best.items():
        print(f"{theorem_id:<{width}}{steps[theorem_id]:>6}{seconds:>10.3f}")
    totals = [sum(seconds for seconds, _ in run["times"].values()) for run in runs]  # type: ignore[union-attr]
    total = min(totals)
    sympy_import = min(float(run["import"]) for run in runs)  # type: ignore[arg-type]
    print(f"{'total, best run (build + check)':<{width + 6}}{total:>10.3f}")
    print(f"{'import sympy':<{width + 6}}{sympy_import:>10.3f}")
    print(
        f"goal {GOAL_SECONDS:.0f} s on 2 cores: total/goal = {total / GOAL_SECONDS:.2f} "
        f"({len(runs)} cold run(s), {time.perf_counter() - wall:.1f} s wall)"
    )


if __name__ == "__main__":
    main()
