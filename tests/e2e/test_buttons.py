"""Who may press a button and what it may name: a forged RSVP from outside the training's groups,
every admin button pressed by an agent, another admin's draft, and double clicks that must act
once (issue 11, item 5 and the double clicks of item 9)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.common.callbacks import (
    AgentRemoval,
    AgentsCursor,
    Attended,
    BroadcastDecision,
    BroadcastRetract,
    BroadcastTarget,
    CallbackData,
    FollowUpDone,
    GreetingAnswer,
    LaunchPick,
    LaunchSlot,
    ProfileReturnReason,
    ProfileReview,
    QueueAgent,
    QueueBulk,
    QueueCursor,
    QuietAnswer,
    ScheduleTarget,
    TrainingCancel,
    encode,
)
from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.catalog_helpers import draft_product
from tests.e2e.helpers import OWNER, join, make_group, removals_done
from tests.e2e.schedule_helpers import FakeClock, at, run_due, texts_in
from tests.e2e.test_profiles import fill_profile, review_buttons

INSIDER, OUTSIDER, STRANGER, ADMIN = 2001, 2002, 2003, 2004
TRAINING = ["/training", "新品卖点培训", "2027-09-14 20:00", "90分钟", "腾讯会议 123", "跳过"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 9, 12, 9, 0))


@pytest.fixture
async def cbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


def answer_to(bed: Testbed, update: dict[str, Any]) -> str:
    """The text the bot answered a callback query update with ("" for a silent answer)."""
    query_id = update["callback_query"]["id"]
    answers = [
        call.params
        for call in bed.sandbox.calls("answerCallbackQuery")
        if call.params.get("callback_query_id") == query_id
    ]
    assert len(answers) == 1, answers
    return str(answers[0].get("text", ""))


async def press(bed: Testbed, user_id: int, message: SentMessage, data: str) -> str:
    """A press of ``data`` on ``message`` (whether or not it carries that button)."""
    update = bed.sandbox.click(user_id, message.chat_id, message.message_id, data, strict=False)
    await bed.settle(update)
    return answer_to(bed, update)


async def double_press(bed: Testbed, user_id: int, message: SentMessage, data: str) -> list[str]:
    """Two presses queued back to back before the bot handles either; both answers."""
    updates = [
        bed.sandbox.click(user_id, message.chat_id, message.message_id, data, strict=False)
        for _ in range(2)
    ]
    for update in updates:
        await bed.settle(update)
    return [answer_to(bed, update) for update in updates]


async def snapshot(bed: Testbed) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows but the audit log (refusals are audited; nothing else may change)."""
    db = bed.services.db
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name != 'audit_log' ORDER BY name"
    )
    return {
        row[0]: [tuple(r) for r in await db.fetchall(f"SELECT * FROM {row[0]} ORDER BY 1")]
        for row in tables
    }


async def test_forged_rsvp_from_outside_the_target_groups_is_refused_and_never_reminded(
    cbed: Testbed, clock: FakeClock
) -> None:
    vip = await make_group(cbed, "VIP群")
    other = await make_group(cbed, "普通群")
    await cbed.say(OWNER, OWNER, f"/tag_group {vip} vip")
    await join(cbed, vip, INSIDER, "Li", "li_taobao")
    await join(cbed, other, OUTSIDER, "Wang", "wang_shop")
    cbed.sandbox.add_user(STRANGER, "Stranger", username="stranger")
    for user in (INSIDER, OUTSIDER, STRANGER):
        await cbed.say(user, user, "/start")
    for text in TRAINING:
        await cbed.say(OWNER, OWNER, text)
    await cbed.say(OWNER, OWNER, "vip")
    await cbed.services.outbox.wait_idle(10)
    announcement = cbed.sandbox.messages(vip)[-1]
    assert "新品卖点培训" in (announcement.text or "")
    assert not any("新品卖点培训" in text for text in texts_in(cbed, other))  # not announced
    before = await snapshot(cbed)
    sent = cbed.sandbox.sent_count()

    forged = encode_rsvp(1, "yes")
    # An agent of another group, on a message of its own group; a stranger on the announcement.
    welcome = cbed.sandbox.messages(other)[-1]
    assert await press(cbed, OUTSIDER, welcome, forged) == "这个按钮已失效。"
    assert await press(cbed, OUTSIDER, announcement, forged) == "这个按钮已失效。"
    assert await press(cbed, STRANGER, announcement, forged) == "这个按钮已失效。"
    assert await snapshot(cbed) == before
    assert cbed.sandbox.sent_count() == sent
    assert await cbed.services.trainings.counts(1) == {"yes": 0, "no": 0, "maybe": 0}

    assert "已报名" in await press(cbed, INSIDER, announcement, forged)
    clock.set(2027, 9, 13, 20, 0)  # 24 h before: the private reminders go out
    await run_due(cbed, clock)
    assert any("培训提醒" in text for text in texts_in(cbed, INSIDER))
    for user in (OUTSIDER, STRANGER):
        assert not any("培训提醒" in text or "腾讯会议" in text for text in texts_in(cbed, user))


