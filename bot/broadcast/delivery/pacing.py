"""The delivery engine's pacer: a token bucket that spreads the starts of bulk sends over time.

The global window (windows.py) alone keeps the rate: it lets a whole second's worth of sends
start at once (1,000 at the paid rate) and then nothing until they leave it. Started together,
those sends arrive together: the bot parses hundreds of answers in one go, the server queues
hundreds of requests, and every round trip stretches (at the paid 1,000/s against a 40 ms
server the engine's mean round trip was 0.13-0.21 s in bursts of 200+, 0.044-0.048 s paced), so
fewer sends are answered per second than the window allows; on a machine whose CPU is shared,
much fewer (paid bench with one busy process beside it: 0.92-0.93 of the rate in bursts,
0.95-0.96 paced). The pacer lets at most ``burst`` sends start back to back and then one per
``1 / refill`` seconds. It refills faster than the window's rate (``REFILL_FACTOR``) so that the
window, not the pacer, stays the limit: the pacer only smooths the starts, and a pause (the
window full, a slow database commit) is made up at the refill rate afterwards.

The app's own requests (the priority lane) do not wait for it: they are few, and a seller must
not wait behind a broadcast.
"""

from __future__ import annotations

# Sends that may start back to back after a pause: enough to fill a free bot's whole window at
# once (30 a second), small enough that a paid rate's starts are spread out.
BURST = 32
# The refill rate over the window's rate: above 1, so that the window stays the real limit.
REFILL_FACTOR = 1.25
# When the bucket runs dry, the engine waits until this long's worth of sends may start: every
# turn of its loop costs CPU, and the paid bench (1,000/s: the pacer refills 1.25 a ms) measured
# the bot's CPU per message at 0.7 ms waiting for 4 sends, 0.5 ms for 8 and 0.45 ms for 16 (the
# same rate reached). 12.8 ms is 16 sends at the paid rate and 1 at a free bot's 30/s.
BATCH_SECONDS = 0.0128


class Pacer:
    """A token bucket: ``wait`` says how long until ``n`` sends may start, ``take`` spends them.

    ``now`` is the caller's monotonic clock, passed in on every call (the engine's clock), so
    a test drives it with any clock at all.
    """

    __slots__ = ("_last", "_tokens", "batch", "burst", "refill")

    def __init__(self, refill: float, burst: int = BURST, batch: int = 1) -> None:
        if refill <= 0:
            raise ValueError("refill must be positive")
        self.refill = refill
        self.burst = max(1, burst)
        self.batch = max(1, min(batch, self.burst))
        self._tokens = float(self.burst)
        self._last: float | None = None

    @classmethod
    def for_rate(cls, rate: float) -> Pacer:
        """The pacer for a global window of ``rate`` messages a second."""
        refill = rate * REFILL_FACTOR
        return cls(refill, batch=max(1, round(refill * BATCH_SECONDS)))

    def tokens(self, now: float) -> float:
        """Sends that may start at ``now``, fractional (refilled up to ``burst``)."""
        if self._last is None:
            self._last = now
        elif now > self._last:
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.refill)
            self._last = now
        return self._tokens

    def wait(self, now: float, n: int) -> float:
        """Seconds until ``n`` sends may start (0: now). ``n`` above ``burst`` counts as
        ``burst`` (an album larger than the burst still goes, on a full bucket). When they
        cannot start now, the wait is until ``batch`` can, if more than ``n``."""
        n = min(n, self.burst)
        tokens = self.tokens(now)
        if tokens >= n:
            return 0.0
        return (max(n, self.batch) - tokens) / self.refill

    def take(self, now: float, n: int) -> None:
        """``n`` sends start at ``now``. The bucket goes below zero for an album larger than
        ``burst``: the sends after it wait that much longer."""
        self.tokens(now)
        self._tokens -= n
