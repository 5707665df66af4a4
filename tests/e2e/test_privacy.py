"""An agent's own data: /mydata (a JSON file of everything stored, once an hour), /forgetme
(confirmed once, erases, tells the owners; a removed agent keeps only the id), the retention
purge, and logs that never name anyone."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.agents.privacy import RETENTION_KIND
from bot.dev.testbed import Testbed
from storage.profiles import StoreProfile
from tests.e2e.helpers import OWNER, join, make_group, texts
from tests.e2e.schedule_helpers import FakeClock, at, run_due

AGENT = 2201
OTHER = 2202
PROFILE = StoreProfile(
    "taobao", "李家小店", "https://li.taobao.com", "女装", "3钻", 4.8, 4.9, 4.7, "open"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))


@pytest.fixture
async def bed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    overrides = {"privacy": {"retention_days": 180, "purge_hour": 3}}
    async with Testbed(
        database=tmp_path / "bot.sqlite3", clock=clock, overrides=overrides
    ) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def _agent_with_data(bed: Testbed) -> int:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, AGENT, "李", username="li_shop")
    await bed.say(AGENT, AGENT, "/start")
    await bed.say(OWNER, OWNER, "/remark @li_shop 李女士淘卖")
    await bed.say(OWNER, OWNER, f"/tag {AGENT} VIP客户")
    await bed.say(OWNER, OWNER, "/contacted @li_shop 聊了新品")
    await bed.say(OWNER, OWNER, "/rate @li_shop 4 出单稳定")
    services = bed.services
    submission = await services.profiles.submit(AGENT, PROFILE, "dropship", services.now())
    await services.profiles.approve(submission, OWNER, services.now())
    training = await services.trainings.create(
        title="新品培训",
        starts_at=services.now() + 86400,
        duration_minutes=60,
        location="腾讯会议",
        materials_file=None,
        target_tags=(),
        creator_id=OWNER,
        now=services.now(),
    )
    await services.trainings.rsvp(training.id, AGENT, "yes", services.now())
    return chat_id


async def test_mydata_sends_everything_once_an_hour(bed: Testbed, clock: FakeClock) -> None:
    await _agent_with_data(bed)
    sent = await bed.say(AGENT, AGENT, "/mydata")
    documents = [m for m in sent if m.document]
    assert len(documents) == 1 and documents[0].chat_id == AGENT
    document = documents[0].document or {}
    assert document["file_name"] == f"mydata-{AGENT}.json"
    exported = json.loads(bed.sandbox.file_bytes(document["file_id"]).decode("utf-8"))
    sections = exported["sections"]
    assert exported["user_id"] == AGENT
    assert sections["identity"][0]["username"] == "li_shop"
    assert sections["identity"][0]["joined_at"].startswith("2027-03-01T10:00:00+08:00")
    notes = sections["seller_notes"][0]
    assert (notes["remark"], notes["tags"], notes["last_contact_note"]) == (
        "李女士淘卖",
        "VIP客户",
        "聊了新品",
    )
    assert sections["groups"][0]["group_title"] == "代理群"
    assert sections["store_profile"][0]["store_name"] == "李家小店"
    assert sections["profile_submissions"][0]["status"] == "approved"
    assert [(r["stars"], r["comment"]) for r in sections["ratings"]] == [(4, "出单稳定")]
    assert sections["training_rsvps"][0]["training"] == "新品培训"
    assert {row["action"] for row in sections["seller_actions"]} >= {"remark", "contacted"}
    assert "rated_by" not in sections["ratings"][0]  # the admins' ids are not the agent's
    caption = documents[0].plain_text or ""
    assert "JSON" in caption

    again = await bed.say(AGENT, AGENT, "/mydata")
    assert not any(m.document for m in again) and "每小时只能导出一次" in texts(again)[0]
    assert "2027-03-01 11:00" in texts(again)[0]
    clock.now += 3600
    assert any(m.document for m in await bed.say(AGENT, AGENT, "/mydata"))

    # A visitor (nobody the bot knows) has nothing stored, and gets no file.
    bed.sandbox.add_user(OTHER, "路人", language_code="zh-hans")
    visitor = await bed.say(OTHER, OTHER, "/mydata")
    assert not any(m.document for m in visitor) and "没有保存" in texts(visitor)[0]


def _shown(bed: Testbed, message) -> str:
    """The text of ``message`` now (after the bot's edits)."""
    found = [m for m in bed.sandbox.messages(message.chat_id) if m.message_id == message.message_id]
    return found[-1].text or ""


async def _press(bed: Testbed, user_id: int, message, data: str) -> str:
    """A press, also on a button already gone; returns the callback answer's text."""
    await bed.run(
        lambda: bed.sandbox.click(user_id, message.chat_id, message.message_id, data, strict=False)
    )
    return str(bed.sandbox.calls("answerCallbackQuery")[-1].params.get("text", ""))


def _buttons(message) -> dict[str, str]:
    rows = message.reply_markup["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_forgetme_confirms_once_and_erases(
    bed: Testbed, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await _agent_with_data(bed)
    ask = (await bed.say(AGENT, AGENT, "/forgetme"))[0]
    assert "无法撤销" in ask.text and "只保留您的数字 ID" not in ask.text
    buttons = _buttons(ask)

    await bed.click(AGENT, ask, buttons["取消"])
    assert "已取消" in _shown(bed, ask)
    assert await bed.services.agents.get(AGENT) is not None

    ask = (await bed.say(AGENT, AGENT, "/forgetme"))[0]
    buttons = _buttons(ask)
    # Someone else pressing (a forged press) finds no request of theirs: nothing happens.
    bed.sandbox.add_user(OTHER, "别人", language_code="zh-hans")
    assert "失效" in await _press(bed, OTHER, ask, buttons["确认删除"])
    assert await bed.services.agents.get(AGENT) is not None

    await bed.click(AGENT, ask, buttons["确认删除"])
    assert "已删除您的数据" in _shown(bed, ask)
    # A double press (the button is gone from the edited message, the press is stale) acts once.
    assert "已经执行过" in await _press(bed, AGENT, ask, buttons["确认删除"])

    services = bed.services
    assert await services.agents.get(AGENT) is None
    for table in ("agent_tags", "agent_ratings", "profile_submissions", "training_rsvps"):
        row = await services.db.fetchone(
            f"SELECT count(*) FROM {table} WHERE user_id = ?", (AGENT,)
        )
        assert row is not None and row[0] == 0, table
    details = await services.db.fetchall(
        "SELECT detail FROM audit_log WHERE target = ?", (str(AGENT),)
    )
    assert details and all(row[0] in (None, "") for row in details)
    await services.outbox.wait_idle(10)
    notices = [m.text or "" for m in bed.sandbox.messages(OWNER)]
    assert any(str(AGENT) in text and "/forgetme" in text for text in notices)
    assert not any("li_shop" in text for text in notices[-1:])
    assert "没有保存" in texts(await bed.say(AGENT, AGENT, "/mydata"))[0]

    # Nothing we logged in this whole story names the agent.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert str(AGENT) in logged
    for personal in ("li_shop", "李女士淘卖", "聊了新品", "出单稳定", "李家小店"):
        assert personal not in logged, personal


async def test_a_removed_agent_keeps_only_the_id(bed: Testbed) -> None:
    chat_id = await _agent_with_data(bed)
    services = bed.services
    await services.agents.mark_removed(AGENT, "乱发广告", services.now())
    ask = (await bed.say(AGENT, AGENT, "/forgetme"))[0]
    assert "只保留您的数字 ID" in ask.text
    await bed.click(AGENT, ask, _buttons(ask)["确认删除"])
    agent = await services.agents.get(AGENT)
    assert agent is not None and agent.status == "removed"
    assert (agent.first_name, agent.username, agent.remark, agent.tags) == ("", None, None, ())
    assert agent.removed_reason is None and agent.last_contact_note is None
    assert await services.profiles.get(AGENT) is None
    # Forgetting did not bring them back: joining again, they are still removed.
    await join(bed, chat_id, AGENT, "李", username="li_shop")
    agent = await services.agents.get(AGENT)
    assert agent is not None and agent.status == "removed"


async def test_retention_purges_inactive_agents_daily(bed: Testbed, clock: FakeClock) -> None:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, AGENT, "李", username="li_shop")
    clock.now += 100 * 86400
    await join(bed, chat_id, OTHER, "王", username="wang_shop")
    services = bed.services
    schedules = await services.schedules.by_kind(RETENTION_KIND)
    assert len(schedules) == 1
    clock.set(2027, 6, 10, 3, 0)  # 101 days after the first join: nobody is 180 days idle
    await run_due(bed, clock)
    assert await services.agents.get(AGENT) is not None
    clock.set(2027, 9, 1, 3, 0)  # 184 days after AGENT's join, 84 after OTHER's
    await run_due(bed, clock)
    assert await services.agents.get(AGENT) is None
    assert await services.agents.get(OTHER) is not None
    row = await services.db.fetchone(
        "SELECT detail FROM audit_log WHERE action = 'retention_purge' ORDER BY id DESC"
    )
    assert row is not None and row[0] == "1"
