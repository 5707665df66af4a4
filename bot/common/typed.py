"""Text as a seller types it on a phone: a Chinese keyboard gives full-width forms (``：``,
``＠``, ``１２３``, the ideographic space) and separates lists with ``、`` or ``，``.

:func:`normalise_arg` is applied to every command argument in one place
(``handlers/common/core.py`` ``command_args``); :func:`split_list` splits list arguments (tags,
ids).
"""

from __future__ import annotations

import re
import unicodedata

# After NFKC the full-width comma ``，`` is ``,``; the ideographic comma ``、`` stays itself.
_LIST_SEPARATORS = re.compile(r"[,、]")


def _width_table() -> dict[int, str]:
    """NFKC restricted to the width variants: the full-width (and half-width) forms block and
    the ideographic space. Other compatibility forms stay as typed: ``²`` is not ``2``."""
    table = {0x3000: " "}
    for code in range(0xFF00, 0xFFF0):
        if unicodedata.decomposition(chr(code)).startswith(("<wide>", "<narrow>")):
            table[code] = unicodedata.normalize("NFKC", chr(code))
    return table


_WIDTH = _width_table()


def normalise_arg(token: str) -> str:
    """One command argument with its full-width forms made ASCII (NFKC for width variants):
    ``tag：VIP客户`` → ``tag:VIP客户``, ``＠li_taobao`` → ``@li_taobao``, ``１２３`` → ``123``.
    Chinese text is unchanged except those look-alikes (``！`` → ``!``)."""
    return token.translate(_WIDTH).strip()


def split_list(tokens: list[str]) -> list[str]:
    """List items given as separate words or joined by ``,`` / ``，`` / ``、``; empty items
    (``a,,b``, a trailing ``、``) are dropped."""
    items: list[str] = []
    for token in tokens:
        items.extend(part for part in _LIST_SEPARATORS.split(normalise_arg(token)) if part)
    return items
