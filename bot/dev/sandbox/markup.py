"""Telegram-style parsing of formatted text.

``parse_html`` mimics the Bot API's ``parse_mode=HTML``: it accepts only the tags Telegram
supports, requires ``<``, ``>`` and ``&`` to be escaped, and returns the plain text plus
``MessageEntity`` dicts with offsets/lengths in UTF-16 code units (as Telegram counts).
Errors carry Telegram's wording so that ``BadRequest`` messages look familiar.

A hand-written scanner is used instead of :mod:`html.parser` because the stdlib parser is
lenient by design (it silently accepts a bare ``<`` or ``&``), which is exactly what we
need to reject, and we need UTF-8 byte offsets for the error messages.
"""

from __future__ import annotations

import re
from typing import Any

ALLOWED_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z_:][a-zA-Z0-9_:.-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)"
    r"\s*>"
)
_ATTR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:.-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_END_TAG = re.compile(r"</\s*([a-zA-Z][a-zA-Z0-9-]*)?\s*>")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND = re.compile(r"/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,64})?")


class EntityParseError(ValueError):
    """Raised with the text that follows ``Bad Request: can't parse entities: ``."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, Telegram's unit for entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _attrs(raw: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        result[m.group(1).lower()] = _unescape_attr(value)
    return result


def _unescape_attr(value: str) -> str:
    def repl(m: re.Match[str]) -> str:
        return _decode_entity(m.group(1)) or m.group(0)

    return _ENTITY.sub(repl, value)


def _decode_entity(body: str) -> str | None:
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        return _NAMED.get(body.lower())
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(text: str, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into ``(plain_text, entities)``.

    With ``strict_ampersand`` a ``&`` that does not start a supported character entity is
    an error (real Telegram keeps it literally; being strict catches a forgotten
    ``html.escape`` early). Raises :class:`EntityParseError`.
    """
    out: list[str] = []
    pos16 = 0  # current offset in the plain text, UTF-16 units
    stack: list[tuple[str, int, dict[str, Any]]] = []  # (tag, start offset, entity)
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            if text.startswith("</", i):
                m = _END_TAG.match(text, i)
                if m is None:
                    raise EntityParseError(
                        f"Unclosed end tag at byte offset {_byte_offset(text, i)}"
                    )
                name = (m.group(1) or "").lower()
                if not stack:
                    raise EntityParseError(
                        f"Unexpected end tag at byte offset {_byte_offset(text, i)}"
                    )
                top, start, entity = stack[-1]
                if name and name != top:
                    raise EntityParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                        f'expected "</{top}>", found "</{name}>"'
                    )
                stack.pop()
                if pos16 > start and entity:
                    entity["offset"] = start
                    entity["length"] = pos16 - start
                    entities.append(entity)
                i = m.end()
                continue
            m = _START_TAG.match(text, i)
            if m is None:
                name_m = re.match(r"<([^\s>]*)", text[i:])
                name = name_m.group(1) if name_m else ""
                if name and re.fullmatch(r"[a-zA-Z][a-zA-Z0-9-]*", name):
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, i)}"
                    )
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            name = m.group(1).lower()
            if name not in ALLOWED_TAGS:
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            attrs = _attrs(m.group(2))
            entity = _entity_for(name, attrs, stack, text, i)
            stack.append((name, pos16, entity))
            i = m.end()
            continue
        if ch == "&":
            m = _ENTITY.match(text, i)
            decoded = _decode_entity(m.group(1)) if m else None
            if m is None or decoded is None:
                if strict_ampersand:
                    raise EntityParseError(
                        'Character entity expected (unescaped "&") at byte offset '
                        f"{_byte_offset(text, i)}"
                    )
                decoded = "&"
                i += 1
            else:
                i = m.end()
            out.append(decoded)
            pos16 += utf16_len(decoded)
            continue
        if ch == ">":
            # Telegram tolerates a bare ">", so do we.
            pass
        out.append(ch)
        pos16 += 2 if ord(ch) > 0xFFFF else 1
        i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _entity_for(
    name: str,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, Any]]],
    text: str,
    index: int,
) -> dict[str, Any]:
    """Entity dict (without offset/length) for an opening tag; {} means "no entity"."""
    kind = ALLOWED_TAGS[name]
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, index)}'
        )
    if name == "a":
        href = attrs.get("href", "")
        if not href:
            return {}  # Telegram drops links without a URL
        user_m = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user_m:
            return {
                "type": "text_mention",
                "user": {"id": int(user_m.group(1)), "is_bot": False, "first_name": ""},
            }
        return {"type": "text_link", "url": href}
    if name == "tg-emoji":
        emoji_id = attrs.get("emoji-id")
        if not emoji_id:
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{_byte_offset(text, index)}"
            )
        return {"type": kind, "custom_emoji_id": emoji_id}
    if name == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language[len("language-") :]
        return {}
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    return {"type": kind}


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entity for a leading ``/command`` or ``/command@bot`` (as clients do)."""
    m = _COMMAND.match(text)
    if m is None:
        return []
    end = m.end()
    if end < len(text) and not text[end].isspace():
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}]


def plain_text(text: str, parse_mode: str | None, strict_ampersand: bool = True) -> str:
    """The text a user would see (markup removed); only HTML is interpreted."""
    if parse_mode and parse_mode.lower() == "html":
        return parse_html(text, strict_ampersand)[0]
    return text
