"""Seller side of quality: ratings, the /agent card, purchase import, the review queue,
/agents quality filters, and the agents spreadsheet export / import."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.agents.quality_service import wait_for_catch_up
from bot.dev.testbed import Testbed
from storage.profiles import StoreProfile
from tests.e2e.export_helpers import export_document
from tests.e2e.helpers import OWNER, join, make_group, removals_done, texts

CATEGORIES = ["女装/连衣裙", "女装/T恤", "家居/收纳"]
GOOD = StoreProfile(
    "tmall", "好店", "https://good.tmall.com", "女装/连衣裙", "旗舰店", 4.9, 4.9, 4.8, "open"
)
POOR = StoreProfile(
    "taobao", "差店", "https://poor.taobao.com", "数码", "1心", 4.0, 4.1, 4.0, "closed"
)


@pytest.fixture
async def bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    # Newcomers off: these agents without a profile are scored into tiers at once (the
    # newcomer state, 待完善, is tested in test_newcomers.py).
    overrides = {"seller_categories": CATEGORIES, "quality": {"newcomer_days": 0}}
    async with Testbed(database=tmp_path / "bot.sqlite3", overrides=overrides) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def approve_profile(bed: Testbed, user_id: int, profile: StoreProfile) -> None:
    """Submit and approve through the repository (the conversation is tested elsewhere)."""
    repository = bed.services.profiles
    submission_id = await repository.submit(user_id, profile, "dropship", bed.services.now())
    assert await repository.approve(submission_id, OWNER, bed.services.now()) is not None


async def setup_agents(bed: Testbed) -> int:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, 2001, "好", username="good_shop")
    await join(bed, chat_id, 2002, "差", username="poor_shop")
    await join(bed, chat_id, 2003, "空", username="empty_shop")
    await bed.say(2001, 2001, "/start")
    await approve_profile(bed, 2001, GOOD)
    await approve_profile(bed, 2002, POOR)
    return chat_id


async def caught_up(bed: Testbed) -> None:
    """/lowquality starts the catch-up of stale scores (new agents' placeholders) in the
    background; wait until it is done."""
    await bed.say(OWNER, OWNER, "/lowquality")
    await wait_for_catch_up(bed.application.bot_data)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(bed: Testbed, name: str, data: bytes, caption: str) -> list[str]:
    sent = await bed.run(lambda: bed.sandbox.send_document(OWNER, OWNER, name, data, caption))
    return texts(sent)


async def test_rate_and_ratings_and_card(bed: Testbed) -> None:
    await setup_agents(bed)
    before = await bed.services.profiles.score(2001)
    done = texts(await bed.say(OWNER, OWNER, "/rate @good_shop 5 出单稳定"))[0]
    assert "★★★★★" in done and "质量分" in done
    await bed.say(OWNER, OWNER, "/rate 2001 3")
    after = await bed.services.profiles.score(2001)
    assert before is not None and after is not None and after.computed_at >= before.computed_at
    for bad, error in (
        ("/rate @good_shop 6", "1 到 5"),
        ("/rate @good_shop 4.5", "1 到 5"),
        ("/rate @nobody_here 4", "没有找到代理"),
        ("/rate @good_shop", "用法"),
    ):
        assert error in texts(await bed.say(OWNER, OWNER, bad))[0], bad
    assert len(await bed.services.profiles.ratings(2001)) == 2
    history = texts(await bed.say(OWNER, OWNER, "/ratings @good_shop"))[0]
    assert "平均 4.0★（2 次）" in history and "出单稳定" in history and "· 100" in history
    card = texts(await bed.say(OWNER, OWNER, "/agent @good_shop"))[0]
    for expected in ("好店", "匹配度 100%", "旗舰店", "质量分", "卖家评分：4.0★", "DSR", "已通过"):
        assert expected in card, expected
    empty = texts(await bed.say(OWNER, OWNER, "/agent @empty_shop"))[0]
    assert "还没有通过审核的店铺资料" in empty and "无效" in empty
    assert len(await bed.services.profiles.history(2001)) >= 2


async def test_import_orders_csv_and_xlsx(bed: Testbed) -> None:
    await setup_agents(bed)
    before = await bed.services.profiles.score(2001)
    csv_data = "代理,订单数,金额,周期\n@good_shop,40,¥12000.50,2026-10\n2002,1,10,2026-Q3\n"
    reply = await upload(bed, "orders.csv", csv_data.encode("utf-8-sig"), "/import_orders")
    assert "已导入 2 条" in reply[0]
    after = await bed.services.profiles.score(2001)
    assert before is not None and after is not None and after.score >= before.score
    rows = [["agent", "orders", "amount", "period"], ["@good_shop", 10, 99.5, "2026-11"]]
    reply = await upload(bed, "orders.xlsx", xlsx(rows), "/import_orders")
    assert "已导入 1 条" in reply[0]
    totals = await bed.services.profiles.purchase_totals()
    assert totals[2001].orders == 50 and totals[2001].amount_cents == 1200050 + 9950
    # Re-importing a period replaces it.
    await upload(bed, "o.csv", b"agent,orders,amount,period\n2001,5,1,2026-10\n", "/import_orders")
    totals = await bed.services.profiles.purchase_totals()
    assert totals[2001].orders == 15


async def test_import_orders_errors_change_nothing(bed: Testbed) -> None:
    await setup_agents(bed)
    data = (
        "代理,订单数,金额,周期\n"
        "@good_shop,40,100,2026-10\n"
        "@nobody_here,1,1,2026-10\n"
        "2001,-3,1,2026-11\n"
        "2001,3,1.234,2026-12\n"
        "2001,3,1,2026-13\n"
        "@good_shop,1,1,2026-10\n"
    ).encode("gb18030")
    reply = (await upload(bed, "orders.csv", data, "/import_orders"))[0]
    assert "没有导入任何数据" in reply
    for line in ("第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行"):
        assert line in reply, line
    assert "• 第 2 行" not in reply and "与第 2 行重复" in reply
    assert await bed.services.profiles.purchase_totals() == {}
    missing = await upload(bed, "o.csv", b"agent,orders\n2001,1\n", "/import_orders")
    assert "amount" in missing[0] and "period" in missing[0]
    wrong_type = await upload(bed, "o.pdf", b"%PDF", "/import_orders")
    assert ".csv" in wrong_type[0]
    broken = await upload(bed, "o.xlsx", b"not a zip", "/import_orders")
    assert "XLSX" in broken[0]
    assert "附件" in texts(await bed.say(OWNER, OWNER, "/import_orders"))[0]
    bed.sandbox.add_user(2009, "路人", language_code="zh-hans")
    refused = await bed.run(
        lambda: bed.sandbox.send_document(2009, 2009, "o.csv", b"a", "/import_orders")
    )
    assert "只有卖家管理员" in texts(refused)[0]


async def test_review_queue_keep_message_remove(bed: Testbed) -> None:
    chat_id = await setup_agents(bed)
    await caught_up(bed)
    sent = await bed.say(OWNER, OWNER, "/lowquality")
    queue = sent[0]
    assert "评分更新于" in queue.text
    assert "差" in queue.text and "空" in queue.text and "好（" not in queue.text
    # Lowest score first: the empty profile scores below the poor one.
    assert queue.text.index("空") < queue.text.index("差")
    buttons = {
        b["text"]: b["callback_data"] for row in queue.reply_markup["inline_keyboard"] for b in row
    }
    assert set(buttons) >= {"🗑 移除 1", "⏸ 保留 1", "✉️ 私信 1", "🗑 移除 2"}
    # Message: 2003 never started the bot, the sandbox answers 403.
    empty_id = "2003"
    assert buttons["✉️ 私信 1"].endswith(empty_id)
    failed = await bed.click(OWNER, queue, buttons["✉️ 私信 1"])
    assert "从未启动机器人" in texts(failed)[0]
    # Message an agent who started the bot.
    await bed.say(2002, 2002, "/start")
    notice = await bed.click(OWNER, queue, buttons["✉️ 私信 2"])
    to_agent = [m for m in notice if m.chat_id == 2002]
    assert len(to_agent) == 1 and "需要改进" in to_agent[0].text
    # Keep: snoozed for 30 days, out of the queue (the queue message is redrawn in place).
    await bed.click(OWNER, queue, buttons["⏸ 保留 2"])
    queue = next(m for m in bed.sandbox.messages(OWNER) if m.message_id == queue.message_id)
    assert queue.edited and "差" not in queue.text and "空" in queue.text
    score = await bed.services.profiles.score(2002)
    assert score is not None and score.snoozed_until >= bed.services.now() + 29 * 86400
    # Remove with confirmation: same path as /remove.
    buttons = {
        b["text"]: b["callback_data"] for row in queue.reply_markup["inline_keyboard"] for b in row
    }
    confirm = (await bed.click(OWNER, queue, buttons["🗑 移除 1"]))[0]
    assert "确认把" in confirm.text and "质量分低" in confirm.text
    yes = confirm.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await bed.click(OWNER, confirm, yes)
    await removals_done(bed)
    agent = await bed.services.agents.get(2003)
    assert agent is not None and agent.status == "removed"
    assert agent.removed_reason is not None and "质量分低" in agent.removed_reason
    assert len(bed.sandbox.calls("banChatMember", chat_id)) == 1
    assert "已移除" in bed.sandbox.messages(OWNER)[-1].text
    assert "没有待审核" in texts(await bed.say(OWNER, OWNER, "/lowquality"))[0]
    # An agent crafting queue callbacks is refused.
    await bed.run(lambda: bed.sandbox.click(2001, 2001, 1, "lq:y:2002", strict=False))
    assert "只有卖家管理员" in bed.sandbox.calls("answerCallbackQuery")[-1].params["text"]
    still = await bed.services.agents.get(2002)
    assert still is not None and still.status == "active"


async def statuses(bed: Testbed, user_ids: range) -> set[str]:
    found = set()
    for user_id in user_ids:
        agent = await bed.services.agents.get(user_id)
        assert agent is not None
        found.add(agent.status)
    return found


async def test_bulk_remove_tier_with_confirmation(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    for user_id in range(3001, 3005):
        await join(bed, chat_id, user_id, f"号{user_id}")
    await caught_up(bed)  # scores the placeholders
    assert "只能批量移除" in texts(await bed.say(OWNER, OWNER, "/lowquality remove 优质"))[0]
    assert "用法" in texts(await bed.say(OWNER, OWNER, "/lowquality delete 无效"))[0]
    confirm = (await bed.say(OWNER, OWNER, "/lowquality remove 无效"))[0]
    assert "<b>4</b>" in confirm.text
    cancel = confirm.reply_markup["inline_keyboard"][0][1]["callback_data"]
    await bed.click(OWNER, confirm, cancel)
    assert await statuses(bed, range(3001, 3005)) == {"active"}
    confirm = (await bed.say(OWNER, OWNER, "/lowquality remove invalid"))[0]
    button = confirm.reply_markup["inline_keyboard"][0][0]
    assert button["text"] == "确认移除 4 位"
    await bed.click(OWNER, confirm, button["callback_data"])
    await removals_done(bed)
    assert "已移除 4 位" in bed.sandbox.messages(OWNER)[-1].text
    assert await statuses(bed, range(3001, 3005)) == {"removed"}
    assert len(bed.sandbox.calls("banChatMember")) == 4


async def test_agents_quality_filters(bed: Testbed) -> None:
    await setup_agents(bed)
    await caught_up(bed)
    good = await bed.services.profiles.score(2001)
    assert good is not None

    async def listed(query: str) -> str:
        return texts(await bed.say(OWNER, OWNER, f"/agents {query}"))[0]

    assert "好" in await listed("platform:天猫") and "差" not in await listed("platform:天猫")
    assert "差" in await listed("platform:taobao")
    assert "好" in await listed("category:女装") and "差" not in await listed("category:女装")
    assert "好" in await listed("category:女装/连衣裙")
    assert "好" not in await listed("category:女")
    low = await listed("score:<40")
    assert "差" in low and "空" in low and "好" not in low
    assert "好" in await listed(f"score:>={good.score}")
    assert "好" not in await listed(f"score:>{good.score}")
    assert "好" in await listed(f"tier:{ {'excellent': '优质', 'qualified': '合格'}[good.tier] }")
    assert "score:&lt;50" in await listed("score:50") or "score:<50" in await listed("score:50")
    assert "无效" in await listed("tier:极好")


async def test_export_import_round_trip_and_edits(bed: Testbed) -> None:
    await setup_agents(bed)
    await bed.say(OWNER, OWNER, "/remark @good_shop 李女士淘卖")
    await bed.say(OWNER, OWNER, "/tag @good_shop VIP代理商 已成交")
    await bed.say(OWNER, OWNER, "/mode @poor_shop 批发")
    await upload(
        bed, "o.csv", b"agent,orders,amount,period\n2001,7,70.5,2026-10\n", "/import_orders"
    )
    sent = [await export_document(bed)]
    document = sent[0].document
    assert document is not None and document["file_name"].endswith(".xlsx")
    assert "共 3 位" in (sent[0].caption or "")
    data = bed.sandbox.file_bytes(document["file_id"])
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:6] == ["用户ID", "用户名", "昵称", "备注", "标签", "合作模式"]
    assert "店铺链接" in header and "质量分" in header and "采购金额" in header
    good = next(row for row in rows if row[0] == 2001)
    assert good[header.index("备注")] == "李女士淘卖"
    assert good[header.index("平台")] == "天猫" and good[header.index("DSR物流")] == 4.8
    assert good[header.index("订单数")] == 7 and good[header.index("采购金额")] == 70.5

    async def snapshot() -> list:
        return [
            [await bed.services.agents.get(u) for u in (2001, 2002, 2003)],
            await bed.services.profiles.all_profiles(),
        ]

    before = await snapshot()
    reply = await upload(bed, "agents.xlsx", data, "/import_agents")
    assert "更新 0 位代理，3 位无变化" in reply[0]
    assert await snapshot() == before
    # Edit: remark, tags, mode, and profile fields of the empty agent.
    rows[rows.index(good)][header.index("备注")] = "李总"
    empty = next(row for row in rows if row[0] == 2003)
    empty[header.index("标签")] = "潜在客户"
    empty[header.index("合作模式")] = "定制"
    empty[header.index("平台")] = "抖音"
    empty[header.index("店铺等级")] = "4.5"
    empty[header.index("经营状态")] = "营业中"
    reply = await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents")
    assert "更新 2 位代理，1 位无变化" in reply[0]
    agent = await bed.services.agents.get(2003)
    assert agent is not None and agent.tags == ("潜在客户",) and agent.order_mode == "custom"
    profile = await bed.services.profiles.get(2003)
    assert profile == StoreProfile(platform="douyin", badge="4.5", operating_status="open")
    remark = await bed.services.agents.get(2001)
    assert remark is not None and remark.remark == "李总"


async def test_import_agents_errors_change_nothing(bed: Testbed) -> None:
    await setup_agents(bed)
    sent = [await export_document(bed)]
    data = bed.sandbox.file_bytes(sent[0].document["file_id"])
    rows = [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    header = rows[0]
    before = [await bed.services.agents.get(u) for u in (2001, 2002, 2003)]
    rows[1][header.index("备注")] = "新备注"  # valid, but the file has errors elsewhere
    rows[2][header.index("店铺链接")] = "not a url"
    rows[3][header.index("DSR描述")] = 7
    rows.append([999999, *rows[1][1:]])
    rows.append(["abc", *rows[1][1:]])
    reply = (await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents"))[0]
    assert "没有导入任何数据" in reply
    for line in ("第 3 行", "第 4 行", "第 5 行", "第 6 行"):
        assert line in reply, line
    assert "http" in reply and "0.0 到 5.0" in reply and "没有找到代理" in reply
    assert [await bed.services.agents.get(u) for u in (2001, 2002, 2003)] == before
    missing = await upload(bed, "a.xlsx", xlsx([["备注"], ["x"]]), "/import_agents")
    assert "user_id" in missing[0]
