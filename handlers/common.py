"""Pieces every handler module uses: the context type, replies, the admin gate, input errors."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.common.callbacks import Button, parse_as
from bot.common.errors import InputError
from bot.common.splitting import split_html
from bot.context import BotContext
from bot.texts import t

log = logging.getLogger(__name__)

# What PTB passes every handler (set with ``ContextTypes`` in bot/app.py).
Context = BotContext
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
R = TypeVar("R")
# A handler that returns something (a ConversationHandler state); the gates pass it through
# and return None ("stay in the current state") when they refuse or the input is bad.
Returning = Callable[[Update, Context], Coroutine[Any, Any, R]]
# Telegram's account behind messages sent by anonymous group admins.
GROUP_ANONYMOUS_BOT_ID = 1087968824


async def reply(update: Update, text: str, **kwargs: Any) -> Message | None:
    """Reply to the update's message (HTML without link previews, from the app's Defaults)."""
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(text, **kwargs)


def clicked(update: Update, kind: type[Button]) -> tuple[CallbackQuery, Button]:
    """The pressed button's query and its data parsed as ``kind``. Only for a handler whose
    pattern is ``matches(kind)``: PTB calls it only with data that parses."""
    query = update.callback_query
    assert query is not None
    button = parse_as(kind, query.data)
    assert button is not None
    return query, button


def actor_id(update: Update) -> int:
    """The user behind an update that a gate (admin_only, a conversation) already admitted."""
    assert update.effective_user is not None
    return update.effective_user.id


def message_text(update: Update) -> str:
    """The message's text, stripped ("" for a message without text)."""
    message = update.effective_message
    return (message.text or "").strip() if message else ""


async def drop_clicked_row(query: CallbackQuery) -> None:
    """Remove the row holding the clicked button from the message's inline keyboard (a list
    of per-item actions where each item is handled once)."""
    markup = getattr(query.message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return
    rows = [
        list(row)
        for row in markup.inline_keyboard
        if not any(button.callback_data == query.data for button in row)
    ]
    if len(rows) == len(markup.inline_keyboard):
        return  # not a button of this message (forged): editing would change nothing
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)


def user_data(context: Context) -> dict[str, Any]:
    """The per-user dict PTB keeps for the user behind the update."""
    data = context.user_data
    assert data is not None
    return data


def user_store(context: Context, name: str) -> dict[str, Any]:
    """A named dict inside the user's data (created on first use)."""
    store: dict[str, Any] = user_data(context).setdefault(name, {})
    return store


def remember(store: dict[str, Any], value: Any, limit: int = 20) -> str:
    """Keep ``value`` under a short random key for a callback button (callback_data holds 64
    bytes), dropping the oldest entries beyond ``limit``. Returns the key."""
    while len(store) >= limit:
        store.pop(next(iter(store)))
    key = secrets.token_hex(4)
    store[key] = value
    return key


def command_args(context: Context) -> list[str]:
    return list(context.args or [])


def validated(handler: Returning[R]) -> Returning[R | None]:
    """Turn an :class:`InputError` raised by ``handler`` into a reply; nothing else happens."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> R | None:
        try:
            return await handler(update, context)
        except InputError as error:
            # The text may echo the input (up to a whole message's worth): split, never fail.
            for part in split_html(error.text):
                await reply(update, part)
            return None

    return wrapper


def admin_only(handler: Returning[R]) -> Returning[R | None]:
    """Run ``handler`` only for owners and admins; anyone else is refused, logged and audited.

    A message sent by an anonymous group admin carries no real user, so it is refused too.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> R | None:
        services = context.services
        user = update.effective_user
        message = update.effective_message
        anonymous = (
            user is None
            or user.id == GROUP_ANONYMOUS_BOT_ID
            or (message is not None and message.sender_chat is not None)
        )
        if anonymous or user is None or not await services.is_admin(user.id):
            actor = None if anonymous or user is None else user.id
            action = handler.__name__
            log.warning("refused admin action %s from user %s", action, actor)
            await services.audit.add(services.now(), actor, action, allowed=False)
            lang = context.lang
            key = "refused_anonymous" if anonymous else "refused_not_admin"
            if update.callback_query is not None:
                await update.callback_query.answer(t(lang, key), show_alert=True)
            else:
                await reply(update, t(lang, key))
            return None
        return await validated(handler)(update, context)

    return wrapper


def owner_only(handler: Handler) -> Handler:
    """Like :func:`admin_only`, for the actions only owners may take (granting admins)."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        services = context.services
        user = update.effective_user
        if user is None or not services.is_owner(user.id):
            actor = user.id if user else None
            log.warning("refused owner action %s from user %s", handler.__name__, actor)
            await services.audit.add(services.now(), actor, handler.__name__, allowed=False)
            await reply(update, t(context.lang, "refused_not_owner"))
            return
        await validated(handler)(update, context)

    return wrapper
