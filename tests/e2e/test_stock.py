"""Stock: /stock, thresholds, crossings and their notices, CSV import all-or-nothing."""

from __future__ import annotations

from bot.dev.testbed import Testbed
from storage.catalog import Product
from tests.e2e.catalog_helpers import choose_target, draft_product, group_posts, publish_product
from tests.e2e.helpers import OWNER, join, make_group, texts


def notices(bed: Testbed, chat_id: int) -> list[str]:
    return [m.text or "" for m in group_posts(bed, chat_id) if "库存通知" in (m.text or "")]


async def test_crossings_notify_once_per_state_as_replies_to_the_preview(bed: Testbed) -> None:
    group_a = await make_group(bed, "代理A群")
    group_b = await make_group(bed, "代理B群")
    await publish_product(bed, "DS-1")
    previews = {chat: group_posts(bed, chat)[0] for chat in (group_a, group_b)}
    assert all(p.photo for p in previews.values())

    async def stock(qty: int) -> str:
        reply = texts(await bed.say(OWNER, OWNER, f"/stock DS-1 {qty}"))[0]
        await bed.services.outbox.wait_idle(10)
        return reply

    assert "无需通知" in await stock(100)  # first level, in stock: nothing to announce
    assert notices(bed, group_a) == []
    assert "已提交发送到 2 个群" in await stock(3)  # into low (default threshold 5)
    assert "无需通知" in await stock(2)  # still low: no second notice
    await stock(0)  # out
    await stock(0)
    await stock(40)  # back in stock
    await stock(50)
    for chat in (group_a, group_b):
        found = notices(bed, chat)
        assert len(found) == 3, found
        assert "库存紧张" in found[0] and "仅剩 3 件" in found[0]
        assert "已售罄" in found[1] and "已补货" in found[2] and "40" in found[2]
        for message in group_posts(bed, chat):
            if "库存通知" in (message.text or ""):
                assert message.reply_to_message_id == previews[chat].message_id


async def test_notice_goes_to_preview_groups_only_and_everywhere_without_preview(
    bed: Testbed,
) -> None:
    group_a = await make_group(bed, "A群")
    group_b = await make_group(bed, "B群")
    await bed.say(OWNER, OWNER, f"/tag_group {group_a} VIP")
    control = await choose_target(bed, await draft_product(bed, "DS-VIP"), "VIP")
    await bed.click(OWNER, control, "np:send")
    await bed.services.outbox.wait_idle(10)
    assert len(group_posts(bed, group_a)) == 1 and group_posts(bed, group_b) == []
    await bed.say(OWNER, OWNER, "/stock DS-VIP 0")
    await bed.services.outbox.wait_idle(10)
    assert len(notices(bed, group_a)) == 1 and notices(bed, group_b) == []

    # A product that was never previewed: its notice goes to every active group, not as a reply.
    old = Product("DS-OLD", "老款", 1000, None, "家居", "旧款", ("p",), OWNER, 0)
    assert await bed.services.products.add(old)
    await bed.say(OWNER, OWNER, "/stock DS-OLD 1")
    await bed.services.outbox.wait_idle(10)
    for chat in (group_a, group_b):
        last = group_posts(bed, chat)[-1]
        assert "老款" in (last.text or "") and last.reply_to_message_id is None


