"""The bot joining, leaving and following groups, and the seller's group commands."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.agents.crm import parse_chat_id, parse_tags
from bot.agents.membership import membership_change
from bot.common.errors import InputError
from bot.common.render import groups_list
from bot.texts import language_of, t
from handlers.common import Context, admin_only, command_args, reply

log = logging.getLogger(__name__)


async def on_bot_membership(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    services = context.services
    joined = membership_change(change)
    chat = change.chat
    if joined:
        group_language = language_of(change.from_user.language_code, services.settings.language)
        async with services.audited(change.from_user.id, "group_added", str(chat.id)):
            group, _ = await services.groups.register(
                chat.id,
                chat.title or str(chat.id),
                chat.type,
                change.from_user.id,
                services.now(),
                language=group_language,
            )
        log.info("bot added to group %s by %s", chat.id, change.from_user.id)
        for owner in services.settings.owners:
            lang = services.settings.language
            try:
                await context.bot.send_message(
                    owner,
                    t(lang, "owner_group_added", title=group.title, chat_id=group.chat_id),
                )
            except TelegramError as error:
                log.warning("could not tell owner %s about group %s: %s", owner, chat.id, error)
    elif joined is False:
        reason = "kicked" if change.new_chat_member.status == ChatMember.BANNED else "left"
        async with services.audited(
            change.from_user.id, "group_removed", str(chat.id), reason
        ) as audit:
            removed = await services.groups.mark_inactive(chat.id, reason, services.now())
            if not removed:
                audit.skip()
        if removed:
            log.info("bot removed from group %s (%s)", chat.id, reason)


async def on_migration(update: Update, context: Context) -> None:
    """A group became a supergroup: move the stored id, keep tags and memberships."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    async with services.audited(None, "group_migrated", str(old), str(new)) as audit:
        migrated = await services.groups.migrate(old, new, services.now())
        if not migrated:
            audit.skip()
    if migrated:
        log.info("group %s migrated to %s", old, new)


async def on_title_change(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.new_chat_title:
        return
    services = context.services
    await services.groups.rename(message.chat.id, message.new_chat_title, services.now())


@admin_only
async def groups_command(update: Update, context: Context) -> None:
    services = context.services
    groups = await services.groups.list()
    await reply(update, groups_list(groups, context.lang))


async def _change_tags(update: Update, context: Context, *, add: bool) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    usage = "usage_tag_group" if add else "usage_untag_group"
    if len(args) < 2:
        raise InputError(t(lang, usage))
    chat_id = parse_chat_id(args[0], lang)
    tags = parse_tags(args[1:], lang)
    group = await services.groups.get(chat_id)
    if group is None:
        raise InputError(t(lang, "err_group_unknown", chat_id=chat_id))
    user = update.effective_user
    async with services.audited(
        user.id if user else None,
        "tag_group" if add else "untag_group",
        str(chat_id),
        " ".join(tags),
    ):
        if add:
            await services.groups.add_tags(chat_id, tags)
        else:
            await services.groups.remove_tags(chat_id, tags)
    updated = await services.groups.get(chat_id)
    assert updated is not None
    await reply(
        update,
        t(lang, "group_tags_now", title=updated.title, tags=", ".join(updated.tags) or "-"),
    )


@admin_only
async def tag_group(update: Update, context: Context) -> None:
    await _change_tags(update, context, add=True)


@admin_only
async def untag_group(update: Update, context: Context) -> None:
    await _change_tags(update, context, add=False)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(ChatMemberHandler(on_bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration))
    application.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_TITLE, on_title_change))
    application.add_handler(CommandHandler("groups", groups_command))
    application.add_handler(CommandHandler("tag_group", tag_group))
    application.add_handler(CommandHandler("untag_group", untag_group))
