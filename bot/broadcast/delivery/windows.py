"""The sliding-window limiter the delivery engine paces every chat and the whole bot with, and
the windows the ``[rate_limits]`` settings give."""

from __future__ import annotations

import heapq
import math

from bot.config import RateLimits


class Window:
    """A sliding-window limiter: at most ``capacity`` messages in any ``length`` seconds.

    ``reserve`` takes slots for requests about to start; ``complete`` records them when the
    request has returned, by the time its answer came. Telegram counted the message before that,
    when the request arrived: ``gauge`` (the engine's ``LatencyGauge``) says by how much at least
    (its ``lead``), and a recorded answer leaves the window that much before a full ``length``
    has passed. The lead is applied when the window is read, not when an answer is recorded, so
    a lead that shrinks as faster round trips are seen also corrects the answers recorded before
    (the first answers of a burst come back slowly and would make it too large for a while).
    """

    __slots__ = ("_done", "capacity", "gauge", "in_flight", "length")

    def __init__(self, capacity: int, length: float, gauge: LatencyGauge | None = None) -> None:
        self.capacity = max(1, capacity)
        self.length = length
        self.gauge = gauge
        self.in_flight = 0
        self._done: list[float] = []  # heap of answer times

    def wait(self, now: float, n: int) -> float:
        """Seconds until ``n`` more fit (0: now; ``math.inf``: only after completions)."""
        done = self._done
        # An answer recorded at ``t`` was counted by Telegram at ``t - lead`` at the latest, so
        # it has left Telegram's window once ``t - lead <= now - length``.
        expired = now - self.length + (self.gauge.lead if self.gauge is not None else 0.0)
        while done and done[0] <= expired:
            heapq.heappop(done)
        n = min(n, self.capacity)
        excess = len(done) + self.in_flight + n - self.capacity
        if excess <= 0:
            return 0.0
        if excess > len(done):
            return math.inf
        oldest = done[0] if excess == 1 else heapq.nsmallest(excess, done)[-1]
        return oldest - expired

    def reserve(self, n: int) -> None:
        self.in_flight += n

    def complete(self, answered: float, n: int) -> None:
        """``n`` reserved slots' request has returned (or failed) at ``answered``."""
        self.in_flight -= n
        for _ in range(n):
            heapq.heappush(self._done, answered)

    @property
    def idle(self) -> bool:
        return self.in_flight == 0 and not self._done


def global_rate(limits: RateLimits) -> float:
    """Messages per second across all chats: the paid rate when paid broadcasts are on."""
    return limits.paid_per_second if limits.allow_paid_broadcast else limits.global_per_second


def global_window(limits: RateLimits, gauge: LatencyGauge | None = None) -> Window:
    return Window(math.floor(global_rate(limits)), 1.0, gauge)


# The in-flight bound sized by Little's law is at most this (the engine's connection pool).
MAX_IN_FLIGHT = 256
# Before the first answer: a guess of the request latency (a Bot API call from a server far
# from Telegram's takes 50-150 ms).
INITIAL_LATENCY_SECONDS = 0.1


class LatencyGauge:
    """The request latency the engine measures: an exponentially weighted mean of its sends'
    round trips (each new one weighs ``weight``), and the shortest round trip of any counted
    request the bot made (the app's replies too: they come before any broadcast, when nothing
    else is in flight, so they show the network's own round trip)."""

    __slots__ = ("fastest", "seconds", "weight")

    def __init__(self, initial: float = INITIAL_LATENCY_SECONDS, weight: float = 0.05) -> None:
        self.seconds = initial
        self.weight = weight
        self.fastest = 0.0  # none seen yet: assume no way back at all

    def observe(self, seconds: float, *, mean: bool = True) -> None:
        """A request took ``seconds`` from start to answer; ``mean=False``: a request that is
        not a send (the app's), which tells the shortest round trip but not the sends' mean."""
        seconds = max(0.0, seconds)
        if mean:
            self.seconds += self.weight * (seconds - self.seconds)
        self.fastest = seconds if self.fastest == 0.0 else min(self.fastest, seconds)

    @property
    def lead(self) -> float:
        """How long before its answer arrived Telegram counted a request, at least: the answer
        travelled back at least half the shortest round trip seen (networks are about
        symmetric, and no answer came back faster). A window holds a request's slot for the
        time it spent on the way out, not the whole round trip (at 40 ms that is 2 % of the
        rate; at 200 ms from a far server, 10 %)."""
        return self.fastest / 2


def in_flight_bound(rate: float, latency: float) -> int:
    """How many sends may be in flight to keep ``rate`` when each takes ``latency`` seconds.

    Little's law: requests in flight = arrival rate x time in the system. Twice that plus two
    absorbs jitter (a slow answer must not stall the pace); the windows, not this bound, keep
    the rate, so a generous bound costs only connections. At least 4, at most ``MAX_IN_FLIGHT``.
    """
    return max(4, min(MAX_IN_FLIGHT, math.ceil(2 * rate * latency) + 2))


def chat_window(limits: RateLimits, chat_id: int, gauge: LatencyGauge | None = None) -> Window:
    """Messages into one chat: per second for a private chat (positive id), per minute for a
    group, supergroup or channel."""
    if chat_id > 0:
        return Window(limits.per_private_chat_per_second, 1.0, gauge)
    return Window(limits.per_group_per_minute, 60.0, gauge)
