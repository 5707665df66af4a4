"""Demo scene: the seller broadcasts to the groups of one tag, with preview, progress and the
final report (the outbox and delivery engine at work)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dev.testbed import DEFAULT_OWNER

if TYPE_CHECKING:
    from bot.dev.demo.story import Transcript

OWNER = DEFAULT_OWNER


async def scene_broadcast(story: Transcript) -> None:
    bed = story.bed
    sandbox = bed.sandbox
    groups = story.groups
    story.scene("群发给打了标签的群 / a broadcast to the groups with one tag")
    await story.say(OWNER, OWNER, f"/tag_group {groups[2]} 一件代发")
    sent = await story.say(
        OWNER, OWNER, "/broadcast 今晚 8 点直播：新款连衣裙首发价 99 元\n名额有限，先到先得"
    )
    choose = sent[-1]
    data = next(str(b["callback_data"]) for b in choose.buttons if "一件代发" in str(b.get("text")))
    await story.act(
        "卖家",
        "ticks [标签：一件代发]",
        lambda: sandbox.click(OWNER, choose.chat_id, choose.message_id, data),
    )
    done = next(str(b["callback_data"]) for b in choose.buttons if "完成" in str(b.get("text")))
    preview = await story.act(
        "卖家",
        "taps [完成]",
        lambda: sandbox.click(OWNER, choose.chat_id, choose.message_id, done),
    )
    confirm = preview[-1]
    send = next(
        str(b["callback_data"]) for b in confirm.buttons if "bc:s:" in str(b.get("callback_data"))
    )
    mark = sandbox.sent_count()
    await story.act(
        "卖家",
        "taps [✅ 发送]",
        lambda: sandbox.click(OWNER, confirm.chat_id, confirm.message_id, send),
    )
    await bed.services.outbox.wait_idle(30)
    story.show([m for m in sandbox.sent_since(mark) if m.chat_id != OWNER])
    story.show([m for m in sandbox.messages(OWNER)[-2:]])  # the progress message, the report
    await story.say(OWNER, OWNER, "/broadcasts")
