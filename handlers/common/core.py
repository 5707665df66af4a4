"""Pieces every handler module uses: the context type, replies, the admin gate, input errors;
and the registration rule that edited messages are not commands."""

from __future__ import annotations

import contextlib
import enum
import functools
import logging
import re
import secrets
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.agents.service import AmbiguousAgent
from bot.common.callbacks import (
    AgentChoice,
    AgentCommand,
    Button,
    encode,
    parse_as,
)
from bot.common.errors import InputError
from bot.common.paged import ListRows as ListRows
from bot.common.splitting import split_html
from bot.common.throttle import Throttle
from bot.common.typed import normalise_arg
from bot.context import BotContext
from bot.services import Services
from bot.texts import Language, t
from storage.models import Agent

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
# How often an admin command typed in a group earns its sender a private pointer, a refused
# one a private hint, and a repeated refusal (same user and action) a new audit row.
POINTER_INTERVAL_SECONDS = 600
HINT_INTERVAL_SECONDS = 3600
REFUSAL_AUDIT_INTERVAL_SECONDS = 600
GATE_THROTTLES_KEY = "agentbot.gate_throttles"
COMMAND_PATTERN = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s|$)")


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


class Taken(enum.Enum):
    """Left under a remembered key once its button acted (see :func:`take_once`)."""

    TAKEN = "taken"


def take_once(store: dict[str, Any], key: str) -> Any:
    """The value remembered under ``key``, marking it taken: of two presses of the same button
    (a double click, possibly handled concurrently) only the first gets the value, the second
    gets :attr:`Taken.TAKEN` ("already done"); None when the key is unknown (expired, or
    another user's: ``user_data`` is per user). No await between the read and the mark."""
    value = store.get(key)
    if value is not None and value is not Taken.TAKEN:
        store[key] = Taken.TAKEN
    return value


@contextlib.contextmanager
def only_one_at_a_time(context: Context, name: str, key: object) -> Iterator[bool]:
    """True for the holder of ``key`` in the bot-wide set ``name`` while its block runs, False
    for anyone entering meanwhile (a second press handled concurrently with the first): enter
    it before any await, and re-read the state inside before acting."""
    holders: set[object] = context.bot_data.setdefault(name, set())
    if key in holders:
        yield False
        return
    holders.add(key)
    try:
        yield True
    finally:
        holders.discard(key)


def command_args(context: Context) -> list[str]:
    """The command's arguments as typed on a phone, normalised (bot/common/typed.py): every
    command reads its arguments here, so ``tag：VIP客户``, ``＠li_taobao`` and ``１２３`` mean what
    their ASCII forms mean. One token per word as Telegram's text had it (same count as
    :func:`raw_command_args`)."""
    return [normalise_arg(token) for token in context.args or []]


def raw_command_args(context: Context) -> list[str]:
    """The arguments exactly as typed, for free text that is sent on to agents (a schedule's
    body): normalising it would turn the seller's ``！`` into ``!``."""
    return list(context.args or [])


# The handlers of the commands that name an agent, by command: a button under an ambiguous name
# runs one of them again for the chosen agent (handlers/agents.py ``agent_chosen``).
AGENT_COMMANDS: dict[str, Handler] = {}
AGENT_CHOICES = "agent_choices"


