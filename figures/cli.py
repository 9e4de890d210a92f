"""``wdt figures``: write the publication figures.

::

    wdt figures [--out DIR] [--format pdf,png,svg] [--only NAME ...] [--style paper|slides]
                [--dpi N] [--usetex] [--list]

Each figure's data are computed by :mod:`theory` (see :mod:`figures.registry`), drawn in one style
(:mod:`figures.style`) and written deterministically and atomically (:mod:`figures.save`). Figures
that train torch models are skipped, with a message, when torch is not installed; asking for one by
name with ``--only`` is then an error.

Module-level imports are kept light (no matplotlib, no torch): ``wdt --help`` stays fast.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from theory.errors import InputError, TheoryError

__all__ = ["DEFAULT_DPI", "DEFAULT_OUT", "GALLERY_DPI", "add_arguments", "parse_formats", "run"]

DEFAULT_OUT = Path("figures") / "out"

#: dots per inch of a PNG when ``--dpi`` is not given: the styles' ``savefig.dpi`` (print quality)
DEFAULT_DPI = 300
#: dots per inch of the committed gallery PNGs (``figures/GALLERY.md`` gives the command)
GALLERY_DPI = 150


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``wdt figures``."""
    parser.epilog = "example: wdt figures --only l2-contours shrinkage --format pdf,png"
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"output directory (default {DEFAULT_OUT}/)",
    )
    parser.add_argument(
        "--format",
        dest="formats",
        default="pdf,png",
        metavar="FMT[,FMT]",
        help="comma-separated formats among pdf, png, svg (default pdf,png)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        type=str.lower,  # figure names are lower case: any case is accepted
        metavar="NAME",
        help="only these figures (see --list)",
    )
    parser.add_argument(
        "--style",
        default="paper",
        type=str.lower,
        metavar="STYLE",
        help="paper (column widths, 8 pt) or slides (large type); default paper",
    )
    parser.add_argument(
        "--dpi",
        type=float,
        default=None,
        help=f"PNG resolution in dots per inch (default {DEFAULT_DPI}, print quality; "
        f"the gallery in figures/GALLERY.md uses {GALLERY_DPI})",
    )
    parser.add_argument("--usetex", action="store_true", help="typeset text with LaTeX (needs TeX)")
    parser.add_argument("--list", action="store_true", help="name every figure, one line each")


def parse_formats(text: str) -> list[str]:
    """``"pdf,png"`` → ``["pdf", "png"]``; an :class:`InputError` names any unknown format."""
    from figures.save import FORMATS

    formats = [f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()]
    if not formats:
        raise InputError(f"--format needs at least one of {', '.join(FORMATS)}; got {text!r}")
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise InputError(f"unknown figure format {bad[0]!r}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(formats))


def _console():  # type: ignore[no-untyped-def]
    from theory.harness.console import console

    return console()


def _check_names(names: list[str], style: str) -> None:
    """An :class:`InputError` for an unknown figure or style name, with a "did you mean"."""
    from figures.registry import names as figure_names
    from figures.style import STYLES
    from theory.harness.console import did_you_mean

    known = figure_names()
    for name in names:
        if name not in known:
            hint = did_you_mean(name, known)
            raise InputError(f"unknown figure {name!r}; choose from {', '.join(known)}{hint}")
    if style not in STYLES:
        hint = did_you_mean(style, STYLES)
        raise InputError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}{hint}")


