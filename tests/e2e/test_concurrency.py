"""Updates of different chats run concurrently, one chat's in order, and a chat's backlog is
bounded (bot/updates.py), against the real application and the sandbox.

A "slow" handler is a probe added in front of the bot's handlers (group -1, so the bot's own
handlers still run after it) that waits on an Event the test sets: nothing waits on a clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.dev.sandbox import Fault
from bot.dev.testbed import Testbed
from bot.updates import ChatOrderedUpdateProcessor, ordering_key
from handlers.common import Context
from tests.e2e.catalog_helpers import png
from tests.e2e.helpers import OWNER, join, make_group, texts

AGENT = 501


class Probe:
    """Records the texts it sees, in order; holds messages starting with "hold" until
    ``release`` is set (``holding`` says one is being held)."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, update: Update, context: Context) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        self.seen.append((message.chat_id, message.text))
        if message.text.startswith("hold"):
            self.holding.set()
            await self.release.wait()
        # Let other updates interleave here if the processor allowed it.
        for _ in range(3):
            await asyncio.sleep(0)

    def texts_in(self, chat_id: int) -> list[str]:
        return [text for chat, text in self.seen if chat == chat_id]


def processor_of(bed: Testbed) -> ChatOrderedUpdateProcessor:
    processor = bed.application.update_processor
    assert isinstance(processor, ChatOrderedUpdateProcessor)
    return processor


def add_probe(bed: Testbed) -> Probe:
    probe = Probe()
    bed.application.add_handler(MessageHandler(filters.TEXT, probe), group=-1)
    return probe


@pytest.fixture
async def small_backlog_bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    """A bed whose processor lets two updates of a chat wait behind the one running."""
    testbed = Testbed(
        database=tmp_path / "bot.sqlite3",
        update_processor=lambda: ChatOrderedUpdateProcessor(max_backlog_per_chat=2),
    )
    async with testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def test_a_slow_chat_does_not_delay_another(bed: Testbed) -> None:
    group = await make_group(bed, "慢群")
    await join(bed, group, AGENT, "小王")
    probe = add_probe(bed)
    held = bed.sandbox.send_text(group, AGENT, "hold on")
    try:
        await asyncio.wait_for(probe.holding.wait(), 5)
        before = len(bed.sandbox.messages(OWNER))

        bed.sandbox.send_text(OWNER, OWNER, "/start")

        # The owner is answered while the group's handler is still held.
        replies = await bed.sandbox.wait_for_messages(OWNER, before + 1)
        assert "卖家后台" in (replies[-1].text or "")  # the admin /start menu
        assert probe.texts_in(group) == ["hold on"]
    finally:
        probe.release.set()
    await bed.settle(held)
    assert processor_of(bed).in_flight == 0


async def test_one_chats_updates_are_handled_in_arrival_order(bed: Testbed) -> None:
    group = await make_group(bed, "顺序群")
    await join(bed, group, AGENT, "小王")
    probe = add_probe(bed)
    last: dict[str, Any] = {}
    for index in range(30):
        last = bed.sandbox.send_text(group, AGENT, f"g{index}")
        last = bed.sandbox.send_text(OWNER, OWNER, f"p{index}")
    await bed.settle(last)
    assert probe.texts_in(group) == [f"g{index}" for index in range(30)]
    assert probe.texts_in(OWNER) == [f"p{index}" for index in range(30)]
    # Both chats were in flight together: the two lists interleave.
    assert [text[0] for _, text in probe.seen] != ["g"] * 30 + ["p"] * 30


async def test_a_conversation_sent_in_one_burst_still_works(bed: Testbed) -> None:
    group = await make_group(bed, "闲聊群")
    await join(bed, group, AGENT, "小王")
    steps = ["/newproduct", "DS-7", "夏季连衣裙", "¥59.90", "39.9", "女装/连衣裙", "纯棉，S-XL"]
    for step in steps:
        bed.sandbox.send_text(OWNER, OWNER, step)
        bed.sandbox.send_text(group, AGENT, f"聊天 {step}")
    last = bed.sandbox.send_photo(OWNER, OWNER, png(1))
    await bed.settle(last)
    sent = await bed.say(OWNER, OWNER, "/done")
    control = sent[-1]
    assert control.reply_markup is not None, texts(sent)
    assert any("夏季连衣裙" in text for text in texts(sent))


