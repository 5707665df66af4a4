"""Removing agents from every group as a durable job, and the worker that executes it.

``request_agent_removal`` / ``request_tier_removal`` write the intent (the job, the agents'
change to ``removed`` and one pending step per agent and active group, with the audit row) in
one transaction; a tier's agents beyond the first batch are written by the worker, batch by
batch, from the target list stored in the job. The worker (one per running bot, started after
the delivery engine and stopped before it) bans then unbans each step's agent through
``DeliveryEngine.limited`` - so within the engine's global budget, queued under the agent's id
- records each step as done or failed when its call returns, edits the admin's progress
message and at the end turns that message into the job's one report (◀ ▶ page through the
failed steps). On start it resumes every job not reported yet.
docs/ARCHITECTURE.md ("Removing agents") defines the states and why every crash point is
recoverable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Bot, CallbackQuery
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.broadcast.delivery.engine import ENGINE_KEY, DeliveryEngine
from bot.broadcast.delivery.sending import is_not_modified
from bot.broadcast.outbox import inline_markup
from bot.common.callbacks import KeyedListPage
from bot.common.paged import ListRows, list_pages, page_buttons
from bot.services import Services
from bot.texts import Language, language_of, t
from storage.models import Agent
from storage.removals import RemovalJob, RemovalRepository, RemovalStep, StepFailure

if TYPE_CHECKING:
    from bot.app import AnyApplication

log = logging.getLogger(__name__)

REMOVALS_KEY = "agentbot.removals"
# Targets turned into status changes and steps per transaction: a few ms of SQLite work, so
# the write lock and the loop are never held for long.
WRITE_BATCH = 200
# Steps started together (the engine paces them; this bounds what waits in its queues).
STEPS_IN_FLIGHT = 16
# A step whose calls fail for a transient reason (network, 5xx, repeated 429) is tried this
# many times, then recorded as failed.
MAX_ATTEMPTS = 3
# Failed steps listed in a job's report (paged); beyond that a row says how many more.
MAX_FAILURES_LISTED = 5000


@dataclass(frozen=True, slots=True)
class ProgressTarget:
    """Where the job's progress and report go: the admin's confirmation message."""

    chat_id: int
    message_id: int
    language: Language


class _NothingToRemove(Exception):
    """Raised inside the intent transaction to roll it back (and its audit row)."""


async def request_agent_removal(
    services: Services,
    user_id: int,
    label: str,
    actor_id: int,
    reason: str | None,
    progress: ProgressTarget,
) -> int | None:
    """Write the removal of one agent; the job id, or None when the agent is not active (a
    second press: nothing is written)."""
    repository = RemovalRepository(services.db)
    try:
        async with services.audited(actor_id, "remove_agent", str(user_id), reason or ""):
            job_id = await repository.create(
                "agent",
                label,
                reason,
                actor_id,
                progress.language,
                [user_id],
                services.now(),
                chat_id=progress.chat_id,
                message_id=progress.message_id,
            )
            if not await repository.write_batch(job_id, WRITE_BATCH, services.now()):
                raise _NothingToRemove
    except _NothingToRemove:
        return None
    return job_id


async def request_tier_removal(
    services: Services,
    user_ids: list[int],
    label: str,
    actor_id: int,
    reason: str,
    progress: ProgressTarget,
) -> int | None:
    """Write the removal of a tier's agents: the job with its target list and the first
    batch (audited per agent, as a single removal is); the worker writes the rest. The job
    id, or None when none of the agents is still active."""
    repository = RemovalRepository(services.db)
    try:
        async with services.db.transaction():
            job_id = await repository.create(
                "tier",
                label,
                reason,
                actor_id,
                progress.language,
                user_ids,
                services.now(),
                chat_id=progress.chat_id,
                message_id=progress.message_id,
            )
            changed = await _write_batch(services, repository, job_id, actor_id, reason)
            job = await repository.get(job_id)
            if not changed and job is not None and job.state == "running":
                raise _NothingToRemove
    except _NothingToRemove:
        return None
    return job_id


async def _write_batch(
    services: Services,
    repository: RemovalRepository,
    job_id: int,
    actor_id: int | None,
    reason: str | None,
) -> list[int]:
    """The next batch of the job's targets and one audit row per agent changed, together."""
    async with services.db.transaction():
        changed = await repository.write_batch(job_id, WRITE_BATCH, services.now())
        for user_id in changed:
            await services.audit.add(
                services.now(), actor_id, "remove_agent", str(user_id), reason or ""
            )
    return changed


async def removal_progress(services: Services, job_id: int) -> str:
    """The job's progress text as it stands (the first one the admin sees)."""
    repository = RemovalRepository(services.db)
    job = await repository.get(job_id)
    assert job is not None
    counts = await repository.counts(job_id)
    return progress_text(job, counts.total, counts.done, counts.failed, final=False)


