"""The code listings of the text "深度学习笔记(五):权重衰减", re-implemented and run (torch).

Importing this module registers its evidence checks (``src.d2l.…``, :func:`theory.claims.evidence`).
"""

from __future__ import annotations

__all__: list[str] = []
