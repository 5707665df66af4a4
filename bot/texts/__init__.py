"""Text catalogs (Simplified Chinese and English) and the one function that renders them.

Every value interpolated into a catalog string is HTML-escaped unless it is wrapped in
:class:`Html`, so user text can never break or inject markup.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
from typing import Literal

Language = Literal["zh", "en"]


def _load_catalogs() -> dict[Language, dict[str, str]]:
    """Merge every ``zh*.py`` / ``en*.py`` module of this package (one pair per feature, e.g.
    ``zh_broadcast.py`` and ``en_broadcast.py``); a key defined twice is an error."""
    catalogs: dict[Language, dict[str, str]] = {"zh": {}, "en": {}}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        prefix = module_info.name.split("_", 1)[0]
        if prefix not in catalogs:
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        catalog = catalogs[prefix]
        for key, value in module.CATALOG.items():
            if key in catalog:
                raise RuntimeError(f"text key {key!r} is defined twice ({module_info.name})")
            catalog[key] = value
    return catalogs


CATALOGS = _load_catalogs()


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
    for name, value in values.items():  # ``values`` is this call's own dict
        if not isinstance(value, Html):
            values[name] = html.escape(str(value), quote=False)
    return template.format_map(values)


def language_of(language_code: str | None, default: Language) -> Language:
    """Map a Telegram ``language_code`` (``zh-hans``, ``en-US``...) to a catalog language."""
    if language_code:
        code = language_code.lower()
        if code.startswith("zh"):
            return "zh"
        if code.startswith("en"):
            return "en"
    return default
