"""Greetings as the playbook says: the remark's 称谓 in the preview and in what is sent, a
greeting to a segment only, and a promotion after the greeting (先祝福再营销), muted agents
greeted but not promoted to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at, run_due, texts_in

LI, GU, WANG = 2001, 2002, 2003


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 9, 12, 9, 0))  # three days before 中秋 2027-09-15


@pytest.fixture
async def gbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as bed:
        bed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        group = await make_group(bed, "代理群")
        await join(bed, group, LI, "Li", "li_taobao")
        await join(bed, group, GU, "Gu", "gu_douyin")
        await join(bed, group, WANG, "Wang", "wang_shop")
        for user_id in (LI, GU, WANG):
            await bed.say(user_id, user_id, "/start")
        await bed.say(OWNER, OWNER, "/remark @li_taobao 李女士淘卖")
        await bed.say(OWNER, OWNER, "/remark @gu_douyin 顾总-抖音")
        await bed.say(OWNER, OWNER, "/tag @gu_douyin VIP客户")
        await bed.say(OWNER, OWNER, "/tag @li_taobao VIP客户")
        bed.group = group  # type: ignore[attr-defined]
        yield bed


def _data(message: SentMessage, label: str) -> str:
    return next(str(b["callback_data"]) for b in message.buttons if label in b["text"])


async def _preview(bed: Testbed, clock: FakeClock) -> SentMessage:
    clock.set(2027, 9, 12, 10, 0)  # the daily check
    await run_due(bed, clock)
    preview = bed.sandbox.messages(OWNER)[-1]
    assert "问候预览" in (preview.text or "")
    return preview


async def test_salutation_in_preview_and_in_what_is_sent(gbed: Testbed, clock: FakeClock) -> None:
    bed = gbed
    await bed.say(OWNER, OWNER, "/greeting 中秋 {name}，中秋快乐！")
    preview = await _preview(bed, clock)
    text = preview.plain_text or ""
    assert "李女士，中秋快乐！" in text and "李女士淘卖" in text  # the example: remark → 称谓
    assert "（3 位）" in text
    await bed.click(OWNER, preview, _data(preview, "批准"))
    clock.set(2027, 9, 15, 9, 0)
    await run_due(bed, clock)
    assert texts_in(bed, LI)[-1] == "李女士，中秋快乐！"
    assert texts_in(bed, GU)[-1] == "顾总，中秋快乐！"
    assert texts_in(bed, WANG)[-1] == "Wang，中秋快乐！"
    assert texts_in(bed, bed.group)[-1] == "各位代理，中秋快乐！"  # type: ignore[attr-defined]


async def test_greeting_to_a_segment_with_a_promotion_after_it(
    gbed: Testbed, clock: FakeClock
) -> None:
    bed = gbed
    bad = await bed.say(OWNER, OWNER, "/greeting 中秋 对象 platform:淘宝")
    assert "看不懂对象" in (bad[-1].text or "")
    saved = await bed.say(OWNER, OWNER, "/greeting 中秋 对象 tag：VIP客户")
    assert "tag:VIP客户" in (saved[-1].text or "") and "2 位" in (saved[-1].text or "")
    await bed.say(OWNER, OWNER, "/mute @gu_douyin")
    services = bed.services
    promotion = await services.promotions.add(
        "中秋满减", "full_reduction", "满200减30", at(2027, 9, 10), at(2027, 9, 20), (), OWNER, 0
    )
    await services.promotions.add(  # ended before the festival: not offered
        "旧活动", "discount", "9折", at(2027, 9, 1), at(2027, 9, 5), (), OWNER, 0
    )
    preview = await _preview(bed, clock)
    text = preview.plain_text or ""
    assert "tag:VIP客户" in text and "（2 位）" in text and "不发到群里" in text
    labels = [b["text"] for b in preview.buttons]
    assert any("中秋满减" in label for label in labels)
    assert not any("旧活动" in label for label in labels)
    await bed.click(OWNER, preview, _data(preview, "中秋满减"))
    approved = bed.sandbox.messages(OWNER)[-1].text or ""
    assert "中秋满减" in approved and "2027-09-15 09:00" in approved
    audit = await services.audit.recent(3)
    assert any(row.action == "greeting_a" and row.detail == str(promotion.id) for row in audit)

    clock.set(2027, 9, 15, 9, 0)
    await run_due(bed, clock)
    await services.outbox.wait_idle(10)
    li = texts_in(bed, LI)
    assert li[-2] == "李女士，中秋快乐！花好月圆，阖家团圆 🥮"  # greeting first
    assert "中秋满减" in li[-1] and "满200减30" in li[-1]  # then the promotion
    gu = texts_in(bed, GU)
    assert gu[-1] == "顾总，中秋快乐！花好月圆，阖家团圆 🥮"  # muted: greeted, not promoted
    assert not any("中秋满减" in t for t in gu)
    assert not any("中秋" in t for t in texts_in(bed, WANG))  # not in the segment
    assert not any("中秋" in t for t in texts_in(bed, bed.group))  # type: ignore[attr-defined]


async def test_segment_reset_to_everyone(gbed: Testbed, clock: FakeClock) -> None:
    bed = gbed
    await bed.say(OWNER, OWNER, "/greeting 中秋 对象 mode:批发")
    reset = await bed.say(OWNER, OWNER, "/greeting 中秋 对象 全部")
    assert "所有群" in (reset[-1].text or "")
    preview = await _preview(bed, clock)
    assert "（3 位）" in (preview.plain_text or "")
