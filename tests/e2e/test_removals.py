"""Removing agents is a durable job (bot/agents/removals.py): written first, executed by the
worker within the engine's limits, resumed after a stop; its progress message becomes its one
report (◀ ▶ through the failed steps)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from bot.agents.quality_service import wait_for_catch_up
from bot.agents.removals import (
    ProgressTarget,
    request_agent_removal,
    stop_removals,
)
from bot.common.callbacks import KeyedListPage, encode
from bot.dev.sandbox import Fault, SentMessage
from bot.dev.testbed import Testbed
from storage.removals import RemovalRepository
from tests.e2e.helpers import OWNER, join, make_group, removals_done, texts
from tests.e2e.test_paging import press, walk

AGENT = 2001
OTHER = 2999


def _successful(bed: Testbed, method: str, chat_id: int) -> list[Any]:
    return [call for call in bed.sandbox.calls(method, chat_id) if call.status == 200]


async def _agent_in_groups(bed: Testbed, count: int) -> list[int]:
    groups = [await make_group(bed, f"群{n}") for n in range(1, count + 1)]
    for chat_id in groups:
        await join(bed, chat_id, AGENT, "坏代理", username="bad_agent")
    return groups


async def _confirm_removal(bed: Testbed) -> SentMessage:
    """/remove, then press Remove; returns the confirmation (progress) message."""
    prompt = (await bed.say(OWNER, OWNER, "/remove @bad_agent 盗图"))[0]
    yes = prompt.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await bed.click(OWNER, prompt, yes)
    return prompt


async def _jobs(bed: Testbed) -> list[tuple[int, str]]:
    rows = await bed.services.db.fetchall("SELECT id, state FROM removal_jobs ORDER BY id")
    return [(row[0], row[1]) for row in rows]


def _current(bed: Testbed, message: SentMessage) -> SentMessage:
    return next(m for m in bed.sandbox.messages(OWNER) if m.message_id == message.message_id)


def _reports(bed: Testbed, mark: int) -> list[str]:
    """The removal reports among the messages sent after ``mark``, as they stand now."""
    return [text for text in texts(bed.sandbox.sent_since(mark)) if "已移除" in text]


async def test_removal_in_three_groups_bans_everywhere_and_its_progress_becomes_the_report(
    bed: Testbed,
) -> None:
    groups = await _agent_in_groups(bed, 3)
    mark = bed.sandbox.sent_count()
    prompt = await _confirm_removal(bed)
    # Written before any ban: the agent is removed in the database at once.
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.status == "removed"
    await removals_done(bed)
    for chat_id in groups:
        assert [c.params["user_id"] for c in bed.sandbox.calls("banChatMember", chat_id)] == [AGENT]
        assert len(bed.sandbox.calls("unbanChatMember", chat_id)) == 1
        assert not bed.sandbox.is_banned(chat_id, AGENT)
    progress = _current(bed, prompt)
    assert progress.edited and "已完成" in (progress.text or "") and "3/3" in (progress.text or "")
    reports = _reports(bed, mark)
    assert len(reports) == 1 and "处理了 3 个群" in reports[0]
    # One message: the confirmation became the progress, then the report.
    assert [m.message_id for m in bed.sandbox.sent_since(mark)] == [prompt.message_id]
    assert reports[0] == progress.text
    assert await _jobs(bed) == [(1, "done")]
    counts = await RemovalRepository(bed.services.db).counts(1)
    assert (counts.total, counts.done, counts.failed) == (3, 3, 0)


async def test_stop_after_the_job_is_written_then_restart_completes_it(bed: Testbed) -> None:
    groups = await _agent_in_groups(bed, 3)
    # No worker: the job is written and nothing executes it, as if the bot died after COMMIT.
    await stop_removals(bed.application, bed.services)
    mark = bed.sandbox.sent_count()
    await _confirm_removal(bed)
    assert bed.sandbox.calls("banChatMember") == []
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.status == "removed"
    assert await _jobs(bed) == [(1, "running")]
    await bed.stop_bot()
    await bed.start_bot()
    await removals_done(bed)
    for chat_id in groups:
        assert len(bed.sandbox.calls("banChatMember", chat_id)) == 1
        assert not bed.sandbox.is_banned(chat_id, AGENT)
    assert await _jobs(bed) == [(1, "done")]
    assert len(_reports(bed, mark)) == 1


async def test_stop_after_one_of_three_steps_then_restart_repeats_no_step(tmp_path: Path) -> None:
    # Retries of a failing call wait a minute: the bot is stopped while they wait.
    async with Testbed(
        database=tmp_path / "bot.sqlite3", overrides={"delivery": {"backoff_seconds": 60}}
    ) as bed:
        bed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        first, second, third = await _agent_in_groups(bed, 3)
        for chat_id in (second, third):
            bed.sandbox.fail("banChatMember", chat_id, fault=Fault.server_error(), times=None)
        mark = bed.sandbox.sent_count()
        await _confirm_removal(bed)
        repository = RemovalRepository(bed.services.db)
        for _ in range(500):  # until the first step is recorded and the others have failed once
            counts = await repository.counts(1)
            if counts.done == 1 and len(bed.sandbox.calls("banChatMember")) >= 3:
                break
            await asyncio.sleep(0.01)
        assert (await repository.counts(1)).done == 1
        await bed.stop_bot()
        assert not bed.sandbox.is_banned(first, AGENT)
        bed.sandbox.clear_faults()
        await bed.start_bot()
        await removals_done(bed)
        assert len(bed.sandbox.calls("banChatMember", first)) == 1  # not repeated
        for chat_id in (second, third):
            assert len(_successful(bed, "banChatMember", chat_id)) == 1
            assert not bed.sandbox.is_banned(chat_id, AGENT)
        counts = await RemovalRepository(bed.services.db).counts(1)  # the new database
        assert (counts.done, counts.failed) == (3, 0)
        assert len(_reports(bed, mark)) == 1


async def test_a_group_where_the_ban_fails_is_reported_and_the_agent_ends_removed(
    bed: Testbed,
) -> None:
    first, second, third = await _agent_in_groups(bed, 3)
    bed.sandbox.fail(
        "banChatMember",
        second,
        fault=Fault.bad_request("not enough rights to restrict/ban chat member"),
        times=None,
    )
    mark = bed.sandbox.sent_count()
    prompt = await _confirm_removal(bed)
    await removals_done(bed)
    assert len(bed.sandbox.calls("banChatMember", second)) == 1  # a refusal is not retried
    assert bed.sandbox.members(second)[AGENT] == "member"
    for chat_id in (first, third):
        assert len(_successful(bed, "banChatMember", chat_id)) == 1
    reports = _reports(bed, mark)
    assert len(reports) == 1
    assert "处理了 2 个群" in reports[0]
    assert "群2" in reports[0] and "Not enough rights" in reports[0]
    assert "失败 1" in (_current(bed, prompt).text or "")
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.status == "removed"
    assert await _jobs(bed) == [(1, "done")]


async def test_double_press_makes_one_job(bed: Testbed) -> None:
    groups = await _agent_in_groups(bed, 2)
    prompt = (await bed.say(OWNER, OWNER, "/remove @bad_agent"))[0]
    yes = prompt.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await bed.click(OWNER, prompt, yes)
    await bed.run(lambda: bed.sandbox.click(OWNER, OWNER, prompt.message_id, yes, strict=False))
    # And the service itself, asked again: the status guard writes nothing.
    again = await request_agent_removal(
        bed.services, AGENT, "x", OWNER, None, ProgressTarget(OWNER, prompt.message_id, "zh")
    )
    assert again is None
    await removals_done(bed)
    assert await _jobs(bed) == [(1, "done")]
    for chat_id in groups:
        assert len(bed.sandbox.calls("banChatMember", chat_id)) == 1
    audit = [e for e in await bed.services.audit.recent() if e.action == "remove_agent"]
    assert len(audit) == 1


async def test_tier_removal_of_250_agents_is_one_job_and_others_are_served(
    tmp_path: Path,
) -> None:
    # 250 ban+unban pairs at 200 calls a second: over two seconds of work for the worker.
    async with Testbed(
        database=tmp_path / "bot.sqlite3",
        overrides={"rate_limits": {"global_per_second": 200}},
    ) as bed:
        bed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        agents = list(range(3001, 3251))
        chat_id = await make_group(bed, "大群")
        for user_id in agents:
            bed.sandbox.add_user(user_id, f"号{user_id}")
            bed.sandbox.chat(chat_id).members[user_id] = "member"
            await bed.services.agents.record(user_id, f"号{user_id}", None, None, "zh", 0)
        group = await bed.services.groups.get(chat_id)
        assert group is not None
        for user_id in agents:
            await bed.services.agents.join(group.id, user_id, 0)
        await bed.say(OWNER, OWNER, "/lowquality")  # starts scoring the new agents: all 无效
        await wait_for_catch_up(bed.application.bot_data)
        confirm = (await bed.say(OWNER, OWNER, "/lowquality remove 无效"))[0]
        button = confirm.reply_markup["inline_keyboard"][0][0]
        assert button["text"] == "确认移除 250 位"
        mark = bed.sandbox.sent_count()
        await bed.click(OWNER, confirm, button["callback_data"])
        # A double press of the confirmation: the list is gone, nothing more is written.
        await bed.run(
            lambda: bed.sandbox.click(
                OWNER, OWNER, confirm.message_id, button["callback_data"], strict=False
            )
        )
        # Meanwhile another user is answered while the job is still running.
        bed.sandbox.add_user(OTHER, "路人", language_code="zh-hans")
        answer = await bed.say(OTHER, OTHER, "/start")
        assert any(m.chat_id == OTHER for m in answer)
        counts = await RemovalRepository(bed.services.db).counts(1)
        assert counts.finished < 250
        await removals_done(bed, seconds=60)
        assert await _jobs(bed) == [(1, "done")]
        assert len(_successful(bed, "banChatMember", chat_id)) == 250
        assert all(not bed.sandbox.is_banned(chat_id, user_id) for user_id in agents)
        statuses = await bed.services.db.fetchall(
            "SELECT DISTINCT status FROM agents WHERE user_id BETWEEN 3001 AND 3250"
        )
        assert [row[0] for row in statuses] == ["removed"]
        # No new message: the confirmation became the progress, then the report.
        assert _reports(bed, mark) == []
        report = _current(bed, confirm).text or ""
        assert "已移除 250 位" in report and "250/250" in report


async def test_a_report_with_many_failed_groups_pages_every_failure_once(bed: Testbed) -> None:
    groups = await _agent_in_groups(bed, 100)
    for chat_id in groups:
        bed.sandbox.fail(
            "banChatMember",
            chat_id,
            fault=Fault.bad_request("not enough rights to restrict/ban chat member"),
            times=None,
        )
    mark = bed.sandbox.sent_count()
    prompt = await _confirm_removal(bed)
    await removals_done(bed, seconds=60)
    assert len(_reports(bed, mark)) == 1
    report = _current(bed, prompt)
    assert "失败 100" in (report.text or "")
    pages = await walk(bed, report)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"第 {number}/{len(pages)} 页")
    listed = [int(n) for text in pages for n in re.findall(r"群(\d+)：失败", text)]
    assert listed == list(range(1, 101))
    # A page past the end shows the last one; a job that does not exist is expired.
    await press(bed, report, encode(KeyedListPage("rmreport", 1, 9_999)))
    assert _current(bed, prompt).plain_text == pages[-1]
    answer = await press(bed, report, encode(KeyedListPage("rmreport", 999, 1)))
    assert answer.get("text") == "这个按钮已失效。"
