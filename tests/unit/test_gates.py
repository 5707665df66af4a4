"""The throttle behind the gates and error reports."""

from __future__ import annotations

from bot.common.throttle import Throttle


def test_throttle_admits_once_per_window_and_counts_the_rest() -> None:
    throttle: Throttle[str] = Throttle(600)
    assert throttle.admit("a", 1000) == 0
    assert [throttle.admit("a", 1000 + s) for s in (1, 300, 599)] == [None, None, None]
    assert throttle.admit("b", 1001) == 0  # keys are independent
    assert throttle.admit("a", 1600) == 3
    assert throttle.admit("a", 2200) == 0


def test_throttle_memory_is_bounded() -> None:
    throttle: Throttle[int] = Throttle(600, max_keys=3)
    for key in range(10):
        assert throttle.admit(key, 1000) == 0
    assert len(throttle._admitted_at) <= 3
    assert throttle.admit(9, 1001) is None  # the newest keys are kept
