"""Bad input gets a typed error that names the assumption and the offending value (README, "Using
the library")."""

from __future__ import annotations

import numpy as np
import pytest

from theory import (
    ConvergenceError,
    InputError,
    PreconditionError,
    Quadratic,
    StabilityError,
    TheoryError,
    bayes,
    regression,
)
from theory.catalogue import get

H = np.diag([1.0, 2.0])
W = np.array([1.0, -1.0])


def _q() -> Quadratic:
    return Quadratic(H, W)


@pytest.mark.parametrize(
    ("H", "w", "error", "words"),
    [
        ([[1.0, np.nan], [np.nan, 1.0]], W, InputError, ["H must be finite", "NaN"]),
        ([[1.0, 0.0], [0.0, np.inf]], W, InputError, ["H must be finite", "inf"]),
        (H, [np.nan, 1.0], InputError, ["w_star must be finite", "nan"]),
        (np.ones((2, 3)), W, InputError, ["square", "(2, 3)"]),
        (np.ones(4), W, InputError, ["2-D", "(4,)"]),
        (np.ones((2, 2, 2)), W, InputError, ["2-D", "(2, 2, 2)"]),
        (H, [1.0, 2.0, 3.0], InputError, ["length 2", "(3,)"]),
        (H, [[1.0, 2.0]], InputError, ["1-D", "(1, 2)"]),
        (np.empty((0, 0)), [], InputError, ["empty", "(0, 0)"]),
        (H.astype(complex), W, InputError, ["real", "complex"]),
        (np.array([[1, 0], [0, 1]], dtype=object), W, InputError, ["dtype object"]),
        ([[1.0, 0.5], [0.0, 1.0]], W, PreconditionError, ["symmetric", "max|H − Hᵀ| = 0.5"]),
        ([[1.0, 0.0], [0.0, -0.31]], W, PreconditionError, ["positive semidefinite", "-0.31"]),
    ],
)
def test_constructor_rejects(H, w, error, words):
    with pytest.raises(error) as info:
        Quadratic(H, w)
    for word in words:
        assert word in str(info.value)
    assert isinstance(info.value, TheoryError) and isinstance(info.value, ValueError)


def test_dtype_must_be_float64_or_float32():
    with pytest.raises(InputError, match="dtype must be float64 or float32; got float16"):
        Quadratic(H, W, dtype=np.float16)
    # a float16 or integer input without an explicit dtype is computed in float64
    assert Quadratic(H.astype(np.float16), W).dtype == np.float64
    assert Quadratic(np.eye(2, dtype=int), [1, 2]).dtype == np.float64


def test_ragged_input_is_input_error():
    with pytest.raises(InputError, match="not an array"):
        Quadratic([[1.0, 2.0], [3.0]], W)


def test_rounding_asymmetry_is_accepted_and_removed():
    A = np.array([[2.0, 1.0 + 1e-16], [1.0, 3.0]])
    q = Quadratic(A, W)
    assert np.array_equal(q.H, q.H.T)


def test_indefinite_allowed_only_where_shift_makes_it_definite():
    q = Quadratic([[1.0, 0.0], [0.0, -0.31]], W, allow_indefinite=True)
    with pytest.raises(PreconditionError, match=r"smallest eigenvalue of H is -0\.31 and α = 0\.1"):
        q.l2_optimum(0.1)
    assert np.isfinite(q.l2_optimum(0.5)).all()
    with pytest.raises(PreconditionError, match="H ⪰ 0"):
        q.alpha_for_radius(1.0)
    with pytest.raises(PreconditionError, match=r"H \+ α₂I ≻ 0 .* -0\.31 and α₂ = 0\.1"):
        q.proximal_optimum(l1=0.1, l2=0.1)
    # α₂ beyond −λ_min makes the objective strongly convex: FISTA applies (enet.diagonal's domain)
    q.proximal_optimum(l1=0.1, l2=0.5)


def test_singular_h_needs_positive_alpha():
    q = Quadratic(np.diag([0.0, 1.0]), W)
    with pytest.raises(
        PreconditionError, match=r"positive definite; smallest eigenvalue of H is 0 and α = 0"
    ):
        q.l2_optimum(0.0)
    with pytest.raises(PreconditionError, match="α = 0"):
        q.l2_path([0.0, 1.0])


@pytest.mark.parametrize("alpha", [-0.1, -1e-300])
def test_negative_alpha(alpha):
    q = _q()
    for call in (q.l2_optimum, q.shrinkage, q.effective_dof, q.constraint_radius, q.l1_optimum):
        with pytest.raises(PreconditionError, match=rf"alpha must be ≥ 0; got alpha = {alpha}"):
            call(alpha)
    with pytest.raises(PreconditionError, match="alpha must be ≥ 0"):
        q.l2_path([1.0, alpha])


@pytest.mark.parametrize("bad", [np.nan, np.inf, "0.1", None, True, 1j])
def test_non_real_scalars(bad):
    with pytest.raises(InputError, match="alpha must be"):
        _q().l2_optimum(bad)


