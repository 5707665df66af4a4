"""The machinery behind :mod:`bot.common.callbacks`: field types, registering a button kind,
building and parsing callback data (pure: no Telegram, no I/O).

A kind is a frozen dataclass deriving from :class:`CallbackData`, registered with
:func:`button`; its field types say what the wire accepts: ``int`` (``Id``: 0 ≤ n < 2**63 in
canonical ASCII decimal), ``Annotated[int, IntRange]``, a ``Literal`` of words,
``Annotated[str, Shape]`` (a regular expression; ``Rest`` may hold ``:`` and must be the last
field), or a union of these (tried in order).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import (
    Annotated,
    ClassVar,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from bot.common.numbers import INT64_MAX as INT64_MAX
from bot.common.numbers import ascii_int

MAX_BYTES = 64  # Telegram's limit for callback_data, in UTF-8 bytes


class CallbackData:
    """Base of every button kind; ``PREFIX`` is its first ``:``-separated part(s)."""

    PREFIX: ClassVar[str]


@dataclass(frozen=True)
class IntRange:
    """An ``int`` field limited to ``low..high`` (inclusive)."""

    low: int
    high: int


@dataclass(frozen=True)
class Shape:
    """A ``str`` field that must match ``pattern`` in full."""

    pattern: str


Id = int  # a database id, page or list index: 0 ≤ n ≤ INT64_MAX
HexKey = Annotated[str, Shape(r"[0-9a-f]{1,16}")]  # a key from handlers.common.remember
Sku = Annotated[str, Shape(r"[A-Z0-9][A-Z0-9._-]{0,31}")]  # as bot.catalog.model.normalize_sku
Word = Annotated[str, Shape(r"[a-z]{1,20}")]
Rest = Annotated[str, Shape(r"[^\x00-\x1f\x7f]+")]  # free text to the end, ':' allowed
Year = Annotated[int, IntRange(1000, 9999)]
YesNo = Literal["y", "n"]

Button = TypeVar("Button", bound=CallbackData)
_Parser = Callable[[str], object]
_Formatter = Callable[[object], str | None]


@dataclass(frozen=True)
class _Spec:
    kind: type[CallbackData]
    prefix: tuple[str, ...]
    names: tuple[str, ...]
    parsers: tuple[_Parser, ...]
    formatters: tuple[_Formatter, ...]
    rest_last: bool


_NOT_OURS = object()  # a field parser's "no"
_SPECS: dict[type[CallbackData], _Spec] = {}
_BY_HEAD: dict[str, list[_Spec]] = {}


def _int_parser(low: int, high: int) -> tuple[_Parser, _Formatter]:
    def parse_int(text: str) -> object:
        value = ascii_int(text, low, high, canonical=True)
        return _NOT_OURS if value is None else value

    def format_int(value: object) -> str | None:
        ok = type(value) is int and low <= value <= high
        return str(value) if ok else None

    return parse_int, format_int


def _shape_parser(pattern: str) -> tuple[_Parser, _Formatter]:
    compiled = re.compile(pattern)

    def parse_text(text: str) -> object:
        return text if compiled.fullmatch(text) else _NOT_OURS

    def format_text(value: object) -> str | None:
        return value if isinstance(value, str) and compiled.fullmatch(value) else None

    return parse_text, format_text


def _words_parser(words: tuple[object, ...]) -> tuple[_Parser, _Formatter]:
    allowed = {word for word in words if isinstance(word, str)}
    if len(allowed) != len(words) or any(":" in word or not word for word in allowed):
        raise TypeError(f"Literal words must be non-empty strings without ':': {words}")

    def parse_word(text: str) -> object:
        return text if text in allowed else _NOT_OURS

    def format_word(value: object) -> str | None:
        return value if isinstance(value, str) and value in allowed else None

    return parse_word, format_word


def _union_parser(members: tuple[object, ...]) -> tuple[_Parser, _Formatter]:
    pairs = [_field_codec(member) for member in members]

    def parse_any(text: str) -> object:
        for parse_member, _ in pairs:
            value = parse_member(text)
            if value is not _NOT_OURS:
                return value
        return _NOT_OURS

    def format_any(value: object) -> str | None:
        for _, format_member in pairs:
            text = format_member(value)
            if text is not None:
                return text
        return None

    return parse_any, format_any


def _field_codec(hint: object) -> tuple[_Parser, _Formatter]:
    origin = get_origin(hint)
    if hint is int:
        return _int_parser(0, INT64_MAX)
    if origin is Literal:
        return _words_parser(get_args(hint))
    if origin is Annotated:
        base, *markers = get_args(hint)
        for marker in markers:
            if isinstance(marker, IntRange) and base is int:
                return _int_parser(max(marker.low, 0), min(marker.high, INT64_MAX))
            if isinstance(marker, Shape) and base is str:
                return _shape_parser(marker.pattern)
    if origin is Union or isinstance(hint, types.UnionType):
        return _union_parser(get_args(hint))
    raise TypeError(f"unsupported callback field type {hint!r}")


def button(kind: type[Button]) -> type[Button]:
    """Register a button kind (a frozen dataclass deriving from :class:`CallbackData`)."""
    hints = get_type_hints(kind, include_extras=True)
    names = tuple(field.name for field in fields(kind))  # type: ignore[arg-type]
    codecs = [_field_codec(hints[name]) for name in names]
    rest_last = any(hints[name] == Rest for name in names[-1:])
    if any(hints[name] == Rest for name in names[:-1]):
        raise TypeError(f"{kind.__name__}: only the last field may be Rest")
    prefix = tuple(kind.PREFIX.split(":"))
    spec = _Spec(
        kind,
        prefix,
        names,
        tuple(parse for parse, _ in codecs),
        tuple(format_ for _, format_ in codecs),
        rest_last,
    )
    _SPECS[kind] = spec
    _BY_HEAD.setdefault(prefix[0], []).append(spec)
    return kind


def _try(spec: _Spec, parts: list[str]) -> CallbackData | None:
    count = len(spec.prefix)
    if parts[:count] != list(spec.prefix):
        return None
    values = parts[count:]
    if spec.rest_last and len(values) > len(spec.names):
        values = [*values[: len(spec.names) - 1], ":".join(values[len(spec.names) - 1 :])]
    if len(values) != len(spec.names):
        return None
    parsed = {}
    for name, parse_field, text in zip(spec.names, spec.parsers, values, strict=True):
        value = parse_field(text)
        if value is _NOT_OURS:
            return None
        parsed[name] = value
    return spec.kind(**parsed)


def _parts(data: object) -> list[str] | None:
    if not isinstance(data, str):
        return None
    try:
        size = len(data.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: not text Telegram could have sent
        return None
    return data.split(":") if 0 < size <= MAX_BYTES else None


def parse(data: object) -> CallbackData | None:
    """The button ``data`` came from, or None if it is not exactly one of ours."""
    parts = _parts(data)
    if parts is None:
        return None
    for spec in _BY_HEAD.get(parts[0], []):
        value = _try(spec, parts)
        if value is not None:
            return value
    return None


def parse_as(kind: type[Button], data: object) -> Button | None:
    """Like :func:`parse`, for one kind only."""
    parts = _parts(data)
    value = None if parts is None else _try(_SPECS[kind], parts)
    return value if isinstance(value, kind) else None


def matches(*kinds: type[CallbackData]) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern accepting exactly the data of ``kinds``."""
    specs = [_SPECS[kind] for kind in kinds]

    def pattern(data: object) -> bool:
        parts = _parts(data)
        return parts is not None and any(_try(spec, parts) is not None for spec in specs)

    return pattern


