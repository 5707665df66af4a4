"""The delivery engine's work, chat by chat: what is queued for each chat (deliveries, and jobs
such as progress edits), and which chats may be dispatched now (runnable) or later (timers)."""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from telegram import Bot

from bot.broadcast.delivery.windows import Window

JobRun = Callable[[Bot], Awaitable[Any]]


@dataclass(eq=False)
class QueuedDelivery:
    id: int
    broadcast_id: int
    group_id: int | None
    chat_id: int
    failures: int
    message_ids: list[int]
    reply_to: int | None
    marked: asyncio.Future[None] | None = None  # its 'sending' change, recorded ahead


@dataclass(eq=False)
class Job:
    """Work other than a delivery (progress, report, edit, delete) in one chat."""

    cost: int
    run: JobRun
    future: asyncio.Future[Any] | None = None
    retries: int = 0


@dataclass(eq=False)
class ChatQueue:
    id: int
    window: Window
    deliveries: deque[QueuedDelivery] = field(default_factory=deque)
    jobs: deque[Job] = field(default_factory=deque)
    busy: bool = False
    scheduled: bool = False  # in the runnable queue or the timer heap
    paused_until: float = 0.0


@dataclass
class EngineStats:
    messages_sent: int = 0  # API messages (an album of n counts n)
    deliveries_sent: int = 0
    deliveries_failed: int = 0
    too_many_requests: int = 0
    transient_errors: int = 0
    migrations: int = 0


class ChatQueues:
    """Every chat the engine has work for. A chat with work is either runnable (in FIFO order),
    waiting on a timer (over its window or paused), or busy (a send of its own in flight)."""

    def __init__(self, window_for: Callable[[int], Window], wake: Callable[[], None]) -> None:
        self._window_for = window_for
        self._wake = wake
        self.chats: dict[int, ChatQueue] = {}
        self.runnable: deque[ChatQueue] = deque()
        self._timers: list[tuple[float, int, ChatQueue]] = []
        self._timer_seq = 0

    def chat(self, chat_id: int) -> ChatQueue:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = ChatQueue(chat_id, self._window_for(chat_id))
        return chat

    def schedule(self, chat: ChatQueue) -> None:
        """Make a chat with work eligible for dispatch (unless busy or already scheduled)."""
        if chat.busy or chat.scheduled or not (chat.deliveries or chat.jobs):
            return
        chat.scheduled = True
        self.runnable.append(chat)
        self._wake()

    def wait_until(self, chat: ChatQueue, when: float) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (when, self._timer_seq, chat))

    def promote(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            _, _, chat = heapq.heappop(self._timers)
            self.runnable.append(chat)

    def next_timer(self) -> float | None:
        """When the earliest waiting chat may run again (None: no chat waits)."""
        return self._timers[0][0] if self._timers else None

    def enqueue_job(self, chat_id: int, job: Job) -> None:
        chat = self.chat(chat_id)
        chat.jobs.append(job)
        self.schedule(chat)

    def premark(
        self,
        now: float,
        count: int,
        mark: Callable[[QueuedDelivery, int], asyncio.Future[None]],
    ) -> None:
        """Have the deliveries next in line (of the first ``count`` runnable chats) marked
        ``sending`` while they wait for the global window, so that their commit does not hold
        their slot once they are dispatched (a slot held is capacity lost: Telegram's window
        slides on regardless). A crash before their request repeats nothing: 'sending' and
        'pending' deliveries are both sent after a restart."""
        for chat in islice(self.runnable, count):
            if chat.jobs or not chat.deliveries or chat.paused_until > now:
                continue
            delivery = chat.deliveries[0]
            if delivery.marked is None:
                delivery.marked = mark(delivery, chat.id)

    def has_work(self) -> bool:
        return any(chat.deliveries or chat.jobs for chat in self.chats.values())
