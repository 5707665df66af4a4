"""Demo scenes: a product scheduled with a 预热 teaser first, and a training with RSVPs.

The scenes drive a hand-set clock (tomorrow 09:00 and later) so that the story does not depend
on the hour it is run at (quiet hours) and fires happen when the story says; the real clock is
put back at the end.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from bot.dev.testbed import DEFAULT_OWNER

if TYPE_CHECKING:
    from bot.dev.demo.story import Transcript
    from bot.dev.sandbox import SentMessage

OWNER = DEFAULT_OWNER

SKU = "DS-2026-002"


def _photo(n: int) -> bytes:
    """A tiny stand-in for a product photo (the sandbox reads only the PNG header)."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (900 + n).to_bytes(4, "big") * 2


class _Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)


async def _tick(story: Transcript, clock: _Clock, moment: datetime, what: str) -> None:
    """Move the clock, let the scheduler fire what is due, show what went out."""
    bed = story.bed
    clock.now = int(moment.timestamp())
    print(f"⏰ {moment.strftime('%Y-%m-%d %H:%M')} — {what}")
    mark = bed.sandbox.sent_count()
    await bed.services.scheduler.run_due(clock.now)
    await bed.services.outbox.wait_idle(30)
    story.show(bed.sandbox.sent_since(mark))


async def _tap(story: Transcript, who: int, message: SentMessage, data: str, label: str) -> None:
    sandbox = story.bed.sandbox
    await story.act(
        story.names.get(who, str(who)),
        f"taps [{label}]",
        partial(sandbox.click, who, message.chat_id, message.message_id, data),
    )


async def scene_schedule(story: Transcript) -> None:
    bed = story.bed
    services = bed.services
    tz = services.settings.tz
    real_clock = services.clock
    start = (datetime.now(tz) + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    clock = _Clock(int(start.timestamp()))
    services.clock = clock
    try:
        await _teaser_and_launch(story, clock, start)
        await _training(story, clock, start)
        await _cancelled_training(story, clock, start)
    finally:
        services.clock = real_clock


async def _teaser_and_launch(story: Transcript, clock: _Clock, start: datetime) -> None:
    sandbox = story.bed.sandbox
    story.scene("定时上新：先预热，再上新 / a scheduled launch with a teaser first")
    print(f"⏰ {start.strftime('%Y-%m-%d %H:%M')} (the demo's clock)")
    for text in ["/newproduct", SKU, "复古针织开衫", "¥159", "99", "女装/针织衫"]:
        await story.say(OWNER, OWNER, text)
    await story.say(OWNER, OWNER, "羊毛混纺，秋冬款，S-L 三个尺码。")
    await story.act("卖家", "sends a photo", partial(sandbox.send_photo, OWNER, OWNER, _photo(1)))
    preview = await story.say(OWNER, OWNER, "/done")
    await _tap(story, OWNER, preview[-1], "np:teaser", "🔥 先预热")
    offer = sandbox.messages(OWNER)[-1]
    story.show([offer])
    await _tap(story, OWNER, offer, str(offer.buttons[0]["callback_data"]), "选择时间")
    await story.say(OWNER, OWNER, "10:00")
    await story.say(OWNER, OWNER, "20:00")
    await story.say(OWNER, OWNER, "/schedules")
    await _tick(story, clock, start.replace(hour=10), "the teaser fires")
    await _tick(story, clock, start.replace(hour=20), "the launch fires")


async def _training(story: Transcript, clock: _Clock, start: datetime) -> None:
    sandbox = story.bed.sandbox
    group = story.groups[0]
    story.scene("统一培训：报名按钮、计数、提醒 / a training with RSVP buttons and reminders")
    await story.say(2001, 2001, "/start")  # 李 can now get private reminders
    clock.now = int(start.replace(hour=20, minute=30).timestamp())
    training_day = start + timedelta(days=1)
    for text in [
        "/training",
        "秋冬新品卖点培训",
        training_day.strftime("%Y-%m-%d") + " 21:00",
        "60",
        "腾讯会议 888-123-456",
        "跳过",
        "全部",
    ]:
        await story.say(OWNER, OWNER, text)
    await story.bed.services.outbox.wait_idle(30)
    announcement = sandbox.messages(group)[-1]
    answers = {"yes": "参加", "maybe": "待定"}
    for user_id, answer in ((2001, "yes"), (2003, "maybe")):
        await _tap(story, user_id, announcement, f"rsvp:1:{answer}", answers[answer])
    await sandbox.wait_for(lambda: "参加 1" in (sandbox.messages(group)[-1].text or ""), 10)
    story.note("the announcement is edited in every group: counts in the text and buttons")
    story.show([sandbox.messages(group)[-1]])
    await _tick(story, clock, start.replace(hour=21), "24 h before the training")
    await _tick(story, clock, training_day.replace(hour=20), "1 h before the training")
    await story.say(OWNER, OWNER, "/training 1")


async def _cancelled_training(story: Transcript, clock: _Clock, start: datetime) -> None:
    sandbox = story.bed.sandbox
    group = story.groups[0]
    story.scene("取消培训：公告标记已取消，群里和报名的人都收到通知 / cancelling a training")
    clock.now = int((start + timedelta(days=1)).replace(hour=21, minute=30).timestamp())
    for text in [
        "/training",
        "直播选品培训",
        (start + timedelta(days=3)).strftime("%Y-%m-%d") + " 20:00",
        "45",
        "腾讯会议 888-654-321",
        "跳过",
        "全部",
    ]:
        await story.say(OWNER, OWNER, text)
    await story.bed.services.outbox.wait_idle(30)
    announcement = sandbox.messages(group)[-1]
    await _tap(story, 2001, announcement, "rsvp:2:yes", "参加")
    confirm = (await story.say(OWNER, OWNER, "/cancel_training 2"))[-1]
    cancel = next(b for b in confirm.buttons if str(b["callback_data"]).endswith(":y"))
    await _tap(story, OWNER, confirm, str(cancel["callback_data"]), str(cancel["text"]))
    await story.bed.services.outbox.wait_idle(30)
    story.note("the announcement, edited in every group: marked cancelled, no buttons")
    edited = [m for m in sandbox.messages(group) if m.message_id == announcement.message_id]
    story.show(edited)
    story.note("the seller's question, now the summary")
    story.show([sandbox.messages(OWNER)[-1]])