def offers_agent_choice(command: AgentCommand) -> Callable[[Handler], Handler]:
    """For a command whose agent argument goes through bot/agents/service.py: a name that fits
    several agents is answered with one button per agent (admins only, as the command), which
    runs the command for that agent with the same other arguments."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: Context) -> None:
            try:
                await handler(update, context)
            except AmbiguousAgent as error:
                key = remember(user_store(context, AGENT_CHOICES), error.rest)
                rows = [
                    [
                        InlineKeyboardButton(
                            agent_choice_label(agent),
                            callback_data=encode(AgentChoice(command, agent.user_id, key)),
                        )
                    ]
                    for agent in error.choices
                ]
                await reply(update, error.text, reply_markup=InlineKeyboardMarkup(rows))

        AGENT_COMMANDS[command] = handler
        return wrapper

    return decorate


def agent_choice_label(agent: Agent) -> str:
    """A choice button's text: the remark, then what tells two agents with it apart."""
    handle = f"@{agent.username}" if agent.username else str(agent.user_id)
    removed = " ⛔" if agent.status == "removed" else ""
    return f"{agent.display_name[:40]} · {agent.first_name[:20]} · {handle}{removed}"


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
    """Run ``handler`` only for owners and admins, and only in private (see :func:`_admitted`).

    A message sent by an anonymous group admin carries no real user, so it is refused too.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> R | None:
        if not await _admitted(update, context, handler.__name__, owners_only=False):
            return None
        return await validated(handler)(update, context)

    return wrapper


def owner_only(handler: Handler) -> Handler:
    """Like :func:`admin_only`, for the actions only owners may take (granting admins)."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        if await _admitted(update, context, handler.__name__, owners_only=True):
            await validated(handler)(update, context)

    return wrapper


@dataclass
class GateThrottles:
    """What the gates remember per application (in ``bot_data``) to stay quiet under a flood."""

    # An admin's command typed in a group: the private pointer, per admin.
    pointers: Throttle[int] = field(default_factory=lambda: Throttle(POINTER_INTERVAL_SECONDS))
    # A refused command typed in a group: the private hint, per user (per group for anonymous
    # admins, who are answered in the group).
    hints: Throttle[int] = field(default_factory=lambda: Throttle(HINT_INTERVAL_SECONDS))
    # The audit row of a refusal, per (user, action); repeats are counted into the next row.
    audits: Throttle[tuple[int | None, str]] = field(
        default_factory=lambda: Throttle(REFUSAL_AUDIT_INTERVAL_SECONDS)
    )


def gate_throttles(context: Context) -> GateThrottles:
    throttles = context.bot_data.setdefault(GATE_THROTTLES_KEY, GateThrottles())
    assert isinstance(throttles, GateThrottles)
    return throttles


def typed_in_group(update: Update) -> bool:
    """A message (a command, a captioned file) written in a group, where a reply is public."""
    chat = update.effective_chat
    return update.callback_query is None and chat is not None and chat.type != ChatType.PRIVATE


async def _admitted(update: Update, context: Context, action: str, *, owners_only: bool) -> bool:
    """Whether the user behind ``update`` may run ``action`` here.

    Admin commands answer only in private: typed in a group they never run, whoever sends
    them; an admin gets a private pointer (at most once per 10 minutes), anyone else a silent
    refusal (:func:`_refuse`). A button press is answered with an alert, which only the
    presser sees, so buttons are gated by who pressed them wherever they are.
    """
    services = context.services
    user = update.effective_user
    message = update.effective_message
    if (
        user is None
        or user.id == GROUP_ANONYMOUS_BOT_ID
        or (message is not None and message.sender_chat is not None)
    ):
        await _refuse(update, context, action, "refused_anonymous", user_id=None)
        return False
    admin = await services.is_admin(user.id)
    if admin and typed_in_group(update):
        await _point_to_private(update, context, user.id)
        return False
    if admin and (not owners_only or services.is_owner(user.id)):
        return True
    key = "refused_not_owner" if owners_only else "refused_not_admin"
    await _refuse(update, context, action, key, user_id=user.id)
    return False


