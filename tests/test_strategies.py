"""The public Hypothesis strategies deliver what they promise (dimension, condition number, rank)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from theory import Quadratic
from theory.errors import InputError
from theory.numerics import eigenbasis_tolerance, relative_error, residual_tolerance
from theory.testing import strategies as wst


@given(wst.psd_matrices(dims=(1, 12), max_condition=1e8))
def test_psd_matrices_have_the_stated_spectrum(m):
    assert m.H.shape == (m.d, m.d) and np.array_equal(m.H, m.H.T)
    assert 1 <= m.condition_number <= 1e8 * (1 + 1e-9)
    computed = np.linalg.eigvalsh(m.H)
    tol = residual_tolerance(m.d, 1.0) * m.eigenvalues[-1]
    assert np.max(np.abs(computed - m.eigenvalues)) <= tol
    Q = m.eigenvectors
    assert np.max(np.abs(Q.T @ Q - np.eye(m.d))) <= residual_tolerance(m.d, 1.0)


@given(wst.psd_matrices(dims=(2, 10), singular=True))
def test_singular_matrices_have_exact_zero_eigenvalues(m):
    assert 1 <= int(np.count_nonzero(m.eigenvalues)) < m.d
    assert Quadratic(m.H, np.ones(m.d)).rank == np.count_nonzero(m.eigenvalues)


@given(st.integers(1, 6).flatmap(lambda r: st.tuples(st.just(r), wst.psd_matrices(dims=(r, 8), rank=r))))
def test_requested_rank(case):
    r, m = case
    assert np.count_nonzero(m.eigenvalues) == r
    assert np.linalg.matrix_rank(m.H) == r


@given(wst.alphas(1e-3, 1e3), wst.taus(50), wst.stable_steps(2.0, 0.5))
def test_scalar_strategies_ranges(alpha, tau, eps):
    assert 1e-3 * (1 - 1e-12) <= alpha <= 1e3 * (1 + 1e-12)
    assert 0 <= tau <= 50
    assert 0 < eps < 2 / 2.5


@given(wst.quadratics(dims=(1, 8), max_condition=1e6), st.floats(0, 3), st.integers(0, 2**32 - 1))
def test_l2_update_one_step(qm, alpha, seed):
    """l2.update: one GD step on J + (α/2)‖w‖² is (1 − εα)w − ε∇J(w), in closed form and in the loop."""
    q, _ = qm
    eps = 0.5 * q.max_stable_step(alpha)
    w = np.random.default_rng(seed).standard_normal(q.d)
    direct = (1 - eps * alpha) * w - eps * q.gradient(w)
    terms = np.linalg.norm(w) + eps * np.linalg.norm(q.H, 2) * np.linalg.norm(w - q.w_star)
    for route in (q.gd_iterates(eps, 1, w0=w, alpha=alpha)[0], q.simulate_gd(eps, 1, w0=w, alpha=alpha)[0]):
        assert np.linalg.norm(route - direct) <= 3 * residual_tolerance(q.d, 1.0) * terms
    assert relative_error(q.simulate_gd(eps, 0, w0=w)[0], w) == 0


@given(wst.elastic_net_problems())
def test_elastic_net_problems_cover_the_stated_domain(problem):
    """Diagonal H, H_ii + α₂ within the drawn curvature range [0.05, 20], penalties in range."""
    q, l1, l2 = problem
    h = np.diag(q.H)
    assert np.array_equal(q.H, np.diag(h))
    # the strategy draws m = H_ii + α₂ and stores H_ii = m − α₂: recomputing H_ii + α₂ rounds twice,
    # an absolute error of up to 2·eps·(|H_ii| + α₂), not one relative to c (seen: H_ii = −2.95,
    # α₂ = 3 gave 0.04999999999999982 for m = 0.05)
    slack = 2 * np.finfo(np.float64).eps * (np.abs(h) + l2)
    assert np.all(h + l2 >= 0.05 - slack) and np.all(h + l2 <= 20 + slack)
    assert 0 <= l1 <= 5 and 0 <= l2 <= 5


def test_elastic_net_problems_draw_negative_curvature():
    """The point of the strategy: H_ii < 0 (held by α₂ > −H_ii) is drawn, and not when disallowed."""
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    q, _, l2 = find(wst.elastic_net_problems(), lambda p: bool(np.min(np.diag(p[0].H)) < 0))
    assert np.min(np.diag(q.H)) + l2 > 0
    with pytest.raises(NoSuchExample):
        find(wst.elastic_net_problems(allow_negative=False), lambda p: bool(np.min(np.diag(p[0].H)) < 0))


# ------------------------------------------------------------------ issue 13: the strategies users asked for


@given(
    wst.diagonal_matrices(dims=(1, 10), max_condition=1e8), wst.diagonal_matrices(dims=(2, 8), singular=True)
)
def test_diagonal_matrices_are_diagonal_with_the_stated_spectrum(m, s):
    for x in (m, s):
        h = np.diag(x.H)
        assert np.array_equal(x.H, np.diag(h))  # exactly diagonal: the L1/enet closed forms apply
        assert np.array_equal(np.sort(h), x.eigenvalues)
        P = x.eigenvectors  # a permutation: H = P diag(λ) Pᵀ with no rounding
        assert np.array_equal(P.T @ P, np.eye(x.d)) and np.array_equal((P * x.eigenvalues) @ P.T, x.H)
    assert 1 <= m.condition_number <= 1e8 * (1 + 1e-9) and np.all(np.diag(m.H) > 0)
    assert 1 <= np.count_nonzero(s.eigenvalues) < s.d


@given(wst.diagonal_quadratics(dims=(1, 8), max_condition=1e4), wst.alphas(1e-3, 10.0))
def test_diagonal_quadratics_admit_the_l1_closed_form(qm, alpha):
    """l1.soft_threshold on a drawn diagonal quadratic satisfies the lasso's optimality conditions."""
    q, m = qm
    assert np.array_equal(q.H, m.H) and q.rank == m.d
    w = q.l1_optimum(alpha)
    grad = q.gradient(w)  # H(w − w*); optimality: −grad_i = α sign(w_i) where w_i ≠ 0, |grad_i| ≤ α else
    h = np.diag(q.H)
    tol = 4 * np.finfo(np.float64).eps * (alpha + h * np.abs(q.w_star))  # a few roundings of H_ii·w*_i
    on = w != 0
    assert np.all(np.abs(grad[on] + alpha * np.sign(w[on])) <= tol[on])
    assert np.all(np.abs(grad[~on]) <= alpha + tol[~on])


