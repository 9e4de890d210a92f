"""l2.path_derivative: the dense formula, the MINRES solver on Hessian-vector products, a real network.

dw̃/dα = −(∇²L(w̃) + αD)⁻¹Dw̃ at a strict local minimiser of L + (α/2)‖Dw‖² (docs/reference.md,
"Theorem catalogue"). The routes are checked against central finite differences of optima solved to
rounding, with the tolerance ``δ²|w'''|/6 + e_solve/δ`` (truncation + solve error amplified by 1/δ).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from hypothesis import assume, given, settings, target
from hypothesis import strategies as st

from theory import path as P
from theory.errors import ConvergenceError, InputError, PreconditionError
from theory.numerics import eigenbasis_tolerance, relative_error, residual_tolerance
from theory.quadratic import Quadratic
from theory.testing import strategies as wst

torch = pytest.importorskip("torch")

from theory.empirical.curvature import hessian_operator  # noqa: E402
from theory.empirical.path import decay_mask_for, path_derivative  # noqa: E402


def _small_model(seed: int = 0) -> tuple[object, object]:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    x = torch.randn(20, 3, dtype=torch.float64)
    y = torch.randint(0, 2, (20,))
    return model, hessian_operator(model, torch.nn.functional.cross_entropy, (x, y))


def _dense(op: object) -> np.ndarray:
    H = np.column_stack([op.matvec(e) for e in np.eye(op.dim)])  # type: ignore[attr-defined]
    return 0.5 * (H + H.T)


# ------------------------------------------------------------------------------- MINRES vs dense


def test_minres_matches_the_dense_solve_on_a_torch_hessian() -> None:
    _, op = _small_model()
    H = _dense(op)
    alpha = 1.0  # H + αI ≻ 0 here (λ_min(H) ≈ −0.15)
    A = H + alpha * np.eye(op.dim)
    kappa = float(np.linalg.cond(A))
    got = path_derivative(op, alpha, rtol=1e-12)
    want = P.path_derivative(H, op.theta(), alpha)
    assert got.converged and got.assumption_holds
    # MINRES stops at ‖r‖ ≤ rtol·‖b‖ (relative residual, recomputed): forward error ≤ κ·residual;
    # the dense Cholesky solve adds its own d·κ·eps (Higham §10.1)
    # scipy's MINRES stops at ‖r‖ ≤ rtol·(‖A‖‖d‖ + ‖b‖), i.e. a relative residual ≤ rtol·(1 + κ)
    assert got.residual <= 1e-12 * (1 + kappa)
    assert relative_error(got.derivative, want) <= kappa * got.residual + residual_tolerance(op.dim, kappa)
    assert got.matvecs == got.iterations + 1
    assert got.curvature == pytest.approx(float(got.derivative @ A @ got.derivative), rel=1e-10)


def _logistic_torch(seed: int = 1) -> tuple[object, object, np.ndarray, np.ndarray]:
    """A linear logistic model (convex: H ⪰ 0, the bias block positive) and its data as arrays."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 5))
    y = (rng.random(40) < 0.5).astype(np.float64)
    torch.manual_seed(seed)
    model = torch.nn.Linear(5, 1).double()

    def loss(out: object, target: object) -> object:
        return torch.nn.functional.binary_cross_entropy_with_logits(out.squeeze(1), target)  # type: ignore[attr-defined]

    op = hessian_operator(model, loss, (torch.tensor(X), torch.tensor(y)))
    return model, op, X, y


