"""Benchmark: products needed for equal accuracy, theory.spectral vs curvlinops, on a real network.

The model: an MLP 64 → 32 → 10 (tanh, 2410 parameters) trained with Adam on scikit-learn's bundled
``load_digits`` (1797 images, cross-entropy, float64) — small enough for the dense Hessian
(``torch.func.jacrev`` twice) and its exact spectrum. Against that spectrum, for every estimator and
product budget, the median error over ``--seeds`` seeds; the result is the fewest products whose
median error meets the target:

1. trace to 1 % relative error: ours (Hutchinson, Hutch++, Krylov-deflated) vs curvlinops
   ``hutchinson_trace``, ``hutchpp_trace``, ``xtrace``;
2. spectral density to a Wasserstein-1 distance of ``--w1`` × mean|λ_i| (the W1 distance of the
   point mass at 0): ours (SLQ, full reorthogonalisation, optional Krylov deflation) vs curvlinops'
   Lanczos (``fast_lanczos``: Papyan 2020, no reorthogonalisation), both as raw quadrature measures,
   and curvlinops' smoothed ``lanczos_approximate_spectrum`` grid (given the exact spectral
   boundaries for free: its own ``eigsh`` boundary products are not counted, in its favour);
3. effective dimensionality ``Σ λ⁺/(λ⁺ + α)`` to 1 % (negative curvature clipped, α = 1e-3 ·
   λ_max): ours vs the same quadrature from curvlinops' ``fast_lanczos`` (it has no estimator of its own).

Products are counted, not timed, so both sides multiply by the dense Hessian (the same numbers as
Hessian-vector products to rounding; ``--hvp`` instead runs ours on the HVP operator as a check).
The budgets are interleaved (both libraries at each budget before the next) in one run and the
ratios (curvlinops' best / ours' best) printed at the end.

Run: ``python bench/spectral.py`` (a few minutes on 1 core; ``--quick`` for fewer seeds).
Numbers go into notes and the README, never into tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402


def build(hidden: int, steps: int, seed: int = 0) -> tuple[Any, np.ndarray]:
    """The trained digits MLP's ``CurvatureOperator`` and dense Hessian."""
    import torch
    from sklearn.datasets import load_digits

    from theory.empirical.curvature import dense_hessian, hessian_operator

    x, y = load_digits(return_X_y=True)
    xt, yt = torch.tensor(x / 16.0, dtype=torch.float64), torch.tensor(y)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 10))
    model = model.double()
    loss = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        opt.zero_grad()
        loss(model(xt), yt).backward()
        opt.step()
    op = hessian_operator(model, loss, (xt, yt))
    return op, dense_hessian(model, loss, xt, yt)


def cheapest(
    methods: dict[str, Callable[[int, int, int], float]],
    cost: dict[str, Callable[[int, int], int]],
    configs: list[tuple[int, int]],
    seeds: int,
    target: float,
    p: int,
) -> dict[str, int | None]:
    """Per method, the cheapest (steps, probes) whose median error over seeds meets ``target``:
    configurations in increasing product cost, methods interleaved at each configuration."""
    best: dict[str, int | None] = dict.fromkeys(methods)
    last: dict[str, str] = {}
    for s, n in configs:
        for name, fn in methods.items():
            c = cost[name](s, n)
            if best[name] is not None or c >= p:
                continue
            err = float(np.median([fn(s, n, seed) for seed in range(seeds)]))
            last[name] = f"steps={s}, probes={n}: {err:.3g}"
            if err <= target:
                best[name] = c
    for name in methods:
        print(f"  {name:26s} fewest products {best[name]} (last tried {last.get(name)})")
    return best


def ratio(best: dict[str, int | None], most: int) -> str:
    """curvlinops' fewest products over ours; a lower bound when curvlinops never met the target
    within ``most`` products (the costliest configuration tried)."""
    ours = [v for k, v in best.items() if k.startswith("ours") and v]
    theirs = [v for k, v in best.items() if k.startswith("curvlinops") and v]
    if not ours:
        return "n/a (ours did not reach the target)"
    if not theirs:
        return f"> {most / min(ours):.2f} (curvlinops did not reach the target within {most} products)"
    return f"{min(theirs) / min(ours):.2f}"


