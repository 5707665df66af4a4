"""getUpdates semantics: offset confirmation, limit, long-poll hold, allowed_updates."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot

from bot.dev.sandbox import Sandbox
from tests.sandbox.helpers import ALICE, BOB

pytestmark = pytest.mark.asyncio


async def test_offset_limit_and_confirmation(bot: Bot, sb: Sandbox) -> None:
    first = sb.send_text(ALICE, ALICE, "one")
    second = sb.send_text(ALICE, ALICE, "two")
    third = sb.send_text(BOB, BOB, "three")
    batch = await bot.get_updates(limit=2)
    assert [u.update_id for u in batch] == [first["update_id"], second["update_id"]]
    # Not confirmed yet: the same updates come again.
    again = await bot.get_updates()
    assert len(again) == 3
    assert not sb.is_consumed(first)
    waiter = asyncio.create_task(sb.wait_consumed(second, timeout=2))
    await asyncio.sleep(0.02)
    assert not waiter.done()
    rest = await bot.get_updates(offset=second["update_id"] + 1)
    assert [u.update_id for u in rest] == [third["update_id"]]
    await waiter
    assert sb.is_consumed(first) and not sb.is_consumed(third)
    with pytest.raises(TimeoutError, match="not consumed"):
        await sb.wait_consumed(third, timeout=0.05)


async def test_long_poll_holds_until_update(bot: Bot, sb: Sandbox) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()  # type: ignore[arg-type]
    assert time.monotonic() - started >= 0.29

    async def later() -> None:
        await asyncio.sleep(0.1)
        sb.send_text(ALICE, ALICE, "wake up")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert time.monotonic() - started < 2
    assert updates[0].message is not None and updates[0].message.text == "wake up"
    await task


async def test_allowed_updates_filter_and_persist(bot: Bot, sb: Sandbox) -> None:
    gid = sb.add_group("g", members=[ALICE])
    sb.add_bot_to_group(gid, ALICE)  # my_chat_member
    sb.send_text(gid, ALICE, "hello")  # message
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.message is not None for u in updates] == [True]
    # The filtered-out update is gone for good and counts as consumed.
    sb.add_member(gid, BOB)
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert updates == ()
    chat_member = sb.add_member(gid, 1003)
    updates = await bot.get_updates(allowed_updates=["chat_member"])
    assert [u.update_id for u in updates] == [chat_member["update_id"]]


async def test_drop_pending_updates_and_inject(bot: Bot, sb: Sandbox) -> None:
    old = sb.send_text(ALICE, ALICE, "old")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert sb.is_consumed(old)
    raw = sb.inject(
        {
            "message": {
                "message_id": 99,
                "date": 0,
                "chat": {"id": ALICE, "type": "private", "first_name": "李"},
                "text": "raw",
            }
        }
    )
    assert raw["update_id"] > old["update_id"]
    (update,) = await bot.get_updates()
    assert update.update_id == raw["update_id"] and update.message.text == "raw"  # type: ignore[union-attr]


async def test_webhook_blocks_polling(bot: Bot, sb: Sandbox) -> None:
    from telegram.error import Conflict

    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict):
        await bot.get_updates()


async def test_second_poller_terminates_the_first(bot: Bot, sb: Sandbox) -> None:
    from telegram.error import Conflict

    async with Bot(sb.token, base_url=sb.base_url) as second:
        first_poll = asyncio.create_task(bot.get_updates(timeout=3))
        await asyncio.sleep(0.1)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await first_poll


async def test_control_api_over_http(bot: Bot, sb: Sandbox) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{sb.url}/sandbox/send_text", json={"chat_id": ALICE, "user_id": ALICE, "text": "/x"}
        ) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["message"]["text"] == "/x"
        await bot.send_message(ALICE, "reply")
        async with http.get(f"{sb.url}/sandbox/messages?chat_id={ALICE}") as resp:
            body = await resp.json()
        assert [m["text"] for m in body["result"]] == ["reply"]
        async with http.post(f"{sb.url}/sandbox/stop") as resp:
            assert resp.status == 404
