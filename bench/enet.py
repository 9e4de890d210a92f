"""Benchmark: ``Quadratic.l1_path`` / ``elastic_net_path`` against scikit-learn's ``enet_path``.

Run ``python bench/enet.py`` (d = 1000 and 200, about a minute on 2 cores) or ``python bench/enet.py
--quick`` (d = 60, a smoke test of a few seconds). It prints time ratios (ours / scikit-learn) with the
goal ``≤ 1.0×`` and PASS/MISS, and the accuracy of both sides; the numbers are quoted in notes, never
asserted in tests.

Problems: X with n = 2d rows, Gaussian (i.i.d. N(0, 1) entries) or correlated (rows N(0, T) with the
Toeplitz T_ij = 0.9^|i−j|); y = Xβ + 0.5·noise with β sparse (d/20 non-zeros, N(0, 4)). Canonical
objective ``(1/2n)‖y − Xw‖² + α₁‖w‖₁ + (α₂/2)‖w‖²`` on a grid of 100 α₁ from ‖Xᵀy/n‖_∞ down to 1e-3 of
it (scikit-learn's default grid), for the lasso (α₂ = 0) and an elastic net with fixed α₂ = 0.01·‖Xᵀy/n‖_∞.

scikit-learn side: ``enet_path(X, y, l1_ratio=1, alphas=..., precompute=Gram, Xy=..., tol=...)``. Its
parameters come from ``theory.conventions``: the lasso row ``sklearn.Lasso`` (α = α₁). An elastic net
with a *fixed* α₂ along the path is not an ``l1_ratio`` path (that ties α₂ to α₁), so the ridge part
goes into the Gram matrix scikit-learn's coordinate descent uses: its objective is
``(1/2n)wᵀGw − (1/n)Xyᵀw + const + α‖w‖₁``, and ``G = XᵀX + nα₂I`` adds exactly ``(α₂/2)‖w‖²``. That
identity is checked at run time against ``sklearn.linear_model.ElasticNet`` at one grid point with its
(alpha, l1_ratio) from ``from_canonical("sklearn.ElasticNet", Penalty(l2=α₂, l1=α₁), n=n)``.
scikit-learn's ``tol`` (a duality-gap threshold) is tightened by factors of 10 (untimed) until its own
path's largest relative KKT violation, computed here with the same formula as ours
(``max_i dist(c_i, α₁∂|w_i|) / max(‖b‖_∞, α₁)``, ``c = Xᵀy/n − (XᵀX/n + α₂I)w``), is ≤ 1e-10.

Timed (1 BLAS thread through threadpoolctl; rounds interleaved, order alternating; the ratio is the
median of per-round ratios):

* **path**: ours ``q.elastic_net_path(grid, l2=α₂, tol=1e-10)`` on a Quadratic built beforehand;
  theirs ``enet_path`` with the Gram matrix and Xᵀy precomputed.
* **from data**: ours ``H = XᵀX/n``, ``b = Xᵀy/n`` and :func:`theory.sparse_path.elastic_net_path` (all
  a path needs); theirs ``enet_path(X, y, precompute=True)`` (it forms XᵀX itself).
* **from data incl. Quadratic**: ours ``Quadratic.from_regression(X, y)`` then the path; theirs as
  above. from_regression forms XᵀX/n and Xᵀy/n and defers its eigendecomposition, which the path never
  needs (the breakdown line times each piece and says whether an eigh ran).

Wide row (full run only; no goal in the issue, reported): n = 50, d = 100,000 (i.i.d. Gaussian X, 5
non-zeros), a 20-point lasso grid from ‖Xᵀy/n‖_∞ down to 1/100 of it. Ours: ``Quadratic.from_regression``
(Gram route) then ``l1_path(grid, tol=1e-10)``, which never forms the d×d H (columns ``Xᵀx_j/n``);
scikit-learn: ``lasso_path(X, y, alphas=...)`` at its default ``tol`` and at ``tol=1e-8`` (closer to
our accuracy; its precompute would form the d×d Gram matrix, 80 GB). One timed run each (1 BLAS
thread), peak traced memory (tracemalloc: NumPy's allocations, X excluded) and the largest relative KKT
violation of each side, computed from X.

Agreement: the largest row difference ``‖w_ours − w_sk‖₂`` against its bound ``√d·(v_ours + v_sk)/μ``
from the two KKT violations v and the strong convexity ``μ = λ_min(H) + α₂`` (a subgradient s at w
gives ``‖w − w_opt‖₂ ≤ ‖s‖₂/μ``; Nesterov, *Lectures on Convex Optimization*, 2018, Thm 2.1.10).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from theory import Quadratic
from theory.conventions import Penalty, from_canonical
from theory.sparse_path import elastic_net_path

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Case:
    """One design: name, d (n = 2d), Toeplitz correlation ρ (0: i.i.d.)."""

    name: str
    d: int
    rho: float


FULL = (Case("gaussian", 1000, 0.0), Case("toeplitz 0.9", 1000, 0.9), Case("gaussian", 200, 0.0))
QUICK = (Case("gaussian", 60, 0.0), Case("toeplitz 0.9", 60, 0.9))


def problem(case: Case, seed: int = 0) -> tuple[FloatArray, FloatArray]:
    """(X, y) of a case: n = 2d, sparse β, noise 0.5."""
    rng = np.random.default_rng(seed)
    d, n = case.d, 2 * case.d
    X = rng.standard_normal((n, d))
    if case.rho:
        T = scipy.linalg.toeplitz(case.rho ** np.arange(d))
        X = X @ np.linalg.cholesky(T).T
    beta = np.zeros(d)
    support = rng.choice(d, max(d // 20, 1), replace=False)
    beta[support] = 2.0 * rng.standard_normal(support.size)
    return X, X @ beta + 0.5 * rng.standard_normal(n)


def kkt_relative(H: FloatArray, b: FloatArray, W: FloatArray, l1: FloatArray, l2: float) -> FloatArray:
    """Per row ``max_i dist(c_i, α₁∂|w_i|) / max(‖b‖_∞, α₁)`` with ``c = b − (H + α₂I)w``."""
    return kkt_from_correlations(b[None, :] - W @ H - l2 * W, W, l1, b)


def kkt_from_correlations(C: FloatArray, W: FloatArray, l1: FloatArray, b: FloatArray) -> FloatArray:
    """:func:`kkt_relative` from the rows' correlations ``C`` (``c = b − (H + α₂I)w``, or
    ``Xᵀ(y − Xw)/n`` for the lasso from data)."""
    s = l1[:, None]
    v = np.where(W != 0, np.abs(C - s * np.sign(W)), np.maximum(np.abs(C) - s, 0.0)).max(axis=1)
    return v / np.maximum(float(np.max(np.abs(b))), l1)


def sklearn_path(
    X: FloatArray, y: FloatArray, grid: FloatArray, l2: float, tol: float, gram: FloatArray | None
) -> FloatArray:
    """scikit-learn's lasso-form path with the ridge part in the Gram matrix (module docstring); k×d rows
    in the order of ``grid`` (which is decreasing)."""
    from sklearn.linear_model import enet_path

    n = X.shape[0]
    alphas = np.array(
        [from_canonical("sklearn.Lasso", Penalty(l2=0.0, l1=float(a)), n=n)["alpha"] for a in grid]
    )
    if gram is None:  # from data: scikit-learn forms XᵀX itself
        G: Any = X.T @ X + n * l2 * np.eye(X.shape[1]) if l2 else True
        Xy = None
    else:
        G, Xy = gram, X.T @ y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at tight tol: the KKT check is ours
        _, coefs, _ = enet_path(
            X, y, l1_ratio=1.0, alphas=alphas, precompute=G, Xy=Xy, tol=tol, max_iter=200_000
        )
    return np.asarray(coefs.T)


def check_gram_identity(
    X: FloatArray, y: FloatArray, a1: float, a2: float, w_ours: FloatArray
) -> tuple[float, float]:
    """``ElasticNet(alpha, l1_ratio)`` (its parameters from the conventions row) at one point, against our
    row there: (‖Δw‖₂, its relative KKT violation). The Gram-form path solves the same problem iff the
    difference is within the KKT bound."""
    from sklearn.linear_model import ElasticNet

    p = from_canonical("sklearn.ElasticNet", Penalty(l2=a2, l1=a1), n=X.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = ElasticNet(
            alpha=p["alpha"], l1_ratio=p["l1_ratio"], fit_intercept=False, tol=1e-14, max_iter=200_000
        )
        m.fit(X, y)
    n = X.shape[0]
    w = np.asarray(m.coef_)[None, :]
    v = float(kkt_relative(X.T @ X / n, X.T @ y / n, w, np.array([a1]), a2)[0])
    return float(np.linalg.norm(w[0] - w_ours)), v


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Seconds of each function per round; rounds alternate the order."""
    names = list(fns)
    out: dict[str, list[float]] = {k: [] for k in names}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            t0 = time.perf_counter()
            fns[name]()
            out[name].append(time.perf_counter() - t0)
    return out


