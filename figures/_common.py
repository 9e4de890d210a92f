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

__all__ = ["clipped_inches", "log_tick_label", "new_figure", "objective_grid", "panel_label", "tidy_log_axes"]


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


def log_tick_label(value: float, _pos: object = None) -> str:
    """``0.001, 0.01, …, 1000`` for decades within 10^±3 (plain text), ``$10^{-6}$`` beyond.

    matplotlib's default ``$10^{-1}$`` labels go through the mathtext parser, which costs about
    30 ms a label and format; plain decimals cost nothing and read better on a λ/α axis.
    """
    if value <= 0 or not np.isfinite(value):
        return ""
    e = round(float(np.log10(value)))
    if not np.isclose(value, 10.0**e, rtol=1e-9):
        return ""
    if -3 <= e <= 3:
        return f"{10.0**e:.{max(-e, 0)}f}"
    return f"$10^{{{e}}}$"


def tidy_log_axes(fig: Figure) -> Figure:
    """Give every log-scaled axis (secondary axes included) :func:`log_tick_label` labels."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    def walk(axes: list[Any]) -> list[Any]:
        out = []
        for ax in axes:
            out.append(ax)
            out.extend(walk(list(getattr(ax, "child_axes", []))))
        return out

    for ax in walk(list(fig.axes)):
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_formatter(FuncFormatter(log_tick_label))
                axis.set_minor_formatter(NullFormatter())
    return fig


def clipped_inches(fig: Figure) -> float:
    """How far (in inches) the drawn artists reach beyond the figure's edges; ≤ 0 when nothing is clipped.

    Lays the figure out (constrained layout included) without rendering and compares its tight bounding
    box, which counts only what is drawn (labels, legends, annotations), with the canvas. Must be called
    inside the style's ``rc_context``, as the layout depends on the font sizes.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    bb = fig.get_tightbbox(canvas.get_renderer())
    w, h = fig.get_size_inches()
    return float(max(-bb.x0, -bb.y0, bb.x1 - w, bb.y1 - h))
