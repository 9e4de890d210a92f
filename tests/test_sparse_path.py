"""L1 / elastic-net paths (theory.sparse_path, Quadratic.l1_path / elastic_net_path).

Every comparison's tolerance comes from the two routes' KKT certificates: for a μ-strongly convex
objective any subgradient s at w bounds ``‖w − w_opt‖₂ ≤ ‖s‖₂/μ ≤ √d·v/μ`` with v the KKT violation
(Nesterov, *Lectures on Convex Optimization*, 2018, Thm 2.1.10); the KKT violation itself is
recomputed here from H, independently of the path's own bookkeeping.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st

import theory.sparse_path as sp
from theory import Quadratic
from theory.conventions import Penalty, from_canonical
from theory.errors import ConvergenceError, InputError, PreconditionError, ResourceError
from theory.numerics import elastic_net_agreement_tolerance, rounding_zero_tolerance
from theory.resources import memory_limit
from theory.testing.strategies import elastic_net_problems, quadratics

EPS = float(np.finfo(np.float64).eps)


def kkt(H: np.ndarray, b: np.ndarray, W: np.ndarray, l1: np.ndarray, l2: float) -> np.ndarray:
    """Per row ``max_i dist(c_i, α₁∂|w_i|)``, ``c = b − (H + α₂I)w``: the certificate, from H."""
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    C = b[None, :] - W @ H - l2 * W
    s = np.asarray(l1, dtype=np.float64).reshape(-1, 1)
    return np.where(W != 0, np.abs(C - s * np.sign(W)), np.maximum(np.abs(C) - s, 0.0)).max(axis=1)


def evaluation_rounding(
    H: np.ndarray, b: np.ndarray, W: np.ndarray, l2: float, eps: float = EPS
) -> np.ndarray:
    """Rounding of evaluating c = b − (H + α₂I)w in :func:`kkt`: d·eps·(‖b‖_∞ + ‖H + α₂I‖_∞‖w‖_∞) per row."""
    d = H.shape[0]
    Mn = float(np.max(np.sum(np.abs(H), axis=1))) + l2
    return d * eps * (float(np.max(np.abs(b))) + Mn * np.max(np.abs(W), axis=1))


def assert_certified(q: Quadratic, P: sp.SparsePath) -> None:
    """The path's own certificate holds, and so does the one recomputed here from H (up to its rounding)."""
    assert np.all(P.kkt_violation <= P.tolerance)
    H = np.asarray(q.H, dtype=np.float64)
    b = H @ np.asarray(q.w_star, dtype=np.float64)
    v = kkt(H, b, P.W, P.alphas, P.l2)
    eps = float(np.finfo(q.dtype).eps)
    slack = evaluation_rounding(H, b, P.W, P.l2) + q.d * eps * float(np.max(np.abs(b)))  # b's own rounding
    assert np.all(v <= P.tolerance + slack), (v, P.tolerance)


def grid_for(q: Quadratic, k: int = 12, low: float = 1e-3) -> np.ndarray:
    bmax = float(np.max(np.abs(q.H @ q.w_star)))
    return bmax * np.logspace(0.1, math.log10(low), k)


# ---------------------------------------------------------------- closed forms (diagonal H)


@given(elastic_net_problems(), st.lists(st.floats(0.0, 5.0), min_size=1, max_size=6))
def test_diagonal_path_matches_elastic_net_closed_form(problem: Any, extra: list[float]) -> None:
    q, l1, l2 = problem
    grid = np.array([l1, *extra])
    if l2 == 0:
        grid = np.maximum(grid, 1e-3)  # α₁ = α₂ = 0 is refused (tested below)
    P = q.elastic_net_path(grid, l2=l2)
    assert_certified(q, P)
    h = np.diag(q.H)
    for a, w in zip(grid, P.W, strict=True):
        expected = q.elastic_net_optimum(a, l2)
        tol = elastic_net_agreement_tolerance(h, q.w_star, a, l2, expected, float(np.max(P.tolerance)))
        assert np.linalg.norm(w - expected) <= tol


