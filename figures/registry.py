"""The figure registry: one module per figure, each a name, a line, theorem ids, ``data`` and ``draw``.

A figure module defines

- ``NAME``: the name ``wdt figures --only`` takes, e.g. ``"l2-contours"``;
- ``DESCRIPTION``: one line;
- ``THEOREMS``: the catalogue ids it shows (:mod:`theory.catalogue`);
- ``NEEDS_TORCH``: whether ``data()`` trains torch models (``theory.empirical``);
- ``data() -> dict``: every plotted array, computed by calls into :mod:`theory` (never inline), so
  the figure is exactly as verified as the functions it plots; tests compare it with direct calls;
- ``draw(data, style) -> matplotlib.figure.Figure``: presentation only.

Modules are imported on first use, so ``wdt figures --list`` costs no torch import.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from theory.catalogue import CATALOGUE
from theory.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from figures.style import Style

__all__ = ["FIGURE_MODULES", "FigureSpec", "all_figures", "get_figure", "names", "torch_available"]

#: registry order is the order of the issue (and of the gallery)
FIGURE_MODULES: tuple[str, ...] = (
    "figures.l2_contours",
    "figures.early_stopping_vs_l2",
    "figures.shrinkage",
    "figures.tau_approximation",
    "figures.l1_vs_l2",
    "figures.regularisation_path",
    "figures.d2l_curves",
    "figures.d2l_lambda_sweep",
    "figures.optimizers",
    "figures.hessian_shrinkage",
    "figures.network_report",
    "figures.priors",
    "figures.effective_lr",
    "figures.rotational_equilibrium",
    "figures.conditioning",
    "figures.double_descent",
)


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """One registered figure (see the module docstring for the contract)."""

    name: str
    description: str
    theorems: tuple[str, ...]
    needs_torch: bool
    module: ModuleType

    def data(self) -> dict[str, Any]:
        """The plotted arrays, computed by :mod:`theory`."""
        fn: Callable[[], dict[str, Any]] = self.module.data
        return fn()

    def draw(self, data: dict[str, Any], style: Style) -> Figure:
        """The matplotlib figure of ``data`` in ``style``."""
        from figures.style import tidy_log_axes

        fn: Callable[[dict[str, Any], Style], Figure] = self.module.draw
        return tidy_log_axes(fn(data, style))


def torch_available() -> bool:
    """Whether torch is installed (found without importing it, so ``--list`` stays fast)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):  # blocked by an import hook, or sys.modules["torch"] = None
        return False


def _load(module_name: str) -> FigureSpec:
    mod = importlib.import_module(module_name)
    theorems = tuple(mod.THEOREMS)
    unknown = [t for t in theorems if t not in CATALOGUE]
    if unknown:  # a programming error in the figure module, caught by the tests
        raise InputError(f"figure {mod.NAME!r} names unknown theorem ids {unknown}")
    return FigureSpec(mod.NAME, mod.DESCRIPTION, theorems, bool(mod.NEEDS_TORCH), mod)


def all_figures() -> list[FigureSpec]:
    """Every registered figure, in gallery order."""
    return [_load(m) for m in FIGURE_MODULES]


def names() -> list[str]:
    """The figure names, in gallery order."""
    return [f.name for f in all_figures()]


def get_figure(name: str) -> FigureSpec:
    """The figure called ``name``.

    Raises:
        InputError: no such figure (the message lists the names).
    """
    for spec in all_figures():
        if spec.name == name:
            return spec
    raise InputError(f"unknown figure {name!r}; choose from {', '.join(names())}")
