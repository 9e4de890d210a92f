"""Private helpers of the figure modules and their tests (no theory is computed here).

The public layout helpers (``new_figure``, ``panel_label``, ``tidy_log_axes``, ``save_figure``) are in
:mod:`figures.style`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from theory.quadratic import Quadratic

__all__ = ["clipped_inches", "objective_grid"]


def objective_grid(q: Quadratic, xs: NDArray[Any], ys: NDArray[Any]) -> NDArray[np.float64]:
    """``J(w) − J(w*)`` of a 2-d :class:`~theory.quadratic.Quadratic` at every grid point.

    Entry ``[j, i]`` is ``q.value((xs[i], ys[j]))``, the layout ``contour`` expects.
    """
    return np.array([[q.value((float(x), float(y))) for x in xs] for y in ys])


def clipped_inches(fig: Figure, *, layout: bool = True) -> float:
    """How far (in inches) the drawn artists reach beyond the figure's edges; ≤ 0 when nothing is clipped.

    Lays the figure out (constrained layout included) without rendering and compares its tight bounding
    box, which counts only what is drawn (labels, legends, annotations), with the canvas. Must be called
    inside the style's ``rc_context``, as the layout depends on the font sizes. ``layout=False`` skips
    the layout for a figure already laid out on an Agg canvas (it costs most of the time).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if (not layout and isinstance(fig.canvas, FigureCanvasAgg)) else FigureCanvasAgg(fig)
    if layout or canvas is not fig.canvas:
        fig.draw_without_rendering()
    bb = fig.get_tightbbox(canvas.get_renderer())
    w, h = fig.get_size_inches()
    return float(max(-bb.x0, -bb.y0, bb.x1 - w, bb.y1 - h))
