"""``wdt``: the command line of weight-decay-theory.

``wdt verify``       run every registered check, one row per (theorem id, route)
``wdt proofs``       check every SymPy derivation; ``--out FILE.md`` writes the derivations document
``wdt figures``      write the figures
``wdt conventions``  the library-convention table, and one setting translated into every library

Argument parsing is the standard library's ``argparse``; tables and progress are ``rich``'s.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

from theory.errors import TheoryError

__all__ = ["build_parser", "main"]

# subcommands whose implementation lives in another package: name -> (module, help)
_DELEGATED = {
    "proofs": ("proofs.cli", "check every SymPy derivation; --out FILE.md writes the document"),
    "figures": ("figures.cli", "write the publication figures"),
}


def _add_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="run every check: one row per (theorem, route)",
        description="Run every registered check and print one row per (theorem id, route). "
        "Exit status 0 exactly when no check failed.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array instead of the table")
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
        choices=["symbolic", "numeric", "empirical"],
        help="only this route (repeatable)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of every random draw (default 0)")
    p.add_argument("--thorough", action="store_true", help="many more cases and larger models")
    p.add_argument(
        "--device", default="cpu", choices=["cpu", "cuda"], help="torch device for empirical checks"
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
    p.add_argument("--data-loss", help="the source's data term where the user chooses it (default mse)")
    p.add_argument("--target-data-loss", help="data term assumed for such targets (default mse)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_run_conventions)


def _count(text: str) -> int | float:
    """``--n``: an int when it is one (so ``1000`` prints as 1000), else a float."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The ``wdt`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="wdt",
        description="weight-decay-theory: the theory of weight decay, verified symbolically, "
        "numerically and empirically.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_verify(sub)
    for name, (module, help_text) in _DELEGATED.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module).add_arguments(p)
        p.set_defaults(func=importlib.import_module(module).run)
    _add_conventions(sub)
    return parser


def _run_verify(args: argparse.Namespace) -> int:
    from theory.verify import verify

    return verify(
        only=args.only,
        routes=args.route,
        seed=args.seed,
        thorough=args.thorough,
        device=args.device,
        as_json=args.json,
    )


def _run_conventions(args: argparse.Namespace) -> int:
    from theory.conventions_cli import print_table, print_translation

    if args.source is None:
        if args.settings:
            raise TheoryError("NAME=VALUE settings need --from API")
        return print_table(as_json=args.json)
    if args.n is None:
        raise TheoryError("--from needs --n (the number of training examples)")
    params: dict[str, float] = {}
    for item in args.settings:
        name, sep, value = item.partition("=")
        if not sep:
            raise TheoryError(f"settings are NAME=VALUE; got {item!r}")
        try:
            params[name] = float(value)
        except ValueError:
            raise TheoryError(f"{name} must be a number; got {value!r}") from None
    return print_translation(
        args.source,
        params,
        n=args.n,
        data_loss=args.data_loss,
        target_data_loss=args.target_data_loss,
        as_json=args.json,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wdt`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except TheoryError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
        else:
            print(f"wdt {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
