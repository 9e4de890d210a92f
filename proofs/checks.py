"""Symbolic checks registered with ``wdt verify`` (route ``symbolic``)."""