def median_ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def run_case(case: Case, l2_frac: float, rounds: int, lines: list[str]) -> list[bool]:
    X, y = problem(case)
    n, d = X.shape
    H, b = X.T @ X / n, X.T @ y / n
    bmax = float(np.max(np.abs(b)))
    grid = bmax * np.logspace(0, -3, 100)
    l2 = l2_frac * bmax
    q = Quadratic(H, np.linalg.lstsq(X, y, rcond=None)[0])
    gram = X.T @ X + n * l2 * np.eye(d)
    label = f"{case.name:>12} d={d:<5} {'lasso' if l2 == 0 else f'enet α₂={l2:.3g}':<16}"

    # scikit-learn's tol, tightened until its KKT violation reaches 1e-10 relative (untimed)
    tol_sk = 1e-4
    while True:
        W_sk = sklearn_path(X, y, grid, l2, tol_sk, gram)
        v_sk = float(np.max(kkt_relative(H, b, W_sk, grid, l2)))
        if v_sk <= 1e-10 or tol_sk < 1e-20:
            break
        tol_sk /= 10
    P = q.elastic_net_path(grid, l2=l2, tol=1e-10)
    v_ours = float(np.max(kkt_relative(H, b, P.W.astype(np.float64), grid, l2)))
    mu = float(q.eigenvalues[0]) + l2
    diff = float(np.max(np.linalg.norm(P.W - W_sk, axis=1)))

    def kkt_bound(v1: float, v2: float) -> float:
        return float(np.sqrt(d) * (v1 + v2) * bmax / mu) if mu > 0 else np.inf

    bound = kkt_bound(v_ours, v_sk)
    ident, ident_bound = 0.0, 0.0
    if l2:
        ident, v_en = check_gram_identity(X, y, float(grid[50]), l2, P.W[50])
        ident_bound = kkt_bound(v_ours, v_en)

    t = interleaved(
        {
            "ours": lambda: q.elastic_net_path(grid, l2=l2, tol=1e-10),
            "sk": lambda: sklearn_path(X, y, grid, l2, tol_sk, gram),
            "ours_data": lambda: elastic_net_path(X.T @ X / n, X.T @ y / n, grid, l2=l2, tol=1e-10),
            "ours_quad": lambda: Quadratic.from_regression(X, y).elastic_net_path(grid, l2=l2, tol=1e-10),
            "sk_data": lambda: sklearn_path(X, y, grid, l2, tol_sk, None),
        },
        rounds,
    )
    r_path = median_ratio(t["ours"], t["sk"])
    r_data = median_ratio(t["ours_data"], t["sk_data"])
    r_quad = median_ratio(t["ours_quad"], t["sk_data"])
    ok_acc = v_ours <= 1e-10 and v_sk <= 1e-10 and diff <= bound and ident <= ident_bound
    med = statistics.median
    lines.append(
        f"{label} path {r_path:5.2f}× ({med(t['ours']) * 1e3:7.1f} vs {med(t['sk']) * 1e3:7.1f} ms) "
        f"{'PASS' if r_path <= 1.0 else 'MISS'} | from data {r_data:5.2f}× "
        f"({med(t['ours_data']) * 1e3:7.1f} vs {med(t['sk_data']) * 1e3:7.1f} ms) "
        f"{'PASS' if r_data <= 1.0 else 'MISS'} | incl. Quadratic {r_quad:5.2f}× "
        f"({med(t['ours_quad']) * 1e3:7.1f} ms) {'PASS' if r_quad <= 1.0 else 'MISS'}"
    )
    lines.append(
        f"{'':>36}KKT rel: ours {v_ours:.1e}, sklearn {v_sk:.1e} (tol={tol_sk:.0e}); max‖Δw‖₂ {diff:.1e} ≤ "
        f"bound {bound:.1e}; "
        + (f"ElasticNet at α₁[50] {ident:.1e} ≤ {ident_bound:.1e}; " if l2 else "")
        + f"ours {int(P.solves.sum())} solves, {int(P.events.sum())} events, "
        f"{int(P.active.max())} active at most {'PASS' if ok_acc else 'MISS'}"
    )
    # where the "incl. Quadratic" time goes (one untimed-interleaving pass of each piece)
    parts: dict[str, float] = {}
    built: list[Quadratic] = []
    for name, fn in (
        ("from_regression (XᵀX/n, Xᵀy/n)", lambda: built.append(Quadratic.from_regression(X, y))),
        ("its path", lambda: built[0].elastic_net_path(grid, l2=l2, tol=1e-10)),
        ("eigh(H), not needed", lambda: scipy.linalg.eigh(H, driver="evd")),
    ):
        t0 = time.perf_counter()
        fn()
        parts[name] = time.perf_counter() - t0
    deferred = "deferred" in repr(built[0])  # the repr says so while no eigh has run
    lines.append(
        f"{'':>36}incl. Quadratic, where the time goes: "
        + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in parts.items())
        + f" (eigh still deferred after the path: {'yes' if deferred else 'NO'})"
    )
    return [r_path <= 1.0, r_data <= 1.0, r_quad <= 1.0, ok_acc]


