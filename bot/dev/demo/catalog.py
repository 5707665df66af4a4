"""Demo scenes for the catalog: a new product previewed as an album and sent to the groups, a
promotion that replies to that preview, and a stock crossing announced once."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from bot.dev.testbed import DEFAULT_OWNER

if TYPE_CHECKING:
    from bot.dev.demo.story import Transcript
    from bot.dev.sandbox import SentMessage

OWNER = DEFAULT_OWNER
SKU = "DS-2026-001"


def _photo(n: int) -> bytes:
    """A tiny stand-in for a product photo (the sandbox reads only the PNG header)."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (800 + n).to_bytes(4, "big") * 2


async def _delivered(story: Transcript, mark: int, shown: list[SentMessage]) -> None:
    """Wait for the outbox to deliver, then show what reached the groups (and the report),
    leaving out the direct replies already shown."""
    await story.bed.services.outbox.wait_idle(30)
    seen = {(m.chat_id, m.message_id) for m in shown}
    story.show(
        [m for m in story.bed.sandbox.sent_since(mark) if (m.chat_id, m.message_id) not in seen]
    )


def _button(message: SentMessage, data_prefix: str) -> str:
    for button in message.buttons:
        data = str(button.get("callback_data", ""))
        if data.startswith(data_prefix):
            return data
    raise LookupError(f"no {data_prefix} button on message {message.message_id}")


def _edited(story: Transcript, message: SentMessage) -> None:
    """Show ``message`` as it is now (the bot edits the control message after Send)."""
    for candidate in story.bed.sandbox.messages(message.chat_id):
        if candidate.message_id == message.message_id:
            story.show([candidate])


async def _click(
    story: Transcript, message: SentMessage, data: str, label: str
) -> list[SentMessage]:
    sandbox = story.bed.sandbox
    return await story.act(
        "卖家",
        f"taps [{label}]",
        lambda: sandbox.click(OWNER, message.chat_id, message.message_id, data),
    )


async def scene_new_product(story: Transcript) -> None:
    sandbox = story.bed.sandbox
    story.scene("新品上架：相册预览后发到所有群 / a new product, previewed as an album")
    await story.say(OWNER, OWNER, "/newproduct")
    await story.say(OWNER, OWNER, SKU)
    await story.say(OWNER, OWNER, "法式碎花连衣裙")
    await story.say(OWNER, OWNER, "¥129.90")
    asked = await story.say(OWNER, OWNER, "79")
    categories = story.bed.settings.seller_categories
    if categories:
        await _click(story, asked[-1], "np:cat:0", categories[0])
    else:
        await story.say(OWNER, OWNER, "女装/连衣裙")
    await story.say(
        OWNER, OWNER, "雪纺面料，S-XL 四个尺码，48 小时内发货；一件代发，支持七天无理由。"
    )
    for n in range(3):
        await story.act(
            "卖家", f"sends photo {n + 1}", partial(sandbox.send_photo, OWNER, OWNER, _photo(n))
        )
    preview = await story.say(OWNER, OWNER, "/done")
    mark = sandbox.sent_count()
    await _click(story, preview[-1], "np:send", "立即发送")
    _edited(story, preview[-1])
    await _delivered(story, mark, [])


async def scene_promotion(story: Transcript) -> None:
    sandbox = story.bed.sandbox
    tz = story.bed.settings.tz
    story.scene("促销活动：在群里回复到新品预览下 / a promotion, replying to the preview")
    now = datetime.fromtimestamp(story.bed.services.now(), tz)
    await story.say(OWNER, OWNER, "/promo")
    asked = await story.say(OWNER, OWNER, "夏季清仓")
    await _click(story, asked[-1], "pm:kind:full_reduction", "满减")
    await story.say(OWNER, OWNER, "满 199 减 30，可与包邮叠加")
    await story.say(OWNER, OWNER, now.strftime("%Y-%m-%d %H:%M"))
    await story.say(OWNER, OWNER, (now + timedelta(days=3)).strftime("%Y-%m-%d %H:%M"))
    preview = await story.say(OWNER, OWNER, SKU)
    mark = sandbox.sent_count()
    await _click(story, preview[-1], "pm:send", "立即发送")
    _edited(story, preview[-1])
    await _delivered(story, mark, [])
    replies = [m for m in sandbox.sent_since(mark) if m.reply_to_message_id]
    story.note(f"{len(replies)} promotion posts are replies to the product preview in their group")
    await story.say(OWNER, OWNER, "/promos")


async def scene_stock(story: Transcript) -> None:
    sandbox = story.bed.sandbox
    story.scene("库存通知：只在状态变化时通知一次 / stock notices, once per crossing")
    await story.say(OWNER, OWNER, f"/stock {SKU} 120")
    mark = sandbox.sent_count()
    await _delivered(story, mark, await story.say(OWNER, OWNER, f"/stock {SKU} 4"))
    mark = sandbox.sent_count()
    await _delivered(story, mark, await story.say(OWNER, OWNER, f"/stock {SKU} 3"))
    story.note("still low: no second notice")
    await story.say(OWNER, OWNER, "/stock")
