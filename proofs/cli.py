"""Placeholder: replaced by the real subcommand (add_arguments(parser), run(args) -> int)."""

import argparse

from theory.errors import TheoryError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options."""


def run(args: argparse.Namespace) -> int:
    """Run the subcommand."""
    raise TheoryError("not built yet")
