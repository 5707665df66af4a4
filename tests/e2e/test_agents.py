"""Agents joining and leaving, the welcome message, last-seen, and the CRM commands."""

from __future__ import annotations

from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, removals_done, texts

AGENT = 2001


async def test_join_records_agent_and_welcomes_with_deep_link(bed: Testbed) -> None:
    chat_id = await make_group(bed, "代理群")
    bed.sandbox.add_user(AGENT, "李", username="li_shop", language_code="zh-hans")
    sent = await bed.run(lambda: bed.sandbox.add_member(chat_id, AGENT))
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.username == "li_shop" and agent.language == "zh-hans"
    welcome = [m for m in sent if m.chat_id == chat_id]
    assert len(welcome) == 1 and "李" in (welcome[0].text or "")
    button = welcome[0].reply_markup["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/agentbot_demo_bot?start=profile"
    memberships = await bed.services.agents.memberships(AGENT)
    assert [(m.group_chat_id, m.status) for m in memberships] == [(chat_id, "member")]


async def test_welcome_uses_group_language_and_config_text(tmp_path) -> None:
    from bot.dev.testbed import Testbed as Bed

    async with Bed(
        database=tmp_path / "x.sqlite3",
        overrides={"welcome_text": {"en": "read the pinned rules."}},
    ) as bed:
        bed.sandbox.add_user(OWNER, "Boss", language_code="en")
        chat_id = bed.sandbox.add_group("Agents EN", members=[OWNER])
        await bed.run(lambda: bed.sandbox.add_bot_to_group(chat_id, OWNER))
        bed.sandbox.add_user(AGENT, "Ann", language_code="zh-hans")
        sent = await bed.run(lambda: bed.sandbox.add_member(chat_id, AGENT))
        welcome = next(m for m in sent if m.chat_id == chat_id)
        assert welcome.text == "👋 Ann, read the pinned rules."
        assert welcome.reply_markup["inline_keyboard"][0][0]["text"] == "Message the bot"


async def test_leave_updates_membership(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    await join(bed, chat_id, AGENT, "李")
    await bed.run(lambda: bed.sandbox.remove_member(chat_id, AGENT))
    memberships = await bed.services.agents.memberships(AGENT)
    assert memberships[0].status == "left" and memberships[0].left_at is not None


async def test_group_message_updates_last_seen_and_records_unknown_agent(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    bed.sandbox.add_user(AGENT + 1, "老成员")
    bed.services.clock = lambda: 1_800_000_000
    await bed.say(chat_id, AGENT + 1, "大家好")
    agent = await bed.services.agents.get(AGENT + 1)
    assert agent is not None and agent.last_seen_at == 1_800_000_000
    memberships = await bed.services.agents.memberships(AGENT + 1)
    assert memberships[0].status == "member"


async def test_agent_card_and_crm_commands(bed: Testbed) -> None:
    chat_id = await make_group(bed, "一件代发群")
    await join(bed, chat_id, AGENT, "李", username="li_shop")
    assert "李女士淘卖" in texts(await bed.say(OWNER, OWNER, "/remark @li_shop 李女士淘卖"))[0]
    await bed.say(OWNER, OWNER, f"/tag {AGENT} 已寄样 VIP代理商")
    await bed.say(OWNER, OWNER, f"/untag {AGENT} 已寄样")
    await bed.say(OWNER, OWNER, "/mode @li_shop 一件代发")
    await bed.say(OWNER, OWNER, "/contacted @li_shop 寄了样品")
    card = texts(await bed.say(OWNER, OWNER, "/agent @LI_SHOP"))[0]
    for expected in ("李女士淘卖", "VIP代理商", "一件代发", "一件代发群", "寄了样品"):
        assert expected in card
    assert "已寄样" not in card
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.last_contact_at is not None


async def test_agents_list_filters_and_paging(bed: Testbed) -> None:
    chat_id = await make_group(bed, "大群")
    other = await make_group(bed, "小群")
    for offset in range(13):
        await join(bed, chat_id, 3000 + offset, f"代理{offset}")
    await join(bed, other, 3999, "独立")
    await bed.say(OWNER, OWNER, "/tag 3000 VIP客户")
    await bed.say(OWNER, OWNER, "/mode 3001 批发")
    assert "代理0" in texts(await bed.say(OWNER, OWNER, "/agents tag:VIP客户"))[0]
    only = texts(await bed.say(OWNER, OWNER, "/agents mode:批发"))[0]
    assert "代理1 " in only and "1 人" in only
    small = texts(await bed.say(OWNER, OWNER, f"/agents group:{other}"))[0]
    assert "独立" in small and "代理2" not in small
    page = (await bed.say(OWNER, OWNER, f"/agents group:{chat_id}"))[0]
    assert "第 1/2 页" in (page.text or "")
    buttons = page.reply_markup["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["下一页 »"]
    await bed.click(OWNER, page, buttons[0]["callback_data"])
    edited = bed.sandbox.messages(OWNER)[-1]
    assert edited.message_id == page.message_id and "第 2/2 页" in (edited.text or "")


async def test_inactive_filter(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    bed.services.clock = lambda: 1_700_000_000
    await join(bed, chat_id, AGENT, "沉睡")
    bed.services.clock = lambda: 1_700_000_000 + 40 * 86400
    await join(bed, chat_id, AGENT + 1, "小明")
    listing = texts(await bed.say(OWNER, OWNER, "/agents inactive:>30d"))[0]
    assert "沉睡" in listing and "小明" not in listing


async def test_bad_arguments_name_the_problem(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    await join(bed, chat_id, AGENT, "李", username="li_shop")
    cases = [
        ("/agent", "用法"),
        ("/agent @nobody_here", "没有找到代理"),
        ("/agent ???", "备注名"),  # any text may be a remark: "not found" names the forms
        ("/mode @li_shop 零售", "不是合作模式"),
        ("/agents color:red", "筛选条件"),
        ("/agents inactive:forever", "不是时长"),
        ("/remark @li_shop", "用法"),
        ("/remark @li_shop " + "长" * 70, "太长"),
    ]
    for command, expected in cases:
        reply = texts(await bed.say(OWNER, OWNER, command))
        assert expected in reply[0], (command, reply)
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.remark is None and agent.order_mode is None


async def test_remove_agent_bans_and_unbans_everywhere_after_confirmation(bed: Testbed) -> None:
    first = await make_group(bed, "群1")
    second = await make_group(bed, "群2")
    await join(bed, first, AGENT, "坏代理", username="bad_agent")
    await join(bed, second, AGENT, "坏代理", username="bad_agent")
    prompt = (await bed.say(OWNER, OWNER, "/remove @bad_agent 盗图"))[0]
    assert "2 个群" in (prompt.text or "")
    assert bed.sandbox.calls("banChatMember") == []
    yes = prompt.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await bed.click(OWNER, prompt, yes)
    await removals_done(bed)
    for chat_id in (first, second):
        assert [c.params["user_id"] for c in bed.sandbox.calls("banChatMember", chat_id)] == [AGENT]
        assert len(bed.sandbox.calls("unbanChatMember", chat_id)) == 1
        assert not bed.sandbox.is_banned(chat_id, AGENT)
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.status == "removed" and agent.removed_reason == "盗图"
    assert {m.status for m in await bed.services.agents.memberships(AGENT)} == {"removed"}
    audit = await bed.services.audit.recent()
    assert any(e.action == "remove_agent" and e.detail == "盗图" for e in audit)


async def test_remove_cancel_changes_nothing(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群1")
    await join(bed, chat_id, AGENT, "李")
    prompt = (await bed.say(OWNER, OWNER, f"/remove {AGENT}"))[0]
    no = prompt.reply_markup["inline_keyboard"][0][1]["callback_data"]
    await bed.click(OWNER, prompt, no)
    assert bed.sandbox.calls("banChatMember") == []
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.status == "active"
