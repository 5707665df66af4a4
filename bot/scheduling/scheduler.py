"""The scheduler: schedules in SQLite, fired by APScheduler, sent through the outbox.

How a fire stays exactly-once:

* every schedule row carries its next *planned* instant (``next_planned_at``) and the instant it
  is *due* (``next_due_at``: the same, or the end of the quiet window it landed in);
* :meth:`Scheduler.run_due` renders what is due and hands it to ``services.outbox.submit`` with
  ``idempotency_key = "schedule:<id>:<planned UTC>"``; only then does it record the fire and move
  the schedule on, in one transaction. A second run of the same fire (APScheduler and the start-up
  catch-up racing, or a restart after the submit but before the record) submits the same key
  again and gets the first broadcast back instead of a new one;
* APScheduler (3.x ``AsyncIOScheduler`` in the bot's loop) only *wakes* ``run_due``: one
  ``DateTrigger`` job per schedule with the stable id ``schedule:<id>``, re-registered from the
  table at every start. Tests call ``run_due(now)`` with their own clock instead.

A fire missed while the bot was down is sent on start if it is at most
``schedule_grace_minutes`` late, otherwise recorded as ``missed`` and reported to the owners.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.broadcast.outbox import Payload
from bot.common.quiet import outside_quiet, quiet_until
from bot.common.timeparse import local_iso, next_fire, utc_iso
from bot.scheduling.model import RENDERERS, FireResult, SendDecision
from bot.texts import t
from storage.schedule_models import SYSTEM_KINDS, FireStatus, Schedule

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

_MAX_CATCH_UP = 1000


class Scheduler:
    """Owns the schedules: creating, pausing, firing. One per :class:`Services`."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._lock = asyncio.Lock()
        self._aps: AsyncIOScheduler | None = None
        self._debounced: dict[str, tuple[asyncio.Task[None], Callable[[], Awaitable[object]]]] = {}
        self._timers: dict[str, asyncio.Task[None]] = {}

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> list[FireResult]:
        """Ensure the system schedules, catch up on what came due while the bot was down,
        then start APScheduler with one job per pending schedule."""
        await self._ensure_system_schedules()
        results = await self.run_due(self._services.now())
        self._aps = AsyncIOScheduler(
            event_loop=asyncio.get_running_loop(), timezone=self._services.settings.tz
        )
        self._aps.start()
        for schedule in await self._services.schedules.pending():
            self._register(schedule)
        return results

    async def stop(self) -> None:
        await self.flush()
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    def exclusive(self) -> asyncio.Lock:
        """The lock every fire runs under. Hold it (``async with``) to change what a schedule
        is about, e.g. cancel a training, so no fire renders it halfway through the change."""
        return self._lock

    def job_ids(self) -> list[str]:
        """The APScheduler job ids currently registered (for /schedules and tests)."""
        return sorted(job.id for job in self._aps.get_jobs()) if self._aps else []

    def _register(self, schedule: Schedule) -> None:
        """(Re)register the schedule's job; inside a transaction once it commits (the job's
        run_due reads committed rows only, and a schedule that is rolled back gets none)."""
        self._services.db.after_commit(lambda: self._register_job(schedule))

    def _register_job(self, schedule: Schedule) -> None:
        if self._aps is None:
            return
        job_id = f"schedule:{schedule.id}"
        if schedule.status != "active" or schedule.next_due_at is None:
            if self._aps.get_job(job_id) is not None:
                self._aps.remove_job(job_id)
            return
        self._aps.add_job(
            self._wake,
            DateTrigger(run_date=datetime.fromtimestamp(schedule.next_due_at, UTC)),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    async def _wake(self) -> None:
        try:
            await self.run_due(self._services.now())
        except Exception:
            log.exception("scheduled run failed")

    async def _refresh(self, schedule_id: int) -> Schedule | None:
        schedule = await self._services.schedules.get(schedule_id)
        if schedule is not None:
            self._register(schedule)
        return schedule

    # --- creating and changing ---------------------------------------------------------------

    def due_time(self, planned: int, quiet: bool) -> int:
        settings = self._services.settings
        return outside_quiet(planned, settings.quiet_windows, settings.tz) if quiet else planned

    async def create(
        self,
        kind: str,
        title: str,
        params: Mapping[str, Any],
        first: int,
        *,
        rule: str | None = None,
        creator_id: int | None = None,
        ref: str | None = None,
        quiet: bool = True,
        held: bool = False,
    ) -> Schedule:
        """Store a schedule whose first planned fire is ``first`` and register its job."""
        if kind not in RENDERERS:
            raise ValueError(f"no renderer for schedule kind {kind!r}")
        due = self.due_time(first, quiet)
        schedule = await self._services.schedules.create(
            kind=kind,
            title=title,
            params=params,
            ref=ref,
            rule=rule,
            creator_id=creator_id,
            status="held" if held else "active",
            quiet=quiet,
            planned_at=first,
            due_at=due,
            now=self._services.now(),
        )
        self._register(schedule)
        return schedule

    async def now_or_hold(
        self,
        kind: str,
        title: str,
        params: Mapping[str, Any],
        *,
        creator_id: int,
        ref: str | None = None,
    ) -> SendDecision:
        """Fire a new one-off schedule at once, or, during quiet hours, hold it for the
        admin's choice (send now anyway / at the end of the quiet window)."""
        settings = self._services.settings
        now = self._services.now()
        end = quiet_until(now, settings.quiet_windows, settings.tz)
        schedule = await self.create(
            kind, title, params, now, creator_id=creator_id, ref=ref, held=True
        )
        if end is not None:
            return SendDecision(held=schedule, quiet_end=end)
        result = await self.release_held(schedule.id, now_anyway=True)
        ids = result.broadcast_ids if result is not None else ()
        return SendDecision(broadcast_id=ids[0] if ids else None)

    def debounce(self, key: str, delay: float, action: Callable[[], Awaitable[object]]) -> None:
        """Run ``action`` once, ``delay`` seconds after the first call for ``key``; calls in
        between are folded into it (the action reads fresh state when it runs)."""
        if key in self._debounced:
            return

        async def later() -> None:
            try:
                await asyncio.sleep(delay)
            finally:
                self._debounced.pop(key, None)
            try:
                await action()
            except Exception:
                log.exception("debounced %s failed", key)

        self._debounced[key] = (asyncio.get_running_loop().create_task(later()), action)

    def later(self, key: str, delay: float, action: Callable[[], Awaitable[object]]) -> None:
        """Run ``action`` once in ``delay`` seconds (e.g. end an idle conversation), replacing
        the timer already set for ``key``. Timers live in memory: a stop drops them."""
        self.cancel_later(key)

        async def wait_then_run() -> None:
            await asyncio.sleep(delay)
            # Past this point a cancel_later (a new update of the conversation) is too late.
            self._timers.pop(key, None)
            try:
                await action()
            except Exception:
                log.exception("timer %s failed", key)

        self._timers[key] = asyncio.get_running_loop().create_task(wait_then_run())

    def cancel_later(self, key: str) -> None:
        """Drop the timer set for ``key``, if it has not run yet."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    def timer_keys(self) -> list[str]:
        """The keys of the timers still waiting (for tests)."""
        return sorted(self._timers)

    async def flush(self) -> None:
        """Run the debounced actions now (on shutdown, so no RSVP edit is lost)."""
        pending = list(self._debounced.items())
        self._debounced.clear()
        for key, (task, action) in pending:
            task.cancel()
            try:
                await action()
            except Exception:
                log.exception("debounced %s failed at shutdown", key)

    async def pause(self, schedule_id: int) -> bool:
        changed = await self._services.schedules.set_status(
            schedule_id, "paused", self._services.now(), only_from=("active",)
        )
        await self._refresh(schedule_id)
        return changed

    async def resume(self, schedule_id: int) -> bool:
        """Resume a paused schedule; a recurring one skips the fires that passed meanwhile."""
        schedule = await self._services.schedules.get(schedule_id)
        if schedule is None or schedule.status != "paused":
            return False
        now = self._services.now()
        planned = schedule.next_planned_at
        if schedule.rule is not None and planned is not None and planned <= now:
            planned = next_fire(schedule.rule, now, self._services.settings.tz)
        due = None if planned is None else self.due_time(planned, schedule.quiet)
        await self._services.schedules.reschedule(
            schedule_id, planned_at=planned, due_at=due, now=now, status="active"
        )
        await self._refresh(schedule_id)
        return True

    async def cancel(self, schedule_id: int) -> bool:
        changed = await self._services.schedules.set_status(
            schedule_id, "cancelled", self._services.now(), only_from=("active", "paused", "held")
        )
        await self._refresh(schedule_id)
        return changed

    async def cancel_ref(self, ref: str, kinds: Sequence[str] | None = None) -> int:
        """Cancel every open schedule about ``ref`` (e.g. a cancelled promotion's reminder)."""
        count = 0
        for schedule in await self._services.schedules.by_ref(ref):
            if kinds is None or schedule.kind in kinds:
                count += int(await self.cancel(schedule.id))
        return count

    async def release_held(self, schedule_id: int, *, now_anyway: bool) -> FireResult | None:
        """The admin's answer to the quiet-hours question for a held immediate send.

        ``now_anyway``: fire at once (ignoring quiet hours). Otherwise let it fire at the end
        of the quiet window. Returns the fire when it happened; None if it was not held (a
        second click changes nothing)."""
        schedule = await self._services.schedules.get(schedule_id)
        if schedule is None or schedule.status != "held":
            return None
        if not now_anyway:
            await self._services.schedules.set_status(
                schedule_id, "active", self._services.now(), only_from=("held",)
            )
            await self._refresh(schedule_id)
            return None
        async with self._lock:
            current = await self._services.schedules.get(schedule_id)
            if current is None or current.status != "held" or current.next_planned_at is None:
                return None
            planned = current.next_planned_at
            return await self._fire(current, planned, planned, self._services.now())

    # --- firing ----------------------------------------------------------------------------

    async def run_due(self, now: int) -> list[FireResult]:
        """Fire everything due at ``now``: late fires within the grace period are sent,
        older ones recorded as missed (and the owners told). Safe to call twice."""
        results: list[FireResult] = []
        async with self._lock:
            for schedule in await self._services.schedules.due(now):
                results.extend(await self._run_one(schedule, now))
        return results

    async def _run_one(self, schedule: Schedule, now: int) -> list[FireResult]:
        grace = self._services.settings.schedule_grace_minutes * 60
        planned, due = schedule.next_planned_at, schedule.next_due_at
        results: list[FireResult] = []
        missed: list[int] = []
        for _ in range(_MAX_CATCH_UP):
            if planned is None or due is None or due > now or now - due <= grace:
                break
            next_planned, next_due = self._after(schedule, planned)
            await self._services.schedules.record_fire(
                schedule.id,
                planned_at=planned,
                due_at=due,
                status="missed",
                broadcast_id=None,
                now=now,
                next_planned_at=next_planned,
                next_due_at=next_due,
            )
            missed.append(planned)
            results.append(FireResult(schedule.id, planned, "missed"))
            planned, due = next_planned, next_due
        if missed and schedule.kind not in SYSTEM_KINDS:
            # The daily system jobs look back by themselves (the greeting check covers a
            # window of days); the owners are told only about their own schedules.
            await self._report_missed(schedule, missed)
        if planned is not None and due is not None and due <= now:
            results.append(await self._fire(schedule, planned, due, now))
        await self._refresh(schedule.id)
        return results

    def _after(self, schedule: Schedule, planned: int) -> tuple[int | None, int | None]:
        if schedule.rule is None:
            return None, None
        following = next_fire(schedule.rule, planned, self._services.settings.tz)
        return following, self.due_time(following, schedule.quiet)

    async def _fire(self, schedule: Schedule, planned: int, due: int, now: int) -> FireResult:
        services = self._services
        ids: list[int] = []
        try:
            submissions = await RENDERERS[schedule.kind](services, schedule, planned)
        except Exception:
            log.exception("schedule %s (%s) could not be rendered", schedule.id, schedule.kind)
            submissions = []
        base_key = f"schedule:{schedule.id}:{utc_iso(planned)}"
        for submission in submissions:
            if not submission.chat_ids:
                continue
            # ``on_sent`` writes in the broadcast's own transaction (a held /dm's unreachable
            # agents become its failed deliveries before the engine can finish its report).
            async with services.db.transaction():
                broadcast_id = await services.outbox.submit(
                    submission.kind,
                    submission.payload,
                    submission.chat_ids,
                    submission.creator_id,
                    ref=submission.ref,
                    reply_to=submission.reply_to,
                    idempotency_key=f"{base_key}:{submission.key}" if submission.key else base_key,
                    report=submission.report,
                )
                if submission.on_sent is not None:
                    await submission.on_sent(broadcast_id)
            ids.append(broadcast_id)
        status: FireStatus = "skipped" if not ids else ("shifted" if due != planned else "sent")
        next_planned, next_due = self._after(schedule, planned)
        await services.schedules.record_fire(
            schedule.id,
            planned_at=planned,
            due_at=due,
            status=status,
            broadcast_id=ids[0] if ids else None,
            now=now,
            next_planned_at=next_planned,
            next_due_at=next_due,
        )
        await self._refresh(schedule.id)
        log.info("schedule %s fired for %s: %s %s", schedule.id, utc_iso(planned), status, ids)
        return FireResult(schedule.id, planned, status, tuple(ids))

    async def _report_missed(self, schedule: Schedule, missed: list[int]) -> None:
        services = self._services
        lang = services.settings.language
        tz = services.settings.tz
        text = t(
            lang,
            "sch_missed_report",
            id=schedule.id,
            title=schedule.title,
            count=len(missed),
            times=", ".join(local_iso(moment, tz) for moment in missed[-5:]),
            grace=services.settings.schedule_grace_minutes,
        )
        owners = tuple(services.settings.owners)
        if not owners:
            return
        await services.outbox.submit(
            "notice",
            Payload(kind="text", text=text),
            owners,
            None,
            ref=f"schedule:{schedule.id}",
            idempotency_key=f"schedule:{schedule.id}:missed:{utc_iso(missed[0])}",
            report=False,
        )

    # --- system schedules ------------------------------------------------------------------

    async def _ensure_system_schedules(self) -> None:
        """One greeting check and one follow-up job, timed from config (re-timed if the
        config changed since the last start)."""
        settings = self._services.settings
        await self.ensure_daily("greeting_check", settings.greetings.check_time)
        await self.ensure_daily("followups", settings.followups.time)

    async def ensure_daily(self, kind: str, at: time) -> Schedule:
        """The system job ``kind`` (one of ``SYSTEM_KINDS``), every day at local time ``at``:
        created the first time, re-timed when ``at`` changed since the last start. Its renderer
        does the work and may send nothing. Call it from a start hook, before the scheduler
        starts, so a fire missed while the bot was down is caught up like any other."""
        if kind not in SYSTEM_KINDS:
            raise ValueError(f"{kind!r} is not a system schedule kind")
        settings = self._services.settings
        rule = _daily_rule(at.hour, at.minute)
        now = self._services.now()
        existing = [s for s in await self._services.schedules.by_kind(kind) if s.status == "active"]
        if not existing:
            first = next_fire(rule, now, settings.tz)
            return await self.create(kind, kind, {}, first, rule=rule, quiet=False)
        schedule = existing[0]
        if schedule.rule != rule:
            first = next_fire(rule, now, settings.tz)
            await self._services.schedules.reschedule(
                schedule.id, planned_at=first, due_at=first, now=now, rule=rule
            )
            return await self._refresh(schedule.id) or schedule
        return schedule


def _daily_rule(hour: int, minute: int) -> str:
    return f"cron:*:{hour:02d}:{minute:02d}"


# --- lifecycle hooks (bot/app.py STARTUP_HOOKS / SHUTDOWN_HOOKS) ------------------------------


async def start_scheduler(application: object, services: Services) -> None:
    """Catch up on missed fires and start APScheduler (after the delivery engine)."""
    await services.scheduler.start()


async def stop_scheduler(application: object, services: Services) -> None:
    """Flush pending RSVP edits and stop APScheduler (before the delivery engine stops)."""
    await services.scheduler.stop()
