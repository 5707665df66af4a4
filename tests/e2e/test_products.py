"""/newproduct, /products, /product: the conversation, the preview and sending it to the groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dev.testbed import Testbed
from handlers import catalog as catalog_handlers
from tests.e2e.catalog_helpers import (
    button_data,
    choose_target,
    current,
    draft_product,
    group_posts,
    publish_product,
    send_photo,
)
from tests.e2e.helpers import OWNER, join, make_group, texts


async def test_single_photo_product_reaches_every_group_as_previewed(bed: Testbed) -> None:
    groups = [await make_group(bed, f"代理群{i}") for i in range(3)]
    control = await draft_product(bed, "ds-001", title="夏季 <新款> 连衣裙", description="a & b")
    preview = [m for m in bed.sandbox.messages(OWNER) if m.photo][-1]
    assert preview.method == "sendPhoto"
    assert "夏季 &lt;新款&gt; 连衣裙" in (preview.caption or "")
    assert "¥59.90" in (preview.caption or "") and "¥39.90" in (preview.caption or "")
    assert "DS-001" in (preview.caption or "") and "a &amp; b" in (preview.caption or "")
    assert "全部有效群（3 个）" in (control.text or "")
    assert await bed.services.products.get("DS-001") is None  # nothing saved before Send

    await bed.click(OWNER, control, "np:send")
    assert "已保存并提交发送到 3 个群" in (current(bed, control).text or "")
    assert current(bed, control).reply_markup is None
    await bed.services.outbox.wait_idle(10)
    for chat_id in groups:
        posts = group_posts(bed, chat_id)
        assert len(posts) == 1
        assert posts[0].photo == preview.photo and posts[0].caption == preview.caption
    product = await bed.services.products.get("DS-001")
    assert product is not None and product.price_cents == 5990
    assert product.agent_price_cents == 3990 and product.photos == (preview.photo,)
    mapping = await bed.services.outbox.message_ids("product:DS-001")
    assert set(mapping) == set(groups)


async def test_album_of_several_photos(bed: Testbed) -> None:
    group = await make_group(bed, "代理群")
    control = await draft_product(bed, "ALB-1", photos=4)
    album = [m for m in bed.sandbox.messages(OWNER) if m.media_group_id]
    assert len(album) == 4 and len({m.media_group_id for m in album}) == 1
    # An album cannot carry buttons: its caption is the text under it, with 📦 获取素材.
    assert all(not m.caption for m in album)
    preview_text = [m for m in bed.sandbox.messages(OWNER) if m.text and "ALB-1" in m.text]
    assert preview_text and "mat:ALB-1" in str(preview_text[0].reply_markup)
    await bed.click(OWNER, control, "np:send")
    await bed.services.outbox.wait_idle(10)
    # The post carries buttons (📦 获取素材, 申请样品), which an album cannot: its photos go
    # without a caption and the caption follows as a text message holding the buttons.
    posts = group_posts(bed, group)
    assert len(posts) == 5 and len({m.media_group_id for m in posts[:4]}) == 1
    assert [m.photo for m in posts[:4]] == [m.photo for m in album]
    assert all(not m.caption for m in posts[:4])
    assert posts[4].text == preview_text[0].text
    assert posts[4].buttons == [
        {"text": "📦 获取素材", "callback_data": "mat:ALB-1"},
        {"text": "🧪 申请样品", "callback_data": "sr:ALB-1"},
    ]


async def test_target_a_group_tag(bed: Testbed) -> None:
    vip = await make_group(bed, "VIP群")
    other = await make_group(bed, "普通群")
    await bed.say(OWNER, OWNER, f"/tag_group {vip} VIP代理商")
    control = await draft_product(bed, "T-1")
    chosen = await choose_target(bed, control, "VIP代理商")
    assert "✅ 标签 VIP代理商" in str(chosen.reply_markup)
    assert "发送范围：标签 VIP代理商（1 个群）" in (chosen.text or "")
    await bed.click(OWNER, chosen, "np:send")
    await bed.services.outbox.wait_idle(10)
    assert len(group_posts(bed, vip)) == 1 and group_posts(bed, other) == []


async def test_every_step_validates_and_reasks(bed: Testbed) -> None:
    await make_group(bed, "群")
    await publish_product(bed, "TAKEN")

    async def step(text: str, expected: str) -> None:
        reply = texts(await bed.say(OWNER, OWNER, text))
        assert reply and expected in reply[-1], (text, reply)

    await step("/newproduct", "货号")
    await step("bad sku!", "无效")
    await step("taken", "已存在")
    await step("NEW-1", "商品标题")
    await step("x" * 101, "太长")
    await step("好看的裙子", "零售价")
    await step("-5", "不能是负数")
    await step("abc", "不是金额")
    await step("59.999", "两位小数")
    await step("0", "必须大于 0")
    await step("59.9", "代发价")
    await step("99", "高于建议零售价")
    await step("-", "类目")
    await step("类" * 51, "太长")
    await step("女装/连衣裙", "描述")
    await step("描" * 701, "太长")
    await step("纯棉", "图片")
    await step("not a photo", "这一步需要别的内容")
    await step("/done", "至少发送一张")
    for n in range(10):
        await send_photo(bed, n)
    assert "最多 10 张" in texts(await send_photo(bed, 10))[-1]
    sent = await bed.say(OWNER, OWNER, "/done")
    album = [m for m in sent if m.media_group_id]
    assert len(album) == 10
    control = sent[-1]
    await bed.click(OWNER, control, "np:send")
    product = await bed.services.products.get("NEW-1")
    assert product is not None and product.agent_price_cents is None
    assert product.category == "女装/连衣裙" and len(product.photos) == 10


async def test_category_button_and_done_button(bed: Testbed) -> None:
    bed.settings.seller_categories[:] = ["女装/连衣裙", "家居/收纳"]
    for text in ["/newproduct", "BTN-1", "收纳盒", "19.9", "-"]:
        sent = await bed.say(OWNER, OWNER, text)
    ask = sent[-1]
    assert [b["text"] for b in ask.buttons] == ["女装/连衣裙", "家居/收纳"]
    await bed.click(OWNER, ask, button_data(ask, "家居/收纳"))
    await bed.say(OWNER, OWNER, "大号收纳盒")
    received = await send_photo(bed, 1)
    sent = await bed.click(OWNER, received[-1], "np:done")
    assert sent[-1].reply_markup is not None and any(m.photo for m in sent)
    await bed.click(OWNER, sent[-1], "np:cancel")


async def test_cancel_saves_nothing_and_stale_buttons_expire(bed: Testbed) -> None:
    await make_group(bed, "群")
    control = await draft_product(bed, "C-1")
    await bed.click(OWNER, control, "np:cancel")
    assert "没有保存" in (current(bed, control).text or "")
    assert await bed.services.products.get("C-1") is None
    # The control message lost its buttons; a second draft cancelled with /cancel.
    for text in ["/newproduct", "C-2", "标题"]:
        await bed.say(OWNER, OWNER, text)
    assert "没有保存" in texts(await bed.say(OWNER, OWNER, "/cancel"))[-1]
    assert "这一步" not in " ".join(texts(await bed.say(OWNER, OWNER, "59.9")))
    assert await bed.services.products.get("C-2") is None
    assert await bed.services.outbox.recent() == []


async def test_non_admins_cannot_enter(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    await join(bed, group, 700, "代理")
    for user in (700, 701):
        bed.sandbox.add_user(user, "someone", language_code="zh-hans")
        reply = texts(await bed.say(user, user, "/newproduct"))
        assert "只有卖家管理员" in reply[0]
        # Not in a conversation: the next message is not taken as a SKU.
        assert texts(await bed.say(user, user, "DS-9")) == []
        for command in ["/product DS-9", "/promo", "/promos"]:
            assert "只有卖家管理员" in texts(await bed.say(user, user, command))[0]
        # /products is the agents' catalog now: a non-agent is told how to become one.
        assert "只对已认证的代理开放" in texts(await bed.say(user, user, "/products"))[0]
    assert await bed.services.products.list() == []


async def test_newproduct_in_a_group_is_refused(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    reply = texts(await bed.say(group, OWNER, "/newproduct"))
    assert "私聊" in reply[0]
    assert texts(await bed.say(group, OWNER, "DS-1")) == []


async def test_products_and_product_card(bed: Testbed) -> None:
    await make_group(bed, "群")
    assert "还没有商品" in texts(await bed.say(OWNER, OWNER, "/products"))[0]
    await publish_product(bed, "DS-1", title="连衣裙 <A>")
    await publish_product(bed, "DS-2", title="T恤", price="19.9", agent_price="-", photos=2)
    listing = texts(await bed.say(OWNER, OWNER, "/products"))[0]
    assert "DS-1" in listing and "连衣裙 &lt;A&gt;" in listing and "¥19.90" in listing
    card = (await bed.say(OWNER, OWNER, "/product ds-2"))[0]
    assert card.photo is not None and "库存：未设置" in (card.caption or "")
    assert "图片：2 张" in (card.caption or "")
    await bed.say(OWNER, OWNER, "/stock DS-2 3")
    await bed.services.outbox.wait_idle(10)
    card = (await bed.say(OWNER, OWNER, "/product DS-2"))[0]
    assert "库存：3 件（库存紧张" in (card.caption or "")
    assert "用法" in texts(await bed.say(OWNER, OWNER, "/product"))[0]
    assert "没有找到货号" in texts(await bed.say(OWNER, OWNER, "/product NOPE"))[0]


async def test_english_admin_gets_english_prompts(bed: Testbed) -> None:
    await bed.services.admins.grant(300, OWNER, bed.services.now())
    bed.sandbox.add_user(300, "Admin", language_code="en")
    reply = texts(await bed.say(300, 300, "/newproduct"))
    assert "New product" in reply[0] and "SKU" in reply[-1]
    assert "not valid" in texts(await bed.say(300, 300, "??"))[-1]


async def test_send_without_any_group_keeps_the_draft(bed: Testbed) -> None:
    control = await draft_product(bed, "LONELY")
    reply = texts(await bed.click(OWNER, control, "np:send"))
    assert "没有有效的群" in reply[-1]
    assert await bed.services.products.get("LONELY") is None
    group = await make_group(bed, "新群")
    await bed.click(OWNER, control, "np:send")
    await bed.services.outbox.wait_idle(10)
    assert await bed.services.products.get("LONELY") is not None
    # The preview's target count was taken before the group existed; sending resolves it anew.
    assert len(group_posts(bed, group)) == 1


async def test_idle_draft_times_out_and_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_handlers, "CONVERSATION_TIMEOUT", 0.5)
    async with Testbed(database=tmp_path / "bot.sqlite3") as bed:
        bed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        for text in ["/newproduct", "IDLE-1", "标题"]:
            await bed.say(OWNER, OWNER, text)
        await bed.sandbox.wait_for(
            lambda: "已关闭" in (bed.sandbox.messages(OWNER)[-1].text or ""), timeout=10
        )
        assert texts(await bed.say(OWNER, OWNER, "59.9")) == []
        assert await bed.services.products.get("IDLE-1") is None


async def test_send_now_over_the_daily_launch_cap_is_refused_and_keeps_the_draft(
    bed: Testbed,
) -> None:
    from tests.e2e.catalog_helpers import draft_product, group_posts, publish_product
    from tests.e2e.helpers import make_group

    group = await make_group(bed, "代理群")
    await publish_product(bed, "CAP-1")
    await publish_product(bed, "CAP-2")  # the default cap: 2 product posts per group per day
    posts = len(group_posts(bed, group))
    control = await draft_product(bed, "CAP-3")
    await bed.click(bed.services.settings.owners[0], control, "np:send")
    await bed.services.outbox.wait_idle(10)
    refusal = bed.sandbox.messages(control.chat_id)[-1]
    assert "每天最多 2 条新品" in (refusal.text or "") and "代理群" in (refusal.text or "")
    assert len(group_posts(bed, group)) == posts
    assert await bed.services.products.get("CAP-3") is None
