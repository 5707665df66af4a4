"""Samples (寄样): 申请样品 under a product post, the admins' decision with a tracking number,
the 已寄样 tag, the follow-up row and the agent's listing answer on the card."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.catalog_helpers import button_data, group_posts, publish_product
from tests.e2e.helpers import OWNER, join, make_group, texts
from tests.e2e.schedule_helpers import FakeClock, at, run_due

AGENT = 501
VISITOR = 777


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))


@pytest.fixture
async def sbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def press(bed: Testbed, user_id: int, message: SentMessage, data: str) -> dict[str, Any]:
    """``user_id`` presses ``data`` on ``message``; returns the bot's answer to the press."""
    update = bed.sandbox.click(user_id, message.chat_id, message.message_id, data, strict=False)
    await bed.settle(update)
    answer = bed.sandbox.callback_answer(update["callback_query"]["id"])
    assert answer is not None
    return dict(answer)


def last(bed: Testbed, chat_id: int) -> SentMessage:
    message = bed.sandbox.last_message(chat_id)
    assert message is not None
    return message


async def _shop(bed: Testbed) -> tuple[int, SentMessage]:
    group = await make_group(bed, "代理群")
    await join(bed, group, AGENT, "小王", "xiaowang")
    await bed.say(AGENT, AGENT, "/start")
    await publish_product(bed, "A1", title="夏季连衣裙")
    [post] = [m for m in group_posts(bed, group) if m.photo]
    return group, post


async def test_request_approve_with_tracking_follow_up_and_listing(
    sbed: Testbed, clock: FakeClock
) -> None:
    _, post = await _shop(sbed)
    request = button_data(post, "申请样品")
    sbed.sandbox.add_user(VISITOR, "路人")
    assert "成为我们的代理" in (await press(sbed, VISITOR, post, request))["text"]
    answer = await press(sbed, AGENT, post, request)
    assert "已提交样品申请" in answer["text"] and answer.get("show_alert")
    await sbed.services.outbox.wait_idle(10)
    notice = last(sbed, OWNER)
    assert "样品申请 #1" in (notice.text or "") and "小王" in (notice.text or "")
    assert "操作太频繁" in (await press(sbed, AGENT, post, request))["text"]
    clock.now += 31
    assert "正在审核中" in (await press(sbed, AGENT, post, request))["text"]

    # Only admins decide.
    approve = button_data(notice, "批准")
    await press(sbed, AGENT, notice, approve)
    sample = await sbed.services.samples.get(1)
    assert sample is not None and sample.status == "requested"

    await sbed.click(OWNER, notice, approve)
    assert "快递单号" in (last(sbed, OWNER).text or "")
    bad = texts(await sbed.say(OWNER, OWNER, "x"))
    assert "4-64 个字符" in bad[0]
    sent = await sbed.say(OWNER, OWNER, "顺丰 SF1234567890")
    [done] = texts([m for m in sent if m.chat_id == OWNER])
    assert "SF1234567890" in done and "代理已收到私信通知" in done
    told = last(sbed, AGENT)
    assert "已寄出" in (told.text or "") and "顺丰 SF1234567890" in (told.text or "")
    agent = await sbed.services.agents.get(AGENT)
    assert agent is not None and "已寄样" in agent.tags
    # A second approval (another admin, or a double press) changes nothing.
    again = await press(sbed, OWNER, notice, approve)
    assert "已经处理过了" in again["text"]
    events = [e.event for e in await sbed.services.samples.events(1)]
    assert events == ["requested", "shipped"]

    # Not due before follow_up_days; then on the owners' follow-up list with an "ask" button.
    clock.set(2027, 3, 4, 9, 30)  # the daily follow-up list's time
    await run_due(sbed, clock)
    assert not any("样品已寄" in (m.text or "") for m in sbed.sandbox.messages(OWNER))
    clock.set(2027, 3, 9, 9, 30)
    await run_due(sbed, clock)
    [follow_up] = [m for m in sbed.sandbox.messages(OWNER) if "样品已寄" in (m.text or "")]
    assert "样品已寄 7 天，上架了吗" in (follow_up.text or "")
    ask = button_data(follow_up, "询问")
    assert "已私信询问代理" in (await press(sbed, OWNER, follow_up, ask))["text"]
    question = last(sbed, AGENT)
    assert "已经上架了吗" in (question.text or "")
    listed = button_data(question, "已上架")
    # Someone else pressing the agent's button: refused.
    assert "不是给您的" in (await press(sbed, OWNER, question, listed))["text"]
    await sbed.click(AGENT, question, listed)
    assert "链接" in (last(sbed, AGENT).text or "")
    assert "http" in texts(await sbed.say(AGENT, AGENT, "javascript:alert(1)"))[0]
    saved = texts(await sbed.say(AGENT, AGENT, "https://shop.example.com/item/1"))
    assert "已记录您的上架链接" in saved[0]
    card = texts(await sbed.say(OWNER, OWNER, f"/agent {AGENT}"))[0]
    assert "已寄样 2027-03-01" in card and "https://shop.example.com/item/1" in card
    # Listed: never on the follow-up list again.
    clock.set(2027, 4, 9, 9, 30)
    await run_due(sbed, clock)
    assert len([m for m in sbed.sandbox.messages(OWNER) if "样品已寄" in (m.text or "")]) == 1


async def test_decline_tells_the_agent_and_not_yet_is_recorded(
    sbed: Testbed, clock: FakeClock
) -> None:
    _, post = await _shop(sbed)
    await press(sbed, AGENT, post, button_data(post, "申请样品"))
    await sbed.services.outbox.wait_idle(10)
    notice = last(sbed, OWNER)
    await sbed.click(OWNER, notice, button_data(notice, "拒绝"))
    assert "很抱歉" in (last(sbed, AGENT).text or "")
    sample = await sbed.services.samples.get(1)
    assert sample is not None and sample.status == "declined"
    agent = await sbed.services.agents.get(AGENT)
    assert agent is not None and "已寄样" not in agent.tags

    # A new request, approved; then /cancel in the tracking step keeps it open.
    clock.now += 60
    await press(sbed, AGENT, post, button_data(post, "申请样品"))
    await sbed.services.outbox.wait_idle(10)
    notice = last(sbed, OWNER)
    await sbed.click(OWNER, notice, button_data(notice, "批准"))
    assert "仍待处理" in texts(await sbed.say(OWNER, OWNER, "/cancel"))[0]
    sample = await sbed.services.samples.get(2)
    assert sample is not None and sample.status == "requested"
    await sbed.click(OWNER, notice, button_data(notice, "批准"))
    await sbed.say(OWNER, OWNER, "YT9876543210")
    clock.set(2027, 3, 10, 9, 30)
    await run_due(sbed, clock)
    follow_up = last(sbed, OWNER)
    await sbed.click(OWNER, follow_up, button_data(follow_up, "询问"))
    question = last(sbed, AGENT)
    await sbed.click(AGENT, question, button_data(question, "还没有"))
    sample = await sbed.services.samples.get(2)
    assert sample is not None and sample.answer == "not_yet"
    card = texts(await sbed.say(OWNER, OWNER, f"/agent {AGENT}"))[0]
    assert "答复还没上架" in card and "已拒绝" in card