def test_minres_with_a_decay_mask_by_names_and_by_array() -> None:
    _, op, X, y = _logistic_torch()
    assert op.names == ["weight", "bias"]
    mask = decay_mask_for(op, ["weight"])
    np.testing.assert_array_equal(mask, [1, 1, 1, 1, 1, 0])
    # the operator's parameters in the dense logistic formulas' layout (weights, then intercept)
    Xa = np.column_stack([X, np.ones(len(X))])
    H = P.logistic_hessian(Xa, y, op.theta())
    kappa_h = float(np.linalg.cond(H))
    assert relative_error(_dense(op), H) <= residual_tolerance(op.dim, kappa_h)
    alpha = 0.3
    A = H + alpha * np.diag(mask)
    kappa = float(np.linalg.cond(A))
    by_names = path_derivative(op, alpha, ["weight"], rtol=1e-12)
    by_array = path_derivative(op, alpha, mask, rtol=1e-12)
    want = P.path_derivative(H, op.theta(), alpha, mask)
    np.testing.assert_array_equal(by_names.derivative, by_array.derivative)
    assert by_names.assumption_holds and by_names.converged
    assert relative_error(by_names.derivative, want) <= kappa * by_names.residual + residual_tolerance(
        op.dim, kappa
    )
    # the undecayed intercept still moves (through its coupling to the weights), D w̃ has a 0 there
    assert abs(want[-1]) > 0


def test_negative_curvature_is_reported_not_raised() -> None:
    # L(w) = −mean((Xw)²) has H = −2XᵀX/n ≺ 0; with α below |λ_min| the system is negative definite
    rng = np.random.default_rng(2)
    X = torch.tensor(rng.standard_normal((30, 4)))
    model = torch.nn.Linear(4, 1, bias=False).double()
    op = hessian_operator(model, lambda out, _t: -(out**2).mean(), (X, torch.zeros(30)))
    lam_small = float(np.linalg.eigvalsh(2 * X.numpy().T @ X.numpy() / 30)[0])
    got = path_derivative(op, 0.5 * lam_small)
    assert not got.assumption_holds
    assert got.rayleigh < 0 and got.curvature < 0
    assert "assumption fails" in got.message and "not positive definite" in got.message
    with pytest.raises(PreconditionError, match="assumption fails"):
        path_derivative(op, 0.5 * lam_small, raise_on_failure=True)


def test_a_float32_model_gets_a_float32_target_and_a_float32_answer() -> None:
    model64, op64 = _small_model()
    model32 = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    model32.load_state_dict({k: v.float() for k, v in model64.state_dict().items()})
    x, y = op64.data[0]
    op32 = hessian_operator(model32, torch.nn.functional.cross_entropy, (x.float(), y))
    op64.set_theta(op32.theta())  # the same (float32-representable) point in both
    eps32 = float(np.finfo(np.float32).eps)
    assert op32.precision == eps32
    alpha = 1.0
    got = path_derivative(op32, alpha)
    assert got.converged and got.assumption_holds  # the default rtol = 100·eps(float32) is reachable
    H = _dense(op64)
    A = H + alpha * np.eye(op64.dim)
    kappa = float(np.linalg.cond(A))
    want = P.path_derivative(H, op64.theta(), alpha)
    # each float32 product is off by ≈ p·eps32·‖A‖‖v‖ (Higham §3.5; the forward and backward passes
    # sum at most p terms per entry), so the true residual exceeds the reported one by ≤ p·eps32·κ
    # (relative to ‖Dw‖ ≥ μ‖d‖); the forward error is κ times the true residual
    bound = kappa * (got.residual + op64.dim * eps32 * kappa)
    assert relative_error(got.derivative, want) <= bound
    assert bound < 1e-2  # and the comparison means something


def test_a_non_stationary_point_and_a_zero_decayed_part_are_named() -> None:
    _, op = _small_model()  # at initialisation: far from any minimiser of L + (α/2)‖w‖²
    got = path_derivative(op, 1.0)
    assert got.stationarity > 1e-3 * got.gradient_scale
    assert "not a stationary point" in got.message
    # D w = 0: only the (zero) biases decayed; d = 0 solves (H + αD)d = −Dw without a product
    with torch.no_grad():
        for name, p in op.model.named_parameters():  # type: ignore[attr-defined]
            if name.endswith("bias"):
                p.zero_()
    mask = decay_mask_for(op, [n for n in op.names if n.endswith("bias")])
    zero = path_derivative(op, 1.0, mask.astype(bool), stationarity=False)
    assert zero.matvecs == 1 and zero.iterations == 0  # only the check product
    assert float(np.linalg.norm(zero.derivative)) <= np.finfo(float).tiny
    assert "Dw = 0" in zero.message and zero.assumption_holds
    assert np.isnan(zero.stationarity)


