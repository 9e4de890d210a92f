"""Helpers shared by the figure modules (presentation only; no theory is computed here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from figures.style import Style
    from theory.quadratic import Quadratic

__all__ = ["new_figure", "objective_grid", "panel_label"]


def new_figure(
    style: Style, width: str = "single", aspect: float = 0.75, nrows: int = 1, ncols: int = 1, **kw: Any
) -> tuple[Figure, Any]:
    """A figure of the style's ``width`` preset and height ``width·aspect`` with a grid of axes.

    Uses ``matplotlib.figure.Figure`` directly (no pyplot), so no global figure state is kept and
    building many figures leaks nothing.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=style.figsize(width, aspect), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def panel_label(ax: Axes, label: str, style: Style) -> None:
    """A bold panel letter ``(a)`` at the top left, outside the axes."""
    ax.set_title(f"({label})", loc="left", fontsize=style.font_size, fontweight="bold")


def objective_grid(q: Quadratic, xs: NDArray[Any], ys: NDArray[Any]) -> NDArray[np.float64]:
    """``J(w) − J(w*)`` of a 2-d :class:`~theory.quadratic.Quadratic` at every grid point.

    Entry ``[j, i]`` is ``q.value((xs[i], ys[j]))``, the layout ``contour`` expects.
    """
    return np.array([[q.value((float(x), float(y))) for x in xs] for y in ys])
