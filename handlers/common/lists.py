"""Every paged list's replies and ◀ ▶ handlers (the one pager: bot/common/paged.py cuts the
pages; these send the first one and answer the page buttons, admins only unless a gate is
given)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
)

from bot.common.callbacks import (
    Button,
    KeyedListName,
    KeyedListPage,
    ListName,
    ListPage,
    StoredListPage,
    matches,
    parse_as,
)
from bot.common.paged import ListRows as ListRows
from bot.common.paged import list_pages
from bot.common.paged import page_buttons as page_keyboard
from bot.texts import Language, t
from handlers.common.core import (
    Context,
    Returning,
    admin_only,
    clicked,
    remember,
    reply,
    user_store,
)

# A paged list's rows, read afresh at every page turn (of one thing: None when it is gone).
ListSource = Callable[[Context], Awaitable[ListRows]]
KeyedListSource = Callable[[Context, int], Awaitable[ListRows | None]]


async def send_list(update: Update, context: Context, name: ListName, rows: ListRows) -> None:
    """Reply with the first page of a list, with ◀ ▶ under it when there are more."""
    pages = list_pages(rows, context.lang)
    markup = page_buttons(lambda page: ListPage(name, page), 0, len(pages), context.lang)
    await reply(update, pages[0], reply_markup=markup)


async def send_keyed_list(
    update: Update, context: Context, name: KeyedListName, key: int, rows: ListRows
) -> None:
    """:func:`send_list` for the list of one thing (``key``: its id)."""
    pages = list_pages(rows, context.lang)
    markup = page_buttons(lambda page: KeyedListPage(name, key, page), 0, len(pages), context.lang)
    await reply(update, pages[0], reply_markup=markup)


async def _show_page(
    query: CallbackQuery,
    pages: list[str] | None,
    asked: int,
    button_for: Callable[[int], Button],
    lang: Language,
) -> None:
    """Edit the message in place to page ``asked`` (the last page if the list has shrunk);
    a list that is gone (None) is answered "expired"."""
    if pages is None:
        await query.answer(t(lang, "button_expired"))
        return
    page = min(asked, len(pages) - 1)
    await query.answer()
    try:
        await query.edit_message_text(
            pages[page], reply_markup=page_buttons(button_for, page, len(pages), lang)
        )
    except BadRequest as error:  # the same page pressed again: nothing to change
        if "not modified" not in str(error).lower():
            raise


def page_buttons(
    button_for: Callable[[int], Button], page: int, pages: int, lang: Language
) -> InlineKeyboardMarkup | None:
    """◀ ▶ under page ``page`` of ``pages`` (None when there is one page)."""
    keyboard = page_keyboard(button_for, page, pages, lang)
    rows = [[InlineKeyboardButton(text, callback_data=data) for text, data in r] for r in keyboard]
    return InlineKeyboardMarkup(rows) if rows else None


# The user's data keeps the pages of the last few lists that cannot be read again.
_STORED_LISTS = "stored_lists"
_STORED_LIMIT = 10


async def send_stored_list(update: Update, context: Context, rows: ListRows) -> None:
    """:func:`send_list` for a list that cannot be read again (the bad lines of an uploaded
    file, gone once read): its pages are kept in the user's data (the user's last ten such lists,
    until a restart) and ◀ ▶ page through them; an older list's buttons answer "expired".
    Such a list can hold every line of a 100,000-row file, so its pages are cut once, in a
    worker thread (~0.7 s of CPU at that size), not on the event loop nor at each page turn."""
    pages = await asyncio.to_thread(list_pages, rows, context.lang)
    if len(pages) == 1:
        await reply(update, pages[0])
        return
    key = remember(user_store(context, _STORED_LISTS), pages, limit=_STORED_LIMIT)
    markup = page_buttons(lambda page: StoredListPage(key, page), 0, len(pages), context.lang)
    await reply(update, pages[0], reply_markup=markup)


def stored_list_page_handler() -> CallbackQueryHandler[Any, Any]:
    """The handler of ◀ ▶ under every list sent by :func:`send_stored_list` (admins only;
    the pages are the pressing user's own: another user's or a forgotten key is "expired")."""

    @admin_only
    async def page_pressed(update: Update, context: Context) -> None:
        query, button = clicked(update, StoredListPage)
        pages = user_store(context, _STORED_LISTS).get(button.key)
        key = button.key
        await _show_page(
            query, pages, button.page, lambda page: StoredListPage(key, page), context.lang
        )

    return CallbackQueryHandler(page_pressed, pattern=matches(StoredListPage))


def list_page_handler(
    name: ListName,
    source: ListSource,
    gate: Callable[[Returning[None]], Returning[None]] = admin_only,
) -> CallbackQueryHandler[Any, Any]:
    """The handler of ◀ ▶ under list ``name`` (admins only, unless another ``gate`` says who
    may turn the pages): reads the list again and edits the message in place to the asked page
    (the last page if the list has shrunk)."""

    def pattern(data: object) -> bool:
        button = parse_as(ListPage, data)
        return button is not None and button.list_name == name

    @gate
    async def page_pressed(update: Update, context: Context) -> None:
        query, button = clicked(update, ListPage)
        rows = await source(context)
        pages = list_pages(rows, context.lang)
        await _show_page(query, pages, button.page, lambda page: ListPage(name, page), context.lang)

    return CallbackQueryHandler(page_pressed, pattern=pattern)


def keyed_list_page_handler(
    name: KeyedListName, source: KeyedListSource
) -> CallbackQueryHandler[Any, Any]:
    """:func:`list_page_handler` for the list of one thing: the button's key is passed to
    ``source``; a thing that is gone (``source`` gives None) is answered "expired"."""

    def pattern(data: object) -> bool:
        button = parse_as(KeyedListPage, data)
        return button is not None and button.list_name == name

    @admin_only
    async def page_pressed(update: Update, context: Context) -> None:
        query, button = clicked(update, KeyedListPage)
        rows = await source(context, button.key)
        pages = None if rows is None else list_pages(rows, context.lang)
        key = button.key
        await _show_page(
            query, pages, button.page, lambda page: KeyedListPage(name, key, page), context.lang
        )

    return CallbackQueryHandler(page_pressed, pattern=pattern)
