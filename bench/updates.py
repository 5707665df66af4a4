"""How many group messages a second the bot takes in, against a bare PTB bot with no handlers.

    .venv/bin/python bench/updates.py [--messages 3000]

Load: a chatty group (50 agents, 3,000 messages), injected into the sandbox at once and fetched
by long polling. Each bot runs as its own process against a fresh sandbox of the same kind:

* **bare PTB**: ``Application`` with no handlers (PTB's defaults): the cost of fetching and
  dispatching the updates, nothing else. Done when the sandbox has handed out the last update.
* **agentbot**: ``build_application`` exactly as ``agentbot run`` builds it (every handler, the
  per-chat ordered processor; its per-chat backlog bound lifted so that every message is handled,
  not shed), the group registered. Each message records its sender (a new agent costs one
  write; last-seen is batched, at most one write per agent a minute). Done when the bot has
  answered a last message from the seller in the same group (updates of one chat are handled in
  order, so every message before it has been handled).

Figure: our rate / the bare bot's rate; target >= 0.7. Beside it, each bot's CPU time per update
(user + system of the bot's process from ``/proc/<pid>/stat``, from the first message injected to
the end): the machine may be shared, and CPU time is far less swayed by other processes' load
than the rates are.

``AGENTBOT_BENCH_PROFILE=<folder>`` runs each bot's process under cProfile and writes
``<folder>/<bare|ours>.prof`` (read with ``python -m pstats``); the rates are then lower.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH_FILE = Path(__file__).resolve()
ROOT = BENCH_FILE.parents[1]
sys.path.insert(0, str(ROOT))

from telegram.ext import Application  # noqa: E402

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.dev.sandbox import Sandbox, SandboxLimits  # noqa: E402
from bot.dev.testbed import DEFAULT_OWNER, SANDBOX_TOKEN  # noqa: E402
from bot.updates import ChatOrderedUpdateProcessor  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.groups import GroupRepository  # noqa: E402

AGENTS = 50
TARGET = 0.7
UNBOUNDED = 10**9
PROFILE_ENV = "AGENTBOT_BENCH_PROFILE"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: utime and stime are fields 14 and 15 of the line (man 5 proc).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def chatty_group(sandbox: Sandbox) -> tuple[int, list[int]]:
    sandbox.add_user(DEFAULT_OWNER, "Seller", language_code="zh-hans", started=True)
    users = list(range(10_000, 10_000 + AGENTS))
    for user_id in users:
        sandbox.add_user(user_id, f"代理{user_id}", language_code="zh-hans")
    chat_id = sandbox.add_group("压测群", members=[DEFAULT_OWNER, *users])
    sandbox.chat(chat_id).bot_status = "member"
    return chat_id, users


async def register(database: Path, chat_id: int) -> None:
    db = await Database.open(database)
    try:
        await GroupRepository(db).register(chat_id, "压测群", "group", DEFAULT_OWNER, 1)
    finally:
        await db.close()


async def measure(kind: str, messages: int, folder: Path) -> tuple[float, float | None]:
    """Run one bot as its own process; returns the updates it took in per second and its CPU
    microseconds per update (None without ``/proc``)."""
    limits = SandboxLimits()  # Telegram's 30/s and 20/min per group, with 429s
    async with Sandbox(SANDBOX_TOKEN, "agentbot_demo_bot", limits) as sandbox:
        chat_id, users = chatty_group(sandbox)
        database = folder / f"{kind}.sqlite3"
        await register(database, chat_id)
        log = folder / f"{kind}.log"
        command = (sys.executable, str(BENCH_FILE), f"--{kind}", sandbox.base_url, str(database))
        process = await asyncio.create_subprocess_exec(
            *command, stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT, cwd=ROOT
        )
        try:
            await sandbox.wait_for(lambda: sandbox.calls("getUpdates"), timeout=60)
            started = time.perf_counter()
            cpu_started = cpu_seconds(process.pid)
            for index in range(messages):
                last = sandbox.send_text(chat_id, users[index % AGENTS], f"消息 {index}")
            if kind == "bare":
                await sandbox.wait_consumed(last, timeout=600)
            else:
                before = len(sandbox.messages(DEFAULT_OWNER))
                sandbox.send_text(chat_id, DEFAULT_OWNER, "/groups")
                await sandbox.wait_for(
                    lambda: len(sandbox.messages(DEFAULT_OWNER)) > before, timeout=600
                )
            elapsed = time.perf_counter() - started
            cpu_ended = cpu_seconds(process.pid)
        except TimeoutError:
            print(log.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
    cpu = None
    if cpu_started is not None and cpu_ended is not None:
        cpu = (cpu_ended - cpu_started) / messages * 1e6
    return messages / elapsed, cpu


def profiled(kind: str, run: Callable[[], None]) -> None:
    """``run()``, under cProfile when the bench asks for it (``AGENTBOT_BENCH_PROFILE``)."""
    folder = os.environ.get(PROFILE_ENV)
    if not folder:
        run()
        return
    import cProfile

    profile = cProfile.Profile()
    try:
        profile.runcall(run)
    finally:
        profile.dump_stats(str(Path(folder) / f"{kind}.prof"))


def run_bare(base_url: str) -> None:
    """PTB with no handlers, polling like the bot."""
    application = Application.builder().token(SANDBOX_TOKEN).base_url(base_url).build()
    application.run_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)


def run_ours(base_url: str, database: str) -> None:
    """The bot as ``agentbot run`` builds it, every update handled (no per-chat shedding)."""
    settings = Settings(
        token=SANDBOX_TOKEN,
        base_url=base_url,
        base_file_url=base_url.replace("/bot", "/file/bot"),
        owners=[DEFAULT_OWNER],
        database=Path(database),
        log_level="WARNING",
        quiet_hours=[],
    )
    processor = ChatOrderedUpdateProcessor(max_backlog_per_chat=UNBOUNDED)
    application = build_application(settings, update_processor=processor)
    application.run_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="agentbot-bench-") as name:
        bare, bare_cpu = await measure("bare", arguments.messages, Path(name))
        ours, ours_cpu = await measure("ours", arguments.messages, Path(name))
    ratio = ours / bare
    print(
        f"updates bench: a chatty group ({AGENTS} agents, {arguments.messages} messages), "
        "each bot its own process"
    )
    print(f"  bare PTB, no handlers  {bare:7.0f} updates/s  (baseline)")
    print(
        f"  agentbot               {ours:7.0f} updates/s  {ratio:.2f}x the bare bot  "
        f"target >= {TARGET:.1f}x  {'PASS' if ratio >= TARGET else 'FAIL'}"
    )
    if bare_cpu is not None and ours_cpu is not None:
        print(
            f"  CPU per update (each bot's process): bare {bare_cpu:.0f} µs, agentbot "
            f"{ours_cpu:.0f} µs; bare / agentbot = {bare_cpu / ours_cpu:.2f}"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bare":
        profiled("bare", lambda: run_bare(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--ours":
        profiled("ours", lambda: run_ours(sys.argv[2], sys.argv[3]))
    else:
        asyncio.run(main())
