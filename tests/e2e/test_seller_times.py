"""Promotion times through the one time parser, with quick buttons (立即开始 / 今晚 23:59 /
3 天后) and typed-on-a-phone forms."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dev.testbed import Testbed
from tests.e2e.catalog_helpers import current, publish_product
from tests.e2e.helpers import OWNER, make_group, texts

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = int(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI).timestamp())


def _keyboard(message: object) -> list[str]:
    markup = getattr(message, "reply_markup", None) or {}
    return [button["text"] for row in markup.get("keyboard", []) for button in row]


async def test_promotion_times_from_quick_buttons(bed: Testbed) -> None:
    bed.services.clock = lambda: NOW
    await make_group(bed, "A群")
    await publish_product(bed, "DS-1", title="连衣裙")
    await bed.say(OWNER, OWNER, "/promo")
    asked = await bed.say(OWNER, OWNER, "春季上新")
    await bed.click(OWNER, asked[-1], "pm:kind:full_reduction")
    start_question = (await bed.say(OWNER, OWNER, "满 199 减 30"))[-1]
    assert _keyboard(start_question) == ["立即开始", "今晚 23:59", "3 天后"]
    # A wrong answer names the accepted forms and changes nothing.
    wrong = texts(await bed.say(OWNER, OWNER, "下周"))
    assert any("无法识别" in text and "今晚 23:59" in text for text in wrong)
    end_question = (await bed.say(OWNER, OWNER, "立即开始"))[-1]
    assert "3 天后" in _keyboard(end_question)
    await bed.say(OWNER, OWNER, "3 天后")
    sent = await bed.say(OWNER, OWNER, "DS-1")
    await bed.click(OWNER, sent[-1], "pm:send")
    assert "已保存" in (current(bed, sent[-1]).text or "")
    [promotion] = await bed.services.promotions.active(NOW)
    assert (promotion.starts_at, promotion.ends_at) == (NOW, NOW + 3 * 86400)


async def test_promotion_times_typed_with_a_chinese_keyboard(bed: Testbed) -> None:
    bed.services.clock = lambda: NOW
    await make_group(bed, "A群")
    await publish_product(bed, "DS-1", title="连衣裙")
    await bed.say(OWNER, OWNER, "/promo")
    asked = await bed.say(OWNER, OWNER, "春季上新")
    await bed.click(OWNER, asked[-1], "pm:kind:full_reduction")
    await bed.say(OWNER, OWNER, "满 199 减 30")
    await bed.say(OWNER, OWNER, "明天　２０：００")
    await bed.say(OWNER, OWNER, "今晚")  # before the start: refused
    await bed.say(OWNER, OWNER, "３天后 ２３：５９")
    sent = await bed.say(OWNER, OWNER, "DS-1")
    await bed.click(OWNER, sent[-1], "pm:send")
    [promotion] = await bed.services.promotions.active(NOW + 86400 * 2)
    assert promotion.starts_at == int(datetime(2027, 3, 2, 20, 0, tzinfo=SHANGHAI).timestamp())
    assert promotion.ends_at == int(datetime(2027, 3, 4, 23, 59, tzinfo=SHANGHAI).timestamp())
