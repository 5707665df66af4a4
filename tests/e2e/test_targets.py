"""Targets by buttons: several group tags at once for a broadcast (✓ toggles, Done, the union of
their groups), a schedule to a tag no group has is refused with the tags that exist, and /tag
<agent> alone offers the existing agent tags as buttons."""

from __future__ import annotations

from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group


def _labelled(message: SentMessage, label: str) -> str:
    for item in message.buttons:
        if label in item["text"]:
            return str(item["callback_data"])
    raise AssertionError(f"no button labelled {label!r} in {message.buttons}")


def _labels(message: SentMessage) -> list[str]:
    return [str(item["text"]) for item in message.buttons]


async def test_broadcast_to_two_tags_reaches_the_union_once(bed: Testbed) -> None:
    east = await make_group(bed, "华东群")
    both = await make_group(bed, "VIP华东群")
    vip = await make_group(bed, "VIP群")
    other = await make_group(bed, "其他群")
    await bed.say(OWNER, OWNER, f"/tag_group {east} 华东")
    await bed.say(OWNER, OWNER, f"/tag_group {both} 华东 VIP")
    await bed.say(OWNER, OWNER, f"/tag_group {vip} VIP")
    choose = (await bed.say(OWNER, OWNER, "/broadcast 两个标签"))[-1]
    assert any("VIP（2）" in label for label in _labels(choose))
    assert any("华东（2）" in label for label in _labels(choose))
    # Done with nothing ticked: an alert, nothing happens.
    await bed.click(OWNER, choose, _labelled(choose, "完成"))
    answer = bed.sandbox.calls("answerCallbackQuery")[-1].params
    assert "至少一个标签" in str(answer.get("text"))
    await bed.click(OWNER, choose, _labelled(choose, "VIP"))
    await bed.click(OWNER, choose, _labelled(choose, "华东"))
    assert any(label.startswith("✓") and "VIP" in label for label in _labels(choose))
    assert "已选 2 个标签" in " ".join(_labels(choose))
    # Untick and tick again: the selection toggles.
    await bed.click(OWNER, choose, _labelled(choose, "华东"))
    assert not any(label.startswith("✓") and "华东" in label for label in _labels(choose))
    await bed.click(OWNER, choose, _labelled(choose, "华东"))
    preview = await bed.click(OWNER, choose, _labelled(choose, "完成"))
    confirm = preview[-1]
    assert "VIP、华东（3）" in (confirm.text or "")
    await bed.click(OWNER, confirm, _labelled(confirm, "发送"))
    await bed.services.outbox.wait_idle(10)
    for chat_id in (east, both, vip):
        assert [m.text for m in bed.sandbox.messages(chat_id)].count("两个标签") == 1
    assert not any(m.text == "两个标签" for m in bed.sandbox.messages(other))


async def test_schedule_to_a_tag_without_groups_is_refused_with_the_tags(bed: Testbed) -> None:
    group = await make_group(bed, "华东群")
    await bed.say(OWNER, OWNER, f"/tag_group {group} 华东")
    sent = await bed.say(OWNER, OWNER, "/schedule tag:华北 明天 20:00 晚上好")
    text = sent[-1].text or ""
    assert "华北" in text and "华东（1）" in text
    assert await bed.services.schedules.upcoming(limit=10) == []
    ok = await bed.say(OWNER, OWNER, "/schedule tag:华东 明天 20:00 晚上好")
    assert "华北" not in (ok[-1].text or "")


async def test_tag_without_a_tag_offers_the_existing_tags(bed: Testbed) -> None:
    group = await make_group(bed, "代理群")
    await join(bed, group, 2001, "Li", "li_taobao")
    await join(bed, group, 2002, "Gu", "gu_douyin")
    await bed.say(OWNER, OWNER, "/tag @gu_douyin VIP客户 已寄样")
    offer = (await bed.say(OWNER, OWNER, "/tag @li_taobao"))[-1]
    assert {"VIP客户", "已寄样"} <= set(_labels(offer))
    await bed.click(OWNER, offer, _labelled(offer, "VIP客户"))
    agent = await bed.services.agents.get(2001)
    assert agent is not None and agent.tags == ("VIP客户",)
    await bed.click(OWNER, offer, _labelled(offer, "已寄样"))
    agent = await bed.services.agents.get(2001)
    assert agent is not None and set(agent.tags) == {"VIP客户", "已寄样"}


async def test_every_tag_is_offered_page_by_page_most_used_first(bed: Testbed) -> None:
    tagged = await make_group(bed, "大群")
    second = await make_group(bed, "二群")
    regions = [f"地区{n:02d}" for n in range(24)]
    await bed.say(OWNER, OWNER, f"/tag_group {tagged} 热门 {' '.join(regions)}")
    await bed.say(OWNER, OWNER, f"/tag_group {second} 热门")
    choose = (await bed.say(OWNER, OWNER, "/broadcast 按地区"))[-1]
    first_page = _labels(choose)
    assert first_page[1] == "标签：热门（2）"  # after 全部: the most used tag
    assert len(first_page) <= 14 and "标签：地区23（1）" not in first_page
    assert "标签 2/3 ▶" in first_page
    await bed.click(OWNER, choose, _labelled(choose, "标签 2/3 ▶"))
    await bed.click(OWNER, choose, _labelled(choose, "标签 3/3 ▶"))
    last_page = _labels(choose)
    assert "标签：地区23（1）" in last_page and "◀ 标签 2/3" in last_page
    assert not any("▶" in label for label in last_page)
    await bed.click(OWNER, choose, _labelled(choose, "地区23"))
    await bed.click(OWNER, choose, _labelled(choose, "◀ 标签 2/3"))
    await bed.click(OWNER, choose, _labelled(choose, "地区10"))
    assert "已选 2 个标签" in " ".join(_labels(choose))
    preview = await bed.click(OWNER, choose, _labelled(choose, "完成"))
    assert "地区10、地区23（1）" in (preview[-1].text or "")
    await bed.click(OWNER, preview[-1], _labelled(preview[-1], "发送"))
    await bed.services.outbox.wait_idle(10)
    assert [m.text for m in bed.sandbox.messages(tagged)].count("按地区") == 1
    assert not any(m.text == "按地区" for m in bed.sandbox.messages(second))


async def test_a_digest_to_a_tag_without_groups_is_refused_too(bed: Testbed) -> None:
    group = await make_group(bed, "华东群")
    await bed.say(OWNER, OWNER, f"/tag_group {group} 华东")
    sent = await bed.say(OWNER, OWNER, "/schedule_digest tag:华北 每天 09:00")
    text = sent[-1].text or ""
    assert "华北" in text and "华东（1）" in text
    assert await bed.services.schedules.upcoming(limit=10) == []
