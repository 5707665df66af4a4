"""The sliding-window limiter the delivery engine paces every chat and the whole bot with, and
the windows the ``[rate_limits]`` settings give."""

from __future__ import annotations

import heapq
import math

from bot.config import RateLimits


class Window:
    """A sliding-window limiter: at most ``capacity`` messages in any ``length`` seconds.

    ``reserve`` takes slots for requests about to start; ``complete`` timestamps them when the
    request has returned (conservative: the server counted the message at or before then).
    """

    __slots__ = ("_done", "capacity", "in_flight", "length")

    def __init__(self, capacity: int, length: float) -> None:
        self.capacity = max(1, capacity)
        self.length = length
        self.in_flight = 0
        self._done: list[float] = []  # heap of completion times

    def wait(self, now: float, n: int) -> float:
        """Seconds until ``n`` more fit (0: now; ``math.inf``: only after completions)."""
        done = self._done
        horizon = now - self.length
        while done and done[0] <= horizon:
            heapq.heappop(done)
        n = min(n, self.capacity)
        excess = len(done) + self.in_flight + n - self.capacity
        if excess <= 0:
            return 0.0
        if excess > len(done):
            return math.inf
        return heapq.nsmallest(excess, done)[-1] + self.length - now

    def reserve(self, n: int) -> None:
        self.in_flight += n

    def complete(self, now: float, n: int) -> None:
        self.in_flight -= n
        for _ in range(n):
            heapq.heappush(self._done, now)

    @property
    def idle(self) -> bool:
        return self.in_flight == 0 and not self._done


def global_window(limits: RateLimits) -> Window:
    """Messages per second across all chats: the paid rate when paid broadcasts are on."""
    rate = limits.paid_per_second if limits.allow_paid_broadcast else limits.global_per_second
    return Window(math.floor(rate), 1.0)


def chat_window(limits: RateLimits, chat_id: int) -> Window:
    """Messages into one chat: per second for a private chat (positive id), per minute for a
    group, supergroup or channel."""
    if chat_id > 0:
        return Window(limits.per_private_chat_per_second, 1.0)
    return Window(limits.per_group_per_minute, 60.0)
