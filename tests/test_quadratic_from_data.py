"""Quadratic.from_regression: one eigendecomposition, no SVD unless w* is asked for, the expert route's
memory, and the memory guard before every allocation that grows with the problem."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.linalg

import theory.regression as reg
from theory import Quadratic
from theory.bayes import gaussian_posterior
from theory.errors import ResourceError
from theory.numerics import eigenbasis_tolerance, relative_error
from theory.regression import gd_least_squares_limit, min_norm_solution, ridge
from theory.resources import memory_limit
from theory.testing.strategies import design_with_condition


def _no_svd(*args, **kwargs):
    raise AssertionError("an SVD was taken")


def test_path_methods_take_no_svd_and_w_star_is_lazy(monkeypatch):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 15)), rng.standard_normal(40)
    monkeypatch.setattr(reg, "_svd", _no_svd)
    monkeypatch.setattr(scipy.linalg, "svd", _no_svd)
    q = Quadratic.from_regression(X, y)
    q.l2_path([0.1, 1.0])
    q.l2_optimum(0.5, center=np.ones(15))
    q.constraint_radius(0.3)
    q.alpha_for_radius(0.5 * q.constraint_radius(0.0))
    q.gd_iterates(0.1, [0, 5], np.ones(15), alpha=0.2)
    q.gd_iterates(0.1, [0, 5])
    q.gradient_flow([1.0])
    q.gd_limit(0.1)
    q.value(np.ones(15))
    q.gradient(np.ones(15))
    q.early_stopping_alpha(0.1, 3)
    with pytest.raises(AssertionError, match="an SVD was taken"):
        q.w_star  # noqa: B018  (only now: the minimum-norm solution needs X⁺)


@pytest.mark.parametrize(
    ("n", "d", "cond", "repeat"), [(60, 20, 1e6, 0), (12, 20, 1e6, 0), (30, 30, 1e7, 0), (60, 20, 1e3, 6)]
)
def test_same_answers_as_the_explicit_route_on_ill_conditioned_x(n, d, cond, repeat):
    """The old construction, Quadratic(XᵀX/n, X⁺y), and the one-eigh one agree.

    b = Qᵀ(Xᵀy/n) replaces λ·Qᵀ(X⁺y); the two differ by the rounding of X⁺y along each direction,
    eps·κ(X) relative to ‖w*‖ (Higham §20.1, least squares), amplified by at most the ridge factor 1;
    hence eigenbasis_tolerance(n + d, κ(X)) relative to ‖w̃(0⁺)‖ = ‖w*‖, κ(X) over the singular
    values NumPy's rank rule keeps. ``repeat`` columns are copies of others: X is rank-deficient and
    w* has a null space to stay out of.
    """
    rng = np.random.default_rng(int(cond) % 97 + n)
    X = design_with_condition(rng, n, d, cond)
    if repeat:
        X[:, -repeat:] = X[:, :repeat]
    s = scipy.linalg.svdvals(X)
    kept = s[s > max(n, d) * np.finfo(float).eps * s[0]]
    assert kept.size == min(n, d) - repeat
    y = rng.standard_normal(n)
    new = Quadratic.from_regression(X, y)
    old = Quadratic(X.T @ X / n, min_norm_solution(X, y))
    np.testing.assert_array_equal(new.w_star, min_norm_solution(X, y))
    alphas = np.logspace(-8, 2, 11)
    scale = float(np.linalg.norm(new.w_star))
    tol = eigenbasis_tolerance(n + d, float(kept[0] / kept[-1]))
    err = float(np.max(np.linalg.norm(new.l2_path(alphas) - old.l2_path(alphas), axis=1))) / scale
    assert err <= tol, (err, tol)
    assert relative_error(new.coordinates, new.eigenvectors.T @ new.w_star) <= eigenbasis_tolerance(d)


def _expert(X, y, alphas):
    n = X.shape[0]
    H = X.T @ X / n
    lam, Q = scipy.linalg.eigh(H)
    b = Q.T @ (X.T @ y / n)
    return (b / (lam + alphas[:, None])) @ Q.T


def _peak(f, *args):
    tracemalloc.start()
    try:
        f(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_within_the_expert_route():
    """The goal of issue 10: at most 1.2× the peak of H = XᵀX/n; eigh(H); one product.

    Deterministic (tracemalloc counts NumPy's allocations, LAPACK workspaces included): the expert
    route holds H, eigh's copy and its eigenvectors (3d²); keeping H besides the in-place decomposition
    would be 4d², 1.33×.
    """
    rng = np.random.default_rng(1)
    n, d = 800, 400
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    alphas = np.logspace(-3, 1, 20)
    np.testing.assert_allclose(
        Quadratic.from_regression(X, y).l2_path(alphas), _expert(X, y, alphas), rtol=0, atol=1e-12
    )
    ours = _peak(lambda: Quadratic.from_regression(X, y).l2_path(alphas))
    expert = _peak(_expert, X, y, alphas)
    assert ours <= 1.2 * expert, (ours, expert)


# ---------------------------------------------------------------- the memory guard, at 1 MiB


def _guarded_calls():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((400, 300)), rng.standard_normal(400)  # 960 KiB: fits, its SVD does not
    small = Quadratic(np.eye(50), np.ones(50))
    many = np.linspace(0.1, 1.0, 4000)  # 4000 × 50 float64 = 1.5 MiB
    steps = np.arange(4000)
    return {
        "Quadratic(H, w*)": (lambda: Quadratic(np.eye(200), np.ones(200)), r"200×200.*needs 1.22 MiB"),
        "from_regression": (lambda: Quadratic.from_regression(X, y), r"300×300.*needs 2.1 MiB"),
        "l2_path": (lambda: small.l2_path(many), r"l2_path: 4000 points × 50 weights.*needs 3.05 MiB"),
        "gd_iterates": (lambda: small.gd_iterates(0.1, steps), r"trajectory: 4000 points.*needs 6.2 MiB"),
        "gradient_flow": (lambda: small.gradient_flow(many), r"gradient_flow: 4000 points.*needs 6.2 MiB"),
        "ridge": (lambda: ridge(X, y, 0.1), r"ridge: the thin SVD of X \(400×300.*needs"),
        "min_norm_solution": (lambda: min_norm_solution(X, y), r"min_norm_solution: the thin SVD.*needs"),
        "gd_least_squares_limit": (lambda: gd_least_squares_limit(X, y), r"thin SVD.*needs"),
        "gaussian_posterior": (lambda: gaussian_posterior(X, y, 1.0, 1.0), r"300×300 covariance Σ needs 3"),
    }


@pytest.mark.parametrize("name", list(_guarded_calls()))
def test_each_guard_refuses_above_the_limit_and_works_at_the_default(name):
    call, pattern = _guarded_calls()[name]
    with memory_limit("1MiB"), pytest.raises(ResourceError, match=pattern):
        call()
    call()  # the default limit (4 GiB) lets it through


def test_dense_hessian_guard():
    torch = pytest.importorskip("torch")
    from theory.empirical.curvature import dense_hessian

    model = torch.nn.Linear(30, 10).double()  # 310 parameters: 3 · 310² · 8 B = 2.2 MiB
    x, t = torch.randn(4, 30, dtype=torch.float64), torch.randn(4, 10, dtype=torch.float64)
    loss = torch.nn.functional.mse_loss
    with memory_limit("1MiB"), pytest.raises(ResourceError, match=r"dense_hessian \(310²\) needs 2.2 MiB"):
        dense_hessian(model, loss, x, t)
    assert dense_hessian(model, loss, x, t).shape == (310, 310)
