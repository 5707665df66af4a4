"""Broadcast throughput at Telegram's real limits, against the sandbox enforcing them with 429s.

    .venv/bin/python bench/broadcast.py [--only agentbot|baselines|paid ...]

The sandbox answers 429 with ``retry_after`` past 30 messages in any second overall or past 20
in any minute into one group, as Telegram does. Every sender runs as its own process.

* **agentbot** (300 and 1,000 groups): the bot is started (``agentbot run``) with the groups
  registered; the bench then plays the seller in the private chat: ``/broadcast 第1号通知``, the
  "all groups" button, the Send button; then the second and the third broadcast the same way
  while the first is going out (their previews and confirmations need the same window). The
  clock starts at the first Send press (the injected button callback) and stops at the last
  delivery. 3 messages per group: 900 and 3,000 messages.
* **baselines** (300 groups, the same 900 messages, each its own process, run side by side on
  sandboxes of their own so the bench stays short): PTB's ``AIORateLimiter`` with its defaults
  (a 429 is raised: the loop logs it and goes on, the message is lost), the same with
  ``max_retries=3``, and a loop that sleeps 1/30 s after each send and waits out a 429. Their
  clock starts at their first request.
* **paid** (``allow_paid_broadcast``, ``paid_per_second = 1000``, default engine settings): the
  sandbox allows 1000 a second and answers every call after 40 ms (a realistic round trip);
  1,000 groups x 5 broadcasts, drafted first (the presses wait until every draft's
  confirmation is out) and sent with five Send presses in a row. Beside it, the same 5,000
  messages from PTB's ``AIORateLimiter(max_retries=3)``, which paces paid sends to 1000/s by
  itself, with the best in-flight bound found for it (``paid_baseline``).

Figure: the rate achieved as a share of the limit = messages / (limit x span), span from the
start (the first Send press; a baseline's first request) to the last delivery's arrival at the
sandbox, which counts every message against its windows: with no 429 the bot never exceeded the
limit in any second. A smoothly paced sender (the engine spreads its starts, see
bot/broadcast/delivery/pacing.py) reaches about 1.0 at best, less its ramp-up after the press
(the press's handling, the first requests' way out). A sender
that lets a whole window go at the start can exceed 1.0: the sliding window allows N messages in
N / limit - 1 s, i.e. up to N / (N - limit) (1.034 for 900 at 30/s, where the engine's first
burst is the whole window; 1.25 for 5,000 at 1000/s, which only a 1,000-message burst could
reach). The old figure, messages / (limit x (span + 1 s)), which credits that full window at the
start to every sender (so a paced paid sender could not pass 0.83 with 5,000 messages), is
printed alongside for comparison. For agentbot "all" counts every message the bot sent after the
press (deliveries, and the seller's confirmations, previews, progress edits and reports, which
use the same window); "deliveries" counts the groups' messages only. The target is checked on
"all" with the rate figure.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path

BENCH_FILE = Path(__file__).resolve()
ROOT = BENCH_FILE.parents[1]
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.error import RetryAfter, TelegramError  # noqa: E402
from telegram.ext import AIORateLimiter, ApplicationBuilder  # noqa: E402

from bot.broadcast.delivery.sending import retry_after_seconds  # noqa: E402
from bot.dev.sandbox import Sandbox, SandboxLimits, SentMessage  # noqa: E402
from bot.dev.sandbox.faults import SENDING_METHODS  # noqa: E402
from bot.dev.testbed import DEFAULT_OWNER, SANDBOX_TOKEN  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.groups import GroupRepository  # noqa: E402

OWNER = DEFAULT_OWNER
LIMIT = 30
PER_GROUP_PER_MINUTE = 20
BROADCASTS = 3
PAID_RATE = 1000
PAID_BROADCASTS = 5
PAID_LATENCY = 0.04
TARGET = 0.97
PAID_TARGET = 0.95
PAID_PEER_IN_FLIGHT = 32


def notice(k: int) -> str:
    return f"第{k + 1}号通知"


@dataclass
class Figures:
    label: str
    limit: float
    deliveries: int
    seller: int
    span: float
    too_many: int
    lost: int
    duplicates: int
    cpu: float | None = None  # the sender's CPU seconds from the start to the last delivery

    def share(self, messages: int) -> float:
        """The rate achieved over the span as a share of the limit (see the module)."""
        return messages / (self.limit * self.span) if self.span > 0 else 0.0

    def old_share(self, messages: int) -> float:
        """The former figure, crediting a full window at the start: for comparison only."""
        return messages / (self.limit * (self.span + 1.0))

    def line(self, target: float) -> str:
        messages = self.deliveries + self.seller
        used = self.share(messages)
        verdict = "PASS" if used >= target and self.too_many == 0 and self.lost == 0 else "FAIL"
        return (
            f"  {self.label:<36} {used:6.3f} of the limit  target >= {target:.2f}, no 429, "
            f"none lost  {verdict}  (deliveries alone {self.share(self.deliveries):.3f}: "
            f"{self.deliveries} + {self.seller} to the seller in {self.span:.2f}s; old figure "
            f"(span + 1 s) {self.old_share(messages):.3f}; 429s {self.too_many}, "
            f"lost {self.lost}, duplicates {self.duplicates}{self.cpu_note()})"
        )

    def cpu_note(self) -> str:
        if self.cpu is None or not self.deliveries or self.span <= 0:
            return ""
        return (
            f"; bot CPU {self.cpu:.1f}s = {self.cpu / self.span:.2f} of a core, "
            f"{self.cpu / self.deliveries * 1000:.1f} ms/message"
        )


def new_sandbox(rate: float) -> Sandbox:
    limits = SandboxLimits(global_per_second=rate, per_chat_per_minute=PER_GROUP_PER_MINUTE)
    return Sandbox(token=SANDBOX_TOKEN, bot_username="agentbot_demo_bot", limits=limits)


def add_groups(sandbox: Sandbox, count: int) -> list[int]:
    sandbox.add_user(OWNER, "Seller", language_code="zh-hans", started=True)
    groups = []
    for index in range(count):
        chat_id = sandbox.add_group(f"代理群{index}", members=[OWNER])
        sandbox.chat(chat_id).bot_status = "member"
        groups.append(chat_id)
    return groups


def figures(
    label: str, sandbox: Sandbox, groups: list[int], texts: list[str], start: float, limit: float
) -> Figures:
    """What the sandbox saw after ``start`` (its clock): sends into the groups and the seller's
    chat, 429s, and every group's messages against ``texts``."""
    targets = set(groups)
    calls = [c for c in sandbox.calls() if c.method.lower() in SENDING_METHODS]
    ok = [c for c in calls if c.ok and c.at >= start]
    into_groups = [c for c in ok if c.chat_id in targets]
    lost = duplicates = 0
    for chat_id in groups:
        got = [m.text for m in sandbox.messages(chat_id)]
        for text in texts:
            have = got.count(text)
            lost += max(0, 1 - have)
            duplicates += max(0, have - 1)
    return Figures(
        label,
        limit,
        deliveries=len(into_groups),
        seller=sum(1 for c in ok if c.chat_id == OWNER),
        span=(max(c.at for c in into_groups) - start) if into_groups else 0.0,
        too_many=sum(1 for c in calls if c.status == 429),
        lost=lost,
        duplicates=duplicates,
    )