@pytest.mark.parametrize("eps", [0.0, -0.5])
def test_nonpositive_step(eps):
    q = _q()
    with pytest.raises(PreconditionError, match=rf"eps must be > 0; got eps = {eps}"):
        q.gd_iterates(eps, [1])
    with pytest.raises(PreconditionError, match="eps must be > 0"):
        q.simulate_gd(eps, [1])
    with pytest.raises(PreconditionError, match="eps must be > 0"):
        q.early_stopping_alpha(eps, 3)


def test_step_beyond_stability_bound():
    q = _q()  # λ_max = 2, so 2/(λ_max + α) = 1 at α = 0
    with pytest.raises(StabilityError, match=r"0 < ε < 2/\(λ_max \+ α\) = 1; got ε = 1\.0"):
        q.gd_limit(1.0)
    with pytest.raises(StabilityError, match="beyond the stability bound"):
        q.gd_iterates(1.5, [5000])
    with pytest.raises(PreconditionError, match=r"ελ_max = 1\.2"):
        q.early_stopping_alpha(0.6, 10)
    assert isinstance(StabilityError("x"), PreconditionError)


@pytest.mark.parametrize(
    ("taus", "words"),
    [
        ([-1], "≥ 0; got -1"),
        ([1.5], "integers; got 1.5"),
        ([np.nan], "finite"),
        ([], "empty"),
        (["a"], "dtype <U1"),
        ([True], "dtype bool"),
    ],
)
def test_bad_step_counts(taus, words):
    with pytest.raises(InputError, match=words):
        _q().gd_iterates(0.1, taus)


def test_tau_for_equivalence():
    q = _q()
    with pytest.raises(PreconditionError, match="τ ≥ 1"):
        q.early_stopping_alpha(0.1, 0)
    with pytest.raises(InputError, match="one step count"):
        q.early_stopping_alpha(0.1, [1, 2])


def test_w0_wrong_shape():
    with pytest.raises(InputError, match=r"w0 must have length 2; got shape \(3,\)"):
        _q().gd_iterates(0.1, [1], w0=np.ones(3))
    with pytest.raises(InputError, match="center must have length 2"):
        _q().l2_optimum(1.0, center=np.ones(5))


def test_l1_needs_diagonal_and_positive_diagonal():
    q = Quadratic([[2.0, 0.5], [0.5, 1.0]], W)
    with pytest.raises(
        PreconditionError, match=r"diagonal H; the largest off-diagonal \|H_ij\| is 0\.5.*proximal_optimum"
    ):
        q.l1_optimum(0.1)
    with pytest.raises(PreconditionError, match="diagonal"):
        q.elastic_net_optimum(0.1, 0.1)
    z = Quadratic(np.diag([0.0, 1.0]), W)
    with pytest.raises(PreconditionError, match="H_ii > 0; H_00 = 0"):
        z.l1_optimum(0.1)
    with pytest.raises(PreconditionError, match="H_ii \\+ α₂ > 0"):
        z.elastic_net_optimum(0.1, 0.0)


def test_proximal_reports_non_convergence():
    q = Quadratic(np.diag([1e-6, 1.0]), W)
    with pytest.raises(
        ConvergenceError, match=r"did not converge in 20 iterations: KKT violation .* > tolerance"
    ):
        q.proximal_optimum(l1=1e-9, max_iter=20)


def test_regression_shapes_and_conventions():
    X = np.ones((3, 2))
    with pytest.raises(InputError, match=r"one entry per row of X: X has shape \(3, 2\), y has \(2,\)"):
        regression.ridge(X, np.ones(2), 1.0)
    with pytest.raises(
        InputError, match="unknown ridge convention 'half'; choose one of mean, half_sse, sse"
    ):
        regression.ridge(X, np.ones(3), 1.0, convention="half")  # type: ignore[arg-type]
    with pytest.raises(PreconditionError, match="alpha must be ≥ 0"):
        regression.ridge(X, np.ones(3), -1.0)
    with pytest.raises(InputError, match="w0 must have length 2"):
        regression.gd_least_squares_limit(X, np.ones(3), np.ones(3))


def test_bayes_rejects_nonpositive_variances():
    with pytest.raises(PreconditionError, match="bayes.gaussian: noise_var must be > 0; got noise_var = 0.0"):
        bayes.alpha_from_gaussian_prior(0.0, 1.0)
    with pytest.raises(PreconditionError, match="prior_var must be > 0"):
        bayes.gaussian_posterior(np.eye(2), np.ones(2), 1.0, -1.0)
    with pytest.raises(PreconditionError, match="alpha must be > 0"):
        bayes.laplace_log_prior(np.ones(2), 0.0)


def test_unknown_theorem_id():
    with pytest.raises(InputError, match="unknown theorem id 'l3.optimum'; known ids: l2.update"):
        get("l3.optimum")