async def _refuse(
    update: Update, context: Context, action: str, text_key: str, *, user_id: int | None
) -> None:
    """Log the refusal at WARNING, audit it (one row per user and action per 10 minutes, the
    next row counting the repeats) and say so where that is safe: in private, or as an alert on
    a button. In a group it is silent: a reply there would wait for the group's 20 messages a
    minute and delay everyone else; the user gets at most a private hint, once an hour, if they
    have started the bot (an anonymous admin, who has no private chat, an hourly reply in the
    group). Nothing else happens."""
    services = context.services
    chat = update.effective_chat
    log.warning(
        "refused admin action %s from user %s in chat %s",
        action,
        user_id,
        chat.id if chat else None,
    )
    throttles = gate_throttles(context)
    now = services.now()
    repeats = throttles.audits.admit((user_id, action), now)
    if repeats is not None:
        detail = f"{repeats} more refused since the last row" if repeats else None
        await services.audit.add(now, user_id, action, detail=detail, allowed=False)
    lang = context.lang
    if update.callback_query is not None:
        await update.callback_query.answer(t(lang, text_key), show_alert=True)
    elif not typed_in_group(update):
        await reply(update, t(lang, text_key))
    elif user_id is None:
        # An anonymous group admin (perhaps the seller) cannot be written to privately: the
        # group gets the explanation, once an hour at most.
        if chat is not None and throttles.hints.admit(chat.id, now) is not None:
            await reply(update, t(lang, text_key))
    elif throttles.hints.admit(user_id, now) is not None:
        command = _command_of(update.effective_message)
        await _tell_privately(context, user_id, t(lang, "gate_refused_in_group", command=command))


async def _point_to_private(update: Update, context: Context, user_id: int) -> None:
    """An admin typed an admin command in a group: nothing runs there; at most once per 10
    minutes a private message says where it works."""
    log.info("admin command from %s in group %s not run there", user_id, _chat_id(update))
    if gate_throttles(context).pointers.admit(user_id, context.services.now()) is None:
        return
    command = _command_of(update.effective_message)
    await _tell_privately(context, user_id, t(context.lang, "gate_use_private", command=command))


async def _tell_privately(context: Context, user_id: int, text: str) -> None:
    """A private message that may not arrive (the user never started the bot, or blocked it)."""
    try:
        await context.bot.send_message(user_id, text)
    except TelegramError as error:
        log.info("private note to %s not delivered: %s", user_id, error)


def _chat_id(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat else None


def _command_of(message: Message | None) -> str:
    """The ``/command`` a message starts with (text or caption), ``@bot`` dropped; "" if none."""
    text = (message.text or message.caption or "") if message else ""
    match = COMMAND_PATTERN.match(text)
    return "/" + match.group(1) if match else ""


def ignore_edits(application: Application) -> None:  # type: ignore[type-arg]
    """Narrow every command and message handler of handler group 0, conversations' steps
    included, to new messages: an edited message never re-runs a command or answers a
    conversation step again (editing ``/schedule …`` must not make a second schedule).

    Called once by ``bot/app.py`` after every feature registered, so a new handler is covered
    without remembering it. Observers in later groups (the last-seen counter in group 1) still
    see edits: an edit is activity.
    """
    for handler in application.handlers.get(0, []):
        _new_messages_only(handler)


def _new_messages_only(handler: BaseHandler[Any, Any, Any]) -> None:
    if isinstance(handler, ConversationHandler):
        steps = [step for state in handler.states.values() for step in state]
        for inner in (*handler.entry_points, *steps, *handler.fallbacks):
            _new_messages_only(inner)
    elif isinstance(handler, CommandHandler | MessageHandler):
        handler.filters = filters.UpdateType.MESSAGE & handler.filters


def shop_name(context: Context, lang: Language) -> str:
    """The shop's name from ``[bot] shop_name``, else a generic word for the seller (where the
    bot introduces itself)."""
    return context.services.settings.bot.shop_name.strip() or t(lang, "menu_shop_default")


async def record_started_bot(services: Services, user: User) -> None:
    """The user wrote to the bot in private: their record is refreshed and marked as having
    started the bot (private sends may reach them)."""
    await services.agents.record(
        user.id,
        user.first_name,
        user.last_name,
        user.username,
        user.language_code,
        services.now(),
        started_bot=True,
    )