async def stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 20)
    except TimeoutError:
        process.kill()
        await process.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def delivered(sandbox: Sandbox, groups: list[int], count: int) -> Callable[[], bool]:
    return lambda: sum(len(sandbox.messages(chat_id)) for chat_id in groups) >= count


# ---------------------------------------------------------------- agentbot


async def register(database: Path, groups: list[int]) -> None:
    """The groups the bot is in, as the bot would have recorded them."""
    db = await Database.open(database)
    try:
        repository = GroupRepository(db)
        for index, chat_id in enumerate(groups):
            await repository.register(chat_id, f"代理群{index}", "group", OWNER, 1)
    finally:
        await db.close()


def with_button(sandbox: Sandbox, label: str, used: set[int]) -> Callable[[], SentMessage | None]:
    def find() -> SentMessage | None:
        for message in reversed(sandbox.messages(OWNER)):
            if message.message_id in used or message.deleted:
                continue
            if any(label in str(button.get("text")) for button in message.buttons):
                return message
        return None

    return find


def sends_ready(sandbox: Sandbox, label: str, used: set[int], count: int) -> Callable[[], bool]:
    """Whether ``count`` messages to the seller carry a button with ``label`` not pressed."""

    def ready() -> bool:
        found = 0
        for message in sandbox.messages(OWNER):
            if message.message_id in used or message.deleted:
                continue
            found += any(label in str(button.get("text")) for button in message.buttons)
        return found >= count

    return ready


async def press(sandbox: Sandbox, label: str, used: set[int]) -> float:
    """Wait for the seller's message with the button, press it; the sandbox time of the press."""
    message = await sandbox.wait_for(with_button(sandbox, label, used), timeout=60, interval=0.002)
    used.add(message.message_id)
    (data,) = [str(b["callback_data"]) for b in message.buttons if label in str(b.get("text"))]
    at = sandbox.clock()
    sandbox.click(OWNER, OWNER, message.message_id, data)
    return at