@given(elastic_net_problems(allow_negative=False), st.floats(1e-3, 5.0))
def test_diagonal_lasso_path_matches_soft_threshold(problem: Any, a: float) -> None:
    q, l1, _ = problem
    grid = np.array([max(l1, 1e-3), a])
    P = q.l1_path(grid)
    h = np.diag(q.H)
    for a_i, w in zip(grid, P.W, strict=True):
        expected = q.l1_optimum(a_i)
        tol = elastic_net_agreement_tolerance(h, q.w_star, a_i, 0.0, expected, float(np.max(P.tolerance)))
        assert np.linalg.norm(w - expected) <= tol


# ---------------------------------------------------------------- general H


@given(
    quadratics(dims=(1, 8), max_condition=1e4, singular=True), st.one_of(st.just(0.0), st.floats(1e-3, 2.0))
)
def test_general_path_is_certified_and_homotopy_route_agrees(drawn: Any, l2: float) -> None:
    """Predicted active sets and the exact event-by-event homotopy give the same certified path."""
    q, _ = drawn
    if not np.any(q.H @ q.w_star):
        return
    grid = grid_for(q)
    P = q.elastic_net_path(grid, l2=l2)
    assert_certified(q, P)
    saved = sp._ROUNDS
    try:
        sp._ROUNDS = 0  # no predicted solve: every point goes through the exact homotopy
        Ph = q.elastic_net_path(grid, l2=l2)
    finally:
        sp._ROUNDS = saved
    assert_certified(q, Ph)
    mu = float(q.eigenvalues[0]) + l2
    if mu > rounding_zero_tolerance(q.d, float(q.eigenvalues[-1]) + l2):
        # strongly convex: the two certified minimisers are within √d·(v₁ + v₂)/μ
        bound = math.sqrt(q.d) * (P.tolerance + Ph.tolerance) / mu
        assert np.all(np.linalg.norm(P.W - Ph.W, axis=1) <= bound)


@pytest.mark.parametrize("rho,k", [(0.0, 30), (0.9, 300)])
def test_homotopy_route_takes_events_and_matches_prediction(rho: float, k: int) -> None:
    """Gaussian design (joins only) and a Toeplitz ρ = 0.9 one (6 drops on this path; a grid fine enough
    that each interval holds at most one event)."""
    rng = np.random.default_rng(3 if rho == 0 else 0)
    d = 25 if rho == 0 else 20
    X = rng.standard_normal((2 * d + 10 if rho == 0 else 2 * d, d))
    if rho:
        X = X @ np.linalg.cholesky(scipy.linalg.toeplitz(rho ** np.arange(d))).T
        y = X[:, :6] @ (2 * rng.standard_normal(6)) + 0.5 * rng.standard_normal(X.shape[0])
    else:
        y = X[:, :4] @ np.array([2.0, -1.0, 0.5, 1.5]) + 0.3 * rng.standard_normal(X.shape[0])
    q = Quadratic.from_regression(X, y)
    grid = grid_for(q, k)
    P = q.l1_path(grid)
    saved = sp._ROUNDS
    try:
        sp._ROUNDS = 0
        Ph = q.l1_path(grid)
    finally:
        sp._ROUNDS = saved
    # one event per change of the support pattern between rows (0 → ±1 a join, ±1 → 0 a drop, a sign
    # flip both): here each is seen, and no event is wasted (a join on the wrong side would be)
    S = np.vstack([np.zeros(q.d), np.sign(Ph.W)])
    assert Ph.events.sum() == np.abs(np.diff(S, axis=0)).sum() > 0
    if rho:
        assert ((S[:-1] != 0) & (S[1:] == 0)).sum() == 6  # drops are exercised
    # the predicted route: one solve per non-zero row, no events (this problem's path is tame)
    assert P.events.sum() == 0
    assert P.solves.sum() == np.count_nonzero(P.alphas < np.max(np.abs(q.H @ q.w_star)))
    assert_certified(q, Ph)
    mu = float(q.eigenvalues[0])
    bound = math.sqrt(q.d) * (P.tolerance + Ph.tolerance) / mu
    assert np.all(np.linalg.norm(P.W - Ph.W, axis=1) <= bound)


