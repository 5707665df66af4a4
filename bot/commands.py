"""The command menus shown by Telegram clients, per audience and chat scope, and the /help
topics they are grouped into.

Each entry is (command, catalog key of its description). Menus, each in the default language
and once per catalog language (``language_code``):
- every private chat (BotCommandScopeAllPrivateChats): AGENT_COMMANDS;
- each admin's private chat (BotCommandScopeChat): start and help, then the admin commands
  grouped by HELP_TOPICS, most used topic first, each description led by its topic's emoji, then
  the agent commands; set at start-up, at /start and /grant, deleted at /revoke;
- every group (BotCommandScopeAllGroupChats): GROUP_COMMANDS, agent commands only.

The lists are appended to by features; ordering for the menu comes from HELP_TOPICS (a command
in no topic goes after the grouped ones), so appending a command never needs a reorder here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
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


# In a group the bot answers agents only: /help briefly (or privately), /profile with a button to
# continue in private (handlers/help.py). Admin commands are never listed there.
GROUP_COMMANDS: list[tuple[str, str]] = [
    ("help", "menu_agent_cmd_help_group"),
    ("profile", "menu_agent_cmd_profile_group"),
]


@dataclass(frozen=True, slots=True)
class HelpTopic:
    """A /help topic: ``/help <name>`` lists its commands and a note on how they are used.
    Commands that no list defines (a feature not installed) are left out where it is shown."""

    name: str
    emoji: str
    commands: tuple[str, ...]


# Most used first: this is also the order of the admin's command menu.
HELP_TOPICS: tuple[HelpTopic, ...] = (
    HelpTopic(
        "broadcast",
        "📣",
        ("broadcast", "broadcasts", "broadcast_status", "retract", "edit", "dm", "mute", "unmute"),
    ),
    HelpTopic(
        "agents",
        "👥",
        ("agents", "agent", "remark", "tag", "untag", "mode", "contacted", "rate", "ratings"),
    ),
    HelpTopic("quality", "⭐", ("lowquality", "remove")),
    HelpTopic(
        "products",
        "🛍",
        ("newproduct", "products", "product", "product_link", "promo", "promos", "launch"),
    ),
    HelpTopic(
        "stock", "📦", ("stock", "stock_threshold", "stock_import", "stock_eta", "discontinue")
    ),
    HelpTopic(
        "schedules",
        "⏰",
        (
            "schedule",
            "schedules",
            "schedule_digest",
            "pause_schedule",
            "resume_schedule",
            "cancel_schedule",
            "greeting",
        ),
    ),
    HelpTopic("trainings", "🎓", ("training", "trainings", "attended", "cancel_training")),
    HelpTopic("groups", "💬", ("groups", "tag_group", "untag_group")),
    HelpTopic("data", "📊", ("stats", "export", "import_agents", "import_orders", "backup")),
    HelpTopic("admins", "🔑", ("admins", "grant", "revoke")),
)
# The topic a /start menu button explains.
MENU_TASK_TOPICS: dict[str, str] = {  # "help" lists every topic
    "broadcast": "broadcast",
    "agents": "agents",
    "quality": "quality",
    "products": "products",
    "schedules": "schedules",
    "stats": "data",
}
OTHER_EMOJI = "•"


def _descriptions() -> dict[str, str]:
    """command -> catalog key, from every list (an admin list entry wins)."""
    return dict(AGENT_COMMANDS) | dict(ADMIN_COMMANDS)


def admin_menu_entries() -> list[tuple[str, str, str]]:
    """(command, description key, emoji) of the admin's menu: start and help, the topics' admin
    commands in topic order, admin commands in no topic, then the other agent commands."""
    known = _descriptions()
    entries: list[tuple[str, str, str]] = []
    seen: set[str] = set()

    def add(name: str, emoji: str) -> None:
        if name in known and name not in seen:
            seen.add(name)
            entries.append((name, known[name], emoji))

    for name in ("start", "help"):
        add(name, "")
    for topic in HELP_TOPICS:
        for name in topic.commands:
            add(name, topic.emoji)
    for name, _ in ADMIN_COMMANDS:
        add(name, OTHER_EMOJI)
    for name, _ in AGENT_COMMANDS:
        add(name, "")
    return entries


def find_topic(word: str) -> HelpTopic | None:
    """The topic named ``word``: its name (any case) or its title in either language."""
    wanted = word.strip().casefold()
    for topic in HELP_TOPICS:
        titles = {CATALOGS[lang][f"menu_topic_{topic.name}"].casefold() for lang in CATALOGS}
        if wanted == topic.name or wanted in titles:
            return topic
    return None


def topic_by_name(name: str) -> HelpTopic:
    return next(topic for topic in HELP_TOPICS if topic.name == name)


def topics_text(lang: Language) -> str:
    """The admin's /help: one line per topic, then how to open one."""
    lines = [t(lang, "menu_topics_header")]
    lines += [
        f"{topic.emoji} /help {topic.name} — {t(lang, f'menu_topic_{topic.name}')}"
        for topic in HELP_TOPICS
    ]
    others = [
        name for name, _ in ADMIN_COMMANDS if not any(name in x.commands for x in HELP_TOPICS)
    ]
    if others:
        lines.append(f"{OTHER_EMOJI} " + " ".join(f"/{name}" for name in others))
    lines += ["", t(lang, "menu_topics_footer")]
    return "\n".join(lines)


