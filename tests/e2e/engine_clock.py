"""A test bed whose delivery engine and sandbox share a fast-forward clock, for tests that need
time to pass in the engine (pacing, retry_after) without waiting on the wall clock."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.broadcast.delivery.engine import (
    ENGINE_KEY,
    DeliveryEngine,
    start_delivery,
    stop_delivery,
)
from bot.dev.sandbox import Sandbox
from bot.dev.testbed import SANDBOX_TOKEN, Testbed


class FastForwardClock:
    """Engine time that moves only when the engine has nothing to do but wait for it: then a
    wait for a delay lets the tasks that are ready run and (unless something woke the engine)
    returns at once with the clock moved on by the delay. While API calls are in flight (their
    answers wake the engine) or without a delay, it waits for the wake-up as usual; so a call
    takes no time on this clock, and time never jumps under one."""

    def __init__(self, start: float = 1000.0) -> None:
        self.value = start
        self.calls_in_flight: Callable[[], bool] = lambda: False

    def now(self) -> float:
        return self.value

    async def sleep(self, wake: asyncio.Event, seconds: float) -> None:
        if seconds == math.inf or self.calls_in_flight():
            await wake.wait()
            return
        await asyncio.sleep(0)
        if not wake.is_set():
            self.value += seconds


async def bed_on_clock(database: Path, **overrides: Any) -> tuple[Testbed, FastForwardClock]:
    """A started test bed whose sandbox records call times and enforces its limits on the
    returned clock, and whose delivery engine runs on it."""
    clock = FastForwardClock()
    sandbox = Sandbox(token=SANDBOX_TOKEN, bot_username="agentbot_demo_bot", clock=clock.now)
    await sandbox.start()
    bed = Testbed(database=database, overrides=overrides)
    await bed.start(sandbox=sandbox)
    await stop_delivery(bed.application, bed.services)
    await start_delivery(bed.application, bed.services, clock=clock)
    engine = bed.application.bot_data[ENGINE_KEY]
    assert isinstance(engine, DeliveryEngine)
    clock.calls_in_flight = lambda: engine.in_flight > 0
    return bed, clock