def test_input_errors_name_the_values() -> None:
    _, op = _small_model()
    with pytest.raises(PreconditionError, match="alpha"):
        path_derivative(op, -1.0)
    with pytest.raises(InputError, match="non-negative weights"):
        path_derivative(op, 1.0, np.full(op.dim, -0.5))
    with pytest.raises(InputError, match="not among"):
        path_derivative(op, 1.0, ["nope.weight"])
    with pytest.raises(InputError, match="rtol"):
        path_derivative(op, 1.0, rtol=2.0)


def test_weighted_decay_is_a_rescaled_alpha() -> None:
    """Parameter groups with their own decay give a weighted D; for D = cI the theorem reads
    −(H + αcI)⁻¹cw = c·(the D = I derivative at αc), so the two MINRES solves must agree."""
    _, op = _small_model()
    c, alpha, rtol = 0.5, 0.7, 1e-12
    kappa = float(np.linalg.cond(_dense(op) + alpha * c * np.eye(op.dim)))  # λ_min(H) ≈ −0.15 < αc
    weighted = path_derivative(op, alpha, np.full(op.dim, c), rtol=rtol, stationarity=False)
    plain = path_derivative(op, alpha * c, None, rtol=rtol, stationarity=False)
    # each relative residual ≤ rtol·(1 + κ), so each forward error ≤ κ·rtol·(1 + κ)
    bound = 2 * kappa * rtol * (1 + kappa) * np.linalg.norm(c * plain.derivative)
    assert np.linalg.norm(weighted.derivative - c * plain.derivative) <= bound


# ------------------------------------------------------------------------------- dense formula


@given(wst.quadratics(dims=(1, 8), max_condition=1e6), wst.alphas(1e-2, 1e2), st.booleans())
def test_dense_formula_is_the_derivative_of_the_quadratic_optimum(
    case: tuple[Quadratic, wst.Matrix], alpha: float, masked: bool
) -> None:
    q, _ = case
    d = q.d
    mask = np.ones(d)
    if masked and d > 1:
        mask[-1] = 0.0  # H + αD stays ≻ 0 only if H is positive on the unpenalised coordinate
    A = q.H + alpha * np.diag(mask)
    lam_a = np.linalg.eigvalsh(A)
    assume(lam_a[0] > 1e-6 * lam_a[-1])
    mu, kappa = float(lam_a[0]), float(lam_a[-1] / lam_a[0])

    def optimum(a: float) -> np.ndarray:
        return scipy.linalg.solve(q.H + a * np.diag(mask), q.H @ q.w_star, assume_a="pos")

    w = optimum(alpha)
    w_norm = float(np.linalg.norm(w))
    formula = P.path_derivative(q.H, w, alpha, mask)
    if w_norm == 0.0:  # w* = 0 (or Hw* = 0): the path stays at 0
        assert float(np.linalg.norm(formula)) <= np.finfo(float).tiny
        return
    # w̃⁽ᵏ⁾ = (−1)ᵏk!(A⁻¹D)ᵏw̃ with ‖A⁻¹D‖ ≤ 1/μ: the quadratic truncation bound holds for any 0/1 D;
    # each solve is off by d·κ·eps relative (Higham §7.1)
    e_solve = residual_tolerance(d, kappa) * (w_norm + float(np.linalg.norm(q.H @ q.w_star)) / mu)
    delta = min(P.balanced_step(6 * w_norm / mu**3, e_solve), 0.5 * mu)
    fd = (optimum(alpha + delta) - optimum(alpha - delta)) / (2 * delta)
    tol = P.quadratic_truncation_bound(w_norm, mu, delta) + e_solve / delta
    tol += residual_tolerance(d, kappa) * float(np.linalg.norm(formula)) + e_solve / mu
    err = float(np.linalg.norm(formula - fd))
    target(err / tol)
    assert err <= tol
    if not masked:  # D = I: the closed α-derivative of l2.optimum in the eigenbasis
        lam = q.eigenvalues
        exact = -q.eigenvectors @ (lam * q.coordinates / (lam + alpha) ** 2)
        tol_exact = (2 * eigenbasis_tolerance(d, kappa) + residual_tolerance(d, kappa)) * float(
            np.linalg.norm(exact)
        )
        assert float(np.linalg.norm(P.path_derivative(q.H, q.l2_optimum(alpha), alpha) - exact)) <= max(
            tol_exact, np.finfo(float).tiny
        )


