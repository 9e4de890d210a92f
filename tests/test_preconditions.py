"""Every guard raises its typed error with the message the project promises (theory.validate's docstring).

A message names the theorem that needed the assumption (the ``where`` prefix), the argument and the
offending value; these tests pin whole messages, so a guard that checks the wrong argument, drops
its ``where`` or reports a different value fails. Boundary values (0, exactly 1, an integral float)
are checked on both sides. These tests came from mutation testing (``python bench/mutation.py``).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from theory import InputError, PreconditionError, bayes, noise, regression, risk
from theory import validate as v

X3 = [[1, 2], [0, 1], [1, 0]]
Y3 = [1, 2, 3]


def _raises(error: type[Exception], message: str):
    """pytest.raises matching the whole message literally."""
    return pytest.raises(error, match="^" + re.escape(message) + "$")


# ---------------------------------------------------------------- theory.validate


def test_float_dtype_and_eps():
    assert v.float_dtype("float32") == np.float32 and v.float_dtype(np.float64) == np.float64
    with _raises(InputError, "dtype must be float64 or float32; got float16"):
        v.float_dtype(np.float16)
    assert v.dtype_eps(np.float32) == 2.0**-23 and v.dtype_eps("float64") == 2.0**-52


def test_as_array_dtypes():
    assert v.as_array([1, 2], "a").dtype == np.float64
    assert v.as_array(np.ones(2, dtype=np.float32), "a").dtype == np.float32
    assert v.as_array(np.ones(2, dtype=np.float16), "a").dtype == np.float64
    assert v.as_array([True, False], "a").dtype == np.float64
    assert v.as_array(np.ones(2), "a", dtype=np.float32).dtype == np.float32
    assert v.as_array(np.ones(2, dtype=np.float32), "a", dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(v.as_array([[1, 2]], "a"), [[1.0, 2.0]])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([[1.0], [1.0, 2.0]], "a is not an array: "),
        (np.array([1 + 2j]), "a must be real; got complex dtype complex128"),
        (np.array(["x"]), "a must be a real numeric array; got dtype <U1"),
        (np.array([None]), "a must be a real numeric array; got dtype object"),
        (np.empty((2, 0)), "a is empty (shape (2, 0))"),
        (
            [[1.0, np.nan], [np.inf, 2.0]],
            "a must be finite; 2 of 4 entries are NaN or infinite (first at index (0, 1): nan)",
        ),
    ],
)
def test_as_array_rejects(value, message):
    with pytest.raises(InputError) as info:
        v.as_array(value, "a")
    assert str(info.value).startswith(message)
    if "not an array" not in message:
        assert str(info.value) == message


def test_check_finite_reports_the_first_bad_entry():
    with _raises(
        InputError, "b must be finite; 1 of 3 entries are NaN or infinite (first at index (2,): -inf)"
    ):
        v.check_finite(np.array([1.0, 2.0, -np.inf]), "b")
    v.check_finite(np.array([0.0, -1e308]), "b")  # finite: no error


def test_vector_and_matrix_shapes():
    with _raises(InputError, "w must be 1-D; got shape (1, 2)"):
        v.as_vector([[1, 2]], "w")
    with _raises(InputError, "w must have length 3; got shape (2,)"):
        v.as_vector([1, 2], "w", size=3)
    assert v.as_vector([1, 2], "w", size=2, dtype=np.float32).dtype == np.float32
    with _raises(InputError, "M must be 2-D; got shape (3,)"):
        v.as_matrix([1, 2, 3], "M")
    with _raises(InputError, "M must be square; got shape (1, 2)"):
        v.as_matrix([[1, 2]], "M", square=True)
    assert v.as_matrix([[1, 2]], "M").shape == (1, 2)
    assert v.as_matrix([[1, 2]], "M", dtype=np.float32).dtype == np.float32


def test_symmetric_tolerance_is_rounding_of_the_largest_entry():
    """100·d·eps·max|H| (and the smallest normal number for H = 0)."""
    H = np.array([[1.0, -4.0], [-4.0, 2.0]])
    assert v.symmetric_tolerance(H) == 100 * 2 * 2.0**-52 * 4.0
    assert v.symmetric_tolerance(H.astype(np.float32)) == pytest.approx(100 * 2 * 2.0**-23 * 4.0, rel=1e-7)
    assert v.symmetric_tolerance(np.zeros((3, 3))) == 100 * 3 * 2.0**-52 * np.finfo(np.float64).tiny
    assert v.symmetric_tolerance(np.zeros((0, 0))) == 0.0


@pytest.mark.parametrize("good", [2, 2.5, np.float32(2.5), np.int64(2), np.array(2.5), np.array(2)])
def test_scalars_accepted(good):
    assert v.as_nonneg_float(good, "alpha") == float(good)
    assert v.as_positive_float(good, "eps") == float(good)
    assert type(v.as_positive_float(good, "eps")) is float


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (True, "alpha must be a real number; got True (bool)"),
        ("1", "alpha must be a real number; got '1' (str)"),
        (np.array([1.0]), "alpha must be a real number; got array([1.]) (ndarray)"),
        (np.array(1 + 1j), "alpha must be a real number; got array(1.+1.j) (ndarray)"),
        (1 + 0j, "alpha must be a real number; got (1+0j) (complex)"),
        (float("nan"), "alpha must be finite; got nan"),
        (-np.inf, "alpha must be finite; got -inf"),
    ],
)
def test_scalars_rejected(bad, message):
    with _raises(InputError, message):
        v.as_nonneg_float(bad, "alpha", where="l2.optimum")
    with _raises(InputError, message):
        v.as_positive_float(bad, "alpha", where="l2.optimum")


def test_sign_guards_and_their_boundaries():
    assert v.as_nonneg_float(0, "alpha") == 0.0
    with _raises(PreconditionError, "l2.optimum: alpha must be ≥ 0; got alpha = -1e-300"):
        v.as_nonneg_float(-1e-300, "alpha", where="l2.optimum")
    with _raises(PreconditionError, "alpha must be ≥ 0; got alpha = -1.0"):
        v.as_nonneg_float(-1, "alpha")
    with _raises(PreconditionError, "gd.stability: eps must be > 0; got eps = 0.0"):
        v.as_positive_float(0, "eps", where="gd.stability")
    with _raises(PreconditionError, "eps must be > 0; got eps = -2.0"):
        v.as_positive_float(-2, "eps")
    assert v.as_positive_float(1e-300, "eps") == 1e-300


def test_as_steps():
    np.testing.assert_array_equal(v.as_steps(3), [3])
    np.testing.assert_array_equal(v.as_steps([0, 10.0, 2]), [0, 10, 2])
    np.testing.assert_array_equal(v.as_steps([[1, 2]]), [1, 2])
    assert v.as_steps(np.uint8(4)).dtype == np.int64
    with _raises(InputError, "tau must be non-negative integers; got dtype bool"):
        v.as_steps([True])
    with _raises(InputError, "k must be non-negative integers; got dtype <U1"):
        v.as_steps(["1"], "k")
    with _raises(InputError, "tau is empty"):
        v.as_steps([])
    with _raises(InputError, "tau must be integers; got 10.5"):
        v.as_steps([1.0, 10.5])
    with _raises(InputError, "tau must be ≥ 0; got -1"):
        v.as_steps([0, -1])  # the first negative entry, not the first ≤ 0
    with _raises(InputError, "tau must be ≥ 0; got -3.0"):
        v.as_steps([-3.0])
    with pytest.raises(InputError, match="^tau must be finite; 1 of 2 entries"):
        v.as_steps([1.0, np.nan])


# ---------------------------------------------------------------- guards of the closed forms


def test_regression_guards():
    with pytest.raises(InputError, match=r"^X must be finite; 1 of 2 entries are NaN or infinite"):
        regression.ridge([[1.0], [np.nan]], [1.0, 2.0], 1.0)
    with pytest.raises(InputError, match=r"^y must be finite; 1 of 2 entries are NaN or infinite"):
        regression.ridge([[1.0], [2.0]], [np.inf, 2.0], 1.0)
    with _raises(InputError, "X must be 2-D; got shape (2,)"):
        regression.validate_regression([1.0, 2.0], [1.0, 2.0])
    with _raises(InputError, "y must be 1-D; got shape (2, 1)"):
        regression.validate_regression([[1.0], [2.0]], [[1.0], [2.0]])
    with _raises(InputError, "y must have one entry per row of X: X has shape (3, 2), y has (2,)"):
        regression.ridge(X3, [1, 2], 1.0)
    with _raises(PreconditionError, "l2.ridge: alpha must be ≥ 0; got alpha = -1.0"):
        regression.ridge(X3, Y3, -1.0)
    with _raises(PreconditionError, "l2.ridge: alpha must be ≥ 0; got alpha = -1.0"):
        regression.ridge_objective([1, 1], X3, Y3, -1.0)
    with _raises(InputError, "w must have length 2; got shape (3,)"):
        regression.ridge_objective([1, 1, 1], X3, Y3, 1.0)
    with _raises(InputError, "w0 must have length 2; got shape (1,)"):
        regression.gd_least_squares_limit(X3, Y3, [1])
    for call in (
        lambda: regression.ridge(X3, Y3, 1.0, convention="sum"),  # type: ignore[arg-type]
        lambda: regression.ridge_objective([1, 1], X3, Y3, 1.0, convention="sum"),  # type: ignore[arg-type]
    ):
        with _raises(InputError, "unknown ridge convention 'sum'; choose one of mean, half_sse, sse"):
            call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: bayes.alpha_from_gaussian_prior(0, 1),
            "bayes.gaussian: noise_var must be > 0; got noise_var = 0.0",
        ),
        (
            lambda: bayes.alpha_from_gaussian_prior(1, 0),
            "bayes.gaussian: prior_var must be > 0; got prior_var = 0.0",
        ),
        (lambda: bayes.alpha_from_gaussian_prior(1, 1, n=0), "bayes.gaussian: n must be > 0; got n = 0.0"),
        (lambda: bayes.prior_variance_from_alpha(0, 1), "bayes.gaussian: alpha must be > 0; got alpha = 0.0"),
        (
            lambda: bayes.prior_variance_from_alpha(1, 0),
            "bayes.gaussian: noise_var must be > 0; got noise_var = 0.0",
        ),
        (lambda: bayes.prior_variance_from_alpha(1, 1, n=0), "bayes.gaussian: n must be > 0; got n = 0.0"),
        (lambda: bayes.alpha_from_laplace_prior(0), "bayes.laplace: scale must be > 0; got scale = 0.0"),
        (
            lambda: bayes.alpha_from_laplace_prior(1, noise_var=0),
            "bayes.laplace: noise_var must be > 0; got noise_var = 0.0",
        ),
        (lambda: bayes.alpha_from_laplace_prior(1, n=0), "bayes.laplace: n must be > 0; got n = 0.0"),
        (
            lambda: bayes.gaussian_log_prior([1.0], 0),
            "bayes.gaussian: prior_var must be > 0; got prior_var = 0.0",
        ),
        (lambda: bayes.gaussian_log_prior([[1.0]], 1), "w must be 1-D; got shape (1, 1)"),
        (lambda: bayes.laplace_log_prior([1.0], 0), "bayes.laplace: alpha must be > 0; got alpha = 0.0"),
        (lambda: bayes.laplace_log_prior([[1.0]], 1), "w must be 1-D; got shape (1, 1)"),
        (
            lambda: bayes.gaussian_log_likelihood([1, 1], X3, Y3, 0),
            "bayes.gaussian: noise_var must be > 0; got noise_var = 0.0",
        ),
        (lambda: bayes.gaussian_log_likelihood([1], X3, Y3, 1), "w must have length 2; got shape (1,)"),
        (
            lambda: bayes.gaussian_posterior(X3, Y3, 0, 1),
            "bayes.gaussian: noise_var must be > 0; got noise_var = 0.0",
        ),
        (
            lambda: bayes.gaussian_posterior(X3, Y3, 1, 0),
            "bayes.gaussian: prior_var must be > 0; got prior_var = 0.0",
        ),
        (
            lambda: bayes.gaussian_posterior(X3, [1], 1, 1),
            "y must have one entry per row of X: X has shape (3, 2), y has (1,)",
        ),
    ],
)
def test_bayes_guards(call, message):
    with pytest.raises((InputError, PreconditionError), match="^" + re.escape(message) + "$"):
        call()


def test_noise_guards():
    with _raises(PreconditionError, "noise.tikhonov: noise_var must be ≥ 0; got noise_var = -1.0"):
        noise.expected_input_noise_loss(X3, Y3, [1, 1], -1.0)
    with _raises(InputError, "w must have length 2; got shape (3,)"):
        noise.expected_input_noise_loss(X3, Y3, [1, 1, 1], 1.0)
    with _raises(InputError, "w must have length 2; got shape (3,)"):
        noise.expected_dropout_loss(X3, Y3, [1, 1, 1], 0.5)
    with _raises(PreconditionError, "dropout.ridge: keep must be ≥ 0; got keep = -0.5"):
        noise.expected_dropout_loss(X3, Y3, [1, 1], -0.5)
    for p in (0.0, 1.5):
        with _raises(PreconditionError, f"dropout.ridge needs a keep probability 0 < p ≤ 1; got p = {p}"):
            noise.expected_dropout_loss(X3, Y3, [1, 1], p)
    # p = 1 keeps every unit: no penalty, with or without rescaling; s² = 0 is no noise
    r = np.asarray(Y3) - np.asarray(X3) @ np.array([1.0, 1.0])
    assert noise.expected_dropout_loss(X3, Y3, [1, 1], 1.0) == float(r @ r)
    assert noise.expected_dropout_loss(X3, Y3, [1, 1], 1.0, rescale=True) == float(r @ r)
    assert noise.expected_input_noise_loss(X3, Y3, [1, 1], 0.0) == float(r @ r) / 3


def test_risk_guards():
    with _raises(InputError, "es.gf_vs_ridge: x = s·t must be > 0; got -1.0"):
        risk.variance_ratio([0.5, -1.0])  # the first x ≤ 0, not the first x ≤ 1
    with pytest.raises(InputError, match=r"^x must be finite; 1 of 2 entries are NaN or infinite"):
        risk.variance_ratio([1.0, np.nan])
    with pytest.raises(InputError, match=r"^u must be finite; 1 of 1 entries are NaN or infinite"):
        risk.tuned_bayes_ratio([np.inf])
    with _raises(InputError, "es.gf_vs_ridge: x = s·t must be > 0; got -1.0"):
        risk.variance_ratio([2.0, -1.0, 0.0])
    with _raises(InputError, "es.gf_vs_ridge: x = s·t must be > 0; got 0.0"):
        risk.variance_ratio(0.0)
    with _raises(PreconditionError, "es.gf_vs_ridge: noise_var must be > 0; got noise_var = 0.0"):
        risk.estimation_risks(np.eye(2), [1, 1], 0.0, 1.0)
    with _raises(PreconditionError, "es.gf_vs_ridge: t must be > 0; got t = 0.0"):
        risk.estimation_risks(np.eye(2), [1, 1], 1.0, 0.0)
    with _raises(InputError, "beta0 must have length 2; got shape (3,)"):
        risk.estimation_risks(np.eye(2), [1, 1, 1], 1.0, 1.0)
