"""The /profile conversation, /myprofile, and the admins' Approve / Return review."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts

CATEGORIES = ["女装/连衣裙", "女装/T恤", "家居/收纳"]


@pytest.fixture
async def bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    """The standard bed, with the seller's categories configured."""
    overrides = {"seller_categories": CATEGORIES}
    async with Testbed(database=tmp_path / "bot.sqlite3", overrides=overrides) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


AGENT = 2001
OTHER = 2002

GOOD_ANSWERS = [
    "淘宝",
    "李家小店",
    "https://lijia.taobao.com",
    "女装/连衣裙",
    "3钻",
    "4.8",
    "4.9",
    "4.7",
    "营业中",
    "一件代发",
]


async def agent(
    bed: Testbed,
    user_id: int,
    name: str,
    username: str | None = None,
    language_code: str = "zh-hans",
) -> None:
    """``user_id`` joins a seller's group (only agents may send a profile)."""
    groups = await bed.services.groups.list(active_only=True)
    chat_id = groups[0].chat_id if groups else await make_group(bed, "代理群")
    await join(bed, chat_id, user_id, name, username=username, language_code=language_code)


def keyboard(message) -> list[str]:
    markup = message.reply_markup or {}
    return [button["text"] for row in markup.get("keyboard", []) for button in row]


async def fill_profile(
    bed: Testbed,
    user_id: int,
    answers: list[str] = GOOD_ANSWERS,
    optional: tuple[str, str] = ("跳过", "-"),
) -> list:
    """The whole form: ``answers`` to the 10 steps, then region and buyer id (skipped)."""
    sent = await bed.say(user_id, user_id, "/profile")
    for answer in [*answers, *optional]:
        sent = await bed.say(user_id, user_id, answer)
    return sent


