"""Demo scenes: an agent fills in the store profile in private, the seller approves it, rates
agents, and works through the low-quality review queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dev.testbed import DEFAULT_OWNER as OWNER

if TYPE_CHECKING:
    from bot.dev.demo.story import Transcript
    from bot.dev.sandbox import SentMessage


def _button(message: SentMessage, prefix: str) -> str:
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"].startswith(prefix):
                return str(button["callback_data"])
    raise LookupError(f"no button {prefix!r}")


async def _tap(story: Transcript, message: SentMessage, prefix: str) -> list[SentMessage]:
    data = _button(message, prefix)
    sandbox = story.bed.sandbox
    return await story.act(
        story.names[message.chat_id],
        f"taps [{prefix}…]",
        lambda: sandbox.click(message.chat_id, message.chat_id, message.message_id, data),
    )


async def scene_profiles(story: Transcript) -> None:
    sandbox = story.bed.sandbox
    li = story.agents.get("li_taobao", 2001)
    # The seller's category tree, as config.example.toml has it (category match needs it).
    story.bed.settings.seller_categories = ["女装/连衣裙", "女装/T恤", "家居/收纳"]
    story.scene("P1. 代理私聊填写店铺资料 / an agent fills in the store profile in private")
    await story.say(li, li, "/start")
    await story.say(li, li, "/profile")
    answers = [
        "淘宝",
        "李家女装小店",
        "lijia.taobao.com",
        "https://lijia.taobao.com",
        "女装/连衣裙",
        "3钻",
        "4.8",
        "4.9",
        "4.7",
        "营业中",
        "一件代发",
        "浙江 杭州",
        "lijia2020",
    ]
    for answer in answers:
        await story.say(li, li, answer)

    story.scene("P2. 卖家审核通过 / the seller approves the application")
    review = next(
        m for m in reversed(sandbox.messages(OWNER)) if m.reply_markup and "#" in (m.text or "")
    )
    await _tap(story, review, "✅")
    story.show([m for m in sandbox.messages(OWNER) if m.message_id == review.message_id])
    await story.say(li, li, "/myprofile")

    story.scene("P3. 评分与采购记录 / ratings and purchase records")
    await story.say(OWNER, OWNER, "/rate @li_taobao 5 出单稳定，回款及时")
    await story.say(OWNER, OWNER, "/rate @zhang_pdd 2 拿样后没有上架")
    orders = "代理,订单数,金额,周期\n@li_taobao,36,12800.50,2026-10\n@zhang_pdd,0,0,2026-10\n"
    await story.act(
        "卖家",
        "sends orders.csv with caption /import_orders",
        lambda: sandbox.send_document(
            OWNER, OWNER, "orders.csv", orders.encode("utf-8-sig"), "/import_orders"
        ),
    )
    await story.say(OWNER, OWNER, "/agent @li_taobao")
    await story.say(OWNER, OWNER, "/agents tier:优质")

    story.scene("P4. 低质代理审核 / the low-quality review queue")
    # Agents who have sent no profile in their first two weeks are 待完善, not 无效.
    await story.say(OWNER, OWNER, "/agents tier:待完善")
    story.note("(两周后 / two weeks later: [quality] newcomer_days have passed)")
    story.bed.settings.quality.newcomer_days = 0
    queue = (await story.say(OWNER, OWNER, "/lowquality"))[0]
    await _tap(story, queue, "✉️ 私信 1")
    queue = next(m for m in sandbox.messages(OWNER) if m.message_id == queue.message_id)
    await _tap(story, queue, "⏸ 保留 1")
    story.show([m for m in sandbox.messages(OWNER) if m.message_id == queue.message_id])
    await story.say(OWNER, OWNER, "/export")
