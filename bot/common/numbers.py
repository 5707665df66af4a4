"""The one way a number typed by a user (a command argument) or carried in callback data is read.

Python's ``int()`` and ``str.isdigit()`` accept far more than a user means by a number: ``²``
and ``١`` are digits to them, ``int`` takes ``1_000`` and surrounding spaces, and nothing stops a
30-digit id that overflows SQLite's int64 at the first query. Here a number is ASCII ``0-9``
only, with a leading ``-`` only where the caller allows negatives (chat ids), at most 19 digits,
and within the caller's bounds (never beyond int64). :func:`ascii_int` is the pure test (None
when the text is not such a number; the callback codec uses it too); :func:`read_int` raises an
:class:`InputError` naming the field and the accepted form.
"""

from __future__ import annotations

import re

from bot.common.errors import InputError
from bot.texts import Language, t

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_MAX_DIGITS = 19  # len(str(INT64_MAX))
_CANONICAL = re.compile(r"-?(?:0|[1-9][0-9]*)")  # re's [0-9] is ASCII only, unlike \d
_LENIENT = re.compile(r"-?[0-9]+")  # leading zeros allowed (a user may type 007)
_ECHO = 40  # at most this much of the user's text is repeated in the error


def ascii_int(
    text: str,
    low: int = 0,
    high: int = INT64_MAX,
    *,
    canonical: bool = False,
) -> int | None:
    """``text`` as an int if it is ASCII digits (a ``-`` first only when ``low`` is negative)
    within ``low..high`` (clamped to int64), else None. ``canonical`` also refuses leading
    zeros and ``-0`` (callback data has exactly one spelling per value). Never raises."""
    low, high = max(low, INT64_MIN), min(high, INT64_MAX)
    if not isinstance(text, str) or not 0 < len(text) <= _MAX_DIGITS + 1:
        return None
    if not (_CANONICAL if canonical else _LENIENT).fullmatch(text):
        return None
    if text.startswith("-") and (low >= 0 or (canonical and text == "-0")):
        return None
    if len(text.lstrip("-")) > _MAX_DIGITS:
        return None
    value = int(text)
    return value if low <= value <= high else None


def read_int(
    text: str,
    lang: Language,
    field: str,
    low: int = 1,
    high: int = INT64_MAX,
    *,
    strip_hash: bool = False,
) -> int:
    """``text`` as an int in ``low..high``, or an :class:`InputError` naming ``field`` (already
    in the user's language) and the accepted form. ``strip_hash`` accepts ``#12`` for ``12``
    (ids are listed as ``#12``)."""
    raw = text
    if strip_hash:
        raw = raw.removeprefix("#")
    value = ascii_int(raw, low, high)
    if value is None:
        low, high = max(low, INT64_MIN), min(high, INT64_MAX)
        raise InputError(t(lang, "err_number", field=field, value=text[:_ECHO], low=low, high=high))
    return value
