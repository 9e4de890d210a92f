"""Benchmark: Hessian-vector products and top eigenpairs of a ~100k-parameter MLP against PyHessian and
curvlinops, and the data-parallel operator on 1 and 2 gloo processes.

The model is the MLP (50, 300, 280, 1) with tanh (99,861 parameters), float64, MSE on 256 examples
from a planted teacher, after 50 Adam steps (so the spectrum is that of a partly trained model). One
BLAS thread and one torch thread for every method (on a shared 2-core machine more threads were
slower and noisier). Every timing is interleaved: each repetition runs every method once in turn, the
ratio ours/peer is taken within the repetition, and the medians are quoted.

1. Time per product: ``theory.empirical.curvature.hessian_operator`` (NumPy ``matvec`` as the
   eigen-solvers call it, the torch-level ``op.hvp``, and without the cached gradient graph) against
   PyHessian's ``hessian_vector_product`` on its retained graph, and curvlinops'
   ``HessianLinearOperator`` (torch ``@`` and its ``to_scipy()`` ``matvec``); the products' agreement.
2. Products for the top-10 eigenpairs to 1e-6 relative error against a reference (``eigsh`` at
   ``tol=0``): ``top_eigenpairs`` and curvlinops' operator + ``scipy.sparse.linalg.eigsh`` at the same
   ``tol`` ladder, and PyHessian's own power iteration (``hessian.eigenvalues(top_n=10)``), with its
   defaults (``tol=1e-3``, at most 100 iterations per eigenvalue) and with ``tol=1e-6``.
3. Data-parallel: the same operator over 2 batches of 128, one ``torchrun`` process holding both
   against two processes holding one each (gloo): time per product and agreement.

Run: ``python bench/hessian.py`` (``--quick``: the (50, 120, 120, 1) MLP, fewer repetitions, about a
minute). Numbers go into notes and the README, never into tests.

The peers, installed without moving torch (their requirements pull a CUDA torch and torchvision)::

    pip install --no-deps pyhessian curvlinops-for-pytorch backpack-for-pytorch einops einconv
    pip list | grep -i torch    # torch must still be the version you had (here 2.13.0+cpu)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# one BLAS thread: on a shared 2-core machine OpenBLAS's spinning threads made each small NumPy
# product (ARPACK's updates) 10× slower; set before NumPy loads
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import warnings  # noqa: E402

import numpy as np  # noqa: E402


def build(sizes: tuple[int, ...], n: int, seed: int = 0) -> tuple[Any, Any, Any, Any]:
    """(model, X, y, loss) with y of shape (n, 1) and ``MSELoss`` (curvlinops reads its reduction)."""
    import torch

    from theory.empirical import hessian

    X, y = hessian.make_task(sizes=sizes, n=n, seed=seed, scale=1.0)
    model = hessian.make_mlp(sizes, seed=seed + 1)
    Xt, yt = torch.tensor(X), torch.tensor(y).reshape(-1, 1)
    loss = torch.nn.MSELoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(50):
        opt.zero_grad()
        loss(model(Xt), yt).backward()
        opt.step()
    return model, Xt, yt, loss


def interleaved(fns: dict[str, Any], reps: int) -> dict[str, np.ndarray]:
    """Seconds per call, ``reps`` rounds, every method once per round (after one warm-up each) in an
    order shuffled every round: the method after a memory-hungry one paid for its freed pages (a
    fixed order put 4 ms on whichever came first)."""
    import gc

    for f in fns.values():
        f()
    times: dict[str, list[float]] = {k: [] for k in fns}
    rng = np.random.default_rng(0)
    keys = list(fns)
    for _ in range(reps):
        gc.collect()
        gc.disable()  # as timeit does: a collection inside one method's call is charged to it
        try:
            for i in rng.permutation(len(keys)):
                k = keys[i]
                t0 = time.perf_counter()
                fns[k]()
                times[k].append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return {k: np.array(v) for k, v in times.items()}


class Counted:
    """A scipy LinearOperator wrapper that counts products (for curvlinops' operator)."""

    def __init__(self, op: Any) -> None:
        import scipy.sparse.linalg as sla

        self.count = 0

        def mv(v: np.ndarray) -> np.ndarray:
            self.count += 1
            return np.asarray(op.matvec(v), dtype=np.float64)

        self.op = sla.LinearOperator(op.shape, matvec=mv, rmatvec=mv, dtype=np.float64)


def pyhessian_on(model: Any, loss: Any, X: Any, y: Any) -> Any:
    """PyHessian's ``hessian`` on one batch. It calls ``loss.backward(create_graph=True)``, which
    *accumulates* into ``p.grad``: a second instance on the same model without clearing them holds
    the sum of both gradients and multiplies by 2H (its eigenvalues came out doubled)."""
    import pyhessian.hessian  # noqa: F401  (the package re-exports the class under the module's name)

    for q in model.parameters():
        q.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its backward(create_graph=True) warns about a reference cycle
        return sys.modules["pyhessian.hessian"].hessian(model, loss, data=(X, y), cuda=False)


def section_products(model: Any, X: Any, y: Any, loss: Any, reps: int) -> dict[str, Any]:
    import torch
    from curvlinops import HessianLinearOperator
    from pyhessian.utils import hessian_vector_product

    from theory.empirical.curvature import hessian_operator

    op = hessian_operator(model, loss, (X, y), cache=True)
    op_nc = hessian_operator(model, loss, (X, y), cache=False)
    ph = pyhessian_on(model, loss, X, y)
    cl = HessianLinearOperator(model, loss, list(model.parameters()), [(X, y)], check_deterministic=False)
    cls = cl.to_scipy()
    v = np.random.default_rng(0).standard_normal(op.dim)
    vt = torch.tensor(v)
    vl = [c.reshape(p.shape) for c, p in zip(torch.split(vt, op.sizes), ph.params, strict=True)]
    fns = {
        "ours matvec": lambda: op.matvec(v),
        "ours hvp (torch)": lambda: op.hvp(vt),
        "ours, no cached graph": lambda: op_nc.matvec(v),
        "PyHessian": lambda: hessian_vector_product(ph.gradsH, ph.params, vl),
        "curvlinops @": lambda: cl @ vt,
        "curvlinops scipy": lambda: cls.matvec(v),
    }
    t = interleaved(fns, reps)
    ours = op.matvec(v)
    peer = {
        "PyHessian": np.concatenate([h.detach().numpy().ravel() for h in fns["PyHessian"]()]),
        "curvlinops": (cl @ vt).detach().numpy(),
    }
    agree = {k: float(np.abs(ours - x).max() / np.abs(ours).max()) for k, x in peer.items()}
    print(f"graph cache: {op.graph_bytes / 2**20:.1f} MiB (measured on the batch); {reps} rounds")
    for k, ts in t.items():
        print(f"  {k:24s} {np.median(ts) * 1e3:8.2f} ms/product (median)")
    ratios = {}
    for mine in ("ours matvec", "ours hvp (torch)"):
        for other in ("PyHessian", "curvlinops @", "curvlinops scipy"):
            r = float(np.median(t[mine] / t[other]))
            ratios[f"{mine} / {other}"] = r
            print(f"  ratio {mine} / {other}: {r:.3f} (median of per-round ratios)")
    print("  agreement max|ours − peer|/max|ours|: " + ", ".join(f"{k} {e:.1e}" for k, e in agree.items()))
    return {
        "ms": {k: float(np.median(x) * 1e3) for k, x in t.items()},
        "ratios": ratios,
        "agreement": agree,
        "graph_MiB": op.graph_bytes / 2**20,
    }


def section_topk(model: Any, X: Any, y: Any, loss: Any, k: int, pyh_cap: int) -> dict[str, Any]:
    import pyhessian.hessian  # noqa: F401  (the package re-exports the class under the module's name)
    import scipy.sparse.linalg as sla
    import torch
    from curvlinops import HessianLinearOperator

    from theory.empirical.curvature import hessian_operator, top_eigenpairs

    pyhessian_on(model, loss, X, y)  # imports it
    pyh_mod = sys.modules["pyhessian.hessian"]
    target = 1e-6
    op = hessian_operator(model, loss, (X, y), cache=True)
    t0 = time.perf_counter()
    ref = top_eigenpairs(op, k, "LA", tol=0.0, seed=1)
    print(
        f"reference top_eigenpairs(tol=0): {ref.matvecs} products, {time.perf_counter() - t0:.1f} s, "
        f"max residual/λ₁ {ref.residuals.max() / ref.values[0]:.1e}"
    )
    print("  top eigenvalues: " + ", ".join(f"{x:.6g}" for x in ref.values))

    def err(values: np.ndarray) -> float:
        return float(np.max(np.abs(np.sort(values)[::-1][:k] - ref.values) / np.abs(ref.values)))

    cl = HessianLinearOperator(model, loss, list(model.parameters()), [(X, y)], check_deterministic=False)
    cls = cl.to_scipy()
    out: dict[str, Any] = {"reference_values": ref.values.tolist()}
    for name in ("ours", "curvlinops + eigsh"):
        rows = []
        for tol in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 0.0):
            v0 = np.random.default_rng(2).standard_normal(op.dim)
            t0 = time.perf_counter()
            if name == "ours":
                pairs = top_eigenpairs(op, k, "LA", tol=tol, seed=2)
                vals, mv = pairs.values, pairs.matvecs
            else:
                c = Counted(cls)
                vals, _ = sla.eigsh(c.op, k=k, which="LA", v0=v0, tol=tol)
                mv = c.count
            secs = time.perf_counter() - t0
            e = err(vals)
            rows.append({"tol": tol, "products": mv, "seconds": secs, "error": e})
            print(f"  {name:20s} tol={tol:<6g} {mv:5d} products {secs:6.2f} s  max rel. error {e:.1e}")
            if e <= target:
                break
        out[name] = rows
    # PyHessian's power iteration, products counted by wrapping its product function
    count = [0]
    orig = pyh_mod.hessian_vector_product

    def counted(*a: Any, **kw: Any) -> Any:
        count[0] += 1
        return orig(*a, **kw)

    pyh_mod.hessian_vector_product = counted
    try:
        ph = pyhessian_on(model, loss, X, y)
        default = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)  # its random start vectors use the default dtype
        try:
            for label, tol, cap in (("defaults", 1e-3, 100), ("tol 1e-6", 1e-6, pyh_cap)):
                count[0] = 0
                torch.manual_seed(3)
                t0 = time.perf_counter()
                vals, _ = ph.eigenvalues(maxIter=cap, tol=tol, top_n=k)
                secs = time.perf_counter() - t0
                e = err(np.array(vals))
                out[f"PyHessian {label}"] = {"products": count[0], "seconds": secs, "error": e}
                print(
                    f"  PyHessian power iteration ({label}, ≤ {cap}/eigenvalue): {count[0]:5d} products "
                    f"{secs:6.2f} s  max rel. error {e:.1e}"
                )
        finally:
            torch.set_default_dtype(default)
    finally:
        pyh_mod.hessian_vector_product = orig
    ours = out["ours"][-1]
    for peer in ("curvlinops + eigsh", "PyHessian tol 1e-6"):
        row = out[peer][-1] if isinstance(out[peer], list) else out[peer]
        print(
            f"  ratio products {peer} / ours: {row['products'] / ours['products']:.2f}, wall time "
            f"{row['seconds'] / ours['seconds']:.2f} (errors: ours {ours['error']:.1e}, "
            f"{peer} {row['error']:.1e})"
        )
    return out


