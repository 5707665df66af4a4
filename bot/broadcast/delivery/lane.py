"""The priority lane: the app's own requests (replies, previews, confirmations, edits) take their
slots from the delivery engine's windows, ahead of every queued job and delivery.

Telegram counts every message the bot sends against one budget (about 30 a second; 20 a minute
into a group), whichever code path sends it. Before this lane the app's bot paced itself apart
from the engine (PTB's ``AIORateLimiter``), so a broadcast's preview and confirmation, sent just
as its first deliveries filled the window, drew a 429. Now ``bot/rate_limits.py``
``PerChatRateLimiter`` asks the lane for a slot before any request that Telegram counts; the
engine's dispatcher grants waiting requests first (in arrival order) and only then starts bulk
sends, so a seller never waits behind a broadcast, and nothing is sent outside the windows.

A request into a group also takes a slot in that group's window (its 20 a minute). A private
chat's per-second window is left to the bulk sends: a reply of two or three messages is a burst
Telegram allows, and holding it to one a second would make every conversation crawl.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.broadcast.delivery.windows import Window


@dataclass(eq=False)
class Admission:
    """A request's claim on the windows: granted (``windows`` reserved) or still waiting."""

    chat_id: int
    cost: int
    granted: asyncio.Future[None]
    windows: tuple[Window, ...] = field(default=())
    granted_at: float = 0.0


class PriorityLane:
    """Requests waiting for the engine's budget, granted by the engine's dispatcher
    (``grant``) before anything else it would start; a request with nobody ahead of it is
    granted at once when the windows have room."""

    def __init__(
        self,
        global_window: Window,
        chat_window: Callable[[int], Window],
        now: Callable[[], float],
        wake: Callable[[], None],
        round_trip: Callable[[float], None] | None = None,
    ) -> None:
        self._global = global_window
        self._chat_window = chat_window
        self._now = now
        self._wake = wake
        self._round_trip = round_trip  # told each granted request's time from grant to answer
        self._waiting: deque[Admission] = deque()
        self.in_flight = 0
        self.closed = False

    async def acquire(self, chat_id: int, cost: int) -> Admission:
        """Wait until the engine grants ``cost`` messages into ``chat_id``. Once the engine has
        stopped the grant is immediate and reserves nothing."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        admission = Admission(chat_id, max(1, cost), future)
        if self.closed:
            future.set_result(None)
            return admission
        self._waiting.append(admission)
        if len(self._waiting) == 1:
            # Nobody ahead: take the slots now if they are free, without waiting for the
            # engine's loop to come round (it may be loading deliveries from the database).
            self.grant(self._now())
        if not future.done():
            self._wake()
        try:
            await future
        except asyncio.CancelledError:
            if admission in self._waiting:
                self._waiting.remove(admission)
            elif admission.windows:
                self.release(admission)
            raise
        return admission

    def release(self, admission: Admission) -> None:
        """The request has been answered: its slots are recorded by the answer's time, and its
        round trip (from the grant) tells the engine's latency gauge."""
        if not admission.windows:
            return
        done_at = self._now()
        for window in admission.windows:
            window.complete(done_at, admission.cost)
        if self._round_trip is not None:
            self._round_trip(done_at - admission.granted_at)
        admission.windows = ()
        self.in_flight -= 1
        self._wake()

    def grant(self, now: float) -> tuple[float, bool]:
        """Grant every waiting request that fits now, in arrival order. Returns (seconds until
        one may fit, whether a waiter is held by the global window: bulk sends must not start
        then, or they would take the slot it waits for)."""
        wait = math.inf
        for admission in list(self._waiting):
            if admission.granted.cancelled():
                self._waiting.remove(admission)
                continue
            global_wait = self._global.wait(now, admission.cost)
            if global_wait > 0:
                return min(wait, global_wait), True
            windows: tuple[Window, ...] = (self._global,)
            if admission.chat_id < 0:
                chat = self._chat_window(admission.chat_id)
                chat_wait = chat.wait(now, admission.cost)
                if chat_wait > 0:
                    wait = min(wait, chat_wait if chat_wait < math.inf else 1.0)
                    continue
                windows += (chat,)
            for window in windows:
                window.reserve(admission.cost)
            admission.windows = windows
            admission.granted_at = now
            self.in_flight += 1
            self._waiting.remove(admission)
            admission.granted.set_result(None)
        return wait, False

    def close(self) -> None:
        """The engine stops: let every waiter go (unpaced) and grant later ones at once."""
        self.closed = True
        while self._waiting:
            admission = self._waiting.popleft()
            if not admission.granted.done():
                admission.granted.set_result(None)
