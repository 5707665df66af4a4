"""A testbed with a hand-driven clock for the scheduler's end-to-end tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dev.testbed import Testbed

SH = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> int:
    """Unix seconds of a Shanghai wall-clock time."""
    return int(datetime(*parts, tzinfo=SH).timestamp())  # type: ignore[misc]


class FakeClock:
    """``services.clock``: returns ``now`` until a test moves it. The start is in 2027, later
    than the real date, so APScheduler's real-time jobs never fire during a test: fires happen
    only when a test calls ``run_due`` (or restarts the bot)."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)

    def set(self, *parts: int) -> int:
        self.now = at(*parts)
        return self.now


async def run_due(bed: Testbed, clock: FakeClock) -> list[object]:
    results = await bed.services.scheduler.run_due(int(clock()))
    await bed.services.outbox.wait_idle(10)
    return list(results)


def texts_in(bed: Testbed, chat_id: int) -> list[str]:
    return [m.text or m.caption or "" for m in bed.sandbox.messages(chat_id) if not m.deleted]
