"""Benchmark: top Hessian eigenpairs of a ~100k-parameter MLP, eigsh (Lanczos) vs deflated power iteration.

Prints ratios against the baseline that PyHessian uses (power iteration with deflation):

1. Hessian-vector products (HVPs) each method needs to get all top-10 eigenvalues to 1e-6 relative
   error, against a reference from ``eigsh(tol=0)`` (machine precision, residuals printed);
   ``eigsh`` runs with a decreasing ``tol`` until it is accurate enough, power iteration gets an
   oracle stop (the fewest products that reach 1e-6: its best case), and also runs with PyHessian's
   own defaults (relative change < 1e-3, at most 100 iterations per eigenvalue) to show what those
   give. Wall times and their ratio.
2. Memory of the dense route (``torch.func.hessian``) measured on small MLPs in subprocesses, fitted
   as ``peak ≈ c·p^γ``, and extrapolated to the largest model that fits in 24 GiB (no 24 GiB is
   allocated), next to the bound from storing H alone (8p² bytes).

Run: ``python bench/hessian.py`` (about 2–4 minutes on 2 cores; ``--quick`` for a smaller model).
Numbers go into notes and the README, never into tests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time

# one BLAS thread: on a shared 2-core machine OpenBLAS's spinning threads made each small NumPy
# product (the Gram–Schmidt of power iteration, ARPACK's updates) 10× slower; set before NumPy loads
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402

GIB = 1024**3


def build(sizes: tuple[int, ...], n: int, seed: int = 0):  # type: ignore[no-untyped-def]
    import torch

    from theory.empirical import hessian

    X, y = hessian.make_task(sizes=sizes, n=n, seed=seed, scale=1.0)
    model = hessian.make_mlp(sizes, seed=seed + 1)
    flat = hessian.FlatLoss(model, torch.tensor(X), torch.tensor(y))
    # a few Adam steps, so the top of the spectrum is that of a partly trained model
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(50):
        opt.zero_grad()
        loss = ((model(flat.X).squeeze(-1) - flat.y) ** 2).mean()
        loss.backward()
        opt.step()
    return flat


def eigsh_until(flat, k: int, ref: np.ndarray, target: float, seed: int):  # type: ignore[no-untyped-def]
    """eigsh with tol = 1e-1, 1e-2, ... until every eigenvalue is within ``target`` of ``ref``."""
    from theory.empirical.hessian import top_eigenpairs

    rows = []
    for tol in (1e-2, 1e-3, 1e-4, 1e-6, 0.0):
        pairs = top_eigenpairs(flat, k, method="eigsh", tol=tol, seed=seed)
        err = float(np.max(np.abs(pairs.values - ref) / np.abs(ref)))
        rows.append((tol, pairs.matvecs, pairs.seconds, err))
        if err <= target:
            return rows, pairs
    return rows, pairs


def memory_probe(p_hidden: int, n: int) -> None:
    """Child process: peak RSS increase of one dense torch.func.hessian (printed as JSON)."""
    import resource

    import torch

    from theory.empirical import hessian

    torch.set_num_threads(1)
    sizes = (8, p_hidden, p_hidden, 1)
    X, y = hessian.make_task(sizes=sizes, n=n, seed=0, scale=1.0)
    flat = hessian.FlatLoss(hessian.make_mlp(sizes, seed=1), torch.tensor(X), torch.tensor(y))
    small = hessian.FlatLoss(hessian.make_mlp((8, 2, 1), seed=1), torch.tensor(X), torch.tensor(y))
    hessian.dense_hessian(small)  # warm up torch.func outside the measurement

    def rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()

    base = rss()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    H = hessian.dense_hessian(flat)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "p": flat.dim,
                "n": n,
                "bytes": max(peak, peak_before) - base,
                "seconds": seconds,
                "h_bytes": H.nbytes,
            }
        )
    )


def memory_scan(n: int, hiddens: tuple[int, ...]) -> list[dict[str, float]]:
    out = []
    for h in hiddens:
        cmd = [sys.executable, __file__, "--probe", str(h), "--probe-n", str(n)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
        if res.returncode != 0:
            print(f"  probe h={h} failed: {res.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(res.stdout.strip().splitlines()[-1])
        out.append(row)
        mib = row["bytes"] / 2**20
        print(
            f"  p = {row['p']:6d}: peak +{mib:8.1f} MiB (H itself {row['h_bytes'] / 2**20:6.1f} MiB), "
            f"{row['seconds']:.2f} s"
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a ~20k-parameter model")
    parser.add_argument("--n", type=int, default=256, help="training examples (full batch)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: on a shared 2-core machine 2 threads were 20× slower)",
    )
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--max-iter", type=int, default=800, help="power-iteration cap per eigenvalue")
    parser.add_argument("--probe", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--probe-n", type=int, default=128, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        memory_probe(args.probe, args.probe_n)
        return 0

    import torch

    from theory.empirical.hessian import hessian_operator, power_iteration

    torch.set_num_threads(args.threads)
    sizes = (50, 120, 120, 1) if args.quick else (50, 300, 280, 1)
    target = 1e-6
    flat = build(sizes, args.n)
    print(
        f"MLP {sizes}, tanh, p = {flat.dim} parameters, n = {args.n} examples (full batch), float64, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    op = hessian_operator(flat)
    v = np.random.default_rng(0).standard_normal(flat.dim)
    t0 = time.perf_counter()
    for _ in range(5):
        op.matvec(v)
    hvp_s = (time.perf_counter() - t0) / 5
    print(f"one Hessian-vector product: {hvp_s * 1e3:.1f} ms")

    # reference: eigsh at machine precision, largest magnitude (what power iteration finds)
    t0 = time.perf_counter()
    from scipy.sparse.linalg import eigsh

    before = flat.hvp_count
    ref_vals, ref_vecs = eigsh(
        op, k=args.k, which="LM", v0=np.random.default_rng(1).standard_normal(flat.dim), tol=0.0
    )
    order = np.argsort(-np.abs(ref_vals))
    ref_vals, ref_vecs = ref_vals[order], ref_vecs[:, order]
    ref_mv = flat.hvp_count - before
    res = np.array(
        [np.linalg.norm(op.matvec(ref_vecs[:, i]) - ref_vals[i] * ref_vecs[:, i]) for i in range(args.k)]
    )
    print(
        f"reference eigsh(tol=0, which='LM'): {ref_mv} HVPs, {time.perf_counter() - t0:.1f} s; "
        f"max ‖Hv − λv‖/|λ₁| = {res.max() / abs(ref_vals[0]):.1e}"
    )
    print("top eigenvalues: " + ", ".join(f"{x:.6g}" for x in ref_vals))
    positive = bool(np.all(ref_vals > 0))
    print(f"all top-{args.k} by magnitude positive (so 'LA' = 'LM' here): {positive}")

    print(f"\n1) HVPs to reach {target:g} relative error on all top-{args.k} eigenvalues")
    rows, _ = eigsh_until(flat, args.k, ref_vals if positive else np.sort(ref_vals)[::-1], target, seed=2)
    for tol, mv, secs, err in rows:
        print(f"  eigsh(tol={tol:g}, which='LA'): {mv:5d} HVPs, {secs:6.2f} s, max rel. error {err:.1e}")
    eig_mv, eig_s, eig_err = rows[-1][1], rows[-1][2], rows[-1][3]

    power = power_iteration(
        op.matvec, flat.dim, args.k, tol=target, max_iter=args.max_iter, seed=3, reference=ref_vals
    )
    p_err = float(np.max(np.abs(power.values - ref_vals) / np.abs(ref_vals)))
    reached = p_err <= target
    miss = "" if reached else f" (NOT reached: cap {args.max_iter}/eigenvalue)"
    print(
        f"  power iteration + deflation (oracle stop at {target:g}): {power.matvecs} HVPs, "
        f"{power.seconds:.2f} s, max rel. error {p_err:.1e}{miss}"
    )
    print("  per-eigenvalue iterations: " + ", ".join(str(i) for i in power.iterations))
    pyh = power_iteration(op.matvec, flat.dim, args.k, tol=1e-3, max_iter=100, seed=3)
    pyh_err = float(np.max(np.abs(pyh.values - ref_vals) / np.abs(ref_vals)))
    print(
        f"  power iteration with PyHessian's defaults (tol 1e-3, ≤ 100 it.): {pyh.matvecs} HVPs, "
        f"{pyh.seconds:.2f} s, max rel. error {pyh_err:.1e}"
    )
    print(
        f"  ratio power/eigsh: HVPs {power.matvecs / eig_mv:.1f}×, wall time {power.seconds / eig_s:.1f}×"
        f"{'' if reached else ' (a lower bound: power iteration did not reach the target)'}"
    )
    del eig_err

    print("\n2) dense route (torch.func.hessian) memory, n = 128 examples, MLP (8, h, h, 1)")
    scan = memory_scan(128, (8, 16, 24, 32) if args.quick else (8, 16, 24, 32, 44))
    if len(scan) >= 2:
        p = np.array([r["p"] for r in scan], dtype=float)
        b = np.array([r["bytes"] for r in scan], dtype=float)
        copies = 4  # p×p arrays alive at once in dense_hessian: torch H, its NumPy copy, H + Hᵀ, the result
        rest = np.maximum(b - copies * 8 * p**2, 1.0)  # what is not the matrix: vmapped activations etc.
        big = p >= p.max() / 4  # fit the large end, where the p-dependent terms dominate
        gamma, logc = np.polyfit(np.log(p[big]), np.log(rest[big]), 1)

        def peak(x: float) -> float:
            return math.exp(logc) * x**gamma + copies * 8 * x**2

        p24 = scipy.optimize.brentq(lambda x: peak(x) - 24 * GIB, 10.0, 1e7)
        store = math.sqrt(24 * GIB / 8)
        print(
            f"  fit: peak ≈ {math.exp(logc):.3g}·p^{gamma:.2f} + {copies}·8p² bytes  →  24 GiB at "
            f"p ≈ {p24:,.0f} parameters (n = 128)"
        )
        print(
            f"  bound from storing H once (8p² bytes): p ≤ {store:,.0f}; with eigh's work ~{store / 1.6:,.0f}"
        )
        print(
            f"  this model's dense H alone would be {8 * flat.dim**2 / GIB:.0f} GiB: "
            "Hessian-vector products only"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
