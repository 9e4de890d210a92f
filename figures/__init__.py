"""Publication-quality figures drawn from the verified theory.

Each figure is a module (see :mod:`figures.registry` for the contract): ``data()`` computes every
plotted array by calling :mod:`theory` (never inline) and ``draw(data, style)`` draws it in the one
style of :mod:`figures.style`; :mod:`figures.save` writes deterministic bytes atomically. The command
is ``wdt figures`` (:mod:`figures.cli`); ``figures/GALLERY.md`` shows them all.

>>> from figures import get_figure
>>> spec = get_figure("shrinkage")
>>> spec.theorems[0]
'l2.eigen'
"""

from figures.registry import FigureSpec, all_figures, get_figure, names

__all__ = ["FigureSpec", "all_figures", "get_figure", "names"]
