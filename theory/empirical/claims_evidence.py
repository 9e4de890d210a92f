"""Claim-specific evidence checks that need torch (a claim about networks decided on a real network).

Importing this module registers them (:func:`theory.claims.evidence`); torch is imported inside each
check, so that without torch the checks skip (and the claims citing them are unverified).
"""

from __future__ import annotations

__all__: list[str] = []
