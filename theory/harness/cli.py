"""``wdt``: the command line of weight-decay-theory.

``wdt verify``       run every registered check, one row per theorem (``--verbose``: per (theorem, route))
``wdt proofs``       check every SymPy derivation; ``--out FILE.md`` writes the derivations document
``wdt figures``      write the figures
``wdt conventions``  the library-convention table, and one setting translated into every library
``wdt claims``       the claims ledger: every claim of the five source texts, its verdict, its evidence run
``wdt --version``    the installed version

A misspelt subcommand, route, device, theorem id prefix, figure or library API name is answered with
the closest valid one ("did you mean"); progress of a command that takes more than a second goes to
standard error, so standard output stays clean for pipes and ``--json``.

Argument parsing is the standard library's ``argparse``; tables and progress are ``rich``'s.

Exit status: 0 success; 1 a check or derivation failed; 2 bad usage or a :class:`~theory.errors.TheoryError`
(for example ``--device cuda`` on a machine without CUDA); 130 interrupted by Ctrl-C (``wdt verify``
prints the rows it finished first); 141 (128 + SIGPIPE, as a shell reports it) when standard output
was closed early, as by ``wdt verify | head``: no traceback in either case.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import re
import sys
from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version
from typing import NoReturn

from theory.errors import InputError, TheoryError

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "build_parser", "main", "seed_type", "version"]

#: 128 + SIGINT: what a shell reports for a program stopped by Ctrl-C
EXIT_INTERRUPTED = 130
#: 128 + SIGPIPE: what a shell reports for a program whose reader went away
EXIT_BROKEN_PIPE = 141

# subcommands whose implementation lives in another package: name -> (module, help)
_DELEGATED = {
    "proofs": ("proofs.cli", "check every SymPy derivation; --out FILE.md writes the document"),
    "figures": ("figures.cli", "write the publication figures"),
    "claims": ("theory.claims.cli", "the source texts' claims, each with its verdict and the evidence, run"),
}


def _add_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="run every check: one row per theorem, a status per route",
        description="Run every registered check and print one row per theorem: its id, title and, "
        "per route, the status with its margin (worst error / tolerance), e.g. 'pass 0.03'. "
        "--verbose: one row per (theorem, route). Exit status 0 exactly when no check failed.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array instead of the table")
    p.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="one row per (theorem, route) with source, cases, error / tolerance and seconds",
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PREFIX",
        help="theorem id prefix, e.g. 'es.' (repeatable)",
    )
    p.add_argument(
        "--route",
        action="append",
        default=[],
        type=str.lower,  # any case: 'Numeric' is 'numeric'
        choices=["symbolic", "numeric", "empirical"],
        help="only this route (repeatable)",
    )
    p.add_argument("--seed", type=seed_type, default=0, help="seed of every random draw (default 0)")
    p.add_argument("--thorough", action="store_true", help="many more cases and larger models")
    p.add_argument(
        "--device",
        default="cpu",
        type=str.lower,
        choices=["cpu", "cuda"],
        help="torch device for empirical checks",
    )
    p.add_argument(
        "--plugin",
        action="append",
        default=[],
        type=_plugin_name,
        metavar="MODULE",
        help="also load this plugin: a module name or a .py file (repeatable); installed plugins "
        "(entry-point group weight_decay_theory.plugins) are always loaded",
    )
    p.set_defaults(func=_run_verify)


def _add_conventions(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "conventions",
        help="library regularisation conventions, and translation between them",
        description="Without --from: the table of every library's convention, with the canonical λ, μ "
        "computed by the code. With --from: one setting in every library's terms.",
        epilog="example: wdt conventions --from torch.SGD weight_decay=1e-4 --n 1000",
    )
    p.add_argument("--from", dest="source", metavar="API", help="e.g. torch.SGD, sklearn.Ridge")
    p.add_argument("settings", nargs="*", metavar="NAME=VALUE", help="the source's parameters")
    p.add_argument("--n", type=_count, help="number of training examples (needed with --from)")
    p.add_argument(
        "--data-loss", type=str.lower, help="the source's data term where the user chooses it (default mse)"
    )
    p.add_argument(
        "--target-data-loss", type=str.lower, help="data term assumed for such targets (default mse)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_run_conventions)


def seed_type(text: str) -> int:
    """``--seed`` (of ``wdt verify`` and ``wdt claims``): a non-negative integer (NumPy's generators
    take no negative seed)."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer; got {text!r}") from None
    if seed < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer; got {seed}")
    return seed


