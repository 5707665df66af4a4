"""Private-chat pacing, shown on an engine clock that jumps instead of waiting.

The test bed sends to private chats at test speed (``Testbed.TEST_DEFAULTS``); these tests set
the rate back explicitly and run the delivery engine and the sandbox on one fast-forward clock:
whenever the engine would wait for its windows, the clock moves on by that much at once. The
sandbox records each call's time on the same clock, so the spacing Telegram would see is
measured exactly and the test takes no wall time.
"""

from __future__ import annotations

from pathlib import Path

from bot.broadcast.outbox import Payload
from bot.dev.sandbox import SandboxLimits, SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.engine_clock import bed_on_clock
from tests.e2e.helpers import OWNER, make_group, texts

AGENT = 555


async def _paced_bed(tmp_path: Path, per_second: int) -> Testbed:
    rate_limits = {"per_private_chat_per_second": per_second}
    bed, _ = await bed_on_clock(tmp_path / "bot.sqlite3", rate_limits=rate_limits)
    bed.sandbox.add_user(AGENT, "代理", language_code="zh-hans", started=True)
    return bed


async def _send_times(bed: Testbed, texts: list[str]) -> list[float]:
    """Broadcast each text to the agent's private chat; the clock time of each sendMessage."""
    outbox = bed.services.outbox
    for text in texts:
        await outbox.submit("text", Payload("text", text), [AGENT], None)
    await outbox.wait_idle(10)
    calls = bed.sandbox.calls("sendMessage", AGENT)
    assert [call.params["text"] for call in calls] == texts
    return [call.at for call in calls]


async def test_second_message_to_a_private_chat_waits_for_its_window(tmp_path: Path) -> None:
    bed = await _paced_bed(tmp_path, per_second=1)
    try:
        first, second, third = await _send_times(bed, ["一", "二", "三"])
        assert second - first >= 1.0
        assert third - second >= 1.0
    finally:
        await bed.stop()


async def test_private_chat_rate_is_the_setting(tmp_path: Path) -> None:
    bed = await _paced_bed(tmp_path, per_second=2)
    try:
        times = await _send_times(bed, ["一", "二", "三", "四"])
        assert times[1] - times[0] < 1.0  # two fit in one second
        assert times[2] - times[0] >= 1.0 and times[3] - times[1] >= 1.0
    finally:
        await bed.stop()


# ---------------------------------------------------------------- one window for everything


async def _limited_bed(tmp_path: Path) -> Testbed:
    """Telegram's limits in the bot and, enforced with 429s, in the sandbox; both on the
    fast-forward clock, so a full window is waited out at once."""
    bed, _ = await bed_on_clock(
        tmp_path / "bot.sqlite3", rate_limits={"global_per_second": 30, "per_group_per_minute": 20}
    )
    bed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
    await bed.say(OWNER, OWNER, "/start")
    return bed


async def test_previews_and_confirmations_share_the_window_with_a_running_broadcast(
    tmp_path: Path,
) -> None:
    """Three broadcasts composed back to back, each to 40 groups: the second and third previews
    and every confirmation go out while the first fills the 30-a-second window, yet nothing is
    answered 429 and every group gets each broadcast once."""
    bed = await _limited_bed(tmp_path)
    try:
        targets = [await make_group(bed, f"代理群{i}") for i in range(40)]
        bed.sandbox.limits = SandboxLimits(global_per_second=30, per_chat_per_minute=20)
        for k in range(3):
            choose = _to_owner(await bed.say(OWNER, OWNER, f"/broadcast 第{k}号通知"), "全部正常群")
            confirm = _to_owner(
                await bed.click(OWNER, choose, _button(choose, "全部正常群")), "发送"
            )
            await bed.click(OWNER, confirm, _button(confirm, "发送"))
        await bed.services.outbox.wait_idle(30)
        for chat_id in targets:
            assert texts(bed.sandbox.messages(chat_id)) == [f"第{k}号通知" for k in range(3)]
        assert bed.sandbox.stats.too_many_requests == 0
    finally:
        await bed.stop()


async def test_a_reply_in_a_group_takes_a_slot_of_its_minute(tmp_path: Path) -> None:
    """The app's message into a group counts in the group's 20 a minute: a broadcast of 20
    right after it sends its last one a minute later, instead of drawing a 429."""
    bed = await _limited_bed(tmp_path)
    try:
        chat_id = await make_group(bed, "代理群")
        bed.sandbox.limits = SandboxLimits(global_per_second=30, per_chat_per_minute=20)
        await bed.application.bot.send_message(chat_id, "您好")
        outbox = bed.services.outbox
        for k in range(20):
            await outbox.submit("text", Payload("text", f"通知{k}"), [chat_id], None)
        await outbox.wait_idle(30)
        calls = [c for c in bed.sandbox.calls("sendMessage", chat_id) if c.ok]
        assert [c.params["text"] for c in calls] == ["您好"] + [f"通知{k}" for k in range(20)]
        assert calls[-1].at - calls[0].at >= 60.0
        assert bed.sandbox.stats.too_many_requests == 0
    finally:
        await bed.stop()


def _to_owner(sent: list[SentMessage], label: str) -> SentMessage:
    """The last message the bot sent the seller with a button labelled ``label`` (deliveries
    to groups, and the running broadcasts' progress messages, go out meanwhile)."""
    return [
        message
        for message in sent
        if message.chat_id == OWNER and any(label in item["text"] for item in message.buttons)
    ][-1]


def _button(message: SentMessage, label: str) -> str:
    for item in message.buttons:
        if label in item["text"]:
            return str(item["callback_data"])
    raise AssertionError(f"no button labelled {label!r} in {message.buttons}")