def wide_case(lines: list[str], n: int = 50, d: int = 100_000, k: int = 20) -> None:
    """The wide row (module docstring): time, traced peak and KKT accuracy of both sides."""
    import tracemalloc

    from sklearn.linear_model import lasso_path

    rng = np.random.default_rng(7)
    X = rng.standard_normal((n, d))
    beta = np.zeros(d)
    beta[:5] = [3.0, -2.0, 1.5, -1.0, 0.5]
    y = X @ beta + 0.5 * rng.standard_normal(n)
    b = X.T @ y / n
    grid = float(np.max(np.abs(b))) * np.logspace(0, -2, k)

    def measured(fn: Callable[[], FloatArray]) -> tuple[FloatArray, float, float]:
        tracemalloc.start()
        t0 = time.perf_counter()
        W = fn()
        dt = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return W, dt, peak

    def ours() -> FloatArray:
        return Quadratic.from_regression(X, y).l1_path(grid, tol=1e-10).W

    def theirs(tol: float) -> Callable[[], FloatArray]:
        def run() -> FloatArray:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return np.asarray(lasso_path(X, y, alphas=grid, tol=tol, max_iter=100_000)[1].T)

        return run

    def kkt_rel(W: FloatArray) -> float:
        return float(np.max(kkt_from_correlations(((y[:, None] - X @ W.T).T @ X) / n, W, grid, b)))

    W1, t1, p1 = measured(ours)
    parts = [
        f"wide n={n} d={d} lasso {k} pts to α_max/100 (reported, no goal): ours (incl. from_regression) "
        f"{t1:.2f} s, peak {p1 / 2**20:.0f} MiB, KKT rel {kkt_rel(W1):.1e}"
    ]
    for tol in (1e-4, 1e-8):  # 1e-4: scikit-learn's default
        W2, t2, p2 = measured(theirs(tol))
        parts.append(
            f"sklearn lasso_path tol={tol:g}: {t2:.2f} s, peak {p2 / 2**20:.0f} MiB, KKT rel "
            f"{kkt_rel(W2):.1e}, ours/theirs {t1 / t2:.3f}×"
        )
    lines.append("\n        ".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke test (< 10 s)")
    parser.add_argument(
        "--rounds", type=int, default=None, help="interleaved timing rounds (default 5; quick 1)"
    )
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    cases = QUICK if args.quick else FULL
    rounds = args.rounds or (1 if args.quick else 5)
    import sklearn

    print(
        f"enet paths vs scikit-learn {sklearn.__version__} enet_path; numpy {np.__version__}; 1 BLAS thread; "
        f"{rounds} interleaved rounds, medians of per-round ratios (ours/sklearn, goal ≤ 1.0×); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    lines: list[str] = []
    oks: list[bool] = []
    with threadpool_limits(1):
        for case in cases:
            for l2_frac in (0.0, 0.01):
                oks += run_case(case, l2_frac, rounds, lines)
                print("\n".join(lines[-3:]))
        if not args.quick:
            wide_case(lines)
            print(lines[-1])
    print(f"{sum(oks)}/{len(oks)} PASS (path, from data, incl. Quadratic, accuracy per problem)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
