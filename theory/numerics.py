"""Tolerances that scale with size, conditioning and dtype, and the error measures they bound.

A bare ``1e-8`` means nothing for a matrix with condition number 1e12. The bounds here follow the
standard backward-error argument (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
§7.1): solving or eigendecomposing a d×d system with condition number κ in precision ``eps`` gives a
relative error of order ``d·κ·eps`` in a residual-type identity, and of order ``d·κ²·eps`` in a
product or commutator of two such matrices (docs/reference.md, "Traps"). Checks report the measured
``error / tolerance`` so a reader sees the margin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from theory.validate import dtype_eps

__all__ = ["eigenbasis_tolerance", "product_tolerance", "relative_error", "residual_tolerance"]


def residual_tolerance(d: int, kappa: float, dtype: Any = np.float64, c: float = 10.0) -> float:
    """``c · d · κ · eps(dtype)``: the bound for one solve or one eigendecomposition."""
    return c * max(d, 1) * max(float(kappa), 1.0) * dtype_eps(dtype)


def eigenbasis_tolerance(d: int, kappa: float = 1.0, dtype: Any = np.float64) -> float:
    """``3 · residual_tolerance``: a result assembled as ``Q f(Λ) Qᵀx`` passes three O(d·eps) stages.

    They are ``eigh``'s backward error (``H = QΛQᵀ + E``, ``‖E‖ ≤ c·d·eps·‖H‖``) and the two products
    with Q (each ``γ_d = d·eps/(1 − d·eps)``, Higham §3.5); their errors add.
    """
    return 3.0 * residual_tolerance(d, kappa, dtype)


def product_tolerance(d: int, kappa: float, dtype: Any = np.float64, c: float = 10.0) -> float:
    """``c · d · κ² · eps(dtype)``: the bound for a product or commutator of ill-conditioned factors."""
    return c * max(d, 1) * max(float(kappa), 1.0) ** 2 * dtype_eps(dtype)


def relative_error(actual: ArrayLike, expected: ArrayLike) -> float:
    """``‖actual − expected‖₂ / ‖expected‖₂`` (absolute error when ``expected`` is zero)."""
    a = np.asarray(actual, dtype=np.float64)
    b = np.asarray(expected, dtype=np.float64)
    num = float(np.linalg.norm(a - b))
    den = float(np.linalg.norm(b))
    return num / den if den > 0 else num
