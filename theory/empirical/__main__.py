"""``python -m theory.empirical``: run the empirical checks on one device, plus the large cases.

    python -m theory.empirical --device cuda --large

runs every ``empirical`` check of ``wdt verify`` on ``--device`` (the same functions, the same
tolerances) and, with ``--large``, the scale tests that only make sense on a GPU: ridge with
d = 16384 (n = 32768) in float64 trained with ``torch.optim.SGD`` against a Cholesky solve, and the
MLP Hessian route on a larger network. Each row prints ``error / tolerance (ratio)`` exactly as
``wdt verify`` does (``*`` marks an empirical tolerance). Exit status 0 exactly when nothing failed,
1 when something failed, 2 when ``--device`` is not available here (for example ``cuda`` on a
machine without CUDA: an error with the reason, never a run of skipped checks); ``--json FILE``
also writes the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from theory.checks import CheckContext, all_checks, run_check
from theory.empirical import resolve_device
from theory.errors import TheoryError


def _large(device: str, d: int) -> list[dict[str, Any]]:
    from theory.empirical.checks import EIGEN_ORDER_REASON, eigen_verdicts
    from theory.empirical.hessian import shrinkage_experiment
    from theory.empirical.linear import large_ridge

    rows: list[dict[str, Any]] = []
    r = large_ridge(d, device=device)
    rows.append(
        {
            "case": f"ridge d={r.d} n={r.n} float64",
            "status": "pass" if r.ok else "fail",
            "error": r.relative_error,
            "tolerance": r.tolerance,
            "ratio": r.relative_error / r.tolerance,
            "steps": r.steps,
            "kappa": r.condition_number,
            "seconds_train": r.seconds_train,
            "seconds_closed_form": r.seconds_closed_form,
        }
    )
    # on a GPU: p = 841 and 577 with 4096 / 8192 examples (the dense Hessian's vmapped activations
    # take ~7 GiB); on a CPU a smoke test of the same code path
    mlps = (
        (((8, 24, 24, 1), 4096), ((16, 32, 1), 8192)) if device.startswith("cuda") else (((4, 6, 1), 1024),)
    )
    for sizes, n in mlps:
        s = shrinkage_experiment(sizes=sizes, n=n, k=10, device=device)
        verdicts, summary = eigen_verdicts(s)  # the l2.eigen check's comparisons, unchanged
        what, error, tolerance = max(verdicts, key=lambda v: v[1] / v[2])
        rows.append(
            {
                "case": f"MLP {sizes} p={s.n_params} n={n} Hessian + shrinkage",
                "status": "pass" if all(e <= t for _, e, t in verdicts) else "fail",
                "error": error,
                "tolerance": tolerance,
                "ratio": error / tolerance,
                "worst": what,
                "detail": summary,
                "tolerance_basis": "empirical",
                "empirical_reason": EIGEN_ORDER_REASON,
                "dense_vs_eigsh": s.dense_vs_eigsh,
                "eigsh_residual": s.eigsh_residual,
                "eigsh_matvecs": s.eigsh_matvecs,
                "kappa": s.condition_number,
                "seconds": s.seconds,
                "shift_error": [float(e) for e in s.shift_error],
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m theory.empirical", description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default cpu)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--thorough", action="store_true")
    parser.add_argument(
        "--large", action="store_true", help="also the d = 16384 ridge and larger MLP Hessians"
    )
    parser.add_argument("--d", type=int, default=16384, help="ridge dimension for --large")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    args = parser.parse_args(argv)
    try:  # a device that is not here is an error, not a run of skipped checks
        resolve_device(args.device)
    except TheoryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ctx = CheckContext(seed=args.seed, thorough=args.thorough, device=args.device)
    results: list[dict[str, Any]] = []
    failed = 0
    start = time.perf_counter()
    for check in (c for c in all_checks(["theory.empirical.checks"]) if c.route == "empirical"):
        out = run_check(check, ctx)
        failed += out.status == "fail"
        results.append(out.as_dict())
        basis = "*" if out.tolerance_basis == "empirical" else " "
        numbers = f"{out.max_error:9.2e} / {out.tolerance:9.2e}{basis} ({out.ratio:.2g})"
        head = f"{out.status:4s} {out.id:18s} {numbers}"
        print(f"{head}  {out.seconds:6.2f} s  {out.detail}", flush=True)
    print(
        f"checks: {time.perf_counter() - start:.1f} s on {args.device}; error / tolerance (ratio), "
        "* = empirical tolerance (reason in --json: empirical_reason)",
        flush=True,
    )
    if args.large:
        try:
            for row in _large(args.device, args.d):
                failed += row["status"] == "fail"
                results.append(row)
                print(json.dumps(row), flush=True)
        except Exception as exc:  # report, never hide, a failure of the large cases
            failed += 1
            print(f"fail large cases: {type(exc).__name__}: {exc}", flush=True)
            results.append({"case": "large", "status": "fail", "error": f"{type(exc).__name__}: {exc}"})
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1, default=str)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