async def remove_confirmed(
    application: AnyApplication,
    query: CallbackQuery,
    services: Services,
    agent: Agent,
    actor_id: int,
    reason: str | None,
    lang: Language,
) -> None:
    """The admin confirmed removing ``agent`` on ``query``'s message: write the job, turn the
    message into its progress (or say it was removed already: a second press) and wake the
    worker. Shared by /remove and the low-quality queue."""
    message = query.message
    assert message is not None
    target = ProgressTarget(message.chat.id, message.message_id, lang)
    job_id = await request_agent_removal(
        services, agent.user_id, agent.display_name, actor_id, reason, target
    )
    if job_id is None:
        await query.edit_message_text(t(lang, "remove_already", user_id=agent.user_id))
        return
    await query.edit_message_text(await removal_progress(services, job_id))
    wake_removals(application)


def wake_removals(application: AnyApplication) -> None:
    """A job was written: let the worker pick it up."""
    worker = application.bot_data.get(REMOVALS_KEY)
    if isinstance(worker, RemovalWorker):
        worker.wake()


async def wait_for_removals(application: AnyApplication, seconds: float = 10.0) -> None:
    """Until the worker has executed and reported every job written so far (tests, demo)."""
    worker = application.bot_data.get(REMOVALS_KEY)
    if isinstance(worker, RemovalWorker):
        await asyncio.wait_for(worker.wait_idle(), seconds)


class RemovalWorker:
    """Executes the open removal jobs one after the other, oldest first."""

    def __init__(self, services: Services, engine: DeliveryEngine) -> None:
        self.services = services
        self.engine = engine
        self.repository = RemovalRepository(services.db)
        self.backoff = services.settings.delivery.backoff_seconds
        self.progress_interval = services.settings.delivery.progress_interval_seconds
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._idle = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._shown: dict[int, tuple[int, int]] = {}
        self._shown_at: dict[int, float] = {}

    def start(self) -> None:
        self._wake.set()  # resume what a previous run left open
        self._runner = asyncio.create_task(self._run(), name="removal-worker")

    async def stop(self) -> None:
        """Stop after the steps in flight are recorded; what is left resumes on the next start."""
        self._stop.set()
        self._wake.set()
        if self._runner is not None:
            await self._runner

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def wait_idle(self) -> None:
        """Until every job written so far is executed and reported."""
        await self._idle.wait()

    async def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                worked = await self._work_once()
            except Exception:
                log.exception("removal worker failed; retrying")
                worked = False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.backoff)
                continue
            if not worked and not self._wake.is_set():
                self._idle.set()
                await self._wake.wait()

    async def _work_once(self) -> bool:
        """One round on the oldest open job; False when there is none."""
        jobs = await self.repository.open_jobs()
        if not jobs:
            return False
        self._idle.clear()
        job = jobs[0]
        if job.state == "writing":
            await _write_batch(self.services, self.repository, job.id, job.actor_id, job.reason)
            await asyncio.sleep(0)  # let other updates in between batches
            return True
        steps = await self.repository.pending_steps(job.id, STEPS_IN_FLIGHT)
        if not steps:
            await self._report(job)
            return True
        await asyncio.gather(*(self._execute(step) for step in steps))
        if not self._stop.is_set():
            await self._show_progress(job)
        return True

    async def _execute(self, step: RemovalStep) -> None:
        """Ban and unban the step's agent in its group; record the outcome unless stopping
        (then the step stays pending and runs again on the next start)."""
        attempts = step.attempts
        while not self._stop.is_set():
            try:
                await self.engine.limited(step.user_id, 2, _ban_and_unban(step))
            except Forbidden as error:
                await self.services.groups.mark_inactive(
                    step.chat_id, "kicked", self.services.now()
                )
                await self._record(step, error.message)
                return
            except BadRequest as error:  # chat gone, bot not admin, the user is an admin
                await self._record(step, error.message)
                return
            except (RetryAfter, NetworkError) as error:  # NetworkError: timeouts and 5xx too
                attempts += 1
                if attempts >= MAX_ATTEMPTS:
                    await self._record(step, error.message)
                    return
                await self.repository.count_attempt(step.id)
                log.info("removal step %s: %s; trying again", step.id, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.backoff * 2 ** (attempts - 1))
            except TelegramError as error:
                await self._record(step, error.message)
                return
            except RuntimeError:  # the engine stopped under us: resume on the next start
                log.info("removal step %s left for the next start", step.id)
                return
            else:
                await self._record(step, None)
                return

    async def _record(self, step: RemovalStep, error: str | None) -> None:
        if error is not None:
            log.warning("removing %s from %s failed: %s", step.user_id, step.chat_id, error)
        await self.repository.finish_step(step.id, error, self.services.now())

    async def _show_progress(self, job: RemovalJob) -> None:
        if job.chat_id is None or job.message_id is None:
            return
        now = self.engine.clock.now()
        if now - self._shown_at.get(job.id, -math.inf) < self.progress_interval:
            return
        counts = await self.repository.counts(job.id)
        state = (counts.done, counts.failed)
        if self._shown.get(job.id) == state:
            return
        self._shown[job.id] = state
        self._shown_at[job.id] = now
        text = progress_text(job, counts.total, counts.done, counts.failed, final=False)
        await self._edit(job, text)

    async def _edit(self, job: RemovalJob, text: str) -> None:
        chat_id, message_id = job.chat_id, job.message_id
        assert chat_id is not None and message_id is not None

        async def edit(bot: Bot) -> Any:
            return await bot.edit_message_text(text, chat_id, message_id, parse_mode="HTML")

        try:
            await self.engine.limited(chat_id, 1, edit)
        except (TelegramError, RuntimeError) as error:
            log.info("progress of removal job %s not shown: %s", job.id, error)

    async def _report(self, job: RemovalJob) -> None:
        """Every step is over: the progress message becomes the job's report (its first page,
        ◀ ▶ under it when the failures need more), then the job is done (a crash in between
        repeats the edit rather than losing the report). A progress message that is gone
        (deleted by the admin) is replaced by a new message."""
        if job.chat_id is not None and job.message_id is not None:
            rows = await removal_report_rows(self.services, job.id)
            assert rows is not None
            lang = _language(job)
            pages = list_pages(rows, lang)
            job_id, chat_id, message_id = job.id, job.chat_id, job.message_id
            markup = inline_markup(
                page_buttons(
                    lambda page: KeyedListPage("rmreport", job_id, page), 0, len(pages), lang
                )
            )

            async def final(bot: Bot) -> Any:
                try:
                    return await bot.edit_message_text(
                        pages[0], chat_id, message_id, parse_mode="HTML", reply_markup=markup
                    )
                except BadRequest as error:
                    if is_not_modified(error):
                        return None
                    log.info("report of removal job %s not edited: %s", job_id, error)
                return await bot.send_message(
                    chat_id, pages[0], parse_mode="HTML", reply_markup=markup
                )

            try:
                await self.engine.limited(chat_id, 1, final)
            except TelegramError as error:
                log.warning("report of removal job %s not shown: %s", job.id, error)
            except RuntimeError:
                return  # stopping: reported on the next start
        await self.repository.finish(job.id, self.services.now())
        self._shown.pop(job.id, None)
        self._shown_at.pop(job.id, None)


