"""One α policy for every α-taking entry point (theory.validate.as_alphas / as_nonneg_float): malformed
α is an InputError, a negative α a PreconditionError naming it; l2_path takes one α as well as a grid;
Quadratic.route says where the eigenbasis comes from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from theory import Quadratic
from theory.errors import InputError, PreconditionError
from theory.selection import ridge_cv
from theory.validate import dtype_eps

RNG = np.random.default_rng(3)
X = RNG.standard_normal((20, 4))
Y = RNG.standard_normal(20)
Q = Quadratic.from_regression(X, Y)

ENTRY_POINTS: dict[str, Callable[[Any], Any]] = {
    "l2_path": lambda a: Q.l2_path(a),
    "l2_optimum": lambda a: Q.l2_optimum(a),
    "effective_dof": lambda a: Q.effective_dof(a),
    "proximal_optimum(l2)": lambda a: Q.proximal_optimum(l2=a),
    "proximal_optimum(l1)": lambda a: Q.proximal_optimum(l1=a),
    "ridge_cv": lambda a: ridge_cv(X, Y, a),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(
    ("alpha", "error", "match"),
    [
        (-1.5, PreconditionError, r"must be ≥ 0; got .* = -1\.5"),
        (float("nan"), InputError, "finite"),
        (float("inf"), InputError, "finite"),
        (True, InputError, "boolean|real number"),
    ],
    ids=["negative", "nan", "inf", "bool"],
)
def test_one_policy_for_alpha(entry: str, alpha: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match) as info:
        ENTRY_POINTS[entry](alpha)
    # a negative α is never reported as malformed input (PreconditionError is not an InputError)
    if error is PreconditionError:
        assert not isinstance(info.value, InputError)


def test_l2_path_takes_one_alpha_as_gd_iterates_takes_one_tau() -> None:
    one = Q.l2_path(0.3)
    assert one.shape == (1, Q.d)
    assert np.array_equal(one, Q.l2_path([0.3]))  # the same computation as a one-point grid
    # l2_optimum: the same Q(b/(λ + α)) with another summation order, |Δ| ≤ 2d·eps·‖coef‖₁ ≤ 2d^1.5·eps·‖w̃‖
    atol = 2 * Q.d**1.5 * dtype_eps(Q.dtype) * float(np.linalg.norm(one))
    assert np.all(np.abs(one[0] - Q.l2_optimum(0.3)) <= atol)
    assert Q.gd_iterates(0.1, 5).shape == (1, Q.d)


def test_l2_path_float32_huge_alpha_is_the_zero_limit() -> None:
    q32 = Quadratic.from_regression(X.astype(np.float32), Y.astype(np.float32))
    out = q32.l2_path([1e200, 1e308])  # beyond float32's range: α = inf, w̃ = 0 (the α → ∞ limit)
    assert out.dtype == np.float32 and np.all(out == 0)


def test_l2_path_docstring_states_the_alpha_zero_condition() -> None:
    doc = Quadratic.l2_path.__doc__ or ""
    assert "H + αI ≻ 0" in doc and "α > 0" in doc and "w_star" in doc


def test_route() -> None:
    assert Quadratic(np.eye(3), np.ones(3)).route == "given"
    assert Q.route == "primal"
    assert Quadratic.from_regression(X.T, Y[:4]).route == "gram"  # 4 × 20: wide
    assert Quadratic.from_regression(X, Y, route="gram").route == "gram"
