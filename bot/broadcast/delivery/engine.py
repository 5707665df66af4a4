"""The delivery engine: drains the outbox into Telegram as fast as the limits allow.

How it works (docs/ARCHITECTURE.md has the reasoning):

* Open deliveries (``pending`` and, after a crash, ``sending``) are loaded from SQLite into
  per-chat FIFO queues. A dispatcher picks the next chat that has budget left - a saturated
  chat waits on a timer, the others keep going - and starts the send as a task.
* Limits are sliding windows: one global (messages per second; the paid rate when paid
  broadcasts are on) and one per chat (per minute for groups, per second for private chats).
  A message occupies its slot from dispatch and is timestamped when its request *completes*,
  so our window is never more permissive than Telegram's, which counts somewhere in between.
  An album of n counts n; a split text counts its parts.
* A delivery is marked ``sending`` before its API call and ``sent`` (with message ids) after,
  so after a crash only the calls in flight at that moment are repeated.
* Progress messages, final reports, edits and deletions are jobs in the same per-chat queues
  (served before deliveries) and so obey the same limits.

The engine sends with its own ``telegram.Bot`` (same token and base URL, no rate limiter): the
application's bot goes through PTB's ``AIORateLimiter``, which would throttle our sends a second
time at its own fixed rates and retry 429s behind our back.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import math
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.broadcast.delivery.sending import (
    _is_not_modified,
    _next_part,
    engine_bot,
    retry_after_seconds,
    send_part,
)
from bot.broadcast.delivery.windows import Window
from bot.broadcast.outbox import Keyboard, Part, Payload, inline_markup, layout
from bot.broadcast.report import progress_text, report_text
from bot.texts import Language
from storage.outbox import StatusChange

if TYPE_CHECKING:
    from bot.app import AnyApplication
    from bot.services import Services

log = logging.getLogger(__name__)

ENGINE_KEY = "agentbot.delivery"
PRIVATE_PER_SECOND = 1
# Two different chats answering 429 within this many seconds means the global limit was hit.
GLOBAL_FLOOD_SPAN = 1.0


@dataclass(eq=False)
class _Delivery:
    id: int
    broadcast_id: int
    group_id: int | None
    chat_id: int
    failures: int
    message_ids: list[int]
    reply_to: int | None


@dataclass(eq=False)
class _Job:
    """Work other than a delivery (progress, report, edit, delete) in one chat."""

    cost: int
    run: Callable[[Bot], Awaitable[Any]]
    future: asyncio.Future[Any] | None = None
    retries: int = 0


@dataclass(eq=False)
class _Chat:
    id: int
    window: Window
    deliveries: deque[_Delivery] = field(default_factory=deque)
    jobs: deque[_Job] = field(default_factory=deque)
    busy: bool = False
    scheduled: bool = False  # in the runnable queue or the timer heap
    paused_until: float = 0.0


@dataclass(eq=False)
class _Progress:
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


@dataclass
class EngineStats:
    messages_sent: int = 0  # API messages (an album of n counts n)
    deliveries_sent: int = 0
    deliveries_failed: int = 0
    too_many_requests: int = 0
    transient_errors: int = 0
    migrations: int = 0


class DeliveryEngine:
    def __init__(self, services: Services, bot: Bot) -> None:
        self.services = services
        self.bot = bot
        self.repository = services.outbox.repository
        settings = services.settings
        limits = settings.rate_limits
        self.paid = limits.allow_paid_broadcast
        rate = limits.paid_per_second if self.paid else limits.global_per_second
        self.global_window = Window(math.floor(rate), 1.0)
        self.group_per_minute = limits.per_group_per_minute
        self.delivery_settings = settings.delivery
        self.stats = EngineStats()
        self._chats: dict[int, _Chat] = {}
        self._runnable: deque[_Chat] = deque()
        self._timers: list[tuple[float, int, _Chat]] = []
        self._timer_seq = 0
        self._payloads: dict[int, list[Part]] = {}
        self._open: Counter[int] = Counter()  # broadcast id -> deliveries in memory
        self._in_flight: Counter[int] = Counter()  # broadcast id -> deliveries being sent
        self._retracted: set[int] = set()
        self._progress: dict[int, _Progress] = {}
        self._recent_429: deque[tuple[float, int]] = deque()
        self._global_pause = 0.0
        self._loaded_upto = 0
        self._reload = True
        self._event = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._writes: list[tuple[StatusChange, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._runner: asyncio.Task[None] | None = None
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        await self.bot.initialize()
        self._runner = asyncio.create_task(self._run(), name="delivery-engine")

    async def stop(self) -> None:
        """Stop dispatching, let the calls in flight finish (so they are recorded), close."""
        self._stopping = True
        self._event.set()
        if self._runner is not None:
            await self._runner
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=20)
        for task in list(self._tasks):
            task.cancel()
        for chat in self._chats.values():
            for job in chat.jobs:
                if job.future is not None and not job.future.done():
                    job.future.set_exception(RuntimeError("the delivery engine stopped"))
        await self.bot.shutdown()

    def wake(self) -> None:
        """New deliveries were written: load them."""
        self._reload = True
        self._event.set()

    def busy(self) -> bool:
        return bool(
            self._reload
            or self._tasks
            or any(chat.deliveries or chat.jobs for chat in self._chats.values())
        )

    # ------------------------------------------------------------------ scheduling

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            window = (
                Window(PRIVATE_PER_SECOND, 1.0)
                if chat_id > 0
                else Window(self.group_per_minute, 60.0)
            )
            chat = self._chats[chat_id] = _Chat(chat_id, window)
        return chat

    def _schedule(self, chat: _Chat) -> None:
        """Make a chat with work eligible for dispatch (unless busy or already scheduled)."""
        if chat.busy or chat.scheduled or not (chat.deliveries or chat.jobs):
            return
        chat.scheduled = True
        self._runnable.append(chat)
        self._event.set()

    def _wait_until(self, chat: _Chat, when: float) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (when, self._timer_seq, chat))

    def _promote(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            _, _, chat = heapq.heappop(self._timers)
            self._runnable.append(chat)

    def _cost(self, chat: _Chat) -> int:
        if chat.jobs:
            return chat.jobs[0].cost
        delivery = chat.deliveries[0]
        parts = self._payloads[delivery.broadcast_id]
        start = _next_part(parts, len(delivery.message_ids))
        return max(1, sum(part.size for part in parts[start:]))

    def _dispatch(self, now: float) -> float:
        """Start every send that fits now; returns seconds until the next may fit."""
        if now < self._global_pause:
            return self._global_pause - now
        while self._runnable and len(self._tasks) < self.delivery_settings.max_in_flight:
            chat = self._runnable[0]
            while chat.deliveries and chat.deliveries[0].broadcast_id in self._retracted:
                self._drop(chat.deliveries.popleft())
            if not (chat.deliveries or chat.jobs):
                self._runnable.popleft()
                chat.scheduled = False
                continue
            if chat.paused_until > now:
                self._runnable.popleft()
                self._wait_until(chat, chat.paused_until)
                continue
            cost = self._cost(chat)
            chat_wait = chat.window.wait(now, cost)
            if chat_wait > 0:
                self._runnable.popleft()
                self._wait_until(chat, now + (chat_wait if chat_wait < math.inf else 1.0))
                continue
            global_wait = self.global_window.wait(now, cost)
            if global_wait > 0:
                return global_wait
            self._runnable.popleft()
            chat.scheduled = False
            chat.busy = True
            self.global_window.reserve(cost)
            chat.window.reserve(cost)
            if chat.jobs:
                task = asyncio.create_task(self._run_job(chat, chat.jobs.popleft(), cost))
            else:
                delivery = chat.deliveries.popleft()
                self._in_flight[delivery.broadcast_id] += 1
                task = asyncio.create_task(self._deliver(chat, delivery, cost))
            self._tasks.add(task)
            task.add_done_callback(self._task_done)
        return math.inf

    def _task_done(self, task: asyncio.Task[None]) -> None:
        """A send finished: its slot is free, so the dispatcher must look again (the task may
        end after the wake-up it gave when its API call returned)."""
        self._tasks.discard(task)
        self._event.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery task failed", exc_info=task.exception())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._event.clear()
            try:
                if self._reload:
                    self._reload = False
                    await self._load()
                now = loop.time()
                self._promote(now)
                self._tick_progress(now)
                delay = self._dispatch(now)
            except Exception:
                log.exception("delivery engine loop failed; retrying in 1s")
                delay = 1.0
            if self._timers:
                delay = min(delay, self._timers[0][0] - loop.time())
            delay = min(delay, self._next_progress_due(loop.time()))
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event.wait(), None if delay == math.inf else delay)

    async def _load(self) -> None:
        rows = await self.repository.open_deliveries(self._loaded_upto)
        loop_now = asyncio.get_running_loop().time()
        wall_now = self.services.now()
        for row in rows:
            self._loaded_upto = max(self._loaded_upto, row.id)
            if row.broadcast_id not in self._payloads:
                await self._load_broadcast(row.broadcast_id)
            delivery = _Delivery(
                row.id,
                row.broadcast_id,
                row.group_id,
                row.chat_id,
                row.failures,
                list(row.message_ids),
                row.reply_to_message_id,
            )
            self._open[row.broadcast_id] += 1
            chat = self._chat(row.chat_id)
            chat.deliveries.append(delivery)
            if row.next_attempt_at > wall_now:
                chat.paused_until = max(
                    chat.paused_until, loop_now + row.next_attempt_at - wall_now
                )
            self._schedule(chat)
        if rows:
            log.info("delivery engine loaded %d deliveries", len(rows))

    async def _load_broadcast(self, broadcast_id: int) -> None:
        broadcast = await self.repository.get(broadcast_id, failures=False)
        assert broadcast is not None
        self._payloads[broadcast_id] = layout(Payload.from_json(broadcast.payload))
        if broadcast.report and broadcast.creator_id is not None:
            lang = broadcast.language if broadcast.language in ("zh", "en") else None
            self._progress[broadcast_id] = _Progress(
                broadcast_id=broadcast_id,
                kind=broadcast.kind,
                chat_id=broadcast.progress_chat_id or broadcast.creator_id,
                language=cast(Language, lang or self.services.settings.language),
                total=broadcast.total - broadcast.cancelled,
                sent=broadcast.sent,
                failed=broadcast.failed,
                message_id=broadcast.progress_message_id,
            )

    # ------------------------------------------------------------------ deliveries

    async def _deliver(self, chat: _Chat, delivery: _Delivery, reserved: int) -> None:
        loop = asyncio.get_running_loop()
        parts = self._payloads[delivery.broadcast_id]
        outcome: Literal["sent", "failed", "requeue", "moved"] = "requeue"
        try:
            await self._write(StatusChange(delivery.id, "sending", chat.id, attempt=True))
            for index in range(_next_part(parts, len(delivery.message_ids)), len(parts)):
                part = parts[index]
                try:
                    ids = await send_part(
                        self.bot,
                        chat.id,
                        part,
                        reply_to=delivery.reply_to if index == 0 else None,
                        paid=self.paid,
                    )
                finally:
                    used = min(part.size, reserved)
                    done_at = loop.time()
                    self.global_window.complete(done_at, used)
                    chat.window.complete(done_at, used)
                    reserved -= used
                self.stats.messages_sent += len(ids)
                delivery.message_ids += ids
                if index < len(parts) - 1:
                    ids_so_far = tuple(delivery.message_ids)
                    await self._write(StatusChange(delivery.id, "sending", message_ids=ids_so_far))
            await self._write(
                StatusChange(
                    delivery.id,
                    "sent",
                    chat.id,
                    tuple(delivery.message_ids),
                    sent_at=self.services.now(),
                )
            )
            outcome = "sent"
        except RetryAfter as error:
            await self._on_retry_after(chat, delivery, retry_after_seconds(error))
        except ChatMigrated as error:
            outcome = "moved"
            await self._on_migrated(chat, delivery, int(error.new_chat_id))
        except Forbidden as error:
            outcome = "failed"
            await self._on_forbidden(chat, delivery, error.message)
        except BadRequest as error:
            outcome = "failed"
            await self._fail(delivery, error.message)
        except NetworkError as error:  # includes TimedOut and 5xx answers
            outcome = await self._on_transient(chat, delivery, error.message)
        except TelegramError as error:
            outcome = "failed"
            await self._fail(delivery, error.message)
        except Exception:
            # Most likely the database going away at shutdown: the delivery stays open in
            # SQLite and is resumed on the next start.
            log.exception("delivery %s to %s failed unexpectedly", delivery.id, chat.id)
            outcome = "moved"
            self._open[delivery.broadcast_id] -= 1
        finally:
            if reserved:
                done_at = loop.time()
                self.global_window.complete(done_at, reserved)
                chat.window.complete(done_at, reserved)
            self._in_flight[delivery.broadcast_id] -= 1
            if outcome == "requeue":
                chat.deliveries.appendleft(delivery)
            chat.busy = False
            self._schedule(chat)
            self._event.set()
        if outcome in ("sent", "failed"):
            await self._terminal(delivery, sent=outcome == "sent")

    async def _on_retry_after(self, chat: _Chat, delivery: _Delivery, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        self.stats.too_many_requests += 1
        chat.paused_until = max(chat.paused_until, now + seconds)
        self._recent_429.append((now, chat.id))
        while self._recent_429 and self._recent_429[0][0] < now - GLOBAL_FLOOD_SPAN:
            self._recent_429.popleft()
        if len({chat_id for _, chat_id in self._recent_429}) > 1:
            # 429s from several chats at once: the global limit, not this chat's.
            self._global_pause = max(self._global_pause, now + seconds)
        log.info("429 from %s: waiting %.0fs", chat.id, seconds)
        await self._write(
            StatusChange(
                delivery.id,
                "pending",
                message_ids=tuple(delivery.message_ids),
                error=f"429 retry after {seconds:g}s",
                next_attempt_at=self.services.now() + math.ceil(seconds),
            )
        )

    async def _on_migrated(self, chat: _Chat, delivery: _Delivery, new_chat_id: int) -> None:
        """Follow the group to its supergroup: update the group row and every queued delivery
        for the old chat, then send in the new chat."""
        self.stats.migrations += 1
        if delivery.group_id is not None:
            await self.services.groups.migrate(chat.id, new_chat_id, self.services.now())
        log.info("chat %s migrated to %s; following", chat.id, new_chat_id)
        await self._write(
            StatusChange(
                delivery.id,
                "pending",
                new_chat_id,
                message_ids=tuple(delivery.message_ids),
                error=f"migrated to {new_chat_id}",
                next_attempt_at=0,
            )
        )
        target = self._chat(new_chat_id)
        moved = [delivery, *chat.deliveries]
        chat.deliveries.clear()
        for item in moved:
            item.chat_id = new_chat_id
        target.deliveries.extendleft(reversed(moved))
        self._schedule(target)

    async def _on_forbidden(self, chat: _Chat, delivery: _Delivery, reason: str) -> None:
        """Kicked, blocked or gone: fail this and every queued delivery to the chat."""
        await self._fail(delivery, reason)
        if delivery.group_id is not None or chat.id < 0:
            await self.services.groups.mark_inactive(chat.id, reason, self.services.now())
        doomed = list(chat.deliveries)
        chat.deliveries.clear()
        for item in doomed:
            await self._fail(item, reason)
            await self._terminal(item, sent=False)

    async def _on_transient(
        self, chat: _Chat, delivery: _Delivery, reason: str
    ) -> Literal["failed", "requeue"]:
        self.stats.transient_errors += 1
        delivery.failures += 1
        settings = self.delivery_settings
        if delivery.failures >= settings.max_attempts:
            await self._fail(delivery, reason, transient=True)
            return "failed"
        backoff = min(
            settings.backoff_seconds * 2 ** (delivery.failures - 1), settings.backoff_max_seconds
        )
        chat.paused_until = max(chat.paused_until, asyncio.get_running_loop().time() + backoff)
        await self._write(
            StatusChange(
                delivery.id,
                "pending",
                message_ids=tuple(delivery.message_ids),
                error=reason,
                next_attempt_at=self.services.now() + math.ceil(backoff),
                transient_failure=True,
            )
        )
        return "requeue"

    async def _fail(self, delivery: _Delivery, reason: str, *, transient: bool = False) -> None:
        await self._write(
            StatusChange(
                delivery.id,
                "failed",
                message_ids=tuple(delivery.message_ids),
                error=reason,
                transient_failure=transient,
            )
        )

    async def _write(self, change: StatusChange) -> None:
        """Record a state change; returns once it is committed. Changes arriving while a
        transaction runs are committed together in the next one (group commit), so the
        database keeps up with hundreds of sends a second."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._writes.append((change, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        while self._writes:
            batch, self._writes = self._writes, []
            try:
                await self.repository.apply([change for change, _ in batch])
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    def _drop(self, delivery: _Delivery) -> None:
        self._open[delivery.broadcast_id] -= 1

    async def _terminal(self, delivery: _Delivery, *, sent: bool) -> None:
        """A delivery is sent or failed for good: count it, finish the broadcast if last."""
        if sent:
            self.stats.deliveries_sent += 1
        else:
            self.stats.deliveries_failed += 1
        broadcast_id = delivery.broadcast_id
        progress = self._progress.get(broadcast_id)
        if progress is not None:
            if sent:
                progress.sent += 1
            else:
                progress.failed += 1
        self._open[broadcast_id] -= 1
        if self._open[broadcast_id] <= 0 and self._in_flight[broadcast_id] <= 0:
            await self._finish(broadcast_id)

    async def _finish(self, broadcast_id: int) -> None:
        self._open.pop(broadcast_id, None)
        self._in_flight.pop(broadcast_id, None)
        if broadcast_id in self._retracted:
            return
        if not await self.repository.finish_if_complete(broadcast_id, self.services.now()):
            return
        self._payloads.pop(broadcast_id, None)
        progress = self._progress.pop(broadcast_id, None)
        if progress is None:
            return
        broadcast = await self.repository.get(broadcast_id)
        if broadcast is None:
            return
        lang = progress.language
        summary = progress_text(
            broadcast.id,
            broadcast.kind,
            broadcast.total - broadcast.cancelled,
            broadcast.sent,
            broadcast.failed,
            lang,
            final=True,
        )
        report = report_text(broadcast, lang, self.services.settings.tz)

        async def final(bot: Bot) -> None:
            if progress.message_id is not None:
                with contextlib.suppress(BadRequest):
                    await bot.edit_message_text(
                        summary, progress.chat_id, progress.message_id, parse_mode=ParseMode.HTML
                    )
            await bot.send_message(progress.chat_id, report, parse_mode=ParseMode.HTML)

        self._enqueue_job(progress.chat_id, _Job(2, final))

    # ------------------------------------------------------------------ progress

    def _next_progress_due(self, now: float) -> float:
        due = math.inf
        interval = self.delivery_settings.progress_interval_seconds
        for progress in self._progress.values():
            if not progress.job_queued and progress.shown != (progress.sent, progress.failed):
                due = min(due, max(0.0, progress.shown_at + interval - now))
        return due

    def _tick_progress(self, now: float) -> None:
        interval = self.delivery_settings.progress_interval_seconds
        for progress in self._progress.values():
            state = (progress.sent, progress.failed)
            if progress.job_queued or progress.shown == state:
                continue
            if now - progress.shown_at < interval:
                continue
            progress.job_queued = True
            progress.shown_at = now
            self._enqueue_job(progress.chat_id, _Job(1, self._progress_job(progress)))

    def _progress_job(self, progress: _Progress) -> Callable[[Bot], Awaitable[None]]:
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
                if not _is_not_modified(error):
                    log.info("progress of broadcast %s: %s", progress.broadcast_id, error)
                progress.shown = state
            except TelegramError as error:
                log.info("progress of broadcast %s not shown: %s", progress.broadcast_id, error)
                progress.shown = state
            finally:
                progress.job_queued = False

        return run

    # ------------------------------------------------------------------ jobs

    def _enqueue_job(self, chat_id: int, job: _Job) -> None:
        chat = self._chat(chat_id)
        chat.jobs.append(job)
        self._schedule(chat)

    async def _run_job(self, chat: _Chat, job: _Job, reserved: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            result = await job.run(self.bot)
        except RetryAfter as error:
            self.stats.too_many_requests += 1
            seconds = retry_after_seconds(error)
            chat.paused_until = max(chat.paused_until, loop.time() + seconds)
            job.retries += 1
            if job.retries <= 5:
                chat.jobs.appendleft(job)
            elif job.future is not None and not job.future.done():
                job.future.set_exception(error)
        except Exception as error:
            if job.future is None:
                log.warning("job in chat %s failed: %s", chat.id, error)
            elif not job.future.done():
                job.future.set_exception(error)
        else:
            if job.future is not None and not job.future.done():
                job.future.set_result(result)
        finally:
            done_at = loop.time()
            self.global_window.complete(done_at, reserved)
            chat.window.complete(done_at, reserved)
            chat.busy = False
            self._schedule(chat)
            self._event.set()

    async def _limited(self, chat_id: int, cost: int, run: Callable[[Bot], Awaitable[Any]]) -> Any:
        """Run ``run(bot)`` as a job in ``chat_id``'s queue, within the limits; its result."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._enqueue_job(chat_id, _Job(max(1, cost), run, future))
        return await future

    # ------------------------------------------------------------------ edit and retract

    async def _settle(self, broadcast_id: int) -> None:
        """Wait until no delivery of the broadcast is in flight."""
        while self._in_flight.get(broadcast_id, 0) > 0:  # noqa: ASYNC110 - rare, short wait
            await asyncio.sleep(0.02)

    async def edit_everywhere(
        self, broadcast_id: int, text: str | None, keyboard: Keyboard | None
    ) -> tuple[int, int]:
        broadcast = await self.repository.get(broadcast_id, failures=False)
        if broadcast is None:
            raise LookupError(f"no broadcast {broadcast_id}")
        if broadcast.status == "retracted":
            raise ValueError("the broadcast was retracted")
        old = Payload.from_json(broadcast.payload)
        new = old if text is None else old.with_text(text)
        if keyboard is not None:
            new = new.with_keyboard(keyboard)
        old_parts, new_parts = layout(old), layout(new)
        if len(new_parts) > len(old_parts) or any(
            a.kind != b.kind for a, b in zip(old_parts, new_parts, strict=False)
        ):
            raise ValueError("the new content needs more messages than the broadcast has")
        await self.repository.set_payload(broadcast_id, new.to_json())
        if broadcast_id in self._payloads:
            self._payloads[broadcast_id] = new_parts
        await self._settle(broadcast_id)
        changed = [
            index
            for index, (a, b) in enumerate(zip(old_parts, new_parts, strict=False))
            if a.text != b.text or a.keyboard != b.keyboard
        ]
        keep = sum(part.size for part in new_parts)
        if not changed and len(new_parts) == len(old_parts):
            return 0, 0
        deliveries = await self.repository.deliveries(broadcast_id, "sent")

        async def edit_one(chat_id: int, ids: tuple[int, ...]) -> bool:
            offsets = [0]
            for part in old_parts:
                offsets.append(offsets[-1] + part.size)
            if len(ids) < offsets[len(new_parts)]:
                return False

            async def run(bot: Bot) -> None:
                for index in changed:
                    part = new_parts[index]
                    message_id = ids[offsets[index]]
                    markup = inline_markup(part.keyboard)
                    try:
                        if part.kind == "text":
                            await bot.edit_message_text(
                                part.text,
                                chat_id,
                                message_id,
                                parse_mode=ParseMode.HTML,
                                reply_markup=markup,
                                link_preview_options=LinkPreviewOptions(is_disabled=True),
                            )
                        else:
                            await bot.edit_message_caption(
                                chat_id,
                                message_id,
                                caption=part.text or None,
                                parse_mode=ParseMode.HTML,
                                reply_markup=markup,
                            )
                    except BadRequest as error:
                        if not _is_not_modified(error):
                            raise
                if len(ids) > keep:
                    await bot.delete_messages(chat_id, list(ids[keep:]))

            try:
                await self._limited(chat_id, max(1, len(changed)), run)
            except TelegramError as error:
                log.info("edit of broadcast %s in %s failed: %s", broadcast_id, chat_id, error)
                return False
            return True

        results = await asyncio.gather(
            *(edit_one(item.chat_id, item.message_ids) for item in deliveries)
        )
        if keep < max((len(item.message_ids) for item in deliveries), default=0):
            for item, ok in zip(deliveries, results, strict=True):
                if ok:
                    await self.repository.set_message_ids(item.id, item.message_ids[:keep])
        edited = sum(results)
        return edited, len(results) - edited

    async def retract(self, broadcast_id: int) -> tuple[int, int]:
        broadcast = await self.repository.get(broadcast_id, failures=False)
        if broadcast is None:
            raise LookupError(f"no broadcast {broadcast_id}")
        self._retracted.add(broadcast_id)
        await self.repository.set_status(broadcast_id, "retracted", self.services.now())
        self._progress.pop(broadcast_id, None)
        self._purge(broadcast_id)
        await self._settle(broadcast_id)
        self._purge(broadcast_id)
        await self.repository.cancel_open(broadcast_id)
        deliveries = await self.repository.deliveries(broadcast_id, "sent")

        async def delete_one(chat_id: int, ids: tuple[int, ...]) -> bool:
            async def run(bot: Bot) -> None:
                await bot.delete_messages(chat_id, list(ids))

            try:
                await self._limited(chat_id, 1, run)
            except TelegramError as error:
                log.info("retract of broadcast %s in %s failed: %s", broadcast_id, chat_id, error)
                return False
            return True

        results = await asyncio.gather(
            *(delete_one(item.chat_id, item.message_ids) for item in deliveries if item.message_ids)
        )
        deleted = sum(results)
        return deleted, len(results) - deleted

    def _purge(self, broadcast_id: int) -> None:
        for chat in self._chats.values():
            if any(item.broadcast_id == broadcast_id for item in chat.deliveries):
                chat.deliveries = deque(
                    item for item in chat.deliveries if item.broadcast_id != broadcast_id
                )
        self._open.pop(broadcast_id, None)


async def start_delivery(application: AnyApplication, services: Services) -> None:
    engine = DeliveryEngine(services, engine_bot(services))
    await engine.start()
    application.bot_data[ENGINE_KEY] = engine
    services.outbox.engine = engine


async def stop_delivery(application: AnyApplication, services: Services) -> None:
    engine = application.bot_data.pop(ENGINE_KEY, None)
    if isinstance(engine, DeliveryEngine):
        services.outbox.engine = None
        await engine.stop()
