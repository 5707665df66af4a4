"""/schedule and /schedule_digest typed without ``tag:`` choose their targets with the
broadcast's group-tag picker (✓ toggles with group counts, Done = the union of the tags, all
groups, Cancel); typed ``tag:`` and untagged groups skip it; bad input never reaches it; only
the admin who typed the command can press its buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.common.callbacks import ScheduleTarget, encode
from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, make_group
from tests.e2e.schedule_helpers import FakeClock, at, run_due, texts_in
from tests.e2e.test_buttons import double_press, press, snapshot

ADMIN = 300
EXPIRED = "这份定时草稿已过期，请重新发送 /schedule 或 /schedule_digest。"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))  # a Monday


@pytest.fixture
async def sbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def _tagged_groups(bed: Testbed) -> dict[str, int]:
    """华东 (1 group), 华东+VIP (1), VIP (1) and one group without a tag."""
    groups = {
        "east": await make_group(bed, "华东群"),
        "both": await make_group(bed, "VIP华东群"),
        "vip": await make_group(bed, "VIP群"),
        "other": await make_group(bed, "其他群"),
    }
    await bed.say(OWNER, OWNER, f"/tag_group {groups['east']} 华东")
    await bed.say(OWNER, OWNER, f"/tag_group {groups['both']} 华东 VIP")
    await bed.say(OWNER, OWNER, f"/tag_group {groups['vip']} VIP")
    return groups


def _labelled(message: SentMessage, label: str) -> str:
    for item in message.buttons:
        if label in item["text"]:
            return str(item["callback_data"])
    raise AssertionError(f"no button labelled {label!r} in {message.buttons}")


def _labels(message: SentMessage) -> list[str]:
    return [str(item["text"]) for item in message.buttons]


async def _schedules(bed: Testbed, kind: str = "broadcast") -> list[tuple[str, list[str]]]:
    return [
        (schedule.status, list(schedule.params["targets"]["tags"]))
        for schedule in await bed.services.schedules.by_kind(kind)
    ]


async def test_two_tags_ticked_reach_the_groups_of_either_tag_only(
    sbed: Testbed, clock: FakeClock
) -> None:
    groups = await _tagged_groups(sbed)
    choose = (await sbed.say(OWNER, OWNER, "/schedule 2027-03-01 20:00 今晚八点上新"))[-1]
    text = choose.text or ""
    assert "今晚八点上新" in text and "2027-03-01 20:00" in text and "共 4 个正常群" in text
    labels = _labels(choose)
    assert labels[0] == "全部正常群（4）"
    assert "标签：VIP（2）" in labels and "标签：华东（2）" in labels
    assert await _schedules(sbed) == []  # nothing until Done
    # Done with nothing ticked: an alert, nothing created.
    assert "至少一个标签" in await press(sbed, OWNER, choose, _labelled(choose, "完成"))
    await sbed.click(OWNER, choose, _labelled(choose, "VIP"))
    await sbed.click(OWNER, choose, _labelled(choose, "华东"))
    assert "✓ 标签：VIP（2）" in _labels(choose) and "✓ 标签：华东（2）" in _labels(choose)
    assert "完成（已选 2 个标签）" in _labels(choose)
    assert await _schedules(sbed) == []
    await sbed.click(OWNER, choose, _labelled(choose, "完成"))
    confirmation = choose.text or ""
    assert "已创建定时任务 #" in confirmation
    assert "发送对象：标签 VIP（2）、华东（2），共 3 个正常群" in confirmation
    assert await _schedules(sbed) == [("active", ["VIP", "华东"])]

    clock.set(2027, 3, 1, 20, 0)
    await run_due(sbed, clock)
    for name in ("east", "both", "vip"):
        assert texts_in(sbed, groups[name]) == ["今晚八点上新"], name
    assert texts_in(sbed, groups["other"]) == []


async def test_all_groups_and_cancel(sbed: Testbed, clock: FakeClock) -> None:
    groups = await _tagged_groups(sbed)
    cancelled = (await sbed.say(OWNER, OWNER, "/schedule 20:00 不要了"))[-1]
    await sbed.click(OWNER, cancelled, _labelled(cancelled, "VIP"))
    done = _labelled(cancelled, "完成")
    await sbed.click(OWNER, cancelled, _labelled(cancelled, "取消"))
    assert cancelled.text == "已取消，没有创建定时任务。"
    assert cancelled.buttons == []
    assert await _schedules(sbed) == []
    # The cancelled draft's buttons do nothing more.
    assert await press(sbed, OWNER, cancelled, done) == "已经处理过了。"

    everyone = (await sbed.say(OWNER, OWNER, "/schedule 20:00 大家好"))[-1]
    await sbed.click(OWNER, everyone, _labelled(everyone, "全部正常群"))
    assert "发送对象：全部正常群（4）" in (everyone.text or "")
    assert await _schedules(sbed) == [("active", [])]
    clock.set(2027, 3, 1, 20, 0)
    await run_due(sbed, clock)
    for chat_id in groups.values():
        assert texts_in(sbed, chat_id) == ["大家好"]


async def test_forged_foreign_and_expired_presses_create_nothing(sbed: Testbed) -> None:
    await _tagged_groups(sbed)
    sbed.sandbox.add_user(ADMIN, "Helper", username="helper", language_code="zh-hans")
    await sbed.say(ADMIN, ADMIN, "/start")
    await sbed.say(OWNER, OWNER, f"/grant {ADMIN}")
    choose = (await sbed.say(OWNER, OWNER, "/schedule 20:00 只给我"))[-1]
    key = _labelled(choose, "全部正常群").split(":")[1]
    before = await snapshot(sbed)
    # Another admin pressing the owner's buttons finds no draft (user_data is per user).
    for data in (_labelled(choose, "全部正常群"), _labelled(choose, "VIP"), f"sct:{key}:c"):
        assert await press(sbed, ADMIN, choose, data) == EXPIRED
    # A forged key, and an index beyond the offered tags.
    assert await press(sbed, OWNER, choose, encode(ScheduleTarget("0a1b2c3d", "a"))) == EXPIRED
    assert await press(sbed, OWNER, choose, f"sct:{key}:7") == EXPIRED
    assert await snapshot(sbed) == before
    assert not any(label.startswith("✓") for label in _labels(choose))  # still as offered
    # Ten newer drafts push this one out: its buttons are expired.
    for number in range(10):
        await sbed.say(OWNER, OWNER, f"/schedule 21:00 草稿{number}")
    assert await press(sbed, OWNER, choose, _labelled(choose, "全部正常群")) == EXPIRED
    assert await _schedules(sbed) == []


async def test_double_done_creates_one_schedule(sbed: Testbed) -> None:
    await _tagged_groups(sbed)
    choose = (await sbed.say(OWNER, OWNER, "/schedule 20:00 一次"))[-1]
    answers = await double_press(sbed, OWNER, choose, _labelled(choose, "全部正常群"))
    assert answers[1] == "已经处理过了。"
    assert await _schedules(sbed) == [("active", [])]


async def test_bad_input_is_answered_before_the_picker(sbed: Testbed) -> None:
    await _tagged_groups(sbed)
    for command, expected in (
        ("/schedule someday hello", "someday"),
        ("/schedule 2020-01-01 10:00 hello", "已经过去"),
        ("/schedule 明天 20:00", "用法"),
        ("/schedule", "用法"),
        ("/schedule_digest 每周一 10:00 多余", "用法"),
        ("/schedule_digest someday", "someday"),
    ):
        sent = await sbed.say(OWNER, OWNER, command)
        assert expected in (sent[-1].text or ""), (command, sent[-1].text)
        assert all(message.buttons == [] for message in sent), command
    assert await _schedules(sbed) == [] and await _schedules(sbed, "digest") == []


async def test_typed_tags_and_untagged_groups_skip_the_picker(
    sbed: Testbed, clock: FakeClock
) -> None:
    plain = await make_group(sbed, "代理群")
    sent = (await sbed.say(OWNER, OWNER, "/schedule 20:00 没有标签"))[-1]
    assert sent.buttons == []
    assert "已创建定时任务 #" in (sent.text or "")
    assert "全部正常群（1）。群还没有标签" in (sent.text or "")
    await sbed.say(OWNER, OWNER, f"/tag_group {plain} VIP")
    other = await make_group(sbed, "其他群")
    typed = (await sbed.say(OWNER, OWNER, "/schedule tag:VIP 20:00 只给VIP"))[-1]
    assert typed.buttons == []
    assert "发送对象：标签 VIP（1），共 1 个正常群" in (typed.text or "")
    assert await _schedules(sbed) == [("active", []), ("active", ["VIP"])]
    refused = (await sbed.say(OWNER, OWNER, "/schedule tag:华北 20:00 没人"))[-1]
    assert "华北" in (refused.text or "") and "VIP（1）" in (refused.text or "")
    clock.set(2027, 3, 1, 20, 0)
    await run_due(sbed, clock)
    assert texts_in(sbed, plain) == ["没有标签", "只给VIP"]
    assert texts_in(sbed, other) == ["没有标签"]  # all groups: resolved when it fires


async def test_digest_picker_targets_the_ticked_tag(sbed: Testbed, clock: FakeClock) -> None:
    groups = await _tagged_groups(sbed)
    choose = (await sbed.say(OWNER, OWNER, "/schedule_digest 每周一 10:00"))[-1]
    assert "定时库存简报" in (choose.text or "") and "每周一 10:00" in (choose.text or "")
    await sbed.click(OWNER, choose, _labelled(choose, "VIP"))
    await sbed.click(OWNER, choose, _labelled(choose, "完成"))
    assert "发送对象：标签 VIP（2），共 2 个正常群" in (choose.text or "")
    assert await _schedules(sbed, "digest") == [("active", ["VIP"])]
    clock.set(2027, 3, 8, 10, 0)
    await run_due(sbed, clock)
    for name in ("both", "vip"):
        assert len(texts_in(sbed, groups[name])) == 1, name
    for name in ("east", "other"):
        assert texts_in(sbed, groups[name]) == [], name
    # Typed tag: creates the digest at once, naming its targets.
    typed = (await sbed.say(OWNER, OWNER, "/schedule_digest tag:华东 每天 09:00"))[-1]
    assert typed.buttons == [] and "标签 华东（2），共 2 个正常群" in (typed.text or "")


async def test_a_one_off_time_passed_while_choosing_creates_nothing(
    sbed: Testbed, clock: FakeClock
) -> None:
    await _tagged_groups(sbed)
    choose = (await sbed.say(OWNER, OWNER, "/schedule 2027-03-01 10:30 早上"))[-1]
    clock.set(2027, 3, 1, 10, 31)
    await sbed.click(OWNER, choose, _labelled(choose, "全部正常群"))
    assert "已经过了" in (choose.text or "")
    assert await _schedules(sbed) == []


async def test_a_recurring_first_fire_passed_while_choosing_moves_to_the_next(
    sbed: Testbed, clock: FakeClock
) -> None:
    await _tagged_groups(sbed)
    choose = (await sbed.say(OWNER, OWNER, "/schedule 每天 10:30 早安"))[-1]
    clock.set(2027, 3, 1, 10, 31)
    await sbed.click(OWNER, choose, _labelled(choose, "全部正常群"))
    assert "2027-03-02 10:30" in (choose.text or "")
    (schedule,) = await sbed.services.schedules.by_kind("broadcast")
    assert schedule.next_planned_at == at(2027, 3, 2, 10, 30)
