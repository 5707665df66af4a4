"""A /dm held by quiet hours keeps its unreachable list: the report, when the held send goes
out ("send now anyway", or at the end of quiet hours), names who cannot be reached, as an
immediate /dm's does, also across a restart between the hold and the send."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at, run_due

LI, WANG, ZHAO = 2001, 2003, 2004


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))


@pytest.fixture
async def qbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    """Quiet hours 22:00-08:00; three VIP agents: Li started the bot, Zhao started it and then
    blocked it (a 403 marked him), Wang never started it."""
    quiet = {"quiet_hours": ["22:00-08:00"]}
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock, overrides=quiet) as bed:
        bed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        group = await make_group(bed, "代理群")
        for user_id, name in ((LI, "Li"), (WANG, "Wang"), (ZHAO, "Zhao")):
            await join(bed, group, user_id, name, name.lower() + "_shop")
            await bed.say(OWNER, OWNER, f"/tag {user_id} VIP客户")
        for user_id in (LI, ZHAO):
            await bed.say(user_id, user_id, "/start")
        await bed.services.reach.mark_blocked(ZHAO, clock.now)
        yield bed


def _button(message: SentMessage, suffix: str) -> str:
    for item in message.buttons:
        data = str(item.get("callback_data", ""))
        if (data.startswith("dm:s:") and suffix == "send") or data.endswith(suffix):
            return data
    raise AssertionError(f"no button {suffix!r} in {message.buttons}")


async def _held_dm(bed: Testbed, text: str) -> SentMessage:
    """/dm to the VIP agents during quiet hours, Send pressed: the quiet-hours question."""
    sent = await bed.say(OWNER, OWNER, f"/dm tag:VIP客户 {text}")
    confirm = sent[-1]
    assert "无法送达：2 位（未启动机器人 1，已屏蔽机器人 1）" in (confirm.text or "")
    await bed.click(OWNER, confirm, _button(confirm, "send"))
    question = bed.sandbox.messages(OWNER)[-1]
    assert question.message_id == confirm.message_id and "08:00" in (question.text or "")
    await bed.services.outbox.wait_idle(10)
    assert not any(text in (m.text or "") for m in bed.sandbox.messages(LI))
    return question


def _report(bed: Testbed, after: int) -> str:
    """The one report sent after message ``after`` in the owner's chat."""
    later = [m for m in bed.sandbox.messages(OWNER) if m.message_id > after]
    assert len(later) == 1, [m.text for m in later]
    return later[0].text or ""


def _assert_report(report: str) -> None:
    assert "送达 1/3" in report and "失败 2" in report
    assert "Wang：未启动机器人" in report
    assert "Zhao：已屏蔽机器人" in report


async def _immediate_report(bed: Testbed, clock: FakeClock) -> str:
    clock.set(2027, 3, 1, 10, 0)
    sent = await bed.say(OWNER, OWNER, "/dm tag:VIP客户 白天的通知")
    await bed.click(OWNER, sent[-1], _button(sent[-1], "send"))
    await bed.services.outbox.wait_idle(10)
    return _report(bed, sent[-1].message_id)


async def test_held_dm_sent_now_anyway_reports_the_unreachable(
    qbed: Testbed, clock: FakeClock
) -> None:
    bed = qbed
    immediate = await _immediate_report(bed, clock)
    _assert_report(immediate)
    clock.set(2027, 3, 1, 23, 30)
    question = await _held_dm(bed, "深夜通知")
    await bed.click(OWNER, question, _button(question, ":now"))
    await bed.services.outbox.wait_idle(10)
    assert [m.text for m in bed.sandbox.messages(LI)][-1] == "深夜通知"
    report = _report(bed, question.message_id)
    _assert_report(report)
    # The same failure rows as the immediate /dm's report.
    assert report.splitlines()[2:] == immediate.splitlines()[2:]
    row = await bed.services.db.fetchone("SELECT count(*) FROM held_unreachable")
    assert row is not None and row[0] == 0


async def test_held_dm_sent_at_the_end_of_quiet_hours_after_a_restart(
    qbed: Testbed, clock: FakeClock
) -> None:
    bed = qbed
    clock.set(2027, 3, 1, 23, 30)
    question = await _held_dm(bed, "早上再发")
    await bed.click(OWNER, question, _button(question, ":later"))
    await bed.stop_bot()  # a restart between the hold and the send
    clock.set(2027, 3, 2, 8, 1)
    await bed.start_bot()
    await run_due(bed, clock)
    assert [m.text for m in bed.sandbox.messages(LI)][-1] == "早上再发"
    _assert_report(_report(bed, question.message_id))
    await run_due(bed, clock)  # waking again sends nothing and adds nothing
    fails = await bed.services.db.fetchone(
        "SELECT count(*) FROM deliveries WHERE status = 'failed' AND chat_id IN (?, ?)",
        (WANG, ZHAO),
    )
    assert fails is not None and fails[0] == 2


async def test_held_dm_restart_before_send_now_anyway(qbed: Testbed, clock: FakeClock) -> None:
    bed = qbed
    clock.set(2027, 3, 1, 23, 30)
    question = await _held_dm(bed, "重启之后")
    await bed.stop_bot()
    await bed.start_bot()
    await bed.click(OWNER, question, _button(question, ":now"))
    await bed.services.outbox.wait_idle(10)
    assert [m.text for m in bed.sandbox.messages(LI)][-1] == "重启之后"
    _assert_report(_report(bed, question.message_id))
