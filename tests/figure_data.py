"""The figures' ``data()`` and laid-out drawings, computed once per test session and shared by every
figure test module.

The torch figures take most of a minute to compute; ``tests/test_figures*.py`` and
``tests/test_figure_style.py`` import :func:`data_of` from here, so the suite pays for each only once.
"""

from __future__ import annotations

from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from figures import registry
from figures.style import get_style

_DATA: dict[str, dict[str, Any]] = {}
_FIGURES: dict[tuple[str, str], Figure] = {}


def data_of(name: str) -> dict[str, Any]:
    """``data()`` of the figure ``name``, computed on first use and then reused."""
    if name not in _DATA:
        _DATA[name] = registry.get_figure(name).data()
    return _DATA[name]


def laid_out(name: str, style: str = "paper") -> Figure:
    """The figure ``name`` drawn in ``style`` and laid out once (Agg canvas, constrained layout, the
    style's dpi), shared by the tests that only read it: the layout costs most of a figure's time."""
    if (name, style) not in _FIGURES:
        st = get_style(style)
        with rc_context(st.rc()):
            fig = registry.get_figure(name).draw(data_of(name), st)
            FigureCanvasAgg(fig)
            fig.draw_without_rendering()
        _FIGURES[name, style] = fig
    return _FIGURES[name, style]
