"""/export as a background job that never blocks the event loop.

The handler answers at once with a progress message and starts :func:`run_export` as an
application task, so the admin's chat (and every other chat) keeps being served. The job reads
the agents in keyset batches on the read connection (``storage/exports.py``), renders and
appends each batch in ONE worker thread to an openpyxl write-only workbook on disk (the sheet
is never in memory, and no batch's CPU work runs on the loop), edits the progress message at
most every ``[delivery] progress_interval_seconds`` through the delivery engine's limits, sends
the file from disk and deletes it. An admin runs one export at a time (:class:`Exports`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram import Bot, InputFile
from telegram.error import TelegramError

from bot.agents.quality_service import refresh_stale
from bot.agents.sheets import XlsxStream
from bot.agents.spreadsheets import export_header, export_row
from bot.broadcast.delivery.engine import ENGINE_KEY, DeliveryEngine
from bot.services import Services
from bot.texts import Language, t
from storage.exports import ExportRecord, ExportRepository

if TYPE_CHECKING:
    from bot.app import AnyApplication

log = logging.getLogger(__name__)

EXPORTS_KEY = "agentbot.exports"
# Agents read, rendered and written per batch: a batch's query keeps the read connection
# a few milliseconds at most, and its rows are all the job holds in memory.
EXPORT_BATCH_ROWS = 1000


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


async def count_agents(services: Services) -> int:
    """How many agents a full export holds (removed ones too)."""
    return await ExportRepository(services.db).count()


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


def _write_batch(
    stream: XlsxStream, records: Sequence[ExportRecord], lang: Language, tz: ZoneInfo
) -> None:
    stream.append([export_row(record, lang, tz) for record in records])


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
    # One thread for the whole workbook: openpyxl's writer is not to be shared between threads.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentbot-export")
    progress: _Progress | None = None
    try:
        await refresh_stale(services)
        total = await repository.count()
        progress = _Progress(engine, services, target, total)
        header = export_header(lang)
        stream = await loop.run_in_executor(
            executor, XlsxStream, path, t(lang, "io_sheet_title"), header
        )
        done, after = 0, 0
        while records := await repository.batch(after, batch_rows):
            await loop.run_in_executor(executor, _write_batch, stream, records, lang, tz)
            done += len(records)
            after = records[-1].agent.user_id
            await progress.show(done)
        await loop.run_in_executor(executor, stream.save)
        stamp = datetime.fromtimestamp(services.now(), tz).strftime("%Y%m%d-%H%M")
        file = await loop.run_in_executor(executor, path.open, "rb")
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
        await loop.run_in_executor(None, partial(executor.shutdown, wait=True))
        await loop.run_in_executor(None, partial(path.unlink, missing_ok=True))
