"""Publication-quality figures drawn from the verified theory, and the style to draw your own.

For your own figures: :mod:`figures.style` (``with figures.style.use("paper"):``, the shipped
``.mplstyle`` files, and the layout helpers :func:`new_figure`, :func:`panel_label`,
:func:`tidy_log_axes`, :func:`save_figure`, exported here too).

Each figure is a module (see :mod:`figures.registry` for the contract): ``data()`` computes every
plotted array by calling :mod:`theory` (never inline) and ``draw(data, style)`` draws it in the one
style of :mod:`figures.style`; :mod:`figures.save` writes deterministic bytes atomically. The command
is ``wdt figures`` (:mod:`figures.cli`); ``figures/GALLERY.md`` shows them all.

>>> from figures import get_figure
>>> spec = get_figure("shrinkage")
>>> spec.theorems[0]
'l2.eigen'
"""

from figures import style
from figures.registry import FigureSpec, all_figures, get_figure, names
from figures.style import new_figure, panel_label, save_figure, tidy_log_axes

__all__ = [
    "FigureSpec",
    "all_figures",
    "get_figure",
    "names",
    "new_figure",
    "panel_label",
    "save_figure",
    "style",
    "tidy_log_axes",
]
