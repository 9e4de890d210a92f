"""The code listings of the texts "L1、L2 和弹性网络正则化", "《python深度学习》笔记(十三):正则化" and
"【漫话机器学习系列】245.权重衰减(Weight Decay)", re-implemented and run (torch, Keras).

Importing this module registers their evidence checks (``src.apx.…``, ``src.pydl.…``,
``src.manhua.…``; :func:`theory.claims.evidence`).
"""

from __future__ import annotations

__all__: list[str] = []
