"""The seller's dashboard and operations: /stats (admins) and /backup (owners)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from telegram import Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import Application, CommandHandler

from bot.common.errors import InputError
from bot.ops.backup_files import BOT_UPLOAD_LIMIT, backup_file_name, human_size
from bot.ops.charts import render_chart
from bot.ops.stats import chart_data, totals_text, week_starts
from bot.texts import Language, t
from handlers.common import Context, admin_only, owner_only, reply
from storage.backup import BackupError, backup_database

log = logging.getLogger(__name__)
CAPTION_LIMIT = 1024


def _require_private(update: Update, lang: Language, command: str) -> None:
    """Business figures and the database never go to a group, even one the seller admins."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        raise InputError(t(lang, "ops_private_only", command=command))


@admin_only
async def stats_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    _require_private(update, lang, "stats")
    message = update.effective_message
    assert message is not None
    now = services.now()
    tz = services.settings.tz
    dashboard = await services.stats.dashboard(week_starts(now, tz), now)
    text = totals_text(dashboard, lang, tz, now)
    await message.reply_chat_action(ChatAction.UPLOAD_PHOTO)
    png = await asyncio.to_thread(render_chart, chart_data(dashboard, tz), lang)
    if len(text) <= CAPTION_LIMIT:
        await message.reply_photo(png, caption=text)
    else:
        await message.reply_photo(png)
        await reply(update, text)
    log.info("stats sent to %s", message.chat_id)


@owner_only
async def backup_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    _require_private(update, lang, "backup")
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    now = services.now()
    name = backup_file_name(now, services.settings.tz)
    await message.reply_chat_action(ChatAction.UPLOAD_DOCUMENT)
    with tempfile.TemporaryDirectory(prefix="agentbot-backup-") as folder:
        target = Path(folder) / name
        try:
            result = await asyncio.to_thread(backup_database, services.settings.database, target)
        except BackupError as error:
            log.error("backup for owner %s failed: %s", user.id, error)
            raise InputError(t(lang, "ops_backup_failed", error=str(error))) from None
        size = human_size(result.size_bytes)
        if result.size_bytes > BOT_UPLOAD_LIMIT:
            raise InputError(t(lang, "ops_backup_too_big", size=size))
        with target.open("rb") as file:
            await message.reply_document(
                file,
                filename=name,
                caption=t(lang, "ops_backup_caption", name=name, size=size),
            )
    await services.audit.add(now, user.id, "backup", detail=str(result.size_bytes))
    log.info("database backup (%d bytes) sent to owner %s", result.size_bytes, user.id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("stats", stats_command))
    application.add_handler(CommandHandler("backup", backup_command))
