"""Groups are the seller's: a stranger's add is pending until an admin approves it, the bot
leaves it on Leave or after the approval timeout; strangers who /start the bot stay visitors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.agents.group_approval import TIMEOUT_KIND
from bot.dev.sandbox.records import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts
from tests.e2e.schedule_helpers import FakeClock, at, run_due

STRANGER = 666
HOUR = 3600


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))


@pytest.fixture
async def cbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        testbed.sandbox.add_user(STRANGER, "<b>Mallory</b>", username="mal_lory")
        yield testbed


async def stranger_adds(bed: Testbed, title: str) -> tuple[int, list[SentMessage]]:
    chat_id = bed.sandbox.add_group(title, members=[STRANGER])
    sent = await bed.run(lambda: bed.sandbox.add_bot_to_group(chat_id, STRANGER))
    return chat_id, sent


def notices(sent: list[SentMessage]) -> list[SentMessage]:
    return [m for m in sent if m.chat_id == OWNER and "等待审批" in (m.text or "")]


def decision(message: SentMessage, choice: str) -> str:
    data = [str(b["callback_data"]) for b in message.buttons]
    return next(d for d in data if d.endswith(":" + choice))


async def test_stranger_add_is_pending_and_owners_hear_once_per_hour(
    cbed: Testbed, clock: FakeClock
) -> None:
    chat_id, sent = await stranger_adds(cbed, "陌生群<1>")
    group = await cbed.services.groups.get(chat_id)
    assert group is not None and group.pending and not group.active
    [notice] = notices(sent)
    text = notice.text or ""
    assert str(chat_id) in text and "陌生群&lt;1&gt;" in text
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in text and "@mal_lory" in text and str(STRANGER) in text
    assert {str(b["callback_data"]) for b in notice.buttons} == {
        f"grp:{group.id}:ok",
        f"grp:{group.id}:leave",
    }
    # More adds by the same user within the hour: registered pending, not announced.
    second, sent = await stranger_adds(cbed, "陌生群2")
    assert notices(sent) == []
    pending = await cbed.services.groups.get(second)
    assert pending is not None and pending.pending
    clock.now += HOUR + 1
    _, sent = await stranger_adds(cbed, "陌生群3")
    assert len(notices(sent)) == 1
    listing = texts(await cbed.say(OWNER, OWNER, "/groups"))[0]
    assert "正常 0 · 待批准 3" in listing and listing.count("待批准") == 4


async def test_pending_group_gets_nothing_until_approved(cbed: Testbed) -> None:
    ours = await make_group(cbed, "代理群")
    chat_id, sent = await stranger_adds(cbed, "陌生群")
    [notice] = notices(sent)
    approve = decision(notice, "ok")
    # Members of a pending group are visitors: no agent row, no welcome.
    await join(cbed, chat_id, 3001, "访客")
    await cbed.say(chat_id, 3001, "大家好")
    assert await cbed.services.agents.get(3001) is None
    assert [m for m in cbed.sandbox.messages(chat_id) if "3001" in str(m)] == []
    targets = {g.chat_id for g in await cbed.services.groups.with_tags(())}
    assert targets == {ours}
    sent = await cbed.say(OWNER, OWNER, "/broadcast 今日新品")
    labels = [b["text"] for b in sent[-1].buttons]
    assert any("全部正常群（1）" in label for label in labels)

    # A double click: both presses reach the bot before the first one is answered.
    cbed.sandbox.click(OWNER, OWNER, notice.message_id, approve)
    await cbed.settle(cbed.sandbox.click(OWNER, OWNER, notice.message_id, approve))
    group = await cbed.services.groups.get(chat_id)
    assert group is not None and group.active and not group.pending
    answer = cbed.sandbox.calls("answerCallbackQuery")[-1].params
    assert "已经处理过" in answer["text"]
    assert (
        len([e for e in await cbed.services.audit.recent(100) if e.action == "group_approve"]) == 1
    )
    [edited] = [m for m in cbed.sandbox.messages(OWNER) if m.message_id == notice.message_id]
    assert "已批准" in (edited.text or "") and not edited.buttons
    assert await cbed.services.schedules.by_ref(f"group:{group.id}") != []
    assert all(
        s.status == "cancelled" for s in await cbed.services.schedules.by_ref(f"group:{group.id}")
    )
    targets = {g.chat_id for g in await cbed.services.groups.with_tags(())}
    assert targets == {ours, chat_id}
    await join(cbed, chat_id, 3002, "代理")
    assert await cbed.services.agents.get(3002) is not None


async def test_non_admin_or_forged_decision_changes_nothing(cbed: Testbed) -> None:
    chat_id, sent = await stranger_adds(cbed, "陌生群")
    [notice] = notices(sent)
    group = await cbed.services.groups.get(chat_id)
    assert group is not None
    [own] = await cbed.say(STRANGER, STRANGER, "/start")
    for data in (f"grp:{group.id}:ok", f"grp:{group.id}:leave"):
        await cbed.run(
            lambda d=data: cbed.sandbox.click(STRANGER, STRANGER, own.message_id, d, strict=False)
        )
        answer = cbed.sandbox.calls("answerCallbackQuery")[-1].params
        assert "只有卖家管理员" in answer["text"]
    # An admin's click on a group that does not exist, or on a malformed id, changes nothing.
    for data in ("grp:999:ok", f"grp:{group.id}:yes", f"grp:0{group.id}:ok"):
        await cbed.run(
            lambda d=data: cbed.sandbox.click(OWNER, OWNER, notice.message_id, d, strict=False)
        )
    after = await cbed.services.groups.get(chat_id)
    assert after == group
    assert cbed.sandbox.calls("leaveChat") == []


async def test_leave_makes_the_bot_leave(cbed: Testbed) -> None:
    chat_id, sent = await stranger_adds(cbed, "陌生群")
    [notice] = notices(sent)
    leave, approve = decision(notice, "leave"), decision(notice, "ok")
    cbed.sandbox.click(OWNER, OWNER, notice.message_id, leave)
    await cbed.settle(cbed.sandbox.click(OWNER, OWNER, notice.message_id, leave))
    assert len(cbed.sandbox.calls("leaveChat")) == 1
    assert cbed.sandbox.chat(chat_id).bot_status == "left"
    group = await cbed.services.groups.get(chat_id)
    assert group is not None and not group.active and not group.pending
    assert group.inactive_reason == "left"
    # Approve after Leave (the other owner's copy, say): already handled.
    await cbed.run(
        lambda: cbed.sandbox.click(OWNER, OWNER, notice.message_id, approve, strict=False)
    )
    group = await cbed.services.groups.get(chat_id)
    assert group is not None and not group.active


async def test_unapproved_group_is_left_after_the_timeout(cbed: Testbed, clock: FakeClock) -> None:
    chat_id, _ = await stranger_adds(cbed, "陌生群")
    clock.now += 47 * HOUR
    await run_due(cbed, clock)
    assert cbed.sandbox.calls("leaveChat") == []
    clock.now += HOUR
    await run_due(cbed, clock)
    assert len(cbed.sandbox.calls("leaveChat")) == 1
    group = await cbed.services.groups.get(chat_id)
    assert group is not None and group.inactive_reason == "approval_timeout"
    assert not group.pending and not group.active
    assert any("没人批准" in text for text in texts(cbed.sandbox.messages(OWNER)))


async def test_timeout_passed_while_down_is_acted_on_at_start(
    cbed: Testbed, clock: FakeClock
) -> None:
    chat_id, _ = await stranger_adds(cbed, "陌生群")
    await cbed.stop_bot()
    clock.now += 72 * HOUR  # far beyond the scheduler's grace: the fire itself would be missed
    await cbed.start_bot()
    await cbed.services.outbox.wait_idle(10)
    group = await cbed.services.groups.get(chat_id)
    assert group is not None and group.inactive_reason == "approval_timeout"
    assert len(cbed.sandbox.calls("leaveChat")) == 1
    schedules = await cbed.services.schedules.by_kind(TIMEOUT_KIND)
    assert all(s.status != "active" for s in schedules)
    assert not any("错过" in text for text in texts(cbed.sandbox.messages(OWNER)))


async def test_approval_survives_restart(cbed: Testbed, clock: FakeClock) -> None:
    chat_id, _ = await stranger_adds(cbed, "陌生群")
    await cbed.stop_bot()
    clock.now += HOUR
    await cbed.start_bot()
    [schedule] = [
        s for s in await cbed.services.schedules.by_kind(TIMEOUT_KIND) if s.status == "active"
    ]
    assert schedule.next_due_at == clock.now - HOUR + 48 * HOUR
    clock.now += 47 * HOUR
    await run_due(cbed, clock)
    group = await cbed.services.groups.get(chat_id)
    assert group is not None and group.inactive_reason == "approval_timeout"


async def test_an_admins_add_is_active_at_once(bed: Testbed) -> None:
    bed.sandbox.add_user(300, "助理", language_code="zh-hans")
    await bed.say(OWNER, OWNER, "/grant 300")
    chat_id = bed.sandbox.add_group("助理的群", members=[300])
    sent = await bed.run(lambda: bed.sandbox.add_bot_to_group(chat_id, 300))
    group = await bed.services.groups.get(chat_id)
    assert group is not None and group.active and not group.pending
    assert notices(sent) == [] and any(m.chat_id == OWNER for m in sent)


async def test_stranger_start_creates_no_agent(bed: Testbed) -> None:
    bed.sandbox.add_user(STRANGER, "Mallory", language_code="en")
    reply = texts(await bed.say(STRANGER, STRANGER, "/start"))[0]
    assert "serves the agents" in reply
    # Nor does a store profile (a submission would make them an agent).
    reply = texts(await bed.say(STRANGER, STRANGER, "/profile"))[0]
    assert "serves the agents" in reply
    assert await bed.services.agents.get(STRANGER) is None
    assert await bed.services.profiles.latest_submission(STRANGER) is None
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, STRANGER, "Mallory", language_code="en")
    reply = texts(await bed.say(STRANGER, STRANGER, "/start"))[0]
    assert reply.startswith("Hi Mallory!")
    agent = await bed.services.agents.get(STRANGER)
    assert agent is not None and agent.started_bot


async def test_pending_group_stays_pending_when_kicked_or_migrated(cbed: Testbed) -> None:
    chat_id, _ = await stranger_adds(cbed, "陌生群")
    new_id = cbed.sandbox.migrate_group(chat_id)
    await cbed.say(OWNER, OWNER, "/groups")
    group = await cbed.services.groups.get(new_id)
    assert group is not None and group.pending and not group.active
    await cbed.run(lambda: cbed.sandbox.kick_bot(new_id, STRANGER))
    group = await cbed.services.groups.get(new_id)
    assert group is not None and not group.pending and group.inactive_reason == "kicked"
    schedules = await cbed.services.schedules.by_kind(TIMEOUT_KIND)
    assert [s.status for s in schedules] == ["cancelled"]
