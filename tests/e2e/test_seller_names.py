"""Agents named the way the seller names them (remark, prefix, typed on a phone), the choice
buttons of an ambiguous name, and the contact log on the card."""

from __future__ import annotations

from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts

LI = 2001
LI_TWO = 2002
ZHANG = 2003


async def _agents(bed: Testbed) -> int:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, LI, "李", username="li_taobao")
    await join(bed, chat_id, LI_TWO, "丽", username="li_pdd")
    await join(bed, chat_id, ZHANG, "张", username="zhang_pdd")
    await bed.say(OWNER, OWNER, "/remark @li_taobao 李女士淘卖")
    await bed.say(OWNER, OWNER, "/remark @li_pdd 李女士 拼多多")
    await bed.say(OWNER, OWNER, "/remark @zhang_pdd 顾总定制")
    return chat_id


def _buttons(message: object) -> list[tuple[str, str]]:
    markup = getattr(message, "reply_markup", None) or {}
    return [
        (button["text"], button["callback_data"])
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


async def test_remark_exact_and_unique_prefix(bed: Testbed) -> None:
    await _agents(bed)
    card = texts(await bed.say(OWNER, OWNER, "/agent 李女士淘卖"))[0]
    assert f"<code>{LI}</code>" in card
    card = texts(await bed.say(OWNER, OWNER, "/agent 顾总"))[0]
    assert f"<code>{ZHANG}</code>" in card
    # A remark with a space, named whole; the words after it are the command's arguments.
    await bed.say(OWNER, OWNER, "/tag 李女士 拼多多 VIP客户、代理商，已寄样")
    agent = await bed.services.agents.get(LI_TWO)
    assert agent is not None and set(agent.tags) == {"VIP客户", "代理商", "已寄样"}
    nobody = texts(await bed.say(OWNER, OWNER, "/agent 王总"))[0]
    assert "没有找到代理" in nobody and "备注名" in nobody


async def test_typed_on_a_phone(bed: Testbed) -> None:
    await _agents(bed)
    card = texts(await bed.say(OWNER, OWNER, "/agent ＠li_taobao"))[0]
    assert f"<code>{LI}</code>" in card
    card = texts(await bed.say(OWNER, OWNER, "/agent ２００３"))[0]
    assert f"<code>{ZHANG}</code>" in card
    await bed.say(OWNER, OWNER, "/tag　＠li_taobao　VIP客户")  # ideographic spaces
    listing = texts(await bed.say(OWNER, OWNER, "/agents tag：VIP客户"))[0]
    assert "李女士淘卖" in listing and "顾总定制" not in listing
    await bed.say(OWNER, OWNER, "/mode ２００３ 批发")
    agent = await bed.services.agents.get(ZHANG)
    assert agent is not None and agent.order_mode == "wholesale"


async def test_ambiguous_name_offers_buttons_that_run_the_command(bed: Testbed) -> None:
    await _agents(bed)
    sent = await bed.say(OWNER, OWNER, "/contacted 李女士 寄了样品")
    assert len(sent) == 1 and "对应多个代理" in (sent[0].text or "")
    buttons = _buttons(sent[0])
    assert len(buttons) == 2 and any("@li_pdd" in label for label, _ in buttons)
    assert await bed.services.contacts.recent(LI, 3) == []  # nothing recorded yet
    data = next(data for label, data in buttons if "@li_pdd" in label)
    # Someone who is not an admin presses it: refused, nothing recorded.
    bed.sandbox.add_user(9999, "路人")
    await bed.click(9999, sent[0], data)
    assert await bed.services.contacts.recent(LI_TWO, 3) == []
    done = await bed.click(OWNER, sent[0], data)
    assert any("已记录与" in text and str(LI_TWO) in text for text in texts(done))
    [contact] = await bed.services.contacts.recent(LI_TWO, 3)
    assert contact.note == "寄了样品" and contact.by_user == OWNER
    assert await bed.services.contacts.recent(LI, 3) == []
    # The choice is made once: the buttons are gone.
    [choice] = [m for m in bed.sandbox.messages(OWNER) if m.message_id == sent[0].message_id]
    assert "对应多个代理" in (choice.text or "") and not _buttons(choice)


async def test_more_than_eight_matches_asks_for_more(bed: Testbed) -> None:
    chat_id = await make_group(bed, "大群")
    for index in range(9):
        await join(bed, chat_id, 3000 + index, f"代理{index}")
        await bed.say(OWNER, OWNER, f"/remark {3000 + index} 王店{index}")
    sent = await bed.say(OWNER, OWNER, "/agent 王店")
    assert "超过 8 个" in (sent[0].text or "") and not _buttons(sent[0])
    card = texts(await bed.say(OWNER, OWNER, "/agent 王店7"))[0]
    assert "<code>3007</code>" in card


async def test_contacts_are_a_log_and_the_card_shows_the_last_three(bed: Testbed) -> None:
    await _agents(bed)
    for day, note in enumerate(["第一次", "第二次", "第三次", "第四次"]):
        bed.services.clock = lambda day=day: 1_800_000_000 + day * 86400
        await bed.say(OWNER, OWNER, f"/contacted 顾总定制 {note}")
    history = await bed.services.contacts.recent(ZHANG, 10)
    assert [c.note for c in history] == ["第四次", "第三次", "第二次", "第一次"]
    card = texts(await bed.say(OWNER, OWNER, "/agent 顾总定制"))[0]
    assert "最近 3 次联系" in card
    assert "第四次" in card and "第三次" in card and "第二次" in card and "第一次" not in card
    agent = await bed.services.agents.get(ZHANG)
    assert agent is not None and agent.last_contact_note == "第四次"