def review_buttons(bed: Testbed, admin: int) -> tuple[object, dict[str, str]]:
    message = next(
        m for m in reversed(bed.sandbox.messages(admin)) if m.reply_markup and "#" in (m.text or "")
    )
    rows = message.reply_markup["inline_keyboard"]
    return message, {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_every_step_validates_and_reasks(bed: Testbed) -> None:
    await agent(bed, AGENT, "李", username="li_shop", language_code="zh-hans")
    sent = await bed.say(AGENT, AGENT, "/profile")
    assert "1/10" in texts(sent)[-1] and "淘宝" in keyboard(sent[-1])
    bad_then_good = [
        ("亚马逊", "平台「亚马逊」无效", "淘宝", "2/10"),
        ("x" * 61, "店铺名称不能为空", "李家小店", "3/10"),
        ("lijia.taobao.com", "需要以 http:// 或 https:// 开头", "https://lijia.taobao.com", "4/10"),
        ("/".join(["长"] * 30), "主营类目不能为空", "女装/连衣裙", "5/10"),
        ("6钻", "淘宝等级「6钻」无效", "3钻", "描述相符"),
        ("5.5", "描述相符「5.5」无效", "4.8", "服务态度"),
        ("4.855", "服务态度「4.855」无效", "4.9", "物流服务"),
        ("abc", "物流服务「abc」无效", "4.7", "9/10"),
        ("装修中", "经营状态「装修中」无效", "营业中", "10/10"),
    ]
    for bad, error, good, next_prompt in bad_then_good:
        reask = texts(await bed.say(AGENT, AGENT, bad))
        assert len(reask) == 1 and error in reask[0], (bad, reask)
        answer = texts(await bed.say(AGENT, AGENT, good))
        assert next_prompt in answer[-1], (good, answer)
    assert await bed.services.profiles.latest_submission(AGENT) is None
    reask = await bed.say(AGENT, AGENT, "零售")
    assert "合作模式「零售」无效" in texts(reask)[0] and "一件代发" in keyboard(reask[0])
    region = await bed.say(AGENT, AGENT, "一件代发")
    assert "选填 1/2" in texts(region)[-1] and keyboard(region[-1]) == ["跳过"]
    await bed.say(AGENT, AGENT, "跳过")
    done = texts(await bed.say(AGENT, AGENT, "-"))
    assert "申请中" in done[0]
    submission = await bed.services.profiles.latest_submission(AGENT)
    assert submission is not None and submission.status == "pending"
    assert submission.profile.badge == "3钻" and submission.profile.dsr_logistics == 4.7
    assert submission.order_mode == "dropship"


async def test_buttons_per_step(bed: Testbed) -> None:
    await agent(bed, AGENT, "李", language_code="zh-hans")
    sent = await bed.say(AGENT, AGENT, "/profile")
    assert keyboard(sent[-1])[:3] == ["淘宝", "天猫", "拼多多"] and len(keyboard(sent[-1])) == 10
    await bed.say(AGENT, AGENT, "天猫")
    await bed.say(AGENT, AGENT, "旗舰店铺")
    category = await bed.say(AGENT, AGENT, "https://x.tmall.com")
    assert keyboard(category[-1]) == ["女装/连衣裙", "女装/T恤", "家居/收纳"]
    badge = await bed.say(AGENT, AGENT, "自定义/类目")
    assert keyboard(badge[-1]) == ["旗舰店", "专卖店", "专营店"]
    bad = await bed.say(AGENT, AGENT, "3钻")
    assert "天猫等级「3钻」无效" in texts(bad)[0]
    dsr = await bed.say(AGENT, AGENT, "旗舰店")
    assert "5.0" in keyboard(dsr[-1])


async def test_numeric_badge_platform_and_non_text_answer(bed: Testbed) -> None:
    await agent(bed, AGENT, "李", language_code="zh-hans")
    await bed.say(AGENT, AGENT, "/profile")
    await bed.say(AGENT, AGENT, "抖音")
    photo = await bed.run(lambda: bed.sandbox.send_photo(AGENT, AGENT, b"\xff\xd8\xff" + b"0" * 64))
    assert "请用文字回答" in texts(photo)[0]
    await bed.say(AGENT, AGENT, "抖店")
    await bed.say(AGENT, AGENT, "https://douyin.com/shop/1")
    prompt = await bed.say(AGENT, AGENT, "家居/收纳")
    assert "0–5" in texts(prompt)[-1] and keyboard(prompt[-1]) == []
    assert "无效" in texts(await bed.say(AGENT, AGENT, "金牌"))[0]
    assert "描述相符" in texts(await bed.say(AGENT, AGENT, "4.6"))[-1]


async def test_cancel_saves_nothing_and_restart_is_clean(bed: Testbed) -> None:
    await agent(bed, AGENT, "李", language_code="zh-hans")
    await bed.say(AGENT, AGENT, "/profile")
    await bed.say(AGENT, AGENT, "淘宝")
    await bed.say(AGENT, AGENT, "李家小店")
    cancelled = await bed.say(AGENT, AGENT, "/cancel")
    assert "没有保存" in texts(cancelled)[0]
    assert cancelled[0].reply_markup == {"remove_keyboard": True}
    assert await bed.services.profiles.latest_submission(AGENT) is None
    # After leaving, ordinary text is not taken as an answer.
    assert await bed.say(AGENT, AGENT, "https://lijia.taobao.com") == []
    sent = await fill_profile(bed, AGENT)
    assert "申请中" in texts(sent)[0]


async def test_approve_flow_tells_agent_and_scores(bed: Testbed) -> None:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, AGENT, "李", username="li_shop")
    await bed.say(AGENT, AGENT, "/start")
    await fill_profile(bed, AGENT)
    message, buttons = review_buttons(bed, OWNER)
    assert "李家小店" in message.text and "https://lijia.taobao.com" in message.text
    sent = await bed.click(OWNER, message, buttons["✅ 通过"])
    told = [m for m in sent if m.chat_id == AGENT]
    assert len(told) == 1 and "审核通过" in told[0].text
    edited = bed.sandbox.messages(OWNER)[-1]
    assert "已通过" in edited.text and not (edited.reply_markup or {}).get("inline_keyboard")
    profile = await bed.services.profiles.get(AGENT)
    assert profile is not None and profile.platform == "taobao" and profile.badge == "3钻"
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.order_mode == "dropship"
    score = await bed.services.profiles.score(AGENT)
    assert score is not None and score.computed_at > 0 and score.score > 0
    mine = texts(await bed.say(AGENT, AGENT, "/myprofile"))[0]
    assert "李家小店" in mine and "已通过" in mine and "匹配度 100%" in mine
    # A second click (or another admin's copy) finds it handled.
    again = await bed.run(
        lambda: bed.sandbox.click(
            OWNER, OWNER, message.message_id, buttons["✅ 通过"], strict=False
        )
    )
    assert again == []
    answer = bed.sandbox.calls("answerCallbackQuery")[-1].params
    assert "已经处理过" in answer["text"]


