"""/start in private: the admin's short task menu, the agent's greeting, the visitor's text.

Only people the bot knows from the seller's (approved) groups are agents; anyone else who
starts the bot is a visitor and gets the visitor's text, with no agent row created. /help and
the menu's buttons are answered by handlers/help.py."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, filters

from bot.agents.membership import PROFILE_START_COMMAND
from bot.commands import set_admin_menu
from bot.common.callbacks import MenuTask, MenuTaskName, encode
from bot.texts import Language, t
from handlers.common import Context, record_started_bot, reply, shop_name

log = logging.getLogger(__name__)

# The admin menu's buttons, two per row (the last alone): the seller's main tasks.
MENU_ROWS: tuple[tuple[MenuTaskName, ...], ...] = (
    ("broadcast", "agents"),
    ("quality", "products"),
    ("schedules", "stats"),
    ("help",),
)


def admin_menu_markup(lang: Language) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, f"menu_btn_{task}"), callback_data=encode(MenuTask(task))
                )
                for task in row
            ]
            for row in MENU_ROWS
        ]
    )


async def start(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    services = context.services
    lang = context.lang
    shop = shop_name(context, lang)
    if await services.is_admin(user.id):
        await set_admin_menu(context.bot, user.id, services.settings.language, admin=True)
        await reply(
            update,
            t(lang, "start_admin", name=user.first_name, shop=shop),
            reply_markup=admin_menu_markup(lang),
        )
        return
    if await services.agents.get(user.id) is None:
        # Not an agent we know from an approved group: a visitor, who leaves no row behind
        # (agents come from the seller's groups; see handlers/members.py).
        await reply(update, t(lang, "start_visitor", name=user.first_name, shop=shop))
        return
    await record_started_bot(services, user)
    await reply(update, t(lang, "start_agent", name=user.first_name, shop=shop))


def register(application: Application) -> None:  # type: ignore[type-arg]
    # The welcome button's deep link (/start profile) is left to the /profile conversation,
    # whose entry point it is (handlers/profiles.py).
    deep_link = filters.Regex(f"^{re.escape(PROFILE_START_COMMAND)}$")
    application.add_handler(
        CommandHandler("start", start, filters=filters.ChatType.PRIVATE & ~deep_link)
    )
