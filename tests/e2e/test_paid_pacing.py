"""Paid broadcasts go out paced, on an engine clock that jumps instead of waiting.

With ``allow_paid_broadcast`` the global window is the paid rate. The engine's pacer
(bot/broadcast/delivery/pacing.py) spreads the starts of the sends: a burst, then one per
refill interval, never a whole window at once. The sandbox, enforcing the paid rate with 429s,
records each call on the engine's fast-forward clock (tests/e2e/engine_clock.py), so the
spacing Telegram would see is measured exactly and the test takes no wall time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.broadcast.delivery import engine as engine_module
from bot.broadcast.delivery.engine import ENGINE_KEY, DeliveryEngine
from bot.broadcast.delivery.pacing import BURST, REFILL_FACTOR
from bot.broadcast.outbox import Payload
from bot.dev.sandbox import SandboxLimits
from bot.dev.sandbox.faults import SENDING_METHODS
from tests.e2e.engine_clock import bed_on_clock
from tests.e2e.helpers import texts

PAID_RATE = 100
GROUPS = 120
NOTICES = ["第1号通知", "第2号通知", "第3号通知"]


async def test_paid_sends_are_paced_within_the_window_and_none_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three broadcasts to 120 groups, read by the engine 50 deliveries a turn."""
    monkeypatch.setattr(engine_module, "LOAD_CHUNK", 50)
    rate_limits = {"allow_paid_broadcast": True, "paid_per_second": PAID_RATE}
    bed, _ = await bed_on_clock(tmp_path / "bot.sqlite3", rate_limits=rate_limits)
    try:
        sandbox = bed.sandbox
        groups = []
        for index in range(GROUPS):
            chat_id = sandbox.add_group(f"代理群{index}")
            sandbox.chat(chat_id).bot_status = "member"
            groups.append(chat_id)
        sandbox.limits = SandboxLimits(global_per_second=PAID_RATE, per_chat_per_minute=20)
        outbox = bed.services.outbox
        for text in NOTICES:
            await outbox.submit("text", Payload("text", text), groups, None)
        await outbox.wait_idle(60)

        for chat_id in groups:
            assert texts(sandbox.messages(chat_id)) == NOTICES
        assert sandbox.stats.too_many_requests == 0
        calls = [c for c in sandbox.calls() if c.method.lower() in SENDING_METHODS]
        assert all(call.ok for call in calls)
        assert all(call.params.get("allow_paid_broadcast") for call in calls)
        times = sorted(call.at for call in calls)
        assert len(times) == GROUPS * len(NOTICES)
        # Paced: never more than a burst at once, and within a token bucket's bound over any
        # stretch; without the pacer a whole window (100) went at the first instant.
        refill = PAID_RATE * REFILL_FACTOR
        assert times.count(times[0]) <= BURST
        for first in range(len(times)):
            for last in range(first, len(times)):
                assert last - first + 1 <= BURST + refill * (times[last] - times[first]) + 1e-6
        # ...and the window, not the pacer, is the limit: 360 sends at 100 a second.
        assert times[-1] - times[0] < (len(times) / PAID_RATE) * 1.05
        engine = bed.application.bot_data[ENGINE_KEY]
        assert isinstance(engine, DeliveryEngine)
        assert engine.stats.deliveries_sent == len(times)
    finally:
        await bed.stop()
