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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.broadcast.outbox import Payload
from bot.common.callbacks import QuietAnswer, encode
from bot.common.quiet import outside_quiet, quiet_until
from bot.common.timeparse import local_iso, next_fire, utc_iso
from bot.texts import Language, t
from storage.schedule_models import FireStatus, Schedule

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# Kinds of system schedules created at start, one each, re-timed from config at every start.
SYSTEM_KINDS = ("greeting_check", "followups")
_MAX_CATCH_UP = 1000


@dataclass(frozen=True, slots=True)
class Targets:
    """Who receives a scheduled broadcast: explicit chats, else the active groups carrying any
    of ``tags`` (all active groups when there are no tags), resolved at fire time."""

    tags: tuple[str, ...] = ()
    chat_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"tags": list(self.tags), "chat_ids": list(self.chat_ids)}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Targets:
        return Targets(
            tags=tuple(str(tag) for tag in data.get("tags", ())),
            chat_ids=tuple(int(chat) for chat in data.get("chat_ids", ())),
        )


@dataclass(frozen=True)
class Submission:
    """One outbox broadcast a fire makes. ``key`` distinguishes several broadcasts of one fire
    (e.g. one per agent for addressed greetings) inside the idempotency key."""

    kind: str
    payload: Payload
    chat_ids: tuple[int, ...]
    creator_id: int | None = None
    ref: str | None = None
    key: str = ""
    report: bool = False
    reply_to: Mapping[int, int] | None = None
    on_sent: Callable[[int], Awaitable[None]] | None = field(default=None, compare=False)


Renderer = Callable[["Services", Schedule, int], Awaitable[list[Submission]]]
# kind -> how a fire of that kind turns into broadcasts; features register theirs at import.
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        if kind in RENDERERS:
            raise RuntimeError(f"two renderers for schedule kind {kind!r}")
        RENDERERS[kind] = function
        return function

    return register


@dataclass(frozen=True, slots=True)
class FireResult:
    schedule_id: int
    planned_at: int
    status: str  # sent / shifted / missed / skipped
    broadcast_ids: tuple[int, ...] = ()


class Scheduler:
    """Owns the schedules: creating, pausing, firing. One per :class:`Services`."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._lock = asyncio.Lock()
        self._aps: AsyncIOScheduler | None = None
        self._debounced: dict[str, tuple[asyncio.Task[None], Callable[[], Awaitable[object]]]] = {}

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
            ids.append(broadcast_id)
            if submission.on_sent is not None:
                await submission.on_sent(broadcast_id)
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
        wanted = {
            "greeting_check": _daily_rule(
                settings.greetings.check_time.hour, settings.greetings.check_time.minute
            ),
            "followups": _daily_rule(settings.followups.time.hour, settings.followups.time.minute),
        }
        now = self._services.now()
        for kind, rule in wanted.items():
            existing = [
                s for s in await self._services.schedules.by_kind(kind) if s.status == "active"
            ]
            if not existing:
                first = next_fire(rule, now, settings.tz)
                await self.create(kind, kind, {}, first, rule=rule, quiet=False)
                continue
            schedule = existing[0]
            if schedule.rule != rule:
                first = next_fire(rule, now, settings.tz)
                await self._services.schedules.reschedule(
                    schedule.id, planned_at=first, due_at=first, now=now, rule=rule
                )


def _daily_rule(hour: int, minute: int) -> str:
    return f"cron:*:{hour:02d}:{minute:02d}"


# --- the service functions other features call ---------------------------------------------


async def resolve_targets(services: Services, targets: Targets) -> tuple[int, ...]:
    """The chat ids a broadcast to ``targets`` goes to right now."""
    if targets.chat_ids:
        return targets.chat_ids
    groups = await services.groups.with_tags(targets.tags)
    return tuple(group.chat_id for group in groups)


async def schedule_broadcast(
    services: Services,
    kind: str,
    payload: Payload,
    targets: Targets,
    when: int,
    *,
    creator_id: int | None,
    title: str,
    ref: str | None = None,
    rule: str | None = None,
    quiet: bool = True,
    report: bool = True,
) -> Schedule:
    """Schedule an outbox broadcast of ``kind`` ("text", "product", "teaser", "reminder"...)
    at ``when`` (Unix seconds; the first fire if ``rule`` recurs). Quiet hours shift it to the
    end of the window unless ``quiet`` is False."""
    params = {
        "broadcast_kind": kind,
        "payload": payload.to_json(),
        "targets": targets.to_dict(),
        "report": report,
    }
    return await services.scheduler.create(
        "broadcast", title, params, when, rule=rule, creator_id=creator_id, ref=ref, quiet=quiet
    )


@dataclass(frozen=True, slots=True)
class SendDecision:
    """What :func:`send_or_hold` did: sent (``broadcast_id``) or held for the quiet-hours
    question (``held`` schedule, ``quiet_end`` = when it would go out by itself)."""

    broadcast_id: int | None = None
    held: Schedule | None = None
    quiet_end: int | None = None


async def send_or_hold(
    services: Services,
    kind: str,
    payload: Payload,
    targets: Targets,
    *,
    creator_id: int,
    title: str,
    ref: str | None = None,
) -> SendDecision:
    """Send a broadcast now, unless it is quiet hours: then hold it and let the admin choose
    (render the question with :func:`quiet_question`; the buttons are handled by
    handlers/schedules.py)."""
    params = {
        "broadcast_kind": kind,
        "payload": payload.to_json(),
        "targets": targets.to_dict(),
        "report": True,
    }
    return await services.scheduler.now_or_hold(
        "broadcast", title, params, creator_id=creator_id, ref=ref
    )


def quiet_question(
    lang: Language, decision: SendDecision, tz: ZoneInfo
) -> tuple[str, tuple[tuple[tuple[str, str], ...], ...]]:
    """The admin's quiet-hours question and its buttons (rows of (label, callback_data))."""
    assert decision.held is not None and decision.quiet_end is not None
    schedule_id = decision.held.id
    text = t(lang, "sch_quiet_question", until=local_iso(decision.quiet_end, tz))
    keyboard = (
        (
            (t(lang, "sch_quiet_now"), encode(QuietAnswer(schedule_id, "now"))),
            (t(lang, "sch_quiet_later"), encode(QuietAnswer(schedule_id, "later"))),
        ),
    )
    return text, keyboard


def payload_of(schedule: Schedule) -> Payload:
    return Payload.from_json(str(schedule.params["payload"]))


@renderer("broadcast")
async def _render_broadcast(
    services: Services, schedule: Schedule, planned: int
) -> list[Submission]:
    params = schedule.params
    chats = await resolve_targets(services, Targets.from_dict(params.get("targets", {})))
    reply_to = None
    if params.get("reply_to_ref"):
        reply_to = await services.outbox.message_ids(str(params["reply_to_ref"]))
    return [
        Submission(
            kind=str(params["broadcast_kind"]),
            payload=payload_of(schedule),
            chat_ids=chats,
            creator_id=schedule.creator_id,
            ref=schedule.ref,
            report=bool(params.get("report", True)) and schedule.creator_id is not None,
            reply_to=reply_to,
        )
    ]


# --- lifecycle hooks (bot/app.py STARTUP_HOOKS / SHUTDOWN_HOOKS) ------------------------------


async def start_scheduler(application: object, services: Services) -> None:
    """Catch up on missed fires and start APScheduler (after the delivery engine)."""
    await services.scheduler.start()


async def stop_scheduler(application: object, services: Services) -> None:
    """Flush pending RSVP edits and stop APScheduler (before the delivery engine stops)."""
    await services.scheduler.stop()
