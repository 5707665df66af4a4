"""The daily quality recompute is a system schedule of the bot's own scheduler (no PTB JobQueue)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.warnings import PTBUserWarning

from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at, run_due

KIND = "quality_recompute"
AGENTS = (2001, 2002)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))


@pytest.fixture
async def sbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    overrides = {"quality": {"recompute_hour": 6}}
    async with Testbed(
        database=tmp_path / "bot.sqlite3", clock=clock, overrides=overrides
    ) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def _computed_at(bed: Testbed) -> list[int]:
    scores = [await bed.services.profiles.score(user_id) for user_id in AGENTS]
    return [score.computed_at if score is not None else -1 for score in scores]


async def test_the_application_has_no_job_queue(sbed: Testbed) -> None:
    with pytest.warns(PTBUserWarning, match="No `JobQueue` set up"):
        assert sbed.application.job_queue is None


async def test_recompute_fires_daily_at_the_configured_hour(
    sbed: Testbed, clock: FakeClock
) -> None:
    group = await make_group(sbed, "代理群")
    await join(sbed, group, AGENTS[0], "Li", "li_taobao")
    await join(sbed, group, AGENTS[1], "张", "zhang_pdd")
    assert await _computed_at(sbed) == [0, 0]  # the placeholders of new agents
    [schedule] = await sbed.services.schedules.by_kind(KIND)
    assert schedule.status == "active" and schedule.next_planned_at == at(2027, 3, 2, 6, 0)
    assert f"schedule:{schedule.id}" in sbed.services.scheduler.job_ids()
    # A system job: not in the seller's list of schedules.
    assert (await sbed.say(OWNER, OWNER, "/schedules"))[-1].text == "暂无定时任务。"

    clock.set(2027, 3, 2, 5, 59)
    await run_due(sbed, clock)
    assert await _computed_at(sbed) == [0, 0]
    clock.set(2027, 3, 2, 6, 0)
    await run_due(sbed, clock)
    assert await _computed_at(sbed) == [clock.now, clock.now]
    await run_due(sbed, clock)  # a second wake at the same time runs nothing more
    fires = await sbed.services.schedules.fires(schedule.id)
    assert [(fire.planned_at, fire.status) for fire in fires] == [(clock.now, "skipped")]
    moved = await sbed.services.schedules.get(schedule.id)
    assert moved is not None and moved.next_planned_at == at(2027, 3, 3, 6, 0)

    clock.set(2027, 3, 3, 6, 0)
    await run_due(sbed, clock)
    assert await _computed_at(sbed) == [clock.now, clock.now]


async def test_restart_with_another_hour_re_times_the_one_recompute(
    sbed: Testbed, clock: FakeClock
) -> None:
    await sbed.stop_bot()
    quality = sbed.settings.quality.model_copy(update={"recompute_hour": 3})
    sbed.settings = sbed.settings.model_copy(update={"quality": quality})
    await sbed.start_bot()
    [schedule] = await sbed.services.schedules.by_kind(KIND)
    assert schedule.status == "active" and schedule.next_planned_at == at(2027, 3, 2, 3, 0)
    assert schedule.rule == "cron:*:03:00"


async def test_recompute_missed_during_a_long_downtime_is_not_reported(
    sbed: Testbed, clock: FakeClock
) -> None:
    """Like the other system jobs: past the grace period the fire is recorded as missed,
    silently (the next day's recompute covers it)."""
    await sbed.stop_bot()
    clock.set(2027, 3, 2, 9, 0)  # three hours late, the grace period is 30 minutes
    await sbed.start_bot()
    await sbed.services.outbox.wait_idle(10)
    [schedule] = await sbed.services.schedules.by_kind(KIND)
    fires = await sbed.services.schedules.fires(schedule.id)
    assert [(fire.planned_at, fire.status) for fire in fires] == [(at(2027, 3, 2, 6, 0), "missed")]
    assert schedule.next_planned_at == at(2027, 3, 3, 6, 0)
    assert not any("错过" in (message.text or "") for message in sbed.sandbox.messages(OWNER))
