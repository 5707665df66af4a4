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
from bot.dev.testbed import Testbed
from tests.e2e.engine_clock import bed_on_clock

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
