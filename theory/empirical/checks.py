"""Empirical checks registered with ``wdt verify`` (route ``empirical``)."""
