"""Long lists are paged: every page fits Telegram's 4096 (as Telegram counts it), ◀ ▶ walk every
page by editing the message in place, and every item appears exactly once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.error import BadRequest

from bot.common.callbacks import ListPage, encode
from bot.common.splitting import TEXT_LIMIT
from bot.dev.sandbox.records import JSONDict, SentMessage
from bot.dev.testbed import Testbed
from storage.catalog import Product
from tests.e2e.helpers import OWNER

AGENTS = 300
FIRST_AGENT_ID = 5_000_000_000

GROUPS = 300
PRODUCTS = 300
FIRST_CHAT_ID = -1_001_000_000_000


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def buttons(message: SentMessage) -> dict[str, str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


async def press(bed: Testbed, message: SentMessage, data: str) -> JSONDict:
    """The owner presses ``data`` on ``message`` (whether or not it carries that button)."""
    update = bed.sandbox.click(OWNER, message.chat_id, message.message_id, data, strict=False)
    await bed.settle(update)
    answer = bed.sandbox.callback_answer(update["callback_query"]["id"])
    assert answer is not None
    return answer


async def walk(bed: Testbed, first: SentMessage) -> list[str]:
    """Press ▶ until the last page; the plain text of every page seen, checking each fits."""
    pages = [first.plain_text or ""]
    current = first
    while "▶" in buttons(current):
        await bed.click(OWNER, current, buttons(current)["▶"])
        edited = bed.sandbox.messages(OWNER)[-1]
        assert edited.message_id == first.message_id
        pages.append(edited.plain_text or "")
        current = edited
    for text in pages:
        assert utf16_length(text) <= TEXT_LIMIT
    return pages


async def test_sandbox_refuses_what_telegram_refuses(bed: Testbed) -> None:
    bot = bed.application.bot
    await bot.send_message(OWNER, "😀" * (TEXT_LIMIT // 2))
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(OWNER, "😀" * (TEXT_LIMIT // 2) + "x")


async def test_groups_with_long_titles_and_five_tags_are_paged(bed: Testbed) -> None:
    services = bed.services
    for index in range(GROUPS):
        chat_id = FIRST_CHAT_ID - index
        title = f"{index:04d} " + "群" * 30 + "🎉" * 14 + "x" * 15  # 64 characters
        await services.groups.register(chat_id, title, "supergroup", OWNER, services.now())
        await services.groups.add_tags(chat_id, [f"标签{index}-{n}-" + "t" * 8 for n in range(5)])
    sent = await bed.say(OWNER, OWNER, "/groups")
    assert len(sent) == 1
    pages = await walk(bed, sent[0])
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"第 {number}/{len(pages)} 页")
    listed = [int(chat_id) for text in pages for chat_id in re.findall(r"（(-\d+)）", text)]
    assert sorted(listed) == sorted(FIRST_CHAT_ID - index for index in range(GROUPS))
    # ◀ goes back; a page beyond the end shows the last page.
    last = bed.sandbox.messages(OWNER)[-1]
    await bed.click(OWNER, last, buttons(last)["◀"])
    assert bed.sandbox.messages(OWNER)[-1].plain_text == pages[-2]
    await press(bed, last, encode(ListPage("groups", 99_999)))
    assert bed.sandbox.messages(OWNER)[-1].plain_text == pages[-1]


async def test_a_forged_list_name_is_answered_as_expired(bed: Testbed) -> None:
    await bed.services.groups.register(FIRST_CHAT_ID, "群", "supergroup", OWNER, bed.services.now())
    listing = (await bed.say(OWNER, OWNER, "/groups"))[0]
    before = listing.plain_text
    answer = await press(bed, listing, "lp:nosuchlist:1")
    assert bed.sandbox.messages(OWNER)[-1].plain_text == before
    assert answer.get("text") == "这个按钮已失效。"


@pytest.mark.parametrize("command", ["/products", "/stock"])
async def test_products_with_long_titles_are_paged(bed: Testbed, command: str) -> None:
    services = bed.services
    skus = [f"SKU-{index:04d}" for index in range(PRODUCTS)]
    for sku in skus:
        title = f"{sku} " + "长" * 40 + "🎁" * 20 + "&<>" * 10 + "y" * 21  # 100 characters
        await services.products.add(Product(sku, title, 12_345, None, "cat", "", ("photo",)))
    sent = await bed.say(OWNER, OWNER, command)
    assert len(sent) == 1
    pages = await walk(bed, sent[0])
    assert len(pages) > 1
    listed = [sku for text in pages for sku in re.findall(r"SKU-\d{4}(?= 长)", text)]
    assert listed == skus


@pytest.fixture
async def wide_bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    """A bed with the largest ``agents_page_size`` (50)."""
    overrides = {"agents_page_size": 50}
    async with Testbed(database=tmp_path / "bot.sqlite3", overrides=overrides) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def test_agents_with_longest_names_fit_in_parts(wide_bed: Testbed) -> None:
    bed = wide_bed
    services = bed.services
    user_ids = [FIRST_AGENT_ID + index for index in range(AGENTS)]
    for user_id in user_ids:
        first = f"{user_id}" + "名" * 40 + "🌸" * 14  # 64 characters
        last = "姓" * 50 + "&<>" * 4 + "zz"  # 64 characters
        username = "u" * 22 + str(user_id)  # 32 characters
        await services.agents.record(user_id, first, last, username, "zh", services.now())
        await services.agents.add_tags(user_id, [f"{n}" + "标" * 31 for n in range(5)])
    sent = await bed.say(OWNER, OWNER, "/agents")
    assert len(sent) == 1
    first = sent[0]
    texts = [first.plain_text or ""]
    current = first
    while "下一页 »" in buttons(current):
        await bed.click(OWNER, current, buttons(current)["下一页 »"])
        current = bed.sandbox.messages(OWNER)[-1]
        assert current.message_id == first.message_id
        texts.append(current.plain_text or "")
    assert all(utf16_length(text) <= TEXT_LIMIT for text in texts)
    assert len(texts) > AGENTS // 50  # pages were cut into parts
    listed = [int(found) for text in texts for found in re.findall(r"(\d{10})名", text)]
    assert sorted(listed) == user_ids and len(listed) == AGENTS
    # ◀ from the first part of a page goes to the last part of the page before.
    backwards = [current.plain_text or ""]
    while "« 上一页" in buttons(current):
        await bed.click(OWNER, current, buttons(current)["« 上一页"])
        current = bed.sandbox.messages(OWNER)[-1]
        backwards.append(current.plain_text or "")
    assert backwards == texts[::-1]


SELLER_SIZE = 5_000


async def open_page(bed: Testbed, message: SentMessage, data: str) -> str:
    """The text ``message`` shows after the owner presses ``data`` (a page button)."""
    await press(bed, message, data)
    edited = bed.sandbox.messages(OWNER)[-1]
    assert edited.message_id == message.message_id
    return edited.plain_text or ""


async def test_five_thousand_groups_page_to_the_last(bed: Testbed) -> None:
    now = bed.services.now()
    title = "群" * 30 + "🎉" * 14 + "x" * 15  # with the number: 64 characters
    async with bed.services.db.transaction() as connection:
        await connection.executemany(
            "INSERT INTO groups (id, chat_id, title, type, added_at, updated_at)"
            " VALUES (?, ?, ?, 'supergroup', ?, ?)",
            [(n, FIRST_CHAT_ID - n, f"{n:04d} {title}", now, now) for n in range(SELLER_SIZE)],
        )
        await connection.executemany(
            "INSERT INTO group_tags (group_id, tag) VALUES (?, ?)",
            [(n, f"标签{n}-{k}-" + "t" * 8) for n in range(SELLER_SIZE) for k in range(5)],
        )
    first = (await bed.say(OWNER, OWNER, "/groups"))[0]
    opening = first.plain_text or ""  # the record is edited in place by the page turns
    count = int(re.findall(r"第 1/(\d+) 页", opening)[0])
    assert count > SELLER_SIZE // 30
    middle = await open_page(bed, first, encode(ListPage("groups", count // 2)))
    last = await open_page(bed, first, encode(ListPage("groups", count - 1)))
    for number, text in ((1, opening), (count // 2 + 1, middle), (count, last)):
        assert utf16_length(text) <= TEXT_LIMIT
        assert text.endswith(f"第 {number}/{count} 页")
    assert f"（{FIRST_CHAT_ID - (SELLER_SIZE - 1)}）" in last


@pytest.mark.parametrize("command", ["/products", "/stock"])
async def test_five_thousand_products_page_to_the_last(bed: Testbed, command: str) -> None:
    now = bed.services.now()
    title = "长" * 40 + "🎁" * 20 + "&<>" * 10 + "y" * 21
    async with bed.services.db.transaction() as connection:
        await connection.executemany(
            "INSERT INTO products (sku, title, price_cents, category, description, photos,"
            " created_at) VALUES (?, ?, 12345, 'cat', '', '[\"photo\"]', ?)",
            [(f"SKU-{n:04d}", f"SKU-{n:04d} {title}", now) for n in range(SELLER_SIZE)],
        )
    first = (await bed.say(OWNER, OWNER, command))[0]
    opening = first.plain_text or ""
    count = int(re.findall(r"第 1/(\d+) 页", opening)[0])
    last = await open_page(bed, first, encode(ListPage(command[1:], count - 1)))  # type: ignore[arg-type]
    for number, text in ((1, opening), (count, last)):
        assert utf16_length(text) <= TEXT_LIMIT
        assert text.endswith(f"第 {number}/{count} 页")
    assert f"SKU-{SELLER_SIZE - 1:04d}" in last
