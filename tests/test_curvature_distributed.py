"""Data-parallel Hessian operator: 2 gloo processes on CPU give the single-process product to rounding.

The batches are split between the ranks (rank r takes batches r, r + 2, ...); each rank computes the
per-batch products ``n_b·H_b v`` exactly as the single process does (same model, same batch, one
thread), so the two results differ only in the order of the sum over the B batches and in the final
division by N. Each of the two sums is off by at most ``γ_{B+1}·Σ_b n_b|H_b v|`` entrywise (Higham,
*Accuracy and Stability of Numerical Algorithms*, §4.2; the all-reduce adds the ranks' partial sums,
one more term), so ``|Δ| ≤ 2·(B + 2)·u·Σ_b (n_b/N)|H_b v|`` entrywise; the test computes the right side
from the per-batch products.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
if not torch.distributed.is_available():  # pragma: no cover - every CPU wheel has gloo
    pytest.skip("this torch build has no torch.distributed", allow_module_level=True)

from theory.empirical import _common as C  # noqa: E402
from theory.empirical import curvature as cv  # noqa: E402

pytestmark = pytest.mark.slow  # each test spawns 2 processes that import torch (5–10 s)

EPS64 = float(np.finfo(np.float64).eps)
WORLD = 2
TIMEOUT_S = 120


def model_and_batches() -> tuple[Any, list[tuple[Any, Any]], Any]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3)
    ).double()
    g = torch.Generator().manual_seed(1)
    X = torch.randn(41, 5, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (41,), generator=g)
    sizes = [9, 9, 9, 9, 5]  # unequal batches; rank 0 gets 3 of them, rank 1 gets 2
    batches, start = [], 0
    for s in sizes:
        batches.append((X[start : start + s], y[start : start + s]))
        start += s
    return model, batches, torch.nn.CrossEntropyLoss()


def probe(dim: int) -> np.ndarray:
    return np.random.default_rng(7).standard_normal(dim)


def _worker(rank: int, port: int, out: str, mode: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), GLOO_SOCKET_IFNAME="lo")
    torch.set_num_threads(1)
    torch.distributed.init_process_group("gloo", rank=rank, world_size=WORLD)
    try:
        model, batches, lf = model_and_batches()
        if mode == "different" and rank == 1:
            with torch.no_grad():
                model[0].bias[0] += 1e-3
        try:
            op = cv.hessian_operator(model, lf, batches[rank::WORLD], distributed=True)
        except cv.PreconditionError as exc:
            Path(out, f"{rank}.json").write_text(json.dumps({"error": str(exc)}))
            return
        hv = op.matvec(probe(op.dim))
        pairs = cv.top_eigenpairs(op, 2, "LA")
        res = {
            "hv": hv.tolist(),
            "loss": op.loss(),
            "grad": op.gradient().tolist(),
            "n": op.n_examples,
            "batches": op.n_batches,
            "values": pairs.values.tolist(),
            "residuals": pairs.residuals.tolist(),
        }
        Path(out, f"{rank}.json").write_text(json.dumps(res))
    finally:
        torch.distributed.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_ranks(tmp_path: Path, mode: str) -> list[dict[str, Any]]:
    ctx = torch.multiprocessing.start_processes(
        _worker, args=(free_port(), str(tmp_path), mode), nprocs=WORLD, join=False, start_method="spawn"
    )
    deadline = time.monotonic() + TIMEOUT_S
    while not ctx.join(timeout=5):
        if time.monotonic() > deadline:
            for p in ctx.processes:
                if p.is_alive():
                    p.terminate()
            pytest.fail(f"the {WORLD} gloo processes did not finish within {TIMEOUT_S} s")
    return [json.loads(Path(tmp_path, f"{r}.json").read_text()) for r in range(WORLD)]


def test_two_gloo_processes_match_one_to_rounding(tmp_path: Path) -> None:
    out = run_ranks(tmp_path, "same")
    model, batches, lf = model_and_batches()
    with C.exact_math(threads=1):
        single = cv.hessian_operator(model, lf, batches)
        v = probe(single.dim)
        hv = single.matvec(v)
        per_batch = [cv.hessian_operator(model, lf, b, check_data=False).matvec(v) for b in batches]
    N, B = single.n_examples, len(batches)
    scale = sum(len(b[1]) / N * np.abs(h) for b, h in zip(batches, per_batch, strict=True))
    bound = 2 * (B + 2) * EPS64 * scale
    for rank, r in enumerate(out):
        assert (r["n"], r["batches"]) == (41, 5), rank
        diff = np.abs(np.array(r["hv"]) - hv)
        assert np.all(diff <= bound), f"rank {rank}: max |Δ|/bound = {np.max(diff / bound):.3g}"
        assert abs(r["loss"] - single.loss()) <= 2 * (B + 2) * EPS64 * single.loss()
        g = single.gradient()
        assert np.linalg.norm(np.array(r["grad"]) - g) <= 2 * (B + 2) * EPS64 * np.abs(g).sum() * 10
    # both ranks ran ARPACK in lockstep on bitwise-equal products: identical eigenvalues
    assert out[0]["values"] == out[1]["values"]
    ref = cv.top_eigenpairs(single, 2, "LA")
    tol = np.array(out[0]["residuals"]) + ref.residuals + np.linalg.norm(bound) * 2
    assert np.all(np.abs(np.array(out[0]["values"]) - ref.values) <= tol)


def test_ranks_with_different_parameters_are_refused(tmp_path: Path) -> None:
    out = run_ranks(tmp_path, "different")
    for r in out:
        assert "different parameters" in r["error"] and "0.001" in r["error"]
