"""The figures' ``data()``, computed once per test session and shared by every figure test module.

The torch figures take most of a minute to compute; ``tests/test_figures*.py`` and
``tests/test_figure_style.py`` import :func:`data_of` from here, so the suite pays for each only once.
"""

from __future__ import annotations

from typing import Any

from figures import registry

_DATA: dict[str, dict[str, Any]] = {}


def data_of(name: str) -> dict[str, Any]:
    """``data()`` of the figure ``name``, computed on first use and then reused."""
    if name not in _DATA:
        _DATA[name] = registry.get_figure(name).data()
    return _DATA[name]
