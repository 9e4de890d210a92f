"""Testing helpers for users of the toolkit.

- :mod:`theory.testing.strategies`: Hypothesis strategies (matrices with a known spectrum, quadratics,
  diagonal and identity Hessians, regression and classification data);
- :func:`property_check` (:mod:`theory.testing.bridge`): a Hypothesis property returning
  ``(error, tolerance)`` as a check of ``wdt verify``, with the shrunk counterexample on failure.
"""

from theory.testing.bridge import property_check, run_property

__all__ = ["property_check", "run_property"]