@given(wst.identity_quadratics(dims=(1, 12)), wst.alphas(1e-3, 1e3))
def test_identity_quadratics_are_exactly_the_identity(qm, alpha):
    q, m = qm
    assert np.array_equal(q.H, np.eye(q.d)) and np.array_equal(m.eigenvalues, np.ones(q.d))
    assert np.array_equal(q.eigenvalues, np.ones(q.d))  # eigh of I is exact
    # ridge on H = I: w*/(1 + α), to the rounding of one rotation by the (exact) eigenvectors
    expected = q.w_star / (1 + alpha)
    assert np.max(np.abs(q.l2_optimum(alpha) - expected)) <= eigenbasis_tolerance(q.d) * (
        np.max(np.abs(q.w_star)) + np.finfo(np.float64).tiny
    )


def _singular_values(data):
    return np.linalg.svd(data.X / np.sqrt(data.n), compute_uv=False)


@given(
    wst.regression_data(rows=(2, 30), dims=(1, 12), max_condition=1e4, noise=(0.1, 2.0)),
    wst.regression_data(rows=(1, 10), dims=(1, 20), shape="wide"),
    wst.regression_data(rows=(1, 20), dims=(1, 20), shape="tall", noise=(0.0, 0.0)),
)
def test_regression_data_has_the_stated_shape_condition_and_noise(any_, wide, tall):
    for data in (any_, wide, tall):
        assert (
            data.X.shape == (data.n, data.d) and data.y.shape == (data.n,) and data.w_true.shape == (data.d,)
        )
        s = _singular_values(data)
        tol = residual_tolerance(max(data.n, data.d), data.condition_number)
        assert abs(s[0] - 1) <= tol  # XᵀX/n has λ_max = 1
        assert abs(s[0] / s[min(data.n, data.d) - 1] / data.condition_number - 1) <= tol
    assert 2 <= any_.n <= 30 and 1 <= any_.d <= 12 and 1 <= any_.condition_number <= 1e4 * (1 + 1e-12)
    assert 0.1 <= any_.noise <= 2.0
    assert wide.n < wide.d and tall.n >= tall.d
    # noiseless: y = X w_true exactly as computed
    assert tall.noise == 0 and np.array_equal(tall.y, tall.X @ tall.w_true)
    # wide data goes through the Gram route with rank n
    q = Quadratic.from_regression(wide.X, wide.y)
    assert q.route == "gram" and q.rank == wide.n


