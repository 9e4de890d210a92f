"""Quadratic's closed forms against exact arithmetic on a rotated 2×2 Hessian with known eigenpairs.

``H = R diag(1, 4) Rᵀ`` with the rational rotation ``R = [[3/5, −4/5], [4/5, 3/5]]``: H is rational,
its eigenvalues are 1 and 4 and its eigenvectors the columns of R, so every formula of the class
(ridge, generalized ridge, GD iterates, early-stopping penalties, gradient flow) has an exact value
computed here with ``fractions.Fraction`` (or mpmath's matrix exponential), by a route that shares
no code with ``theory.quadratic`` (no eigensolver: the eigenpairs are known by construction). H is
not diagonal, so a formula that confuses Q with Qᵀ fails. Tolerances: the float H differs from the
rational one by rounding, which moves a result by ``κ·d·eps`` relative (``residual_tolerance``).
These tests came from mutation testing (``python bench/mutation.py``).
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

from theory import ConvergenceError, PreconditionError, Quadratic
from theory.numerics import relative_error, residual_tolerance

EPS = float(np.finfo(np.float64).eps)
R = [[F(3, 5), F(-4, 5)], [F(4, 5), F(3, 5)]]  # columns: eigenvectors of λ = 1 and λ = 4
LAM = [F(1), F(4)]
H = [[sum(R[i][k] * LAM[k] * R[j][k] for k in range(2)) for j in range(2)] for i in range(2)]
W_STAR = [F(1), F(2)]
KAPPA = 4.0
TOL = residual_tolerance(2, KAPPA)

Vec = list[F]
Mat = list[list[F]]


def _mv(A: Mat, x: Vec) -> Vec:
    return [sum((a * b for a, b in zip(row, x, strict=True)), F(0)) for row in A]


def _solve(A: Mat, b: Vec) -> Vec:
    det = A[0][0] * A[1][1] - A[0][1] * A[1][0]
    return [(b[0] * A[1][1] - A[0][1] * b[1]) / det, (A[0][0] * b[1] - b[0] * A[1][0]) / det]


def _shift(A: Mat, a: F) -> Mat:
    return [[A[i][j] + (a if i == j else 0) for j in range(2)] for i in range(2)]


def _eig_coords(x: Vec) -> Vec:
    """Rᵀx: coordinates along the eigenvectors (λ ascending)."""
    return [R[0][k] * x[0] + R[1][k] * x[1] for k in range(2)]


def _from_coords(z: Vec) -> Vec:
    return [R[i][0] * z[0] + R[i][1] * z[1] for i in range(2)]


def _f(x: object) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _q(**kw: object) -> Quadratic:
    return Quadratic(_f(H), _f(W_STAR), **kw)  # type: ignore[arg-type]


def _close(actual: object, exact: object, tol: float = TOL) -> bool:
    return relative_error(_f(actual), _f(exact)) <= tol


# ---------------------------------------------------------------- the object itself


def test_eigenpairs_properties_value_gradient():
    q = _q()
    assert q.d == 2 and q.rank == 2 and q.dtype == np.float64
    assert _close(q.eigenvalues, LAM)
    assert q.condition_number == pytest.approx(KAPPA, rel=TOL, abs=0)
    # eigenvectors up to sign, and w* along them
    Q = q.eigenvectors
    for k in range(2):
        col = _f([R[0][k], R[1][k]])
        assert min(relative_error(Q[:, k], col), relative_error(Q[:, k], -col)) <= TOL
    assert _close(np.abs(q.coordinates), np.abs(_f(_eig_coords(W_STAR))))
    assert _close(q.H, H) and np.array_equal(q.H, q.H.T)
    assert np.array_equal(q.w_star, _f(W_STAR))
    # J(w) − J(w*) = ½(w − w*)ᵀH(w − w*) and ∇J = H(w − w*), at w = [3, −1]
    w = [F(3), F(-1)]
    dw = [a - b for a, b in zip(w, W_STAR, strict=True)]
    Hdw = _mv(H, dw)
    assert q.value(_f(w)) == pytest.approx(
        float(F(1, 2) * sum(a * b for a, b in zip(dw, Hdw, strict=True))), rel=TOL, abs=0
    )
    assert _close(q.gradient(_f(w)), Hdw)
    assert q.value(_f(W_STAR)) == 0.0


def test_repr_names_the_extreme_eigenvalues_and_w_star():
    assert repr(Quadratic(np.diag([4.0, 1.0, 2.0]), [1.0, 1.0, 1.0])) == (
        "Quadratic(d=3, rank=3, λ ∈ [1, 4], w*=[1., 1., 1.], dtype=float64)"
    )
    assert repr(Quadratic(np.diag([0.0, 2.0, 3.0]), [0.0, 1.0, 1.0], dtype=np.float32)) == (
        "Quadratic(d=3, rank=2, λ ∈ [0, 3], w*=[0., 1., 1.], dtype=float32)"
    )


def test_condition_number_of_singular_and_indefinite_h_is_inf():
    assert Quadratic(np.diag([0.0, 2.0]), [0.0, 1.0]).condition_number == math.inf
    assert Quadratic(np.diag([-1.0, 2.0]), [0.0, 1.0], allow_indefinite=True).condition_number == math.inf


def test_float32_inputs_stay_float32():
    q = Quadratic(_f(H).astype(np.float32), _f(W_STAR).astype(np.float32))
    assert q.dtype == np.float32 and q.eigenvalues.dtype == np.float32
    for result in (
        q.l2_optimum(1.0),
        q.l2_path([1.0, 2.0]),
        q.generalized_ridge([1.0, 2.0]),  # float64 penalties, float32 problem
        q.gradient_flow([0.5, 1.0]),
        q.gd_iterates(0.1, [1, 2]),
        q.shrinkage(1.0),
    ):
        assert result.dtype == np.float32
    exact = _solve(_shift(H, F(1)), _mv(H, W_STAR))
    assert relative_error(q.generalized_ridge(np.array([1.0, 1.0])), _f(exact)) <= residual_tolerance(
        2, KAPPA, np.float32
    )
    assert relative_error(q.eigenvalues, _f(LAM)) <= residual_tolerance(2, KAPPA, np.float32)


# ---------------------------------------------------------------- L2


@pytest.mark.parametrize("alpha", [F(0), F(1, 2), F(3)])
def test_l2_optimum_path_shrinkage_dof_radius_exact(alpha):
    q = _q()
    exact = _solve(_shift(H, alpha), _mv(H, W_STAR))  # (H + αI)⁻¹Hw*
    assert _close(q.l2_optimum(float(alpha)), exact)
    path = q.l2_path([float(alpha), 2.0])
    assert path.shape == (2, 2)
    assert _close(path[0], exact)
    assert _close(path[1], _solve(_shift(H, F(2)), _mv(H, W_STAR)))
    shrink = [lam / (lam + alpha) for lam in LAM]
    assert _close(q.shrinkage(float(alpha)), shrink)
    assert q.effective_dof(float(alpha)) == pytest.approx(float(sum(shrink)), rel=TOL, abs=0)
    radius = math.sqrt(sum(float(x) ** 2 for x in exact))
    assert q.constraint_radius(float(alpha)) == pytest.approx(radius, rel=TOL, abs=0)


def test_l2_optimum_with_centre_exact():
    """(H + αI)⁻¹(Hw* + αw₀): the penalty (α/2)‖w − w₀‖² (es.nonzero_init)."""
    alpha, w0 = F(2), [F(-1), F(3)]
    rhs = [a + alpha * b for a, b in zip(_mv(H, W_STAR), w0, strict=True)]
    assert _close(_q().l2_optimum(2.0, center=_f(w0)), _solve(_shift(H, alpha), rhs))


def test_path_on_singular_h_needs_every_alpha_positive():
    q = Quadratic(np.diag([0.0, 2.0]), [0.0, 1.0])
    assert _close(q.l2_path([1.0, 2.0]), [[0.0, 2 / 3], [0.0, 0.5]], 4 * EPS)
    with pytest.raises(
        PreconditionError, match=r"^l2\.optimum needs H \+ αI positive definite; smallest eigenvalue"
    ):
        q.l2_path([0.0, 1.0])  # the smallest α decides


def test_shrinkage_at_zero_on_singular_h_projects_onto_the_range():
    q = Quadratic(np.diag([0.0, 2.0]), [0.0, 1.0])
    np.testing.assert_array_equal(q.shrinkage(0.0), [0.0, 1.0])
    assert q.effective_dof(0.0) == 1.0
    assert q.shrinkage(2.0) == pytest.approx([0.0, 0.5], abs=EPS)


def test_alpha_for_radius_round_trip_and_inactive_constraint():
    """k(α) = ‖w̃(α)‖ inverted; Brent stops at 4 eps relative in α, and rounding of k(α) (a few eps)
    is amplified by |d log α / d log k| = k²/Σ αλ²c²/(λ + α)³ (2.6 at α = 1 here)."""
    q = _q()
    c = _eig_coords(W_STAR)
    for alpha in (F(1, 10), F(1), F(7)):
        radius = math.sqrt(sum(float(lam * ci / (lam + alpha)) ** 2 for lam, ci in zip(LAM, c, strict=True)))
        slope = (
            float(sum(alpha * lam**2 * ci**2 / (lam + alpha) ** 3 for lam, ci in zip(LAM, c, strict=True)))
            / radius**2
        )
        assert q.alpha_for_radius(radius) == pytest.approx(
            float(alpha), rel=residual_tolerance(2, 1 / slope), abs=0
        )
    assert q.alpha_for_radius(q.constraint_radius(0.0)) == 0.0
    assert q.alpha_for_radius(10.0) == 0.0


@pytest.mark.parametrize("center", [None, [F(2), F(-1)]])
def test_generalized_ridge_exact(center):
    """w = Q(Λ + A)⁻¹(ΛQᵀw* + AQᵀw₀), per eigendirection (ascending λ)."""
    alphas = [F(3), F(1, 2)]
    c = _eig_coords(W_STAR)
    c0 = _eig_coords(center) if center is not None else [F(0), F(0)]
    z = [(lam * ci + a * ci0) / (lam + a) for lam, ci, a, ci0 in zip(LAM, c, alphas, c0, strict=True)]
    got = _q().generalized_ridge(_f(alphas), center=None if center is None else _f(center))
    assert _close(got, _from_coords(z))


# ---------------------------------------------------------------- gradient descent and flow


def _gd_exact(eps: F, tau: int, w0: Vec, alpha: F) -> Vec:
    w = list(w0)
    for _ in range(tau):
        g = _mv(H, [a - b for a, b in zip(w, W_STAR, strict=True)])
        w = [wi - eps * (gi + alpha * wi) for wi, gi in zip(w, g, strict=True)]
    return w


@pytest.mark.parametrize(
    ("alpha", "w0"), [(F(0), None), (F(1, 2), None), (F(0), [F(2), F(-3)]), (F(3, 2), [F(2), F(-3)])]
)
def test_gd_iterates_loop_and_limit_exact(alpha, w0):
    """w⁽τ⁾ − w̃ = (I − ε(H + αI))^τ(w⁽⁰⁾ − w̃) (es.trajectory), against the loop in exact arithmetic."""
    q = _q()
    eps, taus = F(1, 10), [0, 1, 2, 7]
    start = w0 if w0 is not None else [F(0), F(0)]
    kw = {"w0": None if w0 is None else _f(w0), "alpha": float(alpha)}
    closed = q.gd_iterates(float(eps), taus, **kw)
    loop = q.simulate_gd(float(eps), taus, **kw)
    assert closed.shape == loop.shape == (4, 2)
    for row_c, row_l, tau in zip(closed, loop, taus, strict=True):
        exact = _gd_exact(eps, tau, start, alpha)
        # each step multiplies the error by a factor of norm < 1 and adds a few roundings
        tol = residual_tolerance(2, KAPPA) * (1 + tau)
        assert _close(row_c, exact, tol) and _close(row_l, exact, tol)
    fixed = W_STAR if alpha == 0 else _solve(_shift(H, alpha), _mv(H, W_STAR))
    assert _close(q.gd_limit(float(eps), **kw), fixed)  # type: ignore[arg-type]


def test_gd_limit_keeps_the_null_space_part_of_the_start():
    q = Quadratic(np.diag([0.0, 4.0]), [0.0, 2.0])
    assert _close(q.gd_limit(0.1, w0=[3.0, -5.0]), [3.0, 2.0], EPS)
    assert _close(q.gd_limit(0.1), [0.0, 2.0], EPS)
    assert _close(q.gd_limit(0.1, w0=[3.0, -5.0], alpha=4.0), [0.0, 1.0], 4 * EPS)


def test_max_stable_step_exact():
    q = _q()
    assert q.max_stable_step() == pytest.approx(0.5, rel=TOL, abs=0)
    assert q.max_stable_step(1.0) == pytest.approx(0.4, rel=TOL, abs=0)


@pytest.mark.parametrize(("alpha", "w0"), [(0.0, None), (0.5, None), (0.0, [2.0, -3.0]), (1.5, [2.0, -3.0])])
def test_gradient_flow_against_mpmath_expm(alpha, w0):
    """w(t) = w̃ + e^{−t(H + αI)}(w⁽⁰⁾ − w̃), with the matrix exponential in 30-digit arithmetic."""
    q = _q()
    mpmath.mp.dps = 30
    Hm = mpmath.matrix([[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in H])
    A = Hm + alpha * mpmath.eye(2)
    ws = mpmath.matrix([float(x) for x in W_STAR])
    fixed = ws if alpha == 0 else mpmath.lu_solve(A, Hm * ws)
    start = mpmath.matrix(w0 if w0 is not None else [0.0, 0.0])
    times = [0.0, 0.3, 2.0]
    got = q.gradient_flow(times, w0=w0, alpha=alpha)
    assert got.shape == (3, 2)
    for row, t in zip(got, times, strict=True):
        exact = _f([float(x) for x in fixed + mpmath.expm(-t * A) * (start - fixed)])
        # relative to the terms (from 0 at t = 0 the result is 0 while w̃ is not)
        scale = float(mpmath.norm(fixed)) + float(mpmath.norm(start))
        assert np.linalg.norm(row - exact) <= TOL * scale
    assert _close(q.gradient_flow(0.3, w0=w0, alpha=alpha)[0], got[1], EPS)


# ---------------------------------------------------------------- early stopping ⇔ L2


def test_early_stopping_alpha_series_and_error_exact():
    """α_i = λ(1 − ελ)^τ/(1 − (1 − ελ)^τ); series 1/(ετ) − λ(τ + 1)/(2τ); error |1/(ετ) − α_i|/α_i."""
    q = _q()
    eps, tau = F(1, 10), 3
    exact = [lam * (1 - eps * lam) ** tau / (1 - (1 - eps * lam) ** tau) for lam in LAM]
    series = [1 / (eps * tau) - lam * (tau + 1) / (2 * tau) for lam in LAM]
    errors = [abs(1 / (eps * tau) - a) / a for a in exact]
    # expm1/log1p of ελ, then a quotient: a few eps, times the conditioning of 1 − (1 − ελ)^τ (≤ τ)
    tol = residual_tolerance(2, tau)
    assert _close(q.early_stopping_alpha(0.1, tau), exact, tol)
    assert _close(q.early_stopping_alpha_series(0.1, tau), series, tol)
    assert _close(q.early_stopping_approx_error(0.1, tau), errors, 10 * tol)
    # with these penalties, generalized ridge is the GD iterate (es.equivalence)
    assert _close(
        q.generalized_ridge(q.early_stopping_alpha(0.1, tau)), _gd_exact(eps, tau, [F(0)] * 2, F(0)), tol
    )


def test_early_stopping_alpha_of_a_zero_eigenvalue_is_its_limit():
    q = Quadratic(np.diag([0.0, 4.0]), [1.0, 1.0])
    alphas = q.early_stopping_alpha(0.1, 4)
    assert alphas[0] == pytest.approx(1 / (0.1 * 4), rel=4 * EPS, abs=0)
    assert alphas[1] == pytest.approx(4 * 0.6**4 / (1 - 0.6**4), rel=residual_tolerance(2, 4), abs=0)


# ---------------------------------------------------------------- L1 and elastic net (diagonal H)


def test_soft_threshold_exact():
    """w_i = sign(w*_i) max(|w*_i| − α/H_ii, 0) with H = diag(1, 4), w* = [2, −1]."""
    q = Quadratic(np.diag([1.0, 4.0]), [2.0, -1.0])
    np.testing.assert_array_equal(q.l1_optimum(1.0), [1.0, -0.75])
    np.testing.assert_array_equal(q.l1_optimum(3.0), [0.0, -0.25])
    np.testing.assert_array_equal(q.l1_optimum(5.0), [0.0, 0.0])
    np.testing.assert_array_equal(q.l1_optimum(0.0), [2.0, -1.0])


def test_elastic_net_exact_and_proximal_agrees():
    """w_i = sign(w*_i) max(H_ii|w*_i| − α₁, 0)/(H_ii + α₂) for H_ii > 0 (enet.diagonal)."""
    q = Quadratic(np.diag([1.0, 4.0]), [2.0, -1.0])
    assert _close(q.elastic_net_optimum(1.0, 1.0), [0.5, -0.6], 4 * EPS)
    assert _close(q.elastic_net_optimum(3.0, 0.5), [0.0, -1 / 4.5], 4 * EPS)
    res = q.proximal_optimum(l1=1.0, l2=1.0)
    # strongly convex with μ = min H_ii + α₂ = 2: ‖w − w_opt‖ ≤ √d·(KKT violation)/μ, plus rounding
    assert res.kkt_violation <= res.tolerance and res.iterations >= 1
    assert np.linalg.norm(res.w - [0.5, -0.6]) <= math.sqrt(2) * res.tolerance / 2 + 8 * EPS
    assert res.tolerance == pytest.approx(1000 * 2 * EPS * 4.0, rel=EPS, abs=0)  # 1000·d·eps·max(‖Hw*‖∞, α₁)


def test_proximal_defaults_tolerance_scale_and_constant_objective():
    """l1 defaults to 0 (ridge); the KKT tolerance is 1000·d·eps(dtype)·max(‖Hw*‖∞, α₁, tiny); for H = 0 and
    α₂ = 0 the objective is α₁‖w‖₁ alone, minimised at 0 without iterating."""
    q = Quadratic(np.diag([1.0, 4.0]), [2.0, -1.0])
    ridge = q.proximal_optimum(l2=1.0)
    assert np.linalg.norm(ridge.w - [1.0, -0.8]) <= math.sqrt(2) * ridge.tolerance / 2 + 8 * EPS
    big_l1 = q.proximal_optimum(l1=10.0)  # α₁ = 10 > ‖Hw*‖∞ = 4 sets the scale; w = 0
    assert big_l1.tolerance == pytest.approx(1000 * 2 * EPS * 10.0, rel=EPS, abs=0)
    np.testing.assert_array_equal(big_l1.w, [0.0, 0.0])
    at_zero = Quadratic(np.diag([1.0, 4.0]), [0.0, 0.0]).proximal_optimum(l2=1.0)
    assert at_zero.tolerance == 1000 * 2 * EPS * np.finfo(np.float64).tiny
    np.testing.assert_array_equal(at_zero.w, [0.0, 0.0])
    q32 = Quadratic(np.diag([1.0, 4.0]).astype(np.float32), np.array([2.0, -1.0], dtype=np.float32))
    res32 = q32.proximal_optimum(l1=1.0, l2=1.0)
    e32 = float(np.finfo(np.float32).eps)
    assert res32.tolerance == pytest.approx(1000 * 2 * e32 * 4.0, rel=e32, abs=0)
    assert np.linalg.norm(res32.w - [0.5, -0.6]) <= math.sqrt(2) * res32.tolerance / 2 + 8 * e32
    flat = Quadratic(np.zeros((2, 2)), [1.0, 2.0]).proximal_optimum(l1=1.0)
    np.testing.assert_array_equal(flat.w, [0.0, 0.0])
    assert flat.w.shape == (2,) and flat.iterations == 0 and flat.kkt_violation == 0.0
    assert flat.tolerance == 1000 * 2 * EPS * 1.0


def test_proximal_on_a_rotated_h_satisfies_the_optimality_conditions():
    """On the non-diagonal H: −∇f(w)_i ∈ α₁∂|w_i| at the returned w, to the reported tolerance."""
    q = _q()
    res = q.proximal_optimum(l1=0.5, l2=0.25)
    g = q.H @ (res.w - q.w_star) + 0.25 * res.w
    viol = np.where(res.w != 0, np.abs(g + 0.5 * np.sign(res.w)), np.maximum(np.abs(g) - 0.5, 0.0))
    assert float(np.max(viol)) == pytest.approx(res.kkt_violation, abs=8 * EPS * 8)
    assert res.kkt_violation <= res.tolerance

    # and it is the minimiser: no coordinate step improves the objective
    def objective(w: np.ndarray) -> float:
        return q.value(w) + 0.5 * float(np.sum(np.abs(w))) + 0.125 * float(w @ w)

    base = objective(res.w)
    for i in range(2):
        for step in (1e-4, -1e-4):
            w = res.w.copy()
            w[i] += step
            assert objective(w) >= base - 1e-12


# ---------------------------------------------------------------- guards that name their theorem


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda q: q.l2_optimum(-1.0), "l2.optimum: alpha must be ≥ 0; got alpha = -1.0"),
        (lambda q: q.shrinkage(-1.0), "l2.eigen: alpha must be ≥ 0; got alpha = -1.0"),
        (lambda q: q.l2_path([0.0, -2.0]), "l2.optimum: alpha must be ≥ 0; got alpha = -2.0"),
        (lambda q: q.alpha_for_radius(0.0), "l2.constraint: radius must be > 0; got radius = 0.0"),
        (lambda q: q.l1_optimum(-1.0), "l1.soft_threshold: alpha must be ≥ 0; got alpha = -1.0"),
        (lambda q: q.elastic_net_optimum(-1.0, 0.0), "enet.diagonal: l1 must be ≥ 0; got l1 = -1.0"),
        (lambda q: q.elastic_net_optimum(0.0, -1.0), "enet.diagonal: l2 must be ≥ 0; got l2 = -1.0"),
        (lambda q: q.proximal_optimum(l1=-1.0), "proximal_optimum: l1 must be ≥ 0; got l1 = -1.0"),
        (lambda q: q.proximal_optimum(l2=-1.0), "proximal_optimum: l2 must be ≥ 0; got l2 = -1.0"),
        (lambda q: q.proximal_optimum(tol=0.0), "tol must be > 0; got tol = 0.0"),
        (lambda q: q.max_stable_step(-1.0), "gd.stability: alpha must be ≥ 0; got alpha = -1.0"),
        (lambda q: q.gd_iterates(0.0, [1]), "es.trajectory: eps must be > 0; got eps = 0.0"),
        (lambda q: q.gd_iterates(0.1, [1], alpha=-1.0), "es.trajectory: alpha must be ≥ 0; got alpha = -1.0"),
        (lambda q: q.gradient_flow([1.0], alpha=-1.0), "es.trajectory: alpha must be ≥ 0; got alpha = -1.0"),
        (lambda q: q.gradient_flow([0.0, -0.5]), "gradient flow needs t ≥ 0; got t = -0.5"),
        (lambda q: q.simulate_gd(0.0, [1]), "l2.update: eps must be > 0; got eps = 0.0"),
        (lambda q: q.simulate_gd(0.1, [1], alpha=-1.0), "l2.update: alpha must be ≥ 0; got alpha = -1.0"),
        (lambda q: q.gd_limit(0.0), "gd.stability: eps must be > 0; got eps = 0.0"),
        (lambda q: q.gd_limit(0.1, alpha=-1.0), "gd.stability: alpha must be ≥ 0; got alpha = -1.0"),
        (lambda q: q.early_stopping_alpha(0.0, 1), "es.equivalence: eps must be > 0; got eps = 0.0"),
        (
            lambda q: q.early_stopping_alpha(0.1, [1, 2]),
            "es.equivalence: tau must be one step count; got 2 values",
        ),
        (
            lambda q: q.early_stopping_alpha(0.1, 0),
            "es.equivalence needs τ ≥ 1 (at τ = 0 the equivalent α is ∞); got τ = 0",
        ),
        (
            lambda q: q.early_stopping_alpha_series(0.1, 0),
            "es.approx needs τ ≥ 1 (at τ = 0 the equivalent α is ∞); got τ = 0",
        ),
        (
            lambda q: q.early_stopping_alpha(0.25, 1),
            "es.equivalence needs 0 < ελ_i < 1 for every i (monotone GD, G 7.41); ελ_max = 1",
        ),
        (
            lambda q: q.early_stopping_alpha_series(0.3, 1),
            "es.approx needs 0 < ελ_i < 1 for every i (monotone GD, G 7.41); ελ_max = 1.2",
        ),
        (lambda q: q.generalized_ridge([1.0, -2.0]), "generalized_ridge needs α_i ≥ 0; α_1 = -2.0"),
        (
            lambda q: q.gradient_flow([np.nan]),
            "t must be finite; 1 of 1 entries are NaN or infinite (first at index (0,): nan)",
        ),
        (
            lambda q: q.l2_path([1.0, np.inf]),
            "alphas must be finite; 1 of 2 entries are NaN or infinite (first at index (1,): inf)",
        ),
        (
            lambda q: q.generalized_ridge([np.nan, 1.0]),
            "alphas must be finite; 1 of 2 entries are NaN or infinite (first at index (0,): nan)",
        ),
        (lambda q: q.generalized_ridge([1.0]), "alphas must have length 2; got shape (1,)"),
        (lambda q: q.l2_optimum(1.0, center=[1.0]), "center must have length 2; got shape (1,)"),
        (lambda q: q.gd_iterates(0.1, [1], w0=[1.0]), "w0 must have length 2; got shape (1,)"),
        (lambda q: q.value([1.0]), "w must have length 2; got shape (1,)"),
        (lambda q: q.gradient([1.0, 2.0, 3.0]), "w must have length 2; got shape (3,)"),
    ],
)
def test_guards_name_theorem_argument_and_value(call, message):
    with pytest.raises(Exception) as info:
        call(_q())
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("where", "call"),
    [
        ("l1.soft_threshold", lambda q: q.l1_optimum(1.0)),
        ("enet.diagonal", lambda q: q.elastic_net_optimum(1.0, 1.0)),
    ],
)
def test_l1_and_enet_need_a_diagonal_h(where, call):
    with pytest.raises(PreconditionError) as info:
        call(_q())
    message = str(info.value)
    # H_01 = 12/25 − 48/25 = −36/25
    assert message.startswith(
        f"{where} closed form needs a diagonal H; the largest off-diagonal |H_ij| is 1.44."
    )
    assert message.endswith("For a general H use Quadratic.proximal_optimum(l1=..., l2=...)")


def test_diagonal_closed_forms_accept_1x1_and_rounding_off_diagonals():
    # a 1×1 H is diagonal; rounding-level off-diagonal entries are accepted
    assert Quadratic([[2.0]], [3.0]).l1_optimum(2.0)[0] == 2.0
    tiny = np.array([[1.0, 1e-17], [1e-17, 4.0]])
    np.testing.assert_array_equal(Quadratic(tiny, [2.0, -1.0]).l1_optimum(1.0), [1.0, -0.75])


def test_radius_needs_psd_h():
    q = Quadratic(np.diag([3.0, -1.0, 2.0]), [1.0, 1.0, 1.0], allow_indefinite=True)
    with pytest.raises(
        PreconditionError, match=r"^l2\.constraint needs H ⪰ 0; its smallest eigenvalue is -1$"
    ):
        q.alpha_for_radius(1.0)


def test_l1_needs_positive_diagonal():
    q = Quadratic(np.diag([3.0, 0.0, 2.0]), [1.0, 1.0, 1.0])
    with pytest.raises(PreconditionError, match=r"^l1\.soft_threshold needs H_ii > 0; H_11 = 0$"):
        q.l1_optimum(1.0)


# ---------------------------------------------------------------- a 3×3 H whose eigenbasis is not symmetric

# R3 is orthogonal and R3·D is not symmetric for any signs D (|R3_01| ≠ |R3_10|), so a formula that uses
# Q where Qᵀ belongs fails whatever signs the eigensolver picks; for 2×2 it may return a reflection,
# which is symmetric.
R3 = [[F(1, 9), F(-4, 9), F(8, 9)], [F(8, 9), F(4, 9), F(1, 9)], [F(-4, 9), F(7, 9), F(4, 9)]]
LAM3 = [F(1), F(2), F(5)]
H3 = [[sum(R3[i][k] * LAM3[k] * R3[j][k] for k in range(3)) for j in range(3)] for i in range(3)]
W3 = [F(1), F(-2), F(3)]
W03 = [F(2), F(1), F(-1)]


def _coords3(x: Vec) -> Vec:
    return [sum(R3[i][k] * x[i] for i in range(3)) for k in range(3)]


def _from3(z: list[float] | Vec) -> list[float]:
    return [float(sum(R3[i][k] * F(z[k]) for k in range(3))) for i in range(3)]


def test_rotations_on_a_3x3_hessian_with_a_nonsymmetric_eigenbasis():
    """Per eigendirection k (coordinates z = R3ᵀx): ridge with centre, generalized ridge, GD from w⁽⁰⁾
    with weight decay, gradient flow and the GD limit, each rotated back with R3."""
    q = Quadratic(_f(H3), _f(W3))
    tol = residual_tolerance(3, 5.0)
    c, c0 = _coords3(W3), _coords3(W03)
    assert _close(np.abs(q.coordinates), np.abs(_f(c)), tol)
    Qc = q.eigenvectors.T @ _f(W03)
    assert _close(np.abs(Qc), np.abs(_f(c0)), tol)
    # ridge with centre w₀ and a generalized ridge, both with centre
    alpha, alphas = F(3, 2), [F(1), F(1, 2), F(4)]
    z = [(lam * ck + alpha * c0k) / (lam + alpha) for lam, ck, c0k in zip(LAM3, c, c0, strict=True)]
    assert _close(q.l2_optimum(1.5, center=_f(W03)), _from3(z), tol)
    assert _close(
        q.l2_path([1.5])[0], _from3([lam * ck / (lam + alpha) for lam, ck in zip(LAM3, c, strict=True)]), tol
    )
    z = [(lam * ck + a * c0k) / (lam + a) for lam, ck, a, c0k in zip(LAM3, c, alphas, c0, strict=True)]
    assert _close(q.generalized_ridge(_f(alphas), center=_f(W03)), _from3(z), tol)
    # GD from w₀ with weight decay α: z(τ) = z̃ + (1 − ε(λ + α))^τ (z0 − z̃), z̃ = λc/(λ + α)
    eps, tau, a = F(1, 10), 3, F(1, 2)
    fixed = [lam * ck / (lam + a) for lam, ck in zip(LAM3, c, strict=True)]
    z = [f + (1 - eps * (lam + a)) ** tau * (z0 - f) for lam, f, z0 in zip(LAM3, fixed, c0, strict=True)]
    assert _close(q.gd_iterates(0.1, [tau], w0=_f(W03), alpha=0.5)[0], _from3(z), tol * (1 + tau))
    assert _close(q.gd_limit(0.1, w0=_f(W03), alpha=0.5), _from3(fixed), tol)
    t = 0.7
    z = [
        float(f) + math.exp(-t * float(lam + a)) * float(z0 - f)
        for lam, f, z0 in zip(LAM3, fixed, c0, strict=True)
    ]
    assert _close(q.gradient_flow([t], w0=_f(W03), alpha=0.5)[0], _from3(z), tol)


# ---------------------------------------------------------------- construction


def test_constructor_messages_and_symmetrisation_exact():
    """Whole messages (the tolerances in them are 100·d·eps·max|H| and 10·d·eps·max|λ|), and the
    rounding-level asymmetry averaged away exactly."""
    with pytest.raises(PreconditionError) as info:
        Quadratic([[1.0, 0.5], [0.0, 1.0]], [1.0, 1.0])
    assert str(info.value) == "H must be symmetric; max|H − Hᵀ| = 0.5 exceeds the rounding tolerance 4.44e-14"
    with pytest.raises(PreconditionError) as info:
        Quadratic(np.diag([1.0, -0.31]), [1.0, 1.0])
    assert str(info.value) == (
        "H must be positive semidefinite; its smallest eigenvalue is -0.31 (rounding allows down to "
        "-4.44e-15); pass allow_indefinite=True for a saddle"
    )
    with pytest.raises(Exception) as info:
        Quadratic(np.eye(2), [1.0, 2.0, 3.0])
    assert str(info.value) == "w_star must have length 2 to match H of shape (2, 2); got (3,)"
    # 2⁻⁴⁶ is below the symmetry tolerance 100·2·eps·3: accepted, and H becomes (H + Hᵀ)/2 exactly
    q = Quadratic([[2.0, 1.0 + 2.0**-46], [1.0, 3.0]], [1.0, 1.0])
    assert q.H[0, 1] == q.H[1, 0] == 1.0 + 2.0**-47
    assert q.H[0, 0] == 2.0 and q.H[1, 1] == 3.0


def test_rounding_to_zero_uses_the_problems_eps():
    """In float32 an eigenvalue of 1e-8 beside 1 is rounding (10·d·eps32 = 2.4e-6); in float64 it is not."""
    H = np.diag([1.0, 1e-8])
    assert Quadratic(H.astype(np.float32), np.ones(2, dtype=np.float32)).rank == 1
    assert Quadratic(H, np.ones(2)).rank == 2


def test_eigenvalues_within_rounding_of_zero_are_zero():
    """|λ| ≤ 10·d·eps·max|λ| is 0 (here 20 eps): kept just above, zeroed at it, and a tiny negative λ
    counts as 0 (PSD), not as indefinite."""
    assert Quadratic(np.diag([1.0, 20 * EPS]), [1.0, 1.0]).rank == 1
    assert Quadratic(np.diag([1.0, 21 * EPS]), [1.0, 1.0]).rank == 2
    q = Quadratic(np.diag([-20 * EPS, 1.0]), [1.0, 1.0])
    assert q.rank == 1 and q.eigenvalues[0] == 0.0
    q.proximal_optimum(l1=0.1)  # PSD after rounding: no "needs H ⪰ 0" error
    assert q.shrinkage(0.0)[0] == 0.0


def test_from_regression_exact():
    """H = XᵀX/n and w* = X⁺y; for X = [[1, 2], [0, 1], [1, 0]] and y = [1, 2, 3] that is
    H = [[2, 2], [2, 5]]/3 and w* = (XᵀX)⁻¹Xᵀy = [2, 0]."""
    X, y = [[1, 2], [0, 1], [1, 0]], [1, 2, 3]
    q = Quadratic.from_regression(X, y)
    assert _close(q.H, np.array([[2, 2], [2, 5]]) / 3, residual_tolerance(2, 1.0))
    assert _close(q.w_star, [2.0, 0.0], residual_tolerance(5, 10.0)) and q.dtype == np.float64
    q32 = Quadratic.from_regression(X, y, dtype=np.float32)
    assert q32.dtype == np.float32 and q32.w_star.dtype == np.float32


def test_simulate_gd_records_steps_in_the_order_asked():
    q = _q()
    rows = q.simulate_gd(0.1, [7, 0, 2, 2])
    assert rows.shape == (4, 2)
    for row, tau in zip(rows, [7, 0, 2, 2], strict=True):
        assert _close(row, _gd_exact(F(1, 10), tau, [F(0), F(0)], F(0)), TOL * (1 + tau))
    np.testing.assert_array_equal(rows[1], [0.0, 0.0])
    np.testing.assert_array_equal(q.gd_iterates(0.1, [7, 0, 2])[[1]], [[0.0, 0.0]])


def test_early_stopping_boundaries():
    """ελ_max = 1 exactly is refused (G 7.41 needs ελ_i < 1); an indefinite H is refused."""
    q = Quadratic(np.diag([1.0, 4.0]), [1.0, 1.0])
    with pytest.raises(PreconditionError, match=r"ελ_max = 1$"):
        q.early_stopping_alpha(0.25, 1)
    assert q.early_stopping_alpha(0.2, 1) == pytest.approx([0.8 / 0.2, 4 * 0.2 / 0.8], rel=8 * EPS, abs=0)
    bad = Quadratic(np.diag([-1.0, 2.0]), [1.0, 1.0], allow_indefinite=True)
    for call, where in (
        (bad.early_stopping_alpha, "es.equivalence"),
        (bad.early_stopping_alpha_series, "es.approx"),
    ):
        with pytest.raises(PreconditionError) as info:
            call(0.1, 2)
        assert str(info.value) == f"{where} needs H ⪰ 0; smallest eigenvalue -1"


# ---------------------------------------------------------------- FISTA: accelerated, warm-startable


def _ill_conditioned() -> Quadratic:
    """Diagonal H with 20 eigenvalues from 1 down to 1e-4 (κ = 10⁴) and a fixed w*."""
    return Quadratic(np.diag(np.logspace(0, -4, 20)), np.random.default_rng(0).standard_normal(20))


def test_fista_is_accelerated():
    """On κ = 10⁴ an accelerated method needs O(√κ·log(1/tol)) ≈ 3·10³ steps, plain proximal gradient
    O(κ·log(1/tol)) ≈ 3·10⁵: with a budget of 5000 only the accelerated one converges."""
    q = _ill_conditioned()
    res = q.proximal_optimum(l1=1e-3, max_iter=5000)
    assert res.kkt_violation <= res.tolerance
    h, ws = np.diag(q.H), q.w_star
    exact = np.sign(ws) * np.maximum(np.abs(ws) - 1e-3 / h, 0.0)  # the soft threshold (l1.soft_threshold)
    # strongly convex with μ = min H_ii = 1e-4: ‖w − w_opt‖ ≤ √d·(KKT violation)/μ
    assert np.linalg.norm(res.w - exact) <= math.sqrt(20) * res.tolerance / 1e-4


def test_fista_warm_start_and_check_period():
    """Started at the solution it stops at the first KKT check, after 10 steps; a wrong w0 is refused."""
    q = _ill_conditioned()
    cold = q.proximal_optimum(l1=1e-3, l2=1e-2)
    warm = q.proximal_optimum(l1=1e-3, l2=1e-2, w0=cold.w)
    assert warm.iterations == 10 < cold.iterations
    assert np.linalg.norm(warm.w - cold.w) <= math.sqrt(20) * 2 * cold.tolerance / 1e-2
    with pytest.raises(Exception) as info:
        q.proximal_optimum(l1=1e-3, w0=[1.0])
    assert str(info.value) == "w0 must have length 20; got shape (1,)"


def test_fista_non_convergence_message():
    """The message names the budget, the KKT violation against the tolerance and κ(H + α₂I)."""
    q = Quadratic(np.diag([0.01, 1.0]), [1.0, -1.0])
    with pytest.raises(ConvergenceError) as info:
        q.proximal_optimum(l1=1e-3, l2=0.5, max_iter=3)
    message = str(info.value)
    assert message.startswith("proximal_optimum did not converge in 3 iterations: KKT violation ")
    assert message.endswith("(condition number of H + α₂I ≈ 2.94)")  # (1 + 0.5)/(0.01 + 0.5)


def test_more_guard_messages():
    q = _q()
    for call, message in (
        (lambda: q.early_stopping_alpha(0.1, -1), "tau must be ≥ 0; got -1"),
        (lambda: q.gd_iterates(0.1, [1, -2]), "taus must be ≥ 0; got -2"),
        (lambda: q.simulate_gd(0.1, [-3]), "taus must be ≥ 0; got -3"),
    ):
        with pytest.raises(Exception) as info:
            call()
        assert str(info.value) == message
    saddle = Quadratic(np.diag([-0.31, 1.0]), [1.0, 1.0], allow_indefinite=True)
    with pytest.raises(PreconditionError) as info:
        saddle.shrinkage(0.1)
    assert str(info.value) == (
        "l2.eigen needs H + αI positive definite; smallest eigenvalue of H is -0.31 and α = 0.1"
    )
    # the offending direction is named by its index (here 1, not 0)
    two = Quadratic(np.diag([2.0, -1.0]), [1.0, 1.0], allow_indefinite=True)
    with pytest.raises(PreconditionError, match=r"H_11 = -1 and α₂ = 0\.5"):
        two.elastic_net_optimum(0.0, 0.5)
    three = Quadratic(np.diag([-2.0, -1.0, 3.0]), [1.0, 1.0, 1.0], allow_indefinite=True)
    with pytest.raises(PreconditionError, match=r"λ_1 \+ α = -1 \+ 1\.0 is zero"):
        three.gd_iterates(0.1, [1], alpha=1.0)
    # an off-diagonal entry exactly at the symmetry tolerance 100·d·eps·max|H| still counts as diagonal
    t = 100 * 2 * EPS
    np.testing.assert_array_equal(Quadratic([[1.0, t], [t, 1.0]], [2.0, 0.0]).l1_optimum(1.0), [1.0, 0.0])


def test_gradient_flow_defaults_to_no_weight_decay():
    q = _q()
    np.testing.assert_array_equal(q.gradient_flow([0.3]), q.gradient_flow([0.3], alpha=0.0))
    assert not np.array_equal(q.gradient_flow([0.3]), q.gradient_flow([0.3], alpha=1.0))


def test_one_dtype_per_problem():
    """Every vector of a float32 problem is float32, whatever dtype the caller's w*, w⁽⁰⁾ or centre had."""
    q32 = Quadratic(_f(H).astype(np.float32), _f(W_STAR))  # float32 H, float64 w*
    assert q32.dtype == np.float32 and q32.w_star.dtype == np.float32
    w0 = np.array([1.0, 2.0])  # float64
    for result in (
        q32.gd_iterates(0.1, [1], w0=w0),
        q32.simulate_gd(0.1, [1], w0=w0),
        q32.gradient_flow([0.5], w0=w0),
        q32.l2_optimum(1.0, center=w0),
        q32.gradient(w0),
    ):
        assert result.dtype == np.float32


