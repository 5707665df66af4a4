"""The bot joining, leaving and following groups, and the seller's group commands.

A group is a broadcast target only when an admin added the bot or approved it
(bot/agents/group_approval.py)."""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberUpdated, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.agents.crm import parse_chat_id, parse_tags
from bot.agents.group_approval import (
    LEFT_BY_ADMIN,
    drop_timeout,
    pending_notice,
    plan_timeout,
)
from bot.agents.membership import membership_change
from bot.common.callbacks import GroupDecision, matches
from bot.common.errors import InputError
from bot.common.render import group_status, groups_list
from bot.texts import Language, language_of, t
from handlers.common import (
    Context,
    ListRows,
    actor_id,
    admin_only,
    clicked,
    command_args,
    list_page_handler,
    reply,
    send_list,
)
from storage.models import Group

log = logging.getLogger(__name__)


async def on_bot_membership(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    joined = membership_change(change)
    if joined:
        await _bot_added(context, change)
    elif joined is False:
        await _bot_removed(context, change)


async def _bot_added(context: Context, change: ChatMemberUpdated) -> None:
    """An admin's add makes the group a target at once; anyone else's makes it pending (it
    gets nothing), with a notice to the owners, at most one per adder per hour."""
    services = context.services
    chat, adder = change.chat, change.from_user
    pending = not await services.is_admin(adder.id)
    group_language = language_of(adder.language_code, services.settings.language)
    now = services.now()
    action = "group_pending" if pending else "group_added"
    async with services.audited(adder.id, action, str(chat.id)):
        group, _ = await services.groups.register(
            chat.id,
            chat.title or str(chat.id),
            chat.type,
            adder.id,
            now,
            language=group_language,
            pending=pending,
        )
        announce = not pending or await services.groups.claim_announcement(group.id, adder.id, now)
        if pending:
            await plan_timeout(services, group)
    log.info("bot added to group %s by %s%s", chat.id, adder.id, " (pending)" if pending else "")
    if not announce:
        return
    lang = services.settings.language
    markup: InlineKeyboardMarkup | None = None
    if pending:
        text, markup = pending_notice(
            services,
            group,
            user_id=adder.id,
            name=adder.full_name,
            username=adder.username,
            lang=lang,
        )
    else:
        text = t(lang, "owner_group_added", title=group.title, chat_id=group.chat_id)
    for owner in services.settings.owners:
        try:
            await context.bot.send_message(owner, text, reply_markup=markup)
        except TelegramError as error:
            log.warning("could not tell owner %s about group %s: %s", owner, chat.id, error)


async def _bot_removed(context: Context, change: ChatMemberUpdated) -> None:
    services = context.services
    chat = change.chat
    reason = "kicked" if change.new_chat_member.status == ChatMember.BANNED else "left"
    async with services.audited(
        change.from_user.id, "group_removed", str(chat.id), reason
    ) as audit:
        removed = await services.groups.mark_inactive(chat.id, reason, services.now())
        if not removed:
            audit.skip()
    if removed:
        log.info("bot removed from group %s (%s)", chat.id, reason)
        group = await services.groups.get(chat.id)
        if group is not None:
            await drop_timeout(services, group.id)


@admin_only
async def group_decision(update: Update, context: Context) -> None:
    """Approve / Leave on the owners' notice about a pending group. Only a pending group is
    acted on (one guarded UPDATE), so a second click, or the other owner's copy, changes
    nothing and is told so."""
    query, button = clicked(update, GroupDecision)
    services = context.services
    lang = context.lang
    actor = actor_id(update)
    approve = button.choice == "ok"
    async with services.audited(
        actor, "group_approve" if approve else "group_leave", str(button.group_id)
    ) as audit:
        if approve:
            group = await services.groups.approve(button.group_id, services.now())
        else:
            group = await services.groups.drop_pending(
                button.group_id, LEFT_BY_ADMIN, services.now()
            )
        if group is None:
            audit.skip()
        else:
            audit.target = str(group.chat_id)
    if group is None:
        current = await services.groups.by_id(button.group_id)
        await query.answer(
            t(lang, "grp_already_decided", status=_status(current, lang)), show_alert=True
        )
        return
    await drop_timeout(services, group.id)
    by = update.effective_user.full_name if update.effective_user else str(actor)
    if approve:
        outcome = t(lang, "grp_approved", by=by)
    else:
        outcome = t(lang, "grp_left", by=by)
        try:
            await context.bot.leave_chat(group.chat_id)
        except TelegramError as error:
            log.warning("could not leave group %s: %s", group.chat_id, error)
            outcome += "\n" + t(lang, "grp_leave_failed", error=str(error))
    log.info("group %s %s by %s", group.chat_id, "approved" if approve else "left", actor)
    await query.answer()
    original = query.message.text_html if isinstance(query.message, Message) else ""
    await query.edit_message_text(f"{original}\n\n{outcome}", reply_markup=None)


def _status(group: Group | None, lang: Language) -> str:
    if group is None:
        return "-"
    return group_status(group, lang)


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
    await send_list(update, context, "groups", await _groups_rows(context))


async def _groups_rows(context: Context) -> ListRows:
    return groups_list(await context.services.groups.list(), context.lang)


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
    application.add_handler(list_page_handler("groups", _groups_rows))
    application.add_handler(CommandHandler("tag_group", tag_group))
    application.add_handler(CommandHandler("untag_group", untag_group))
    application.add_handler(CallbackQueryHandler(group_decision, pattern=matches(GroupDecision)))
