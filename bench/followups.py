"""The daily follow-up list at scale: 100,000 agents (bench/agents.py's data: nobody ever
contacted, so nearly all are due), the list made once by the fire and then paged.

Run: .venv/bin/python bench/followups.py [--agents N] [--runs N]

Prints: how many are due and the pages; making the list (wall time, CPU time of the process,
the worst event-loop stall a 10 ms ticker saw, which on a shared machine includes waiting for
a core, and the most CPU the loop's thread spent between two turns of the loop, which does
not); one page turn (the storage read and the page's
text and buttons, ``followup_page``) for the first, middle and last page, CPU and wall per
turn; and, for comparison, re-computing the due list (``followups_due``, one scan of every
agent) as a page turn would cost without the stored list. CPU times are ``time.process_time``
(the machine may be shared: wall times are inflated, CPU times much less).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.agents import LoopWatch, build
from bot.scheduling.followups import followup_cadences, followup_page, make_list
from bot.services import Services


class LoopCpu:
    """The most CPU time (``time.thread_time``) the event loop's thread spends between two
    turns of the loop: what blocks the loop, whatever the other processes on the machine."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._stop = False
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopCpu:
        self._task = asyncio.create_task(self._turns())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._stop = True
        assert self._task is not None
        await self._task

    async def _turns(self) -> None:
        last = time.thread_time()
        while not self._stop:
            await asyncio.sleep(0)
            now = time.thread_time()
            self.worst = max(self.worst, now - last)
            last = now


async def per_call(runs: int, action: object) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``runs`` calls of ``action``."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        await action()  # type: ignore[operator]
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return statistics.median(walls), statistics.median(cpus)


async def main(agents: int, runs: int) -> None:
    now = int(time.time())
    with tempfile.TemporaryDirectory() as folder:
        services: Services = await build(Path(folder) / "bench.sqlite3", agents, 500, now)
        gc.collect()
        gc.freeze()  # as ``agentbot run`` does after start-up
        async with LoopWatch() as watch, LoopCpu() as loop_cpu:
            wall, cpu = time.perf_counter(), time.process_time()
            made = await make_list(services, now)
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
        assert made is not None
        rows = await services.db.fetchone(
            "SELECT count(*) FROM followup_rows WHERE list_id = ?", (made.id,)
        )
        assert rows is not None
        print(f"due rows {rows[0]}, pages {made.pages}")
        print(
            f"make the list: wall {wall:.2f} s, CPU {cpu:.2f} s,"
            f" worst loop stall {watch.worst_stall * 1000:.0f} ms,"
            f" most loop-thread CPU between two turns {loop_cpu.worst * 1000:.1f} ms"
        )
        for name, page in (("first", 0), ("middle", made.pages // 2), ("last", made.pages - 1)):

            async def turn(p: int = page) -> None:
                assert await followup_page(services, made.id, p) is not None

            wall_ms, cpu_ms = await per_call(runs, turn)
            print(f"page turn [{name:6}]: wall {wall_ms:6.2f} ms, CPU {cpu_ms:6.2f} ms")
        settings = services.settings
        tag_days, mode_days = followup_cadences(settings.followups.cadence)

        async def rescan() -> None:
            await services.contacts.followups_due(
                now,
                default_days=settings.followups.days,
                tag_days=tag_days,
                mode_days=mode_days,
                exclude=(),
                limit=10,
            )

        wall_ms, cpu_ms = await per_call(max(1, runs // 10), rescan)
        print(f"re-computing the due list instead: wall {wall_ms:6.1f} ms, CPU {cpu_ms:6.2f} ms")
        await services.db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.agents, arguments.runs))
