"""Region and 1688 / 旺旺 buyer id: the two optional /profile steps, review, cards, /export,
/import_agents, /import_orders by buyer id, one buyer id per agent, /mydata and /forgetme."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.dev.testbed import Testbed
from tests.e2e.export_helpers import export_document
from tests.e2e.helpers import OWNER, join, make_group, texts
from tests.e2e.test_profiles import GOOD_ANSWERS, fill_profile, keyboard, review_buttons
from tests.e2e.test_quality import upload, xlsx

LI = 2001
ZHANG = 2002
WANG = 2003


@pytest.fixture
async def bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    overrides = {"seller_categories": ["女装/连衣裙"]}
    async with Testbed(database=tmp_path / "bot.sqlite3", overrides=overrides) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        chat_id = await make_group(testbed, "代理群")
        await join(testbed, chat_id, LI, "李", username="li_shop")
        await join(testbed, chat_id, ZHANG, "张", username="zhang_shop")
        await join(testbed, chat_id, WANG, "王", username="wang_shop", language_code="en")
        for user_id in (LI, ZHANG, WANG):
            await testbed.say(user_id, user_id, "/start")
        yield testbed


async def approve_latest(bed: Testbed) -> list:
    message, buttons = review_buttons(bed, OWNER)
    return await bed.click(OWNER, message, buttons["✅ 通过"])


async def persona(bed: Testbed, user_id: int) -> tuple[str | None, str | None]:
    agent = await bed.services.agents.get(user_id)
    assert agent is not None
    return agent.region, agent.buyer_id


async def test_agent_fills_region_and_buyer_id_and_the_cards_show_them(bed: Testbed) -> None:
    await bed.say(LI, LI, "/profile")
    for answer in GOOD_ANSWERS:
        sent = await bed.say(LI, LI, answer)
    assert "选填 1/2" in texts(sent)[-1] and keyboard(sent[-1]) == ["跳过"]
    assert "当前" not in texts(sent)[-1]
    sent = await bed.say(LI, LI, "浙江\u3000\u3000杭州")  # typed with a Chinese keyboard
    assert "选填 2/2" in texts(sent)[-1] and keyboard(sent[-1]) == ["跳过"]
    done = texts(await bed.say(LI, LI, "ＬｉＪｉａ２０２０"))
    assert "申请中" in done[0] and "地区：浙江 杭州 · 1688/旺旺号：LiJia2020" in done[0]
    submission = await bed.services.profiles.latest_submission(LI)
    assert submission is not None
    assert (submission.region, submission.buyer_id) == ("浙江 杭州", "LiJia2020")
    # Nothing changes on the agent before the seller approves.
    assert await persona(bed, LI) == (None, None)
    message, _ = review_buttons(bed, OWNER)
    assert "浙江 杭州" in message.text and "LiJia2020" in message.text
    await approve_latest(bed)
    assert await persona(bed, LI) == ("浙江 杭州", "LiJia2020")
    card = texts(await bed.say(OWNER, OWNER, "/agent @li_shop"))[0]
    assert "地区：浙江 杭州 · 1688/旺旺号：LiJia2020" in card
    mine = texts(await bed.say(LI, LI, "/myprofile"))[0]
    assert "地区：浙江 杭州" in mine and "LiJia2020" in mine


async def test_skipping_keeps_the_current_values_or_leaves_them_empty(bed: Testbed) -> None:
    # Nothing to keep: both stay empty ("跳过" button, then "-").
    done = texts(await fill_profile(bed, ZHANG, optional=("跳过", "-")))
    assert "申请中" in done[0] and "地区：未设置 · 1688/旺旺号：未设置" in done[0]
    await approve_latest(bed)
    assert await persona(bed, ZHANG) == (None, None)
    assert "地区：未设置" in texts(await bed.say(OWNER, OWNER, "/agent @zhang_shop"))[0]
    # An English agent sets both, then skips with "Skip" and "-": the values stay.
    await fill_profile(bed, WANG, optional=("广东省深圳市", "wang88"))
    await approve_latest(bed)
    await bed.say(WANG, WANG, "/profile")
    for answer in GOOD_ANSWERS:
        sent = await bed.say(WANG, WANG, answer)
    assert "Optional 1/2" in texts(sent)[-1] and "Now: 广东省深圳市" in texts(sent)[-1]
    assert keyboard(sent[-1]) == ["Skip", "Clear"]
    sent = await bed.say(WANG, WANG, "Skip")
    assert "Now: wang88" in texts(sent)[-1]
    await bed.say(WANG, WANG, "-")
    submission = await bed.services.profiles.latest_submission(WANG)
    assert submission is not None and submission.status == "pending"
    assert (submission.region, submission.buyer_id) == ("广东省深圳市", "wang88")
    await approve_latest(bed)
    assert await persona(bed, WANG) == ("广东省深圳市", "wang88")


async def test_clearing_removes_the_values_on_approval(bed: Testbed) -> None:
    await fill_profile(bed, LI, optional=("浙江 杭州", "LiJia2020"))
    await approve_latest(bed)
    assert await persona(bed, LI) == ("浙江 杭州", "LiJia2020")
    await bed.say(LI, LI, "/profile")
    for answer in GOOD_ANSWERS:
        sent = await bed.say(LI, LI, answer)
    assert "当前：浙江 杭州" in texts(sent)[-1] and "清除" in texts(sent)[-1]
    assert keyboard(sent[-1]) == ["跳过", "清除"]
    sent = await bed.say(LI, LI, "清除")
    assert "当前：LiJia2020" in texts(sent)[-1] and keyboard(sent[-1]) == ["跳过", "清除"]
    done = texts(await bed.say(LI, LI, "清除"))
    assert "地区：未设置 · 1688/旺旺号：未设置" in done[0]
    # Until the seller approves, the agent keeps both.
    assert await persona(bed, LI) == ("浙江 杭州", "LiJia2020")
    await approve_latest(bed)
    assert await persona(bed, LI) == (None, None)
    # The buyer id is free again: another agent may claim it.
    await fill_profile(bed, ZHANG, optional=("-", "lijia2020"))
    await approve_latest(bed)
    assert await persona(bed, ZHANG) == (None, "lijia2020")


async def test_hostile_answers_change_nothing(bed: Testbed) -> None:
    sent = await bed.say(LI, LI, "/profile")
    # The skip word is no answer to a required step: the platform step asks again.
    refused = texts(await bed.say(LI, LI, "跳过"))
    assert len(refused) == 1 and "平台「跳过」无效" in refused[0]
    for answer in GOOD_ANSWERS:
        sent = await bed.say(LI, LI, answer)
    assert "选填 1/2" in texts(sent)[-1]
    for bad in ("浙" * 10_000, "杭州\x07", "杭州<b>1</b>"):
        reask = texts(await bed.say(LI, LI, bad))
        assert len(reask) == 1 and "地区「" in reask[0] and "选填 1/2" in reask[0], bad
        assert "<b>1" not in reask[0] and "\x07" not in reask[0] and len(reask[0]) < 400
    await bed.say(LI, LI, "浙江 杭州")
    for bad in ("li\u202ejia", "li\njia", "x" * 51):
        reask = texts(await bed.say(LI, LI, bad))
        assert len(reask) == 1 and "旺旺号「" in reask[0] and "选填 2/2" in reask[0], bad
    assert await bed.services.profiles.latest_submission(LI) is None
    await bed.say(LI, LI, "-")
    submission = await bed.services.profiles.latest_submission(LI)
    assert submission is not None and submission.buyer_id is None
    assert submission.region == "浙江 杭州"


async def test_a_buyer_id_belongs_to_one_agent(bed: Testbed) -> None:
    await fill_profile(bed, LI, optional=("浙江 杭州", "LiJia2020"))
    await approve_latest(bed)
    # Another agent typing the same buyer id (other case, full width) is refused and asked again.
    await bed.say(ZHANG, ZHANG, "/profile")
    for answer in [*GOOD_ANSWERS, "-"]:
        await bed.say(ZHANG, ZHANG, answer)
    refused = texts(await bed.say(ZHANG, ZHANG, "ｌｉｊｉａ２０２０"))
    assert len(refused) == 1 and "已登记在另一位代理名下" in refused[0] and "选填 2/2" in refused[0]
    assert await bed.services.profiles.latest_submission(ZHANG) is None
    await bed.say(ZHANG, ZHANG, "-")
    # The agent who holds it may send it again.
    done = texts(await fill_profile(bed, LI, optional=("-", "lijia2020")))
    assert "申请中" in done[0]

    # Two agents claim a free buyer id while both are pending: the first approval wins, the
    # second is refused with the reason and stays pending, nothing changed.
    await fill_profile(bed, ZHANG, optional=("-", "shared_id"))
    zhang_review = review_buttons(bed, OWNER)
    await fill_profile(bed, WANG, optional=("-", "SHARED_ID"))
    await approve_latest(bed)
    assert (await persona(bed, WANG))[1] == "SHARED_ID"
    message, buttons = zhang_review
    await bed.click(OWNER, message, buttons["✅ 通过"])
    alert = bed.sandbox.calls("answerCallbackQuery")[-1].params
    assert alert.get("show_alert") and "不能通过" in alert["text"] and str(WANG) in alert["text"]
    submission = await bed.services.profiles.latest_submission(ZHANG)
    assert submission is not None and submission.status == "pending"
    assert await persona(bed, ZHANG) == (None, None)
    assert await bed.services.profiles.get(ZHANG) is None
    # The reviewer can still return it.
    await bed.click(OWNER, message, buttons["↩️ 退回"])


async def exported(bed: Testbed) -> tuple[list[list[object]], list[object]]:
    document = (await export_document(bed)).document
    assert document is not None
    data = bed.sandbox.file_bytes(document["file_id"])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows, rows[0]


async def test_export_and_import_agents_carry_the_fields(bed: Testbed) -> None:
    await fill_profile(bed, LI, optional=("浙江 杭州", "=LiJia"))
    await approve_latest(bed)
    rows, header = await exported(bed)
    region, buyer = header.index("地区"), header.index("旺旺号")
    li = next(row for row in rows if row[0] == LI)
    assert li[region] == "浙江 杭州" and li[buyer] == "'=LiJia"  # never a formula
    zhang = next(row for row in rows if row[0] == ZHANG)
    assert zhang[region] is None and zhang[buyer] is None
    # The file comes back unchanged.
    reply = await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents")
    assert "更新 0 位代理" in reply[0]
    assert await persona(bed, LI) == ("浙江 杭州", "=LiJia")

    # Set, change (full width and case are normalised) and clear.
    zhang[region], zhang[buyer] = "广东　深圳", "ＺＨＡＮＧ88"
    li[region] = ""
    reply = await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents")
    assert "更新 2 位代理" in reply[0], reply
    assert await persona(bed, ZHANG) == ("广东 深圳", "ZHANG88")
    assert await persona(bed, LI) == (None, "=LiJia")
    assert await bed.services.profiles.get(ZHANG) is None  # no store profile made
    wang = await bed.services.agents.get(WANG)
    assert wang is not None and wang.profile_at is None

    # Two agents swap their buyer ids in one import (text a spreadsheet would take for a
    # formula is written with one ' in front, as the export does).
    li[buyer], zhang[buyer] = "zhang88", "'=lijia"
    reply = await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents")
    assert "更新 2 位代理" in reply[0], reply
    assert (await persona(bed, LI))[1] == "zhang88"
    assert (await persona(bed, ZHANG))[1] == "=lijia"


async def test_import_agents_refuses_a_buyer_id_twice(bed: Testbed) -> None:
    await fill_profile(bed, WANG, optional=("-", "wang88"))
    await approve_latest(bed)
    rows, header = await exported(bed)
    buyer, region = header.index("旺旺号"), header.index("地区")
    li = next(row for row in rows if row[0] == LI)
    zhang = next(row for row in rows if row[0] == ZHANG)
    wang = next(row for row in rows if row[0] == WANG)
    li[buyer], zhang[buyer] = "same", "SAME"
    wang[region] = "杭州" * 20
    reply = (await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents"))[0]
    assert "有 2 处错误" in reply and "与第" in reply and "地区「" in reply
    # A buyer id held by an agent whose row keeps it (or who is not in the sheet).
    rows, header = await exported(bed)
    li = next(row for row in rows if row[0] == LI)
    li[buyer] = "WANG88"
    reply = (await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents"))[0]
    assert "没有导入任何数据" in reply
    line = rows.index(li) + 1
    rows_without_wang = [row for row in rows if row[0] != WANG]
    reply = (await upload(bed, "agents.xlsx", xlsx(rows_without_wang), "/import_agents"))[0]
    assert f"第 {line} 行" in reply and f"已属于代理 {WANG}" in reply
    assert await persona(bed, LI) == (None, None)
    assert await persona(bed, WANG) == (None, "wang88")


async def test_import_orders_finds_agents_by_buyer_id(bed: Testbed) -> None:
    await fill_profile(bed, LI, optional=("-", "李家小店"))
    await approve_latest(bed)
    await fill_profile(bed, ZHANG, optional=("-", "Zhang_Buyer"))
    await approve_latest(bed)
    await fill_profile(bed, WANG, optional=("-", str(LI)))  # a buyer id that is LI's user id
    await approve_latest(bed)
    data = (
        "买家会员名,订单数,金额,周期\n"
        "李家小店,3,300,2026-10\n"
        "ＺＨＡＮＧ_ＢＵＹＥＲ,2,20.5,2026-10\n"
        "@wang_shop,1,10,2026-10\n"
    ).encode("utf-8-sig")
    reply = await upload(bed, "orders.csv", data, "/import_orders")
    assert "已导入 3 条" in reply[0], reply
    since = 0
    assert (await bed.services.profiles.purchases_since(LI, since)).orders == 3
    zhang = await bed.services.profiles.purchases_since(ZHANG, since)
    assert (zhang.orders, zhang.amount_cents) == (2, 2050)
    assert (await bed.services.profiles.purchases_since(WANG, since)).orders == 1

    # Unknown, ambiguous (a user id that is another agent's buyer id) and malformed rows are
    # reported, and nothing is written.
    data = (
        f"代理,订单数,金额,周期\n李家小店,9,9,2026-11\n无名小店,1,1,2026-11\n{LI},1,1,2026-11\n"
        "bad\x01id,1,1,2026-11\n"
    ).encode()
    reply = (await upload(bed, "orders.csv", data, "/import_orders"))[0]
    assert "没有导入任何数据" in reply
    assert "第 3 行" in reply and "第 4 行" in reply and "第 5 行" in reply
    assert f"同时对应多位代理（{LI}、{WANG}）" in reply
    assert "第 2 行" not in reply
    assert (await bed.services.profiles.purchases_since(LI, since)).orders == 3


async def test_mydata_has_the_fields_and_forgetme_erases_them(bed: Testbed) -> None:
    await fill_profile(bed, LI, optional=("浙江 杭州", "LiJia2020"))
    await approve_latest(bed)
    sent = await bed.say(LI, LI, "/mydata")
    document = next(m.document for m in sent if m.document)
    exported = json.loads(bed.sandbox.file_bytes(document["file_id"]).decode("utf-8"))
    dumped = json.dumps(exported, ensure_ascii=False)
    assert '"region": "浙江 杭州"' in dumped and '"buyer_id": "LiJia2020"' in dumped
    # A removed agent who forgets themselves keeps only the id: the buyer id is free again.
    services = bed.services
    await services.agents.mark_removed(LI, "乱发广告", services.now())
    ask = (await bed.say(LI, LI, "/forgetme"))[0]
    confirm = next(
        b["callback_data"]
        for row in ask.reply_markup["inline_keyboard"]
        for b in row
        if b["text"] == "确认删除"
    )
    await bed.click(LI, ask, confirm)
    assert await persona(bed, LI) == (None, None)
    row = await services.db.fetchone("SELECT buyer_key FROM agents WHERE user_id = ?", (LI,))
    assert row is not None and row[0] is None
    done = texts(await fill_profile(bed, ZHANG, optional=("-", "lijia2020")))
    assert "申请中" in done[0]
