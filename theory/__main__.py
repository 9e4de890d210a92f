"""``python -m theory``: the ``wdt`` command without the installed script (:mod:`theory.harness.cli`)."""

import sys

from theory.harness.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