def test_regression_data_draws_noise_levels_that_show():
    """With noise, the residual of least squares is of the drawn σ's order, not zero."""
    from hypothesis import find

    data = find(wst.regression_data(rows=(30, 40), dims=(1, 3), noise=(1.0, 1.0)), lambda _: True)
    resid = data.y - data.X @ np.linalg.lstsq(data.X, data.y, rcond=None)[0]
    # a statistical bound, loose on purpose (σ = 1, n − d ≥ 27 dofs, so s/σ has sd ≈ 1/√54 ≈ 0.14):
    # it only says noise shows; test_regression_noise_has_the_drawn_standard_deviation pins σ itself
    assert 0.3 < np.linalg.norm(resid) / np.sqrt(data.n - data.d) < 3


@given(
    wst.classification_data(rows=(10, 40), dims=(1, 5), classes=(2, 4)),
    # as few rows as classes and sharp labels: a class would often be missing if not forced in
    wst.classification_data(rows=(4, 5), dims=(1, 2), classes=(4, 4), separation=(5.0, 5.0)),
)
def test_classification_data_has_every_class(data, few):
    assert set(few.y.tolist()) == set(range(4))
    n = data.X.shape[0]
    assert data.y.shape == (n,) and data.W_true.shape == (data.X.shape[1], data.classes)
    assert data.y.dtype == np.int64 and set(data.y.tolist()) == set(range(data.classes))
    if data.classes == 2:
        assert set(data.signs.tolist()) == {-1.0, 1.0}
    else:
        with pytest.raises(InputError, match="two classes"):
            _ = data.signs


def test_impossible_shapes_are_refused():
    from hypothesis import find

    with pytest.raises(InputError, match="wide"):
        find(wst.regression_data(rows=(10, 20), dims=(1, 10), shape="wide"), lambda _: True)
    with pytest.raises(InputError, match="tall"):
        find(wst.regression_data(rows=(1, 3), dims=(5, 10), shape="tall"), lambda _: True)
    with pytest.raises(InputError, match="shape"):
        find(wst.regression_data(shape="square"), lambda _: True)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="classes"):
        find(wst.classification_data(rows=(2, 5), classes=(3, 3)), lambda _: True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"classes": (1, 3)}, "classes"),  # k = 1 is drawn only sometimes
        ({"rows": (3, 10), "classes": (2, 4)}, "rows"),  # fails only when k = 4 is drawn
        ({"classes": (3, 2)}, "classes"),
        ({"dims": (0, 3)}, "dims"),
        ({"separation": (0.0, 1.0)}, "separation"),
        ({"separation": (1.0, math.inf)}, "separation"),
    ],
)
def test_classification_data_refuses_bad_ranges_on_every_draw(kwargs, message):
    """The ranges are checked before anything is drawn: the error comes on the first draw, whatever
    Hypothesis would have drawn, and names the offending range."""
    strategy = wst.classification_data(**kwargs)
    with pytest.raises(InputError, match=message):
        find(strategy, lambda _: True)


def test_matrix_repr_shows_the_spectrum_not_d_squared_numbers():
    """A counterexample prints ``Matrix(d, eigenvalues)``; a d = 40 matrix's repr stays one short line."""
    lam = np.linspace(0.5, 2.0, 40)
    m = wst.Matrix(np.diag(lam), lam, np.eye(40))
    text = repr(m)
    assert text == "Matrix(d=40, eigenvalues=[0.5 , 0.5385, 0.5769, ..., 1.9231, 1.9615, 2. ])"
    assert "\n" not in text and len(text) < 120
    small = wst.Matrix(np.diag([1.0, 3.0]), np.array([1.0, 3.0]), np.eye(2))
    assert repr(small) == "Matrix(d=2, eigenvalues=[1., 3.])"