def _count(text: str) -> int:
    """``--n``: the number of training examples, a positive integer (``1000`` or ``1e3``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a positive integer (a sample count); got {text!r}"
        ) from None
    if not (math.isfinite(value) and value.is_integer() and value >= 1):
        raise argparse.ArgumentTypeError(f"must be a positive integer (a sample count); got {text}")
    return int(value)


#: words users type for a choice by another name (``--device gpu``): the hint names the choice
_ALIASES = {"gpu": "cuda", "cuda:0": "cuda"}

_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<word>[^']*)' \(choose from (?P<choices>.*)\)")


class _Parser(argparse.ArgumentParser):
    """``argparse`` with a "did you mean" after an invalid choice (a subcommand, ``--route``,
    ``--device``): the closest choice by :func:`difflib.get_close_matches`, case-insensitive."""

    def error(self, message: str) -> NoReturn:
        match = _INVALID_CHOICE.search(message)
        if match:
            from theory.harness.console import did_you_mean

            choices = re.findall(r"'([^']*)'", match["choices"])
            alias = _ALIASES.get(match["word"].lower())
            message += (
                f"; did you mean {alias!r}?" if alias in choices else did_you_mean(match["word"], choices)
            )
        super().error(message)


def version() -> str:
    """The installed distribution's version (``importlib.metadata``), or ``unknown`` when the
    package runs from a checkout that was never installed."""
    try:
        return _distribution_version("weight-decay-theory")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The ``wdt`` argument parser."""
    parser = _Parser(
        prog="wdt",
        description="weight-decay-theory: the theory of weight decay, verified symbolically, "
        "numerically and empirically.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_verify(sub)
    for name, (module, help_text) in _DELEGATED.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module).add_arguments(p)
        p.set_defaults(func=importlib.import_module(module).run)
    _add_conventions(sub)
    return parser


def _check_device(device: str) -> None:
    """Fail before running anything when ``device`` is not present here (a CUDA run must not "pass"
    with every empirical row skipped). ``cpu`` needs no check, and no torch."""
    if device == "cpu":
        return
    from theory.empirical import resolve_device

    resolve_device(device)  # DeviceUnavailableError (a TheoryError: exit status 2) without CUDA


def _run_verify(args: argparse.Namespace) -> int:
    from theory.harness.verify import verify

    _check_device(args.device)
    return verify(
        only=args.only,
        routes=args.route,
        seed=args.seed,
        thorough=args.thorough,
        device=args.device,
        as_json=args.json,
        plugins=args.plugin,
        verbose=args.verbose,
    )


def _plugin_name(text: str) -> str:
    """``--plugin``'s value; an empty one, or a ``.py`` file that does not exist, is a usage error (a
    bad argument: exit status 2); a module that fails to import is a failed row ``plugin:<name>``."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"needs a module name or a .py file; got {text!r}")
    if text.endswith(".py") and not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"no plugin file {text!r} (from {os.getcwd()})")
    return text


def _run_conventions(args: argparse.Namespace) -> int:
    from theory.harness.conventions_cli import print_table, print_translation

    if args.source is None:
        if args.settings:
            raise InputError("NAME=VALUE settings need --from API")
        return print_table(as_json=args.json)
    if args.n is None:
        raise InputError("--from needs --n (the number of training examples)")
    params: dict[str, float] = {}
    for item in args.settings:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"settings are NAME=VALUE; got {item!r}")
        try:
            params[name] = float(value)
        except ValueError:
            raise InputError(f"{name} must be a number; got {value!r}") from None
    return print_translation(
        args.source,
        params,
        n=args.n,
        data_loss=args.data_loss,
        target_data_loss=args.target_data_loss,
        as_json=args.json,
    )


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's final flush of a closed pipe does
    not print "Exception ignored ... BrokenPipeError" (the Python docs' note on SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (pytest's capture): nothing to silence
        pass
    finally:
        os.close(devnull)


@contextlib.contextmanager
def _rich_raises_broken_pipe() -> Iterator[None]:
    """Make every ``rich`` console raise :class:`BrokenPipeError` on a closed pipe.

    ``rich.console.Console.on_broken_pipe`` exits with status 1 by default (its own documented hook),
    which would read as "a check failed"; raising instead lets :func:`main` give every subcommand,
    including the delegated ``proofs`` and ``figures``, the same status 141. Restored on exit, so an
    in-process call (the tests) leaves ``rich`` as it found it.
    """
    from rich.console import Console

    def on_broken_pipe(self: Console) -> None:
        self.quiet = True
        raise BrokenPipeError

    saved = Console.on_broken_pipe
    Console.on_broken_pipe = on_broken_pipe  # type: ignore[method-assign]
    try:
        yield
    finally:
        Console.on_broken_pipe = saved  # type: ignore[method-assign]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wdt`` console script; returns the exit status (see the module docstring)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _rich_raises_broken_pipe():
            status = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows up here at the latest, inside the handler below
        return status
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print(f"wdt {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except TheoryError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
        else:
            print(f"wdt {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
