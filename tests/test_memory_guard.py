"""The memory guard counts what a step really allocates (theory.resources.check_allocation is per step):
for each step of the regression routes, the traced peak of NumPy/SciPy allocations (tracemalloc sees
them) stays within the bytes the step asked the guard for, in float32 and float64, and a dtype
conversion copy of X is refused before it is made."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import theory.resources as resources
from theory import Quadratic
from theory.errors import ResourceError
from theory.regression import regression_spectrum
from theory.resources import memory_limit


def _spy(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[float]:
    """Record the byte counts passed to ``module.check_allocation`` (and still apply the limit)."""
    seen: list[float] = []
    real = module.check_allocation

    def spy(nbytes: float, what: str, *, hint: str = "") -> None:
        seen.append(float(nbytes))
        real(nbytes, what, hint=hint)

    monkeypatch.setattr(module, "check_allocation", spy)
    return seen


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The byte counts passed to check_allocation (the routes import it at call time)."""
    yield _spy(monkeypatch, resources)


def _step_peak(step: Callable[[], Any]) -> tuple[int, Any]:
    """Bytes allocated by ``step`` above what was alive when it started, at the step's peak."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        out = step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base, out


# Not counted by the guard, being of fixed size: NumPy's ufunc iteration buffers (np.getbufsize()
# elements per buffered operand, up to two float64 operands: 128 KiB) and the Python objects of the
# results (instances, scalars: a few KiB, inside the same allowance as the buffers are rarely both full)
SLACK = 2 * np.getbufsize() * 8

CASES = [(50, 100_000, np.float32), (40, 30_000, np.float64), (2000, 300, np.float64), (600, 300, np.float32)]


@pytest.mark.parametrize(("n", "d", "dtype"), CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_each_step_stays_within_its_count(n: int, d: int, dtype: Any, requests: list[float]) -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, d)).astype(dtype)
    y = rng.standard_normal(n).astype(dtype)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("from_regression", lambda: Quadratic.from_regression(X, y)),
        ("regression_spectrum", lambda: regression_spectrum(X, y)),
    ]
    for name, step in steps:
        requests.clear()
        peak, out = _step_peak(step)
        assert requests, name
        assert peak <= max(requests) + SLACK, (name, peak, max(requests))
        del out
    spec = regression_spectrum(X, y)
    requests.clear()
    peak, _ = _step_peak(lambda: spec.U)
    counted = max(requests, default=0.0)  # the Gram route keeps U from its eigh: nothing new
    assert peak <= counted + SLACK, ("U", peak, counted)


def test_float32_wide_gram_route_under_30_mib() -> None:
    """50×100,000 float32: the route's peak is Q (19 MiB) once, not twice (before: 38.2 MiB traced
    while 19 MiB was counted, because Q/scale made a second d×r array)."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((50, 100_000)).astype(np.float32)
    y = rng.standard_normal(50).astype(np.float32)
    with memory_limit("30MiB"):
        peak, q = _step_peak(lambda: Quadratic.from_regression(X, y))
    assert q.route == "gram"
    assert peak <= 30 * 2**20


def test_int64_copy_is_refused_before_it_is_made() -> None:
    """int64 X, 50×100,000: its float64 copy (38 MiB) is checked before it exists."""
    X = np.arange(50 * 100_000, dtype=np.int64).reshape(50, 100_000) % 97
    y = np.ones(50)
    tracemalloc.start()
    try:
        with (
            memory_limit("30MiB"),
            pytest.raises(ResourceError, match=r"float64 copy of X \(50×100000 int64\)"),
        ):
            Quadratic.from_regression(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # nothing of X's size was allocated


def test_finiteness_check_allocates_nothing_of_the_input_size() -> None:
    """A finite X is proved finite by its sum: no two n×d boolean temporaries."""
    from theory.validate import check_finite

    X = np.ones((400, 2500))  # 8 MB
    peak, _ = _step_peak(lambda: check_finite(X, "X"))
    assert peak < X.size  # a boolean mask alone would be X.size bytes


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.0, np.nan, 2.0], r"1 of 3 entries .* index \(1,\)"),
        ([np.inf, -np.inf], r"2 of 2 entries .* index \(0,\)"),
        ([1e308, 1e308, np.nan], r"1 of 3 entries .* index \(2,\)"),  # the sum overflows first
    ],
)
def test_finiteness_check_still_names_the_bad_entries(values: list[float], message: str) -> None:
    from theory.errors import InputError
    from theory.validate import check_finite

    with pytest.raises(InputError, match=message):
        check_finite(np.array(values), "x")
    check_finite(np.array([1e308, 1e308]), "x")  # finite entries whose sum overflows: accepted


@pytest.mark.parametrize("method", ["gd_iterates", "gradient_flow", "simulate_gd"])
def test_trajectories_count_their_work_arrays(method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A k-point trajectory asks for its k×d output and its k×m work arrays before making any of them
    (the review saw 29 MB traced for a 9.6 MB request when only the output was counted)."""
    import theory.dynamics as dynamics

    seen = _spy(monkeypatch, dynamics)  # the GD methods' module imported the name: patch it there
    q = Quadratic(np.diag(np.arange(1.0, 101.0)), np.ones(100))
    taus = np.arange(12_000)
    call = {
        "gd_iterates": lambda: q.gd_iterates(1e-3, taus),
        "gradient_flow": lambda: q.gradient_flow(taus.astype(float)),
        "simulate_gd": lambda: q.simulate_gd(1e-3, taus),
    }[method]
    peak, out = _step_peak(call)
    assert out.shape == (taus.size, 100)
    assert seen, "no allocation was checked"
    assert peak <= max(seen) + SLACK, (
        f"{method}: traced {peak / 2**20:.1f} MiB > asked {max(seen) / 2**20:.1f} MiB"
    )
    with memory_limit(max(seen) - 1), pytest.raises(ResourceError, match="points|iterates"):
        call()