def fewest(budgets: list[int], errors: dict[int, float], target: float) -> int | None:
    for b in budgets:
        if b in errors and errors[b] <= target:
            return b
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--train-steps", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=10, help="seeds for the density and d_eff medians")
    parser.add_argument("--w1", type=float, default=0.05, help="density target: W1 ≤ this × mean|λ|")
    parser.add_argument("--quick", action="store_true", help="10 seeds")
    parser.add_argument("--hvp", action="store_true", help="also run ours on the HVP operator once")
    parser.add_argument("--parts", default="123", help="which comparisons to run (default all: 123)")
    parser.add_argument("--cache", help="load/save the dense Hessian here (.npy; skips --hvp)")
    parser.add_argument("--trace-seeds", type=int, default=100, help="seeds for the trace medians")
    args = parser.parse_args()
    seeds = 5 if args.quick else args.seeds
    tseeds = 20 if args.quick else args.trace_seeds

    import torch
    from curvlinops import hutchinson_trace, hutchpp_trace
    from curvlinops.papyan2020traces.spectrum import fast_lanczos, lanczos_approximate_spectrum_from_iter

    try:
        from curvlinops import xtrace
    except ImportError:  # older curvlinops
        xtrace = None

    from theory import spectral

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    if args.cache and os.path.exists(args.cache):
        op, h = None, np.load(args.cache)
    else:
        op, h = build(args.hidden, args.train_steps)
        if args.cache:
            np.save(args.cache, h)
    lam = np.linalg.eigvalsh(h)
    p = lam.size
    ht = torch.as_tensor(h)
    tr = float(np.sum(lam))
    print(
        f"digits MLP 64-{args.hidden}-10, p = {p}, built in {time.perf_counter() - t0:.1f} s; "
        f"tr H = {tr:.6g}, λ_max = {lam[-1]:.4g}, λ_min = {lam[0]:.3g}, "
        f"|λ| < 1e-8·λ_max: {int(np.sum(np.abs(lam) < 1e-8 * lam[-1]))}; {seeds} seeds, 1 thread"
    )

    # ---------------------------------------------------------------- 1. trace to 1 %
    if "1" in args.parts:
        trace_part(h, ht, tr, p, tseeds, spectral, hutchinson_trace, hutchpp_trace, xtrace)
    if "2" in args.parts or "3" in args.parts:
        density_parts(
            args, h, ht, lam, p, seeds, spectral, fast_lanczos, lanczos_approximate_spectrum_from_iter
        )
    if args.hvp and op is not None:
        t = time.perf_counter()
        r = spectral.trace(op, method="krylov", matvecs=42, seed=0)
        print(
            f"\nHVP operator check: krylov trace {r.value:.6g} ± {r.se:.2g} (dense {tr:.6g}), "
            f"{r.matvecs} products in {time.perf_counter() - t:.1f} s"
        )
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return 0


def trace_part(h, ht, tr, p, tseeds, spectral, hutchinson_trace, hutchpp_trace, xtrace):  # type: ignore[no-untyped-def]
    import torch

    budgets = [6 * k for k in range(1, 21)] + [150, 180, 240, 300, 390, 480, 600, 750, 900, 1200]

    def ours_trace(method: str) -> Callable[[int, int], float]:
        def run(b: int, s: int) -> float:
            return spectral.trace(h, method=method, matvecs=b, seed=s).value

        return run

    ours = {f"ours {m}": ours_trace(m) for m in ("hutchinson", "hutch++", "krylov")}

    def torch_seeded(fn: Callable[..., Any]) -> Callable[[int, int], float]:
        def run(b: int, s: int) -> float:
            torch.manual_seed(s)
            return float(fn(ht, b))

        return run

    theirs = {
        "curvlinops hutchinson": torch_seeded(hutchinson_trace),
        "curvlinops hutch++": torch_seeded(hutchpp_trace),
    }
    if xtrace is not None:
        theirs["curvlinops xtrace"] = torch_seeded(xtrace)
    valid = {"curvlinops hutch++": 3, "curvlinops xtrace": 2}
    errs: dict[str, dict[int, float]] = {k: {} for k in [*ours, *theirs]}
    done: set[str] = set()
    for b in budgets:  # interleaved: every method at this budget before the next budget
        for name, fn in [*ours.items(), *theirs.items()]:
            if name in done or b % valid.get(name, 1) or b >= p:
                continue
            rel = [abs(fn(b, s) - tr) / abs(tr) for s in range(tseeds)]
            errs[name][b] = float(np.median(rel))
            if errs[name][b] <= 0.01:
                done.add(name)
    print(f"\n1. trace: median relative error over {tseeds} seeds by products (first ≤ 1 % in brackets)")
    best: dict[str, int | None] = {}
    for name, e in errs.items():
        best[name] = fewest(budgets, e, 0.01)
        row = ", ".join(f"{b}:{v:.2%}" for b, v in list(e.items())[-5:])
        print(f"  {name:24s} [{best[name]}]  {'… ' if len(e) > 5 else ''}{row}")
    ours_best = min((v for k, v in best.items() if k.startswith("ours") and v), default=None)
    their_best = min((v for k, v in best.items() if k.startswith("curvlinops") and v), default=None)
    print(
        f"  products to 1 %: ours {ours_best}, curvlinops {their_best}; ratio curvlinops/ours = "
        f"{(their_best / ours_best) if ours_best and their_best else float('nan'):.2f}"
    )


