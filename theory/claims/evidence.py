"""Claim-specific evidence checks that need no torch (counterexamples, small numeric facts).

Importing this module registers them (:func:`theory.claims.evidence`); :func:`theory.claims.all_evidence`
imports it. Each check follows the ``wdt verify`` contract: cases from ``ctx.rng(salt)``, the worst
error against a tolerance derived from the route's error bound (or marked empirical with its reason).
"""

from __future__ import annotations

__all__: list[str] = []  # the checks are reached through theory.claims.all_evidence()
