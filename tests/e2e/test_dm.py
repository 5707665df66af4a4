"""Private sends by segment end to end: /dm with preview, counts, Send / Cancel, the outbox, the
report listing who cannot be reached (never started, blocked → 403 marks them), /mute."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator

import pytest

from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group

LI, ZHANG, WANG, ZHAO = 2001, 2002, 2003, 2004
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 8, 8) + b"\x08\x02\x00\x00\x00"


@pytest.fixture
async def dbed(bed: Testbed) -> AsyncIterator[Testbed]:
    """Four agents in one group, all tagged VIP客户: Li and Zhang started the bot, Zhao
    started it and will block it, Wang never started it."""
    group = await make_group(bed, "代理群")
    for user_id, name, username in (
        (LI, "Li", "li_taobao"),
        (ZHANG, "张", "zhang_pdd"),
        (WANG, "Wang", "wang_shop"),
        (ZHAO, "Zhao", "zhao_dy"),
    ):
        await join(bed, group, user_id, name, username)
        await bed.say(OWNER, OWNER, f"/tag {user_id} VIP客户")
    for user_id in (LI, ZHANG, ZHAO):
        await bed.say(user_id, user_id, "/start")
    await bed.say(OWNER, OWNER, "/remark @li_taobao 李女士淘卖")
    await bed.say(OWNER, OWNER, "/tag @zhang_pdd 代理商")
    yield bed


def _button(message: SentMessage, prefix: str) -> str:
    for item in message.buttons:
        data = str(item.get("callback_data", ""))
        if data.startswith(prefix):
            return data
    raise AssertionError(f"no button {prefix!r} in {message.buttons}")


def _edited(bed: Testbed, message: SentMessage) -> SentMessage:
    return next(m for m in bed.sandbox.messages(OWNER) if m.message_id == message.message_id)


def _private(bed: Testbed, user_id: int) -> list[str]:
    return [m.text or m.caption or "" for m in bed.sandbox.messages(user_id) if not m.deleted]


async def test_dm_to_a_tag_previews_counts_sends_and_reports_the_unreachable(
    dbed: Testbed,
) -> None:
    bed = dbed
    bed.sandbox.block_bot(ZHAO)
    sent = await bed.say(OWNER, OWNER, "/dm tag：VIP客户 新品到了 <b>欢迎</b>拿图")
    header, shown, confirm = sent[-3], sent[-2], sent[-1]
    assert "预览" in (header.text or "")
    assert shown.text == "新品到了 &lt;b&gt;欢迎&lt;/b&gt;拿图"
    question = confirm.text or ""
    assert "tag:VIP客户" in question
    assert "可送达：3 位" in question  # Li, Zhang, Zhao (not yet known to have blocked)
    assert "无法送达：1 位（未启动机器人 1，已屏蔽机器人 0）" in question
    assert "Wang" in question
    before = bed.sandbox.sent_count()
    await bed.click(OWNER, confirm, _button(confirm, "dm:s:"))
    await bed.services.outbox.wait_idle(10)
    for user_id in (LI, ZHANG):
        assert _private(bed, user_id)[-1] == shown.text
    assert not any("新品到了" in text for text in _private(bed, WANG))
    assert len([m for m in bed.sandbox.sent_since(before) if "新品到了" in (m.text or "")]) == 2
    # One report: the progress message edited; it names who could not be reached and why.
    after = [m for m in bed.sandbox.messages(OWNER) if m.message_id > confirm.message_id]
    assert len(after) == 1
    report = after[0].text or ""
    assert "送达 2/4" in report and "失败 2" in report
    assert "Wang：未启动机器人" in report
    assert str(ZHAO) in report and "blocked" in report
    # The 403 marked Zhao: the next preview counts him as blocked.
    again = await bed.say(OWNER, OWNER, "/dm tag:VIP客户 再来一次")
    assert "无法送达：2 位（未启动机器人 1，已屏蔽机器人 1）" in (again[-1].text or "")
    # Zhao unblocks the bot and starts it again: reachable again.
    bed.sandbox.unblock_bot(ZHAO)
    await bed.say(ZHAO, ZHAO, "/start")
    again = await bed.say(OWNER, OWNER, "/dm tag:VIP客户 再来一次")
    assert "可送达：3 位" in (again[-1].text or "")
    audit = await bed.services.audit.recent(5)
    assert any(row.action == "dm" for row in audit)


async def test_dm_to_a_list_of_agents_and_cancel(dbed: Testbed) -> None:
    bed = dbed
    sent = await bed.say(OWNER, OWNER, f"/dm @li_taobao、{ZHANG} 新款到货通知")
    assert "可送达：2 位" in (sent[-1].text or "")
    confirm = sent[-1]
    await bed.click(OWNER, confirm, _button(confirm, "dm:c:"))
    assert "已取消" in (_edited(bed, confirm).text or "")
    await bed.services.outbox.wait_idle(10)
    assert not any("新款到货通知" in text for text in _private(bed, LI))
    # Several agents separated by spaces: the text starts on the next line.
    sent = await bed.say(OWNER, OWNER, f"/dm @li_taobao {ZHANG}\n第一行\n第二行")
    assert sent[-2].text == "第一行\n第二行"
    assert "可送达：2 位" in (sent[-1].text or "")


async def test_dm_photo_to_a_mode_segment(dbed: Testbed) -> None:
    bed = dbed
    await bed.say(OWNER, OWNER, "/mode @li_taobao 批发")
    sent = await bed.run(lambda: bed.sandbox.send_photo(OWNER, OWNER, PNG, "/dm mode:批发 新图"))
    assert sent[-2].photo is not None and sent[-2].caption == "新图"
    assert "可送达：1 位" in (sent[-1].text or "")
    await bed.click(OWNER, sent[-1], _button(sent[-1], "dm:s:"))
    await bed.services.outbox.wait_idle(10)
    got = [m for m in bed.sandbox.messages(LI) if m.photo is not None]
    assert len(got) == 1 and got[0].caption == "新图"


async def test_mute_leaves_an_agent_out_and_shows_on_the_card(dbed: Testbed) -> None:
    bed = dbed
    muted = await bed.say(OWNER, OWNER, "/mute @zhang_pdd")
    assert "已为 张 (@zhang_pdd) 开启免打扰" in (muted[-1].text or "")
    twice = await bed.say(OWNER, OWNER, "/mute @zhang_pdd")
    assert "已经是免打扰" in (twice[-1].text or "")
    card = await bed.say(OWNER, OWNER, "/agent @zhang_pdd")
    assert "免打扰" in (card[-1].text or "")
    sent = await bed.say(OWNER, OWNER, "/dm tag:VIP客户 秋季特惠")
    question = sent[-1].text or ""
    assert "可送达：2 位" in question and "已免打扰，不发送：1 位" in question
    await bed.click(OWNER, sent[-1], _button(sent[-1], "dm:s:"))
    await bed.services.outbox.wait_idle(10)
    assert not any("秋季特惠" in text for text in _private(bed, ZHANG))
    alone = await bed.say(OWNER, OWNER, "/dm tag:代理商 秋季特惠")
    assert "没有可以私信的代理" in (alone[-1].text or "")
    unmuted = await bed.say(OWNER, OWNER, "/unmute @zhang_pdd")
    assert "关闭免打扰" in (unmuted[-1].text or "")
    actions = [row.action for row in await bed.services.audit.recent(20)]
    assert "mute" in actions and "unmute" in actions


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/dm", "用法：/dm"),
        ("/dm tag:VIP客户", "用法：/dm"),
        ("/dm colour:red 你好", "看不懂对象"),
        ("/dm @nobody_here 你好", "没有找到代理"),
        ("/dm tag:没有的标签 你好", "没有可以私信的代理"),
    ],
)
async def test_dm_bad_input_says_why_and_sends_nothing(
    dbed: Testbed, command: str, expected: str
) -> None:
    bed = dbed
    before = bed.sandbox.sent_count()
    sent = await bed.say(OWNER, OWNER, command)
    assert expected in (sent[-1].text or "")
    assert not any(m.chat_id != OWNER for m in bed.sandbox.sent_since(before))
    assert await bed.services.outbox.recent(1) == []


async def test_dm_is_for_admins_only(dbed: Testbed) -> None:
    bed = dbed
    await bed.say(LI, LI, "/dm tag:VIP客户 hi")
    await bed.say(LI, LI, "/mute @zhang_pdd")
    assert await bed.services.outbox.recent(1) == []
    assert not await bed.services.reach.is_muted(ZHANG)
