"""Splitting Telegram-HTML text into messages that fit Telegram's length limits.

Telegram measures the text *after* parsing the HTML (tags do not count, ``&amp;`` counts as one
character) in UTF-16 code units. We cut preferably at a line break, else at a space, else
between two characters; never inside a tag or an entity. Tags open at a cut are closed at the
end of the part and reopened (with their attributes) at the start of the next one, so every
part is balanced HTML on its own.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^<>]*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# A tag or an entity, whichever starts first (as :func:`_tokenize` reads them, left to right).
_MARKUP = re.compile(f"{_TAG.pattern}|{_ENTITY.pattern}")


@dataclass(frozen=True, slots=True)
class _Atom:
    raw: str
    width: int  # visible length in UTF-16 code units
    tag: str | None = None  # tag name for tags
    closing: bool = False


def _utf16(text: str) -> int:
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def _tokenize(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = _TAG.match(text, i)
            if match:
                atoms.append(_Atom(match.group(0), 0, match.group(2).lower(), bool(match.group(1))))
                i = match.end()
                continue
        elif char == "&":
            match = _ENTITY.match(text, i)
            if match:
                atoms.append(_Atom(match.group(0), _utf16(html.unescape(match.group(0)))))
                i = match.end()
                continue
        atoms.append(_Atom(char, _utf16(char)))
        i += 1
    return atoms


def _decoded(match: re.Match[str]) -> str:
    markup = match.group(0)
    return "" if markup.startswith("<") else html.unescape(markup)


def visible_length(text: str) -> int:
    """The length Telegram counts for ``text`` (HTML parse mode), in UTF-16 code units.

    Every list page is measured with it, item by item, so it works on the whole string at
    once (a regex pass and an encode) rather than atom by atom."""
    return len(visible_text(text).encode("utf-16-le", "surrogatepass")) // 2


def _apply(stack: list[_Atom], atom: _Atom) -> None:
    if atom.tag is None:
        return
    if not atom.closing:
        stack.append(atom)
        return
    for index in range(len(stack) - 1, -1, -1):
        if stack[index].tag == atom.tag:
            del stack[index:]
            return


def _closing(stack: list[_Atom]) -> str:
    return "".join(f"</{atom.tag}>" for atom in reversed(stack))


def _part(atoms: list[_Atom], start: int, end: int, opened: list[_Atom]) -> tuple[str, list[_Atom]]:
    """HTML of ``atoms[start:end]`` with ``opened`` reopened first and whatever is open closed."""
    stack = list(opened)
    body = []
    for atom in atoms[start:end]:
        _apply(stack, atom)
        body.append(atom.raw)
    return "".join(atom.raw for atom in opened) + "".join(body) + _closing(stack), stack


def split_html(text: str, limit: int = TEXT_LIMIT, *, first_limit: int | None = None) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` visible characters each (the first part at
    most ``first_limit``, for a caption followed by text messages). Parts whose visible text
    would be blank are dropped, so the result may be empty for a blank input."""
    atoms = _tokenize(text)
    parts: list[str] = []
    opened: list[_Atom] = []
    start = 0
    budget = first_limit if first_limit is not None else limit
    while start < len(atoms):
        width = 0
        end = start
        last_newline = last_space = None
        while end < len(atoms) and width + atoms[end].width <= budget:
            raw = atoms[end].raw
            if raw == "\n":
                last_newline = end
            elif raw == " ":
                last_space = end
            width += atoms[end].width
            end += 1
        if end == len(atoms):
            cut, resume = end, end
        elif last_newline is not None and last_newline > start:
            cut, resume = last_newline, last_newline + 1
        elif last_space is not None and last_space > start:
            cut, resume = last_space, last_space + 1
        else:
            cut = resume = max(end, start + 1)
        html_part, opened_after = _part(atoms, start, cut, opened)
        if visible_text(html_part).strip():
            parts.append(html_part)
            budget = limit
        elif first_limit is not None and not parts:
            parts.append("")  # keep the caption slot (an empty caption) in its place
            budget = limit
        # The separator we cut at, and blank lines after it, are dropped; they change no tag.
        while 0 < resume < len(atoms) and atoms[resume].raw in ("\n", " "):
            resume += 1
        opened = opened_after
        start = resume
    return parts


def visible_text(text: str) -> str:
    """What a reader sees of Telegram-HTML ``text`` (tags removed, entities decoded)."""
    return _MARKUP.sub(_decoded, text)
