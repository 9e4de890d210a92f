"""Quadratic.from_regression defers its eigendecomposition on the primal route (issue 10).

Methods that need only H = XᵀX/n and Hw* = Xᵀy/n (the L1/elastic-net paths, the gradient, the GD loop,
proximal_optimum, value, H) take no ``eigh``; the first method that needs the eigenbasis takes exactly
one, and every answer is the same whether the decomposition came first or later. The eigh calls are
counted by wrapping ``scipy.linalg.eigh`` (the function theory.regression and theory.quadratic call).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.linalg

from theory import Quadratic
from theory.errors import ResourceError
from theory.numerics import eigenbasis_tolerance
from theory.regression import max_stable_step
from theory.resources import memory_limit
from theory.validate import dtype_eps

N, D = 60, 25
EPS = dtype_eps(np.float64)


def _data(seed: int = 0, n: int = N, d: int = D) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ np.where(np.arange(d) < 4, 2.0, 0.0) + 0.5 * rng.standard_normal(n)
    return X, y


@pytest.fixture
def eigh_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = scipy.linalg.eigh

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(np.shape(args[0])[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.linalg, "eigh", counting)
    return calls


def _bmax(X: np.ndarray, y: np.ndarray) -> float:
    return float(np.max(np.abs(X.T @ y / X.shape[0])))


X0, Y0 = _data()
GRID = _bmax(X0, Y0) * np.logspace(0, -3, 30)
W = np.random.default_rng(5).standard_normal(D)

#: methods that need only H and Hw*: no eigh
NO_EIGH: dict[str, Callable[[Quadratic], Any]] = {
    "l1_path": lambda q: q.l1_path(GRID).W,
    "elastic_net_path": lambda q: q.elastic_net_path(GRID, l2=0.1).W,
    "proximal_optimum": lambda q: q.proximal_optimum(l1=0.05, l2=0.01).w,
    "value": lambda q: q.value(W),
    "gradient": lambda q: q.gradient(W),
    "simulate_gd": lambda q: q.simulate_gd(0.1, [0, 3, 20], W, alpha=0.2),
    "H": lambda q: q.H,
}

#: methods that need the eigenbasis: exactly one eigh, however often they are called
ONE_EIGH: dict[str, Callable[[Quadratic], Any]] = {
    "l2_path": lambda q: q.l2_path([0.01, 0.1, 1.0]),
    "eigenvalues": lambda q: q.eigenvalues,
    "gd_iterates": lambda q: q.gd_iterates(0.1, [0, 3, 20], W, alpha=0.2),
    "l2_optimum": lambda q: q.l2_optimum(0.3, center=W),
    "effective_dof": lambda q: q.effective_dof(0.3),
    "max_stable_step": lambda q: q.max_stable_step(),
}


def test_construction_takes_no_eigh(eigh_calls: list[int]) -> None:
    q = Quadratic.from_regression(X0, Y0)
    assert eigh_calls == []
    assert "deferred" in repr(q)  # a repr does not start the decomposition
    assert eigh_calls == []


@pytest.mark.parametrize("name", list(NO_EIGH))
def test_methods_that_need_only_h_take_no_eigh(name: str, eigh_calls: list[int]) -> None:
    q = Quadratic.from_regression(X0, Y0)
    NO_EIGH[name](q)
    NO_EIGH[name](q)
    assert eigh_calls == [], f"{name} took an eigh of size {eigh_calls}"


def test_all_of_them_together_take_no_eigh(eigh_calls: list[int]) -> None:
    q = Quadratic.from_regression(X0, Y0)
    for f in NO_EIGH.values():
        f(q)
    assert eigh_calls == []


@pytest.mark.parametrize("name", list(ONE_EIGH))
def test_methods_that_need_the_eigenbasis_take_exactly_one(name: str, eigh_calls: list[int]) -> None:
    q = Quadratic.from_regression(X0, Y0)
    ONE_EIGH[name](q)
    assert eigh_calls == [D]
    for f in [*ONE_EIGH.values(), *NO_EIGH.values()]:
        f(q)
    assert eigh_calls == [D]


def test_gram_route_stays_eager(eigh_calls: list[int]) -> None:
    X, y = _data(1, n=12, d=40)
    q = Quadratic.from_regression(X, y)
    assert eigh_calls == [12]  # the n×n Gram matrix, at construction
    q.l2_path([0.1, 1.0])
    q.l1_path(_bmax(X, y) * np.logspace(0, -1, 5))
    assert eigh_calls == [12]


def test_general_quadratic_still_decomposes_in_init(eigh_calls: list[int]) -> None:
    Quadratic(X0.T @ X0 / N, np.ones(D))
    assert eigh_calls == [D]


# ---------------------------------------------------------------- same answers in either order


def _pair() -> tuple[Quadratic, Quadratic]:
    """(lazy, decomposed first) on the same data."""
    later = Quadratic.from_regression(X0, Y0)
    first = Quadratic.from_regression(X0, Y0)
    first.eigenvalues  # noqa: B018  (forces the decomposition)
    return later, first


@pytest.mark.parametrize("name", ["gradient", "simulate_gd", "H"])
def test_h_methods_identical_whether_decomposed_first_or_later(name: str) -> None:
    later, first = _pair()
    np.testing.assert_array_equal(NO_EIGH[name](later), NO_EIGH[name](first))


@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_paths_agree_whether_decomposed_first_or_later(l2: float) -> None:
    """Decomposed first, H is gone and the L1/elastic-net path reads columns ``Xᵀx_j/n`` from X
    (theory.sparse_path.DataGram); later, it reads the stored H. Two roundings of one problem: rows
    within ``√d·(v₁ + v₂)/μ``, μ = λ_min(H) + α₂ (a subgradient s at w bounds ``‖w − w_opt‖₂ ≤ ‖s‖₂/μ``;
    Nesterov, *Lectures on Convex Optimization*, 2018, Thm 2.1.10)."""
    later, first = _pair()
    P_later, P_first = later.elastic_net_path(GRID, l2=l2), first.elastic_net_path(GRID, l2=l2)
    mu = float(first.eigenvalues[0]) + l2
    bound = math.sqrt(D) * (P_later.tolerance + P_first.tolerance) / mu
    assert np.all(np.linalg.norm(P_later.W - P_first.W, axis=1) <= bound)


@pytest.mark.parametrize("name", list(ONE_EIGH))
def test_eigenbasis_methods_identical_after_h_methods(name: str) -> None:
    """An eigenbasis method gives the same bits whether H-only methods ran before it or not."""
    fresh = Quadratic.from_regression(X0, Y0)
    used = Quadratic.from_regression(X0, Y0)
    for f in NO_EIGH.values():
        if f is not NO_EIGH["H"]:  # handing out H makes the decomposition work on a copy: see below
            f(used)
    np.testing.assert_array_equal(ONE_EIGH[name](used), ONE_EIGH[name](fresh))


def test_handed_out_h_is_not_overwritten_by_the_later_decomposition() -> None:
    q = Quadratic.from_regression(X0, Y0)
    H = q.H
    kept = H.copy()
    assert not H.flags.writeable
    ref = Quadratic.from_regression(X0, Y0)
    np.testing.assert_array_equal(q.l2_path([0.1, 1.0]), ref.l2_path([0.1, 1.0]))
    np.testing.assert_array_equal(H, kept)
    np.testing.assert_array_equal(q.H, kept)


def test_value_agrees_to_rounding_with_the_eigenbasis_formula() -> None:
    """Cholesky's w* and the eigenbasis' differ by rounding: both are within eigenbasis_tolerance(d, κ)
    of the exact w* relative to ‖w*‖ (Higham §10.1 for Cholesky, the eigenbasis bound for Q f(Λ) Qᵀ),
    so ‖δ‖ ≤ 2·that·‖w*‖, and ``|½‖v‖²_H − ½‖v + δ‖²_H| ≤ ‖v‖_H‖δ‖_H + ½‖δ‖²_H`` with
    ``‖δ‖_H ≤ √λ_max‖δ‖``."""
    later, first = _pair()
    lam = first.eigenvalues
    kappa = float(lam[-1] / lam[0])
    w_star = first.l2_path([0.0])[0]
    for w in (W, w_star + 1e-6 * W, w_star):
        v_first = first.value(w)
        delta = 2 * eigenbasis_tolerance(D, kappa) * float(np.linalg.norm(w_star)) * math.sqrt(lam[-1])
        bound = math.sqrt(2 * v_first) * delta + 0.5 * delta**2
        assert abs(later.value(w) - v_first) <= bound, (later.value(w), v_first, bound)


def test_proximal_optimum_agrees_to_its_kkt_certificate() -> None:
    """Lanczos' λ_max and eigh's give different FISTA steps: both answers are certified, and two points
    whose KKT violations are v₁, v₂ lie within √d·(v₁ + v₂)/μ of each other, μ = λ_min + α₂ (Nesterov,
    Lectures on Convex Optimization, 2018, Thm 2.1.10)."""
    later, first = _pair()
    a = later.proximal_optimum(l1=0.05, l2=0.01)
    b = first.proximal_optimum(l1=0.05, l2=0.01)
    mu = float(first.eigenvalues[0]) + 0.01
    assert float(np.linalg.norm(a.w - b.w)) <= math.sqrt(D) * (a.kkt_violation + b.kkt_violation) / mu


def test_lanczos_lambda_max_is_within_rounding_of_eigh() -> None:
    q = Quadratic.from_regression(X0, Y0)
    est = q._lam_max_estimate()
    top = float(scipy.linalg.eigvalsh(X0.T @ X0 / N)[-1])
    # Ritz value to eps·‖H‖ (ARPACK tol=0), residual c·d·eps·‖H‖ from the products
    assert abs(est - top) <= 10 * D * EPS * top, (est, top)


def test_value_on_rank_deficient_data_falls_back_to_the_eigenbasis(eigh_calls: list[int]) -> None:
    X, y = _data(3)
    X[:, 1] = X[:, 0]  # H singular: the minimiser is not unique, Cholesky does not apply
    q = Quadratic.from_regression(X, y)
    val = q.value(W)
    assert eigh_calls == [D]
    ref = Quadratic.from_regression(X, y)
    lam, Q, b = ref.eigenvalues, ref.eigenvectors, ref._b
    nz = lam != 0
    r = (lam * (Q.T @ W) - b)[nz]
    assert val == float(0.5 * np.sum(r * r / lam[nz]))


# ---------------------------------------------------------------- the path's start, and the guard


def test_row_within_rounding_of_the_top_alpha_is_the_zero_row() -> None:
    """α₁ one rounding below ‖b‖_∞ (b = Xᵀy/n): w = 0 is certified (violation ‖b‖_∞ − α₁, far inside
    the row tolerance 10·d·eps·‖b‖_∞), and it is the row returned, whatever b's last bit."""
    q = Quadratic.from_regression(X0, Y0)
    top = _bmax(X0, Y0)
    P = q.l1_path([top, top * (1 - 4 * EPS), top * (1 - 1e-3)])
    assert not P.W[0].any() and not P.W[1].any()
    assert P.W[2].any()
    assert P.certified
    assert P.kkt_violation[1] <= P.tolerance[1]