def _list(only: list[str] | None = None) -> int:
    """Per figure: name, what it shows, the theorem ids. Plain text (a pipe without ``COLUMNS``): one
    line each, so it greps well; a terminal or ``COLUMNS``: a table that fits the width. ``only``: just
    these figures."""
    from rich.markup import escape
    from rich.table import Table

    from figures.registry import all_figures, torch_available
    from theory.harness.console import is_plain

    console = _console()
    specs = [s for s in all_figures() if not only or s.name in only]
    width = max(len(s.name) for s in specs)
    have_torch = torch_available()
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column("figure", no_wrap=True, style="bold")
    table.add_column("shows", ratio=1)
    for spec in specs:
        note = "" if have_torch or not spec.needs_torch else " [yellow](needs torch)[/]"
        shows = f"{escape(spec.description)}{note}  [dim]\\[{', '.join(spec.theorems)}][/]"
        if is_plain(console):
            console.print(f"[bold]{spec.name:{width}s}[/]  {shows}", soft_wrap=True, highlight=False)
        else:
            table.add_row(spec.name, shows)
    if table.row_count:
        console.print(table, highlight=False)
    return 0


def run(args: argparse.Namespace) -> int:
    """Write the selected figures; 0 when all were written, 1 when one failed (it is reported and
    the others are still written); bad arguments raise :class:`InputError` (exit status 2)."""
    if getattr(args, "list", False):
        _check_names(list(args.only), args.style)  # honoured: --only lists those; a bad name is refused
        return _list(list(args.only))

    from figures.registry import all_figures, get_figure, torch_available
    from figures.style import get_style

    formats = parse_formats(args.formats)
    _check_names(list(args.only), args.style)
    style = get_style(args.style, usetex=args.usetex)
    if args.dpi is not None and not 0 < args.dpi < float("inf"):
        raise InputError(f"--dpi must be positive and finite; got {args.dpi}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out must be a directory; {str(out)!r} is a file")
    try:  # before drawing anything: a path below a file, or where no folder can be made, is refused
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {str(out)!r}: cannot make that directory ({exc.strerror or exc})") from None
    have_torch = torch_available()
    if args.only:
        specs = [get_figure(name) for name in dict.fromkeys(args.only)]
        missing = [s.name for s in specs if s.needs_torch and not have_torch]
        if missing:
            raise InputError(
                f"figure {missing[0]!r} trains torch models and torch is not installed; "
                "install the extra: pip install 'weight-decay-theory[torch]'"
            )
    else:
        specs = all_figures()

    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import rc_context
    from rich.markup import escape
    from rich.table import Table

    from figures.save import save_figure
    from theory.harness.console import console as make_console
    from theory.harness.console import table_box

    console = _console()
    progress = make_console(stderr=True)  # the spinner: standard error, so the table pipes cleanly
    table = Table(title=f"wdt figures → {args.out}", header_style="bold", box=table_box(console))
    table.add_column("figure", no_wrap=True)
    table.add_column("theorems")
    table.add_column("files")
    table.add_column("s", justify="right")
    start = time.perf_counter()
    failed: list[str] = []
    done = 0
    for spec in specs:
        if spec.needs_torch and not have_torch:
            table.add_row(spec.name, ", ".join(spec.theorems), "[yellow]skipped: torch not installed[/]", "")
            continue
        t0 = time.perf_counter()
        try:
            with progress.status(f"{spec.name} …"), rc_context(style.rc()):  # type: ignore[arg-type]
                fig = spec.draw(spec.data(), style)
                written = [save_figure(fig, out / f"{spec.name}.{fmt}", dpi=args.dpi) for fmt in formats]
        except TheoryError as exc:  # one figure's theory refused its input: report, go on
            failed.append(spec.name)
            table.add_row(
                spec.name,
                ", ".join(spec.theorems),
                f"[bold red]failed: {type(exc).__name__}: {escape(str(exc))}[/]",
                f"{time.perf_counter() - t0:.2f}",
            )
            continue
        done += 1
        table.add_row(
            spec.name,
            ", ".join(spec.theorems),
            " ".join(p.name for p in written),
            f"{time.perf_counter() - t0:.2f}",
        )
    console.print(table)
    console.print(
        f"{done} figure(s) in {time.perf_counter() - start:.1f} s"
        + (f"; [bold red]{len(failed)} failed: {', '.join(failed)}[/]" if failed else "")
    )
    if failed:
        return 1
    return 0
