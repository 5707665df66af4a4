"""Hypothesis strategies for callback data of each declared button kind: well-formed data for
ids that exist and ids that do not, out-of-range and non-ASCII numbers, unknown words,
malformed and foreign strings (all within Telegram's 64 bytes)."""

from __future__ import annotations

import types
from dataclasses import fields
from typing import Annotated, Literal, Union, get_args, get_origin, get_type_hints

from hypothesis import strategies as st

from bot.common.callback_codec import CallbackData, IntRange, Shape
from bot.common.callbacks import INT64_MAX

_NUMBERS = ["0", "999999", str(INT64_MAX), str(INT64_MAX + 1), "²", "١", "-1", "01", "1.0"]
_SHAPED = ["deadbeef", "0", "ffffffffffffffff", "DEADBEEF", "A001", "a001", "zhongqiu", "*"]
_SHAPED += ["?", "VIP", "x:y", "", "<b>", "💥"]


def field_tokens(hint: object, ids: list[int]) -> list[str]:
    """Candidate wire texts for one field: what it accepts, and what it must refuse."""
    origin = get_origin(hint)
    if origin is Annotated:
        _base, *meta = get_args(hint)
        for item in meta:
            if isinstance(item, IntRange):
                return [str(item.low), str(item.high), str(item.high + 1), str(item.low - 1)]
            if isinstance(item, Shape):
                return _SHAPED
    if origin is Literal:
        return [str(word) for word in get_args(hint)] + ["Z", ""]
    if origin is Union or isinstance(hint, types.UnionType):
        return [token for member in get_args(hint) for token in field_tokens(member, ids)]
    if hint is int:
        return [str(i) for i in ids] + _NUMBERS
    return _SHAPED


def _fits(data: str) -> bool:
    return 0 < len(data.encode()) <= 64


def callback_data(kind: type[CallbackData], ids: list[int]) -> st.SearchStrategy[str]:
    hints = get_type_hints(kind, include_extras=True)
    per_field = [st.sampled_from(field_tokens(hints[f.name], ids)) for f in fields(kind)]
    shaped = st.tuples(*per_field).map(lambda values: ":".join([kind.PREFIX, *values]))
    malformed = st.one_of(
        st.just(kind.PREFIX),
        st.text(max_size=30).map(lambda junk: f"{kind.PREFIX}:{junk}"),
        shaped.map(lambda data: data + ":1"),
        st.text(min_size=1, max_size=64),
    )
    return st.one_of(shaped, shaped, malformed).filter(_fits)
