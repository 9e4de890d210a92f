"""theory.resources: sizes parsed and formatted, the limit's order of precedence, the refusal message."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theory.errors import InputError, ResourceError, TheoryError
from theory.resources import (
    DEFAULT_MEMORY_LIMIT,
    array_bytes,
    check_allocation,
    format_bytes,
    get_memory_limit,
    memory_limit,
    parse_bytes,
    set_memory_limit,
)


@pytest.fixture(autouse=True)
def _clean_limit(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("WDT_MEMORY_LIMIT", raising=False)
    set_memory_limit(None)
    yield
    set_memory_limit(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8GiB", 8 * 2**30),
        ("500MB", 500 * 10**6),
        ("1.5 KiB", 1536),
        ("2kb", 2000),
        ("3TiB", 3 * 2**40),
        ("7", 7),
        ("1e3", 1000),
        ("4gib", 4 * 2**30),
        (1024, 1024),
        (2.5e9, 2.5e9),
    ],
)
def test_parse_bytes_units(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text", ["none", "inf", "Unlimited", " NONE "])
def test_parse_bytes_no_limit(text):
    assert parse_bytes(text) == math.inf


@pytest.mark.parametrize("bad", ["", "lots", "8XB", "8 GiBs", "-1GiB", "0", 0, -5, "GiB", True])
def test_parse_bytes_rejects_with_the_value(bad):
    with pytest.raises(InputError, match="memory"):
        parse_bytes(bad)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (7, "7 B"),
        (1023, "1023 B"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (320 * 2**20, "320 MiB"),
        (1.5 * 2**30, "1.5 GiB"),
        (2**40, "1 TiB"),
        (math.inf, "unlimited"),
    ],
)
def test_format_bytes(n, text):
    assert format_bytes(n) == text


def test_array_bytes_is_exact_for_huge_shapes():
    # 200,000² float64 = 3.2e11 bytes: Python integers, no int64 overflow and no rounding
    assert array_bytes((200_000, 200_000)) == 200_000 * 200_000 * 8
    assert array_bytes((10**6, 10**6, 10**4), np.float32) == 4 * 10**16
    assert array_bytes(5, np.float32) == 20
    assert array_bytes((3, 0)) == 0


def test_precedence_context_then_set_then_env_then_default(monkeypatch):
    assert get_memory_limit() == DEFAULT_MEMORY_LIMIT == 4 * 2**30
    monkeypatch.setenv("WDT_MEMORY_LIMIT", "2GiB")
    assert get_memory_limit() == 2 * 2**30
    monkeypatch.setenv("WDT_MEMORY_LIMIT", "none")
    assert get_memory_limit() == math.inf
    set_memory_limit("1GiB")
    assert get_memory_limit() == 2**30
    with memory_limit("10MiB") as inner:
        assert inner == get_memory_limit() == 10 * 2**20
        with memory_limit("none"):
            assert get_memory_limit() == math.inf
        assert get_memory_limit() == 10 * 2**20
    assert get_memory_limit() == 2**30
    set_memory_limit(None)
    assert get_memory_limit() == math.inf  # back to the environment


def test_context_is_restored_after_an_exception():
    with pytest.raises(ResourceError), memory_limit("1KiB"):
        check_allocation(2048, "a test array")
    assert get_memory_limit() == DEFAULT_MEMORY_LIMIT


def test_bad_env_value_is_an_input_error(monkeypatch):
    monkeypatch.setenv("WDT_MEMORY_LIMIT", "plenty")
    with pytest.raises(InputError, match="plenty"):
        get_memory_limit()


def test_check_allocation_allows_up_to_the_limit_and_refuses_beyond():
    with memory_limit(1000):
        check_allocation(1000, "exactly the limit")  # not above: allowed
        with pytest.raises(ResourceError) as info:
            check_allocation(1001, "H = XᵀX/n, 11×11 float64", hint="take the Gram route")
    msg = str(info.value)
    assert "H = XᵀX/n, 11×11 float64 needs 1001 B" in msg
    assert "memory limit of 1000 B" in msg
    assert "take the Gram route" in msg
    assert "WDT_MEMORY_LIMIT" in msg
    # one error family, and still a MemoryError for code that guards against running out
    assert isinstance(info.value, TheoryError)
    assert isinstance(info.value, MemoryError)


def test_default_limit_refuses_a_wide_hessian():
    with pytest.raises(ResourceError, match="298 GiB"):
        check_allocation(array_bytes((200_000, 200_000)), "H, 200000×200000 float64")
