"""One style for every figure: column widths, fonts, a colour-blind-safe palette, line styles.

Widths are the common journal presets: a single column of 3.5 in (IEEE, APS, Elsevier two-column),
a double column of 7.16 in (IEEE ``\\textwidth``), and a text width of 5.5 in (a one-column article,
e.g. JMLR or a thesis). Fonts are set in points so that a figure included at its native width shows
text at the size of a footnote (``paper``: 8 pt labels, 7 pt ticks) or readable on a projector
(``slides``). Labels are mathtext (``$\\lambda/\\alpha$``), rendered by matplotlib without TeX; pass
``usetex=True`` where a TeX installation exists to typeset them with LaTeX instead.

The palette is Okabe & Ito's (*Color Universal Design*, 2008), distinguishable under the common
colour-vision deficiencies; every series also gets its own line style (and marker where points are
plotted), so a figure still reads in greyscale.

PDF and PS embed TrueType (Type 42) fonts, not matplotlib's default Type 3, which publishers reject.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass, field
from typing import Any

from theory.errors import InputError

__all__ = [
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "STYLES",
    "WIDTHS",
    "Style",
    "get_style",
]

#: Okabe–Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple
PALETTE: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# the order series take: yellow is left out (too light on white for thin lines)
_CYCLE = ("blue", "vermillion", "green", "orange", "purple", "sky", "black")

#: the second cue: one line style per series, in the same order as the colours
LINESTYLES: tuple[Any, ...] = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))

#: markers, in the same order as the colours
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")

#: inches: single column, double column, text width
WIDTHS: dict[str, float] = {"single": 3.5, "double": 7.16, "text": 5.5}


@dataclass(frozen=True, slots=True)
class Style:
    """Sizes and fonts of one output medium.

    Attributes:
        name: ``"paper"`` or ``"slides"``.
        font_size: axis labels and titles, in points.
        small_size: tick labels, legends and annotations, in points.
        line_width: data lines, in points.
        marker_size: markers, in points.
        widths: figure width in inches for ``"single"``, ``"double"`` and ``"text"``.
        font_family: the text font; mathtext uses the matching ``mathtext_fontset``.
        mathtext_fontset: ``"stix"`` (Times-like, for papers) or ``"dejavusans"``.
        usetex: typeset text with LaTeX (needs ``latex`` on the PATH).
    """

    name: str
    font_size: float
    small_size: float
    line_width: float
    marker_size: float
    widths: dict[str, float] = field(default_factory=lambda: dict(WIDTHS))
    font_family: str = "STIXGeneral"
    mathtext_fontset: str = "stix"
    usetex: bool = False

    def color(self, i: int | str) -> str:
        """The i-th colour of the cycle, or a palette colour by name."""
        if isinstance(i, str):
            return PALETTE[i]
        return PALETTE[_CYCLE[i % len(_CYCLE)]]

    def linestyle(self, i: int) -> Any:
        """The i-th line style (the second cue, paired with :meth:`color`)."""
        return LINESTYLES[i % len(LINESTYLES)]

    def marker(self, i: int) -> str:
        """The i-th marker."""
        return MARKERS[i % len(MARKERS)]

    def figsize(self, width: str, aspect: float) -> tuple[float, float]:
        """``(w, w·aspect)`` in inches for ``width`` in ``single``, ``double``, ``text``."""
        if width not in self.widths:
            raise InputError(f"unknown figure width {width!r}; choose one of {', '.join(self.widths)}")
        w = self.widths[width]
        return (w, round(w * aspect, 3))

    def rc(self) -> dict[str, Any]:
        """matplotlib ``rcParams`` for this style (use with ``matplotlib.rc_context``)."""
        from cycler import cycler

        colors = [PALETTE[c] for c in _CYCLE]
        return {
            "font.family": "serif" if self.font_family == "STIXGeneral" else "sans-serif",
            "font.serif": ["STIXGeneral", "DejaVu Serif"],
            "font.sans-serif": ["DejaVu Sans"],
            "mathtext.fontset": self.mathtext_fontset,
            "text.usetex": self.usetex,
            "font.size": self.font_size,
            "axes.labelsize": self.font_size,
            "axes.titlesize": self.font_size,
            "xtick.labelsize": self.small_size,
            "ytick.labelsize": self.small_size,
            "legend.fontsize": self.small_size,
            "legend.title_fontsize": self.small_size,
            "legend.frameon": False,
            "legend.handlelength": 2.4,
            "legend.borderaxespad": 0.3,
            "axes.prop_cycle": cycler(color=colors, linestyle=list(LINESTYLES)),
            "axes.linewidth": 0.6,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlepad": 3.0,
            "axes.labelpad": 2.0,
            "xtick.major.width": 0.6,
            "ytick.major.width": 0.6,
            "xtick.minor.width": 0.4,
            "ytick.minor.width": 0.4,
            "xtick.major.size": 3.0,
            "ytick.major.size": 3.0,
            "xtick.minor.size": 1.8,
            "ytick.minor.size": 1.8,
            "lines.linewidth": self.line_width,
            "lines.markersize": self.marker_size,
            "grid.linewidth": 0.4,
            "grid.alpha": 0.4,
            "figure.constrained_layout.use": True,
            "figure.constrained_layout.h_pad": 0.05,  # equal-aspect axes need the slack below
            "figure.constrained_layout.w_pad": 0.02,
            "figure.dpi": 100,
            "savefig.dpi": 300,
            "savefig.pad_inches": 0.02,
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "svg.fonttype": "path",
            "image.cmap": "cividis",
        }


STYLES: dict[str, Style] = {
    "paper": Style("paper", font_size=8.0, small_size=7.0, line_width=1.2, marker_size=4.0),
    "slides": Style(
        "slides",
        font_size=14.0,
        small_size=12.0,
        line_width=2.2,
        marker_size=7.0,
        widths={"single": 6.4, "double": 13.0, "text": 10.0},  # a 16:9 slide is 13.33 in wide
        font_family="DejaVu Sans",
        mathtext_fontset="dejavusans",
    ),
}


def get_style(name: str, *, usetex: bool = False) -> Style:
    """The named style; ``usetex=True`` needs ``latex`` on the PATH.

    Raises:
        InputError: an unknown name, or ``usetex`` without a TeX installation.
    """
    if name not in STYLES:
        raise InputError(f"unknown style {name!r}; choose one of {', '.join(STYLES)}")
    style = STYLES[name]
    if usetex:
        if shutil.which("latex") is None:
            raise InputError("usetex needs a TeX installation: no `latex` on the PATH")
        style = dataclasses.replace(style, usetex=True)
    return style
