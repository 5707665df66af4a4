"""Agents joining and leaving groups, the welcome message, and last-seen tracking (batched in
bot/agents/last_seen.py)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, MessageHandler

from bot.agents.membership import membership_change, welcome_link
from bot.services import Services
from bot.texts import Language, language_of, t
from handlers.common import GROUP_MESSAGE, Context

log = logging.getLogger(__name__)


async def on_member_change(update: Update, context: Context) -> None:
    change = update.chat_member
    if change is None:
        return
    services = context.services
    group = await services.groups.get(change.chat.id)
    member = change.new_chat_member.user
    if group is None or not group.active or member.is_bot or await services.is_admin(member.id):
        return
    joined = membership_change(change)
    now = services.now()
    if joined:
        await services.agents.joined_group(
            group.id,
            member.id,
            member.first_name,
            member.last_name,
            member.username,
            member.language_code,
            now,
        )
        services.last_seen.noted(member.id, now)
        log.info("agent %s joined group %s", member.id, group.chat_id)
        lang = language_of(group.language, services.settings.language)
        await _welcome(context, services, group.chat_id, member, lang)
    elif joined is False:
        await services.agents.leave(group.id, member.id, now)
        log.info("agent %s left group %s", member.id, group.chat_id)


async def _welcome(
    context: Context, services: Services, chat_id: int, member: User, lang: Language
) -> None:
    template = services.settings.welcome_text.get(lang) or t(lang, "welcome_default")
    username = context.bot.username
    button = InlineKeyboardButton(t(lang, "welcome_button"), url=welcome_link(username))
    text = t(lang, "welcome_wrapper", name=member.full_name, body=template)
    try:
        await context.bot.send_message(
            chat_id,
            text,
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
    except TelegramError as error:
        log.warning("welcome in %s failed: %s", chat_id, error)


async def on_group_message(update: Update, context: Context) -> None:
    """Any message in a registered group: the sender is an agent we have seen now."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or user.is_bot or message.sender_chat is not None:
        return
    services = context.services
    if services.last_seen.skip(user.id):
        await services.last_seen.flush_if_due()
        return
    group_id = await services.groups.active_id(message.chat.id)
    if group_id is None or await services.is_admin(user.id):
        return
    await services.last_seen.seen(
        group_id, user.id, user.first_name, user.last_name, user.username, user.language_code
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(ChatMemberHandler(on_member_change, ChatMemberHandler.CHAT_MEMBER))
    # group=1: runs alongside command handlers of group 0 for the same message.
    application.add_handler(
        MessageHandler(GROUP_MESSAGE, on_group_message),
        group=1,
    )