@pytest.mark.parametrize(
    "seed,lam1,w_star", [(1440, 0.00147197, [-4.8, -6.7, -5.6]), (2327, 0.00285933, [-9.5, 3.3, -8.6])]
)
def test_homotopy_lets_a_dropped_coordinate_rejoin_on_the_other_side(
    seed: int, lam1: float, w_star: list[float]
) -> None:
    """Singular H (rank 2 of 3): a coordinate leaves at w_i = 0 and must re-enter with the other sign in
    the same interval (found by Hypothesis; excluding it for the rest of the interval left the row
    uncertifiable)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    H = Q @ np.diag([0.0, lam1, 1.0]) @ Q.T
    q = Quadratic((H + H.T) / 2, np.array(w_star))
    saved = sp._ROUNDS
    try:
        sp._ROUNDS = 0
        P = q.l1_path(grid_for(q, 12))
    finally:
        sp._ROUNDS = saved
    assert_certified(q, P)


@pytest.mark.parametrize("l1,l2", [(0.3, 0.0), (0.05, 0.2), (1e-3, 1.0)])
def test_matches_proximal_optimum(l1: float, l2: float) -> None:
    rng = np.random.default_rng(7)
    A = rng.standard_normal((20, 12))
    q = Quadratic(A.T @ A / 20, rng.standard_normal(12))
    P = q.elastic_net_path([l1], l2=l2)
    r = q.proximal_optimum(l1=l1, l2=l2, tol=1e-12)
    mu = float(q.eigenvalues[0]) + l2
    b = q.H @ q.w_star
    delta = evaluation_rounding(q.H, b, r.w[None, :], l2)[0]  # FISTA's violation is evaluated in floats
    bound = math.sqrt(q.d) * (P.tolerance[0] + r.kkt_violation + delta) / mu
    assert np.linalg.norm(P.W[0] - r.w) <= bound


# ---------------------------------------------------------------- scikit-learn (the real library)


def _design(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    beta = np.zeros(d)
    beta[: min(4, d)] = [2.0, -1.5, 1.0, 0.5][: min(4, d)]
    return X, X @ beta + 0.3 * rng.standard_normal(n)


def test_matches_sklearn_lasso_path() -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = _design(80, 20, 0)
    n, d = X.shape
    q = Quadratic.from_regression(X, y)
    grid = grid_for(q, 25)
    alphas = np.array([from_canonical("sklearn.Lasso", Penalty(l2=0.0, l1=a), n=n)["alpha"] for a in grid])
    _, coefs, _ = linear_model.lasso_path(X, y, alphas=alphas, tol=1e-14, max_iter=100_000)
    W_sk = coefs.T  # lasso_path returns the grid in decreasing order, as grid is
    P = q.l1_path(grid)
    assert_certified(q, P)
    H, b = X.T @ X / n, X.T @ y / n
    v_sk = kkt(H, b, W_sk, grid, 0.0)
    mu = float(q.eigenvalues[0])
    bound = math.sqrt(d) * (P.tolerance + v_sk + evaluation_rounding(H, b, W_sk, 0.0)) / mu
    assert np.all(np.linalg.norm(P.W - W_sk, axis=1) <= bound)


def test_matches_sklearn_elastic_net() -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = _design(50, 15, 1)
    n, d = X.shape
    q = Quadratic.from_regression(X, y)
    l2 = 0.3
    grid = grid_for(q, 6)
    P = q.elastic_net_path(grid, l2=l2)
    H, b = X.T @ X / n, X.T @ y / n
    mu = float(q.eigenvalues[0]) + l2
    for a, w in zip(grid, P.W, strict=True):
        p = from_canonical("sklearn.ElasticNet", Penalty(l2=l2, l1=a), n=n)
        m = linear_model.ElasticNet(
            alpha=p["alpha"], l1_ratio=p["l1_ratio"], fit_intercept=False, tol=1e-14, max_iter=100_000
        ).fit(X, y)
        v_sk = kkt(H, b, m.coef_, [a], l2)[0] + evaluation_rounding(H, b, m.coef_[None, :], l2)[0]
        bound = math.sqrt(d) * (float(np.max(P.tolerance)) + v_sk) / mu
        assert np.linalg.norm(w - m.coef_) <= bound


def test_wide_lasso_is_certified_and_no_worse_than_sklearn() -> None:
    """p > n (singular H, α₂ = 0): minimisers need not be unique; ours is certified and its objective
    is within rounding of scikit-learn's."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = _design(15, 40, 2)
    n, d = X.shape
    q = Quadratic.from_regression(X, y)
    grid = grid_for(q, 15, low=1e-2)
    P = q.l1_path(grid)
    assert_certified(q, P)
    assert np.all(P.active <= n)  # active columns linearly independent
    _, coefs, _ = linear_model.lasso_path(X, y, alphas=grid, tol=1e-14, max_iter=200_000)

    def objective(w: np.ndarray, a: float) -> float:
        return float(0.5 * np.mean((X @ w - y) ** 2) + a * np.sum(np.abs(w)))

    for a, w, w_sk in zip(grid, P.W, coefs.T, strict=True):
        f, f_sk = objective(w, a), objective(w_sk, a)
        assert f <= f_sk + 10 * d * EPS * max(f_sk, 1.0)


