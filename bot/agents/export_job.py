"""/export as a background job that never blocks the event loop.

The handler answers at once with a progress message and starts :func:`run_export` as an
application task, so the admin's chat (and every other chat) keeps being served. The job reads
the agents in keyset batches on the read connection (``storage/exports.py``) and hands each to
a child process that renders and appends it to an openpyxl write-only workbook on disk
(bot/agents/export_writer.py: the sheet is never in memory, and no batch's CPU work competes
with the loop, not even for the GIL), edits the progress message at
most every ``[delivery] progress_interval_seconds`` through the delivery engine's limits, sends
the file from disk and deletes it. An admin runs one export at a time (:class:`Exports`).
Scores are exported as last computed (the daily recompute keeps them fresh): recomputing stale
ones first would put that work before the file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Bot, InputFile, Update
from telegram.error import TelegramError

from bot.agents.export_writer import append_batch, open_sheet, save_sheet, writer_pool
from bot.agents.quality_service import newcomers_after
from bot.broadcast.delivery.engine import ENGINE_KEY, DeliveryEngine
from bot.services import Services
from bot.texts import Language, t
from storage.exports import ExportRepository

if TYPE_CHECKING:
    from bot.app import AnyApplication

log = logging.getLogger(__name__)

EXPORTS_KEY = "agentbot.exports"
# Agents read, rendered and written per batch: a batch's query keeps the read connection
# a few milliseconds at most, and its rows are all the job holds in memory.
EXPORT_BATCH_ROWS = 250


@dataclass(frozen=True, slots=True)
class ExportTarget:
    """Who asked, where the file goes, and the progress message to edit."""

    user_id: int
    chat_id: int
    message_id: int
    lang: Language


class Exports:
    """The exports running now, at most one per admin (one per application, in ``bot_data``)."""

    def __init__(self) -> None:
        self.batch_rows = EXPORT_BATCH_ROWS
        # An admin's entry is None from reserve() to start(), then the running task.
        self._running: dict[int, asyncio.Task[None] | None] = {}

    def running(self, user_id: int) -> bool:
        return user_id in self._running

    def reserve(self, user_id: int) -> bool:
        """Claim the admin's one export; False when one is already running."""
        if user_id in self._running:
            return False
        self._running[user_id] = None
        return True

    def release(self, user_id: int) -> None:
        """Give up a reservation that was not started."""
        if self._running.get(user_id) is None:
            self._running.pop(user_id, None)

    def start(
        self, application: AnyApplication, services: Services, target: ExportTarget, update: object
    ) -> None:
        """Run the reserved export of ``target`` as an application task (its error goes to the
        error handlers with ``update``)."""
        engine = application.bot_data.get(ENGINE_KEY)
        if not isinstance(engine, DeliveryEngine):
            engine = None  # the bot is stopping: no progress edits, the file is still sent
        task = application.create_task(
            run_export(services, application.bot, engine, target, self.batch_rows),
            update=update,
            name=f"export-{target.user_id}",
        )
        self._running[target.user_id] = task
        task.add_done_callback(lambda _: self._running.pop(target.user_id, None))

    async def wait_idle(self) -> None:
        """Until every export started so far has finished (tests, benches)."""
        while tasks := [task for task in self._running.values() if task is not None]:
            await asyncio.gather(*tasks, return_exceptions=True)


def exports_of(application: AnyApplication) -> Exports:
    exports = application.bot_data.get(EXPORTS_KEY)
    if not isinstance(exports, Exports):
        exports = Exports()
        application.bot_data[EXPORTS_KEY] = exports
    return exports


