"""The layout of :class:`theory.Quadratic`: topic classes over ONE shared eigendecomposition (issue 13).

``Quadratic`` is assembled from :class:`theory._eigenbasis.QuadraticBase` (the eigenbasis),
:mod:`theory.quadratic` (construction, L2), :class:`theory.sparsity.SparsityMethods` (l1.*, enet.*)
and :class:`theory.dynamics.DynamicsMethods` (gd.*, es.*). These tests pin what the split must keep:
one decomposition of H per instance whatever topics are asked, every public name where it was, no
method defined twice, pickling and ``help``.
"""

from __future__ import annotations

import pickle
import pydoc
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.linalg

import theory
import theory.quadratic
from theory._eigenbasis import QuadraticBase
from theory.dynamics import DynamicsMethods
from theory.sparsity import SparsityMethods

#: every decomposition entry point of NumPy and SciPy a topic module could call to re-decompose H
DECOMPOSITIONS: tuple[tuple[Any, str], ...] = (
    *(
        (mod, name)
        for mod in (np.linalg, scipy.linalg)
        for name in ("eigh", "eigvalsh", "eig", "eigvals", "svd")
    ),
    (scipy.linalg, "svdvals"),
    (scipy.linalg, "eigh_tridiagonal"),
)

#: the public API of Quadratic before the split (methods, properties, the classmethod)
PUBLIC = {
    # the eigenbasis and construction
    "H", "w_star", "eigenvalues", "eigenvectors", "coordinates", "d", "dtype", "route", "rank",
    "condition_number", "value", "gradient", "from_regression",
    # L2
    "shrinkage", "l2_optimum", "generalized_ridge", "l2_path", "effective_dof", "constraint_radius",
    "alpha_for_radius",
    # L1 and the elastic net
    "l1_optimum", "elastic_net_optimum", "proximal_optimum", "l1_path", "elastic_net_path",
    # gradient descent and early stopping
    "max_stable_step", "gd_iterates", "gradient_flow", "simulate_gd", "gd_limit",
    "early_stopping_alpha", "early_stopping_alpha_series", "early_stopping_approx_error",
}  # fmt: skip


