"""The owner's private command latency while one group member floods a group.

The real bot runs against the local sandbox. The owner sends /start in private, first idle,
then while a group member sends 100 /groups in 10 s into a group (a command the bot refuses
with a reply there, and a group's replies wait for its 20-a-minute send window). Measured twice
in the same run, each in its own process: with the bot's update processor (chats concurrent,
each chat in order: bot/updates.py) and with PTB's default sequential processing (the
baseline; the same rate limiter, whose 429 pauses only its chat: bot/rate_limits.py). The
sandbox enforces Telegram's limits (30/s, 20/min per group) with 429s. During
the flood the owner sends one /start every 0.5 s whatever is pending; a /start not answered
within ``--grace`` seconds after the flood ends counts as that long (printed with >=). A
process stops without draining the flood's remaining refusals, which would take minutes.

Run: .venv/bin/python bench/flood.py   (also part of `make bench`)
Target: flooded p95 <= 2x idle p95 with the bot's processor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram.ext import SimpleUpdateProcessor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dev.sandbox import SandboxLimits  # noqa: E402
from bot.dev.testbed import DEFAULT_OWNER, Testbed  # noqa: E402

FLOODER = 700
TARGET_RATIO = 2.0
MODES = {"per-chat": "bot's processor (chats concurrent)", "sequential": "PTB default (baseline)"}


async def _answered(bed: Testbed, count: int, deadline: float) -> float | None:
    """The moment the owner's chat holds ``count`` bot messages, or None past ``deadline``."""
    while len(bed.sandbox.messages(DEFAULT_OWNER)) < count:
        if time.perf_counter() >= deadline:
            return None
        await asyncio.sleep(0.001)
    return time.perf_counter()


async def _idle_latencies(bed: Testbed, samples: int) -> list[float]:
    latencies = []
    for _ in range(samples):
        count = len(bed.sandbox.messages(DEFAULT_OWNER))
        sent = time.perf_counter()
        bed.sandbox.send_text(DEFAULT_OWNER, DEFAULT_OWNER, "/start")
        answered = await _answered(bed, count + 1, sent + 10)
        assert answered is not None, "the idle bot did not answer /start within 10 s"
        latencies.append(answered - sent)
    return latencies


async def _flood(bed: Testbed, group: int, commands: int, seconds: float) -> None:
    started = time.perf_counter()
    for index in range(commands):
        bed.sandbox.send_text(group, FLOODER, "/groups")
        await asyncio.sleep(
            max(0.0, started + (index + 1) * seconds / commands - time.perf_counter())
        )


async def _arrivals(bed: Testbed, already: int, expected: int, deadline: float) -> list[float]:
    """When each of the next ``expected`` bot messages reached the owner's chat."""
    arrivals: list[float] = []
    while len(arrivals) < expected and time.perf_counter() < deadline:
        count = len(bed.sandbox.messages(DEFAULT_OWNER)) - already
        arrivals += [time.perf_counter()] * (min(count, expected) - len(arrivals))
        await asyncio.sleep(0.001)
    return arrivals


async def _flooded_latencies(
    bed: Testbed, group: int, commands: int, seconds: float, grace: float
) -> tuple[list[float], int]:
    """Latencies of the owner's /start sent every 0.5 s during the flood, and how many of
    them were not answered by the end of the grace period."""
    samples = int(seconds / 0.5)
    started = time.perf_counter()
    deadline = started + seconds + grace
    already = len(bed.sandbox.messages(DEFAULT_OWNER))
    watcher = asyncio.create_task(_arrivals(bed, already, samples, deadline))
    flood = asyncio.create_task(_flood(bed, group, commands, seconds))
    sent_at: list[float] = []
    for index in range(samples):
        await asyncio.sleep(max(0.0, started + 0.25 + index * 0.5 - time.perf_counter()))
        sent_at.append(time.perf_counter())
        bed.sandbox.send_text(DEFAULT_OWNER, DEFAULT_OWNER, "/start")
    await flood
    arrivals = await watcher
    unanswered = samples - len(arrivals)
    arrivals += [deadline] * unanswered
    return [answered - sent for answered, sent in zip(arrivals, sent_at, strict=True)], unanswered


