"""Schedules end to end: exactly once across restarts, grace, quiet hours, commands."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.broadcast.outbox import Payload, inline_markup
from bot.dev.testbed import Testbed
from bot.scheduling.broadcasts import quiet_question, schedule_broadcast, send_or_hold
from bot.scheduling.model import Targets
from tests.e2e.helpers import OWNER, make_group
from tests.e2e.schedule_helpers import FakeClock, at, run_due, texts_in


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))  # a Monday


@pytest.fixture
async def sbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    quiet = {"quiet_hours": ["13:00-14:00", "22:00-08:00"]}
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock, overrides=quiet) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def _restart(bed: Testbed) -> None:
    await bed.stop_bot()
    await bed.start_bot()
    await bed.services.outbox.wait_idle(10)


async def test_restart_across_fire_time_sends_once(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    sent = await sbed.say(OWNER, OWNER, "/schedule 2027-03-01 20:00 今晚八点上新")
    assert "已创建定时任务 #" in sent[-1].text
    await run_due(sbed, clock)
    assert texts_in(sbed, group) == []

    await sbed.stop_bot()
    clock.set(2027, 3, 1, 20, 5)  # the fire time passes while the bot is down
    await sbed.start_bot()
    await sbed.services.outbox.wait_idle(10)
    assert texts_in(sbed, group) == ["今晚八点上新"]

    await run_due(sbed, clock)  # APScheduler waking again changes nothing
    await _restart(sbed)  # nor does another restart
    assert texts_in(sbed, group) == ["今晚八点上新"]
    schedule = (await sbed.services.schedules.by_kind("broadcast"))[0]
    fires = await sbed.services.schedules.fires(schedule.id)
    assert [(f.planned_at, f.status) for f in fires] == [(at(2027, 3, 1, 20, 0), "sent")]
    assert schedule.status == "done"


async def test_fire_lost_before_it_was_recorded_is_not_sent_twice(
    sbed: Testbed, clock: FakeClock
) -> None:
    """The process died after outbox.submit but before the fire was recorded: the repeated
    fire carries the same idempotency key and makes no second broadcast."""
    group = await make_group(sbed, "代理群")
    await sbed.say(OWNER, OWNER, "/schedule 20:00 hello")
    clock.set(2027, 3, 1, 20, 0)
    await run_due(sbed, clock)
    schedule = (await sbed.services.schedules.by_kind("broadcast"))[0]
    async with sbed.services.db.transaction() as connection:  # undo only the record
        await connection.execute("DELETE FROM schedule_fires WHERE schedule_id = ?", (schedule.id,))
        await connection.execute(
            "UPDATE schedules SET status = 'active', next_planned_at = ?, next_due_at = ?"
            " WHERE id = ?",
            (at(2027, 3, 1, 20, 0), at(2027, 3, 1, 20, 0), schedule.id),
        )
    await _restart(sbed)
    assert texts_in(sbed, group) == ["hello"]
    rows = await sbed.services.db.fetchall(
        "SELECT idempotency_key FROM broadcasts WHERE kind = 'text'"
    )
    assert [row[0] for row in rows] == [f"schedule:{schedule.id}:2027-03-01T12:00Z"]


async def test_downtime_past_grace_is_missed_and_reported(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    await sbed.say(OWNER, OWNER, "/schedule 2027-03-01 20:00 too late")
    await sbed.stop_bot()
    clock.set(2027, 3, 1, 20, 31)  # grace is 30 minutes
    await sbed.start_bot()
    await sbed.services.outbox.wait_idle(10)
    assert texts_in(sbed, group) == []
    report = next(text for text in texts_in(sbed, OWNER) if "错过" in text)
    assert "错过了 1 次" in report and "2027-03-01 20:00" in report
    schedule = (await sbed.services.schedules.by_kind("broadcast"))[0]
    fires = await sbed.services.schedules.fires(schedule.id)
    assert [f.status for f in fires] == ["missed"]


async def test_recurring_schedule_after_long_downtime(sbed: Testbed, clock: FakeClock) -> None:
    """Down for three days over a daily 10:00 schedule: the old fires are missed, today's
    (20 minutes late) is sent, and the next one is tomorrow."""
    group = await make_group(sbed, "代理群")
    sent = await sbed.say(OWNER, OWNER, "/schedule 每天 10:00 早安")
    assert "每天 10:00" in sent[-1].text
    await sbed.stop_bot()
    clock.set(2027, 3, 5, 10, 20)
    await sbed.start_bot()
    await sbed.services.outbox.wait_idle(10)
    assert texts_in(sbed, group) == ["早安"]
    schedule = (await sbed.services.schedules.by_kind("broadcast"))[0]
    fires = await sbed.services.schedules.fires(schedule.id)
    assert [f.status for f in fires] == ["missed", "missed", "missed", "sent"]
    assert schedule.next_planned_at == at(2027, 3, 6, 10, 0)
    assert any("错过了 3 次" in text for text in texts_in(sbed, OWNER))


async def test_quiet_hours_shift_a_scheduled_fire(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    sent = await sbed.say(OWNER, OWNER, "/schedule 13:30 午间消息")
    assert "顺延到 2027-03-01 14:00" in sent[-1].text
    clock.set(2027, 3, 1, 13, 30)
    await run_due(sbed, clock)
    assert texts_in(sbed, group) == []
    clock.set(2027, 3, 1, 14, 0)
    await run_due(sbed, clock)
    assert texts_in(sbed, group) == ["午间消息"]
    schedule = (await sbed.services.schedules.by_kind("broadcast"))[0]
    fires = await sbed.services.schedules.fires(schedule.id)
    assert [(f.status, f.planned_at, f.due_at) for f in fires] == [
        ("shifted", at(2027, 3, 1, 13, 30), at(2027, 3, 1, 14, 0))
    ]


async def test_immediate_send_in_quiet_hours_asks_the_admin(
    sbed: Testbed, clock: FakeClock
) -> None:
    group = await make_group(sbed, "代理群")
    clock.set(2027, 3, 1, 23, 0)
    services = sbed.services
    later = await send_or_hold(
        services,
        "text",
        Payload(kind="text", text="晚上好"),
        Targets(),
        creator_id=OWNER,
        title="t",
    )
    assert later.held is not None and later.quiet_end == at(2027, 3, 2, 8, 0)
    now = await send_or_hold(
        services,
        "text",
        Payload(kind="text", text="紧急通知"),
        Targets(),
        creator_id=OWNER,
        title="t",
    )
    assert now.held is not None
    # The question and its buttons, as a handler would render them.
    text, keyboard = quiet_question("zh", later, services.settings.tz)
    assert "2027-03-02 08:00" in text
    message = await sbed.application.bot.send_message(
        OWNER, text, reply_markup=inline_markup(keyboard)
    )
    question = sbed.sandbox.messages(OWNER)[-1]
    assert question.message_id == message.message_id
    await sbed.click(OWNER, question, f"qh:{later.held.id}:later")
    assert "2027-03-02 08:00" in sbed.sandbox.messages(OWNER)[-1].text

    text, keyboard = quiet_question("zh", now, services.settings.tz)
    await sbed.application.bot.send_message(OWNER, text, reply_markup=inline_markup(keyboard))
    question = sbed.sandbox.messages(OWNER)[-1]
    await sbed.click(OWNER, question, f"qh:{now.held.id}:now")
    await services.outbox.wait_idle(10)
    assert texts_in(sbed, group) == ["紧急通知"]
    # A second click on an answered question (a stale client) changes nothing.
    held_id = now.held.id
    await sbed.run(
        lambda: sbed.sandbox.click(
            OWNER, OWNER, question.message_id, f"qh:{held_id}:now", strict=False
        )
    )
    await services.outbox.wait_idle(10)
    assert texts_in(sbed, group) == ["紧急通知"]

    clock.set(2027, 3, 2, 8, 0)
    await run_due(sbed, clock)
    assert texts_in(sbed, group) == ["紧急通知", "晚上好"]


async def test_list_pause_resume_cancel(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    await sbed.say(OWNER, OWNER, "/schedule mon,thu 10:00 每周两次")
    await sbed.say(OWNER, OWNER, "/schedule +2h 两小时后")
    listing = (await sbed.say(OWNER, OWNER, "/schedules"))[-1].text
    assert "每周一、四 10:00" in listing and "两小时后" in listing
    schedules = await sbed.services.schedules.by_kind("broadcast")
    weekly, once = schedules[0].id, schedules[1].id
    assert "已暂停" in (await sbed.say(OWNER, OWNER, f"/pause_schedule {weekly}"))[-1].text
    assert "不能暂停" in (await sbed.say(OWNER, OWNER, f"/pause_schedule {weekly}"))[-1].text
    clock.set(2027, 3, 1, 12, 0)
    await run_due(sbed, clock)
    clock.set(2027, 3, 4, 10, 0)
    await run_due(sbed, clock)
    assert texts_in(sbed, group) == ["两小时后"]  # the paused one did not fire
    resumed = (await sbed.say(OWNER, OWNER, f"/resume_schedule {weekly}"))[-1].text
    assert "2027-03-08 10:00" in resumed  # passed fires are skipped on resume
    assert "已取消" in (await sbed.say(OWNER, OWNER, f"/cancel_schedule {weekly}"))[-1].text
    assert "不能取消" in (await sbed.say(OWNER, OWNER, f"/cancel_schedule {once}"))[-1].text
    assert "没有编号为 999" in (await sbed.say(OWNER, OWNER, "/cancel_schedule 999"))[-1].text
    assert "用法" in (await sbed.say(OWNER, OWNER, "/pause_schedule abc"))[-1].text
    clock.set(2027, 3, 8, 10, 0)
    await run_due(sbed, clock)
    assert texts_in(sbed, group) == ["两小时后"]


async def test_bad_input_changes_nothing(sbed: Testbed, clock: FakeClock) -> None:
    await make_group(sbed, "代理群")
    reply = (await sbed.say(OWNER, OWNER, "/schedule someday hello"))[-1].text
    assert "无法识别" in reply and "可用格式" in reply
    reply = (await sbed.say(OWNER, OWNER, "/schedule 2020-01-01 10:00 hello"))[-1].text
    assert "已经过去" in reply
    assert "用法" in (await sbed.say(OWNER, OWNER, "/schedule"))[-1].text
    assert await sbed.services.schedules.by_kind("broadcast") == []
    sbed.sandbox.add_user(555, "路人", language_code="zh-hans")
    refused = (await sbed.say(555, 555, "/schedule 20:00 spam"))[-1].text
    assert "⛔" in refused
    assert await sbed.services.schedules.by_kind("broadcast") == []


async def test_tagged_targets(sbed: Testbed, clock: FakeClock) -> None:
    vip = await make_group(sbed, "VIP群")
    other = await make_group(sbed, "普通群")
    await sbed.say(OWNER, OWNER, f"/tag_group {vip} VIP")
    await sbed.say(OWNER, OWNER, "/schedule tag:VIP 明天 10:00 VIP专享")
    clock.set(2027, 3, 2, 10, 0)
    await run_due(sbed, clock)
    assert texts_in(sbed, vip) == ["VIP专享"]
    assert texts_in(sbed, other) == []


async def test_apscheduler_wakes_the_scheduler_in_real_time(tmp_path: Path) -> None:
    """The real wiring: a schedule that is due fires by itself, woken by APScheduler (real
    clock; no test calls run_due). Due now rather than in a second, so the test does not wait."""
    async with Testbed(database=tmp_path / "real.sqlite3") as bed:
        bed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        group = await make_group(bed, "代理群")
        services = bed.services
        # Outside quiet hours whatever the real time is: this one ignores them.
        schedule = await schedule_broadcast(
            services,
            "text",
            Payload(kind="text", text="tick"),
            Targets(),
            int(time.time()),
            creator_id=OWNER,
            title="tick",
            quiet=False,
        )
        assert f"schedule:{schedule.id}" in services.scheduler.job_ids()
        await bed.sandbox.wait_for(lambda: texts_in(bed, group) == ["tick"], timeout=10)
        await asyncio.sleep(0)
        assert f"schedule:{schedule.id}" not in services.scheduler.job_ids()


async def test_broadcast_command_in_quiet_hours_asks_then_sends_on_now(
    sbed: Testbed, clock: FakeClock
) -> None:
    """/broadcast during quiet hours: nothing goes out until the admin answers."""
    group = await make_group(sbed, "代理群")
    clock.set(2027, 3, 1, 23, 30)
    sent = await sbed.say(OWNER, OWNER, "/broadcast 深夜通知")
    choose = sent[-1]
    target = next(b["callback_data"] for b in choose.buttons if "全部" in b["text"])
    confirm = (await sbed.click(OWNER, choose, target))[-1]
    send = next(
        b["callback_data"] for b in confirm.buttons if b["callback_data"].startswith("bc:s:")
    )
    await sbed.click(OWNER, confirm, send)
    question = sbed.sandbox.messages(OWNER)[-1]
    assert "08:00" in (question.text or "")
    await sbed.services.outbox.wait_idle(10)
    assert texts_in(sbed, group) == []
    now = next(b["callback_data"] for b in question.buttons if b["callback_data"].endswith(":now"))
    await sbed.click(OWNER, question, now)
    await sbed.services.outbox.wait_idle(10)
    assert texts_in(sbed, group) == ["深夜通知"]