async def test_return_with_reason_and_resubmit(bed: Testbed) -> None:
    await agent(bed, AGENT, "李", language_code="zh-hans")
    await fill_profile(bed, AGENT)
    message, buttons = review_buttons(bed, OWNER)
    await bed.click(OWNER, message, buttons["↩️ 退回"])
    reasons = bed.sandbox.messages(OWNER)[-1]
    _, reason_buttons = review_buttons(bed, OWNER)
    assert "店铺链接打不开" in reason_buttons
    sent = await bed.click(OWNER, reasons, reason_buttons["店铺链接打不开"])
    told = [m for m in sent if m.chat_id == AGENT]
    assert "店铺链接打不开" in told[0].text and "/profile" in told[0].text
    submission = await bed.services.profiles.latest_submission(AGENT)
    assert submission is not None and submission.status == "returned"
    assert submission.reason == "店铺链接打不开"
    assert await bed.services.profiles.get(AGENT) is None
    mine = texts(await bed.say(AGENT, AGENT, "/myprofile"))[0]
    assert "被退回" in mine and "店铺链接打不开" in mine
    await fill_profile(bed, AGENT)
    latest = await bed.services.profiles.latest_submission(AGENT)
    assert latest is not None and latest.status == "pending" and latest.id != submission.id


async def test_agents_cannot_touch_other_profiles(bed: Testbed) -> None:
    await agent(bed, AGENT, "李", language_code="zh-hans")
    await agent(bed, OTHER, "张", language_code="zh-hans")
    await fill_profile(bed, AGENT)
    _, buttons = review_buttons(bed, OWNER)
    submission = await bed.services.profiles.latest_submission(AGENT)
    assert submission is not None
    # The other agent crafts the admin's callback data: refused, nothing changes.
    for data in (buttons["✅ 通过"], buttons["↩️ 退回"], f"pf:q:{submission.id}:0"):
        await bed.run(lambda d=data: bed.sandbox.click(OTHER, OTHER, 1, d, strict=False))
        answer = bed.sandbox.calls("answerCallbackQuery")[-1].params
        assert "只有卖家管理员" in answer["text"]
    submission = await bed.services.profiles.latest_submission(AGENT)
    assert submission is not None and submission.status == "pending"
    # /myprofile shows only the sender's own profile, whatever argument is given.
    mine = texts(await bed.say(OTHER, OTHER, f"/myprofile {AGENT}"))[0]
    assert "李家小店" not in mine and "未提交" in mine
    # OTHER filling a profile never changes AGENT's submission.
    await fill_profile(bed, OTHER, [*GOOD_ANSWERS[:1], "张家铺子", *GOOD_ANSWERS[2:]])
    mine = await bed.services.profiles.latest_submission(AGENT)
    assert mine is not None and mine.profile.store_name == "李家小店"
    theirs = await bed.services.profiles.latest_submission(OTHER)
    assert theirs is not None and theirs.profile.store_name == "张家铺子"
    # Seller commands are refused to agents.
    assert "只有卖家管理员" in texts(await bed.say(OTHER, OTHER, f"/agent {AGENT}"))[0]
    assert "只有卖家管理员" in texts(await bed.say(OTHER, OTHER, f"/rate {AGENT} 1"))[0]


async def test_resubmission_supersedes_pending_one(bed: Testbed) -> None:
    await agent(bed, AGENT, "李", language_code="zh-hans")
    await fill_profile(bed, AGENT)
    first, first_buttons = review_buttons(bed, OWNER)
    await fill_profile(bed, AGENT, [GOOD_ANSWERS[0], "新店名", *GOOD_ANSWERS[2:]])
    await bed.click(OWNER, first, first_buttons["✅ 通过"])
    answer = bed.sandbox.calls("answerCallbackQuery")[-1].params
    assert "已被新提交替代" in answer["text"]
    assert await bed.services.profiles.get(AGENT) is None
    second, second_buttons = review_buttons(bed, OWNER)
    await bed.click(OWNER, second, second_buttons["✅ 通过"])
    profile = await bed.services.profiles.get(AGENT)
    assert profile is not None and profile.store_name == "新店名"
