"""What the delivery engine does when a send fails, by Telegram's answer: 429 pauses the chat
(and everything, when several chats answer 429 at once), a migration moves the chat's queue to
the supergroup, 403 fails the chat's deliveries and marks the group inactive, network errors
and 5xx back off exponentially up to ``max_attempts``, anything else fails the delivery."""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

from bot.broadcast.delivery.clock import EngineClock
from bot.broadcast.delivery.journal import StatusJournal
from bot.broadcast.delivery.queues import ChatQueue, ChatQueues, EngineStats, QueuedDelivery
from storage.outbox import StatusChange

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# A delivery is sent or failed for good: count it (and finish its broadcast if it was the last).
Terminal = Callable[[QueuedDelivery, bool], Awaitable[None]]


class Failures:
    """The engine's answers to failed sends; it keeps the global pause they may set."""

    def __init__(
        self,
        services: Services,
        clock: EngineClock,
        queues: ChatQueues,
        journal: StatusJournal,
        stats: EngineStats,
        terminal: Terminal,
    ) -> None:
        self.services = services
        self.clock = clock
        self.settings = services.settings.delivery
        # 429s from two different chats within this many seconds mean the global limit.
        self.flood_span = services.settings.rate_limits.flood_span_seconds
        self._queues = queues
        self._journal = journal
        self._stats = stats
        self._terminal = terminal
        self._recent_429: deque[tuple[float, int]] = deque()
        self.global_pause = 0.0  # nothing is dispatched before this (engine clock)

    async def retry_after(self, chat: ChatQueue, delivery: QueuedDelivery, seconds: float) -> None:
        now = self.clock.now()
        self._stats.too_many_requests += 1
        chat.paused_until = max(chat.paused_until, now + seconds)
        self._recent_429.append((now, chat.id))
        while self._recent_429 and self._recent_429[0][0] < now - self.flood_span:
            self._recent_429.popleft()
        if len({chat_id for _, chat_id in self._recent_429}) > 1:
            # 429s from several chats at once: the global limit, not this chat's.
            self.global_pause = max(self.global_pause, now + seconds)
        log.info("429 from %s: waiting %.0fs", chat.id, seconds)
        await self._journal.write(
            StatusChange(
                delivery.id,
                "pending",
                message_ids=tuple(delivery.message_ids),
                error=f"429 retry after {seconds:g}s",
                next_attempt_at=self.services.now() + math.ceil(seconds),
            )
        )

    async def migrated(self, chat: ChatQueue, delivery: QueuedDelivery, new_chat_id: int) -> None:
        """Follow the group to its supergroup: update the group row and every queued delivery
        for the old chat, then send in the new chat."""
        self._stats.migrations += 1
        if delivery.group_id is not None:
            await self.services.groups.migrate(chat.id, new_chat_id, self.services.now())
        log.info("chat %s migrated to %s; following", chat.id, new_chat_id)
        await self._journal.write(
            StatusChange(
                delivery.id,
                "pending",
                new_chat_id,
                message_ids=tuple(delivery.message_ids),
                error=f"migrated to {new_chat_id}",
                next_attempt_at=0,
            )
        )
        target = self._queues.chat(new_chat_id)
        moved = [delivery, *chat.deliveries]
        chat.deliveries.clear()
        for item in moved:
            item.chat_id = new_chat_id
        target.deliveries.extendleft(reversed(moved))
        self._queues.schedule(target)

    async def forbidden(self, chat: ChatQueue, delivery: QueuedDelivery, reason: str) -> None:
        """Kicked, blocked or gone: fail this and every queued delivery to the chat."""
        await self.fail(delivery, reason)
        if delivery.group_id is not None or chat.id < 0:
            await self.services.groups.mark_inactive(chat.id, reason, self.services.now())
        else:  # a private chat: the agent blocked the bot
            await self.services.reach.mark_blocked(chat.id, self.services.now())
        doomed = list(chat.deliveries)
        chat.deliveries.clear()
        for item in doomed:
            await self.fail(item, reason)
            await self._terminal(item, False)

    async def transient(
        self, chat: ChatQueue, delivery: QueuedDelivery, reason: str
    ) -> Literal["failed", "requeue"]:
        self._stats.transient_errors += 1
        delivery.failures += 1
        settings = self.settings
        if delivery.failures >= settings.max_attempts:
            await self.fail(delivery, reason, transient=True)
            return "failed"
        backoff = min(
            settings.backoff_seconds * 2 ** (delivery.failures - 1), settings.backoff_max_seconds
        )
        chat.paused_until = max(chat.paused_until, self.clock.now() + backoff)
        await self._journal.write(
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

    async def fail(self, delivery: QueuedDelivery, reason: str, *, transient: bool = False) -> None:
        await self._journal.write(
            StatusChange(
                delivery.id,
                "failed",
                message_ids=tuple(delivery.message_ids),
                error=reason,
                transient_failure=transient,
            )
        )