def dp_worker(sizes: tuple[int, ...], n: int, reps: int, out: str) -> None:
    """One torchrun process: batches r, r + world, ... of the 2 batches; rank 0 writes the result."""
    import torch

    from theory.empirical.curvature import hessian_operator

    torch.set_num_threads(1)
    torch.distributed.init_process_group("gloo")
    try:
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
        model, X, y, loss = build(sizes, n)
        half = n // 2
        batches = [(X[:half], y[:half]), (X[half:], y[half:])]
        op = hessian_operator(model, loss, batches[rank::world], distributed=True)
        v = np.random.default_rng(0).standard_normal(op.dim)
        op.matvec(v)
        ts = []
        for _ in range(reps):
            torch.distributed.barrier()
            t0 = time.perf_counter()
            hv = op.matvec(v)
            ts.append(time.perf_counter() - t0)
        if rank == 0:
            Path(out).write_text(
                json.dumps(
                    {"world": world, "ms": float(np.median(ts) * 1e3), "hv": hv.tolist(), "cached": op.cached}
                )
            )
    finally:
        torch.distributed.destroy_process_group()


def section_distributed(sizes: tuple[int, ...], n: int, reps: int) -> dict[str, Any]:
    import tempfile

    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for world in (1, 2):
            out = str(Path(tmp, f"{world}.json"))
            cmd = [
                sys.executable,
                "-m",
                "torch.distributed.run",
                "--standalone",
                f"--nproc_per_node={world}",
                __file__,
                "--dp-worker",
                json.dumps({"out": out, "sizes": sizes, "n": n, "reps": reps}),
            ]  # fmt: skip  (one argument: torchrun's parser would take "--n" as its own "--nnodes")
            env = dict(os.environ, GLOO_SOCKET_IFNAME=os.environ.get("GLOO_SOCKET_IFNAME", "lo"))
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False, env=env)
            if r.returncode != 0:
                print(f"  torchrun with {world} process(es) failed: {r.stderr.strip().splitlines()[-3:]}")
                return {}
            res[world] = json.loads(Path(out).read_text())
    a, b = np.array(res[1]["hv"]), np.array(res[2]["hv"])
    rel = float(np.abs(a - b).max() / np.abs(a).max())
    print(
        f"  1 process: {res[1]['ms']:.2f} ms/product; 2 processes: {res[2]['ms']:.2f} ms/product "
        f"(speed-up {res[1]['ms'] / res[2]['ms']:.2f}×; 2 batches of {n // 2}); max relative difference "
        f"{rel:.1e}"
    )
    return {"ms_1": res[1]["ms"], "ms_2": res[2]["ms"], "max_rel_diff": rel}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the (50, 120, 120, 1) MLP, fewer rounds")
    parser.add_argument("--n", type=int, default=256, help="training examples")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--reps", type=int, default=None, help="interleaved rounds (default 40, quick 10)")
    parser.add_argument("--pyhessian-cap", type=int, default=1000, help="power iterations per eigenvalue")
    parser.add_argument("--json", help="also write the numbers to this JSON file")
    parser.add_argument("--dp-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dp_worker:
        w = json.loads(args.dp_worker)
        dp_worker(tuple(w["sizes"]), w["n"], w["reps"], w["out"])
        return 0
    sizes = (50, 120, 120, 1) if args.quick else (50, 300, 280, 1)
    reps = args.reps or (10 if args.quick else 40)

    import torch

    torch.set_num_threads(1)
    model, X, y, loss = build(sizes, args.n)
    p = sum(q.numel() for q in model.parameters())
    print(
        f"MLP {sizes}, tanh, p = {p} parameters, n = {args.n} examples (one batch), float64, MSE, "
        f"torch {torch.__version__}, 1 thread"
    )
    result: dict[str, Any] = {"sizes": sizes, "p": p, "n": args.n}
    print("\n1) time per Hessian-vector product")
    result["products"] = section_products(model, X, y, loss, reps)
    print(f"\n2) top-{args.k} eigenpairs to 1e-6 relative error")
    result["topk"] = section_topk(model, X, y, loss, args.k, 200 if args.quick else args.pyhessian_cap)
    print("\n3) data-parallel (torchrun, gloo): 1 vs 2 processes")
    result["distributed"] = section_distributed(sizes, args.n, reps)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
