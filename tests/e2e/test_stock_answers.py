"""Stock questions in groups, /stock_eta and /discontinue, through the real Application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.catalog_helpers import button_data, group_posts, publish_product
from tests.e2e.helpers import OWNER, join, make_group, texts
from tests.e2e.schedule_helpers import FakeClock, at

AGENT = 501
STRANGER = 666


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))


async def _bed(tmp_path: Path, clock: FakeClock, **overrides: object) -> Testbed:
    bed = Testbed(database=tmp_path / "bot.sqlite3", clock=clock, overrides=dict(overrides))
    await bed.__aenter__()
    bed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
    await bed.say(OWNER, OWNER, "/start")
    return bed


@pytest.fixture
async def cbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    bed = await _bed(tmp_path, clock)
    yield bed
    await bed.__aexit__(None, None, None)


async def _shop(bed: Testbed) -> int:
    group = await make_group(bed, "代理群")
    await join(bed, group, AGENT, "小王")
    for sku in ("A1", "A10"):
        await publish_product(bed, sku, title=f"连衣裙{sku}")
    await bed.say(OWNER, OWNER, "/stock A1 3")
    await bed.say(OWNER, OWNER, "/stock A10 0")
    await bed.services.outbox.wait_idle(10)
    return group


async def ask(bed: Testbed, group: int, text: str) -> list[SentMessage]:
    return [m for m in await bed.say(group, AGENT, text) if m.chat_id == group]


async def test_answers_once_per_sku_per_group_per_interval(cbed: Testbed, clock: FakeClock) -> None:
    group = await _shop(cbed)
    [answer] = await ask(cbed, group, "老板 a1 还有货吗？")
    assert "A1" in (answer.text or "") and "库存紧张" in (answer.text or "")
    assert "A10" not in (answer.text or "")
    assert answer.reply_to_message_id is not None
    assert await ask(cbed, group, "A1 还有吗") == []  # answered 0 s ago
    [other] = await ask(cbed, group, "A10有没有货")  # another SKU: its own interval
    assert "已售罄" in (other.text or "") and "连衣裙A1（" not in (other.text or "")
    clock.now += 9 * 60
    assert await ask(cbed, group, "A1 库存？") == []
    clock.now += 61
    [again] = await ask(cbed, group, "Ａ１　现货有吗")  # full-width, NFKC
    assert "A1" in (again.text or "")
    # Not a question, or no known SKU: nothing.
    clock.now += 3600
    assert await ask(cbed, group, "A1 真好看") == []
    assert await ask(cbed, group, "A100 有货吗") == []
    assert await ask(cbed, group, "XA1 有货吗") == []


async def test_restock_date_shows_in_answers_stock_list_and_notices(
    cbed: Testbed, clock: FakeClock
) -> None:
    group = await _shop(cbed)
    refused = texts(await cbed.say(OWNER, OWNER, "/stock_eta A10 every day 10:00"))[0]
    assert "不能是重复时间" in refused
    refused = texts(await cbed.say(OWNER, OWNER, "/stock_eta A10 13-45"))[0]
    assert "/stock_eta" not in refused or "日期" in refused
    assert (await cbed.services.product_status.get("A10")).restock_eta is None
    done = texts(await cbed.say(OWNER, OWNER, "/stock_eta a10 12-20"))[0]
    assert "2027-12-20" in done
    [answer] = await ask(cbed, group, "A10 什么时候补货")
    assert "已售罄" in (answer.text or "") and "预计 2027-12-20 补货" in (answer.text or "")
    listing = texts(await cbed.say(OWNER, OWNER, "/stock"))[0]
    assert "预计补货 2027-12-20" in listing
    # A product going out with a restock date: the notice says when it comes back.
    await cbed.say(OWNER, OWNER, "/stock_eta A1 2027-04-02")
    await cbed.say(OWNER, OWNER, "/stock A1 0")
    await cbed.services.outbox.wait_idle(10)
    notice = [m.text or "" for m in group_posts(cbed, group) if "库存通知" in (m.text or "")][-1]
    assert "已售罄" in notice and "预计 2027-04-02 补货" in notice
    cleared = texts(await cbed.say(OWNER, OWNER, "/stock_eta A1 clear"))[0]
    assert "已清除" in cleared
    assert (await cbed.services.product_status.get("A1")).restock_eta is None


async def test_discontinue_confirms_notifies_once_and_answers_say_so(cbed: Testbed) -> None:
    group = await _shop(cbed)
    [confirm] = await cbed.say(OWNER, OWNER, "/discontinue A1")
    assert "停产" in (confirm.text or "")
    assert not (await cbed.services.product_status.get("A1")).discontinued
    yes = button_data(confirm, "确认停产")
    # An agent pressing it (forged into their own chat) is refused and changes nothing.
    refused = await cbed.run(
        lambda: cbed.sandbox.click(AGENT, AGENT, confirm.message_id, yes, strict=False)
    )
    assert not (await cbed.services.product_status.get("A1")).discontinued, refused
    await cbed.click(OWNER, confirm, yes)
    # A double press (the second arrives after the buttons are gone): acts once.
    await cbed.run(lambda: cbed.sandbox.click(OWNER, OWNER, confirm.message_id, yes, strict=False))
    await cbed.services.outbox.wait_idle(10)
    notices = [m for m in group_posts(cbed, group) if "停产通知" in (m.text or "")]
    assert len(notices) == 1
    assert (await cbed.services.product_status.get("A1")).discontinued
    again = texts(await cbed.say(OWNER, OWNER, "/discontinue A1"))[0]
    assert "已经是停产状态" in again
    [answer] = await ask(cbed, group, "A1 还有货吗")
    assert "已停产" in (answer.text or "")
    assert "停产" in texts(await cbed.say(OWNER, OWNER, "/stock"))[0]
    assert await cbed.services.product_status.discontinued_skus() == {"A1"}


async def test_no_answers_when_off_in_pending_groups_or_to_bots(
    tmp_path: Path, clock: FakeClock
) -> None:
    bed = await _bed(tmp_path, clock, stock={"answer_questions": False})
    try:
        group = await _shop(bed)
        assert await ask(bed, group, "A1 还有货吗") == []
    finally:
        await bed.__aexit__(None, None, None)


async def test_pending_group_is_never_answered_and_new_products_are_known(
    cbed: Testbed, clock: FakeClock
) -> None:
    group = await _shop(cbed)
    cbed.sandbox.add_user(STRANGER, "Mallory")
    pending = cbed.sandbox.add_group("陌生群", members=[STRANGER, AGENT])
    await cbed.run(lambda: cbed.sandbox.add_bot_to_group(pending, STRANGER))
    assert [m for m in await cbed.say(pending, AGENT, "A1 还有货吗") if m.chat_id == pending] == []
    assert await ask(cbed, group, "B2 有货吗") == []  # builds the matcher without B2
    clock.now += 86400  # the launch cap allows 2 product posts a group a day
    await publish_product(cbed, "B2", title="新款")
    [answer] = await ask(cbed, group, "b2 有货吗")
    assert "新款" in (answer.text or "") and "暂无库存信息" in (answer.text or "")