async def test_threshold_changes_state_and_announces(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    await publish_product(bed, "DS-1")
    refused = texts(await bed.say(OWNER, OWNER, "/stock_threshold DS-1 10"))[0]
    assert "还没有库存数量" in refused
    await bed.say(OWNER, OWNER, "/stock DS-1 8")
    await bed.services.outbox.wait_idle(10)
    assert notices(bed, group) == []
    reply = texts(await bed.say(OWNER, OWNER, "/stock_threshold DS-1 10"))[0]
    assert "低库存阈值已设为 10" in reply and "库存紧张" in reply
    await bed.services.outbox.wait_idle(10)
    assert len(notices(bed, group)) == 1
    reply = texts(await bed.say(OWNER, OWNER, "/stock_threshold DS-1 -"))[0]
    assert "默认值 5" in reply and "有货" in reply
    level = await bed.services.stock.get("DS-1")
    assert level is not None and level.threshold is None and level.state == "in_stock"
    listing = texts(await bed.say(OWNER, OWNER, "/stock"))[0]
    assert "DS-1" in listing and "8（有货）" in listing


async def test_stock_bad_input_changes_nothing(bed: Testbed) -> None:
    await make_group(bed, "群")
    await publish_product(bed, "DS-1")
    for command, expected in [
        ("/stock DS-1", "用法"),
        ("/stock DS-1 1 2", "用法"),
        ("/stock NOPE 5", "没有找到货号"),
        ("/stock DS-1 -3", "不能是负数"),
        ("/stock DS-1 lots", "数量"),
        ("/stock bad! 3", "货号"),
        ("/stock_threshold DS-1", "用法"),
        ("/stock_threshold DS-1 x", "阈值"),
        ("/stock_import", "CSV"),
    ]:
        reply = texts(await bed.say(OWNER, OWNER, command))
        assert expected in reply[0], (command, reply)
    assert await bed.services.stock.get("DS-1") is None


async def test_agents_and_strangers_cannot_touch_stock(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    await publish_product(bed, "DS-1")
    await join(bed, group, 700, "代理")
    bed.sandbox.add_user(701, "陌生人", language_code="zh-hans")
    for user in (700, 701):
        for command in ["/stock DS-1 0", "/stock", "/stock_threshold DS-1 9"]:
            reply = texts(await bed.say(user, user, command))
            assert "只有卖家管理员" in reply[0]
        sent = await bed.run(
            lambda u=user: bed.sandbox.send_document(
                u, u, "s.csv", b"DS-1,0\n", caption="/stock_import"
            )
        )
        assert "只有卖家管理员" in texts(sent)[0]
    assert await bed.services.stock.get("DS-1") is None


async def _import(bed: Testbed, data: bytes, name: str = "stock.csv") -> list[str]:
    sent = await bed.run(
        lambda: bed.sandbox.send_document(OWNER, OWNER, name, data, caption="/stock_import")
    )
    return texts(sent)


async def test_csv_import_all_or_nothing_with_line_numbers(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    await publish_product(bed, "DS-1")
    await publish_product(bed, "DS-2")
    await bed.say(OWNER, OWNER, "/stock DS-1 100")
    bad = b"sku,qty\nDS-1,0\nDS-2,abc\nDS-9,4\nDS-1,3\nDS-2\n"
    reply = (await _import(bed, bad))[0]
    assert "库存没有任何改动" in reply
    for line, reason in [(3, "数量"), (4, "DS-9 不存在"), (5, "重复"), (6, "2 列")]:
        assert f"第 {line} 行：" in reply and reason in reply, (line, reason, reply)
    assert "第 2 行：" not in reply
    level = await bed.services.stock.get("DS-1")
    assert level is not None and level.qty == 100
    assert await bed.services.stock.get("DS-2") is None
    await bed.services.outbox.wait_idle(10)
    assert notices(bed, group) == []


async def test_csv_import_applies_and_sends_one_combined_notice(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    await publish_product(bed, "DS-1", title="连衣裙")
    await publish_product(bed, "DS-2", title="T恤")
    # A third preview would exceed the daily launch cap (2 per group); DS-3 never crosses.
    third = Product("DS-3", "收纳盒", 1000, None, "家居", "收纳", ("p",), OWNER, 0)
    assert await bed.services.products.add(third)
    await bed.say(OWNER, OWNER, "/stock DS-3 100")
    await bed.services.outbox.wait_idle(10)
    before = len(group_posts(bed, group))
    reply = await _import(bed, "货号,数量\r\nDS-1,0\r\n\r\nDS-2,2\r\nDS-3,99\r\n".encode("gb18030"))
    assert "已导入 3 行" in reply[0] and "2 个商品状态变化" in reply[0]
    await bed.services.outbox.wait_idle(10)
    new = group_posts(bed, group)[before:]
    assert len(new) == 1, [m.text for m in new]
    notice = new[0].text or ""
    assert "连衣裙" in notice and "已售罄" in notice and "T恤" in notice and "库存紧张" in notice
    assert "收纳盒" not in notice
    # Two products' previews are in this group, so the combined notice stands on its own.
    assert new[0].reply_to_message_id is None
    # The same file again changes no state: no notice.
    reply = await _import(bed, b"DS-1,0\nDS-2,2\nDS-3,99\n")
    assert "无需通知" in reply[0]


async def test_csv_import_refuses_big_and_binary_files(bed: Testbed) -> None:
    await publish_product(bed, "DS-1")
    assert "太大" in (await _import(bed, b"DS-1,1\n" * 200_000))[0]
    assert "无法读取" in (await _import(bed, b"\xff\xfe\x00\x00binary"))[0]
    assert "没有数据行" in (await _import(bed, b"sku,qty\n"))[0]
    assert await bed.services.stock.get("DS-1") is None