def test_shift_and_step_guards_at_zero_eigenvalues():
    """λ = 0 is exact (rounded to 0 in the constructor), so any α > 0 makes H + αI definite, even one
    below the rounding threshold; only negative eigenvalues need a margin. λ_max + α = 0 with a negative
    eigenvalue is no step at all."""
    q = Quadratic(np.diag([0.0, 1.0]), [0.0, 2.0])
    assert _close(q.l2_optimum(1e-20), [0.0, 2.0], 4 * EPS)
    saddle = Quadratic(np.diag([-0.31, 1.0]), [1.0, 1.0], allow_indefinite=True)
    with pytest.raises(PreconditionError) as info:
        saddle.l2_optimum(0.1)
    assert str(info.value) == (
        "l2.optimum needs H + αI positive definite; smallest eigenvalue of H is -0.31 and α = 0.1"
    )
    for diag, lam_max in (([-1.0, 0.0, 0.0], "0"), ([-1.0, -0.5, 0.0], "0")):
        flat_top = Quadratic(np.diag(diag), [1.0, 1.0, 1.0], allow_indefinite=True)
        with pytest.raises(PreconditionError) as info:
            flat_top.max_stable_step()
        assert str(info.value) == f"gd.stability needs λ_max + α > 0; λ_max = {lam_max}, α = 0.0"
    low = Quadratic(np.diag([-1.0, -0.5, -0.25]), [1.0, 1.0, 1.0], allow_indefinite=True)
    with pytest.raises(PreconditionError) as info:
        low.max_stable_step(0.1)
    assert str(info.value) == "gd.stability needs λ_max + α > 0; λ_max = -0.25, α = 0.1"


