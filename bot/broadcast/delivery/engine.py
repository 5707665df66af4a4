"""The delivery engine: drains the outbox into Telegram as fast as the limits allow.

How it works (docs/ARCHITECTURE.md has the reasoning):

* Open deliveries (``pending`` and, after a crash, ``sending``) are loaded from SQLite into
  per-chat FIFO queues (queues.py). A dispatcher picks the next chat that has budget left - a
  saturated chat waits on a timer, the others keep going - and starts the send as a task.
* Limits are sliding windows (windows.py): one global (messages per second; the paid rate when
  paid broadcasts are on) and one per chat (per minute for groups, per second for private
  chats). A message occupies its slot from dispatch and leaves it as if counted when Telegram
  counted it at the latest: its answer, less the shortest way back seen (``LatencyGauge.lead``),
  so our window is never more permissive than Telegram's. An album of n counts n; a split text
  counts its parts. A token bucket (pacing.py) spreads the starts so they do not arrive at once.
* A delivery is marked ``sending`` before its API call and ``sent`` (with message ids) after,
  so after a crash only the calls in flight at that moment are repeated.
* Progress messages, final reports (progress.py), edits and deletions (edits.py) are jobs in
  the same per-chat queues (served before deliveries) and so obey the same limits.

The engine sends with its own ``telegram.Bot`` (sending.py: same token and base URL, no rate
limiter). The application's bot (replies, previews, confirmations) shares the engine's windows:
its rate limiter (bot/rate_limits.py) takes each counted request's slots from the engine's
priority lane (lane.py), which the dispatcher serves before any job or delivery.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import Counter, deque
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.broadcast.delivery import edits
from bot.broadcast.delivery.clock import EngineClock, LoopClock
from bot.broadcast.delivery.failures import Failures
from bot.broadcast.delivery.journal import StatusJournal
from bot.broadcast.delivery.lane import PriorityLane
from bot.broadcast.delivery.pacing import Pacer
from bot.broadcast.delivery.progress import ProgressBoard
from bot.broadcast.delivery.queues import (
    ChatQueue,
    ChatQueues,
    EngineStats,
    Job,
    JobRun,
    QueuedDelivery,
)
from bot.broadcast.delivery.sending import engine_bot, next_part, retry_after_seconds, send_encoded
from bot.broadcast.delivery.windows import (
    LatencyGauge,
    chat_window,
    global_rate,
    global_window,
    in_flight_bound,
)
from bot.broadcast.outbox import Keyboard, Part, Payload, layout
from bot.rate_limits import PerChatRateLimiter
from storage.outbox import StatusChange

if TYPE_CHECKING:
    from bot.app import AnyApplication
    from bot.services import Services

log = logging.getLogger(__name__)

ENGINE_KEY = "agentbot.delivery"
LOAD_CHUNK = 250  # deliveries read from SQLite per turn of the loop


class DeliveryEngine:
    """One per running bot (``services.outbox.engine``): the outbox's ``Engine``."""

    def __init__(self, services: Services, bot: Bot, *, clock: EngineClock | None = None) -> None:
        self.services = services
        self.bot = bot
        self.clock: EngineClock = clock or LoopClock()
        self.repository = services.outbox.repository
        settings = services.settings
        self.limits = settings.rate_limits
        self.paid = self.limits.allow_paid_broadcast
        self.latency = LatencyGauge()
        self.global_window = global_window(self.limits, self.latency)
        self.pacer = Pacer.for_rate(global_rate(self.limits))
        self.delivery_settings = settings.delivery
        self.stats = EngineStats()
        self._event = asyncio.Event()
        window_for = partial(chat_window, self.limits, gauge=self.latency)
        self._queues = ChatQueues(window_for, self._event.set)
        self.lane = PriorityLane(
            self.global_window,
            lambda chat_id: self._queues.chat(chat_id).window,
            self.clock.now,
            self._event.set,
            partial(self.latency.observe, mean=False),
        )
        self._progress = ProgressBoard(
            self.repository,
            self._enqueue,
            interval=self.delivery_settings.progress_interval_seconds,
            default_language=settings.language,
            tz=settings.tz,
        )
        self._journal = StatusJournal(self.repository)
        self._failures = Failures(
            services, self.clock, self._queues, self._journal, self.stats, self._terminal
        )
        self._payloads: dict[int, list[Part]] = {}
        self._open: Counter[int] = Counter()  # broadcast id -> deliveries in memory
        self._in_flight: Counter[int] = Counter()  # broadcast id -> deliveries being sent
        self._retracted: set[int] = set()
        self._loaded_upto = 0
        self._reload = True
        self._tasks: set[asyncio.Task[None]] = set()
        self._requests = 0  # sends and jobs whose request is not answered yet
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
        self.lane.close()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=20)
        for task in list(self._tasks):
            task.cancel()
        for chat in self._queues.chats.values():
            for job in chat.jobs:
                if job.future is not None and not job.future.done():
                    job.future.set_exception(RuntimeError("the delivery engine stopped"))
        await self.bot.shutdown()

    def wake(self) -> None:
        """New deliveries were written: load them."""
        self._reload = True
        self._event.set()

    def busy(self) -> bool:
        return bool(self._reload or self._tasks or self._queues.has_work())

    @property
    def in_flight(self) -> int:
        """Sends, jobs and the app's granted requests under way (not yet answered)."""
        return len(self._tasks) + self.lane.in_flight

    @property
    def max_in_flight(self) -> int:
        """The bound on requests in flight (not yet answered): the setting, or by Little's law
        the rate times the measured round trip (see windows.py ``in_flight_bound``)."""
        fixed = self.delivery_settings.max_in_flight
        if fixed is not None:
            return fixed
        return in_flight_bound(global_rate(self.limits), self.latency.seconds)

    # ------------------------------------------------------------------ scheduling

    def _cost(self, chat: ChatQueue) -> int:
        if chat.jobs:
            return chat.jobs[0].cost
        delivery = chat.deliveries[0]
        parts = self._payloads[delivery.broadcast_id]
        start = next_part(parts, len(delivery.message_ids))
        return max(1, sum(part.size for part in parts[start:]))

    def _dispatch(self, now: float) -> float:
        """Start every send that fits now; returns seconds until the next may fit."""
        global_pause = self._failures.global_pause
        if now < global_pause:
            return global_pause - now
        lane_wait, lane_blocked = self.lane.grant(now)
        if lane_blocked:
            return lane_wait
        runnable = self._queues.runnable
        bound = self.max_in_flight
        # Sends waiting only for their 'sent' commit are not counted, but at most as many again.
        while runnable and self._requests < bound and len(self._tasks) < 2 * bound:
            chat = runnable[0]
            while chat.deliveries and chat.deliveries[0].broadcast_id in self._retracted:
                self._open[chat.deliveries.popleft().broadcast_id] -= 1  # dropped
            if not (chat.deliveries or chat.jobs):
                runnable.popleft()
                chat.scheduled = False
                continue
            if chat.paused_until > now:
                runnable.popleft()
                self._queues.wait_until(chat, chat.paused_until)
                continue
            cost = self._cost(chat)
            chat_wait = chat.window.wait(now, cost)
            if chat_wait > 0:
                runnable.popleft()
                self._queues.wait_until(chat, now + (chat_wait if chat_wait < math.inf else 1.0))
                continue
            global_wait = max(self.global_window.wait(now, cost), self.pacer.wait(now, cost))
            if global_wait > 0:
                lane_wait = min(global_wait, lane_wait)
                break
            self.pacer.take(now, cost)
            runnable.popleft()
            chat.scheduled = False
            chat.busy = True
            self.global_window.reserve(cost)
            chat.window.reserve(cost)
            self._requests += 1
            if chat.jobs:
                task = asyncio.create_task(self._run_job(chat, chat.jobs.popleft(), cost))
            else:
                delivery = chat.deliveries.popleft()
                self._in_flight[delivery.broadcast_id] += 1
                task = asyncio.create_task(self._deliver(chat, delivery, cost))
            self._tasks.add(task)
            task.add_done_callback(self._task_done)
        self._queues.premark(now, bound, self._mark)
        return lane_wait

    def _mark(self, delivery: QueuedDelivery, chat_id: int) -> asyncio.Future[None]:
        return self._journal.record(StatusChange(delivery.id, "sending", chat_id, attempt=True))

    def _answered(self) -> None:
        """A send's or job's requests are over (answered or failed): the next may start."""
        self._requests -= 1
        self._event.set()

    def _task_done(self, task: asyncio.Task[None]) -> None:
        """A send finished: its slot is free, so the dispatcher must look again (the task may
        end after the wake-up it gave when its API call returned)."""
        self._tasks.discard(task)
        self._event.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery task failed", exc_info=task.exception())

    async def _run(self) -> None:
        clock = self.clock
        while not self._stopping:
            self._event.clear()
            try:
                if self._reload:
                    self._reload = False
                    await self._load()
                now = clock.now()
                self._queues.promote(now)
                self._progress.tick(now)
                delay = self._dispatch(now)
            except Exception:
                delay = self.delivery_settings.loop_error_backoff_seconds
                log.exception("delivery engine loop failed; retrying in %gs", delay)
            next_timer = self._queues.next_timer()
            if next_timer is not None:
                delay = min(delay, next_timer - clock.now())
            delay = min(delay, self._progress.next_due(clock.now()))
            if delay > 0:
                await clock.sleep(self._event, delay)

    async def _load(self) -> None:
        # A chunk a turn: the first sends need not wait for a whole broadcast to be read.
        rows = await self.repository.open_deliveries(self._loaded_upto, LOAD_CHUNK)
        if len(rows) == LOAD_CHUNK:
            self.wake()  # there may be more
        engine_now = self.clock.now()
        wall_now = self.services.now()
        for row in rows:
            self._loaded_upto = max(self._loaded_upto, row.id)
            if row.broadcast_id not in self._payloads:
                await self._load_broadcast(row.broadcast_id)
            delivery = QueuedDelivery(
                row.id,
                row.broadcast_id,
                row.group_id,
                row.chat_id,
                row.failures,
                list(row.message_ids),
                row.reply_to_message_id,
            )
            self._open[row.broadcast_id] += 1
            chat = self._queues.chat(row.chat_id)
            chat.deliveries.append(delivery)
            if row.next_attempt_at > wall_now:
                chat.paused_until = max(
                    chat.paused_until, engine_now + row.next_attempt_at - wall_now
                )
            self._queues.schedule(chat)
        if rows:
            log.info("delivery engine loaded %d deliveries", len(rows))

    async def _load_broadcast(self, broadcast_id: int) -> None:
        broadcast = await self.repository.get(broadcast_id, failures=False)
        assert broadcast is not None
        self._payloads[broadcast_id] = layout(Payload.from_json(broadcast.payload))
        self._progress.track(broadcast)

    # ------------------------------------------------------------------ deliveries

    async def _deliver(self, chat: ChatQueue, delivery: QueuedDelivery, reserved: int) -> None:
        parts = self._payloads[delivery.broadcast_id]
        outcome: Literal["sent", "failed", "requeue", "moved"] = "requeue"
        marked, delivery.marked = delivery.marked, None  # 'sending' committed ahead, or now
        try:
            try:
                await (marked or self._mark(delivery, chat.id))
                for index in range(next_part(parts, len(delivery.message_ids)), len(parts)):
                    part = parts[index]
                    reply_to = delivery.reply_to if index == 0 else None
                    started = self.clock.now()
                    try:
                        ids = await send_encoded(
                            self.bot, chat.id, part, reply_to=reply_to, paid=self.paid
                        )
                    finally:
                        used = min(part.size, reserved)
                        answered = self.clock.now()
                        self.global_window.complete(answered, used)
                        chat.window.complete(answered, used)
                        reserved -= used
                    self.latency.observe(answered - started)
                    self.stats.messages_sent += len(ids)
                    delivery.message_ids += ids
                    if index < len(parts) - 1:
                        ids_so_far = tuple(delivery.message_ids)
                        await self._journal.write(
                            StatusChange(delivery.id, "sending", message_ids=ids_so_far)
                        )
            finally:
                self._answered()
            all_ids = tuple(delivery.message_ids)
            sent = StatusChange(delivery.id, "sent", chat.id, all_ids, sent_at=self.services.now())
            await self._journal.write(sent)
            outcome = "sent"
        except RetryAfter as error:
            await self._failures.retry_after(chat, delivery, retry_after_seconds(error))
        except ChatMigrated as error:
            outcome = "moved"
            await self._failures.migrated(chat, delivery, int(error.new_chat_id))
        except Forbidden as error:
            outcome = "failed"
            await self._failures.forbidden(chat, delivery, error.message)
        except BadRequest as error:
            outcome = "failed"
            await self._failures.fail(delivery, error.message)
        except NetworkError as error:  # includes TimedOut and 5xx answers
            outcome = await self._failures.transient(chat, delivery, error.message)
        except TelegramError as error:
            outcome = "failed"
            await self._failures.fail(delivery, error.message)
        except Exception:
            # Most likely the database going away at shutdown: the delivery stays open in
            # SQLite and is resumed on the next start.
            log.exception("delivery %s to %s failed unexpectedly", delivery.id, chat.id)
            outcome = "moved"
            self._open[delivery.broadcast_id] -= 1
        finally:
            if reserved:
                done_at = self.clock.now()
                self.global_window.complete(done_at, reserved)
                chat.window.complete(done_at, reserved)
            self._in_flight[delivery.broadcast_id] -= 1
            if outcome == "requeue":
                chat.deliveries.appendleft(delivery)
            chat.busy = False
            self._queues.schedule(chat)
            self._event.set()
        if outcome in ("sent", "failed"):
            await self._terminal(delivery, outcome == "sent")

    async def _terminal(self, delivery: QueuedDelivery, sent: bool) -> None:
        """A delivery is sent or failed for good: count it, finish the broadcast if last."""
        if sent:
            self.stats.deliveries_sent += 1
        else:
            self.stats.deliveries_failed += 1
        broadcast_id = delivery.broadcast_id
        self._progress.count(broadcast_id, sent=sent)
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
        await self._progress.report(broadcast_id)

    # ------------------------------------------------------------------ jobs

    def _enqueue(self, chat_id: int, cost: int, run: JobRun) -> None:
        self._queues.enqueue_job(chat_id, Job(cost, run))

    async def _run_job(self, chat: ChatQueue, job: Job, reserved: int) -> None:
        try:
            result = await job.run(self.bot)
        except RetryAfter as error:
            self.stats.too_many_requests += 1
            seconds = retry_after_seconds(error)
            chat.paused_until = max(chat.paused_until, self.clock.now() + seconds)
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
            done_at = self.clock.now()
            self.global_window.complete(done_at, reserved)
            chat.window.complete(done_at, reserved)
            self._answered()
            chat.busy = False
            self._queues.schedule(chat)
            self._event.set()

    async def limited(self, chat_id: int, cost: int, run: JobRun) -> Any:
        """Run ``run(bot)`` as a job in ``chat_id``'s queue, within the limits; its result."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queues.enqueue_job(chat_id, Job(max(1, cost), run, future))
        return await future

    # ------------------------------------------------------------------ edit and retract

    async def edit_everywhere(
        self, broadcast_id: int, text: str | None, keyboard: Keyboard | None
    ) -> tuple[int, int]:
        return await edits.edit_everywhere(self, broadcast_id, text, keyboard)

    async def retract(self, broadcast_id: int) -> tuple[int, int]:
        return await edits.retract(self, broadcast_id)

    def replace_parts(self, broadcast_id: int, parts: list[Part]) -> None:
        """The broadcast was edited: deliveries not sent yet get the new content."""
        if broadcast_id in self._payloads:
            self._payloads[broadcast_id] = parts

    async def settle(self, broadcast_id: int) -> None:
        """Wait until no delivery of the broadcast is in flight."""
        while self._in_flight.get(broadcast_id, 0) > 0:  # noqa: ASYNC110 - rare, short wait
            await asyncio.sleep(0.02)

    def stop_sending(self, broadcast_id: int) -> None:
        """The broadcast is being retracted: dispatch none of its deliveries from now on."""
        self._retracted.add(broadcast_id)

    def purge(self, broadcast_id: int) -> None:
        """Drop the (retracted) broadcast's queued deliveries and its progress."""
        self._progress.forget(broadcast_id)
        for chat in self._queues.chats.values():
            if any(item.broadcast_id == broadcast_id for item in chat.deliveries):
                chat.deliveries = deque(
                    item for item in chat.deliveries if item.broadcast_id != broadcast_id
                )
        self._open.pop(broadcast_id, None)


async def start_delivery(
    application: AnyApplication, services: Services, *, clock: EngineClock | None = None
) -> None:
    engine = DeliveryEngine(services, engine_bot(services), clock=clock)
    await engine.start()
    application.bot_data[ENGINE_KEY] = engine
    services.outbox.engine = engine
    limiter = application.bot.rate_limiter
    if isinstance(limiter, PerChatRateLimiter):
        limiter.share(engine.lane)


async def stop_delivery(application: AnyApplication, services: Services) -> None:
    engine = application.bot_data.pop(ENGINE_KEY, None)
    if isinstance(engine, DeliveryEngine):
        services.outbox.engine = None
        limiter = application.bot.rate_limiter
        if isinstance(limiter, PerChatRateLimiter) and limiter.budget is engine.lane:
            limiter.share(None)
        await engine.stop()
