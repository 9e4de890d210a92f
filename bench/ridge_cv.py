"""Benchmark: ``theory.selection.ridge_cv`` against scikit-learn's ``RidgeCV`` (LOO along an α grid).

Run ``python bench/ridge_cv.py`` (full sizes: about 25 minutes on 2 shared cores, most of it the
default RidgeCV mode on the tall shape, ~9 min per run, timed once) or ``python bench/ridge_cv.py
--quick`` (small sizes, a smoke test under 10 s). It prints, per shape and intercept setting, the
median over interleaved rounds of the per-round time ratio ``ridge_cv / RidgeCV``, the goal (≤ 0.5×,
issue 10) with PASS/MISS, and the largest disagreement of the per-sample, per-α squared LOO errors
(``RidgeCV.cv_results_``, relative to each α's largest) with the goal 1e-10.

Shapes: tall ``n = 4000, d = 2000`` and wide ``n = 500, d = 5000`` (quick: 400×200 and 100×1000), 200
log-spaced α. The α grid is the same problem for both: scikit-learn's ``alpha`` on ``‖y − Xw‖² +
α‖w‖²`` is ``ridge_cv(..., convention="half_sse")``'s α (``theory.conventions`` row
``sklearn.Ridge``: canonical α is ``alpha/n``).

Peers. ``RidgeCV(gcv_mode=None)`` picks ``"cov"`` (eigendecomposition of XᵀX, with an ``X·A`` product
per α) for tall dense X and ``"gram"`` (of XXᵀ) for wide X; ``gcv_mode="svd"`` takes a thin SVD of X
once. Each mode is timed; the ratio is reported against the default and against the fastest mode
(the strongest peer). A mode slower than ``--peer-budget`` seconds on its first run is timed once
and dropped from later rounds (its ratio is then from that single run, marked).

BLAS runs on one thread (``threadpoolctl.threadpool_limits(1)``), so the ratio measures the
algorithms, not the scheduling, on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy
import sklearn
from numpy.typing import NDArray
from sklearn.linear_model import RidgeCV
from threadpoolctl import threadpool_limits

from theory.selection import ridge_cv

FloatArray = NDArray[np.float64]
GOAL_RATIO = 0.5
GOAL_AGREE = 1e-10


def _problem(n: int, d: int, seed: int) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + 0.5  # a non-zero column mean, so the intercept matters
    y = X @ (rng.standard_normal(d) / np.sqrt(d)) + 0.5 * rng.standard_normal(n) + 3.0
    return X, y


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_case(n: int, d: int, k: int, intercept: bool, rounds: int, peer_budget: float) -> dict[str, Any]:
    """Interleaved rounds of ridge_cv and each RidgeCV mode; medians of per-round ratios."""
    X, y = _problem(n, d, seed=n + d)
    alphas_sk = np.logspace(-2, 4, k) * (d / 100.0)

    def ours() -> FloatArray:
        res = ridge_cv(X, y, alphas_sk, fit_intercept=intercept, convention="half_sse", return_residuals=True)
        assert res.loo_residuals is not None
        return res.loo_residuals**2

    def peer(mode: str | None) -> Callable[[], FloatArray]:
        def run() -> FloatArray:
            model = RidgeCV(alphas=alphas_sk, fit_intercept=intercept, store_cv_results=True, gcv_mode=mode)
            return np.asarray(model.fit(X, y).cv_results_)

        return run

    modes: dict[str, Callable[[], FloatArray]] = {"auto": peer(None), "svd": peer("svd")}
    times: dict[str, list[float]] = {"ours": [], **{m: [] for m in modes}}
    ratios: dict[str, list[float]] = {m: [] for m in modes}
    single: set[str] = set()
    results: dict[str, FloatArray] = {}
    for r in range(rounds):
        t_ours, results["ours"] = _timed(ours)
        times["ours"].append(t_ours)
        for m, fn in modes.items():
            if m in single:
                continue
            t, results[m] = _timed(fn)
            times[m].append(t)
            ratios[m].append(t_ours / t)
            if r == 0 and t > peer_budget:
                single.add(m)
    agree = {}
    for m in modes:
        ref = results[m]
        agree[m] = float(np.max(np.abs(results["ours"] - ref) / ref.max(axis=0)))
    probe = RidgeCV(alphas=alphas_sk[:1], fit_intercept=intercept)
    from sklearn.linear_model._ridge import _check_gcv_mode

    auto_mode = _check_gcv_mode(X, probe.gcv_mode)
    return {
        "n": n,
        "d": d,
        "intercept": intercept,
        "auto_mode": auto_mode,
        "t_ours": statistics.median(times["ours"]),
        "t_peer": {m: statistics.median(v) for m, v in times.items() if m != "ours"},
        "ratio": {m: statistics.median(v) for m, v in ratios.items()},
        "single": single,
        "agree": agree,
        "rounds": rounds,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 0 (the goals are reported, not enforced)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test, not a measurement")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5; quick 3)")
    parser.add_argument("--tall", default="4000x2000", help="tall shape n×d (default 4000x2000)")
    parser.add_argument("--peer-budget", type=float, default=60.0, help="seconds; slower peer modes run once")
    args = parser.parse_args(argv)
    if args.quick:
        shapes, k, rounds = [(400, 200), (100, 1000)], 200, args.rounds or 3
    else:
        nt, dt = (int(v) for v in args.tall.lower().split("x"))
        shapes, k, rounds = [(nt, dt), (500, 5000)], 200, args.rounds or 5
    print(
        f"ridge_cv vs sklearn RidgeCV {sklearn.__version__} (numpy {np.__version__}, "
        f"scipy {scipy.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}); 1 BLAS thread; "
        f"{k} α; {rounds} interleaved rounds; medians of per-round ratios"
        + (" — --quick: sizes too small to judge the goals" if args.quick else "")
    )
    header = (
        f"{'n×d':>11} {'icpt':>4} {'auto':>5} {'ours s':>8} {'auto s':>8} {'svd s':>8} "
        f"{'÷auto':>7} {'÷svd':>7} {'÷best':>7} {'goal':>6} {'agree(auto,svd)':>20}"
    )
    print(header)
    worst = 0.0
    with threadpool_limits(limits=1):
        for n, d in shapes:
            for intercept in (False, True):
                row = bench_case(n, d, k, intercept, rounds, args.peer_budget)
                best = max(row["ratio"].values())
                agreed = max(row["agree"].values()) <= GOAL_AGREE
                verdict = "PASS" if best <= GOAL_RATIO and agreed else "MISS"
                worst = max(worst, best)
                marks = {m: "*" if m in row["single"] else "" for m in row["ratio"]}
                print(
                    f"{n:>5}×{d:<5} {'yes' if intercept else 'no':>4} {row['auto_mode']:>5} "
                    f"{row['t_ours']:8.3f} {row['t_peer']['auto']:8.3f} {row['t_peer']['svd']:8.3f} "
                    f"{row['ratio']['auto']:6.3f}{marks['auto']:1} "
                    f"{row['ratio']['svd']:6.3f}{marks['svd']:1} "
                    f"{best:7.3f} {verdict:>6} {row['agree']['auto']:9.1e},{row['agree']['svd']:9.1e}"
                )
    print(
        f"goal: ridge_cv ≤ {GOAL_RATIO}× the fastest RidgeCV mode (÷best) and squared LOO errors within "
        f"{GOAL_AGREE:g} (relative to each α's largest); worst ratio {worst:.3f}. "
        "* = that peer mode ran once (slower than --peer-budget)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
