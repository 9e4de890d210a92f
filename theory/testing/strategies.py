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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from numpy.typing import NDArray

from theory.quadratic import Quadratic

__all__ = [
    "Matrix",
    "alphas",
    "design_with_condition",
    "elastic_net_problems",
    "haar_orthogonal",
    "log_spaced_spectrum",
    "logistic_problem",
    "logistic_problems",
    "matrix_from_spectrum",
    "psd_matrices",
    "quadratics",
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
