"""Flood limits and scripted faults, as PTB sees them."""

from __future__ import annotations

import datetime as dtm
import time

import pytest
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.dev.sandbox import Fault, Sandbox, SandboxLimits
from tests.sandbox.helpers import ALICE, TOKEN

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_kicked_fault_and_real_kick(bot: Bot, sb: Sandbox) -> None:
    gid = sb.add_group("g", members=[ALICE])
    sb.add_bot_to_group(gid, ALICE)
    sb.fail("sendMessage", chat_id=gid, fault=Fault.kicked(), times=1)
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked"):
        await bot.send_message(gid, "x")
    await bot.send_message(gid, "x")  # the rule was used up
    assert [c.status for c in sb.calls("sendMessage", chat_id=gid)] == [403, 200]
    sb.fail(None, fault=Fault.blocked(), times=None)  # any sending method, forever
    for _ in range(2):
        with pytest.raises(Forbidden, match=r"(?i)blocked"):
            await bot.send_photo(gid, b"\xff\xd8data")
    sb.clear_faults()
    await bot.send_message(gid, "x")


async def test_migration_raises_chat_migrated(bot: Bot, sb: Sandbox) -> None:
    gid = sb.add_group("g", members=[ALICE])
    sb.add_bot_to_group(gid, ALICE)
    new_id = sb.migrate_group(gid)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(gid, "x")
    assert info.value.new_chat_id == new_id
    await bot.send_message(new_id, "x")
    sb.fail("sendMessage", fault=Fault.migrated(-100777))
    with pytest.raises(ChatMigrated) as info2:
        await bot.send_message(new_id, "x")
    assert info2.value.new_chat_id == -100777


async def test_too_many_fault_and_server_errors(bot: Bot, sb: Sandbox) -> None:
    sb.send_text(ALICE, ALICE, "hi")
    sb.fail("sendMessage", fault=Fault.too_many(retry_after=2))
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(ALICE, "x")
    assert seconds(info.value.retry_after) == 2
    assert sb.stats.too_many_requests == 1
    sb.fail("sendMessage", fault=Fault.server_error())
    sb.fail("sendMessage", fault=Fault.bad_gateway())
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE, "x")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ALICE, "x")
    sb.fail("getChat", fault=Fault.chat_not_found())
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(ALICE)
    assert sb.stats.errors == {429: 1, 500: 1, 502: 1, 400: 1}


async def test_slow_fault_delays_then_succeeds(bot: Bot, sb: Sandbox) -> None:
    sb.send_text(ALICE, ALICE, "hi")
    sb.fail("sendMessage", chat_id=ALICE, fault=Fault.slow(0.3))
    started = time.monotonic()
    await bot.send_message(ALICE, "x")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    await bot.send_message(ALICE, "x")
    assert time.monotonic() - started < 0.3
    assert sb.stats.sent_ok == 2


async def test_rate_limits_with_fake_clock() -> None:
    clock = FakeClock()
    limits = SandboxLimits(global_per_second=30.0, per_chat_per_minute=20, retry_after=1)
    async with (
        Sandbox(token=TOKEN, clock=clock, limits=limits) as sb,
        Bot(TOKEN, base_url=sb.base_url) as tg,
    ):
        groups = [sb.add_group(f"g{i}", members=[ALICE]) for i in range(3)]
        for gid in groups:
            sb.add_bot_to_group(gid, ALICE)
        # Global: 30 per second over all chats.
        for i in range(30):
            await tg.send_message(groups[i % 3], "x")
        with pytest.raises(RetryAfter) as info:
            await tg.send_message(groups[0], "x")
        assert seconds(info.value.retry_after) == 1
        assert sb.stats.too_many_requests == 1
        assert sb.stats.sent_ok == 30

        # Per chat: 20 per minute; groups[0] already has 10 messages at t=1000.
        clock.now += 1.0
        for _ in range(10):
            await tg.send_message(groups[0], "x")
        with pytest.raises(RetryAfter) as info:
            await tg.send_message(groups[0], "x")
        # The oldest messages (t=1000) leave the 60 s window at t=1060; now is 1001.
        assert seconds(info.value.retry_after) == 59
        await tg.send_message(groups[1], "other chats are fine")
        # An album of 3 counts 3: groups[1] has 11, so 9 fit but 10 do not.
        clock.now += 1.0
        album = [InputMediaPhoto(b"\xff\xd8img") for _ in range(10)]
        with pytest.raises(RetryAfter):
            await tg.send_media_group(groups[1], album)
        await tg.send_media_group(groups[1], album[:9])
        clock.now = 1060.0
        await tg.send_message(groups[0], "window freed")
        sb.limits = None
        for _ in range(40):
            await tg.send_message(groups[2], "unlimited")
    assert sb.stats.too_many_requests == 3


async def test_latency_delays_every_answer_and_counts_the_call_on_arrival() -> None:
    clock = FakeClock()
    async with (
        Sandbox(token=TOKEN, clock=clock) as sb,
        Bot(TOKEN, base_url=sb.base_url) as tg,
    ):
        sb.add_user(ALICE, "李", started=True)
        sb.latency = 0.02
        started = time.monotonic()
        await tg.send_message(ALICE, "x")
        assert time.monotonic() - started >= 0.02
        (call,) = sb.calls("sendMessage", chat_id=ALICE)
        assert call.ok and call.at == 1000.0
        with pytest.raises(ValueError, match="latency"):
            sb.latency = -1
