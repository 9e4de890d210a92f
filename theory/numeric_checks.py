"""Numeric checks registered with ``wdt verify`` (route ``numeric``)."""