def density_parts(args, h, ht, lam, p, seeds, spectral, fast_lanczos, lanczos_approximate_spectrum_from_iter):  # type: ignore[no-untyped-def]
    import torch

    # ---------------------------------------------------------------- 2. density to W1
    scale = float(np.mean(np.abs(lam)))
    target = args.w1 * scale
    configs = sorted(
        ((s, n) for s in (10, 20, 40, 80) for n in (1, 2, 4, 8, 16)), key=lambda c: (c[0] * c[1], c[0])
    )

    def ours_w1(s: int, n: int, seed: int, deflate: int = 0) -> float:
        sd = spectral.spectral_density(h, steps=s, probes=n, deflate=deflate, seed=seed)
        return spectral.wasserstein1(*sd.measure(), lam)

    def their_raw(s: int, n: int, seed: int) -> float:
        torch.manual_seed(seed)
        nodes, weights = [], []
        for _ in range(n):
            ev, evec = fast_lanczos(ht, s)
            nodes.append(ev.numpy())
            weights.append(evec[0, :].numpy() ** 2 / n)
        return spectral.wasserstein1(np.concatenate(nodes), np.concatenate(weights), lam)

    def their_smooth(s: int, n: int, seed: int) -> float:
        # lanczos_approximate_spectrum's loop, with the exact boundaries given (it would call
        # eigsh through A.to_scipy(), which a dense tensor lacks; those products would count too)
        torch.manual_seed(seed)
        total = None
        for _ in range(n):
            grid, dens = lanczos_approximate_spectrum_from_iter(
                fast_lanczos(ht, s), (float(lam[0]), float(lam[-1])), 4096, 3.0, 0.05
            )
            total = dens / n if total is None else total + dens / n
        assert total is not None
        return spectral.wasserstein1(grid.numpy(), np.clip(total.numpy(), 0, None), lam)

    dens_methods: dict[str, Callable[[int, int, int], float]] = {
        "ours SLQ": ours_w1,
        "ours SLQ deflate=s": lambda s, n, seed: ours_w1(s, n, seed, deflate=s),
        "curvlinops fast_lanczos": their_raw,
        "curvlinops smoothed": their_smooth,
    }
    cost = {
        "ours SLQ": lambda s, n: s * n,
        "ours SLQ deflate=s": lambda s, n: 2 * s + s * n,
        "curvlinops fast_lanczos": lambda s, n: s * n,
        "curvlinops smoothed": lambda s, n: s * n,
    }
    if "2" in args.parts:
        print(f"\n2. density: median W1 over {seeds} seeds; target W1 ≤ {args.w1} × mean|λ| = {target:.3g}")
    if "2" in args.parts:
        dbest = cheapest(dens_methods, cost, configs, seeds, target, p)
        print(f"  ratio curvlinops/ours = {ratio(dbest, max(s * n for s, n in configs if s * n < p))}")
    if "3" not in args.parts:
        return

    # ---------------------------------------------------------------- 3. effective dimensionality
    alpha = 1e-3 * float(lam[-1])
    lp = np.maximum(lam, 0)
    deff = float(np.sum(lp / (lp + alpha)))

    def their_deff(s: int, n: int, seed: int) -> float:
        torch.manual_seed(seed)
        vals = []
        for _ in range(n):
            ev, evec = fast_lanczos(ht, s)
            vals.append(p * float(np.sum(evec[0, :].numpy() ** 2 * f(ev.numpy()))))
        return abs(float(np.mean(vals)) - deff) / deff

    def f(x: np.ndarray) -> np.ndarray:
        x = np.maximum(x, 0)
        return x / (x + alpha)

    def ours_deff(s: int, n: int, seed: int, deflate: int) -> float:
        e = spectral.effective_dimensionality(
            h, alpha, negative="clip", steps=s, probes=n, deflate=deflate, seed=seed
        )
        return abs(e.value - deff) / deff

    eruns: dict[str, Callable[[int, int, int], float]] = {
        "ours SLQ": lambda s, n, seed: ours_deff(s, n, seed, 0),
        "ours SLQ deflate=s": lambda s, n, seed: ours_deff(s, n, seed, s),
        "ours SLQ deflate=4s": lambda s, n, seed: ours_deff(s, n, seed, 4 * s),
        "curvlinops fast_lanczos": their_deff,
    }
    ecost = {
        "ours SLQ": lambda s, n: s * n,
        "ours SLQ deflate=s": lambda s, n: 2 * s + s * n,
        "ours SLQ deflate=4s": lambda s, n: 5 * s + s * n,
        "curvlinops fast_lanczos": lambda s, n: s * n,
    }
    print(
        f"\n3. effective dimensionality, α = 1e-3·λ_max = {alpha:.3g}: exact {deff:.6g}; target 1 % (median)"
    )
    ebest = cheapest(eruns, ecost, configs, seeds, 0.01, p)
    print(f"  ratio curvlinops/ours = {ratio(ebest, max(s * n for s, n in configs if s * n < p))}")


if __name__ == "__main__":
    sys.exit(main())
