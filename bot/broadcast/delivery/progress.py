"""The creator's progress message for each broadcast the engine sends, which becomes the
broadcast's report when it is done: when the message is due an edit, and the jobs (queued in the
creator's chat, so within the limits) that send or edit it."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.broadcast.delivery.queues import JobRun
from bot.broadcast.delivery.sending import is_not_modified
from bot.broadcast.outbox import inline_markup
from bot.broadcast.report import progress_text, report_rows
from bot.common.callbacks import KeyedListPage
from bot.common.paged import list_pages, page_buttons
from bot.texts import Language
from storage.outbox import Broadcast, OutboxRepository

log = logging.getLogger(__name__)

# Queue a job: chat id, its cost in messages, what it does.
EnqueueJob = Callable[[int, int, JobRun], None]


@dataclass(eq=False)
class Progress:
    """The creator's progress message for one broadcast."""

    broadcast_id: int
    kind: str
    chat_id: int
    language: Language
    total: int
    sent: int
    failed: int
    message_id: int | None
    shown: tuple[int, int] | None = None
    shown_at: float = -math.inf
    job_queued: bool = False


class ProgressBoard:
    """The progress of every broadcast being sent that asked for a report."""

    def __init__(
        self,
        repository: OutboxRepository,
        enqueue: EnqueueJob,
        *,
        interval: float,
        default_language: Language,
        tz: ZoneInfo,
    ) -> None:
        self.repository = repository
        self._enqueue = enqueue
        self.interval = interval
        self.default_language = default_language
        self.tz = tz
        self._entries: dict[int, Progress] = {}

    def track(self, broadcast: Broadcast) -> None:
        """Follow a broadcast just loaded, if it asked for a report."""
        if not broadcast.report or broadcast.creator_id is None:
            return
        lang = broadcast.language if broadcast.language in ("zh", "en") else None
        self._entries[broadcast.id] = Progress(
            broadcast_id=broadcast.id,
            kind=broadcast.kind,
            chat_id=broadcast.progress_chat_id or broadcast.creator_id,
            language=cast(Language, lang or self.default_language),
            total=broadcast.total - broadcast.cancelled,
            sent=broadcast.sent,
            failed=broadcast.failed,
            message_id=broadcast.progress_message_id,
        )

    def count(self, broadcast_id: int, *, sent: bool) -> None:
        """One more delivery of the broadcast is sent or failed for good."""
        progress = self._entries.get(broadcast_id)
        if progress is None:
            return
        if sent:
            progress.sent += 1
        else:
            progress.failed += 1

    def forget(self, broadcast_id: int) -> Progress | None:
        return self._entries.pop(broadcast_id, None)

    def next_due(self, now: float) -> float:
        """Seconds until a progress message is due an edit (``math.inf``: none is)."""
        due = math.inf
        for progress in self._entries.values():
            if not progress.job_queued and progress.shown != (progress.sent, progress.failed):
                due = min(due, max(0.0, progress.shown_at + self.interval - now))
        return due

    def tick(self, now: float) -> None:
        """Queue an edit of every progress message that changed and was not edited lately."""
        for progress in self._entries.values():
            state = (progress.sent, progress.failed)
            if progress.job_queued or progress.shown == state:
                continue
            if now - progress.shown_at < self.interval:
                continue
            progress.job_queued = True
            progress.shown_at = now
            self._enqueue(progress.chat_id, 1, self._progress_job(progress))

    def _progress_job(self, progress: Progress) -> JobRun:
        async def run(bot: Bot) -> None:
            state = (progress.sent, progress.failed)
            text = progress_text(
                progress.broadcast_id,
                progress.kind,
                progress.total,
                *state,
                progress.language,
            )
            try:
                if progress.message_id is None:
                    message = await bot.send_message(
                        progress.chat_id, text, parse_mode=ParseMode.HTML
                    )
                    progress.message_id = message.message_id
                    await self.repository.set_progress_message(
                        progress.broadcast_id, progress.chat_id, message.message_id
                    )
                else:
                    await bot.edit_message_text(
                        text, progress.chat_id, progress.message_id, parse_mode=ParseMode.HTML
                    )
                progress.shown = state
            except RetryAfter:
                raise
            except BadRequest as error:
                if not is_not_modified(error):
                    log.info("progress of broadcast %s: %s", progress.broadcast_id, error)
                progress.shown = state
            except TelegramError as error:
                log.info("progress of broadcast %s not shown: %s", progress.broadcast_id, error)
                progress.shown = state
            finally:
                progress.job_queued = False

        return run

    async def report(self, broadcast_id: int) -> None:
        """The broadcast is finished: queue the edit that turns its progress message into the
        first page of its report (◀ ▶ page through the failures: /broadcast_status's list), or
        send that page when no progress message was shown. One message per broadcast."""
        progress = self._entries.pop(broadcast_id, None)
        if progress is None:
            return
        broadcast = await self.repository.get(broadcast_id)
        if broadcast is None:
            return
        lang = progress.language
        pages = list_pages(report_rows(broadcast, lang, self.tz), lang)
        markup = inline_markup(
            page_buttons(
                lambda page: KeyedListPage("bcreport", broadcast_id, page), 0, len(pages), lang
            )
        )

        async def final(bot: Bot) -> None:
            if progress.message_id is not None:
                try:
                    await bot.edit_message_text(
                        pages[0],
                        progress.chat_id,
                        progress.message_id,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    )
                    return
                except BadRequest as error:
                    if is_not_modified(error):
                        return
                    # The progress message is gone (deleted by the admin): send the report.
                    log.info("report of broadcast %s not edited: %s", broadcast_id, error)
            await bot.send_message(
                progress.chat_id, pages[0], parse_mode=ParseMode.HTML, reply_markup=markup
            )

        self._enqueue(progress.chat_id, 1, final)
