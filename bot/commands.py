"""The command menus shown by Telegram clients, per audience.

Each entry is (command, catalog key of its description). Agents see AGENT_COMMANDS in private
chats; owners and admins see ADMIN_COMMANDS (which include the agent ones) in their own chat.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.texts import CATALOGS, Language, t

log = logging.getLogger(__name__)

AGENT_COMMANDS: list[tuple[str, str]] = [
    ("start", "cmd_start"),
    ("help", "cmd_help"),
    ("profile", "cmd_profile"),
    ("myprofile", "cmd_myprofile"),
    ("products", "cmd_products_agent"),
]
AGENT_COMMANDS += [("mydata", "cmd_mydata"), ("forgetme", "cmd_forgetme")]

ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("groups", "cmd_groups"),
    ("tag_group", "cmd_tag_group"),
    ("untag_group", "cmd_untag_group"),
    ("agents", "cmd_agents"),
    ("agent", "cmd_agent"),
    ("remark", "cmd_remark"),
    ("tag", "cmd_tag"),
    ("untag", "cmd_untag"),
    ("mode", "cmd_mode"),
    ("contacted", "cmd_contacted"),
    ("remove", "cmd_remove"),
    ("rate", "cmd_rate"),
    ("ratings", "cmd_ratings"),
    ("lowquality", "cmd_lowquality"),
    ("export", "cmd_export"),
    ("import_orders", "cmd_import_orders"),
    ("import_agents", "cmd_import_agents"),
    ("admins", "cmd_admins"),
    ("grant", "cmd_grant"),
    ("revoke", "cmd_revoke"),
    ("newproduct", "cmd_newproduct"),
    ("product", "cmd_product"),
    ("product_link", "cmd_product_link"),
    ("promo", "cmd_promo"),
    ("promos", "cmd_promos"),
    ("stock", "cmd_stock"),
    ("stock_threshold", "cmd_stock_threshold"),
    ("stock_import", "cmd_stock_import"),
    ("broadcast", "cmd_broadcast"),
    ("broadcasts", "cmd_broadcasts"),
    ("broadcast_status", "cmd_broadcast_status"),
    ("retract", "cmd_retract"),
    ("schedule", "cmd_schedule"),
    ("schedules", "cmd_schedules"),
    ("schedule_digest", "cmd_schedule_digest"),
    ("pause_schedule", "cmd_pause_schedule"),
    ("resume_schedule", "cmd_resume_schedule"),
    ("cancel_schedule", "cmd_cancel_schedule"),
    ("launch", "cmd_launch"),
    ("greeting", "cmd_greeting"),
    ("training", "cmd_training"),
    ("trainings", "cmd_trainings"),
    ("attended", "cmd_attended"),
    ("cancel_training", "cmd_cancel_training"),
    ("edit", "cmd_edit"),
    ("stats", "ops_cmd_stats"),
    ("backup", "ops_cmd_backup"),
    ("stock_eta", "stk_cmd_stock_eta"),
    ("discontinue", "stk_cmd_discontinue"),
    ("dm", "cmd_dm"),
    ("mute", "cmd_mute"),
    ("unmute", "cmd_unmute"),
]


def _menu(entries: list[tuple[str, str]], lang: Language) -> list[BotCommand]:
    return [BotCommand(name, t(lang, key)) for name, key in entries]


async def set_admin_menu(bot: Bot, user_id: int, lang: Language, *, admin: bool) -> None:
    """Give ``user_id`` the admin menu (or take it back) in their private chat."""
    scope = BotCommandScopeChat(user_id)
    try:
        if admin:
            await bot.set_my_commands(_menu(AGENT_COMMANDS + ADMIN_COMMANDS, lang), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as error:
        # A user who never started the bot has no private chat yet; the menu comes with /start.
        log.info("menu for %s not set: %s", user_id, error)


async def install_menus(bot: Bot, default: Language, admin_ids: set[int]) -> None:
    """Agent menu for all private chats (per language) and the admin menu per admin."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(_menu(AGENT_COMMANDS, default), scope=scope)
    for lang in CATALOGS:
        await bot.set_my_commands(_menu(AGENT_COMMANDS, lang), scope=scope, language_code=lang)
    for user_id in sorted(admin_ids):
        await set_admin_menu(bot, user_id, default, admin=True)
