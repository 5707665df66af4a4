"""Broadcast throughput against the sandbox with Telegram's limits switched on (scaled up).

    .venv/bin/python bench/broadcast.py
    BENCH_RATE=500 .venv/bin/python bench/broadcast.py   # how far above 200/s (paid broadcasts)

1,000 groups. Workload: a text and a 2-photo album (counts 2) to every group, plus 17 small
notices to 10 "hot" groups, which brings those to exactly 20 messages - the per-group limit -
so the scheduler must interleave them with the rest without ever exceeding it. Total 3,170
messages at a configured 200 msg/s (Telegram's 30/s scaled up so this runs in well under a
minute); per-group 20 per minute as on Telegram.

The sandbox enforces the global limit (a breach shows as a 429). The per-group limit is
checked from the sandbox's call log instead (the sandbox does not enforce it here, so that a
breach is counted instead of being turned away): a message is a violation if its group
already had 20 in the preceding 60 s.

Achieved rate = messages / (last send - first send + 1 s), over the messages the groups
received: with a 1 s sliding window the ideal schedule sends a full window at t=0 and the last
at t=span, so span + 1 s is the time the messages occupy. The engine also sends the seller a
progress message and a report per broadcast; they count against the sandbox's global limit (a
breach would show as a 429) and are listed apart, but not in the rate: a final report can only
follow the last delivery.

The sandbox runs in this process. Its world (2,000 groups, every call and message recorded) is
moved out of the garbage collector's reach before the run (``gc.freeze``): otherwise a full
collection pauses the simulated Telegram for over 100 ms mid-run - a stall no real server has,
which a sender at the limit can never make up.

Baseline, same run, same sandbox: the loop most bots start with - plain ``telegram.Bot``, one
group after the other, sleeping ``retry_after`` on a 429 and retrying.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

BENCH_FILE = Path(__file__).resolve()
ROOT = BENCH_FILE.parents[1]
sys.path.insert(0, str(ROOT))

from telegram import Bot, InputMediaPhoto  # noqa: E402
from telegram.error import RetryAfter  # noqa: E402

from bot.broadcast.delivery.sending import retry_after_seconds  # noqa: E402
from bot.broadcast.outbox import Outbox, Payload  # noqa: E402
from bot.dev.sandbox import Sandbox, SandboxLimits  # noqa: E402
from bot.dev.sandbox.faults import SENDING_METHODS  # noqa: E402
from bot.dev.testbed import DEFAULT_OWNER, SANDBOX_TOKEN  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.groups import GroupRepository  # noqa: E402
from storage.outbox import OutboxRepository  # noqa: E402

OWNER = DEFAULT_OWNER

GROUPS = 1000
HOT = 10
HOT_EXTRA = 17
RATE = int(os.environ.get("BENCH_RATE", "200"))
PER_GROUP_PER_MINUTE = 20
IN_FLIGHT = int(os.environ.get("BENCH_IN_FLIGHT", "8"))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x08\x00\x00\x00\x08\x08\x02\x00\x00\x00"


def expected(groups: list[int]) -> dict[int, Counter[str]]:
    wanted: dict[int, Counter[str]] = {}
    for index, chat_id in enumerate(groups):
        counter: Counter[str] = Counter({"T:公告": 1, "C:新品相册": 1, "album-item": 2})
        if index < HOT:
            counter.update({f"T:热群通知{k}": 1 for k in range(HOT_EXTRA)})
        wanted[chat_id] = counter
    return wanted


def observed(sandbox: Sandbox, groups: list[int]) -> dict[int, Counter[str]]:
    seen: dict[int, Counter[str]] = {}
    for chat_id in groups:
        counter: Counter[str] = Counter()
        for message in sandbox.messages(chat_id):
            if message.media_group_id:
                counter["album-item"] += 1
            if message.text:
                counter["T:" + message.text] += 1
            if message.caption:
                counter["C:" + message.caption] += 1
        seen[chat_id] = counter
    return seen


def lost_and_duplicates(sandbox: Sandbox, groups: list[int]) -> tuple[int, int]:
    lost = duplicates = 0
    seen = observed(sandbox, groups)
    for chat_id, wanted in expected(groups).items():
        for key, count in wanted.items():
            have = seen[chat_id][key]
            lost += max(0, count - have)
            duplicates += max(0, have - count)
    return lost, duplicates


def analyse(sandbox: Sandbox, start_call: int, groups: set[int]) -> dict[str, float]:
    calls = [c for c in sandbox.calls()[start_call:] if c.method.lower() in SENDING_METHODS]
    ok = [c for c in calls if c.ok and c.chat_id in groups]
    sizes = [len(c.result) if isinstance(c.result, list) else 1 for c in ok]
    messages = sum(sizes)
    span = ok[-1].at - ok[0].at if ok else 0.0
    per_chat: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for call, size in zip(ok, sizes, strict=True):
        per_chat[int(call.chat_id)].append((call.at, size))
    violations = 0
    for events in per_chat.values():
        for index, (at, size) in enumerate(events):
            before = sum(n for t, n in events[:index] if t > at - 60)
            if before + size > PER_GROUP_PER_MINUTE:
                violations += 1
    return {
        "messages": messages,
        "span": span,
        "rate": messages / (span + 1.0) if ok else 0.0,
        "429": sum(1 for c in calls if c.status == 429),
        "seller": sum(1 for c in calls if c.ok and c.chat_id == OWNER),
        "violations": violations,
    }


async def _submit(database: Path, groups: list[int], media: tuple[str, ...]) -> None:
    """Register the groups and write the workload into the outbox before the bot starts (the
    bot picks it up exactly as it resumes after a restart)."""
    db = await Database.open(database)
    try:
        repository = GroupRepository(db)
        for index, chat_id in enumerate(groups):
            await repository.register(chat_id, f"代理群{index}", "group", None, 1)
        outbox = Outbox(OutboxRepository(db), lambda: int(time.time()))
        for k in range(HOT_EXTRA):
            await outbox.submit("text", Payload("text", f"热群通知{k}"), groups[:HOT], OWNER)
        await outbox.submit("text", Payload("text", "公告"), groups, OWNER)
        await outbox.submit("product", Payload("album", "新品相册", media), groups, OWNER)
    finally:
        await db.close()


def _total(groups: list[int]) -> int:
    return sum(sum(c.values()) - c["C:新品相册"] for c in expected(groups).values())


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _read_json(path: Path) -> dict[str, list[Any]]:
    data: dict[str, list[Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _run_until_delivered(
    sandbox: Sandbox, groups: list[int], command: list[str], log: Path
) -> tuple[float, float]:
    """Run ``command`` until every expected message is in the sandbox; returns (seconds from
    process start, CPU seconds the process used from its first message to its last)."""
    total = _total(groups)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *command, stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT, cwd=ROOT
    )

    def delivered() -> int:
        return sum(len(sandbox.messages(chat_id)) for chat_id in groups)

    try:
        try:
            await sandbox.wait_for(delivered, timeout=60, interval=0.005)
            cpu_at_first = _cpu_seconds(process.pid)
            await sandbox.wait_for(lambda: delivered() >= total, timeout=120, interval=0.1)
        except TimeoutError:
            print(_tail(log), file=sys.stderr)
            raise
        elapsed = time.monotonic() - started
        cpu = _cpu_seconds(process.pid) - cpu_at_first
        await asyncio.sleep(1.5)  # anything sent after "all delivered" would be a duplicate
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()
    return elapsed, cpu


async def baseline(base_url: str, plan: Path) -> None:
    """The naive loop (run as its own process, like the bot)."""
    data = _read_json(plan)
    groups, media = data["groups"], data["media"]
    jobs: list[tuple[int, str | None]] = []
    for k in range(HOT_EXTRA):
        jobs += [(chat_id, f"热群通知{k}") for chat_id in groups[:HOT]]
    jobs += [(chat_id, "公告") for chat_id in groups]
    jobs += [(chat_id, None) for chat_id in groups]  # the album
    async with Bot(SANDBOX_TOKEN, base_url=base_url) as bot:
        for chat_id, text in jobs:
            while True:
                try:
                    if text is None:
                        album = [
                            InputMediaPhoto(media[0], caption="新品相册"),
                            InputMediaPhoto(media[1]),
                        ]
                        await bot.send_media_group(chat_id, album)
                    else:
                        await bot.send_message(chat_id, text)
                    break
                except RetryAfter as error:
                    await asyncio.sleep(retry_after_seconds(error))


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    limits = SandboxLimits(global_per_second=RATE, per_chat_per_minute=None)
    with tempfile.TemporaryDirectory(prefix="agentbot-bench-") as name:
        folder = Path(name)
        async with Sandbox(token=SANDBOX_TOKEN, bot_username="agentbot_demo_bot") as sandbox:
            sandbox.add_user(OWNER, "Seller", language_code="zh-hans", started=True)
            media = tuple(sandbox.store_file(PNG, kind="photo").file_id for _ in range(2))
            groups: list[int] = []
            baseline_groups: list[int] = []
            for index in range(GROUPS):
                for target in (groups, baseline_groups):
                    chat_id = sandbox.add_group(f"代理群{index}", members=[OWNER])
                    sandbox.chat(chat_id).bot_status = "member"
                    target.append(chat_id)
            database = folder / "bench.sqlite3"
            await _submit(database, groups, media)
            config = folder / "config.toml"
            config.write_text(
                f'token = "{SANDBOX_TOKEN}"\n'
                f'base_url = "{sandbox.base_url}"\n'
                f'base_file_url = "{sandbox.base_file_url}"\n'
                f"owners = [{OWNER}]\n"
                f'database = "{database}"\n'
                'log_level = "WARNING"\n'
                f"[rate_limits]\nglobal_per_second = {RATE}\n"
                f"per_group_per_minute = {PER_GROUP_PER_MINUTE}\n"
                f"[delivery]\nmax_in_flight = {IN_FLIGHT}\n",
                encoding="utf-8",
            )
            sandbox.limits = limits
            gc.collect()
            gc.freeze()
            mark = len(sandbox.calls())
            bot_command = [sys.executable, "-m", "bot", "run", "--config", str(config)]
            engine_seconds, engine_cpu = await _run_until_delivered(
                sandbox, groups, bot_command, folder / "bot.log"
            )
            ours = analyse(sandbox, mark, set(groups))
            ours_lost, ours_dup = lost_and_duplicates(sandbox, groups)

            sandbox.limiter.reset()
            plan = folder / "plan.json"
            plan.write_text(json.dumps({"groups": baseline_groups, "media": list(media)}))
            mark = len(sandbox.calls())
            base_command = [
                sys.executable,
                str(BENCH_FILE),
                "--baseline",
                sandbox.base_url,
                str(plan),
            ]
            baseline_seconds, baseline_cpu = await _run_until_delivered(
                sandbox, baseline_groups, base_command, folder / "baseline.log"
            )
            base = analyse(sandbox, mark, set(baseline_groups))
            base_lost, base_dup = lost_and_duplicates(sandbox, baseline_groups)

    print(
        f"broadcast bench: {GROUPS} groups, {_total(groups)} messages, limit {RATE} msg/s "
        f"global (enforced by the sandbox), {PER_GROUP_PER_MINUTE}/min per group (checked from "
        "the call log); bot and baseline each run as their own process"
    )
    for label, result, lost, dup, seconds, cpu in (
        ("delivery engine", ours, ours_lost, ours_dup, engine_seconds, engine_cpu),
        ("naive baseline ", base, base_lost, base_dup, baseline_seconds, baseline_cpu),
    ):
        print(
            f"  {label}: {int(result['messages'])} messages sent in {result['span'] + 1:.1f}s "
            f"({seconds:.1f}s from process start); achieved {result['rate']:.1f} msg/s = "
            f"{result['rate'] / RATE:.3f} of the limit; 429s {int(result['429'])}; lost {lost}; "
            f"duplicates {dup}; per-group violations {int(result['violations'])}; "
            f"process CPU while sending {cpu:.1f}s "
            f"({cpu / result['messages'] * 1000:.2f} ms/message)"
        )
    print(
        f"  the engine also sent the seller {int(ours['seller'])} progress/report messages "
        "within the same global limit"
    )
    print(f"  engine / baseline rate: {ours['rate'] / base['rate']:.2f}x")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--baseline":
        asyncio.run(baseline(sys.argv[2], Path(sys.argv[3])))
    else:
        asyncio.run(main())
