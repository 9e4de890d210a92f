"""Symbolic checks registered with ``wdt verify`` (route ``symbolic``): one per derivation.

Importing this module registers the checks without importing SymPy; each check builds and verifies its
derivation on first use (cached in :mod:`proofs.registry`, so ``wdt verify`` and ``wdt proofs`` in one
process do the work once). A proved derivation is reported as ``cases`` = steps checked (definitions
excluded), ``max_error = tolerance = 0`` and the detail :attr:`~proofs.framework.Derivation.extent`
("proved for general n", with the explicit sizes of second checks and the number of definitions, or
"checked for n ≤ N"); a failing step makes the row ``fail`` with that step in the detail.
"""

from __future__ import annotations

from collections.abc import Callable

from proofs.registry import BUILDERS, report
from theory.checks import CheckContext, CheckResult, register

__all__ = ["symbolic_check"]


def symbolic_check(theorem_id: str) -> Callable[[CheckContext], CheckResult]:
    """The ``wdt verify`` check of ``theorem_id``'s derivation (the context is not needed: no draws)."""

    def run(ctx: CheckContext) -> CheckResult:
        outcome = report(theorem_id)
        return CheckResult(
            cases=outcome.checked,
            max_error=0.0,
            tolerance=0.0,
            detail=outcome.detail,
            status="pass" if outcome.ok else "fail",
        )

    run.__name__ = f"symbolic_{theorem_id.replace('.', '_')}"
    run.__doc__ = f"Check every step of the SymPy derivation of {theorem_id}."
    return run


for _theorem_id in BUILDERS:
    register(_theorem_id, "symbolic", "SymPy derivation, every step checked")(symbolic_check(_theorem_id))
