"""Numbers typed by users: ASCII digits within bounds, or a clear InputError; never anything
else (bot/common/numbers.py, shared with the callback codec)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.errors import InputError
from bot.common.numbers import INT64_MAX, INT64_MIN, ascii_int, read_int

HOSTILE = [
    "",
    " ",
    "²",  # superscript two: str.isdigit() is True
    "١",  # Arabic-Indic one: int() reads 1
    "１２",  # full-width digits
    "1e9",
    "0x10",
    "1_000",
    " 12",
    "12 ",
    "+12",
    "--1",
    "1.0",
    "9" * 30,
    "9223372036854775808",  # INT64_MAX + 1
    "-9223372036854775809",  # INT64_MIN - 1
    "12\n",
    "NaN",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_not_a_number(text: str) -> None:
    assert ascii_int(text, INT64_MIN, INT64_MAX) is None
    with pytest.raises(InputError) as raised:
        read_int(text, "en", "Training id")
    assert "Training id" in raised.value.text and "0–9" in raised.value.text


def test_plain_numbers_and_their_bounds() -> None:
    assert ascii_int("12") == 12
    assert ascii_int("007") == 7
    assert ascii_int("007", canonical=True) is None
    assert ascii_int("0") == 0
    assert ascii_int("0", 1) is None
    assert ascii_int("-5") is None  # negatives only where the caller allows them
    assert ascii_int("-1001234567890", INT64_MIN, -1) == -1001234567890
    assert ascii_int("-0", INT64_MIN, 0, canonical=True) is None
    assert ascii_int(str(INT64_MAX)) == INT64_MAX
    assert ascii_int(str(INT64_MIN), INT64_MIN) == INT64_MIN
    assert ascii_int("11", 1, 10) is None
    assert ascii_int("5", 1, 2**80) == 5  # bounds are clamped to int64
    assert read_int("#12", "zh", "编号", strip_hash=True) == 12
    with pytest.raises(InputError) as raised:
        read_int("0", "zh", "编号")
    assert "编号" in raised.value.text and "1 到 9223372036854775807" in raised.value.text


@given(st.text(max_size=40), st.integers(), st.integers(), st.booleans())
def test_any_text_is_an_int_in_bounds_or_refused(
    text: str, low: int, high: int, canonical: bool
) -> None:
    value = ascii_int(text, low, high, canonical=canonical)
    if value is not None:
        assert max(low, INT64_MIN) <= value <= min(high, INT64_MAX)
        assert text.isascii() and int(text) == value


@given(st.text(max_size=40), st.integers(min_value=-(2**70), max_value=2**70))
def test_read_int_raises_only_input_errors(text: str, low: int) -> None:
    try:
        value = read_int(text, "en", "Quantity", low)
    except InputError as error:
        assert "Quantity" in error.text
    else:
        assert max(low, INT64_MIN) <= value <= INT64_MAX


@given(st.integers(INT64_MIN, INT64_MAX))
def test_every_int64_round_trips(number: int) -> None:
    assert ascii_int(str(number), INT64_MIN, INT64_MAX, canonical=True) == number