async def run_agentbot(
    label: str, groups_count: int, *, paid: bool = False, folder: Path
) -> Figures:
    rate = PAID_RATE if paid else LIMIT
    broadcasts = PAID_BROADCASTS if paid else BROADCASTS
    async with new_sandbox(rate) as sandbox:
        groups = add_groups(sandbox, groups_count)
        if paid:
            sandbox.latency = PAID_LATENCY
        database = folder / f"bot-{groups_count}-{paid}.sqlite3"
        await register(database, groups)
        config = folder / f"config-{groups_count}-{paid}.toml"
        config.write_text(
            f'token = "{SANDBOX_TOKEN}"\nbase_url = "{sandbox.base_url}"\n'
            f'base_file_url = "{sandbox.base_file_url}"\nowners = [{OWNER}]\n'
            f'database = "{database}"\nlog_level = "WARNING"\nquiet_hours = []\n'
            f"[rate_limits]\nglobal_per_second = {LIMIT}\n"
            f"per_group_per_minute = {PER_GROUP_PER_MINUTE}\n"
            f"allow_paid_broadcast = {'true' if paid else 'false'}\n"
            f"paid_per_second = {PAID_RATE}\n",
            encoding="utf-8",
        )
        gc.collect()
        gc.freeze()  # the sandbox's world must not pause for a full collection mid-run
        log = folder / f"bot-{groups_count}-{paid}.log"
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "run", "--config", str(config)),
            stdout=log.open("ab"),
            stderr=asyncio.subprocess.STDOUT,
            cwd=ROOT,
        )
        try:
            await sandbox.wait_for(lambda: sandbox.calls("getUpdates"), timeout=60)
            used: set[int] = set()
            presses: list[float] = []
            cpu_at_press = 0.0
            drafts = [notice(k) for k in range(broadcasts)]
            for text in drafts:
                sandbox.send_text(OWNER, OWNER, f"/broadcast {text}")
                await press(sandbox, "全部正常群", used)
                if not paid:  # each goes out as soon as it is drafted
                    presses.append(await press(sandbox, "发送", used))
                    cpu_at_press = cpu_at_press or cpu_seconds(process.pid)
            if paid:  # drafted first, then sent with presses in a row
                # Every draft's confirmation is out (and its answer back) before the first
                # press: a press handled behind the last preview would start the clock early.
                confirmations = sends_ready(sandbox, "发送", used, len(drafts))
                await sandbox.wait_for(confirmations, timeout=60, interval=0.002)
                await asyncio.sleep(PAID_LATENCY)
                cpu_at_press = cpu_seconds(process.pid)
                for _ in drafts:
                    presses.append(await press(sandbox, "发送", used))
            total = broadcasts * groups_count
            await sandbox.wait_for(delivered(sandbox, groups, total), timeout=400, interval=0.05)
            cpu = cpu_seconds(process.pid) - cpu_at_press
            await asyncio.sleep(1.5)  # anything sent after "all delivered" is a duplicate
        except TimeoutError:
            print(log.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            await stop_process(process)
            gc.unfreeze()
        result = figures(label, sandbox, groups, drafts, presses[0], rate)
        result.cpu = cpu
        return result


# ---------------------------------------------------------------- baselines


def read_plan(plan: Path) -> tuple[list[int], list[str]]:
    data = json.loads(plan.read_text(encoding="utf-8"))
    return [int(chat_id) for chat_id in data["groups"]], [str(text) for text in data["texts"]]


async def baseline(kind: str, base_url: str, plan: Path) -> None:
    """One baseline sender (run as its own process): every text to every group, in a loop."""
    groups, texts = read_plan(plan)
    if kind == "paced":
        async with Bot(SANDBOX_TOKEN, base_url=base_url) as bot:
            for text in texts:
                for chat_id in groups:
                    while True:
                        try:
                            await bot.send_message(chat_id, text)
                            break
                        except RetryAfter as error:
                            await asyncio.sleep(retry_after_seconds(error))
                    await asyncio.sleep(1 / LIMIT)
        return
    if kind == "ptb-paid":
        await paid_baseline(base_url, groups, texts)
        return
    limiter = AIORateLimiter() if kind == "ptb" else AIORateLimiter(max_retries=3)
    application = ApplicationBuilder().token(SANDBOX_TOKEN).base_url(base_url)
    async with application.rate_limiter(limiter).build() as app:
        for text in texts:
            for chat_id in groups:
                try:
                    await app.bot.send_message(chat_id, text)
                except TelegramError as error:
                    logging.warning("lost a message to %s: %s", chat_id, error)


async def paid_baseline(base_url: str, groups: list[int], texts: list[str]) -> None:
    """PTB's own way to a paid broadcast: ``AIORateLimiter(max_retries=3)`` (since PTB 21.11 it
    holds ``allow_paid_broadcast`` sends to 1000/s by itself), every send started at once
    (``asyncio.gather``) with :data:`PAID_PEER_IN_FLIGHT` in flight on as many connections. The
    best of the sizes tried: 16 in flight 0.36 of the limit, 32 0.41-0.53, 40 0.16, 64 0.13, 256
    0.15, unbounded 0.12 (past ~32 waiters the limiter's wake-ups eat the sender's CPU)."""
    limiter = AIORateLimiter(max_retries=3)
    application = (
        ApplicationBuilder()
        .token(SANDBOX_TOKEN)
        .base_url(base_url)
        .connection_pool_size(PAID_PEER_IN_FLIGHT)
        .pool_timeout(60)
        .rate_limiter(limiter)
    )
    async with application.build() as app:
        in_flight = asyncio.Semaphore(PAID_PEER_IN_FLIGHT)

        async def send(chat_id: int, text: str) -> None:
            async with in_flight:
                try:
                    await app.bot.send_message(chat_id, text, allow_paid_broadcast=True)
                except TelegramError as error:
                    logging.warning("lost a message to %s: %s", chat_id, error)

        await asyncio.gather(*(send(chat_id, text) for text in texts for chat_id in groups))


BASELINES = (
    ("ptb", "PTB AIORateLimiter() defaults"),
    ("ptb-retries", "PTB AIORateLimiter(max_retries=3)"),
    ("paced", "loop sleeping 1/30 s per send"),
)


async def run_baseline(kind: str, label: str, groups_count: int, folder: Path) -> Figures:
    paid = kind == "ptb-paid"
    rate = PAID_RATE if paid else LIMIT
    async with new_sandbox(rate) as sandbox:
        groups = add_groups(sandbox, groups_count)
        if paid:
            sandbox.latency = PAID_LATENCY
        texts = [notice(k) for k in range(PAID_BROADCASTS if paid else BROADCASTS)]
        plan = folder / f"plan-{kind}.json"
        plan.write_text(json.dumps({"groups": groups, "texts": texts}), encoding="utf-8")
        log = folder / f"{kind}.log"
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, str(BENCH_FILE), "--baseline", kind, sandbox.base_url, str(plan)),
            stdout=log.open("ab"),
            stderr=asyncio.subprocess.STDOUT,
            cwd=ROOT,
        )
        try:
            await process.wait()
        finally:
            await stop_process(process)
        sends = [c for c in sandbox.calls("sendMessage")]
        return figures(label, sandbox, groups, texts, sends[0].at if sends else 0.0, rate)


