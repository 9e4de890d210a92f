"""weight-decay-theory: the theory of weight decay, stated as theorems and verified three ways.

The numeric core. Start with :class:`Quadratic`::

    >>> import numpy as np
    >>> from theory import Quadratic
    >>> q = Quadratic(np.diag([4.0, 1.0]), [1.0, 1.0])
    >>> q.shrinkage(1.0)            # λ_i / (λ_i + α), ascending λ
    array([0.5, 0.8])

Theorem ids (``theory.catalogue``) tie every function to its derivation in ``proofs`` and its check
in ``wdt verify``.
"""

from theory import bayes, conventions, regression, resources, selection
from theory.catalogue import CATALOGUE, Theorem
from theory.errors import (
    ConventionError,
    ConvergenceError,
    InputError,
    MissingDependencyError,
    PreconditionError,
    ResourceError,
    StabilityError,
    TheoryError,
)
from theory.quadratic import ProximalResult, Quadratic
from theory.regression import gd_least_squares_limit, min_norm_solution, regression_spectrum, ridge
from theory.selection import RidgeCVResult, ridge_cv
from theory.sparse_path import SparsePath

__all__ = [
    "CATALOGUE",
    "ConventionError",
    "ConvergenceError",
    "InputError",
    "MissingDependencyError",
    "PreconditionError",
    "ProximalResult",
    "Quadratic",
    "ResourceError",
    "RidgeCVResult",
    "SparsePath",
    "StabilityError",
    "Theorem",
    "TheoryError",
    "bayes",
    "conventions",
    "gd_least_squares_limit",
    "min_norm_solution",
    "regression",
    "regression_spectrum",
    "resources",
    "ridge",
    "ridge_cv",
    "selection",
]

__version__ = "0.1.0"