# ---------------------------------------------------------------- wide data: H never formed (DataGram)


def kkt_from_data(X: np.ndarray, y: np.ndarray, W: np.ndarray, l1: np.ndarray, l2: float) -> np.ndarray:
    """:func:`kkt` with ``c = Xᵀ(y − Xw)/n − α₂w``, O(nd) per row (no d×d H)."""
    n = X.shape[0]
    C = ((y[:, None] - X @ W.T).T @ X) / n - l2 * W
    s = np.asarray(l1, dtype=np.float64).reshape(-1, 1)
    return np.where(W != 0, np.abs(C - s * np.sign(W)), np.maximum(np.abs(C) - s, 0.0)).max(axis=1)


def data_rounding(X: np.ndarray, y: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Rounding of :func:`kkt_from_data`: (n + d)·eps·(|X|ᵀ(|y| + |X||w|)/n)_max per row (Higham §3.5)."""
    n, d = X.shape
    A = np.abs(X)
    return (n + d) * EPS * np.max((np.abs(y)[:, None] + A @ np.abs(W).T).T @ A / n, axis=1)


def support_agreement_bound(X: np.ndarray, S: np.ndarray, v: np.ndarray, l2: float) -> np.ndarray:
    """Two points with the same support S and signs, each with KKT violation ≤ v on S, differ by at most
    ``√|S|·v/λ_min(H_SS + α₂I)``: on S both solve ``M_SS w_S = b_S − α₁s_S`` up to a residual of
    size v per coordinate (restricted strong convexity; Nesterov 2018, Thm 2.1.10, on the face)."""
    XS = X[:, S]
    mu = float(np.linalg.eigvalsh(XS.T @ XS / X.shape[0])[0]) + l2
    assert mu > 0
    return np.asarray(math.sqrt(S.size) * v / mu)


def test_wide_path_never_forms_h_and_matches_sklearn() -> None:
    """n = 40, d = 20,000 from a Gram-route Quadratic under a 64 MiB limit (H would be 3.2 GB): every
    row certified (recomputed here from X), agreeing with scikit-learn's lasso_path on the shared
    support to the bound from both certificates; tracemalloc peak ≪ d²·8."""
    import tracemalloc

    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(10)
    n, d = 40, 20_000
    X = rng.standard_normal((n, d))
    beta = np.zeros(d)
    beta[:5] = [3.0, -2.0, 1.5, -1.0, 0.5]
    y = X @ beta + 0.5 * rng.standard_normal(n)
    q = Quadratic.from_regression(X, y)
    b = X.T @ y / n
    grid = float(np.max(np.abs(b))) * np.logspace(-0.2, -1.2, 4)
    tracemalloc.start()
    try:
        with memory_limit("64MiB"):
            P = q.l1_path(grid)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert q._H is None
    assert peak < 64 * 2**20 < d * d * 8 / 40
    assert np.all(P.kkt_violation <= P.tolerance)
    v = kkt_from_data(X, y, P.W, grid, 0.0)
    assert np.all(v <= P.tolerance + data_rounding(X, y, P.W))
    _, coefs, _ = linear_model.lasso_path(X, y, alphas=grid, tol=1e-13, max_iter=100_000)
    W_sk = coefs.T
    v_sk = kkt_from_data(X, y, W_sk, grid, 0.0) + data_rounding(X, y, W_sk)
    for i in range(grid.size):
        S = np.flatnonzero(P.W[i])
        assert np.array_equal(S, np.flatnonzero(W_sk[i]))
        assert np.array_equal(np.sign(P.W[i, S]), np.sign(W_sk[i, S]))
        bound = support_agreement_bound(X, S, P.tolerance[i] + v_sk[i], 0.0)
        assert np.linalg.norm(P.W[i] - W_sk[i]) <= bound


def test_wide_first_point_far_below_bmax_joins_in_batches() -> None:
    """Pure-noise y, n = 20, d = 5000, one point at 0.3‖b‖_∞: thousands of |b_j| exceed it but at most
    n columns can be active; the path joins in bounded batches (a d×thousands column block would not fit
    the 16 MiB limit) and is certified."""
    rng = np.random.default_rng(16)
    n, d = 20, 5000
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    b = X.T @ y / n
    a = 0.3 * float(np.max(np.abs(b)))
    assert np.count_nonzero(np.abs(b) > a) > 1000
    with memory_limit("16MiB"):
        P = Quadratic.from_regression(X, y).l1_path([a])
    assert P.certified and P.active[0] <= n
    assert kkt_from_data(X, y, P.W, np.array([a]), 0.0)[0] <= P.tolerance[0] + data_rounding(X, y, P.W)[0]


@pytest.mark.parametrize("l2", [0.0, 0.2])
def test_wide_data_route_matches_dense_route(l2: float) -> None:
    """The same wide problem through DataGram (Gram-route Quadratic, H not formed) and through the dense
    H: same supports and signs, rows within the certificates' bound (support bound; α₂ > 0 also the
    global one ``√d·(v₁ + v₂)/α₂``)."""
    X, y = _design(30, 400, 11)
    n, d = X.shape
    q = Quadratic.from_regression(X, y)
    assert q._thin and q._H is None
    b = X.T @ y / n
    grid = float(np.max(np.abs(b))) * np.logspace(-0.1, -2, 12)
    P = q.elastic_net_path(grid, l2=l2)
    assert q._H is None
    H = X.T @ X / n
    D = sp.elastic_net_path(H, b, grid, l2=l2)
    for i in range(grid.size):
        S = np.flatnonzero(P.W[i])
        assert np.array_equal(S, np.flatnonzero(D.W[i]))
        v = P.tolerance[i] + D.tolerance[i]
        assert np.linalg.norm(P.W[i] - D.W[i]) <= support_agreement_bound(X, S, v, l2)
        if l2 > 0:
            assert np.linalg.norm(P.W[i] - D.W[i]) <= math.sqrt(d) * v / l2


def test_primal_route_after_eigh_reads_columns_from_x() -> None:
    """A primal-route Quadratic whose H the eigendecomposition consumed: the path runs under a limit
    below d×d·8 (re-forming H would raise) and equals the dense route's rows to the certificates."""
    X, y = _design(500, 200, 12)
    n, d = X.shape
    q = Quadratic.from_regression(X, y)
    _ = q.eigenvalues  # eigh overwrote H with Q
    assert q._H is None
    grid = grid_for(q, 10, low=0.05)
    with memory_limit(d * d * 8 - 1):  # H (d×d float64) would not fit
        P = q.l1_path(grid)
    H, b = X.T @ X / n, X.T @ y / n
    D = sp.elastic_net_path(H, b, grid)
    mu = float(q.eigenvalues[0])
    bound = math.sqrt(d) * (P.tolerance + D.tolerance) / mu
    assert np.all(np.linalg.norm(P.W - D.W, axis=1) <= bound)