def matches_exactly(*values: CallbackData) -> Callable[[object], bool]:
    """A ``CallbackQueryHandler`` pattern accepting only the data of these buttons (for one
    step of a kind whose steps go to different handlers)."""
    accepted = set(values)

    def pattern(data: object) -> bool:
        return parse(data) in accepted

    return pattern


def _wire(value: CallbackData) -> str:
    spec = _SPECS[type(value)]
    parts = [spec.kind.PREFIX]
    for name, format_field in zip(spec.names, spec.formatters, strict=True):
        text = format_field(getattr(value, name))
        if text is None:
            raise ValueError(f"{value!r}: {name} is out of its range")
        parts.append(text)
    return ":".join(parts)


def fits(value: CallbackData) -> bool:
    """Whether ``value`` can be encoded (every field in range, at most 64 bytes)."""
    try:
        return len(_wire(value).encode("utf-8")) <= MAX_BYTES
    except ValueError:
        return False


def encode(value: CallbackData) -> str:
    """The ``callback_data`` for ``value``; ValueError if a field is out of range or the
    result is over Telegram's 64 bytes (a programming error: check :func:`fits` first where
    a field comes from the user)."""
    data = _wire(value)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"{value!r} does not fit in {MAX_BYTES} bytes of callback data")
    return data


def registered_kinds() -> tuple[type[CallbackData], ...]:
    """Every kind registered with :func:`button`, in declaration order."""
    return tuple(_SPECS)