async def measure(mode: str, folder: Path, arguments: argparse.Namespace) -> dict[str, Any]:
    processor = (lambda: SimpleUpdateProcessor(1)) if mode == "sequential" else None
    bed = Testbed(database=folder / f"{mode}.sqlite3", update_processor=processor)
    await bed.start()
    bed.sandbox.limits = SandboxLimits()  # Telegram's 30/s and 20/min per group, with 429s
    bed.sandbox.add_user(DEFAULT_OWNER, "Owner", language_code="zh-hans")
    bed.sandbox.add_user(FLOODER, "刷屏的人", language_code="zh-hans")
    await bed.say(DEFAULT_OWNER, DEFAULT_OWNER, "/start")
    group = bed.sandbox.add_group("刷屏群", members=[DEFAULT_OWNER, FLOODER])
    await bed.run(lambda: bed.sandbox.add_bot_to_group(group, DEFAULT_OWNER))
    idle = await _idle_latencies(bed, arguments.samples)
    flooded, unanswered = await _flooded_latencies(
        bed, group, arguments.commands, arguments.seconds, arguments.grace
    )
    processor_state = bed.application.update_processor
    return {
        "idle": idle,
        "flooded": flooded,
        "unanswered": unanswered,
        "group_replies": len(bed.sandbox.messages(group)),
        "dropped": getattr(processor_state, "dropped_updates", 0),
        "too_many": bed.sandbox.stats.too_many_requests,
    }


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _child(mode: str, folder: Path, arguments: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.CRITICAL)
    result = asyncio.run(measure(mode, folder, arguments))
    print(json.dumps(result), flush=True)
    # Skip draining the flood's queued refusals (minutes in the group's send window).
    os._exit(0)


def _row(label: str, values: list[float], censored: bool) -> str:
    mark = ">=" if censored else "  "
    p50, p95 = _percentile(values, 0.5), _percentile(values, 0.95)
    return f"{label:<10} p50 {mark}{p50 * 1000:9.1f} ms   p95 {mark}{p95 * 1000:9.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=100, help="flood size")
    parser.add_argument("--seconds", type=float, default=10.0, help="flood duration")
    parser.add_argument("--samples", type=int, default=20, help="idle samples")
    parser.add_argument("--grace", type=float, default=20.0, help="wait after the flood")
    parser.add_argument("--child", choices=list(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child is not None:
        _child(arguments.child, arguments.folder, arguments)
        return
    options = [
        *("--commands", str(arguments.commands), "--seconds", str(arguments.seconds)),
        *("--samples", str(arguments.samples), "--grace", str(arguments.grace)),
    ]
    print(
        f"owner's private /start while one member sends {arguments.commands} /groups "
        f"in {arguments.seconds:g} s into a group"
    )
    verdict = True
    with tempfile.TemporaryDirectory() as folder:
        for mode, label in MODES.items():
            command = [sys.executable, __file__, "--child", mode, "--folder", folder, *options]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            result = json.loads(output.strip().splitlines()[-1])
            idle, flooded = result["idle"], result["flooded"]
            ratio = _percentile(flooded, 0.95) / _percentile(idle, 0.95)
            censored = result["unanswered"] > 0
            passed = ratio <= TARGET_RATIO and not censored
            if mode == "per-chat":
                verdict = passed
            print(f"\n{mode}: {label}")
            print(_row("idle", idle, False))
            print(_row("flooded", flooded, censored))
            print(
                f"ratio (p95 flooded / p95 idle) {'>=' if censored else ''}{ratio:.2f}x   "
                f"target <= {TARGET_RATIO:g}x   {'PASS' if passed else 'FAIL'}"
            )
            print(
                f"  owner's /start unanswered {arguments.grace:g} s after the flood: "
                f"{result['unanswered']} of {len(flooded)}; group replies sent meanwhile: "
                f"{result['group_replies']}; updates dropped: {result['dropped']}; "
                f"429s: {result['too_many']}"
            )
    print(f"\nverdict (bot's processor): {'PASS' if verdict else 'FAIL'}")
    sys.exit(0 if verdict else 1)


if __name__ == "__main__":
    main()