def test_wide_float32_rows_are_certified_after_rounding() -> None:
    """A float32 Gram-route Quadratic: rows stored in float32, each certified at its rounded value (the
    certificate's product ``Hw`` is DataGram.matvec), and the violation recomputed here from X agrees."""
    rng = np.random.default_rng(17)
    n, d = 30, 3000
    X = rng.standard_normal((n, d))
    y = X[:, :3].sum(axis=1) + 0.1 * rng.standard_normal(n)
    q = Quadratic.from_regression(X, y, dtype=np.float32)
    assert q._thin
    X32 = X.astype(np.float32).astype(np.float64)  # the data the float32 quadratic holds
    y32 = y.astype(np.float32).astype(np.float64)
    b = X32.T @ y32 / n
    grid = float(np.max(np.abs(b))) * np.logspace(-0.1, -2, 10)
    P = q.l1_path(grid)
    assert P.W.dtype == np.float32 and q._H is None
    assert np.all(P.kkt_violation <= P.tolerance)
    W = P.W.astype(np.float64)
    v = kkt_from_data(X32, y32, W, grid, 0.0)
    b_rounding = n * float(np.finfo(np.float32).eps) * np.max(np.abs(X32).T @ np.abs(y32)) / n  # b in float32
    assert np.all(v <= P.tolerance + data_rounding(X32, y32, W) + b_rounding)