# --- statistical promises (the review's M10, M12, M13): each band is derived in its docstring ---------

_N = 200


@settings(max_examples=5, deadline=None)
@given(wst.regression_data(rows=(_N, _N), dims=(1, 4), noise=(0.1, 10.0)))
def test_regression_noise_has_the_drawn_standard_deviation(data):
    """y − X w_true is σ·ε with ε ~ N(0, I_n): n·s²/σ² for s² = mean((y − X w_true)²) is χ²_n, so s/σ
    has mean ≈ 1 and standard deviation ≈ 1/√(2n) (0.05 for n = 200). A band of 5 of those (0.25)
    is left by chance with probability < 1e-6 per draw; a σ off by a factor of 2 is 10 sds away."""
    s = float(np.sqrt(np.mean((data.y - data.X @ data.w_true) ** 2)))
    assert abs(s / data.noise - 1) <= 5 / np.sqrt(2 * _N), (s, data.noise)


def _pooled(draw, strategy, count: int = 10) -> list[wst.ClassificationData]:
    return [draw(strategy) for _ in range(count)]


def _model_probabilities(data: wst.ClassificationData) -> np.ndarray:
    logits = data.X @ data.W_true
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


@settings(max_examples=3, deadline=None)
@given(st.data())
def test_classification_labels_follow_the_softmax_of_x(data):
    """If y_i ~ softmax(x_i W_true) then E p_i[y_i] = E Σ_c p_ic²; labels drawn without X (uniform, or
    from another model) give less (Cauchy–Schwarz), here 1/k against ≈ 0.8. Each term p_i[y_i] − Σp²
    lies in [−1, 1] with variance ≤ 1/4, so the mean of N terms (the forced first k rows left out,
    N ≈ 10·200) has sd ≤ 1/(2√N) ≈ 0.011; the band is 5 sds."""
    sets = _pooled(
        data.draw,
        wst.classification_data(rows=(200, 200), dims=(3, 3), classes=(2, 4), separation=(3.0, 3.0)),
    )
    terms = []
    for d in sets:
        p = _model_probabilities(d)[d.classes :]
        y = d.y[d.classes :]
        terms.append(p[np.arange(len(y)), y] - np.sum(p**2, axis=1))
    pooled = np.concatenate(terms)
    assert abs(float(pooled.mean())) <= 5 / (2 * np.sqrt(pooled.size)), float(pooled.mean())


@settings(max_examples=3, deadline=None)
@given(st.data())
def test_classification_separation_controls_how_clean_the_labels_are(data):
    """Two classes, d = 3: a label agrees with argmax(x W_true) with probability E σ(|Δ|), Δ the logit
    difference, Δ | W ~ N(0, sep²·Σ_j c_j²(W_j1 − W_j2)²) with column scales c_j ∈ [0.3, 2]. At
    sep = 0.05, sd(Δ) is ≈ 0.2, and σ(t) ≤ 1/2 + t/4 gives agreement ≈ 0.55; at sep = 20 it is ≳ 10,
    agreement ≈ 0.95. Pooled over ≈ 2000 labels the sampling sd is ≤ 0.011, so the bands ≤ 0.65 and
    ≥ 0.8 hold with margins of > 8 sds; a separation that is ignored gives one agreement for both
    and fails one of them."""

    def agreement(sep: float) -> float:
        sets = _pooled(
            data.draw,
            wst.classification_data(rows=(200, 200), dims=(3, 3), classes=(2, 2), separation=(sep, sep)),
        )
        hits = [np.argmax(d.X @ d.W_true, axis=1)[2:] == d.y[2:] for d in sets]
        return float(np.mean(np.concatenate(hits)))

    low, high = agreement(0.05), agreement(20.0)
    assert low <= 0.65 and high >= 0.8, (low, high)
