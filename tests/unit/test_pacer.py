"""The delivery engine's pacer (token bucket), on a hand-set clock."""

from __future__ import annotations

import math

import pytest

from bot.broadcast.delivery.pacing import BURST, REFILL_FACTOR, Pacer


def _start(pacer: Pacer, now: float, count: int) -> int:
    """Start as many single sends as the pacer lets go at ``now``, up to ``count``."""
    started = 0
    while started < count and pacer.wait(now, 1) == 0:
        pacer.take(now, 1)
        started += 1
    return started


def test_a_full_bucket_lets_a_burst_go_then_one_per_refill_interval() -> None:
    pacer = Pacer(refill=100.0, burst=8, batch=1)
    assert _start(pacer, 0.0, 50) == 8
    assert math.isclose(pacer.wait(0.0, 1), 0.01)
    assert _start(pacer, 0.005, 50) == 0
    assert _start(pacer, 0.01, 50) == 1
    assert _start(pacer, 0.05, 50) == 4  # 40 ms more: four more tokens


def test_an_idle_pacer_refills_up_to_the_burst_only() -> None:
    pacer = Pacer(refill=100.0, burst=8, batch=1)
    _start(pacer, 0.0, 8)
    assert pacer.tokens(60.0) == 8  # a minute idle still allows only a burst
    assert _start(pacer, 60.0, 50) == 8


def test_when_dry_it_waits_for_a_batch_not_for_each_send() -> None:
    pacer = Pacer(refill=1000.0, burst=32, batch=4)
    _start(pacer, 0.0, 32)
    assert math.isclose(pacer.wait(0.0, 1), 0.004)  # four sends' worth: one loop turn for four
    assert _start(pacer, 0.004, 50) == 4


def test_the_starts_never_exceed_burst_plus_refill_times_elapsed() -> None:
    """Driven as the engine drives it (start what may start, sleep the wait it says), the
    starts over any interval stay within the bucket's bound, and the long-run rate is the
    refill rate."""
    pacer = Pacer(refill=1250.0, burst=32, batch=4)
    now, starts = 0.0, []
    while len(starts) < 5000:
        for _ in range(_start(pacer, now, 5000 - len(starts))):
            starts.append(now)
        now += pacer.wait(now, 1)
    for first in range(0, len(starts), 97):
        for last in range(first, len(starts), 89):
            assert last - first + 1 <= 32 + 1250.0 * (starts[last] - starts[first]) + 1e-6
    assert math.isclose(starts[-1], (5000 - 32) / 1250.0, rel_tol=1e-3)


def test_an_album_larger_than_the_burst_goes_on_a_full_bucket_and_is_paid_back() -> None:
    pacer = Pacer(refill=10.0, burst=4, batch=1)
    assert pacer.wait(0.0, 10) == 0  # counted as a whole bucket
    pacer.take(0.0, 10)
    assert math.isclose(pacer.wait(0.0, 1), 0.7)  # six in debt, then one: 0.7 s


def test_the_engine_pacer_refills_faster_than_the_rate_so_the_window_stays_the_limit() -> None:
    pacer = Pacer.for_rate(1000.0)
    assert pacer.refill == 1000.0 * REFILL_FACTOR > 1000.0
    assert pacer.burst == BURST
    assert pacer.batch == 16  # when dry, 12.8 ms's worth at once
    free = Pacer.for_rate(30.0)
    assert free.burst >= 30  # a free bot's whole window may still go at once
    assert free.batch == 1  # and a dry bucket is not waited on for 16 (0.43 s at 37.5/s)


def test_a_clock_going_backwards_takes_nothing_back() -> None:
    pacer = Pacer(refill=100.0, burst=4, batch=1)
    _start(pacer, 10.0, 4)
    assert pacer.tokens(9.0) == 0
    assert math.isclose(pacer.tokens(10.01), 1.0)


def test_refill_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Pacer(refill=0.0)
