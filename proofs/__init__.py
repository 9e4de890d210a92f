"""SymPy derivations of the catalogue's theorems (the symbolic route).

Each theorem id of :mod:`theory.catalogue` with a derivation maps to a builder in
:mod:`proofs.registry`; :mod:`proofs.framework` checks the steps, :mod:`proofs.document` renders them
(``wdt proofs --out proofs/DERIVATIONS.md``) and :mod:`proofs.checks` registers them with
``wdt verify`` (route ``symbolic``). Importing this package does not import SymPy.

In Jupyter, ``proofs.derivation("l2.eigen")`` displays as its section of the derivations document;
``for step in d: step.check()`` gives a :class:`~proofs.framework.StepResult` per step (what was
compared, how, why, and on failure the residue). :mod:`proofs.exercises` asks for catalogue results
and judges a student's expression: proved, a counterexample, right only in a special case, or undecided.
"""

from proofs.registry import BUILDERS, derivation, ids, report

__all__ = ["BUILDERS", "derivation", "ids", "report"]
