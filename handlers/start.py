"""/start and /help in private, and the per-audience command menus.

Only people the bot knows from the seller's (approved) groups are agents; anyone else who
starts the bot is a visitor and gets the visitor's text, with no agent row created."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.agents.membership import PROFILE_START_COMMAND
from bot.commands import ADMIN_COMMANDS, AGENT_COMMANDS, set_admin_menu
from bot.texts import Language, t
from handlers.common import Context, reply

log = logging.getLogger(__name__)


async def start(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    services = context.services
    lang = context.lang
    if await services.is_admin(user.id):
        await set_admin_menu(context.bot, user.id, lang, admin=True)
        await reply(
            update, t(lang, "start_admin", name=user.first_name) + "\n\n" + _admin_help(lang)
        )
        return
    if await services.agents.get(user.id) is None:
        # Not an agent we know from an approved group: a visitor, who leaves no row behind
        # (agents come from the seller's groups; see handlers/members.py).
        await reply(update, t(lang, "start_visitor", name=user.first_name))
        return
    await services.agents.record(
        user.id,
        user.first_name,
        user.last_name,
        user.username,
        user.language_code,
        services.now(),
        started_bot=True,
    )
    await reply(update, t(lang, "start_agent", name=user.first_name))


def _admin_help(lang: Language) -> str:
    lines = [t(lang, "help_admin_header")]
    lines += [f"/{name} — {t(lang, key)}" for name, key in ADMIN_COMMANDS]
    lines += ["", t(lang, "seller_help_names")]
    return "\n".join(lines)


async def help_command(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    services = context.services
    lang = context.lang
    lines = [t(lang, "help_agent_header")]
    lines += [f"/{name} — {t(lang, key)}" for name, key in AGENT_COMMANDS]
    text = "\n".join(lines)
    if await services.is_admin(user.id):
        text += "\n\n" + _admin_help(lang)
    await reply(update, text)


def register(application: Application) -> None:  # type: ignore[type-arg]
    # The welcome button's deep link (/start profile) is left to the /profile conversation,
    # whose entry point it is (handlers/profiles.py).
    deep_link = filters.Regex(f"^{re.escape(PROFILE_START_COMMAND)}$")
    application.add_handler(
        CommandHandler("start", start, filters=filters.ChatType.PRIVATE & ~deep_link)
    )
    application.add_handler(CommandHandler("help", help_command, filters=filters.ChatType.PRIVATE))
