"""Testing helpers for users of the toolkit: Hypothesis strategies (:mod:`theory.testing.strategies`)."""
