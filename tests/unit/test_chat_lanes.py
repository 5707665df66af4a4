"""bot/updates.py: the task holding a chat's lane handles the updates queued behind it, in
order; errors and cancellations stay with their own update; a holder that leaves hands on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update

from bot.updates import SERVE_BEFORE_YIELDING, ChatOrderedUpdateProcessor


def _update(chat_id: int, number: int) -> Update:
    data = {
        "update_id": number,
        "message": {
            "message_id": number,
            "date": 1_800_000_000,
            "chat": {"id": chat_id, "type": "group", "title": "g"},
            "text": str(number),
        },
    }
    update = Update.de_json(data, None)
    assert update is not None
    return update


async def test_a_backlog_is_handled_in_order_and_every_caller_returns() -> None:
    processor = ChatOrderedUpdateProcessor()
    gate = asyncio.Event()
    seen: list[int] = []

    async def handle(number: int) -> None:
        if number == 0:
            await gate.wait()
        seen.append(number)

    count = 3 * SERVE_BEFORE_YIELDING
    tasks = [
        asyncio.create_task(processor.do_process_update(_update(-1, n), handle(n)))
        for n in range(count)
    ]
    await asyncio.sleep(0)
    other = asyncio.create_task(processor.do_process_update(_update(-2, 99), handle(99)))
    await other  # another chat is not held up by the first chat's backlog
    gate.set()
    await asyncio.gather(*tasks)
    assert seen == [99, *range(count)]
    await processor.drained()
    assert processor.in_flight == 0


async def test_an_error_is_raised_to_its_own_update_only() -> None:
    processor = ChatOrderedUpdateProcessor()
    gate = asyncio.Event()
    seen: list[int] = []

    async def handle(number: int) -> None:
        if number == 0:
            await gate.wait()
        if number == 2:
            raise ValueError("bad update")
        seen.append(number)

    tasks = [
        asyncio.create_task(processor.do_process_update(_update(-1, n), handle(n)))
        for n in range(5)
    ]
    await asyncio.sleep(0)
    gate.set()
    results: list[Any] = await asyncio.gather(*tasks, return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["NoneType"] * 2 + ["ValueError"] + [
        "NoneType"
    ] * 2
    assert seen == [0, 1, 3, 4]


async def test_a_cancelled_waiter_is_skipped() -> None:
    processor = ChatOrderedUpdateProcessor()
    gate = asyncio.Event()
    seen: list[int] = []

    async def handle(number: int) -> None:
        if number == 0:
            await gate.wait()
        seen.append(number)

    tasks = [
        asyncio.create_task(processor.do_process_update(_update(-1, n), handle(n)))
        for n in range(4)
    ]
    await asyncio.sleep(0)
    tasks[2].cancel()
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(results[2], asyncio.CancelledError)
    assert seen == [0, 1, 3]
    await processor.drained()


async def test_a_cancelled_holder_hands_the_lane_on() -> None:
    processor = ChatOrderedUpdateProcessor()
    seen: list[int] = []
    started = asyncio.Event()

    async def handle(number: int) -> None:
        if number == 0:
            started.set()
            await asyncio.Event().wait()  # never returns: its task is cancelled
        seen.append(number)

    tasks = [
        asyncio.create_task(processor.do_process_update(_update(-1, n), handle(n)))
        for n in range(4)
    ]
    await started.wait()
    tasks[0].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    assert results[1:] == [None, None, None]
    assert seen == [1, 2, 3]
    await processor.drained()


async def test_a_long_backlog_lets_other_chats_run() -> None:
    processor = ChatOrderedUpdateProcessor()
    gate = asyncio.Event()
    order: list[str] = []
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async def handle(number: int) -> None:
        if number == 0:
            await gate.wait()
        order.append(f"{number}@{ticks}")

    tasks = [
        asyncio.create_task(processor.do_process_update(_update(-1, n), handle(n)))
        for n in range(4 * SERVE_BEFORE_YIELDING)
    ]
    await asyncio.sleep(0)
    clock = asyncio.create_task(ticker())
    gate.set()
    await asyncio.gather(*tasks)
    clock.cancel()
    moments = {entry.split("@")[1] for entry in order}
    assert len(moments) >= 3  # the loop turned while the backlog was served


@pytest.mark.parametrize("backlog", [2])
async def test_the_backlog_bound_still_drops(backlog: int) -> None:
    processor = ChatOrderedUpdateProcessor(max_backlog_per_chat=backlog)
    gate = asyncio.Event()
    seen: list[int] = []

    async def handle(number: int) -> None:
        if number == 0:
            await gate.wait()
        seen.append(number)

    tasks = [
        asyncio.create_task(processor.do_process_update(_update(-1, n), handle(n)))
        for n in range(5)
    ]
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(*tasks)
    assert seen == [0, 1, 2]
    assert processor.dropped_updates == 2
