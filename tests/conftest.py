"""Shared test configuration: Hypothesis profiles (choose with HYPOTHESIS_PROFILE).

- ``default``: fast, for development (50 examples);
- ``ci``: derandomized, so CI is reproducible (the same 50 examples every run); the default when
  the environment variable ``CI`` is set, so CI runs the README's very command;
- ``thorough``: 1000 examples a property, for hunting worst cases (tests call ``target()`` on their
  error/tolerance ratio so Hypothesis climbs towards the worst case).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))
