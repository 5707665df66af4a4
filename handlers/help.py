"""/help in private (topics for admins, the agent commands for agents), the admin /start
menu's task buttons, and the agent commands typed in a group (/help, /profile).

In a group nothing admin is ever shown: /help goes privately to whoever has started the bot,
else the group gets one short agent-only answer with a button to the private chat (at most
once per 10 minutes per group, since every group reply takes from the group's 20 a minute);
/profile points its sender to the private chat (once per 10 minutes per user). Only the
seller's active groups are answered: a pending group gets nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.commands import (
    HELP_TOPICS,
    MENU_TASK_TOPICS,
    agent_help_text,
    find_topic,
    topic_by_name,
    topic_text,
    topics_text,
)
from bot.common.callbacks import MenuTask, matches
from bot.common.throttle import Throttle
from bot.texts import Language, t
from handlers.common import Context, admin_only, clicked, command_args, reply

log = logging.getLogger(__name__)

GROUP_REPLY_INTERVAL_SECONDS = 600
HELP_THROTTLES_KEY = "agentbot.help_throttles"
# The /start payload that opens the store profile (the group welcome's button uses it too).
PROFILE_START_PAYLOAD = "profile"


@dataclass
class HelpThrottles:
    """Group answers remembered per application: /help per group, /profile per user."""

    help_in_group: Throttle[int] = field(
        default_factory=lambda: Throttle(GROUP_REPLY_INTERVAL_SECONDS)
    )
    profile_in_group: Throttle[int] = field(
        default_factory=lambda: Throttle(GROUP_REPLY_INTERVAL_SECONDS)
    )


def _throttles(context: Context) -> HelpThrottles:
    throttles = context.bot_data.setdefault(HELP_THROTTLES_KEY, HelpThrottles())
    assert isinstance(throttles, HelpThrottles)
    return throttles


def _private_button(context: Context, lang: Language, payload: str = "") -> InlineKeyboardMarkup:
    url = f"https://t.me/{context.bot.username}"
    if payload:
        url += f"?start={payload}"
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "menu_agent_private_button"), url=url)]]
    )


async def help_command(update: Update, context: Context) -> None:
    """Admins: the topics, or ``/help <topic>``; anyone else: the agent commands."""
    user = update.effective_user
    if user is None:
        return
    lang = context.lang
    if not await context.services.is_admin(user.id):
        await reply(update, agent_help_text(lang))
        return
    words = command_args(context)
    if not words:
        await reply(update, topics_text(lang))
        return
    topic = find_topic(" ".join(words))
    if topic is None:
        names = "、".join(topic.name for topic in HELP_TOPICS)
        word = " ".join(words)[:40]
        await reply(update, t(lang, "menu_unknown_topic", word=word, topics=names))
        return
    await reply(update, topic_text(lang, topic))


@admin_only
async def menu_task(update: Update, context: Context) -> None:
    """A button of the admin's /start menu: the task's commands and how to use them."""
    query, button = clicked(update, MenuTask)
    lang = context.lang
    await query.answer()
    if button.task == "help":
        text = topics_text(lang)
    else:
        text = topic_text(lang, topic_by_name(MENU_TASK_TOPICS[button.task]))
    await reply(update, text)


async def help_in_group(update: Update, context: Context) -> None:
    """Privately to a user who has started the bot; else briefly in the group, throttled."""
    user = update.effective_user
    chat = update.effective_chat
    message = update.effective_message
    if user is None or chat is None or message is None:
        return
    services = context.services
    lang = context.lang
    if message.sender_chat is None and await _started_bot(context, user.id):
        text = topics_text(lang) if await services.is_admin(user.id) else agent_help_text(lang)
        try:
            await context.bot.send_message(user.id, text)
            return
        except TelegramError as error:  # blocked since: answer in the group instead
            log.info("help for %s not sent privately: %s", user.id, error)
    if await services.groups.active_id(chat.id) is None:
        return  # a pending or unknown group gets nothing from the bot
    if _throttles(context).help_in_group.admit(chat.id, services.now()) is None:
        return
    await reply(
        update, t(lang, "menu_agent_group_help"), reply_markup=_private_button(context, lang)
    )


async def profile_in_group(update: Update, context: Context) -> None:
    """/profile typed in a group: the store form is private; a button opens it there."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None or message.sender_chat is not None:
        return
    services = context.services
    if await services.groups.active_id(message.chat_id) is None:
        return  # a pending or unknown group gets nothing from the bot
    if _throttles(context).profile_in_group.admit(user.id, services.now()) is None:
        return
    lang = context.lang
    await reply(
        update,
        t(lang, "menu_agent_profile_in_group", name=user.first_name),
        reply_markup=_private_button(context, lang, PROFILE_START_PAYLOAD),
    )


async def _started_bot(context: Context, user_id: int) -> bool:
    services = context.services
    if await services.is_admin(user_id):
        return True  # an admin's private chat is where the bot already talks to them
    agent = await services.agents.get(user_id)
    return agent is not None and agent.started_bot


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    application.add_handler(CommandHandler("help", help_command, filters=private))
    application.add_handler(CommandHandler("help", help_in_group, filters=groups))
    application.add_handler(CommandHandler("profile", profile_in_group, filters=groups))
    application.add_handler(CallbackQueryHandler(menu_task, pattern=matches(MenuTask)))