@pytest.fixture
def decompositions(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count calls of every decomposition entry point, by ``module.name`` (each still runs)."""
    calls: Counter[str] = Counter()
    for mod, name in DECOMPOSITIONS:
        real = getattr(mod, name)

        def counting(
            *args: Any, _real: Callable[..., Any] = real, _key: str = f"{mod.__name__}.{name}", **kw: Any
        ) -> Any:
            calls[_key] += 1
            return _real(*args, **kw)

        monkeypatch.setattr(mod, name, counting)
    return calls


def _every_topic(q: theory.Quadratic) -> None:
    """An L2 optimum and path, an L1 and an elastic-net optimum (closed form and proximal), the lasso
    path, GD iterates, the flow, the loop, the limit and the early-stopping penalties."""
    d = q.d
    q.l2_optimum(0.5)
    q.l2_path([0.1, 1.0])
    q.alpha_for_radius(0.5 * q.constraint_radius(0.0))
    q.l1_optimum(0.05)
    q.elastic_net_optimum(0.05, 0.5)
    q.proximal_optimum(l1=0.05, l2=0.5)
    q.l1_path([0.5, 0.05])
    eps = 0.25 * q.max_stable_step()  # ελ_max = 1/2: inside the early-stopping domain
    q.gd_iterates(eps, [0, 3, 10], w0=np.ones(d))
    q.gradient_flow([0.0, 1.0])
    q.simulate_gd(eps, [0, 3])
    q.gd_limit(eps, alpha=0.1)
    q.early_stopping_alpha(eps, 5)
    q.early_stopping_approx_error(eps, 5)


def test_a_quadratic_from_H_decomposes_once_for_every_topic(decompositions: Counter[str]) -> None:
    """``Quadratic(H, w*)`` takes its one ``eigh`` in the constructor; L2, L1/elastic net and GD all
    read that basis (the same Q object afterwards), none decomposes again."""
    q = theory.Quadratic(np.diag([0.5, 1.0, 2.0, 4.0]), [1.0, -0.4, 0.3, 0.2])
    assert decompositions == Counter({"scipy.linalg.eigh": 1})
    Q = q.eigenvectors
    _every_topic(q)
    assert decompositions == Counter({"scipy.linalg.eigh": 1}), f"a topic re-decomposed: {decompositions}"
    assert q.eigenvectors is Q


def test_a_regression_quadratic_decomposes_once_when_first_needed(decompositions: Counter[str]) -> None:
    """``from_regression`` (primal route) defers its ``eigh(XᵀX/n)``: the first method that needs the
    basis takes it, and every later topic shares it. The one SVD is of X, for ``w* = X⁺y`` (which the
    L1 closed form reads), documented in :meth:`theory.Quadratic.from_regression`."""
    rng = np.random.default_rng(3)
    n, d = 40, 4
    # orthogonal columns: H = XᵀX/n is diagonal to rounding, as the L1 closed form needs
    U, _ = np.linalg.qr(rng.standard_normal((n, d)))
    X = U * np.sqrt(n * np.array([0.5, 1.0, 2.0, 4.0]))
    y = X @ np.array([1.0, -0.4, 0.3, 0.2]) + 0.1 * rng.standard_normal(n)
    decompositions.clear()  # the setup's own QR is not counted (qr is not an entry point here)
    q = theory.Quadratic.from_regression(X, y)
    assert q.route == "primal"
    assert sum(decompositions.values()) == 0, decompositions
    q.l1_path([0.5, 0.05])  # needs only H and Hw*: still no decomposition
    assert sum(decompositions.values()) == 0, decompositions
    _every_topic(q)
    assert decompositions == Counter({"scipy.linalg.eigh": 1, "scipy.linalg.svd": 1}), decompositions


def test_every_public_name_is_where_it_was() -> None:
    from theory import ProximalResult, Quadratic
    from theory.quadratic import ProximalResult as ProximalResult2
    from theory.quadratic import Quadratic as Quadratic2

    assert Quadratic is Quadratic2 and ProximalResult is ProximalResult2
    assert theory.quadratic.__all__ == ["ProximalResult", "Quadratic"]
    assert {n for n in dir(Quadratic) if not n.startswith("_")} == PUBLIC
    q = Quadratic(np.diag([1.0, 2.0]), [1.0, 1.0])
    for cls in (Quadratic, QuadraticBase, SparsityMethods, DynamicsMethods):
        assert isinstance(q, cls)
    assert isinstance(q.proximal_optimum(l1=0.1), ProximalResult)


def test_no_method_is_defined_twice() -> None:
    """Each name is defined in exactly one class of the MRO: the split moved methods, never copied."""
    seen: dict[str, str] = {}
    for cls in theory.Quadratic.__mro__[:-1]:  # without object
        for name in vars(cls):
            if name.startswith("__") and name.endswith("__"):
                continue
            assert name not in seen, f"{name} is defined in {seen[name]} and {cls.__name__}"
            seen[name] = cls.__name__


def test_help_lists_every_method() -> None:
    text = pydoc.render_doc(theory.Quadratic, renderer=pydoc.plaintext)
    missing = [n for n in sorted(PUBLIC) if f"{n}(" not in text and f"\n |  {n}\n" not in text]
    assert not missing, missing


@pytest.mark.parametrize("kind", ["given", "regression"])
def test_a_pickled_quadratic_answers_the_same(kind: str) -> None:
    rng = np.random.default_rng(0)
    if kind == "given":
        A = rng.standard_normal((4, 4))
        q = theory.Quadratic(A @ A.T + np.eye(4), rng.standard_normal(4))
    else:
        X = rng.standard_normal((20, 4))
        q = theory.Quadratic.from_regression(X, X @ rng.standard_normal(4))
    r = pickle.loads(pickle.dumps(q))
    assert type(r) is theory.Quadratic
    # the same arrays in, the same operations: bit-for-bit
    np.testing.assert_array_equal(r.l2_optimum(0.3), q.l2_optimum(0.3))
    np.testing.assert_array_equal(r.gd_iterates(0.1, [5]), q.gd_iterates(0.1, [5]))
    np.testing.assert_array_equal(r.proximal_optimum(l1=0.1).w, q.proximal_optimum(l1=0.1).w)
    res = q.proximal_optimum(l1=0.1)
    assert pickle.loads(pickle.dumps(res)).iterations == res.iterations
