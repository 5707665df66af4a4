"""The delivery engine's time: a monotonic ``now`` for its rate windows, pauses and backoffs, and
the wait between two turns of its loop. Injectable, so a test can let time pass in the engine
without waiting on the wall clock."""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import Protocol


class EngineClock(Protocol):
    def now(self) -> float:
        """Monotonic seconds."""
        ...

    async def sleep(self, wake: asyncio.Event, seconds: float) -> None:
        """Return once ``wake`` is set or ``seconds`` have passed (``math.inf``: only on wake)."""
        ...


class LoopClock:
    """Real time: the event loop's monotonic clock."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, wake: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), None if seconds == math.inf else seconds)
