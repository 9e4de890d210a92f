"""SymPy derivations of the catalogue's theorems (the symbolic route).

Each theorem id of :mod:`theory.catalogue` with a derivation maps to a builder in
:mod:`proofs.registry`; :mod:`proofs.framework` checks the steps, :mod:`proofs.document` renders them
(``wdt proofs --out proofs/DERIVATIONS.md``) and :mod:`proofs.checks` registers them with
``wdt verify`` (route ``symbolic``). Importing this package does not import SymPy.
"""

from proofs.registry import BUILDERS, derivation, ids, report

__all__ = ["BUILDERS", "derivation", "ids", "report"]