def topic_text(lang: Language, topic: HelpTopic) -> str:
    """``/help <topic>``: its commands with their descriptions, then how they are used."""
    known = _descriptions()
    lines = [f"<b>{topic.emoji} {t(lang, f'menu_topic_{topic.name}')}</b>"]
    lines += [f"/{name} — {t(lang, known[name])}" for name in topic.commands if name in known]
    lines += ["", t(lang, f"menu_note_{topic.name}")]
    return "\n".join(lines)


def agent_help_text(lang: Language) -> str:
    lines = [t(lang, "help_agent_header")]
    lines += [f"/{name} — {t(lang, key)}" for name, key in AGENT_COMMANDS]
    return "\n".join(lines)


def _menu(entries: list[tuple[str, str]], lang: Language) -> list[BotCommand]:
    return [BotCommand(name, t(lang, key)) for name, key in entries]


def _admin_menu(lang: Language) -> list[BotCommand]:
    return [
        BotCommand(name, f"{emoji} {t(lang, key)}" if emoji else t(lang, key))
        for name, key, emoji in admin_menu_entries()
    ]


async def set_admin_menu(bot: Bot, user_id: int, lang: Language, *, admin: bool) -> None:
    """Give ``user_id`` the admin menu (or take it back) in their private chat: in ``lang``
    (the configured default) for any client language, and in each catalog language for
    clients in that language."""
    scope = BotCommandScopeChat(user_id)
    try:
        if admin:
            await bot.set_my_commands(_admin_menu(lang), scope=scope)
            for code in CATALOGS:
                await bot.set_my_commands(_admin_menu(code), scope=scope, language_code=code)
        else:
            await bot.delete_my_commands(scope=scope)
            for code in CATALOGS:
                await bot.delete_my_commands(scope=scope, language_code=code)
    except TelegramError as error:
        # A user who never started the bot has no private chat yet; the menu comes with /start.
        log.info("menu for %s not set: %s", user_id, error)


async def _set_for_all_languages(
    bot: Bot, scope: BotCommandScope, entries: list[tuple[str, str]], default: Language
) -> None:
    await bot.set_my_commands(_menu(entries, default), scope=scope)
    for code in CATALOGS:
        await bot.set_my_commands(_menu(entries, code), scope=scope, language_code=code)


async def install_menus(bot: Bot, default: Language, admin_ids: set[int]) -> None:
    """Agent menu for all private chats, the group menu for all groups (each per language), and
    the admin menu per admin."""
    await _set_for_all_languages(bot, BotCommandScopeAllPrivateChats(), AGENT_COMMANDS, default)
    await _set_for_all_languages(bot, BotCommandScopeAllGroupChats(), GROUP_COMMANDS, default)
    for user_id in sorted(admin_ids):
        await set_admin_menu(bot, user_id, default, admin=True)