def test_gram_operators_agree_and_norm_bounds_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """DataGram's columns/diagonal/products equal the dense H's to rounding; DenseGram's blockwise ‖H‖_∞
    is exact; DataGram's bound is ≥ ‖H‖_∞ and ≤ ‖Xᵀ‖_∞‖X‖_∞/n. Blocks forced small (several per array)."""
    monkeypatch.setattr(sp, "_BLOCK_BYTES", 8 * 7 * 50)
    rng = np.random.default_rng(13)
    X = rng.standard_normal((23, 50)) * rng.uniform(0.1, 3.0, 50)
    n, d = X.shape
    H = X.T @ X / n
    dense, data = sp.DenseGram(H), sp.DataGram(X)
    j = np.array([3, 17, 49, 0])
    A = np.abs(X)
    round_cols = n * EPS * (A.T @ A)[:, j] / n
    assert np.all(np.abs(data.columns(j) - dense.columns(j)) <= round_cols)
    assert np.all(np.abs(data.diagonal() - np.diag(H)) <= n * EPS * np.diag(A.T @ A) / n)
    v = rng.standard_normal(d)
    assert np.all(np.abs(data.matvec(v) - H @ v) <= 2 * (n + d) * EPS * (A.T @ (A @ np.abs(v))) / n)
    exact = float(np.max(np.sum(np.abs(H), axis=1)))
    assert abs(dense.inf_norm_bound() - exact) <= d * EPS * exact
    assert exact * (1 - d * EPS) <= data.inf_norm_bound()
    assert data.inf_norm_bound() <= float(np.max(A.sum(axis=0))) * float(np.max(A.sum(axis=1))) / n * (
        1 + (n + d) * EPS
    )


def test_non_finite_data_and_h_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sp, "_BLOCK_BYTES", 8 * 10 * 3)  # 3 rows per block: the bad entry is in a later one
    X, y = _design(12, 10, 14)
    b = X.T @ y / 12
    Xb = X.copy()
    Xb[7, 4] = np.nan
    with pytest.raises(InputError, match=r"X\[7, 4\] = nan"):
        sp.elastic_net_path(sp.DataGram(Xb), b, [0.1])
    H = X.T @ X / 12
    H[8, 2] = np.inf
    with pytest.raises(InputError, match=r"H\[8, 2\] = inf"):
        sp.elastic_net_path(H, b, [0.1])
    bb = b.copy()
    bb[5] = np.nan
    with pytest.raises(InputError, match=r"b\[5\] = nan"):
        sp.elastic_net_path(np.eye(10), bb, [0.1])


@pytest.mark.parametrize("tol", [-1.0, 0.0, float("nan"), float("inf"), "1e-8"])
def test_bad_tol_is_an_input_error_naming_it(tol: Any) -> None:
    X, y = _design(20, 6, 15)
    q = Quadratic.from_regression(X, y)
    with pytest.raises(InputError, match=f"tol = {tol!r}".replace("(", r"\(").replace(")", r"\)")):
        q.l1_path([1.0, 0.1], tol=tol)


@pytest.mark.parametrize("cap", [-1, 1.5, True])
def test_bad_max_events_is_an_input_error_naming_it(cap: Any) -> None:
    X, y = _design(20, 6, 15)
    q = Quadratic.from_regression(X, y)
    with pytest.raises(InputError, match=f"max_events = {cap!r}"):
        q.l1_path([1.0, 0.1], max_events=cap)


# ---------------------------------------------------------------- edge cases and errors


