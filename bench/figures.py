"""Benchmark: where `wdt figures` spends its time, per figure and stage.

Prints, for every registered figure, the seconds of ``data()`` (theory / torch), ``draw`` and each
format's save, then two ratios against named baselines:

- log-axis tick labels: one format per axis (:func:`figures.style.tidy_log_axes`) against
  matplotlib's default mathtext ``$10^{k}$`` labels (``LogFormatterSciNotation``), PNG + PDF save;
- the whole run against the issue's budget of 60 s.

Run: ``python bench/figures.py [--formats png,pdf] [--only NAME ...]``. Numbers go into notes and
the README's performance section; tests never assert them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# this file is called figures.py: keep its folder off sys.path so `import figures` finds the package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import matplotlib  # noqa: E402
from matplotlib import rc_context  # noqa: E402
from matplotlib.ticker import LogFormatterSciNotation  # noqa: E402

from figures.registry import all_figures, get_figure, torch_available  # noqa: E402
from figures.save import figure_bytes  # noqa: E402
from figures.style import get_style  # noqa: E402

BUDGET_S = 60.0


def _default_log_ticks(fig: matplotlib.figure.Figure) -> None:
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_formatter(LogFormatterSciNotation())


def main() -> None:
    matplotlib.use("Agg", force=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="png,pdf")
    parser.add_argument("--only", nargs="+", default=[])
    args = parser.parse_args()
    formats = args.formats.split(",")
    style = get_style("paper")
    specs = [get_figure(n) for n in args.only] if args.only else all_figures()
    have_torch = torch_available()
    total = 0.0
    plain_save = default_save = 0.0
    head = " ".join(f"{f:>7s}" for f in formats)
    print(f"{'figure':22s} {'data':>7s} {'draw':>7s} {head} {'total':>7s}")
    for spec in specs:
        if spec.needs_torch and not have_torch:
            print(f"{spec.name:22s} skipped: torch not installed")
            continue
        t0 = time.perf_counter()
        d = spec.data()
        t1 = time.perf_counter()
        with rc_context(style.rc()):
            fig = spec.draw(d, style)
            t2 = time.perf_counter()
            saves = []
            for fmt in formats:
                s = time.perf_counter()
                figure_bytes(fig, fmt)
                saves.append(time.perf_counter() - s)
            plain_save += sum(saves[:2])
            # baseline: the same figure with matplotlib's default mathtext log labels
            base = spec.module.draw(d, style)
            _default_log_ticks(base)
            s = time.perf_counter()
            for fmt in formats[:2]:
                figure_bytes(base, fmt)
            default_save += time.perf_counter() - s
        row = t1 - t0 + t2 - t1 + sum(saves)
        total += row
        print(
            f"{spec.name:22s} {t1 - t0:7.2f} {t2 - t1:7.2f} "
            + " ".join(f"{x:7.2f}" for x in saves)
            + f" {row:7.2f}"
        )
    print(f"\nall figures: {total:.1f} s = {total / BUDGET_S:.2f} × the {BUDGET_S:.0f} s budget")
    if plain_save > 0:
        print(
            f"save with plain-text log ticks: {plain_save:.1f} s; with default mathtext ticks: "
            f"{default_save:.1f} s (ratio {default_save / plain_save:.2f})"
        )


if __name__ == "__main__":
    main()
