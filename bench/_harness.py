"""Shared timing and memory harness for the benchmarks in ``bench/`` (paths, enet, ridge_cv, ...).

What a comparison with a peer needs, in one place:

* **One BLAS thread** (:func:`single_blas_thread`): on a shared machine several BLAS threads per
  process spin against each other and against other processes, which makes ratios noisy; the thread
  pools in effect are printed (:func:`environment_lines`).
* **Interleaved rounds, medians of per-round ratios** (:func:`race`, :meth:`Timings.ratio`): round r
  runs every contender once (the order reversed every other round), the ratio ours/peer is taken
  *within* the round, and the median over rounds is quoted. A burst of load from another process then
  falls on both sides of a ratio, and one lucky run cannot make a best-of figure.
* **Peak memory** two ways, each in its own run (never during timing):
  :func:`tracemalloc_peak` counts what Python's allocator tracking sees, i.e. NumPy arrays, including
  the LAPACK work arrays that SciPy's wrappers allocate as NumPy arrays; but ``numpy.linalg`` (its
  ``umath_linalg`` module) takes its copies and work arrays with ``malloc``, which tracemalloc does not
  see. :func:`rss_peak` therefore also runs the route in a fresh subprocess and reads the peak
  resident set around it (Linux: the ``VmHWM`` high-water mark, reset just before; ``ru_maxrss`` is no
  good after fork + exec, where it starts at the parent's resident set): that sees every allocation,
  whatever allocates it, and is the figure the memory ratios use. Both are printed so the gap shows.

Figures are printed, never asserted (timings on a shared machine are not a test).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Timings",
    "environment_lines",
    "load_average",
    "race",
    "report_rss_probe",
    "rss_peak",
    "single_blas_thread",
    "tracemalloc_peak",
]

_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_blas_thread() -> Iterator[str]:
    """Limit every BLAS/OpenMP pool to one thread (threadpoolctl) for the duration; yields a description.

    Without threadpoolctl the environment variables are the only lever (they act only when set before
    NumPy loads, so a benchmark should also set them at its top); the description says which applied.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        env = ", ".join(f"{v}={os.environ.get(v, 'unset')}" for v in _BLAS_ENV)
        yield f"threadpoolctl not installed: BLAS threads from the environment ({env})"
        return
    with threadpool_limits(limits=1):
        yield "1 BLAS thread (threadpoolctl.threadpool_limits(1))"


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages (timings on a busy machine are noisy)."""
    if not hasattr(os, "getloadavg"):
        return "load average unavailable"
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def environment_lines() -> list[str]:
    """Machine, cores, library versions, the BLAS thread pools now in effect, and the load."""
    import numpy as np
    import scipy

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    lines = [
        f"machine: {platform.machine()}, os.cpu_count() = {os.cpu_count()}, usable cores = {affinity}; "
        f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}",
        load_average(),
    ]
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [*lines, "threadpoolctl not installed: BLAS thread pools not reported"]
    for pool in threadpool_info():
        lines.append(
            f"  thread pool: {pool.get('user_api')} / {pool.get('internal_api')} {pool.get('version')}, "
            f"{pool.get('num_threads')} thread(s) ({pool.get('filepath')})"
        )
    return lines


@dataclass
class Timings:
    """Per-round seconds of each contender, and the result of its last run."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        """Rounds completed (every contender ran once in each)."""
        return min((len(v) for v in self.seconds.values()), default=0)

    def median(self, name: str) -> float:
        """Median seconds of one contender over the rounds."""
        return statistics.median(self.seconds[name])

    def ratio(self, num: str, den: str) -> float:
        """Median over rounds of ``seconds[num][r] / seconds[den][r]`` (not a ratio of medians)."""
        pairs = zip(self.seconds[num], self.seconds[den], strict=False)
        return statistics.median(a / b for a, b in pairs)

    def ratio_of(self, num: Callable[[int], float], den: Callable[[int], float]) -> float:
        """Median over rounds of ``num(r) / den(r)``, for sums of contenders (a build plus a path)."""
        return statistics.median(num(r) / den(r) for r in range(self.rounds))


def race(
    fns: dict[str, Callable[[], Any]], rounds: int, budget_s: float = float("inf"), *, min_rounds: int = 1
) -> Timings:
    """Time the functions interleaved: each round runs each once, the order reversed every other round.

    Stops after ``rounds`` rounds, or earlier once ``budget_s`` seconds are spent and at least
    ``min_rounds`` rounds are done. Results are kept from the last run (for agreement checks).
    """
    out = Timings({name: [] for name in fns})
    names = list(fns)
    spent = 0.0
    for r in range(max(rounds, 1)):
        for name in names if r % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            out.results[name] = fns[name]()
            elapsed = time.perf_counter() - start
            out.seconds[name].append(elapsed)
            spent += elapsed
        if spent >= budget_s and r + 1 >= min_rounds:
            break
    return out


def tracemalloc_peak(fn: Callable[[], Any]) -> int:
    """Bytes of the peak of tracemalloc-visible allocations during ``fn()``, above what was live before.

    The result of ``fn`` is dropped before returning (it counts: it was live at the peak).
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
        del result
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(peak - base, 0)


def _status_kib(field_name: str) -> int | None:
    """A ``kB`` field of /proc/self/status (Linux), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _reset_peak() -> bool:
    """Reset this process's resident-set high-water mark (VmHWM) to its current RSS: Linux ≥ 4.0,
    ``echo 5 > /proc/self/clear_refs``. False where that is unavailable."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


def _maxrss_bytes() -> int:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: kilobytes on Linux, bytes on macOS
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * scale


def report_rss_probe(fn: Callable[[], Any]) -> None:
    """Child side of :func:`rss_peak`: run ``fn`` once and print JSON with the resident-set figures.

    ``extra`` is the peak resident set during ``fn`` minus the resident set just before it. On Linux the
    high-water mark is reset first (``/proc/self/clear_refs``) and read from ``VmHWM``: exact. Elsewhere
    it is ``getrusage``'s ``ru_maxrss``, which is a lifetime maximum (and, after fork + exec, may start
    at the parent's resident set): exact only when ``fn`` raised it (``exact``), else an upper bound.
    """
    if _reset_peak():
        before = 1024 * (_status_kib("VmRSS") or 0)
        result = fn()
        peak = 1024 * (_status_kib("VmHWM") or 0)
        del result
        print(json.dumps({"extra": peak - before, "exact": True, "rss_before": before}))
        return
    max_before = _maxrss_bytes()
    result = fn()
    max_after = _maxrss_bytes()
    del result
    exact = max_after > max_before
    print(json.dumps({"extra": max_after - max_before, "exact": exact, "rss_before": max_before}))


def rss_peak(argv: Sequence[str], timeout_s: float = 600.0) -> tuple[int, bool]:
    """Run ``[python, *argv]`` (a script that ends in :func:`report_rss_probe`) in a fresh process with one
    BLAS thread; return (extra peak bytes, exact?) from the last line it prints.

    Raises:
        RuntimeError: the child failed (its stderr is included).
    """
    env = dict(os.environ)
    for var in _BLAS_ENV:
        env[var] = "1"
    done = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, env=env, timeout=timeout_s, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory probe {' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    last = done.stdout.strip().splitlines()[-1]
    data = json.loads(last)
    return int(data["extra"]), bool(data["exact"])