@settings(max_examples=15)
@given(wst.logistic_problems())
def test_dense_formula_matches_central_differences_of_logistic_optima(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray, float],
) -> None:
    X, y, mask, alpha = problem
    opt = P.logistic_optimum(X, y, alpha, mask)
    H = P.logistic_hessian(X, y, opt.w)
    formula = P.path_derivative(H, opt.w, alpha, mask)
    solved = {
        a: P.logistic_optimum(X, y, a, mask, w0=opt.w)
        for a in alpha * (1 + np.array([-0.1, -0.05, 0.05, 0.1]))
    }
    h = 0.05 * alpha
    ws = [solved[a].w for a in sorted(solved)]
    third = 2 * float(np.linalg.norm((ws[3] - 2 * ws[2] + 2 * ws[1] - ws[0]) / (2 * h**3)))
    e_solve = max(o.error_bound for o in (opt, *solved.values()))
    delta = min(P.balanced_step(third, e_solve), 0.5 * alpha)
    plus = P.logistic_optimum(X, y, alpha + delta, mask, w0=opt.w)
    minus = P.logistic_optimum(X, y, alpha - delta, mask, w0=opt.w)
    e_solve = max(e_solve, plus.error_bound, minus.error_bound)
    fd = (plus.w - minus.w) / (2 * delta)
    dn = float(np.linalg.norm(formula))
    tol = P.central_difference_tolerance(third, e_solve, delta)
    tol += (P.logistic_hessian_lipschitz(X) * e_solve * dn + e_solve) / opt.min_eigenvalue
    tol += residual_tolerance(len(mask), float(np.linalg.cond(H + alpha * np.diag(mask)))) * dn
    err = float(np.linalg.norm(formula - fd))
    target(err / tol)
    assert err <= tol
    assert abs(formula[-1]) > 0  # the free intercept moves along the path


