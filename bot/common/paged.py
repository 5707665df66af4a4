"""The pages of a list and the ◀ ▶ under one page (as label and callback data), in the user's
language: shared by the list handlers (handlers/common/lists.py) and the broadcast engine, which
edits its progress message into the first page of the broadcast's report
(bot/broadcast/delivery/progress.py)."""

from __future__ import annotations

from collections.abc import Callable

from bot.common.callbacks import Button, encode
from bot.common.pager import Footer, page_bodies, page_text, paginate
from bot.texts import Language, t

# A paged list's header and rendered rows (HTML, escaped).
ListRows = tuple[str, list[str]]
# One row of (label, callback data) buttons, or none (bot/broadcast/outbox.py ``Keyboard``).
PageKeyboard = tuple[tuple[tuple[str, str], ...], ...]


def _footer(lang: Language) -> Footer:
    def footer(page: int, pages: int) -> str:
        return t(lang, "page_footer", page=page, pages=pages)

    return footer


def list_pages(rows: ListRows, lang: Language, page_size: int | None = None) -> list[str]:
    """Every page of a list, each fitting one message (bot/common/pager.py)."""
    header, items = rows
    return paginate(header, items, _footer(lang), page_size=page_size)


def list_page_bodies(
    rows: ListRows, lang: Language, page_size: int | None = None, most_pages: int | None = None
) -> list[list[str]]:
    """The rows of every page of :func:`list_pages`, for a list stored page by page (the
    daily follow-up list: bot/scheduling/followups.py), or cut piece by piece (``most_pages``:
    bot/common/pager.py ``page_bodies``); :func:`list_page_text` shows one."""
    header, items = rows
    return page_bodies(header, items, _footer(lang), page_size=page_size, most_pages=most_pages)


def list_page_text(header: str, body: list[str], lang: Language, page: int, pages: int) -> str:
    """Page ``page`` (0-based) of ``pages`` whose rows are ``body``: the text
    :func:`list_pages` gives for it."""
    return page_text(header, body, _footer(lang), page + 1, pages)


def page_buttons(
    button_for: Callable[[int], Button], page: int, pages: int, lang: Language
) -> PageKeyboard:
    """◀ and/or ▶ under page ``page`` (0-based) of ``pages`` as (label, callback data);
    ``button_for(k)`` is the button that shows page ``k``. Empty when there is a single page."""
    buttons: list[tuple[str, str]] = []
    if page > 0:
        buttons.append((t(lang, "page_prev"), encode(button_for(page - 1))))
    if page + 1 < pages:
        buttons.append((t(lang, "page_next"), encode(button_for(page + 1))))
    return (tuple(buttons),) if buttons else ()