def test_grid_order_zero_rows_and_render() -> None:
    X, y = _design(40, 10, 3)
    q = Quadratic.from_regression(X, y)
    bmax = float(np.max(np.abs(q.H @ q.w_star)))
    grid = np.array([0.1 * bmax, 2 * bmax, 0.01 * bmax, bmax, 0.1 * bmax])
    P = q.l1_path(grid)
    assert np.array_equal(P.alphas, grid)
    assert not P.W[1].any() and not P.W[3].any()
    np.testing.assert_array_equal(P.W[0], P.W[4])
    sorted_path = q.l1_path(np.sort(grid)[::-1])
    np.testing.assert_array_equal(sorted_path.W[2], P.W[0])  # order of the caller, same rows
    text = P.render()
    assert "5 points" in text and "KKT viol." in text
    assert P.certified and str(P) == text


def test_alpha1_zero_is_ridge_or_refused() -> None:
    X, y = _design(30, 8, 4)
    q = Quadratic.from_regression(X, y)
    P = q.elastic_net_path([0.0], l2=0.5)
    ridge = q.l2_optimum(0.5)
    mu = float(q.eigenvalues[0]) + 0.5
    assert np.linalg.norm(P.W[0] - ridge) <= math.sqrt(q.d) * P.tolerance[0] / mu + 100 * q.d * EPS * float(
        np.linalg.norm(ridge)
    )
    with pytest.raises(PreconditionError, match="unpenalised least squares"):
        q.l1_path([0.1, 0.0])


def test_float32_rows_are_certified_in_float32() -> None:
    X, y = _design(40, 10, 5)
    q = Quadratic.from_regression(X.astype(np.float32), y.astype(np.float32))
    P = q.elastic_net_path(grid_for(q, 8), l2=0.1)
    assert P.W.dtype == np.float32
    assert_certified(q, P)


def test_indefinite_h_needs_enough_l2() -> None:
    rng = np.random.default_rng(6)
    A = rng.standard_normal((8, 8))
    q = Quadratic((A + A.T) / 2, rng.standard_normal(8), allow_indefinite=True)
    lam = float(q.eigenvalues[0])
    assert lam < 0
    P = q.elastic_net_path([1.0, 0.1], l2=-lam + 0.5)
    assert_certified(q, P)
    r = q.proximal_optimum(l1=0.1, l2=-lam + 0.5, tol=1e-12)
    bound = math.sqrt(q.d) * (P.tolerance[1] + r.kkt_violation) / 0.5 + 100 * q.d * EPS * float(
        np.linalg.norm(r.w)
    )
    assert np.linalg.norm(P.W[1] - r.w) <= bound
    with pytest.raises(PreconditionError, match="positive semidefinite"):
        q.elastic_net_path([0.1], l2=-lam - 0.1)


def test_duplicate_columns_one_of_the_pair_stays_zero() -> None:
    X, y = _design(50, 12, 7)
    X[:, 5] = X[:, 0]
    q = Quadratic.from_regression(X, y)
    P = q.l1_path(grid_for(q, 20))
    assert_certified(q, P)
    assert not np.any((P.W[:, 0] != 0) & (P.W[:, 5] != 0))


def test_errors_name_the_values() -> None:
    X, y = _design(20, 6, 8)
    q = Quadratic.from_regression(X, y)
    with pytest.raises(InputError, match="-0.5"):
        q.l1_path([0.1, -0.5])
    with pytest.raises(InputError, match="empty"):
        q.l1_path([])
    with pytest.raises(InputError, match="nan"):
        q.l1_path([np.nan])
    with pytest.raises(ConvergenceError, match="not certified"):
        q.l1_path([1e-3], tol=1e-30)
    with memory_limit(100), pytest.raises(ResourceError, match="3×6"):
        q.l1_path([0.1, 0.2, 0.3])


def test_bench_quick_runs_and_agrees_with_sklearn(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bench/enet.py --quick`` (a few seconds): every accuracy line passes; its times are not asserted."""
    pytest.importorskip("sklearn")
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "enet.py"
    spec = importlib.util.spec_from_file_location("bench_enet", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    assert module.main(["--quick"]) == 0
    accuracy = [line for line in capsys.readouterr().out.splitlines() if "KKT rel" in line]
    assert len(accuracy) == 4 and all(line.rstrip().endswith("PASS") for line in accuracy)