def test_max_stable_step_guards_its_copy_of_x() -> None:
    X = np.random.default_rng(4).standard_normal((400, 300))  # 0.92 MiB
    with memory_limit("512KiB"), pytest.raises(ResourceError, match=r"max_stable_step.*400×300.*needs"):
        max_stable_step(X)
    top = float(scipy.linalg.svdvals(X)[0])
    assert max_stable_step(X) == 2.0 * 400 / (top * top)


def test_proximal_optimum_on_zero_data_needs_no_arpack() -> None:
    """X = 0: H = 0 and the deferred route's Lanczos estimate of λ_max must not reach ARPACK (which
    refuses a zero Krylov space with a raw ArpackError); the minimiser of α₁‖w‖₁ alone is 0."""
    q = Quadratic.from_regression(np.zeros((10, 5)), np.arange(10.0))
    r = q.proximal_optimum(l1=0.1)
    assert not np.any(r.w)
    assert not q._decomposed  # λ_max = 0 read off H = 0, not by falling back to the eigh


def test_value_factors_h_once_while_the_decomposition_is_deferred(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Cholesky minimiser behind value() is computed once per instance, not on every call."""
    import scipy.linalg

    calls = []
    real = scipy.linalg.cho_factor

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.linalg, "cho_factor", counting)
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((60, 12)), rng.standard_normal(60)
    q = Quadratic.from_regression(X, y)
    w = rng.standard_normal(12)
    values = [q.value(w) for _ in range(3)]
    assert len(calls) == 1
    assert values[0] == values[1] == values[2]