async def start_export(
    application: AnyApplication, services: Services, update: Update, lang: Language
) -> None:
    """``/export`` from an admin: refused while their last one runs; else a progress message,
    and the export starts in the background (its errors reach the error handlers with
    ``update``)."""
    message = update.effective_message
    assert message is not None and message.from_user is not None
    user_id = message.from_user.id
    exports = exports_of(application)
    if not exports.reserve(user_id):
        await message.reply_text(t(lang, "offloop_export_running"))
        return
    try:
        total = await ExportRepository(services.db).count()
        progress = await message.reply_text(t(lang, "offloop_export_started", total=total))
    except BaseException:
        exports.release(user_id)
        raise
    target = ExportTarget(user_id, progress.chat.id, progress.message_id, lang)
    exports.start(application, services, target, update)


class _Progress:
    """Edits the progress message, at most once per interval, within the engine's limits."""

    def __init__(
        self, engine: DeliveryEngine | None, services: Services, target: ExportTarget, total: int
    ) -> None:
        self.engine = engine
        self.interval = services.settings.delivery.progress_interval_seconds
        self.target = target
        self.total = total
        self.shown_at = self.engine.clock.now() if self.engine is not None else 0.0

    async def show(self, done: int) -> None:
        if self.engine is None or self.engine.clock.now() - self.shown_at < self.interval:
            return
        self.shown_at = self.engine.clock.now()
        lang = self.target.lang
        await self.edit(t(lang, "offloop_export_progress", done=done, total=self.total))

    async def edit(self, text: str) -> None:
        if self.engine is None:
            return
        chat_id, message_id = self.target.chat_id, self.target.message_id

        async def edit(bot: Bot) -> Any:
            return await bot.edit_message_text(text, chat_id, message_id, parse_mode="HTML")

        try:
            await self.engine.limited(chat_id, 1, edit)
        except (TelegramError, RuntimeError) as error:  # RuntimeError: the engine stopped
            log.info("export progress for %s not shown: %s", chat_id, error)


async def run_export(
    services: Services,
    bot: Bot,
    engine: DeliveryEngine | None,
    target: ExportTarget,
    batch_rows: int,
) -> None:
    """Write every agent to a temporary XLSX, send it to ``target`` and delete it. Progress
    edits go through ``engine`` (none without it)."""
    loop = asyncio.get_running_loop()
    lang, tz = target.lang, services.settings.tz
    repository = ExportRepository(services.db)
    descriptor, name = tempfile.mkstemp(prefix="agentbot-export-", suffix=".xlsx")
    os.close(descriptor)  # mkstemp made it readable by the owner only
    path = Path(name)
    writer = writer_pool()
    progress: _Progress | None = None
    try:
        total = await repository.count()
        progress = _Progress(engine, services, target, total)
        await loop.run_in_executor(writer, open_sheet, str(path), lang)
        newcomers = newcomers_after(services) if services.settings.quality.newcomer_days else None
        done, after = 0, 0
        while (batch := await repository.batch(after, batch_rows)).rows:
            await loop.run_in_executor(writer, append_batch, batch, lang, tz, newcomers)
            done += len(batch.rows)
            after = batch.last_user_id
            await progress.show(done)
        await loop.run_in_executor(writer, save_sheet)
        stamp = datetime.fromtimestamp(services.now(), tz).strftime("%Y%m%d-%H%M")
        file = await loop.run_in_executor(None, path.open, "rb")
        try:
            # Streamed from disk as the request is sent, never read into memory whole.
            document = InputFile(file, filename=f"agents-{stamp}.xlsx", read_file_handle=False)
            caption = t(lang, "io_export_caption", count=done)
            await bot.send_document(target.chat_id, document, caption=caption)
        finally:
            file.close()
        await services.audit.add(services.now(), target.user_id, "export", None, str(done))
        await progress.edit(t(lang, "offloop_export_done", count=done))
    except Exception:
        if progress is None:
            progress = _Progress(engine, services, target, 0)
        await progress.edit(t(lang, "offloop_export_failed"))
        raise
    finally:
        await loop.run_in_executor(None, partial(writer.shutdown, wait=True, cancel_futures=True))
        await loop.run_in_executor(None, partial(path.unlink, missing_ok=True))
