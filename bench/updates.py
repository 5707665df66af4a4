"""How many group-message updates per second the bot handles, against a bare PTB echo bot.

Both run in this process against the local sandbox Bot API server, fed the same number of group
messages through long polling. The echo bot answers every message (one sendMessage each); our bot
records the sender (agent row, membership, last-seen write) for each message. Two workloads for
our bot: every message from a new agent (the worst case) and a chatty group of 50 agents.
Last-seen is batched (bot/agents/last_seen.py): one transaction per flush for every agent noted,
at most one note per agent per minute; the timing includes the final flush.

Run: .venv/bin/python bench/updates.py [--messages 3000]
Target: ratio (our bot / echo bot) >= 0.7 in the worst case.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dev.sandbox import Sandbox  # noqa: E402
from bot.dev.testbed import DEFAULT_OWNER, SANDBOX_TOKEN, Testbed  # noqa: E402
from bot.updates import ChatOrderedUpdateProcessor  # noqa: E402

UNBOUNDED = 10**9


def _inject(sandbox: Sandbox, chat_id: int, users: list[int], count: int) -> dict[str, Any]:
    update: dict[str, Any] = {}
    for index in range(count):
        update = sandbox.send_text(chat_id, users[index % len(users)], f"消息 {index}")
    return update


def _group_with_users(sandbox: Sandbox, users: int, first_id: int) -> tuple[int, list[int]]:
    ids = list(range(first_id, first_id + users))
    for user_id in ids:
        sandbox.add_user(user_id, f"代理{user_id}", language_code="zh-hans")
    chat_id = sandbox.add_group("压测群", members=[DEFAULT_OWNER, *ids])
    return chat_id, ids


async def measure_our_bot(messages: int, distinct_users: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        # Every update is handled: the per-chat flood guard would shed most of one group's
        # burst, which measures dropping, not handling.
        async with Testbed(
            database=Path(folder) / "bench.sqlite3",
            update_processor=lambda: ChatOrderedUpdateProcessor(max_backlog_per_chat=UNBOUNDED),
        ) as bed:
            bed.sandbox.add_user(DEFAULT_OWNER, "Owner")
            chat_id, users = _group_with_users(bed.sandbox, distinct_users, 10_000)
            await bed.run(lambda: bed.sandbox.add_bot_to_group(chat_id, DEFAULT_OWNER))
            started = time.perf_counter()
            last = _inject(bed.sandbox, chat_id, users, messages)
            await bed.settle(last, seconds=600)
            await bed.services.last_seen.flush()  # what is still batched counts too
            elapsed = time.perf_counter() - started
            seen = await bed.services.db.fetchone(
                "SELECT count(*) FROM agents WHERE last_seen_at IS NOT NULL"
            )
            assert seen is not None and seen[0] == min(distinct_users, messages), seen[0]
    return messages / elapsed


async def measure_echo_bot(messages: int) -> float:
    async with Sandbox(token=SANDBOX_TOKEN) as sandbox:
        sandbox.add_user(DEFAULT_OWNER, "Owner")
        chat_id, users = _group_with_users(sandbox, 50, 10_000)
        sandbox.add_bot_to_group(chat_id, DEFAULT_OWNER)

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.effective_message is not None
            await update.effective_message.reply_text(update.effective_message.text or "")

        application = (
            Application.builder()
            .token(SANDBOX_TOKEN)
            .base_url(sandbox.base_url)
            .base_file_url(sandbox.base_file_url)
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT, echo))
        await application.initialize()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        started = time.perf_counter()
        last = _inject(sandbox, chat_id, users, messages)
        await sandbox.wait_consumed(last, timeout=600)
        await application.update_queue.join()
        elapsed = time.perf_counter() - started
        replies = len(sandbox.messages(chat_id))
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        assert replies == messages, replies
    return messages / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    count = arguments.messages
    echo = await measure_echo_bot(count)
    worst = await measure_our_bot(count, distinct_users=count)
    chatty = await measure_our_bot(count, distinct_users=50)
    print(f"group messages per run: {count}")
    print(f"bare PTB echo bot:                  {echo:8.0f} updates/s (baseline)")
    print(f"agentbot, every sender new (write): {worst:8.0f} updates/s  ratio {worst / echo:.2f}")
    print(f"agentbot, 50 chatty agents:         {chatty:8.0f} updates/s  ratio {chatty / echo:.2f}")
    print("target: ratio >= 0.70 in the worst case")


if __name__ == "__main__":
    asyncio.run(main())
