"""The lists converted to the pager, at size: a broadcast's one report (its progress message,
edited) and /broadcast_status page 500 failed groups, /broadcasts its broadcasts, /training <id>
300 answers with the longest names, /ratings 300 ratings, the bad lines of 1,000-line imports,
/admins and /greeting; every message fits, ◀ ▶ walk every page in place and every
item appears exactly once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.broadcast.outbox import Payload
from bot.common.callbacks import KeyedListPage, StoredListPage, encode
from bot.common.splitting import TEXT_LIMIT
from bot.dev.sandbox.records import SentMessage
from bot.dev.testbed import Testbed
from bot.events.festivals import FESTIVALS
from tests.e2e.engine_clock import bed_on_clock
from tests.e2e.helpers import OWNER
from tests.e2e.test_paging import buttons, press, utf16_length, walk

FAILED = 500
FIRST_CHAT_ID = -1_002_000_000_000


@pytest.fixture
async def bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    """A bed whose delivery engine runs on a fast-forward clock (no wall-clock pacing)."""
    testbed, _ = await bed_on_clock(tmp_path / "bot.sqlite3")
    testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
    await testbed.say(OWNER, OWNER, "/start")
    yield testbed
    await testbed.stop()


async def failing_groups(bed: Testbed, count: int) -> list[int]:
    """``count`` groups the bot knows but Telegram does not (every send: "chat not found"),
    each with a 64-character title."""
    services = bed.services
    chat_ids = [FIRST_CHAT_ID - index for index in range(count)]
    for index, chat_id in enumerate(chat_ids):
        title = f"{index:04d} " + "群" * 30 + "🎉" * 14 + "&<" * 7 + "x"
        await services.groups.register(chat_id, title, "supergroup", OWNER, services.now())
    return chat_ids


def listed_chats(pages: list[str]) -> list[int]:
    return [int(found) for text in pages for found in re.findall(r"（(-\d+)）", text)]


async def test_a_broadcast_with_500_failures_ends_in_one_paged_report(bed: Testbed) -> None:
    chat_ids = await failing_groups(bed, FAILED)
    before = bed.sandbox.messages(OWNER)[-1].message_id
    broadcast_id = await bed.services.outbox.submit(
        "text", Payload("text", "通知"), chat_ids, OWNER, language="zh"
    )
    await bed.services.outbox.wait_idle(60)
    after = [m for m in bed.sandbox.messages(OWNER) if m.message_id > before]
    assert len(after) == 1, [m.text for m in after]  # the progress message became the report
    report = after[0]
    assert f"群发 #{broadcast_id}" in (report.text or "") and f"失败 {FAILED}" in (
        report.text or ""
    )
    pages = await walk(bed, report)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"第 {number}/{len(pages)} 页")
    assert listed_chats(pages) == chat_ids
    # /broadcast_status shows the same pages; a page past the end shows the last one.
    status = (await bed.say(OWNER, OWNER, f"/broadcast_status {broadcast_id}"))[-1]
    assert await walk(bed, status) == pages
    await press(bed, status, encode(KeyedListPage("bcreport", broadcast_id, 99_999)))
    assert bed.sandbox.messages(OWNER)[-1].plain_text == pages[-1]


async def test_a_report_button_of_an_unknown_broadcast_is_expired(bed: Testbed) -> None:
    await failing_groups(bed, 1)
    await bed.services.outbox.submit("text", Payload("text", "通知"), [FIRST_CHAT_ID], OWNER)
    await bed.services.outbox.wait_idle(10)
    report = bed.sandbox.messages(OWNER)[-1]
    before = report.text
    answer = await press(bed, report, encode(KeyedListPage("bcreport", 999_999, 1)))
    assert answer.get("text") == "这个按钮已失效。"
    assert bed.sandbox.messages(OWNER)[-1].text == before


async def test_broadcasts_list_pages(bed: Testbed) -> None:
    chat_ids = await failing_groups(bed, 1)
    ids = []
    for _ in range(120):
        ids.append(
            await bed.services.outbox.submit("promotion", Payload("text", "x"), chat_ids, None)
        )
    await bed.services.outbox.wait_idle(60)
    first: SentMessage = (await bed.say(OWNER, OWNER, "/broadcasts"))[-1]
    assert "▶" in buttons(first)
    pages = await walk(bed, first)
    assert all(utf16_length(text) <= TEXT_LIMIT for text in pages)
    listed = [int(found) for text in pages for found in re.findall(r"^#(\d+) ", text, re.M)]
    assert listed == sorted(ids, reverse=True)


def current(bed: Testbed, message: SentMessage) -> SentMessage:
    return next(m for m in bed.sandbox.messages(OWNER) if m.message_id == message.message_id)


async def walk_in_place(bed: Testbed, first: SentMessage) -> list[str]:
    """:func:`walk` for a list that has a message after it: the list is found by its id."""
    pages = [first.plain_text or ""]
    shown = first
    while "▶" in buttons(shown):
        await bed.click(OWNER, shown, buttons(shown)["▶"])
        shown = current(bed, first)
        pages.append(shown.plain_text or "")
    assert all(utf16_length(text) <= TEXT_LIMIT for text in pages)
    return pages


RSVPS = 300
FIRST_AGENT_ID = 6_000_000_000


async def test_training_with_300_answers_is_paged(bed: Testbed) -> None:
    services = bed.services
    now = services.now()
    training = await services.trainings.create(
        title="直播带货培训",
        starts_at=now + 86400,
        duration_minutes=60,
        location="腾讯会议",
        materials_file=None,
        target_tags=[],
        creator_id=OWNER,
        now=now,
    )
    user_ids = [FIRST_AGENT_ID + index for index in range(RSVPS)]
    answers = ("yes", "no", "maybe")
    for index, user_id in enumerate(user_ids):
        first = f"{user_id}" + "名" * 40 + "🌸" * 7 + "&<" * 3 + "x"  # 64 characters
        last = "姓" * 60 + "&<>z"  # 64 characters
        await services.agents.record(user_id, first, last, None, "zh", now)
        await services.trainings.rsvp(training.id, user_id, answers[index % 3], now + index)
    await services.trainings.mark_attended(training.id, user_ids[:7], OWNER, now)
    sent = await bed.say(OWNER, OWNER, f"/training {training.id}")
    assert len(sent) == 2  # the paged list, then the buttons that mark agents present
    assert all(utf16_length(m.plain_text or "") <= TEXT_LIMIT for m in sent)
    assert "登记到场" in (sent[1].text or "") and len(sent[1].buttons) == 20
    pages = await walk_in_place(bed, sent[0])
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert text.startswith(f"📚 培训 #{training.id}：直播带货培训")
        assert "参加（100）· 不参加（100）· 待定（100）· 已到场（7）" in text
        assert text.endswith(f"第 {number}/{len(pages)} 页")
    listed = [int(found) for text in pages for found in re.findall(r"(\d{10})名", text)]
    assert sorted(listed) == user_ids and len(listed) == RSVPS
    present = [
        int(found) for text in pages for found in re.findall(r"(\d{10})名.*（已到场）", text)
    ]
    assert sorted(present) == user_ids[:7]
    # ◀ goes back; a page past the end is the last page; a training that is gone is expired.
    await bed.click(OWNER, current(bed, sent[0]), buttons(current(bed, sent[0]))["◀"])
    assert current(bed, sent[0]).plain_text == pages[-2]
    await press(bed, sent[0], encode(KeyedListPage("rsvps", training.id, 99_999)))
    assert current(bed, sent[0]).plain_text == pages[-1]
    answer = await press(bed, sent[0], encode(KeyedListPage("rsvps", training.id + 1, 0)))
    assert answer.get("text") == "这个按钮已失效。"
    assert current(bed, sent[0]).plain_text == pages[-1]


BAD_LINES = 1_000


async def upload(bed: Testbed, name: str, data: bytes, caption: str) -> list[SentMessage]:
    return await bed.run(lambda: bed.sandbox.send_document(OWNER, OWNER, name, data, caption))


def line_numbers(pages: list[str]) -> list[int]:
    return [int(found) for text in pages for found in re.findall(r"第 (\d+) 行", text)]


async def test_stock_import_with_1000_bad_lines_lists_each_once(bed: Testbed) -> None:
    skus = [f"NO-SUCH-SKU-{index:04d}-" + "x" * 15 for index in range(BAD_LINES)]
    data = ("sku,qty\n" + "".join(f"{sku},5\n" for sku in skus)).encode()
    sent = await upload(bed, "stock.csv", data, "/stock_import")
    assert len(sent) == 1 and "库存没有任何改动" in (sent[0].text or "")
    pages = await walk(bed, sent[0])
    assert len(pages) > 1
    assert line_numbers(pages) == list(range(2, BAD_LINES + 2))
    listed = [sku for text in pages for sku in re.findall(r"NO-SUCH-SKU-\d{4}-X+", text)]
    assert listed == [sku.upper() for sku in skus]
    # ◀ goes back (the rows kept in the user's data); a page past the end is the last page.
    last = bed.sandbox.messages(OWNER)[-1]
    await bed.click(OWNER, last, buttons(last)["◀"])
    assert bed.sandbox.messages(OWNER)[-1].plain_text == pages[-2]
    await press(bed, last, buttons(last)["◀"].rsplit(":", 1)[0] + ":99999")
    assert bed.sandbox.messages(OWNER)[-1].plain_text == pages[-1]


async def test_a_forgotten_or_forged_stored_list_is_expired(bed: Testbed) -> None:
    data = ("sku,qty\n" + "".join(f"NO-{index},5\n" for index in range(300))).encode()
    sent = (await upload(bed, "stock.csv", data, "/stock_import"))[0]
    before = sent.plain_text
    answer = await press(bed, sent, encode(StoredListPage("0123abcd", 1)))
    assert answer.get("text") == "这个按钮已失效。"
    assert bed.sandbox.messages(OWNER)[-1].plain_text == before


async def test_import_orders_with_1000_bad_lines_lists_each_once(bed: Testbed) -> None:
    rows = "".join(f"@nobody_{index:05d}_{'z' * 20},1,1,2026-10\n" for index in range(BAD_LINES))
    data = ("代理,订单数,金额,周期\n" + rows).encode("utf-8-sig")
    sent = await upload(bed, "orders.csv", data, "/import_orders")
    assert len(sent) == 1 and "没有导入任何数据" in (sent[0].text or "")
    pages = await walk(bed, sent[0])
    assert len(pages) > 1
    assert line_numbers(pages) == list(range(2, BAD_LINES + 2))


RATINGS = 300
RATED_AGENT = 7_000_000_001


async def test_ratings_of_an_agent_with_300_ratings_are_paged(bed: Testbed) -> None:
    services = bed.services
    now = services.now()
    await services.agents.record(RATED_AGENT, "名" * 64, "姓" * 64, "u" * 32, "zh", now)
    for index in range(RATINGS):  # 200-character comments, each with its number
        comment = f"C{index:04d}" + "评" * 150 + "&<>" * 15
        await services.profiles.rate(RATED_AGENT, OWNER, 1 + index % 5, comment, now - index)
    sent = await bed.say(OWNER, OWNER, f"/ratings {RATED_AGENT}")
    assert len(sent) == 1
    pages = await walk(bed, sent[0])
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert "（300 次）" in text and text.endswith(f"第 {number}/{len(pages)} 页")
    listed = [int(found) for text in pages for found in re.findall(r"C(\d{4})评", text)]
    assert listed == list(range(RATINGS))  # newest first, each once
    last = bed.sandbox.messages(OWNER)[-1]
    await press(bed, last, encode(KeyedListPage("ratings", RATED_AGENT, 99_999)))
    assert bed.sandbox.messages(OWNER)[-1].plain_text == pages[-1]
    answer = await press(bed, last, encode(KeyedListPage("ratings", RATED_AGENT + 1, 0)))
    assert answer.get("text") == "这个按钮已失效。"


async def test_admins_list_with_300_grants_is_paged(bed: Testbed) -> None:
    services = bed.services
    admins = [8_000_000_000 + index for index in range(300)]
    for user_id in admins:
        await services.admins.grant(user_id, OWNER, services.now())
    sent = await bed.say(OWNER, OWNER, "/admins")
    assert len(sent) == 1
    pages = await walk(bed, sent[0])
    assert len(pages) > 1
    listed = [int(found) for text in pages for found in re.findall(r"(8\d{9})", text)]
    assert listed == admins


async def test_greeting_templates_of_1000_characters_are_paged(bed: Testbed) -> None:

    services = bed.services
    for index, festival in enumerate(FESTIVALS):
        text = f"T{index:02d}" + "祝" * 900 + "{name}" + "&" * 91
        await services.greetings.set_template(festival.key, text, OWNER, services.now())
    sent = await bed.say(OWNER, OWNER, "/greeting")
    assert len(sent) == 1
    pages = await walk(bed, sent[0])
    assert len(pages) > 1
    listed = [int(found) for text in pages for found in re.findall(r"T(\d{2})祝", text)]
    assert listed == list(range(len(FESTIVALS)))
