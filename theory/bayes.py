"""The Bayesian reading: a prior is a penalty, MAP is penalised least squares (bayes.*).

Gaussian (bayes.gaussian; G 5.79, ESL 3.4.1): with likelihood ``y ~ N(Xw, σ²I)`` and prior
``w ~ N(0, s²I)``, ``−log p(w | y) = (1/2σ²)‖Xw − y‖² + (1/2s²)‖w‖² + const``. Multiplying by σ²:
ridge with ``α = σ²/s²`` on the ``½‖Xw − y‖²`` scale, i.e. ``α = σ²/(n s²)`` on the canonical mean
scale. The posterior is Gaussian, so MAP = posterior mean.

Laplace (bayes.laplace; G 7.24, 3.26): the prior ``Π_i Laplace(w_i; 0, 1/α)`` has
``log p(w) = −α‖w‖₁ + d log α − d log 2``; its MAP under a quadratic negative log-likelihood J is the
L1 optimum ``argmin J(w) + α‖w‖₁``.

The posterior here is computed in precision form, ``Σ⁻¹ = XᵀX/σ² + I/s²``, ``μ = ΣXᵀy/σ²``: a route
independent of :func:`theory.regression.ridge`'s SVD, so checking one against the other means something.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

from theory.regression import validate_regression
from theory.resources import array_bytes, check_allocation
from theory.validate import as_positive_float, as_vector

__all__ = [
    "alpha_from_gaussian_prior",
    "alpha_from_laplace_prior",
    "gaussian_log_likelihood",
    "gaussian_log_posterior",
    "gaussian_log_prior",
    "gaussian_posterior",
    "laplace_log_prior",
    "prior_variance_from_alpha",
]

FloatArray = NDArray[np.floating[Any]]


def alpha_from_gaussian_prior(noise_var: float, prior_var: float, *, n: int | None = None) -> float:
    """``α = σ²/s²`` (½-SSE scale), or ``σ²/(n s²)`` on the canonical mean scale when ``n`` is given."""
    s2n = as_positive_float(noise_var, "noise_var", where="bayes.gaussian")
    s2p = as_positive_float(prior_var, "prior_var", where="bayes.gaussian")
    alpha = s2n / s2p
    return alpha if n is None else alpha / as_positive_float(n, "n", where="bayes.gaussian")


def prior_variance_from_alpha(alpha: float, noise_var: float, *, n: int | None = None) -> float:
    """The inverse of :func:`alpha_from_gaussian_prior`: ``s² = σ²/α`` (or ``σ²/(nα)``)."""
    a = as_positive_float(alpha, "alpha", where="bayes.gaussian")
    s2n = as_positive_float(noise_var, "noise_var", where="bayes.gaussian")
    scale = 1.0 if n is None else as_positive_float(n, "n", where="bayes.gaussian")
    return s2n / (a * scale)


def alpha_from_laplace_prior(scale: float, *, noise_var: float = 1.0, n: int | None = None) -> float:
    """L1 coefficient of a Laplace(0, b) prior: ``α = σ²/b`` on the ½-SSE scale (``σ²/(nb)`` per mean).

    With ``σ² = 1`` and no n this is G 7.24's ``α = 1/b``.
    """
    b = as_positive_float(scale, "scale", where="bayes.laplace")
    s2n = as_positive_float(noise_var, "noise_var", where="bayes.laplace")
    alpha = s2n / b
    return alpha if n is None else alpha / as_positive_float(n, "n", where="bayes.laplace")


def gaussian_log_prior(w: ArrayLike, prior_var: float) -> float:
    """``log N(w; 0, s²I) = −‖w‖²/(2s²) − (d/2)log(2πs²)``."""
    wv = as_vector(w, "w")
    s2 = as_positive_float(prior_var, "prior_var", where="bayes.gaussian")
    return float(-(wv @ wv) / (2 * s2) - 0.5 * wv.size * math.log(2 * math.pi * s2))


def laplace_log_prior(w: ArrayLike, alpha: float) -> float:
    """``log Π_i Laplace(w_i; 0, 1/α) = −α‖w‖₁ + d log α − d log 2`` (G 7.24)."""
    wv = as_vector(w, "w")
    a = as_positive_float(alpha, "alpha", where="bayes.laplace")
    d = wv.size
    return float(-a * np.sum(np.abs(wv)) + d * math.log(a) - d * math.log(2.0))


def gaussian_log_likelihood(w: ArrayLike, X: ArrayLike, y: ArrayLike, noise_var: float) -> float:
    """``log N(y; Xw, σ²I) = −‖Xw − y‖²/(2σ²) − (n/2)log(2πσ²)``."""
    Xm, yv = validate_regression(X, y)
    wv = as_vector(w, "w", size=Xm.shape[1])
    s2n = as_positive_float(noise_var, "noise_var", where="bayes.gaussian")
    r = Xm @ wv - yv
    return float(-(r @ r) / (2 * s2n) - 0.5 * yv.size * math.log(2 * math.pi * s2n))


def gaussian_log_posterior(
    w: ArrayLike, X: ArrayLike, y: ArrayLike, noise_var: float, prior_var: float
) -> float:
    """``log p(y | w) + log p(w)`` with every constant (equal to ``log p(w | y)`` up to ``log p(y)``)."""
    return gaussian_log_likelihood(w, X, y, noise_var) + gaussian_log_prior(w, prior_var)


def gaussian_posterior(
    X: ArrayLike, y: ArrayLike, noise_var: float, prior_var: float
) -> tuple[FloatArray, FloatArray]:
    """Posterior mean and covariance of w: ``Σ = (XᵀX/σ² + I/s²)⁻¹``, ``μ = ΣXᵀy/σ²`` (ESL 3.4.1).

    The mean equals the MAP and the ridge solution with ``α = σ²/s²`` (bayes.gaussian).
    """
    Xm, yv = validate_regression(X, y)
    s2n = as_positive_float(noise_var, "noise_var", where="bayes.gaussian")
    s2p = as_positive_float(prior_var, "prior_var", where="bayes.gaussian")
    d = Xm.shape[1]
    # the precision and its temporaries, the identity, the Cholesky factor and Σ: about 5 d×d arrays
    check_allocation(5 * array_bytes((d, d), Xm.dtype), f"gaussian_posterior: the {d}×{d} covariance Σ")
    precision = Xm.T @ Xm / s2n + np.eye(Xm.shape[1]) / s2p
    factor = scipy.linalg.cho_factor(precision, check_finite=False)
    cov = scipy.linalg.cho_solve(factor, np.eye(Xm.shape[1]), check_finite=False)
    mean = scipy.linalg.cho_solve(factor, Xm.T @ yv / s2n, check_finite=False)
    return mean, cov