def test_dense_formula_refuses_an_indefinite_system_and_bad_inputs() -> None:
    H = np.diag([1.0, -2.0])
    with pytest.raises(PreconditionError, match="smallest eigenvalue is -1"):
        P.path_derivative(H, [1.0, 1.0], 1.0)
    assert np.allclose(P.path_derivative(H, [1.0, 1.0], 3.0), [-0.25, -1.0])  # −(H + 3I)⁻¹w
    with pytest.raises(InputError, match="symmetric"):
        P.path_derivative([[1.0, 2.0], [0.0, 1.0]], [1.0, 1.0], 1.0)
    with pytest.raises(InputError, match=r"\[2.0\]"):
        P.path_derivative(np.eye(2), [1.0, 1.0], 1.0, [1.0, 2.0])
    with pytest.raises(PreconditionError, match="alpha = -1"):
        P.path_derivative(np.eye(2), [1.0, 1.0], -1.0)
    with pytest.raises(InputError, match="labels 0 and 1"):
        P.logistic_optimum(np.eye(2), [0.0, 2.0], 1.0)
    # separable data without a penalty: no finite minimiser, Newton runs off to infinity
    X = np.array([[-2.0, 1.0], [-1.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    with pytest.raises((PreconditionError, ConvergenceError)):
        P.logistic_optimum(X, [0.0, 0.0, 1.0, 1.0], 0.0)
    found = P.logistic_optimum(X, [0.0, 0.0, 1.0, 1.0], 0.1, [1.0, 0.0])  # the penalty makes it finite
    assert found.error_bound < 1e-12 and found.iterations >= 1


# ------------------------------------------------------------------------------- a real network


def _breast_cancer_mlp() -> tuple[object, object, object, object]:
    """A 30–4–1 tanh MLP on scikit-learn's breast-cancer data (569 × 30, standardised), float64, full
    batch, binary cross-entropy on logits; the objective ``L(θ) + (α/2)θᵀDθ`` as a torch function."""
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    xt, yt = torch.tensor(X), torch.tensor(y, dtype=torch.float64)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(30, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()

    def loss(out: object, t: object) -> object:
        return torch.nn.functional.binary_cross_entropy_with_logits(out.squeeze(1), t)  # type: ignore[attr-defined]

    op = hessian_operator(model, loss, (xt, yt))

    def per_example(theta: object) -> object:
        parts = [c.reshape(s) for c, s in zip(torch.split(theta, op.sizes), op.shapes, strict=True)]
        out = torch.func.functional_call(model, dict(zip(op.names, parts, strict=True)), (xt,))
        return torch.nn.functional.binary_cross_entropy_with_logits(out.squeeze(1), yt, reduction="none")

    return model, op, per_example, xt


def _gradient_rounding(per_example: object, theta: np.ndarray) -> float:
    """A bound on the rounding error of the computed full-batch gradient at θ: the mean of N per-example
    gradients carries a summation error ≤ (N − 1)·eps·mean‖∇ℓ_i‖ (Higham §4.2), and each per-example
    gradient its backward pass's own error, O(depth·width·eps) relative (here 2·30·4·eps)."""
    jac = torch.autograd.functional.jacobian(per_example, torch.tensor(theta), vectorize=True)  # N × p
    n = int(jac.shape[0])
    return (n + 2 * 30 * 4) * float(np.finfo(np.float64).eps) * float(jac.norm(dim=1).mean())


def _newton(
    per_example: object, mask: np.ndarray, alpha: float, theta: np.ndarray, floor: float, warm: bool = False
) -> tuple[np.ndarray, float, np.ndarray]:
    """A minimiser of ``mean ℓ_i(θ) + (α/2)θᵀDθ``: L-BFGS (when ``warm``), then Newton with the dense
    Hessian (torch.autograd.functional.hessian: p = 129) until the gradient is below ``floor`` (its
    rounding error) or stops decreasing.

    Returns θ, the bound ``e = (‖∇‖ + floor)/μ`` on ‖θ − θ̃‖ (μ = λ_min of the penalised Hessian: the
    objective is μ-strongly convex near θ̃) and the penalised Hessian at θ."""
    mt = torch.tensor(mask)

    def objective(th: object) -> object:
        return per_example(th).mean() + 0.5 * alpha * (mt * th * th).sum()  # type: ignore[operator]

    th = torch.tensor(theta)
    if warm:
        th.requires_grad_(True)
        opt = torch.optim.LBFGS(
            [th], lr=1, max_iter=300, tolerance_grad=1e-6, tolerance_change=0, line_search_fn="strong_wolfe"
        )

        def closure() -> object:
            opt.zero_grad()
            v = objective(th)
            v.backward()  # type: ignore[attr-defined]
            return v

        opt.step(closure)
        th = th.detach()
    best, best_th = np.inf, th
    for _ in range(20):
        g = torch.func.grad(objective)(th)
        gn = float(g.norm())
        if gn >= 0.5 * best:  # no longer converging quadratically: at the rounding floor
            break
        best, best_th = gn, th
        if gn <= floor:
            break
        A = torch.autograd.functional.hessian(objective, th, vectorize=True)
        th = th - torch.linalg.solve(A, g)
    A = torch.autograd.functional.hessian(objective, best_th, vectorize=True)
    mu = float(torch.linalg.eigvalsh(A)[0])
    return best_th.numpy(), (best + floor) / mu, A.numpy()


@pytest.mark.slow
def test_minres_prediction_matches_retrained_networks_on_breast_cancer() -> None:
    _, op, per_example, _ = _breast_cancer_mlp()
    mask = decay_mask_for(op, [n for n in op.names if n.endswith("weight")])  # biases not decayed
    alpha = 0.03
    w, _, _ = _newton(per_example, mask, alpha, op.theta(), 0.0, warm=True)
    floor = _gradient_rounding(per_example, w)
    w, e0, A0 = _newton(per_example, mask, alpha, w, floor)
    mu = float(np.linalg.eigvalsh(A0)[0])
    assert mu > 0  # a strict local minimiser: ∇²L + αD ≻ 0 (λ_min ≈ 0.015 here)
    op.set_theta(w)
    got = path_derivative(op, alpha, mask, rtol=1e-12)
    assert got.assumption_holds and got.converged
    assert got.stationarity <= 1e-12 * got.gradient_scale
    solved: dict[float, tuple[np.ndarray, float, np.ndarray]] = {}

    def optimum(a: float) -> np.ndarray:
        if a not in solved:
            solved[a] = _newton(per_example, mask, a, w, floor)
        return solved[a][0]

    # the third derivative by the four-point stencil at h (doubled for the stencil's own O(h²) error)
    h = 0.05 * alpha
    near, far = optimum(alpha + h) - optimum(alpha - h), optimum(alpha + 2 * h) - optimum(alpha - 2 * h)
    stencil = far - 2 * near
    third = 2 * float(np.linalg.norm(stencil)) / (2 * h**3)
    e_solve = max(e0, *(s[1] for s in solved.values()))
    delta = min(P.balanced_step(third, e_solve), 0.5 * h)
    fd = (optimum(alpha + delta) - optimum(alpha - delta)) / (2 * delta)
    e_solve = max(e_solve, *(s[1] for s in solved.values()))
    dn = float(np.linalg.norm(got.derivative))
    # MINRES: forward error ≤ κ·(relative residual)·‖d‖ with κ = ‖H + αD‖/μ; the base point ŵ is off by
    # e, which moves d by ≤ (M·e·‖d‖ + e)/μ, M the Hessian's Lipschitz constant, estimated (doubled)
    # from the Hessians at the optima for α and α + h
    kappa = float(np.linalg.norm(A0, 2)) / mu
    H_h = solved[alpha + h][2] - (alpha + h) * np.diag(mask)
    moved = float(np.linalg.norm(optimum(alpha + h) - w))
    lipschitz = float(np.linalg.norm(H_h - (A0 - alpha * np.diag(mask)), 2)) / moved
    tol = P.central_difference_tolerance(third, e_solve, delta)
    tol += kappa * got.residual * dn + (2 * lipschitz * e_solve * dn + e_solve) / mu
    err = float(np.linalg.norm(got.derivative - fd))
    assert err <= tol, (err, tol)
    # the prediction is not trivially small: the decayed weights shrink as α grows
    assert float(got.derivative @ (mask * w)) < 0
    assert tol <= 1e-4 * dn


# ------------------------------------------------------------------------------- the checks can fail


def _proof_steps() -> list[object]:
    from proofs import registry

    return list(registry.derivation("l2.path_derivative").steps)


def test_the_derivation_rejects_a_dropped_mask_a_flipped_sign_and_h_for_h_plus_alpha_d() -> None:
    import dataclasses

    import sympy as sp

    from proofs.framework import check_step

    steps = _proof_steps()
    assert all(check_step(s) == "" for s in steps)
    chain = [s for s in steps if s.case.startswith("Chain rule") and s.by == "cancel"]
    assert len(chain) == 1 + 2 + 3
    for s in chain:  # D dropped: the chain rule's right side with d_i = 1 (D = I)
        ones = {x: 1 for x in s.rhs.free_symbols if x.name.startswith("d_")}
        assert check_step(dataclasses.replace(s, rhs=s.rhs.subs(ones))) != ""
        assert check_step(dataclasses.replace(s, rhs=-s.rhs)) != ""  # a flipped sign
    solved = [s for s in steps if s.by == "solve"]
    assert len(solved) == 2
    for s in solved:
        assert check_step(dataclasses.replace(s, rhs=tuple(-e for e in s.rhs))) != ""
    general = next(s for s in steps if s.by == "matrix")
    A, x = general.lhs.args
    H = next(m for m in A.args if isinstance(m, sp.MatrixSymbol))
    assert check_step(dataclasses.replace(general, lhs=sp.MatMul(H, x, evaluate=False))) != ""
    eigen = next(s for s in steps if s.case.startswith("The quadratic") and s.by == "cancel")
    assert check_step(dataclasses.replace(eigen, rhs=-eigen.rhs)) != ""
    # a squared factor dropped: −(H + αI)⁻¹Hw* instead of −(H + αI)⁻²Hw*
    lam_alpha = next(iter(eigen.rhs.atoms(sp.Pow))).base
    assert check_step(dataclasses.replace(eigen, rhs=eigen.rhs * lam_alpha)) != ""
    second = [s for s in steps if s.case.startswith("Second check")]
    assert len(second) == 2
    masked = next(s for s in second if "(1, 0)" in s.case)
    identity_case = next(s for s in second if "(1, 1)" in s.case)
    # the D = I answer stated for D = diag(1, 0): the mask matters
    assert check_step(dataclasses.replace(masked, rhs=identity_case.rhs)) != ""


@pytest.mark.parametrize(
    "variant",
    [
        "drop D",  # −(H + αD)⁻¹w: only the logistic cases (free intercept) can see it
        "flip sign",  # +(H + αD)⁻¹Dw
        "H for H + αD",  # −H⁻¹Dw
        "drop α in the shift",  # −(H + D)⁻¹Dw
    ],
)
def test_the_numeric_check_fails_for_a_wrong_formula(monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    from theory.checks import CheckContext, all_checks, run_check

    right = P.path_derivative

    def wrong(hessian: np.ndarray, w: np.ndarray, alpha: float, decay_mask: object = None) -> np.ndarray:
        if variant == "drop D":
            return right(hessian, w, alpha, decay_mask) if decay_mask is None else right(hessian, w, alpha)
        if variant == "flip sign":
            return -right(hessian, w, alpha, decay_mask)
        mask = np.ones(len(w)) if decay_mask is None else np.asarray(decay_mask)
        shift = 0.0 if variant == "H for H + αD" else 1.0
        return -np.linalg.solve(np.asarray(hessian) + shift * np.diag(mask), mask * np.asarray(w))

    check = next(c for c in all_checks() if c.theorem_id == "l2.path_derivative" and c.route == "numeric")
    assert run_check(check, CheckContext()).status == "pass"
    monkeypatch.setattr(P, "path_derivative", wrong)
    out = run_check(check, CheckContext())
    assert out.status == "fail", out


def test_logistic_optimum_converges_when_the_objective_cannot_see_the_step() -> None:
    """A case the default Hypothesis profile drew: from a nearby optimum, Newton's full step lowers the
    objective by ~1e-21, below its rounding (~1e-17); the Armijo search shrank the step to 5e-7 for 100
    iterations and raised ConvergenceError. The full step is now taken and judged by the gradient."""
    X, y, mask, alpha = wst.logistic_problem(np.random.default_rng(23214), 30, 1, 1.0)
    opt = P.logistic_optimum(X, y, alpha, mask)
    moved = P.logistic_optimum(X, y, 1.05 * alpha, mask, w0=opt.w)
    assert moved.iterations <= 5
    assert moved.gradient_norm <= moved.gradient_rounding