def _ban_and_unban(step: RemovalStep) -> Any:
    async def run(bot: Bot) -> None:
        # Ban then unban: the agent leaves and can come back only through a new invitation.
        await bot.ban_chat_member(step.chat_id, step.user_id)
        await bot.unban_chat_member(step.chat_id, step.user_id, only_if_banned=True)

    return run


def _language(job: RemovalJob) -> Language:
    return language_of(job.language, "zh")


def progress_text(job: RemovalJob, total: int, done: int, failed: int, *, final: bool) -> str:
    lang = _language(job)
    return t(
        lang,
        "rm_progress_done" if final else "rm_progress",
        label=job.label,
        done=done + failed,
        total=total,
        failed=failed,
    )


async def removal_report_rows(services: Services, job_id: int) -> ListRows | None:
    """The report of a removal job as a paged list: the final counts and what was removed,
    then one row per failed step (None: no such job). For the report its progress message
    becomes and for ◀ ▶ under it."""
    repository = RemovalRepository(services.db)
    job = await repository.get(job_id)
    if job is None:
        return None
    counts = await repository.counts(job_id)
    failures = await repository.failures(job_id, MAX_FAILURES_LISTED)
    return report_rows(job, counts.total, counts.done, counts.failed, failures)


def report_rows(
    job: RemovalJob, total: int, done: int, failed: int, failures: list[StepFailure]
) -> ListRows:
    lang = _language(job)
    final = progress_text(job, total, done, failed, final=True)
    if job.kind == "agent":
        summary = t(lang, "remove_done", name=job.label, count=total - failed)
        rows = [t(lang, "remove_failed_row", group=f.title, error=f.error) for f in failures]
    else:
        summary = t(lang, "lq_bulk_done", count=job.agents, tier=job.label, failures=failed)
        rows = [
            t(lang, "rm_failed_row", name=f.name, user_id=f.user_id, group=f.title, error=f.error)
            for f in failures
        ]
    if failed > len(failures):
        rows.append(t(lang, "bc_report_more", count=failed - len(failures)))
    return f"{final}\n{summary}", rows


async def start_removals(application: AnyApplication, services: Services) -> None:
    """After ``start_delivery``: the worker runs its steps as the engine's jobs."""
    engine = application.bot_data.get(ENGINE_KEY)
    assert isinstance(engine, DeliveryEngine), "start_delivery must run first"
    worker = RemovalWorker(services, engine)
    application.bot_data[REMOVALS_KEY] = worker
    worker.start()


async def stop_removals(application: AnyApplication, services: Services) -> None:
    worker = application.bot_data.pop(REMOVALS_KEY, None)
    if isinstance(worker, RemovalWorker):
        await worker.stop()