async def test_an_answer_by_someone_who_left_gets_no_private_reminder(
    cbed: Testbed, clock: FakeClock
) -> None:
    group = await make_group(cbed, "代理群")
    await join(cbed, group, INSIDER, "Li", "li_taobao")
    await cbed.say(INSIDER, INSIDER, "/start")
    for text in TRAINING:
        await cbed.say(OWNER, OWNER, text)
    await cbed.say(OWNER, OWNER, "全部")
    await cbed.services.outbox.wait_idle(10)
    announcement = cbed.sandbox.messages(group)[-1]
    assert "已报名" in await press(cbed, INSIDER, announcement, encode_rsvp(1, "yes"))
    await cbed.run(lambda: cbed.sandbox.remove_member(group, INSIDER))
    clock.set(2027, 9, 13, 20, 0)
    await run_due(cbed, clock)
    assert "培训提醒" in texts_in(cbed, group)[-1]
    assert not any("培训提醒" in text for text in texts_in(cbed, INSIDER))


def encode_rsvp(training_id: int, answer: str) -> str:
    return f"rsvp:{training_id}:{answer}"


ADMIN_BUTTONS: list[CallbackData] = [
    Attended(1, INSIDER),
    TrainingCancel("0a1b2c3d", "y"),
    AgentsCursor("0a1b2c3d", "a", 1, 0, 1, 1),
    AgentRemoval("0a1b2c3d", "y"),
    ProfileReview("a", 1),
    ProfileReturnReason(1, 0),
    QueueAgent("x", INSIDER),
    QueueAgent("y", INSIDER),
    QueueCursor("a", 1, INSIDER),
    QueueBulk("B", "0a1b2c3d"),
    BroadcastTarget("0a1b2c3d", "a"),
    BroadcastDecision("s", "0a1b2c3d"),
    ScheduleTarget("0a1b2c3d", "d"),
    BroadcastRetract(1, "y"),
    QuietAnswer(1, "now"),
    GreetingAnswer("zhongqiu", 2027, "a"),
    FollowUpDone(INSIDER),
    LaunchSlot("slot"),
    LaunchPick("l", "SKU1", "*"),
]


@pytest.mark.parametrize("data", [encode(button) for button in ADMIN_BUTTONS])
async def test_an_agent_pressing_an_admin_button_is_refused_and_changes_nothing(
    bed: Testbed, data: str
) -> None:
    group = await make_group(bed, "代理群")
    await join(bed, group, INSIDER, "Li", "li_taobao")
    await bed.say(INSIDER, INSIDER, "/start")
    sent = await bed.say(OWNER, OWNER, "/broadcast 价格 49 元")
    choose = sent[-1]
    preview = await bed.click(OWNER, choose, choose.buttons[0]["callback_data"])
    await bed.click(OWNER, preview[-1], preview[-1].buttons[0]["callback_data"])
    await bed.services.outbox.wait_idle(10)  # broadcast #1 is in the group
    before = await snapshot(bed)
    count, edits = bed.sandbox.sent_count(), len(bed.sandbox.calls("editMessageText"))
    target = bed.sandbox.messages(group)[-1]
    answer = await press(bed, INSIDER, target, data)
    assert answer in ("⛔ 只有卖家管理员可以使用这个命令。", "这个按钮已失效。"), answer
    assert await snapshot(bed) == before
    assert bed.sandbox.sent_count() == count
    assert len(bed.sandbox.calls("editMessageText")) == edits
    assert not bed.sandbox.calls("deleteMessages") and not bed.sandbox.calls("banChatMember")


async def test_another_admins_draft_button_is_expired(bed: Testbed) -> None:
    group = await make_group(bed, "代理群")
    bed.sandbox.add_user(ADMIN, "Helper", username="helper")
    await bed.say(ADMIN, ADMIN, "/start")
    await bed.say(OWNER, OWNER, f"/grant {ADMIN}")
    choose = (await bed.say(OWNER, OWNER, "/broadcast 价格 49 元"))[-1]
    data = choose.buttons[0]["callback_data"]
    assert await press(bed, ADMIN, choose, data) == "这份草稿已过期，请重新发送 /broadcast。"
    preview = await bed.click(OWNER, choose, data)
    send = preview[-1].buttons[0]["callback_data"]
    assert await press(bed, ADMIN, preview[-1], send) == "这份草稿已过期，请重新发送 /broadcast。"
    assert await bed.services.outbox.recent(5) == []
    assert bed.sandbox.messages(group) == []


