"""Public Hypothesis strategies for the theory of weight decay.

Matrices are built from their spectrum, so a test controls what matters (dimension, condition number,
rank) and knows the true eigenvalues::

    from hypothesis import given
    from theory.testing import strategies as wst

    @given(wst.psd_matrices(dims=(2, 8), max_condition=1e8))
    def test_something(m):
        m.H, m.eigenvalues, m.eigenvectors, m.condition_number

``H = Q diag(λ) Qᵀ`` with Q Haar-random orthogonal (QR of a Gaussian matrix with the signs of R's
diagonal fixed; Mezzadri, Notices AMS 2007) and λ log-spaced between ``λ_max/κ`` and ``λ_max``, with
random interior points. Rank-deficient matrices get exact zero eigenvalues.

Also:

- :func:`diagonal_quadratics` / :func:`diagonal_matrices`: diagonal H (the setting of the closed
  forms of L1 and the elastic net, G §7.1.2), entries in random order;
- :func:`identity_quadratics` / :func:`identity_matrices`: ``H = I`` exactly (``np.eye``, not
  ``Q Qᵀ``), where ridge is a pure rescaling and L1 pure soft thresholding;
- :func:`regression_data`: ``(X, y)`` with chosen n and d (``shape="wide"`` for n < d), the
  condition number of X and the noise level, with the true weights;
- :func:`classification_data`: features and integer labels of k ≥ 2 classes, every class present;
- :mod:`theory.testing.bridge` turns a property over any of these into a ``wdt verify`` check.

Every strategy draws one integer seed and builds its arrays from ``np.random.default_rng(seed)``, so
Hypothesis shrinks the shape parameters and the seed, not thousands of floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from hypothesis import strategies as st
from numpy.typing import NDArray

from theory.errors import InputError
from theory.quadratic import Quadratic

__all__ = [
    "ClassificationData",
    "Matrix",
    "RegressionData",
    "alphas",
    "classification_data",
    "design_with_condition",
    "diagonal_matrices",
    "diagonal_quadratics",
    "elastic_net_problems",
    "haar_orthogonal",
    "identity_matrices",
    "identity_quadratics",
    "log_spaced_spectrum",
    "logistic_problem",
    "logistic_problems",
    "matrix_from_spectrum",
    "psd_matrices",
    "quadratics",
    "regression_data",
    "spd_matrices",
    "stable_steps",
    "taus",
]

FloatArray = NDArray[np.floating[Any]]


@dataclass(frozen=True)
class Matrix:
    """A symmetric matrix with its known spectrum."""

    H: FloatArray
    eigenvalues: FloatArray  # ascending
    eigenvectors: FloatArray  # column i belongs to eigenvalues[i]

    @property
    def d(self) -> int:
        return int(self.H.shape[0])

    def __repr__(self) -> str:
        """d and the spectrum (NumPy's printing at precision 4, summarised beyond 12 entries), which is
        what a shrunk counterexample needs; printing H and the eigenvectors would bury the spectrum in
        d² numbers. The repr does not rebuild H: to get the very matrix back, rerun the row with its
        seed (``wdt verify --seed N --only ID``: Hypothesis, seeded and without a database, replays
        the same draws)."""
        with np.printoptions(precision=4, threshold=12, edgeitems=3, linewidth=10_000):
            lam = " ".join(np.array2string(self.eigenvalues, separator=", ").split())
        return f"Matrix(d={self.d}, eigenvalues={lam})"

    @property
    def condition_number(self) -> float:
        """``λ_max/λ_min`` over the non-zero eigenvalues (the conditioning of the range)."""
        nz = self.eigenvalues[self.eigenvalues > 0]
        return float(nz[-1] / nz[0])


def haar_orthogonal(d: int, rng: np.random.Generator) -> FloatArray:
    """A Haar-distributed orthogonal d×d matrix (Mezzadri 2007)."""
    Z = rng.standard_normal((d, d))
    Q, R = np.linalg.qr(Z)
    return Q * np.sign(np.diag(R))


def design_with_condition(rng: np.random.Generator, n: int, d: int, cond: float) -> FloatArray:
    """An n×d design ``X = U diag(s) Vᵀ`` with singular values log-spaced from 1 down to ``1/cond``.

    U and V are Haar-random; with n < d the Gram matrix ``XᵀX`` is singular (rank n).
    """
    k = min(n, d)
    U = haar_orthogonal(n, rng)[:, :k]
    V = haar_orthogonal(d, rng)[:, :k]
    s = cond ** (-np.linspace(0, 1, k))
    return (U * s) @ V.T


def log_spaced_spectrum(
    rng: np.random.Generator, d: int, kappa: float, lam_max: float, *, rank: int | None = None
) -> FloatArray:
    """Ascending eigenvalues: ``d − rank`` exact zeros, then ``rank`` values from ``λ_max/κ`` to ``λ_max``.

    The extremes are exact (so the condition number of the non-zero part is κ); the interior points
    are log-uniform.
    """
    r = d if rank is None else rank
    if r == 1:
        nonzero = np.array([lam_max])
    else:
        interior = np.sort(rng.uniform(0.0, 1.0, size=r - 2))
        exponents = np.concatenate([[1.0], interior[::-1], [0.0]])
        nonzero = lam_max * kappa ** (-exponents)
    return np.concatenate([np.zeros(d - r), nonzero])


def matrix_from_spectrum(
    eigenvalues: FloatArray, rng: np.random.Generator, dtype: Any = np.float64
) -> Matrix:
    """``Q diag(λ) Qᵀ`` for a Haar-random Q, symmetrised exactly."""
    lam = np.sort(np.asarray(eigenvalues, dtype=np.float64))
    Q = haar_orthogonal(lam.size, rng)
    H = (Q * lam) @ Q.T
    H = (H + H.T) / 2
    return Matrix(H.astype(dtype), lam.astype(dtype), Q.astype(dtype))


@st.composite
def psd_matrices(
    draw: st.DrawFn,
    dims: tuple[int, int] = (1, 8),
    max_condition: float = 1e6,
    *,
    rank: int | None = None,
    singular: bool = False,
    scale: tuple[float, float] = (1e-2, 1e2),
    dtype: Any = np.float64,
) -> Matrix:
    """Symmetric PSD matrices with condition number (of the non-zero part) at most ``max_condition``.

    Args:
        dims: inclusive range of the dimension d.
        max_condition: the largest κ = λ_max/λ_min drawn (log-uniformly from [1, max_condition]).
        rank: exact rank (≤ d); ``None`` for full rank unless ``singular``.
        singular: draw a rank in [1, d − 1] (needs d ≥ 2).
        scale: range of λ_max.
    """
    lo, hi = dims
    d = draw(st.integers(max(lo, 2) if singular else lo, hi))
    if rank is not None:
        r = min(rank, d)
    elif singular:
        r = draw(st.integers(1, d - 1))
    else:
        r = d
    log_kappa = draw(st.floats(0.0, math.log10(max_condition)))
    lam_max = draw(st.floats(*scale))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    lam = log_spaced_spectrum(rng, d, 10.0**log_kappa, lam_max, rank=r)
    return matrix_from_spectrum(lam, rng, dtype)


def spd_matrices(
    dims: tuple[int, int] = (1, 8), max_condition: float = 1e6, **kwargs: Any
) -> st.SearchStrategy[Matrix]:
    """Symmetric positive definite matrices (full rank); see :func:`psd_matrices`."""
    return psd_matrices(dims, max_condition, rank=None, singular=False, **kwargs)


@st.composite
def quadratics(
    draw: st.DrawFn,
    dims: tuple[int, int] = (1, 8),
    max_condition: float = 1e6,
    *,
    singular: bool = False,
    dtype: Any = np.float64,
) -> tuple[Quadratic, Matrix]:
    """A :class:`~theory.Quadratic` with its known spectrum; w* has entries in [−10, 10], none subnormal."""
    m = draw(psd_matrices(dims, max_condition, singular=singular, dtype=dtype))
    w = draw(
        st.lists(
            st.floats(-10, 10, allow_nan=False, allow_infinity=False, allow_subnormal=False),
            min_size=m.d,
            max_size=m.d,
        )
    )
    return Quadratic(m.H, np.asarray(w, dtype=dtype), dtype=dtype), m


@st.composite
def elastic_net_problems(
    draw: st.DrawFn,
    dims: tuple[int, int] = (1, 12),
    *,
    allow_negative: bool = True,
    curvature: tuple[float, float] = (0.05, 20.0),
    max_l1: float = 5.0,
    max_l2: float = 5.0,
) -> tuple[Quadratic, float, float]:
    """``(q, α₁, α₂)`` on the whole domain of enet.diagonal: diagonal H with ``H_ii + α₂ > 0``.

    The per-coordinate curvature ``m_i = H_ii + α₂`` is drawn log-uniformly from ``curvature`` and
    ``H_ii = m_i − α₂``, so with ``allow_negative`` (the default) H_ii < 0 is drawn whenever m_i < α₂
    (q is built with ``allow_indefinite=True``); otherwise ``H_ii = m_i > 0``. w* has entries in
    [−10, 10], none subnormal; α₁ ∈ [0, max_l1], α₂ ∈ [0, max_l2].
    """
    d = draw(st.integers(*dims))
    l1 = draw(st.floats(0.0, max_l1))
    l2 = draw(st.floats(0.0, max_l2))
    lo, hi = (math.log10(c) for c in curvature)
    m = np.array([10.0**e for e in draw(st.lists(st.floats(lo, hi), min_size=d, max_size=d))])
    h = m - l2 if allow_negative else m
    w = draw(
        st.lists(
            st.floats(-10, 10, allow_nan=False, allow_infinity=False, allow_subnormal=False),
            min_size=d,
            max_size=d,
        )
    )
    return Quadratic(np.diag(h), np.asarray(w), allow_indefinite=allow_negative), l1, l2


def alphas(low: float = 1e-4, high: float = 1e4) -> st.SearchStrategy[float]:
    """Penalty strengths α, log-uniform in [low, high]."""
    return st.floats(math.log10(low), math.log10(high)).map(lambda e: float(10.0**e))


def stable_steps(
    lam_max: float, alpha: float = 0.0, fraction: tuple[float, float] = (0.01, 0.99)
) -> st.SearchStrategy[float]:
    """Step sizes ε = f · 2/(λ_max + α) for f in ``fraction``: inside the gd.stability range."""
    bound = 2.0 / (lam_max + alpha)
    return st.floats(*fraction).map(lambda f: f * bound)


def taus(max_tau: int = 10_000) -> st.SearchStrategy[int]:
    """Step counts τ in [0, max_tau]."""
    return st.integers(0, max_tau)


def logistic_problem(
    rng: np.random.Generator, n: int, d: int, alpha: float
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """``(X, y, mask, α)``: L2-regularised logistic regression with an unpenalised intercept.

    X has d feature columns with scales in [0.3, 2] and a last column of ones (the intercept); y is
    drawn from a logistic model with standard normal weights, with both labels present (the first two
    rows), so the intercept alone has a finite minimiser; ``mask`` is 1 on the features, 0 on the
    intercept (the D of l2.path_derivative); with α > 0 the optimum is unique and strict.
    """
    X = np.column_stack([rng.standard_normal((n, d)) * rng.uniform(0.3, 2.0, d), np.ones(n)])
    w_true = rng.standard_normal(d + 1)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w_true)))).astype(np.float64)
    y[:2] = (0.0, 1.0)
    mask = np.ones(d + 1)
    mask[-1] = 0.0
    return X, y, mask, float(alpha)


def logistic_problems(
    dims: tuple[int, int] = (1, 5), rows: tuple[int, int] = (30, 80), alpha: tuple[float, float] = (1e-2, 1.0)
) -> st.SearchStrategy[tuple[FloatArray, FloatArray, FloatArray, float]]:
    """:func:`logistic_problem` with d in ``dims``, n in ``rows`` and α log-uniform in ``alpha``."""
    return st.builds(
        lambda seed, n, d, a: logistic_problem(np.random.default_rng(seed), n, d, a),
        st.integers(0, 2**32 - 1),
        st.integers(*rows),
        st.integers(*dims),
        alphas(*alpha),
    )


def _w_stars(d: int) -> st.SearchStrategy[list[float]]:
    """d entries of w* in [−10, 10], none subnormal (as :func:`quadratics` draws them)."""
    return st.lists(
        st.floats(-10, 10, allow_nan=False, allow_infinity=False, allow_subnormal=False),
        min_size=d,
        max_size=d,
    )


@st.composite
def diagonal_matrices(
    draw: st.DrawFn,
    dims: tuple[int, int] = (1, 8),
    max_condition: float = 1e6,
    *,
    singular: bool = False,
    scale: tuple[float, float] = (1e-2, 1e2),
) -> Matrix:
    """Diagonal PSD matrices with the spectrum of :func:`psd_matrices`, the diagonal in random order.

    ``eigenvalues`` are ascending and ``eigenvectors`` is the permutation matrix with
    ``H = P diag(λ) Pᵀ`` exactly; ``singular`` draws a rank in [1, d − 1] (exact zeros on the diagonal).
    """
    lo, hi = dims
    d = draw(st.integers(max(lo, 2) if singular else lo, hi))
    r = draw(st.integers(1, d - 1)) if singular else d
    log_kappa = draw(st.floats(0.0, math.log10(max_condition)))
    lam_max = draw(st.floats(*scale))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lam = log_spaced_spectrum(rng, d, 10.0**log_kappa, lam_max, rank=r)
    order = rng.permutation(d)  # H_{order[i], order[i]} = λ_i
    P = np.zeros((d, d))
    P[order, np.arange(d)] = 1.0
    H = np.zeros((d, d))
    H[order, order] = lam
    return Matrix(H, lam, P)


@st.composite
def diagonal_quadratics(
    draw: st.DrawFn,
    dims: tuple[int, int] = (1, 8),
    max_condition: float = 1e6,
    *,
    singular: bool = False,
) -> tuple[Quadratic, Matrix]:
    """A :class:`~theory.Quadratic` with diagonal H (:func:`diagonal_matrices`) and w* in [−10, 10]ᵈ:
    the setting of the L1 and elastic-net closed forms (``l1.soft_threshold``, ``enet.diagonal``)."""
    m = draw(diagonal_matrices(dims, max_condition, singular=singular))
    return Quadratic(m.H, np.asarray(draw(_w_stars(m.d)))), m


@st.composite
def identity_matrices(draw: st.DrawFn, dims: tuple[int, int] = (1, 8)) -> Matrix:
    """``H = I`` exactly (``np.eye(d)``), eigenvalues exactly 1, eigenvectors I."""
    d = draw(st.integers(*dims))
    return Matrix(np.eye(d), np.ones(d), np.eye(d))


@st.composite
def identity_quadratics(draw: st.DrawFn, dims: tuple[int, int] = (1, 8)) -> tuple[Quadratic, Matrix]:
    """A :class:`~theory.Quadratic` with ``H = I`` exactly and w* in [−10, 10]ᵈ: ridge is then
    ``w*/(1 + α)`` and the lasso soft thresholding of w* at α, with no rounding from a rotation."""
    m = draw(identity_matrices(dims))
    return Quadratic(m.H, np.asarray(draw(_w_stars(m.d)))), m


@dataclass(frozen=True)
class RegressionData:
    """Least-squares data ``y = X w_true + σ ε`` (ε standard normal) with a known design.

    ``X = √n · U diag(s) Vᵀ`` with singular values ``√n·s``, s log-spaced from 1 down to ``1/κ``
    (:func:`design_with_condition`), so ``H = XᵀX/n`` has its non-zero eigenvalues in ``[1/κ², 1]``
    and rank ``min(n, d)``.
    """

    X: FloatArray
    y: FloatArray
    w_true: FloatArray
    noise: float  # σ
    condition_number: float  # κ(X) = s_max/s_min over the min(n, d) singular values

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])


@st.composite
def regression_data(
    draw: st.DrawFn,
    rows: tuple[int, int] = (2, 40),
    dims: tuple[int, int] = (1, 10),
    *,
    shape: Literal["any", "tall", "wide"] = "any",
    max_condition: float = 1e4,
    noise: tuple[float, float] = (0.0, 1.0),
) -> RegressionData:
    """:class:`RegressionData` with n in ``rows``, d in ``dims``, κ(X) log-uniform in [1, max_condition]
    and σ uniform in ``noise`` (``(0, 0)``: noiseless, y exactly in range(X)).

    ``shape``: ``"tall"`` draws n ≥ d, ``"wide"`` n < d (the d > n regime of the Gram route), ``"any"``
    whatever the ranges give. κ is exact for ``min(n, d) ≥ 2`` (one singular value has κ = 1).

    Raises:
        InputError: ranges that cannot give the requested shape, or a bad κ or σ range.
    """
    (n_lo, n_hi), (d_lo, d_hi) = rows, dims
    if not (1 <= n_lo <= n_hi and 1 <= d_lo <= d_hi):
        raise InputError(f"rows and dims must be ranges of positive integers; got rows={rows}, dims={dims}")
    if not (max_condition >= 1 and 0 <= noise[0] <= noise[1] < math.inf):
        raise InputError(f"need max_condition ≥ 1 and 0 ≤ noise[0] ≤ noise[1]; got {max_condition}, {noise}")
    if shape == "wide":
        if n_lo >= d_hi:
            raise InputError(f"shape='wide' needs some n < d; got rows={rows}, dims={dims}")
        n = draw(st.integers(n_lo, min(n_hi, d_hi - 1)))
        d = draw(st.integers(max(d_lo, n + 1), d_hi))
    elif shape == "tall":
        if n_hi < d_lo:
            raise InputError(f"shape='tall' needs some n ≥ d; got rows={rows}, dims={dims}")
        d = draw(st.integers(d_lo, min(d_hi, n_hi)))
        n = draw(st.integers(max(n_lo, d), n_hi))
    elif shape == "any":
        n, d = draw(st.integers(n_lo, n_hi)), draw(st.integers(d_lo, d_hi))
    else:
        raise InputError(f"shape must be 'any', 'tall' or 'wide'; got {shape!r}")
    kappa = 10.0 ** draw(st.floats(0.0, math.log10(max_condition))) if min(n, d) >= 2 else 1.0
    sigma = draw(st.floats(*noise))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = math.sqrt(n) * design_with_condition(rng, n, d, kappa)
    w = rng.standard_normal(d)
    y = X @ w + sigma * rng.standard_normal(n)
    return RegressionData(X, y, w, float(sigma), float(kappa))


@dataclass(frozen=True)
class ClassificationData:
    """Features and labels of ``classes`` classes drawn from a softmax model with weights ``W_true``.

    ``y`` holds integers 0 … classes − 1, every class present (the first ``classes`` rows are one of
    each); for two classes, :attr:`signs` gives the ±1 labels.
    """

    X: FloatArray
    y: NDArray[np.int64]
    W_true: FloatArray  # d × classes
    classes: int

    @property
    def signs(self) -> FloatArray:
        """``2y − 1`` (two classes only): the ±1 labels of the margin form of logistic regression."""
        if self.classes != 2:
            raise InputError(f"±1 labels need two classes; this data has {self.classes}")
        return 2.0 * self.y - 1.0


@st.composite
def classification_data(
    draw: st.DrawFn,
    rows: tuple[int, int] = (10, 60),
    dims: tuple[int, int] = (1, 6),
    *,
    classes: tuple[int, int] = (2, 2),
    separation: tuple[float, float] = (0.5, 3.0),
) -> ClassificationData:
    """:class:`ClassificationData`: n in ``rows``, d in ``dims``, k in ``classes``.

    X has standard normal columns scaled by factors in [0.3, 2]; ``W_true`` has standard normal
    entries times a ``separation`` drawn from its range (larger: cleaner labels, closer to separable),
    and each label is drawn from ``softmax(x W_true)``; the first k labels are 0 … k − 1 whatever the
    model says, so that every class is present.
    """
    (k_lo, k_hi), (n_lo, n_hi), (d_lo, d_hi), (s_lo, s_hi) = classes, rows, dims, separation
    # checked before anything is drawn, so a bad range fails on every draw, not only on some
    if not (2 <= k_lo <= k_hi and k_hi <= n_lo <= n_hi):
        raise InputError(
            "need 2 ≤ classes[0] ≤ classes[1] ≤ rows[0] ≤ rows[1] (every class present in every draw); "
            f"got classes={classes}, rows={rows}"
        )
    if not 1 <= d_lo <= d_hi:
        raise InputError(f"dims must be a range of positive integers; got dims={dims}")
    if not (0 < s_lo <= s_hi < math.inf):
        raise InputError(
            f"separation must be a range of positive finite numbers; got separation={separation}"
        )
    k = draw(st.integers(k_lo, k_hi))
    n, d = draw(st.integers(n_lo, n_hi)), draw(st.integers(d_lo, d_hi))
    sep = draw(st.floats(s_lo, s_hi))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((n, d)) * rng.uniform(0.3, 2.0, d)
    W = sep * rng.standard_normal((d, k))
    logits = X @ W
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = (rng.random((n, 1)) > np.cumsum(p, axis=1)).sum(axis=1).clip(0, k - 1).astype(np.int64)
    y[:k] = np.arange(k)
    return ClassificationData(X, y, W, k)
