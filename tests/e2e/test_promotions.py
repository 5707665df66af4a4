"""/promo conversation, promotion notices (replies to the product preview), /promos."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dev.testbed import Testbed
from tests.e2e.catalog_helpers import (
    choose_target,
    current,
    draft_product,
    group_posts,
    publish_product,
)
from tests.e2e.helpers import OWNER, join, make_group, texts

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(offset_hours: float) -> str:
    moment = datetime.fromtimestamp(time.time() + offset_hours * 3600, SHANGHAI)
    return moment.strftime("%Y-%m-%d %H:%M")


async def draft_promo(bed: Testbed, skus: str, *, start: float = -1, end: float = 48) -> list:
    await bed.say(OWNER, OWNER, "/promo")
    asked = await bed.say(OWNER, OWNER, "双十二 <大促>")
    await bed.click(OWNER, asked[-1], "pm:kind:full_reduction")
    await bed.say(OWNER, OWNER, "满 199 减 30 & 包邮")
    await bed.say(OWNER, OWNER, local(start))
    await bed.say(OWNER, OWNER, local(end))
    return await bed.say(OWNER, OWNER, skus)


async def test_promotion_with_skus_replies_to_previews(bed: Testbed) -> None:
    group_a = await make_group(bed, "A群")
    group_b = await make_group(bed, "B群")
    await bed.say(OWNER, OWNER, f"/tag_group {group_a} VIP")
    # DS-1's preview only in group A (tag VIP).
    control = await choose_target(bed, await draft_product(bed, "DS-1", title="连衣裙"), "VIP")
    await bed.click(OWNER, control, "np:send")
    await bed.services.outbox.wait_idle(10)
    preview_a = group_posts(bed, group_a)[0]

    sent = await draft_promo(bed, "ds-1")
    notice_preview, control = sent[-2], sent[-1]
    assert "双十二 &lt;大促&gt;" in (notice_preview.text or "")
    assert "满减" in (notice_preview.text or "") and "&amp; 包邮" in (notice_preview.text or "")
    assert "DS-1" in (notice_preview.text or "") and "连衣裙" in (notice_preview.text or "")
    assert "全部有效群（2 个）" in (control.text or "")
    assert await bed.services.promotions.active(bed.services.now()) == []

    await bed.click(OWNER, control, "pm:send")
    assert "促销活动 #1 已保存" in (current(bed, control).text or "")
    await bed.services.outbox.wait_idle(10)
    in_a = group_posts(bed, group_a)[-1]
    in_b = group_posts(bed, group_b)[-1]
    assert in_a.text == notice_preview.text == in_b.text
    assert in_a.reply_to_message_id == preview_a.message_id
    assert in_b.reply_to_message_id is None
    promos = texts(await bed.say(OWNER, OWNER, "/promos"))[0]
    assert "#1" in promos and "双十二" in promos and "DS-1" in promos


async def test_promo_steps_validate(bed: Testbed) -> None:
    await make_group(bed, "群")
    await publish_product(bed, "DS-1")

    async def step(text: str, expected: str) -> None:
        reply = texts(await bed.say(OWNER, OWNER, text))
        assert reply and expected in reply[-1], (text, reply)

    await step("/promo", "活动标题")
    await step("   ", "不能为空")
    await step("年货节", "活动类型")
    await step("买一送十", "活动类型")
    await step("包邮", "活动规则")
    await step("全场包邮", "开始时间")
    await step("明天晚上", "无法识别")
    await step(local(-2), "结束时间")
    await step(local(-3), "晚于开始时间")
    await step("2020-01-01 00:00", "晚于开始时间")
    await step(local(-1), "已经过去")
    await step(local(24), "货号")
    await step("DS-1 NOPE-1", "NOPE-1")
    await step("bad!", "无效")
    sent = await bed.say(OWNER, OWNER, "-")
    assert "包邮" in (sent[-2].text or "") and "参与商品" not in (sent[-2].text or "")
    await bed.click(OWNER, sent[-1], "pm:send")
    await bed.services.outbox.wait_idle(10)
    promos = await bed.services.promotions.active(bed.services.now())
    assert len(promos) == 1 and promos[0].kind == "free_shipping" and promos[0].skus == ()


async def test_promos_lists_only_running_ones(bed: Testbed) -> None:
    await make_group(bed, "群")
    sent = await draft_promo(bed, "-", start=24 * 10, end=24 * 12)
    await bed.click(OWNER, sent[-1], "pm:send")
    await bed.services.outbox.wait_idle(10)
    assert "没有进行中" in texts(await bed.say(OWNER, OWNER, "/promos"))[0]
    real = bed.services.clock
    bed.services.clock = lambda: real() + 11 * 86400
    try:
        assert "双十二" in texts(await bed.say(OWNER, OWNER, "/promos"))[0]
    finally:
        bed.services.clock = real


async def test_promo_cancel_and_refusals(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    sent = await draft_promo(bed, "-")
    await bed.click(OWNER, sent[-1], "pm:cancel")
    assert "没有保存" in (current(bed, sent[-1]).text or "")
    assert await bed.services.promotions.get(1) is None
    await join(bed, group, 700, "代理")
    assert "只有卖家管理员" in texts(await bed.say(700, 700, "/promo"))[0]
    assert texts(await bed.say(700, 700, "标题")) == []


async def test_starting_promo_replaces_an_open_product_draft(bed: Testbed) -> None:
    await make_group(bed, "群")
    for text in ["/newproduct", "DS-7"]:
        await bed.say(OWNER, OWNER, text)
    reply = texts(await bed.say(OWNER, OWNER, "/promo"))
    assert "活动标题" in reply[-1]
    assert "活动类型" in texts(await bed.say(OWNER, OWNER, "标题"))[-1]


async def test_promotion_sent_in_quiet_hours_waits_for_the_admin(bed: Testbed) -> None:
    import pytest

    if datetime.now(SHANGHAI).strftime("%H:%M") == "23:59":
        pytest.skip("the only minute outside the test's quiet window")
    group = await make_group(bed, "A群")
    await publish_product(bed, "DS-1", title="连衣裙")
    preview = group_posts(bed, group)[0]
    bed.services.settings.quiet_hours = ["00:00-23:59"]
    sent = await draft_promo(bed, "DS-1")
    await bed.click(OWNER, sent[-1], "pm:send")
    await bed.services.outbox.wait_idle(10)
    question = current(bed, sent[-1])
    assert "23:59" in (question.text or "") and len(group_posts(bed, group)) == 1
    now = next(b["callback_data"] for b in question.buttons if b["callback_data"].endswith(":now"))
    await bed.click(OWNER, question, now)
    await bed.services.outbox.wait_idle(10)
    notice = group_posts(bed, group)[-1]
    assert "双十二" in (notice.text or "") and notice.reply_to_message_id == preview.message_id
