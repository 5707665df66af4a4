"""/cancel_training: confirmation, the cancelled announcement, notices, and what it refuses."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.sandbox.world import SentMessage
from bot.dev.testbed import Testbed
from bot.events.training_cancel import cancel_training
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at, run_due, texts_in

LI, ZHANG, WANG, ZHAO = 2001, 2002, 2003, 2004
TITLE = "新品卖点培训 <A&B>"
SHOWN = "新品卖点培训 &lt;A&amp;B&gt;"  # how the title appears in the HTML the bot sent
USAGE = "/cancel_training &lt;培训编号&gt;"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 9, 12, 9, 0))


@pytest.fixture
async def sbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    overrides = {"quiet_hours": ["22:00-08:00"]}
    async with Testbed(
        database=tmp_path / "bot.sqlite3", clock=clock, overrides=overrides
    ) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def _groups_and_agents(bed: Testbed) -> tuple[int, int]:
    """Two groups; Li, Zhang and Zhao started the bot, Wang did not."""
    first = await make_group(bed, "代理一群")
    second = await make_group(bed, "代理二群")
    await join(bed, first, LI, "Li", "li_taobao")
    await join(bed, first, ZHANG, "张", "zhang_pdd")
    await join(bed, second, WANG, "Wang", "wang_shop")
    await join(bed, second, ZHAO, "赵", "zhao_shop")
    for agent in (LI, ZHANG, ZHAO):
        await bed.say(agent, agent, "/start")
    return first, second


async def _create(bed: Testbed, start: str = "2027-09-14 20:00") -> list[SentMessage]:
    for text in ["/training", TITLE, start, "90分钟", "腾讯会议 123", "跳过"]:
        await bed.say(OWNER, OWNER, text)
    done = await bed.say(OWNER, OWNER, "全部")
    await bed.services.outbox.wait_idle(10)
    return done


def _button(message: SentMessage, prefix: str) -> str:
    return next(b["callback_data"] for b in message.buttons if b["text"].startswith(prefix))


def _announcement(bed: Testbed, chat: int) -> SentMessage:
    return next(m for m in bed.sandbox.messages(chat) if "培训：" in (m.text or ""))


async def _stale_click(bed: Testbed, user: int, message: SentMessage, data: str) -> str:
    """A click on a button that is gone (a client that has not refreshed, or crafted data);
    returns the text of the callback answer."""
    await bed.run(
        lambda: bed.sandbox.click(user, message.chat_id, message.message_id, data, strict=False)
    )
    return str(bed.sandbox.calls("answerCallbackQuery")[-1].params.get("text", ""))


async def _status(bed: Testbed) -> str:
    training = await bed.services.trainings.get(1)
    assert training is not None
    return training.status


async def _open_schedules(bed: Testbed) -> int:
    schedules = await bed.services.schedules.by_ref("training:1")
    return sum(s.status in ("active", "held", "paused") for s in schedules)


async def _answer_rsvps(bed: Testbed, first: int, second: int) -> None:
    one, two = _announcement(bed, first), _announcement(bed, second)
    await bed.click(LI, one, _button(one, "参加"))
    await bed.click(ZHANG, one, _button(one, "待定"))
    await bed.click(WANG, two, _button(two, "参加"))  # never started the bot
    await bed.click(ZHAO, two, _button(two, "不参加"))
    await bed.sandbox.wait_for(lambda: "参加 2" in (_announcement(bed, first).text or ""))


async def test_cancel_announced_training(sbed: Testbed, clock: FakeClock) -> None:
    first, second = await _groups_and_agents(sbed)
    await _create(sbed)
    await _answer_rsvps(sbed, first, second)
    assert await _open_schedules(sbed) == 2  # the 24 h and 1 h reminders

    question = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1]
    assert SHOWN in (question.text or "")
    assert "2027-09-14 20:00" in (question.text or "")
    assert "参加 2 人" in (question.text or "") and "待定 1 人" in (question.text or "")
    assert await _status(sbed) == "scheduled"  # asking changes nothing

    await sbed.click(OWNER, question, _button(question, "❌"))
    await sbed.services.outbox.wait_idle(10)
    assert await _status(sbed) == "cancelled"
    report = sbed.sandbox.messages(OWNER)[-1].text or ""
    assert "已取消" in report and "2 个群" in report and "2 位代理" in report, report
    assert not sbed.sandbox.messages(OWNER)[-1].buttons
    assert await _open_schedules(sbed) == 0

    for chat in (first, second):
        announcement = _announcement(sbed, chat)
        assert "已取消" in (announcement.text or "") and SHOWN in (announcement.text or "")
        assert announcement.edited and not announcement.buttons
        notice = sbed.sandbox.messages(chat)[-1]
        assert "培训取消" in (notice.text or "") and SHOWN in (notice.text or "")
        assert notice.reply_to_message_id == announcement.message_id
        assert sum("培训取消" in text for text in texts_in(sbed, chat)) == 1
    assert "培训取消" in texts_in(sbed, LI)[-1]  # said 参加
    assert "培训取消" in texts_in(sbed, ZHANG)[-1]  # said 待定
    assert not any("培训取消" in text for text in texts_in(sbed, ZHAO))  # said 不参加
    assert sbed.sandbox.messages(WANG) == []  # never started the bot

    listing = (await sbed.say(OWNER, OWNER, "/schedules"))[-1].text or ""
    assert "培训提醒" not in listing

    # The reminders' times come and go: nothing is sent anywhere.
    before = {chat: len(sbed.sandbox.messages(chat)) for chat in (first, second, LI, ZHANG)}
    clock.set(2027, 9, 13, 20, 0)
    await run_due(sbed, clock)
    clock.set(2027, 9, 14, 19, 0)
    await run_due(sbed, clock)
    assert {chat: len(sbed.sandbox.messages(chat)) for chat in before} == before

    # A client that still shows the old buttons: the click is refused and changes nothing.
    one = _announcement(sbed, first)
    assert "已取消" in await _stale_click(sbed, WANG, one, "rsvp:1:yes")
    assert (await sbed.services.trainings.counts(1))["yes"] == 2

    trainings = (await sbed.say(OWNER, OWNER, "/trainings"))[-1].text or ""
    assert "❌已取消" in trainings and SHOWN in trainings
    detail = (await sbed.say(OWNER, OWNER, "/training 1"))[-1]
    assert "此培训已取消" in (detail.text or "") and not detail.buttons
    refused = (await sbed.say(OWNER, OWNER, "/attended 1 @li_taobao"))[-1].text or ""
    assert "已取消" in refused and "不能登记到场" in refused
    assert await sbed.services.trainings.present(1) == []
    again = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1].text or ""
    assert "已经取消过了" in again and USAGE in again


async def test_cancel_before_announcement_went_out(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    clock.set(2027, 9, 12, 22, 30)  # quiet hours: the announcement waits for the morning
    created = await _create(sbed)
    question = created[-1]
    await sbed.click(OWNER, question, _button(question, "静默结束后"))
    assert await _open_schedules(sbed) == 3  # announcement at 08:00 and two reminders

    confirm = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1]
    assert "还没发出" in (confirm.text or "")
    await sbed.click(OWNER, confirm, _button(confirm, "❌"))
    assert "公告还没发出" in (sbed.sandbox.messages(OWNER)[-1].text or "")
    assert await _status(sbed) == "cancelled"
    assert await _open_schedules(sbed) == 0

    for moment in ((2027, 9, 13, 8, 0), (2027, 9, 13, 20, 0), (2027, 9, 14, 19, 0)):
        clock.set(*moment)
        await run_due(sbed, clock)
    assert texts_in(sbed, group) == []
    training = await sbed.services.trainings.get(1)
    assert training is not None and training.broadcast_id is None


async def test_double_confirm_cancels_once(sbed: Testbed, clock: FakeClock) -> None:
    first, second = await _groups_and_agents(sbed)
    await _create(sbed)
    await _answer_rsvps(sbed, first, second)
    one = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1]
    two = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1]
    yes_one, yes_two = _button(one, "❌"), _button(two, "❌")
    await sbed.click(OWNER, one, yes_one)
    # The same button again before the client refreshed: the request is gone.
    assert "过期" in await _stale_click(sbed, OWNER, one, yes_one)
    # The second confirmation, still showing its buttons: checked again, refused.
    await sbed.click(OWNER, two, yes_two)
    assert "不能取消" in str(sbed.sandbox.calls("answerCallbackQuery")[-1].params["text"])
    assert "已经取消过了" in (sbed.sandbox.messages(OWNER)[-1].text or "")
    assert await cancel_training(sbed.services, 1, OWNER) is None
    await sbed.services.outbox.wait_idle(10)
    for chat in (first, second):
        assert sum("培训取消" in text for text in texts_in(sbed, chat)) == 1
    assert sum("培训取消" in text for text in texts_in(sbed, LI)) == 1
    audit = await sbed.services.db.fetchall(
        "SELECT count(*) FROM audit_log WHERE action = 'cancel_training'"
    )
    assert audit[0][0] == 1


async def test_keep_changes_nothing(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    await _create(sbed)
    sent = len(sbed.sandbox.messages(group))
    question = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1]
    await sbed.click(OWNER, question, _button(question, "保留"))
    assert "保留" in (sbed.sandbox.messages(OWNER)[-1].text or "")
    assert await _status(sbed) == "scheduled"
    assert await _open_schedules(sbed) == 2
    assert len(sbed.sandbox.messages(group)) == sent
    assert _announcement(sbed, group).buttons  # the RSVP buttons stay


async def test_non_admin_is_refused(sbed: Testbed, clock: FakeClock) -> None:
    first, _ = await _groups_and_agents(sbed)
    await _create(sbed)
    refused = await sbed.say(LI, LI, "/cancel_training 1")
    assert "只有卖家管理员" in (refused[-1].text or "")
    question = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1]
    answer = await _stale_click(sbed, LI, question, _button(question, "❌"))
    assert "只有卖家管理员" in answer
    assert await _status(sbed) == "scheduled"
    assert await _open_schedules(sbed) == 2
    assert _announcement(sbed, first).buttons
    # A crafted callback from the admin (no such pending request) changes nothing either.
    assert "过期" in await _stale_click(sbed, OWNER, question, "trc:0000beef:y")
    assert await _status(sbed) == "scheduled"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/cancel_training", "缺少培训编号"),
        ("/cancel_training abc", "「abc」不是正整数"),
        ("/cancel_training 0", "「0」不是正整数"),
        ("/cancel_training -1", "「-1」不是正整数"),
        ("/cancel_training 1.5", "「1.5」不是正整数"),
        ("/cancel_training 1 2", "只能写一个培训编号"),
        ("/cancel_training 99", "没有编号为 99 的培训"),
    ],
)
async def test_bad_arguments(sbed: Testbed, clock: FakeClock, command: str, expected: str) -> None:
    await make_group(sbed, "代理群")
    await _create(sbed)
    reply = (await sbed.say(OWNER, OWNER, command))[-1]
    assert expected in (reply.text or ""), reply.text
    assert USAGE in (reply.text or "")
    assert "例如 /cancel_training 3" in (reply.text or "")
    assert not reply.buttons
    assert await _status(sbed) == "scheduled"
    assert await _open_schedules(sbed) == 2


async def test_started_training_and_group_chat_are_refused(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    await _create(sbed)
    in_group_before = texts_in(sbed, group)
    in_group = (await sbed.say(group, OWNER, "/cancel_training 1"))[-1]
    # Nothing in the group; the admin is pointed to the private chat instead.
    assert in_group.chat_id == OWNER and "私聊" in (in_group.text or "")
    assert texts_in(sbed, group) == in_group_before
    question = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1]
    clock.set(2027, 9, 14, 20, 0)  # the start
    started = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1].text or ""
    assert "已于 2027-09-14 20:00 开始" in started and USAGE in started
    # A confirmation asked for before the start is checked again when clicked.
    await sbed.click(OWNER, question, _button(question, "❌"))
    assert "不能取消" in str(sbed.sandbox.calls("answerCallbackQuery")[-1].params["text"])
    assert "已于" in (sbed.sandbox.messages(OWNER)[-1].text or "")
    assert await _status(sbed) == "scheduled"
    assert "培训取消" not in " ".join(texts_in(sbed, group))


async def test_cancel_announcement_with_materials(sbed: Testbed, clock: FakeClock) -> None:
    """The announcement is a document whose caption carries the text: the caption is edited."""
    group = await make_group(sbed, "代理群")
    for text in ["/training", TITLE, "2027-09-14 20:00", "1h", "会议室"]:
        await sbed.say(OWNER, OWNER, text)
    await sbed.run(lambda: sbed.sandbox.send_document(OWNER, OWNER, "资料.pdf", b"%PDF"))
    await sbed.say(OWNER, OWNER, "全部")
    await sbed.services.outbox.wait_idle(10)
    posted = next(m for m in sbed.sandbox.messages(group) if m.document is not None)
    assert posted.buttons
    question = (await sbed.say(OWNER, OWNER, "/cancel_training 1"))[-1]
    await sbed.click(OWNER, question, _button(question, "❌"))
    await sbed.services.outbox.wait_idle(10)
    posted = next(m for m in sbed.sandbox.messages(group) if m.document is not None)
    assert "已取消" in (posted.caption or "") and not posted.buttons
    assert sbed.sandbox.calls("editMessageCaption", group)
    notice = sbed.sandbox.messages(group)[-1]
    assert "培训取消" in (notice.text or "")
    assert notice.reply_to_message_id == posted.message_id


async def test_status_and_notices_commit_together(sbed: Testbed, clock: FakeClock) -> None:
    first, second = await _groups_and_agents(sbed)
    await _create(sbed)
    await _answer_rsvps(sbed, first, second)
    # A real database failure while the notices' deliveries are written, after the status
    # UPDATE ran in the same transaction: nothing of the cancellation may remain.
    await sbed.services.db.execute(
        "CREATE TEMP TRIGGER refuse_deliveries BEFORE INSERT ON deliveries"
        " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
    )
    with pytest.raises(sqlite3.DatabaseError, match="disk trouble"):
        await cancel_training(sbed.services, 1, OWNER)
    assert await _status(sbed) == "scheduled"
    assert await _open_schedules(sbed) == 2
    assert [b.kind for b in await sbed.services.outbox.recent()] == ["training"]

    await sbed.services.db.execute("DROP TRIGGER refuse_deliveries")
    cancellation = await cancel_training(sbed.services, 1, OWNER)
    assert cancellation is not None and (cancellation.groups, cancellation.agents) == (2, 2)
    await sbed.services.outbox.wait_idle(10)
    for chat in (first, second, LI, ZHANG):
        assert sum("培训取消" in text for text in texts_in(sbed, chat)) == 1
