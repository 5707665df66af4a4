"""Text catalogs (Simplified Chinese and English) and the one function that renders them.

Every value interpolated into a catalog string is HTML-escaped unless it is wrapped in
:class:`Html`, so user text can never break or inject markup.
"""

from __future__ import annotations

import html
from typing import Literal

from bot.texts.en import CATALOG as EN
from bot.texts.zh import CATALOG as ZH

Language = Literal["zh", "en"]
CATALOGS: dict[Language, dict[str, str]] = {"zh": ZH, "en": EN}


class Html(str):
    """A string that is already safe HTML (rendered by us) and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> Html:
    return Html(html.escape(str(value), quote=False))


def t(language: Language, key: str, **values: object) -> str:
    """The catalog text ``key`` in ``language`` with ``values`` escaped and filled in."""
    template = CATALOGS[language][key]
    if not values:
        return template
    safe = {
        name: value if isinstance(value, Html) else escape(value) for name, value in values.items()
    }
    return template.format(**safe)


def language_of(language_code: str | None, default: Language) -> Language:
    """Map a Telegram ``language_code`` (``zh-hans``, ``en-US``...) to a catalog language."""
    if language_code:
        code = language_code.lower()
        if code.startswith("zh"):
            return "zh"
        if code.startswith("en"):
            return "en"
    return default
