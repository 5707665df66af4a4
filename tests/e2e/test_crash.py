"""The bot as a real subprocess, SIGKILLed in the middle of a 500-group broadcast.

The sandbox runs in this test's process; the bot (``python -m bot run``) talks HTTP to it. The
admin's /broadcast and button clicks are injected through the sandbox exactly as a user would
send them. After the kill the bot is started again and must finish the broadcast: every group
holds exactly one copy, except at most the deliveries that were ``sending`` (in flight) at the
moment of the kill.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from pathlib import Path

from bot.dev.sandbox import Sandbox, SandboxLimits, SentMessage
from bot.dev.testbed import SANDBOX_TOKEN
from storage.db import Database
from storage.groups import GroupRepository

ROOT = Path(__file__).resolve().parents[2]
OWNER = 100
GROUPS = 500
RATE = 300  # messages per second, for both the sandbox and the bot (scaled up from 30)
TEXT = "崩溃测试：新品通知"


def _config(path: Path, sandbox: Sandbox, database: Path) -> Path:
    path.write_text(
        f'token = "{SANDBOX_TOKEN}"\n'
        f'base_url = "{sandbox.base_url}"\n'
        f'base_file_url = "{sandbox.base_file_url}"\n'
        f"owners = [{OWNER}]\n"
        f'database = "{database}"\n'
        'log_level = "WARNING"\n'
        # Without this the test would depend on the time of day: a broadcast sent during the
        # default quiet hours asks the admin "now or later" instead of going out.
        "quiet_hours = []\n"
        "[rate_limits]\n"
        f"global_per_second = {RATE}\n"
        "per_group_per_minute = 20\n"
        # The admin's progress and report are not held to 1 a second (test_pacing.py checks
        # private pacing).
        f"per_private_chat_per_second = {RATE}\n",
        encoding="utf-8",
    )
    return path


async def _start(config: Path, log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        stdout=log.open("ab"),
        stderr=asyncio.subprocess.STDOUT,
        cwd=ROOT,
    )


def _copies(sandbox: Sandbox, groups: list[int]) -> Counter[int]:
    return Counter(
        {chat_id: sum(1 for m in sandbox.messages(chat_id) if m.text == TEXT) for chat_id in groups}
    )


def _button(message: SentMessage, prefix: str) -> str:
    return next(
        str(b["callback_data"])
        for b in message.buttons
        if str(b.get("callback_data", "")).startswith(prefix)
    )


async def _sending(database: Path) -> int:
    db = await Database.open(database)
    try:
        row = await db.fetchone("SELECT count(*) FROM deliveries WHERE status = 'sending'")
        return int(row[0]) if row else 0
    finally:
        await db.close()


async def test_sigkill_midway_then_restart_delivers_everything_once(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    limits = SandboxLimits(global_per_second=RATE, per_chat_per_minute=20)
    async with Sandbox(token=SANDBOX_TOKEN, bot_username="agentbot_demo_bot", limits=limits) as sb:
        sb.add_user(OWNER, "Seller", language_code="zh-hans", started=True)
        # The groups the bot is in, registered beforehand (as its my_chat_member handler would).
        db = await Database.open(database)
        repository = GroupRepository(db)
        groups = []
        for index in range(GROUPS):
            chat_id = sb.add_group(f"代理群{index}", members=[OWNER])
            sb.chat(chat_id).bot_status = "member"
            await repository.register(chat_id, f"代理群{index}", "group", OWNER, 1)
            groups.append(chat_id)
        await db.close()
        config = _config(tmp_path / "config.toml", sb, database)
        log = tmp_path / "bot.log"

        process = await _start(config, log)
        try:
            await sb.wait_for(lambda: sb.calls("getUpdates"), timeout=30)
            # The admin composes the broadcast like a user would.
            sb.send_text(OWNER, OWNER, f"/broadcast {TEXT}")
            choose = await sb.wait_for(
                lambda: next((m for m in sb.messages(OWNER) if "bc:t:" in str(m.buttons)), None),
                timeout=20,
            )
            sb.click(OWNER, OWNER, choose.message_id, _button(choose, "bc:t:"))
            confirm = await sb.wait_for(
                lambda: next((m for m in sb.messages(OWNER) if "bc:s:" in str(m.buttons)), None),
                timeout=20,
            )
            sb.click(OWNER, OWNER, confirm.message_id, _button(confirm, "bc:s:"))
            await sb.wait_for(lambda: sum(_copies(sb, groups).values()) >= GROUPS // 3, 30)
            process.send_signal(signal.SIGKILL)
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

        at_kill = _copies(sb, groups)
        progress_at_kill = [m.message_id for m in sb.messages(OWNER) if "发送中" in (m.text or "")]
        delivered_at_kill = sum(1 for n in at_kill.values() if n)
        in_flight = await _sending(database)
        assert 0 < delivered_at_kill < GROUPS, "the kill did not land midway"

        process = await _start(config, log)
        try:
            await sb.wait_for(lambda: all(_copies(sb, groups).values()), timeout=60)
            await sb.wait_for(
                lambda: any(
                    "送达" in (m.text or "") and "📋" in (m.text or "") for m in sb.messages(OWNER)
                ),
                timeout=30,
            )
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()

        copies = _copies(sb, groups)
        missing = [chat_id for chat_id, n in copies.items() if n == 0]
        duplicated = [chat_id for chat_id, n in copies.items() if n > 1]
        print(
            f"\ncrash test: {delivered_at_kill}/{GROUPS} groups had the message at SIGKILL, "
            f"{in_flight} deliveries were 'sending' (in flight), "
            f"{len(duplicated)} groups got a second copy, {len(missing)} got none; "
            f"429 answers: {sb.stats.too_many_requests} (the bot's own replies share the budget)"
        )
        assert missing == []
        assert all(n <= 2 for n in copies.values())
        # One message for the broadcast: the progress message shown before the kill is the one
        # edited into the report after the restart.
        after = [m for m in sb.messages(OWNER) if m.message_id > confirm.message_id]
        assert len(after) == 1 and "📋" in (after[0].text or "")
        assert progress_at_kill in ([], [after[0].message_id])
        assert len(duplicated) <= in_flight