async def test_a_flooding_chat_queues_behind_itself_only_and_is_bounded(
    small_backlog_bed: Testbed,
) -> None:
    bed = small_backlog_bed
    group = await make_group(bed, "刷屏群")
    await join(bed, group, AGENT, "小王")
    probe = add_probe(bed)
    processor = processor_of(bed)
    held = bed.sandbox.send_text(group, AGENT, "hold 0")
    try:
        await asyncio.wait_for(probe.holding.wait(), 5)
        flood = [bed.sandbox.send_text(group, AGENT, f"flood {index}") for index in range(1, 6)]
        await bed.sandbox.wait_consumed(flood[-1])
        # One running, two waiting, three dropped: the chat's backlog never grows past its bound.
        await bed.sandbox.wait_for(lambda: processor.dropped_updates == 3)
        assert processor.in_flight == 3

        replies_before = len(bed.sandbox.messages(OWNER))
        bed.sandbox.send_text(OWNER, OWNER, "/start")
        await bed.sandbox.wait_for_messages(OWNER, replies_before + 1)
    finally:
        probe.release.set()
    await bed.settle(held)
    assert probe.texts_in(group) == ["hold 0", "flood 1", "flood 2"]
    assert processor.dropped_updates == 3 and processor.in_flight == 0


def test_updates_are_ordered_by_chat_then_user() -> None:
    message = {"message_id": 1, "date": 0, "text": "x"}
    group = {"id": -100, "type": "group", "title": "g"}
    user = {"id": 7, "is_bot": False, "first_name": "u"}
    in_group = Update.de_json({"update_id": 1, "message": {**message, "chat": group}}, None)
    button = Update.de_json(
        {
            "update_id": 2,
            "callback_query": {
                "id": "q",
                "from": user,
                "chat_instance": "c",
                "data": "d",
                "message": {**message, "chat": group},
            },
        },
        None,
    )
    inline = Update.de_json(
        {"update_id": 3, "inline_query": {"id": "i", "from": user, "query": "", "offset": ""}},
        None,
    )
    assert ordering_key(in_group) == -100
    assert ordering_key(button) == -100
    assert ordering_key(inline) == 7
    assert ordering_key(object()) is None


async def test_a_429_in_one_group_pauses_that_group_only(tmp_path: Path) -> None:
    """The group's welcome is answered 429 (retry after 30 s): the rate limiter pauses that
    group (its sleep is held here) while the owner's private command is answered."""
    pauses: list[float] = []
    resume = asyncio.Event()

    async def held_sleep(seconds: float) -> None:
        pauses.append(seconds)
        await resume.wait()

    async with Testbed(database=tmp_path / "bot.sqlite3", retry_sleep=held_sleep) as bed:
        bed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        group = await make_group(bed, "限流群")
        await join(bed, group, AGENT, "小王")
        welcomed = len(bed.sandbox.messages(group))
        bed.sandbox.fail("sendMessage", group, fault=Fault.too_many(retry_after=30))
        # A newcomer's welcome is the bot's message into the group (refusals there are silent).
        bed.sandbox.add_user(AGENT + 1, "小李", language_code="zh-hans")
        refused = bed.sandbox.add_member(group, AGENT + 1)
        try:
            await bed.sandbox.wait_for(lambda: pauses)
            assert 30 <= pauses[0] <= 31

            before = len(bed.sandbox.messages(OWNER))
            bed.sandbox.send_text(OWNER, OWNER, "/start")
            await bed.sandbox.wait_for_messages(OWNER, before + 1)
            assert len(bed.sandbox.messages(group)) == welcomed
        finally:
            resume.set()
        await bed.settle(refused)
        assert len(bed.sandbox.messages(group)) == welcomed + 1
