"""Noise as regularisation: input noise is Tikhonov, dropout is a data-dependent ridge.

noise.tikhonov (Bishop, Neural Computation 1995): adding noise Ξ with iid entries of mean 0 and
variance s² to the inputs of a linear model gives, in expectation,
``E (1/n)‖y − (X + Ξ)w‖² = (1/n)‖y − Xw‖² + s²‖w‖²``: ridge with ``(λ/2) = s²`` on the mean squared
error (no ½), i.e. canonical λ = s² after halving both terms.

dropout.ridge (Srivastava et al., JMLR 2014, §9.1): with a mask R of iid Bernoulli(p) entries
(p the *keep* probability) on the inputs of linear regression,
``E‖y − (R∘X)w‖² = ‖y − pXw‖² + p(1 − p)‖Γw‖²`` with ``Γ = diag(XᵀX)^{1/2}``. PyTorch's
``Dropout(p)`` takes the *drop* probability q = 1 − p and rescales kept units by 1/p, which gives
``‖y − Xw‖² + ((1 − p)/p)‖Γw‖²``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from theory.errors import PreconditionError
from theory.regression import validate_regression
from theory.validate import as_nonneg_float, as_vector

__all__ = ["expected_dropout_loss", "expected_input_noise_loss"]


def expected_input_noise_loss(X: ArrayLike, y: ArrayLike, w: ArrayLike, noise_var: float) -> float:
    """``(1/n)‖y − Xw‖² + s²‖w‖²``: the expected mean squared error under input noise (noise.tikhonov)."""
    Xm, yv = validate_regression(X, y)
    wv = as_vector(w, "w", size=Xm.shape[1])
    s2 = as_nonneg_float(noise_var, "noise_var", where="noise.tikhonov")
    r = yv - Xm @ wv
    return float(r @ r / yv.size + s2 * (wv @ wv))


def expected_dropout_loss(
    X: ArrayLike, y: ArrayLike, w: ArrayLike, keep: float, *, rescale: bool = False
) -> float:
    """Expected ``‖y − (R∘X)w‖²`` under dropout of the inputs with keep probability ``keep`` (dropout.ridge).

    Without rescaling: ``‖y − pXw‖² + p(1 − p)‖Γw‖²``. With ``rescale=True`` (PyTorch's convention, kept
    units multiplied by 1/p): ``‖y − Xw‖² + ((1 − p)/p)‖Γw‖²``. ``Γ = diag(XᵀX)^{1/2}``.
    """
    Xm, yv = validate_regression(X, y)
    wv = as_vector(w, "w", size=Xm.shape[1])
    p = as_nonneg_float(keep, "keep", where="dropout.ridge")
    if not 0 < p <= 1:
        raise PreconditionError(f"dropout.ridge needs a keep probability 0 < p ≤ 1; got p = {p}")
    gamma2 = np.sum(Xm * Xm, axis=0)  # diag(XᵀX)
    penalty = float(np.sum(gamma2 * wv * wv))
    if rescale:
        r = yv - Xm @ wv
        return float(r @ r + (1 - p) / p * penalty)
    r = yv - p * (Xm @ wv)
    return float(r @ r + p * (1 - p) * penalty)
