"""l2.path_derivative: the dense formula, the MINRES solver on Hessian-vector products, a real network.

dw̃/dα = −(∇²L(w̃) + αD)⁻¹Dw̃ at a strict local minimiser of L + (α/2)‖Dw‖² (docs/reference.md,
"Theorem catalogue"). The routes are checked against central finite differences of optima solved to
rounding, with the tolerance ``δ²|w'''|/6 + e_solve/δ`` (truncation + solve error amplified by 1/δ).
"""

from __future__ import annotations

import numpy as np
import pytest

from theory import path as P
from theory.errors import InputError, PreconditionError
from theory.numerics import relative_error, residual_tolerance

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
    assert got.residual <= 1e-12 * 1.01
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


def test_input_errors_name_the_values() -> None:
    _, op = _small_model()
    with pytest.raises(PreconditionError, match="alpha"):
        path_derivative(op, -1.0)
    with pytest.raises(InputError, match="0 .* and 1"):
        path_derivative(op, 1.0, np.full(op.dim, 0.5))
    with pytest.raises(InputError, match="not among"):
        path_derivative(op, 1.0, ["nope.weight"])
    with pytest.raises(InputError, match="rtol"):
        path_derivative(op, 1.0, rtol=2.0)
