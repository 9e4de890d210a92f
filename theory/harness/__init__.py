"""The verification harness: what runs the checks and reports on them, kept apart from the theory.

``theory/`` holds the mathematics (closed forms, paths, estimators, conventions) with its two public
contracts beside it: :mod:`theory.catalogue` (the theorems, with ``add`` for your own) and
:mod:`theory.checks` (``register``, ``CheckResult``, ``ErrorTracker``, plugins). Everything that
*runs* them lives here:

* :mod:`theory.harness.cli`: the ``wdt`` command (also ``python -m theory``);
* :mod:`theory.harness.verify`: ``wdt verify``, its tables and JSON;
* :mod:`theory.harness.numeric_checks` and its topic siblings (``numeric_checks_si``,
  ``…_equilibrium``, ``…_dynamics``, ``…_double_descent``): the numeric route, each closed form
  against an independent route on drawn cases;
* :mod:`theory.harness.docs`: the generated blocks of ``README.md`` and ``docs/``;
* :mod:`theory.harness.console`: terminal width, plain text for pipes, "did you mean";
* :mod:`theory.harness.conventions_cli`: the ``wdt conventions`` table.

The symbolic route lives in ``proofs/``, the empirical one in :mod:`theory.empirical`, the source-text
ledger in :mod:`theory.claims`.
"""