def test_asymmetry_exactly_at_the_tolerance_is_accepted():
    t = 100 * 2 * EPS * 2.0  # 100·d·eps·max|H| for H = [[2, t], [0, 2]]
    q = Quadratic([[2.0, t], [0.0, 2.0]], [1.0, 1.0])
    assert q.H[0, 1] == q.H[1, 0] == t / 2
    with pytest.raises(Exception) as info:
        q.simulate_gd(0.1, [1], w0=[1.0])
    assert str(info.value) == "w0 must have length 2; got shape (1,)"


def test_quadratic_owns_read_only_copies_of_its_arrays() -> None:
    """A later change to the caller's w* (or an attempt to write a property) cannot desynchronise w*
    from its eigenbasis coordinates c = Qᵀw*."""
    w = np.array([1.0, -2.0, 0.5])
    q = Quadratic(np.diag([3.0, 2.0, 1.0]), w)
    w[:] = 7.0
    np.testing.assert_array_equal(q.w_star, [1.0, -2.0, 0.5])
    np.testing.assert_array_equal(q.eigenvectors @ q.coordinates, q.w_star)
    for name in ("H", "w_star", "eigenvalues", "eigenvectors", "coordinates"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(q, name)[0] = 0.0


def test_eigenvectors_are_orthogonal_to_a_few_ulps() -> None:
    """Quadratic's eigenbasis is orthogonal to well below d·eps (divide and conquer, ?syevd). SciPy's
    default MRRR driver misses this bound on this seeded spectrum (6.5·d·eps, bench/eigh_drivers.py),
    so the test pins the driver choice, which every formula rotating through Q twice relies on."""
    d = 200
    rng = np.random.default_rng([d, 0])
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    H = (Q * (1.0 + rng.random(d))) @ Q.T
    q = Quadratic((H + H.T) / 2, np.ones(d))
    loss = float(np.max(np.abs(q.eigenvectors.T @ q.eigenvectors - np.eye(d))))
    assert loss <= d * np.finfo(np.float64).eps, loss