async def main(parts: list[str]) -> None:
    logging.basicConfig(level=logging.ERROR)
    started = time.monotonic()
    print(
        f"broadcast bench: {LIMIT} msg/s overall and {PER_GROUP_PER_MINUTE}/min per group, "
        f"enforced by the sandbox with 429s; {BROADCASTS} messages per group; every sender its "
        f"own process; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="agentbot-bench-") as name:
        folder = Path(name)
        if "agentbot" in parts:
            for count in (300, 1000):
                label = f"agentbot, {count:,} groups"
                print(await guarded(label, run_agentbot(label, count, folder=folder), TARGET))
        if "baselines" in parts:
            print("  baselines, 300 groups, the same 900 messages, held to the same target:")
            baselines = await asyncio.gather(
                *(run_baseline(kind, label, 300, folder) for kind, label in BASELINES)
            )
            for result in baselines:
                print(result.line(TARGET), flush=True)
        if "paid" in parts:
            print(
                f"paid broadcasts: paid_per_second {PAID_RATE}, sandbox {PAID_RATE}/s with "
                f"{PAID_LATENCY * 1000:.0f} ms per call, {PAID_BROADCASTS} messages per group, "
                "default engine settings"
            )
            label = "agentbot paid, 1,000 groups"
            paid = run_agentbot(label, 1000, paid=True, folder=folder)
            print(await guarded(label, paid, PAID_TARGET))
            baseline_label = "PTB AIORateLimiter(max_retries=3), paid"
            peer = run_baseline("ptb-paid", baseline_label, 1000, folder)
            print(await guarded(baseline_label, peer, PAID_TARGET))
    print(f"bench time {time.monotonic() - started:.0f}s")


async def guarded(label: str, run: Coroutine[None, None, Figures], target: float) -> str:
    """The run's line; a run that did not finish is a FAIL line (its bot's log went to
    stderr), and the bench goes on with the next."""
    try:
        return (await run).line(target)
    except TimeoutError as error:
        return f"  {label:<36} did not finish  target >= {target:.2f}  FAIL  ({error})"


PARTS = ("agentbot", "baselines", "paid")

if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--baseline":
        asyncio.run(baseline(sys.argv[2], sys.argv[3], Path(sys.argv[4])))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--only", choices=PARTS, action="append", help="run only this part")
        asyncio.run(main(parser.parse_args().only or list(PARTS)))
