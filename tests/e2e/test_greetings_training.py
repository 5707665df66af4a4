"""Greetings, follow-ups, training RSVPs and reminders, launches and promotion reminders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.testbed import Testbed
from bot.scheduling.kinds import schedule_promo_reminder
from storage.catalog import Product
from tests.e2e.catalog_helpers import publish_product
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at, run_due, texts_in

LI, ZHANG, WANG = 2001, 2002, 2003


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 9, 12, 9, 0))  # three days before 中秋 2027-09-15


@pytest.fixture
async def sbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def _agents(bed: Testbed, group: int) -> None:
    await join(bed, group, LI, "Li", "li_taobao")
    await join(bed, group, ZHANG, "张", "zhang_pdd")
    await join(bed, group, WANG, "Wang", "wang_shop")
    await bed.say(LI, LI, "/start")
    await bed.say(ZHANG, ZHANG, "/start")
    await bed.say(OWNER, OWNER, "/remark @li_taobao 李女士")


def _buttons(bed: Testbed, chat: int) -> list[tuple[str, str]]:
    message = bed.sandbox.messages(chat)[-1]
    return [(b["text"], b.get("callback_data", "")) for b in message.buttons]


async def test_greeting_preview_approve_and_addressed_sends(
    sbed: Testbed, clock: FakeClock
) -> None:
    group = await make_group(sbed, "代理群")
    await _agents(sbed, group)
    saved = await sbed.say(OWNER, OWNER, "/greeting 中秋 {name}，中秋快乐！月饼已备好🥮")
    assert "已保存中秋节问候模板" in saved[-1].text
    clock.set(2027, 9, 12, 10, 0)  # the daily check
    await run_due(sbed, clock)
    preview = sbed.sandbox.messages(OWNER)[-1]
    assert "中秋节" in preview.text and "2027-09-15" in preview.text
    assert "各位代理，中秋快乐！月饼已备好🥮" in preview.text
    approve = next(data for label, data in _buttons(sbed, OWNER) if "批准" in label)
    await sbed.click(OWNER, preview, approve)
    assert "2027-09-15 09:00" in sbed.sandbox.messages(OWNER)[-1].text
    # The next daily check does not preview the same festival again.
    clock.set(2027, 9, 13, 10, 0)
    await run_due(sbed, clock)
    assert sum("问候预览" in text for text in texts_in(sbed, OWNER)) == 1

    clock.set(2027, 9, 15, 9, 0)
    await run_due(sbed, clock)
    assert texts_in(sbed, group)[-1] == "各位代理，中秋快乐！月饼已备好🥮"
    assert texts_in(sbed, LI)[-1] == "李女士，中秋快乐！月饼已备好🥮"  # remark name
    assert texts_in(sbed, ZHANG)[-1] == "张，中秋快乐！月饼已备好🥮"  # first name
    assert not any("中秋" in text for text in texts_in(sbed, WANG))  # never started the bot
    assert not any(text.startswith("Seller，") for text in texts_in(sbed, OWNER))  # staff


async def test_greeting_skip(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    clock.set(2027, 9, 28, 10, 0)  # three days before 国庆
    await run_due(sbed, clock)
    preview = sbed.sandbox.messages(OWNER)[-1]
    assert "国庆节" in preview.text
    skip = next(data for label, data in _buttons(sbed, OWNER) if "跳过" in label)
    await sbed.click(OWNER, preview, skip)
    assert "已跳过" in sbed.sandbox.messages(OWNER)[-1].text
    clock.set(2027, 10, 1, 9, 0)
    await run_due(sbed, clock)
    assert texts_in(sbed, group) == []
    bad = await sbed.say(OWNER, OWNER, "/greeting 圣诞 hi")
    assert "不认识节日" in bad[-1].text


async def test_followups_list_and_mark_contacted(sbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(sbed, "代理群")
    await _agents(sbed, group)
    await sbed.say(OWNER, OWNER, "/contacted @zhang_pdd 电话聊过")
    clock.set(2027, 9, 27, 9, 30)  # 15 days later
    await sbed.say(OWNER, OWNER, "/contacted @wang_shop")  # contacted today
    await run_due(sbed, clock)
    message = sbed.sandbox.messages(OWNER)[-1]
    assert "跟进提醒" in message.text
    assert not any("错过" in text for text in texts_in(sbed, OWNER))  # system jobs are quiet
    assert "李女士" in message.text and "张" in message.text and "Wang" not in message.text
    data = next(d for label, d in _buttons(sbed, OWNER) if "李女士" in label)
    await sbed.click(OWNER, message, data)
    agent = await sbed.services.agents.get(LI)
    assert agent is not None and agent.last_contact_at == clock.now
    assert all("李女士" not in label for label, _ in _buttons(sbed, OWNER))


async def test_training_rsvp_counts_reminders_and_attendance(
    sbed: Testbed, clock: FakeClock
) -> None:
    group = await make_group(sbed, "代理群")
    await _agents(sbed, group)
    for text in ["/training", "新品卖点培训", "2027-09-14 20:00", "90分钟", "腾讯会议 123", "跳过"]:
        await sbed.say(OWNER, OWNER, text)
    done = await sbed.say(OWNER, OWNER, "全部")
    # The admin's reply (the announcement to the group, and its progress message to the admin,
    # may come before or after it).
    assert any("培训 #1" in (m.text or "") for m in done if m.chat_id == OWNER)
    await sbed.services.outbox.wait_idle(10)
    announcement = sbed.sandbox.messages(group)[-1]
    assert "新品卖点培训" in announcement.text and "参加 0" in announcement.text
    yes = next(d for label, d in _buttons(sbed, group) if label.startswith("参加"))
    maybe = next(d for label, d in _buttons(sbed, group) if label.startswith("待定"))
    await sbed.click(LI, announcement, yes)
    await sbed.click(ZHANG, announcement, maybe)
    await sbed.click(WANG, announcement, yes)
    await sbed.sandbox.wait_for(
        lambda: (
            "参加 2" in sbed.sandbox.messages(group)[-1].text
            and "待定 1" in sbed.sandbox.messages(group)[-1].text
        )
    )
    assert any(label == "参加 (2)" for label, _ in _buttons(sbed, group))
    # Three clicks, folded into few edits (not one per click is required, but at most three).
    edits = sbed.sandbox.calls("editMessageText", group)
    assert 1 <= len(edits) <= 3

    clock.set(2027, 9, 13, 20, 0)  # 24 h before
    await run_due(sbed, clock)
    reminder = texts_in(sbed, group)[-1]
    assert "培训提醒" in reminder and "24 小时后" in reminder
    assert "培训提醒" in texts_in(sbed, LI)[-1]  # answered 参加, started the bot
    assert not any("培训提醒" in text for text in texts_in(sbed, ZHANG))  # 待定
    clock.set(2027, 9, 14, 19, 0)  # 1 h before
    await run_due(sbed, clock)
    assert "1 小时后" in texts_in(sbed, group)[-1]
    assert sum("培训提醒" in text for text in texts_in(sbed, LI)) == 2

    listing = (await sbed.say(OWNER, OWNER, "/training 1"))[-1]
    assert (
        "参加（2）" in listing.text
        and "参加：李女士" in listing.text
        and "待定：张" in listing.text
    )
    mark = next(d for label, d in _buttons(sbed, OWNER) if "李女士" in label)
    await sbed.click(OWNER, listing, mark)
    marked = await sbed.say(OWNER, OWNER, "/attended 1 @zhang_pdd")
    assert "新登记到场 1 人" in marked[-1].text
    assert "已到场（2）" in (await sbed.say(OWNER, OWNER, "/training 1"))[-1].text
    trainings = sbed.services.trainings
    assert await trainings.attendance_rate(LI) == 1.0
    assert await trainings.attendance_rate(ZHANG) == 1.0
    assert await trainings.attendance_rate(WANG) == 0.0  # said 参加, did not come
    assert await trainings.attendance_rate(OWNER) is None
    # The batch a recompute asks for at once: the same rates, agents without data left out.
    assert await trainings.attendance_rates([LI, ZHANG, WANG, OWNER, LI]) == {
        LI: 1.0,
        ZHANG: 1.0,
        WANG: 0.0,
    }
    assert "新品卖点培训" in (await sbed.say(OWNER, OWNER, "/trainings"))[-1].text
    assert "用法" in (await sbed.say(OWNER, OWNER, "/attended x"))[-1].text


async def test_forged_buttons_get_the_expired_answer_and_change_nothing(
    sbed: Testbed, clock: FakeClock
) -> None:
    """Data no handler's parse accepts (crafted by a client, or too old) reaches the catch-all:
    a neutral "expired" answer, no message, no edit, no RSVP."""
    group = await make_group(sbed, "代理群")
    await _agents(sbed, group)
    for text in ["/training", "新品卖点培训", "2027-09-14 20:00", "90分钟", "腾讯会议 123", "跳过"]:
        await sbed.say(OWNER, OWNER, text)
    await sbed.say(OWNER, OWNER, "全部")
    await sbed.services.outbox.wait_idle(10)
    announcement = sbed.sandbox.messages(group)[-1]
    assert any(data == "rsvp:1:yes" for _, data in _buttons(sbed, group))
    sent, edits = sbed.sandbox.sent_count(), len(sbed.sandbox.calls("editMessageText"))
    forged = [
        "rsvp:١:yes",  # an Arabic-Indic 1: int() would read training 1
        "rsvp:1:YES",
        "rsvp:9223372036854775808:yes",
        "rsvp:1:yes:no",
        "qh:1:soon",
        "nonsense",
    ]
    for data in forged:
        await sbed.run(
            lambda d=data: sbed.sandbox.click(LI, group, announcement.message_id, d, strict=False)
        )
        answer = sbed.sandbox.calls("answerCallbackQuery")[-1].params
        assert answer.get("text") == "这个按钮已失效。", data
    assert sbed.sandbox.sent_count() == sent
    assert len(sbed.sandbox.calls("editMessageText")) == edits
    assert await sbed.services.trainings.counts(1) == {"yes": 0, "no": 0, "maybe": 0}


async def test_training_conversation_rejects_bad_input(sbed: Testbed, clock: FakeClock) -> None:
    await make_group(sbed, "代理群")
    await sbed.say(OWNER, OWNER, "/training")
    await sbed.say(OWNER, OWNER, "培训")
    assert "已经过去" in (await sbed.say(OWNER, OWNER, "2020-01-01 20:00"))[-1].text
    assert "时长" in (await sbed.say(OWNER, OWNER, "2027-09-20 20:00"))[-1].text
    assert "无法识别" in (await sbed.say(OWNER, OWNER, "forever"))[-1].text
    await sbed.say(OWNER, OWNER, "1h")
    await sbed.say(OWNER, OWNER, "会议室")
    await sbed.say(OWNER, OWNER, "跳过")
    assert "没有带这些标签" in (await sbed.say(OWNER, OWNER, "不存在的标签"))[-1].text
    assert "已取消" in (await sbed.say(OWNER, OWNER, "/cancel"))[-1].text
    assert await sbed.services.trainings.get(1) is None


async def _product(bed: Testbed, sku: str) -> Product:
    await publish_product(bed, sku, title=f"连衣裙{sku}")
    product = await bed.services.products.get(sku)
    assert product is not None
    return product


async def test_teaser_then_launch(sbed: Testbed, clock: FakeClock) -> None:
    clock.set(2027, 3, 1, 9, 0)
    group = await make_group(sbed, "代理群")
    await _product(sbed, "A1")  # sent today: 1 of 2 product posts for today
    await sbed.services.outbox.wait_idle(10)
    before = len(texts_in(sbed, group))
    sent = await sbed.say(OWNER, OWNER, "/launch A1 明天 20:00 / 明天 10:00")
    assert "预热 #" in sent[-1].text and "上新 #" in sent[-1].text
    clock.set(2027, 3, 2, 10, 0)
    await run_due(sbed, clock)
    teaser = sbed.sandbox.messages(group)[-1]
    assert (
        teaser.photo
        and "上新预热" in (teaser.caption or "")
        and "2027-03-02 20:00" in (teaser.caption or "")
    )
    clock.set(2027, 3, 2, 20, 0)
    await run_due(sbed, clock)
    launch = sbed.sandbox.messages(group)[-1]
    assert "连衣裙A1" in (launch.caption or "")
    assert len(texts_in(sbed, group)) == before + 2
    bad = await sbed.say(OWNER, OWNER, "/launch A1 明天 10:00 / 明天 20:00")
    assert "预热时间必须早于上新时间" in bad[-1].text
    assert "没有 SKU" in (await sbed.say(OWNER, OWNER, "/launch NOPE 明天 10:00"))[-1].text


async def test_launch_frequency_cap_offers_next_slot(sbed: Testbed, clock: FakeClock) -> None:
    clock.set(2027, 3, 1, 9, 0)
    group = await make_group(sbed, "代理群")
    await _product(sbed, "B1")
    await _product(sbed, "B2")  # two product posts today: the cap (2) is reached
    offer = await sbed.say(OWNER, OWNER, "/launch B1 15:00")
    assert "上新频率控制" in offer[-1].text and "代理群" in offer[-1].text
    assert "2027-03-02 15:00" in offer[-1].text
    before = await sbed.services.schedules.upcoming(limit=10)
    slot = next(d for label, d in _buttons(sbed, OWNER) if "下一个可用" in label)
    await sbed.click(OWNER, offer[-1], slot)
    assert "2027-03-02 15:00" in sbed.sandbox.messages(OWNER)[-1].text
    after = await sbed.services.schedules.upcoming(limit=10)
    assert len(after) == len(before) + 1
    # Tomorrow now holds one scheduled launch; a second fits, a third does not.
    ok = await sbed.say(OWNER, OWNER, "/launch B2 2027-03-02 16:00")
    assert "上新 #" in ok[-1].text
    full = await sbed.say(OWNER, OWNER, "/launch B2 2027-03-02 17:00")
    assert "上新频率控制" in full[-1].text and "2027-03-03 17:00" in full[-1].text
    assert group


async def test_promotion_end_reminder(sbed: Testbed, clock: FakeClock) -> None:
    clock.set(2027, 3, 1, 9, 0)
    group = await make_group(sbed, "代理群")
    services = sbed.services
    promotion = await services.promotions.add(
        "春季满减",
        "full_reduction",
        "满199减30",
        at(2027, 3, 1, 9, 0),
        at(2027, 3, 3, 20, 0),
        (),
        OWNER,
        services.now(),
    )
    schedule = await schedule_promo_reminder(services, promotion)
    assert schedule is not None and schedule.next_due_at == at(2027, 3, 3, 18, 0)
    assert await schedule_promo_reminder(services, promotion) == schedule  # no duplicate
    clock.set(2027, 3, 3, 18, 0)
    await run_due(sbed, clock)
    assert "春季满减" in texts_in(sbed, group)[-1] and "2 小时" in texts_in(sbed, group)[-1]


async def test_product_preview_teaser_first_button(sbed: Testbed, clock: FakeClock) -> None:
    from tests.e2e.catalog_helpers import draft_product

    clock.set(2027, 3, 1, 9, 0)
    group = await make_group(sbed, "代理群")
    control = await draft_product(sbed, "C1", title="新款风衣")
    labels = [b["text"] for b in control.buttons]
    assert "🗓 定时上新…" in labels and "🔥 先预热" in labels
    await sbed.click(OWNER, control, "np:teaser")
    offer = sbed.sandbox.messages(OWNER)[-1]
    assert "已保存" in (offer.text or "")
    assert await sbed.services.products.get("C1") is not None
    assert [m for m in sbed.sandbox.messages(group) if m.photo] == []  # nothing sent yet
    await sbed.click(OWNER, offer, offer.buttons[0]["callback_data"])
    assert "预热什么时候发" in texts_in(sbed, OWNER)[-1]
    await sbed.say(OWNER, OWNER, "明天 10:00")
    done = await sbed.say(OWNER, OWNER, "明天 20:00")
    assert "预热 #" in done[-1].text and "2027-03-02 20:00" in done[-1].text
    clock.set(2027, 3, 2, 10, 0)
    await run_due(sbed, clock)
    assert "上新预热" in texts_in(sbed, group)[-1]
    clock.set(2027, 3, 2, 20, 0)
    await run_due(sbed, clock)
    assert "新款风衣" in texts_in(sbed, group)[-1] and "上新预热" not in texts_in(sbed, group)[-1]