async def test_double_send_queues_one_broadcast(bed: Testbed) -> None:
    await make_group(bed, "群1")
    choose = (await bed.say(OWNER, OWNER, "/broadcast 价格 49 元"))[-1]
    preview = await bed.click(OWNER, choose, choose.buttons[0]["callback_data"])
    answers = await double_press(bed, OWNER, preview[-1], preview[-1].buttons[0]["callback_data"])
    assert answers[1] == "已经处理过了。"
    await bed.services.outbox.wait_idle(10)
    assert len(await bed.services.outbox.recent(5)) == 1


async def test_double_retract_deletes_once(bed: Testbed) -> None:
    groups = [await make_group(bed, f"群{i}") for i in range(2)]
    choose = (await bed.say(OWNER, OWNER, "/broadcast 价格 49 元"))[-1]
    preview = await bed.click(OWNER, choose, choose.buttons[0]["callback_data"])
    await bed.click(OWNER, preview[-1], preview[-1].buttons[0]["callback_data"])
    await bed.services.outbox.wait_idle(10)
    confirm = (await bed.say(OWNER, OWNER, "/retract 1"))[-1]
    answers = await double_press(bed, OWNER, confirm, "bc:r:1:y")
    assert answers[1] == "群发 #1 已经撤回过了。"
    await bed.sandbox.wait_for(lambda: "删除 2 处" in (bed.sandbox.messages(OWNER)[-1].text or ""))
    for chat_id in groups:
        assert len(bed.sandbox.calls("deleteMessages", chat_id)) == 1
    rows = await bed.services.db.fetchall("SELECT count(*) FROM audit_log WHERE action = 'retract'")
    assert rows[0][0] == 1


async def test_double_remove_bans_once(bed: Testbed) -> None:
    groups = [await make_group(bed, f"群{i}") for i in range(2)]
    for chat_id in groups:
        await join(bed, chat_id, INSIDER, "坏代理", username="bad_agent")
    prompt = (await bed.say(OWNER, OWNER, "/remove @bad_agent"))[0]
    yes = prompt.reply_markup["inline_keyboard"][0][0]["callback_data"]
    answers = await double_press(bed, OWNER, prompt, yes)
    assert answers[1] == "已经处理过了。"
    await removals_done(bed)  # the bans run as a background job
    for chat_id in groups:
        assert len(bed.sandbox.calls("banChatMember", chat_id)) == 1
    audit = await bed.services.audit.recent()
    assert sum(entry.action == "remove_agent" for entry in audit) == 1


async def test_double_product_send_posts_once(bed: Testbed) -> None:
    group = await make_group(bed, "代理群")
    control = await draft_product(bed)
    answers = await double_press(bed, OWNER, control, "np:send")
    assert answers[1] in ("已经处理过了。", "这个草稿已结束，请重新发送命令。")
    await bed.services.outbox.wait_idle(10)
    assert len(await bed.services.outbox.recent(5)) == 1
    assert len([m for m in bed.sandbox.messages(group) if m.photo or m.caption]) >= 1
    assert await bed.services.products.existing(["DS-1"])


async def test_double_approve_approves_once(bed: Testbed) -> None:
    group = await make_group(bed, "代理群")
    await join(bed, group, INSIDER, "李", username="li_shop")
    await bed.say(INSIDER, INSIDER, "/start")
    await fill_profile(bed, INSIDER)
    message, buttons = review_buttons(bed, OWNER)
    answers = await double_press(bed, OWNER, message, buttons["✅ 通过"])  # type: ignore[arg-type]
    assert "已经处理过" in answers[1]
    told = [m for m in bed.sandbox.messages(INSIDER) if "审核通过" in (m.text or "")]
    assert len(told) == 1
    audit = await bed.services.audit.recent()
    assert sum(entry.action == "profile_approve" for entry in audit) == 1


# Full-width digits (１２) are a number as typed on a phone (bot/common/typed.py), not hostile.
HOSTILE_NUMBERS = ["²", "١", "1e9", "0x10", "9" * 30, "-9" * 15]
NUMERIC_COMMANDS = [
    "/training {}",
    "/attended {} @li_taobao",
    "/cancel_training {}",
    "/broadcast_status {}",
    "/retract {}",
    "/edit {} new text",
    "/agent {}",
    "/remove {}",
    "/grant {}",
    "/tag_group {} vip",
    "/cancel_schedule {}",
    "/stock DS-1 {}",
    "/stock_threshold DS-1 {}",
]


@pytest.mark.parametrize("command", NUMERIC_COMMANDS)
async def test_hostile_numbers_in_commands_get_a_clear_reply_and_no_error_report(
    bed: Testbed, command: str
) -> None:
    await make_group(bed, "代理群")
    before = await snapshot(bed)
    for value in HOSTILE_NUMBERS:
        replies = await bed.say(OWNER, OWNER, command.format(value))
        assert len(replies) == 1, (command, value, replies)
        assert "出错" not in (replies[0].text or ""), (command, value, replies[0].text)
    assert await snapshot(bed) == before
