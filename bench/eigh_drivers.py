"""Measurement: eigenvector orthogonality of LAPACK's symmetric eigensolvers on clustered spectra.

Run ``python bench/eigh_drivers.py`` (d up to 2000, about a minute on 2 cores) or ``--quick``. It
prints, for SciPy's default driver (``evr``, MRRR: LAPACK ``?syevr``) and divide and conquer (``evd``,
``?syevd``, the driver :class:`theory.Quadratic` uses), the worst loss of orthogonality
``‖QᵀQ − I‖_max / (d·eps)`` and the worst residual ``‖HQ − QΛ‖_max / (‖H‖₂·d·eps)`` over the spectra
below, and the median time ratio evd / evr at each d (interleaved, one BLAS thread where
threadpoolctl can set it). The README's sentence on the two drivers quotes this script.

Spectra (each with a random orthogonal basis from the QR of a Gaussian matrix, H symmetrised):

* ``clusters``: eigenvalues in groups of 10 equal to 1, 2, 3, … up to relative spread 1e-10 — the
  case that the thorough Hypothesis profile found (MRRR's orthogonality depends on the relative gaps
  inside a cluster, divide and conquer's does not);
* ``geometric``: eigenvalues 10^(−k) spread over 12 decades (κ = 1e12, the project's range);
* ``uniform``: eigenvalues uniform in [1, 2] (a well-separated control).

Nothing here is asserted in the tests: it is a measurement, quoted with its command.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

import numpy as np
import scipy.linalg
from rich.console import Console
from rich.table import Table

EPS = float(np.finfo(np.float64).eps)


def _spectrum(kind: str, d: int, rng: np.random.Generator) -> np.ndarray:
    """Eigenvalues of one test matrix (see the module docstring)."""
    if kind == "clusters":
        centres = 1.0 + np.arange(d) // 10
        return centres * (1.0 + 1e-10 * rng.random(d))
    if kind == "geometric":
        return 10.0 ** -rng.uniform(0, 12, size=d)
    if kind == "uniform":
        return 1.0 + rng.random(d)
    raise ValueError(f"unknown spectrum {kind!r}")


def _matrix(kind: str, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng([d, seed])
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    H = (Q * _spectrum(kind, d, rng)) @ Q.T
    return (H + H.T) / 2


def _quality(H: np.ndarray, driver: str) -> tuple[float, float, float]:
    """(orthogonality loss / (d·eps), residual / (‖H‖₂·d·eps), seconds) of one eigh call."""
    d = H.shape[0]
    start = time.perf_counter()
    lam, Q = scipy.linalg.eigh(H, driver=driver, check_finite=False)
    seconds = time.perf_counter() - start
    ortho = float(np.max(np.abs(Q.T @ Q - np.eye(d)))) / (d * EPS)
    scale = float(np.max(np.abs(lam)))
    residual = float(np.max(np.abs(H @ Q - Q * lam))) / (scale * d * EPS)
    return ortho, residual, seconds


def _one_blas_thread() -> AbstractContextManager[object]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="d ≤ 200, one seed (a smoke test)")
    args = parser.parse_args(argv)
    sizes = (50, 200) if args.quick else (50, 200, 1000, 2000)
    seeds = (0,) if args.quick else (0, 1, 2)
    console = Console()
    table = Table(title="eigh drivers: worst over seeds (units of d·eps)")
    for col in ("spectrum", "d", "evr orth.", "evd orth.", "evr resid.", "evd resid."):
        table.add_column(col, justify="right" if col != "spectrum" else "left")
    timing: dict[int, list[float]] = {d: [] for d in sizes}
    with _one_blas_thread():
        for kind in ("clusters", "geometric", "uniform"):
            for d in sizes:
                worst: dict[str, list[float]] = {"evr": [0.0, 0.0], "evd": [0.0, 0.0]}
                for seed in seeds:
                    H = _matrix(kind, d, seed)
                    runs: dict[str, tuple[float, float, float]] = {}
                    for driver in ("evr", "evd"):  # interleaved: load falls on both
                        runs[driver] = _quality(H, driver)
                        worst[driver][0] = max(worst[driver][0], runs[driver][0])
                        worst[driver][1] = max(worst[driver][1], runs[driver][1])
                    timing[d].append(runs["evd"][2] / runs["evr"][2])
                fmt: Callable[[float], str] = lambda v: f"{v:.3g}"  # noqa: E731
                table.add_row(
                    kind,
                    str(d),
                    fmt(worst["evr"][0]),
                    fmt(worst["evd"][0]),
                    fmt(worst["evr"][1]),
                    fmt(worst["evd"][1]),
                )
    console.print(table)
    for d, ratios in timing.items():
        median = statistics.median(ratios)
        console.print(f"d = {d}: time evd / evr, median over {len(ratios)} matrices = {median:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
