"""Owners granting and revoking admin rights."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.commands import set_admin_menu
from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.common.render import local_time
from bot.texts import t
from handlers.common import (
    Context,
    ListRows,
    admin_only,
    command_args,
    list_page_handler,
    owner_only,
    reply,
    send_list,
)


@admin_only
async def admins_command(update: Update, context: Context) -> None:
    await send_list(update, context, "admins", await _admins_rows(context))


async def _admins_rows(context: Context) -> ListRows:
    services = context.services
    lang = context.lang
    rows = [t(lang, "admins_owner", user_id=owner) for owner in services.settings.owners]
    rows += [
        t(
            lang,
            "admins_row",
            user_id=grant.user_id,
            by=grant.granted_by,
            at=local_time(grant.granted_at, services.settings.tz, lang),
        )
        for grant in await services.admins.list()
    ]
    return t(lang, "admins_header"), rows


def _user_id_arg(args: list[str], lang: str, usage: str) -> int:
    user_id = ascii_int(args[0], 1) if len(args) == 1 else None
    if user_id is None:
        raise InputError(t(lang, usage))  # type: ignore[arg-type]
    return user_id


@owner_only
async def grant(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    user_id = _user_id_arg(command_args(context), lang, "usage_grant")
    assert update.effective_user is not None
    actor = update.effective_user.id
    granted = False
    if not services.is_owner(user_id):
        async with services.audited(actor, "grant", str(user_id)) as audit:
            granted = await services.admins.grant(user_id, actor, services.now())
            if not granted:
                audit.skip()
    if not granted:
        await reply(update, t(lang, "grant_already", user_id=user_id))
        return
    await set_admin_menu(context.bot, user_id, services.settings.language, admin=True)
    await reply(update, t(lang, "grant_done", user_id=user_id))


@owner_only
async def revoke(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    user_id = _user_id_arg(command_args(context), lang, "usage_revoke")
    assert update.effective_user is not None
    if services.is_owner(user_id):
        raise InputError(t(lang, "revoke_owner", user_id=user_id))
    async with services.audited(update.effective_user.id, "revoke", str(user_id)) as audit:
        revoked = await services.admins.revoke(user_id)
        if not revoked:
            audit.skip()
    if not revoked:
        await reply(update, t(lang, "revoke_not_admin", user_id=user_id))
        return
    await set_admin_menu(context.bot, user_id, services.settings.language, admin=False)
    await reply(update, t(lang, "revoke_done", user_id=user_id))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("admins", admins_command))
    application.add_handler(list_page_handler("admins", _admins_rows))
    application.add_handler(CommandHandler("grant", grant))
    application.add_handler(CommandHandler("revoke", revoke))
