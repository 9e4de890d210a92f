"""The Gram route of Quadratic.from_regression (d > n) against the d×d route, method by method.

Both routes decompose the same ``H = XᵀX/n``: the primal one through ``eigh(XᵀX/n)`` (Q d×d), the Gram
one through ``eigh(XXᵀ/n)`` (Q d×r, H = 0 on the complement of range(Q)). Shapes are drawn wide and
tall (``route="gram"`` is accepted for any shape), so each public method is compared where both fit.

Tolerance: every answer is assembled as ``Q f(Λ) Qᵀx`` from one of the two decompositions, so each is
within ``eigenbasis_tolerance(n + d, κ)`` of the truth (theory.numerics), κ = λ_max/λ_min over the
non-zero eigenvalues (the Gram route's eigenvectors ``Xᵀu/√(nμ)`` lose ``eps·λ_max/μ`` of their
orthogonality); their difference is within twice that.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, target
from hypothesis import strategies as st

from theory import Quadratic
from theory.errors import InputError, PreconditionError, ResourceError
from theory.numerics import eigenbasis_tolerance, relative_error
from theory.regression import min_norm_solution
from theory.resources import memory_limit
from theory.testing.strategies import design_with_condition


class Pair:
    """One least-squares problem on both routes, and the tolerance for their agreement."""

    def __init__(self, n: int, d: int, cond: float, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.rng = rng
        self.n, self.d = n, d
        self.X = design_with_condition(rng, n, d, cond)
        self.y = rng.standard_normal(n)
        self.gram = Quadratic.from_regression(self.X, self.y, route="gram")
        self.primal = Quadratic.from_regression(self.X, self.y, route="primal")
        lam = self.primal.eigenvalues
        pos = lam[lam > 0]
        self.r = pos.size
        self.kappa = float(pos[-1] / pos[0])
        self.tol = 2.0 * eigenbasis_tolerance(n + d, self.kappa)
        self.lam_max = float(pos[-1])

    def close(self, got, want, label: str, scale: float | None = None) -> None:
        """Relative error ≤ tol (absolute against ``scale`` when given: for vectors that may be ~0)."""
        if scale is None:
            err = relative_error(got, want)
        else:
            err = float(np.linalg.norm(np.asarray(got) - np.asarray(want))) / scale
        target(err / self.tol, label=label)
        assert err <= self.tol, f"{label}: error {err:.3g} > tolerance {self.tol:.3g} (κ = {self.kappa:.3g})"


@st.composite
def pairs(draw) -> Pair:
    wide = draw(st.booleans())
    n = draw(st.integers(1, 12))
    d = draw(st.integers(n + 1, 3 * n + 4)) if wide else draw(st.integers(1, n))
    cond = 10 ** draw(st.floats(0, 2.5))
    return Pair(n, d, cond, draw(st.integers(0, 2**32 - 1)))


ALPHAS = st.floats(1e-4, 1e2)


@given(pairs(), ALPHAS)
def test_shapes_and_spectrum(p: Pair, alpha):
    g, q = p.gram, p.primal
    assert g.eigenvectors.shape == (p.d, p.r)
    assert g.eigenvalues.shape == (p.r,)
    assert g.rank == q.rank == p.r
    assert g.d == q.d == p.d
    p.close(g.eigenvalues, q.eigenvalues[-p.r :], "eigenvalues")
    assert g.condition_number == q.condition_number or (
        abs(g.condition_number / q.condition_number - 1) <= p.tol
    )
    p.close([g.max_stable_step(alpha)], [q.max_stable_step(alpha)], "max_stable_step")
    p.close(g.shrinkage(alpha), q.shrinkage(alpha)[-p.r :], "shrinkage")
    p.close([g.effective_dof(alpha)], [q.effective_dof(alpha)], "dof")
    p.close([g.effective_dof(0.0)], [q.effective_dof(0.0)], "dof(0)")
    assert ("gram basis" in repr(g)) == (p.r < p.d)


@given(pairs(), st.lists(ALPHAS, min_size=1, max_size=6))
def test_l2_path_and_optimum(p: Pair, alphas):
    g, q = p.gram, p.primal
    p.close(g.l2_path(alphas), q.l2_path(alphas), "l2_path")
    w0 = p.rng.standard_normal(p.d)
    a = alphas[0]
    p.close(g.l2_optimum(a), q.l2_optimum(a), "l2_optimum")
    # the complement part of the center is kept: H = 0 there
    want = q.l2_optimum(a, center=w0)
    # the rounding is relative to the inputs: ‖w0‖ as well as the answer
    scale = float(np.linalg.norm(w0) + np.linalg.norm(want))
    p.close(g.l2_optimum(a, center=w0), want, "l2_optimum(center)", scale)
    p.close([g.constraint_radius(a)], [q.constraint_radius(a)], "constraint_radius")
    p.close([g.constraint_radius(0.0)], [q.constraint_radius(0.0)], "constraint_radius(0)")


@given(pairs())
def test_kernel_identity(p: Pair):
    """w̃(α) = Xᵀ(XXᵀ + nαI)⁻¹y, the kernel form, solved directly.

    The kernel route ends with the product Xᵀz, whose rounding is relative to ‖X‖₂‖z‖, not to ‖Xᵀz‖
    (for tall X, z has a part in null(Xᵀ) that the product cancels); ‖X‖₂ = √(nλ_max).
    """
    a = 0.1
    z = np.linalg.solve(p.X @ p.X.T + p.n * a * np.eye(p.n), p.y)
    scale = float(np.sqrt(p.n * p.lam_max) * np.linalg.norm(z))
    p.close(p.gram.l2_optimum(a), p.X.T @ z, "kernel identity", scale)


@given(pairs(), ALPHAS)
def test_alpha_for_radius(p: Pair, alpha):
    g, q = p.gram, p.primal
    k = g.constraint_radius(alpha)
    if k > 0:
        # an inverse problem: a relative error δ in k(α) moves α by δ/|d log k/d log α|, where
        # d log k/d log α = −Σ_i (α/(λ_i + α))·w̃_i²/k² with w̃_i = b_i/(λ_i + α)
        lam = g.eigenvalues
        wt = g.l2_path([alpha])[0] @ g.eigenvectors
        slope = float(np.sum(alpha / (lam + alpha) * wt**2)) / k**2
        a_g, a_q = g.alpha_for_radius(k), q.alpha_for_radius(k)
        err = abs(a_g - a_q) / a_q
        assert err <= p.tol / slope, f"alpha_for_radius: {err:.3g} > {p.tol:.3g}/{slope:.3g}"


@given(pairs(), st.floats(0.0, 1e1))
def test_generalized_ridge_thin_alpha_vector(p: Pair, slope):
    g, q = p.gram, p.primal
    # α_i a function of λ_i, so the answer does not depend on the basis chosen inside a repeated eigenvalue
    a = 0.3 + slope * g.eigenvalues**2
    # the primal route's d − r zero directions come first (ascending λ); any positive α there keeps the
    # center's part, which is what the thin basis does
    full = np.concatenate([np.full(p.d - p.r, 0.3), a])
    w0 = p.rng.standard_normal(p.d)
    p.close(g.generalized_ridge(a), q.generalized_ridge(full), "generalized_ridge")
    want = q.generalized_ridge(full, center=w0)
    scale = float(np.linalg.norm(w0) + np.linalg.norm(want))
    p.close(g.generalized_ridge(a, center=w0), want, "generalized_ridge(center)", scale)
    with pytest.raises(InputError, match=f"alphas must have length {p.r}"):
        g.generalized_ridge(np.ones(p.r + 1))


@given(pairs(), st.floats(0.05, 1.9), st.sampled_from([0.0, 0.01, 0.3]))
def test_gd_methods(p: Pair, step, alpha):
    g, q = p.gram, p.primal
    eps = step / (p.lam_max + alpha)
    taus = [0, 1, 3, 20]
    w0 = p.rng.standard_normal(p.d)
    scale = float(np.linalg.norm(w0)) + float(np.linalg.norm(q.l2_path([max(alpha, 1e-3)])))
    p.close(g.gd_iterates(eps, taus, w0, alpha), q.gd_iterates(eps, taus, w0, alpha), "gd_iterates", scale)
    p.close(
        g.gd_iterates(eps, taus, None, alpha), q.gd_iterates(eps, taus, None, alpha), "gd_iterates(0)", scale
    )
    p.close(g.simulate_gd(eps, taus, w0, alpha), q.gd_iterates(eps, taus, w0, alpha), "simulate_gd", scale)
    times = [0.0, 0.5, 4.0]
    p.close(g.gradient_flow(times, w0, alpha), q.gradient_flow(times, w0, alpha), "gradient_flow", scale)
    p.close(g.gd_limit(eps, w0, alpha), q.gd_limit(eps, w0, alpha), "gd_limit", scale)


@given(pairs())
def test_value_gradient_and_w_star(p: Pair):
    g, q = p.gram, p.primal
    w = p.rng.standard_normal(p.d)
    # ½(w − w*)ᵀH(w − w*) cancels in w − w*: its rounding is relative to ½λ_max(‖w‖ + ‖w*‖)²
    scale = p.lam_max * (float(np.linalg.norm(w)) + float(np.linalg.norm(q.w_star)))
    p.close([g.value(w)], [q.value(w)], "value", 0.5 * scale * (scale / p.lam_max))
    # and against the data: (1/2n)(‖Xw − y‖² − ‖Xw* − y‖²), rounded relative to (‖X‖(‖w‖ + ‖w*‖) + ‖y‖)²/2n
    res, res_star = p.X @ w - p.y, p.X @ q.w_star - p.y
    data = (res @ res - res_star @ res_star) / (2 * p.n)
    norm_x = np.sqrt(p.n * p.lam_max)
    size = (norm_x * (np.linalg.norm(w) + np.linalg.norm(q.w_star)) + np.linalg.norm(p.y)) ** 2
    p.close([g.value(w)], [data], "value vs data", float(size) / (2 * p.n))
    p.close(g.gradient(w), q.gradient(w), "gradient", scale)
    # the exact value and gradient of (1/2n)‖Xw − y‖², up to its constant at w*
    r = p.X @ w - p.y
    p.close(g.gradient(w), p.X.T @ r / p.n, "gradient vs data", scale)
    np.testing.assert_array_equal(g.w_star, min_norm_solution(p.X, p.y))
    p.close(g.coordinates, g.eigenvectors.T @ g.w_star, "coordinates")


@given(pairs(), st.integers(1, 30))
def test_early_stopping_on_the_thin_basis(p: Pair, tau):
    g, q = p.gram, p.primal
    eps = 0.5 / p.lam_max
    ag = g.early_stopping_alpha(eps, tau)
    p.close(ag, q.early_stopping_alpha(eps, tau)[-p.r :], "early_stopping_alpha")
    # es.equivalence on the thin basis: generalized ridge with these α is the GD iterate from 0
    p.close(g.generalized_ridge(ag), g.gd_iterates(eps, tau)[0], "es.equivalence (gram)")
    # 1/(ετ) − λ(τ + 1)/(2τ) may cancel: the rounding is relative to its two terms
    scale = 1.0 / (eps * tau) + p.lam_max
    series = q.early_stopping_alpha_series(eps, tau)[-p.r :]
    p.close(g.early_stopping_alpha_series(eps, tau), series, "series", scale)


def test_h_on_the_gram_route_is_formed_on_request_under_the_limit():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((5, 300)), rng.standard_normal(5)
    g = Quadratic.from_regression(X, y)
    with memory_limit("512KiB"), pytest.raises(ResourceError, match=r"300×300.*without H"):
        g.H  # noqa: B018
    np.testing.assert_allclose(
        g.H, X.T @ X / 5, rtol=0, atol=eigenbasis_tolerance(305, 1.0) * g.eigenvalues[-1]
    )


def test_wide_problem_never_forms_a_d_by_d_matrix():
    """d = 50,000, n = 6: H would be 18.6 GiB; everything runs under a 64 MiB limit."""
    rng = np.random.default_rng(2)
    n, d = 6, 50_000
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    with memory_limit("64MiB"):
        q = Quadratic.from_regression(X, y)
        path = q.l2_path(np.logspace(-3, 1, 20))
        w = q.gd_iterates(0.5 / q.eigenvalues[-1], [1, 10], rng.standard_normal(d), alpha=0.1)
        q.gradient(w[-1])
        q.value(w[-1])
        q.proximal_optimum(l2=0.5)
    assert path.shape == (20, d) and w.shape == (2, d)
    kernel = X.T @ np.linalg.solve(X @ X.T + n * 1e-3 * np.eye(n), y)
    assert relative_error(path[0], kernel) <= 2 * eigenbasis_tolerance(
        n + d, float(q.eigenvalues[-1] / q.eigenvalues[0])
    )


def test_primal_route_on_wide_data_is_refused_and_points_to_the_gram_route():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((10, 2000)), rng.standard_normal(10)
    with memory_limit("64MiB"):
        with pytest.raises(ResourceError, match=r"2000×2000.*needs 91.6 MiB.*route='gram'"):
            Quadratic.from_regression(X, y, route="primal")
        assert Quadratic.from_regression(X, y).rank == 10


def test_empty_rank_gram_basis():
    """X = 0: no stored direction; every method still answers (H = 0 everywhere)."""
    X, y = np.zeros((3, 7)), np.ones(3)
    q = Quadratic.from_regression(X, y)
    assert q.rank == 0 and q.eigenvectors.shape == (7, 0)
    assert not q.l2_path([0.1, 1.0]).any()  # an empty sum over stored directions: exactly 0
    w0 = np.arange(7.0)
    np.testing.assert_allclose(
        q.gd_iterates(0.1, [2], w0, alpha=1.0)[0], 0.9**2 * w0, rtol=4 * np.finfo(float).eps
    )
    assert q.max_stable_step() == np.inf
    with pytest.raises(PreconditionError):
        q.l2_optimum(0.0)
