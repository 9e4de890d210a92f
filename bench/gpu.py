"""GPU benchmark of the curvature operator: one prepared script, one command, a JSON of numbers.

    python bench/gpu.py --out DIR            # on a CUDA machine; writes DIR/gpu.json
    python bench/gpu.py --out DIR --device cpu --quick   # the same code paths on CPU (a dry run)

Without CUDA (and without ``--device cpu``) it prints the reason and exits 0.

What it measures (``theory.empirical.curvature``; every product timed between
``torch.cuda.synchronize()`` calls, medians of interleaved rounds):

1. ``mlp100k``: the 99,861-parameter MLP of ``bench/hessian.py`` (float64, 256 examples, one batch):
   time per product for ours (NumPy ``matvec`` and torch ``hvp``), PyHessian's retained-graph product
   and curvlinops' ``HessianLinearOperator`` when installed, their agreement, and the products and
   seconds for the top-10 eigenpairs to ``tol=1e-6`` (ours; curvlinops ``to_scipy()`` + ``eigsh``).
2. ``digits_cnn``: a small CNN on scikit-learn's bundled ``load_digits`` (1,797 images, no download),
   trained 200 Adam steps, float64, a DataLoader of batch 256 (unequal last batch): top-10 ``"LA"``
   and top-5 ``"SA"`` eigenpairs (negative curvature), products, seconds, residuals.
3. ``digits_report``: the repository's digits CNN (``theory.empirical.digits.digits_case``) through
   ``weight_decay_report(..., device=DEVICE)``: seconds, polish, relative error of dw̃/dα, ρ, null
   space, n_eff and the failed assumptions.
4. ``transformer``: embedding → ``TransformerEncoderLayer(d_model=128, nhead=4, 512, dropout=0)`` →
   mean-pool → classifier, on synthetic sequences (2,048 × 32 tokens × 16 features, batches of 256), in
   float32 and float64: time per product, cached-graph memory estimate, peak CUDA memory, top-5
   eigenpairs with residuals and their bound, and the float32/float64 product agreement next to
   ``√p·eps32``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(fns: dict[str, Any], reps: int, device: str) -> dict[str, float]:
    """Median ms per call over ``reps`` interleaved rounds (shuffled order), after one warm-up each."""
    for f in fns.values():
        f()
    sync(device)
    times: dict[str, list[float]] = {k: [] for k in fns}
    rng = np.random.default_rng(0)
    keys = list(fns)
    for _ in range(reps):
        for i in rng.permutation(len(keys)):
            sync(device)
            t0 = time.perf_counter()
            fns[keys[i]]()
            sync(device)
            times[keys[i]].append(time.perf_counter() - t0)
    return {k: float(np.median(v) * 1e3) for k, v in times.items()}


def peak_reset(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()


def peak_mib(device: str) -> float | None:
    import torch

    return torch.cuda.max_memory_allocated() / 2**20 if device.startswith("cuda") else None


def pairs_row(pairs: Any) -> dict[str, Any]:
    return {
        "values": pairs.values.tolist(),
        "products": pairs.matvecs,
        "seconds": pairs.seconds,
        "max_residual": float(pairs.residuals.max()),
        "residual_bound": float(pairs.residual_bound.max()),
        "converged": bool(pairs.converged.all()),
    }


def mlp100k(device: str, quick: bool, reps: int) -> dict[str, Any]:
    import hessian as hb  # bench/hessian.py
    import torch

    from theory.empirical.curvature import hessian_operator, top_eigenpairs

    sizes = (50, 120, 120, 1) if quick else (50, 300, 280, 1)
    model, X, y, loss = hb.build(sizes, 256)
    model, X, y = model.to(device), X.to(device), y.to(device)
    op = hessian_operator(model, loss, (X, y), cache=True)
    v = np.random.default_rng(0).standard_normal(op.dim)
    vt = torch.tensor(v, device=device)
    fns: dict[str, Any] = {"ours matvec": lambda: op.matvec(v), "ours hvp": lambda: op.hvp(vt)}
    out: dict[str, Any] = {"p": op.dim, "graph_MiB": op.graph_bytes / 2**20}
    ours = op.matvec(v)
    try:
        import pyhessian  # noqa: F401
        from pyhessian.utils import hessian_vector_product

        for q in model.parameters():
            q.grad = None
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ph = sys.modules["pyhessian.hessian"].hessian(
                model, loss, data=(X, y), cuda=device.startswith("cuda")
            )
        vl = [c.reshape(p.shape) for c, p in zip(torch.split(vt, op.sizes), ph.params, strict=True)]
        fns["PyHessian"] = lambda: hessian_vector_product(ph.gradsH, ph.params, vl)
        hv = torch.cat([h.reshape(-1) for h in fns["PyHessian"]()]).cpu().numpy()
        out["agreement PyHessian"] = float(np.abs(hv - ours).max() / np.abs(ours).max())
    except ImportError as exc:
        out["PyHessian"] = f"not installed: {exc}"
    cl = None
    try:
        from curvlinops import HessianLinearOperator

        cl = HessianLinearOperator(model, loss, list(model.parameters()), [(X, y)], check_deterministic=False)
        fns["curvlinops @"] = lambda: cl @ vt
        out["agreement curvlinops"] = float(np.abs((cl @ vt).cpu().numpy() - ours).max() / np.abs(ours).max())
    except ImportError as exc:
        out["curvlinops"] = f"not installed: {exc}"
    out["ms_per_product"] = timed(fns, reps, device)
    for peer in ("PyHessian", "curvlinops @"):
        if peer in out["ms_per_product"]:
            for mine in ("ours matvec", "ours hvp"):
                out[f"ratio {mine} / {peer}"] = out["ms_per_product"][mine] / out["ms_per_product"][peer]
    out["top10_ours"] = pairs_row(top_eigenpairs(op, 10, "LA", tol=1e-6, seed=2))
    if cl is not None:
        import scipy.sparse.linalg as sla

        count = [0]
        cls = cl.to_scipy()

        def mv(x: np.ndarray) -> np.ndarray:
            count[0] += 1
            return np.asarray(cls.matvec(x), dtype=np.float64)

        t0 = time.perf_counter()
        vals, _ = sla.eigsh(
            sla.LinearOperator(cls.shape, matvec=mv, dtype=np.float64),
            k=10,
            which="LA",
            v0=np.random.default_rng(2).standard_normal(op.dim),
            tol=1e-6,
        )
        out["top10_curvlinops"] = {
            "products": count[0],
            "seconds": time.perf_counter() - t0,
            "values": np.sort(vals)[::-1].tolist(),
        }
    return out


def digits_cnn(device: str, quick: bool) -> dict[str, Any]:
    import torch
    from sklearn.datasets import load_digits

    from theory.empirical.curvature import hessian_operator, top_eigenpairs

    X, y = load_digits(return_X_y=True)
    Xt = torch.tensor(X / 16.0, dtype=torch.float64).reshape(-1, 1, 8, 8)
    yt = torch.tensor(y)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3), torch.nn.Tanh(), torch.nn.Conv2d(8, 16, 3), torch.nn.Tanh(),
        torch.nn.Flatten(), torch.nn.Linear(16 * 4 * 4, 10),
    ).double()  # fmt: skip
    loss = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(50 if quick else 200):
        opt.zero_grad()
        loss(model(Xt), yt).backward()
        opt.step()
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xt, yt), batch_size=256)
    peak_reset(device)
    t0 = time.perf_counter()
    op = hessian_operator(model, loss, data, device=device)
    build_s = time.perf_counter() - t0
    out: dict[str, Any] = {"p": op.dim, "n": op.n_examples, "batches": op.n_batches, "build_seconds": build_s}
    out["top10_LA"] = pairs_row(top_eigenpairs(op, 10, "LA", tol=1e-6))
    out["top5_SA"] = pairs_row(top_eigenpairs(op, 5, "SA", tol=1e-6))
    out["peak_MiB"] = peak_mib(device)
    return out


def digits_report(device: str, quick: bool) -> dict[str, Any]:
    """The repository's real case (``theory.empirical.digits.digits_case``) through
    ``weight_decay_report`` on the device: the numbers the ``l2.path_derivative`` row checks on CPU."""
    import torch

    from theory.empirical.digits import digits_case
    from theory.empirical.report import weight_decay_report

    model, opt, data = digits_case(150 if quick else 300)
    t0 = time.perf_counter()
    r = weight_decay_report(
        model, torch.nn.CrossEntropyLoss(), data, optimizer=opt, progress=False, device=device,
        epochs=5 if quick else 20,
    )  # fmt: skip
    return {
        "seconds": time.perf_counter() - t0,
        "p": r.n_params,
        "polish_converged": r.polish.converged,
        "relative_error": r.relative_error,
        "rho": r.rho,
        "null_space_dim": r.null_space_dim,
        "effective_dim": r.spectrum.effective_dim,
        "effective_dim_se": r.spectrum.effective_dim_se,
        "failed_assumptions": [a.name for a in r.failed],
    }


def transformer(device: str, quick: bool, reps: int) -> dict[str, Any]:
    import torch

    from theory.empirical.curvature import hessian_operator, top_eigenpairs

    class Block(torch.nn.Module):
        def __init__(self, d: int) -> None:
            super().__init__()
            self.emb = torch.nn.Linear(16, d)
            self.enc = torch.nn.TransformerEncoderLayer(d, 4, 4 * d, dropout=0.0, batch_first=True)
            self.head = torch.nn.Linear(d, 8)

        def forward(self, x: Any) -> Any:
            return self.head(self.enc(self.emb(x)).mean(1))

    d, n, length = (32, 256, 16) if quick else (128, 2048, 32)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, length, 16, generator=g)
    y = torch.randint(0, 8, (n,), generator=g)
    batches = [(X[i : i + 256], y[i : i + 256]) for i in range(0, n, 256)]
    torch.manual_seed(0)
    base = Block(d)
    loss = torch.nn.CrossEntropyLoss()
    out: dict[str, Any] = {"d_model": d, "n": n, "seq_len": length}
    products = {}
    v = None
    for name in ("float32", "float64"):
        peak_reset(device)
        t0 = time.perf_counter()
        op = hessian_operator(base, loss, batches, dtype=name, device=device)
        build_s = time.perf_counter() - t0
        v = np.random.default_rng(0).standard_normal(op.dim) if v is None else v
        ms = timed({"matvec": lambda op=op, v=v: op.matvec(v)}, reps, device)["matvec"]
        products[name] = op.matvec(v)
        pairs = top_eigenpairs(op, 5, "LA", tol=1e-6 if name == "float64" else 1e-4)
        out[name] = {
            "p": op.dim,
            "precision": op.precision,
            "cached": op.cached,
            "graph_MiB": op.graph_bytes / 2**20,
            "build_seconds": build_s,
            "ms_per_product": ms,
            "top5": pairs_row(pairs),
            "peak_MiB": peak_mib(device),
        }
    a, b = products["float32"], products["float64"]
    out["float32_vs_float64_relative"] = float(np.linalg.norm(a - b) / np.linalg.norm(b))
    out["sqrt_p_eps32"] = float(np.sqrt(len(b)) * np.finfo(np.float32).eps)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", required=True, help="directory for gpu.json")
    parser.add_argument("--device", default="cuda", help="cuda (default), cuda:N, or cpu for a dry run")
    parser.add_argument("--quick", action="store_true", help="smaller models and fewer rounds")
    parser.add_argument("--reps", type=int, default=None, help="interleaved rounds (default 30, quick 5)")
    args = parser.parse_args()
    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        why = (
            "this torch build has no CUDA (torch.version.cuda is None)"
            if torch.version.cuda is None
            else "no CUDA device is visible (torch.cuda.is_available() is False)"
        )
        print(f"bench/gpu.py: skipped, {why}; torch {torch.__version__}. Nothing written.")
        return 0
    if args.device == "cpu":
        torch.set_num_threads(1)  # a dry run on a shared machine: more threads only thrash
    reps = args.reps or (5 if args.quick else 30)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "device": args.device,
        "device_name": torch.cuda.get_device_name(args.device) if args.device.startswith("cuda") else "cpu",
        "torch": torch.__version__,
        "quick": args.quick,
    }
    for name, fn in (
        ("mlp100k", lambda: mlp100k(args.device, args.quick, reps)),
        ("digits_cnn", lambda: digits_cnn(args.device, args.quick)),
        ("digits_report", lambda: digits_report(args.device, args.quick)),
        ("transformer", lambda: transformer(args.device, args.quick, reps)),
    ):
        t0 = time.perf_counter()
        try:
            result[name] = fn()
        except Exception as exc:  # one failing section must not lose the others' numbers
            result[name] = {"error": f"{type(exc).__name__}: {exc}"}
        result[name]["section_seconds"] = time.perf_counter() - t0
        print(f"{name}: {json.dumps(result[name], default=str)[:1500]}", flush=True)
        (out_dir / "gpu.json").write_text(json.dumps(result, indent=1, default=str))
    print(f"wrote {out_dir / 'gpu.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
