"""Gradient flow against ridge: the risk comparisons of Ali, Kolter & Tibshirani (AISTATS 2019).

Least squares with ``H = XᵀX/n = V S Vᵀ`` (eigenvalues ``s_i``), true coefficients ``β₀`` and noise
variance σ². Per eigendirection, with ``x = s_i t`` and ridge at ``λ = 1/t`` (the 1/n-normalised
ridge ``(XᵀX/n + λI)⁻¹Xᵀy/n``):

====================  =========================  =========================
                      gradient flow at time t     ridge at λ = 1/t
====================  =========================  =========================
bias factor           ``e^{−x}``                  ``1/(1 + x)``
variance (× σ²/n)     ``(1 − e^{−x})²/s_i``       ``s_i t²/(1 + x)²``
====================  =========================  =========================

``e^{−x} ≤ 1/(1 + x)``, and the variance ratio ``[(1 − e^{−x})(1 + x)/x]²`` has supremum
1.685909… at x ≈ 1.79328, so gradient flow's estimation risk is at most 1.6860 × ridge's, for every
X, β₀ and σ (es.gf_vs_ridge; the paper's Theorem 1). Under an isotropic prior, gradient flow stopped
at ``t = 1/λ*`` has Bayes risk at most ``sup_u (1 + u)[e^{−2u} + (1 − e^{−u})²/u] = 1.214662…``
× optimal ridge (es.gf_vs_ridge_tuned; their Theorem 2, "1.22" in the abstract).

Discrete GD from 0 with step ε after k steps is the generalised ridge ``(XᵀX + nQ_k)⁻¹Xᵀy`` with
``Q_k = V S((I − εS)^{−k} − I)^{−1}Vᵀ`` (es.gd_generalized_ridge; supplement Lemma 3): the same per-
direction penalty as es.equivalence, ``α_i = s_i(1 − εs_i)^k/(1 − (1 − εs_i)^k)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.optimize
from numpy.typing import ArrayLike, NDArray

from theory.errors import InputError
from theory.quadratic import Quadratic
from theory.validate import as_array, as_positive_float, as_vector

__all__ = [
    "GF_RIDGE_RISK_BOUND",
    "GF_RIDGE_TUNED_BOUND",
    "estimation_risks",
    "gd_penalty_matrix",
    "tuned_bayes_ratio",
    "variance_ratio",
    "worst_tuned_ratio",
    "worst_variance_ratio",
]

FloatArray = NDArray[np.floating[Any]]

#: the paper's constants, as printed (Ali, Kolter & Tibshirani 2019, Theorems 1 and 2)
GF_RIDGE_RISK_BOUND = 1.6862
GF_RIDGE_TUNED_BOUND = 1.2147


def variance_ratio(x: ArrayLike) -> FloatArray:
    """``[(1 − e^{−x})(1 + x)/x]²``: gradient-flow variance over ridge variance per direction (x > 0)."""
    xv = as_array(x, "x")
    if (xv <= 0).any():
        raise InputError(f"es.gf_vs_ridge: x = s·t must be > 0; got {xv[xv <= 0][0]}")
    return (-np.expm1(-xv) * (1 + xv) / xv) ** 2


def tuned_bayes_ratio(u: ArrayLike) -> FloatArray:
    """``(1 + u)[e^{−2u} + (1 − e^{−u})²/u]``: tuned gradient flow over optimal ridge, Bayes risk."""
    uv = as_array(u, "u")
    return (1 + uv) * (np.exp(-2 * uv) + np.expm1(-uv) ** 2 / uv)


def _sup(f: Any, bracket: tuple[float, float]) -> tuple[float, float]:
    res = scipy.optimize.minimize_scalar(
        lambda v: -float(f(np.array([v]))[0]), bounds=bracket, method="bounded", options={"xatol": 1e-12}
    )
    return float(-res.fun), float(res.x)


def worst_variance_ratio() -> tuple[float, float]:
    """``(sup_x variance_ratio, argmax)`` by bounded Brent search: (1.685909…, 1.79328…)."""
    return _sup(variance_ratio, (0.1, 10.0))


def worst_tuned_ratio() -> tuple[float, float]:
    """``(sup_u tuned_bayes_ratio, argmax)``: (1.214662…, 3.2136…)."""
    return _sup(tuned_bayes_ratio, (0.1, 20.0))


def estimation_risks(X: ArrayLike, beta0: ArrayLike, noise_var: float, t: float) -> tuple[float, float]:
    """Exact estimation risks ``E‖β̂ − β₀‖²`` of gradient flow at time t and ridge at λ = 1/t.

    Sums of the per-direction bias² and variance in the module table over the eigenvalues s_i of
    ``XᵀX/n`` (directions with s_i = 0 contribute the same bias ``(v_iᵀβ₀)²`` to both).
    """
    q = Quadratic.from_regression(X, np.zeros(np.asarray(X).shape[0]), route="primal")  # every direction
    b = as_vector(beta0, "beta0", size=q.d)
    s2 = as_positive_float(noise_var, "noise_var", where="es.gf_vs_ridge")
    tt = as_positive_float(t, "t", where="es.gf_vs_ridge")
    n = np.asarray(X).shape[0]
    s = q.eigenvalues
    c2 = (q.eigenvectors.T @ b) ** 2
    x = s * tt
    gf = np.sum(np.exp(-2 * x) * c2) + s2 / n * np.sum(
        np.where(s > 0, np.expm1(-x) ** 2 / np.where(s > 0, s, 1), 0)
    )
    ridge = np.sum(c2 / (1 + x) ** 2) + s2 / n * np.sum(s * tt**2 / (1 + x) ** 2)
    return float(gf), float(ridge)


def gd_penalty_matrix(X: ArrayLike, eps: float, k: int) -> FloatArray:
    """``Q_k = V S((I − εS)^{−k} − I)^{−1}Vᵀ`` for ``XᵀX/n = VSVᵀ`` (es.gd_generalized_ridge).

    Computed as ``V diag(α_i) Vᵀ`` with the α_i of :meth:`theory.Quadratic.early_stopping_alpha` (the
    two expressions are equal: ``s(1 − εs)^k/(1 − (1 − εs)^k) = s/((1 − εs)^{−k} − 1)``); zero
    eigenvalues get the limit ``1/(εk)``, which leaves GD's null-space part (0 from w⁽⁰⁾ = 0) alone.
    """
    q = Quadratic.from_regression(X, np.zeros(np.asarray(X).shape[0]), route="primal")  # every direction
    alphas = q.early_stopping_alpha(eps, k)
    V = q.eigenvectors
    return (V * alphas) @ V.T
