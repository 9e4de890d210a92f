"""Numeric checks of ridge.double_descent.

Imported by :func:`theory.checks.all_checks` (``PROVIDERS``); importing it registers the checks.
"""

from __future__ import annotations

__all__: list[str] = []  # the checks are reached through theory.checks.all_checks()
