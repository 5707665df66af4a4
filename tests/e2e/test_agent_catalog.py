"""The agents' side of the catalog (issue 13 items 1-3): /products for approved agents, the
📦 获取素材 button and its deep link, /product's takes, /product_link, and inline mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.catalog.agent_view import start_payload
from bot.common.splitting import visible_length
from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from storage.catalog import Product
from storage.profiles import StoreProfile
from tests.e2e.catalog_helpers import current, group_posts, png, publish_product, send_photo
from tests.e2e.helpers import OWNER, join, make_group, texts
from tests.e2e.schedule_helpers import FakeClock, at

AGENT, NEWCOMER, TAGGED, STRANGER = 2001, 2002, 2003, 2004
PROFILE = StoreProfile(
    "tmall", "好店", "https://good.tmall.com", "女装/连衣裙", "旗舰店", 4.9, 4.9, 4.8, "open"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 9, 12, 9, 0))


@pytest.fixture
async def cbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def setup(bed: Testbed) -> int:
    """A group with an approved agent, a newcomer without a profile and an agent the seller
    tagged 代理商; two products."""
    group = await make_group(bed, "代理群")
    await join(bed, group, AGENT, "李", username="li_shop")
    await join(bed, group, NEWCOMER, "新")
    await join(bed, group, TAGGED, "王", username="wang_shop")
    profiles = bed.services.profiles
    submission = await profiles.submit(AGENT, PROFILE, "dropship", bed.services.now())
    assert await profiles.approve(submission, OWNER, bed.services.now()) is not None
    await bed.say(OWNER, OWNER, "/tag @wang_shop 代理商")
    await publish_product(bed, "DS-1", title="夏季连衣裙", photos=2)
    await publish_product(bed, "TS-2", title="纯棉T恤", category="女装/T恤", agent_price="-")
    return group


def answer_of(bed: Testbed, update: dict[str, Any]) -> dict[str, Any]:
    query_id = update["callback_query"]["id"]
    answers = [
        call.params
        for call in bed.sandbox.calls("answerCallbackQuery")
        if call.params.get("callback_query_id") == query_id
    ]
    assert len(answers) == 1, answers
    return answers[0]


async def press(bed: Testbed, user_id: int, message: SentMessage, data: str) -> dict[str, Any]:
    update: dict[str, Any] = {}

    def inject() -> dict[str, Any]:
        update.update(bed.sandbox.click(user_id, message.chat_id, message.message_id, data))
        return update

    await bed.run(inject)
    return answer_of(bed, update)


def private(bed: Testbed, user_id: int) -> list[SentMessage]:
    return [m for m in bed.sandbox.messages(user_id) if not m.deleted]


async def test_only_approved_agents_see_prices(cbed: Testbed) -> None:
    await setup(cbed)
    for user in (NEWCOMER, STRANGER):
        cbed.sandbox.add_user(user, "某人", language_code="zh-hans")
        for command in ("/products", "/products 连衣裙", "/products DS-1"):
            reply = texts(await cbed.say(user, user, command))
            assert len(reply) == 1 and "只对已认证的代理开放" in reply[0]
            assert "¥" not in reply[0]
    # The tagged agent is let in by the tag; the seller keeps the admin list.
    assert "商品目录" in texts(await cbed.say(TAGGED, TAGGED, "/products"))[0]
    assert "DS-1" in texts(await cbed.say(OWNER, OWNER, "/products"))[0]


async def test_agent_browses_by_category_and_searches(cbed: Testbed) -> None:
    group = await setup(cbed)
    await cbed.say(OWNER, OWNER, "/stock DS-1 2")
    # The low-stock notice goes to the group through the outbox: wait for it, so that it does
    # not land among the replies asserted on below.
    await cbed.sandbox.wait_for(
        lambda: any("库存通知" in (m.text or "") for m in group_posts(cbed, group))
    )
    intro = (await cbed.say(AGENT, AGENT, "/products"))[-1]
    assert "共 2 款" in (intro.text or "")
    labels = {b["text"]: b["callback_data"] for b in intro.buttons}
    assert labels["女装/连衣裙（1）"] == "ac:cat:2" and labels["全部商品（2）"] == "ac:cat:0"
    listed = (await cbed.click(AGENT, intro, "ac:cat:2"))[-1].text or ""
    assert "夏季连衣裙" in listed and "纯棉T恤" not in listed
    assert "代发价 ¥39.90" in listed and "建议零售价 ¥59.90" in listed and "库存紧张" in listed
    assert "start=card_" in listed
    found = (await cbed.say(AGENT, AGENT, "/products T恤"))[-1].text or ""
    assert "纯棉T恤" in found and "夏季连衣裙" not in found and "代发价 -" in found
    # % and _ are literal: they match no product (unescaped, they would match every one).
    for query in ("%", "_", "连衣%"):
        assert "没有找到" in texts(await cbed.say(AGENT, AGENT, f"/products {query}"))[0]
    # An exact SKU (any case) opens the card: photo, both prices, stock, the materials button.
    card = (await cbed.say(AGENT, AGENT, "/products ds-1"))[-1]
    assert card.photo is not None and card.caption is not None
    assert "代发价：¥39.90" in card.caption and "建议零售价：¥59.90" in card.caption
    assert card.buttons == [
        {"text": "📦 获取素材", "callback_data": "mat:DS-1"},
        {"text": "🧪 申请样品", "callback_data": "sr:DS-1"},
    ]
    # The card's deep link from a list row opens the same card.
    opened = await cbed.say(AGENT, AGENT, "/start " + start_payload("card", "TS-2"))
    assert len(opened) == 1 and "纯棉T恤" in (opened[0].caption or "")


async def test_catalog_pages_through_the_pager(cbed: Testbed) -> None:
    await setup(cbed)
    photo = (await cbed.services.products.get("DS-1")).photos[0]  # type: ignore[union-attr]
    for n in range(60):
        await cbed.services.products.add(
            Product(
                f"P-{n:02d}", f"款式{n:02d} " + "长标题" * 20, 9900, 5000, "家居", "好", (photo,)
            )
        )
    first = (await cbed.say(AGENT, AGENT, "/products 款式"))[-1]
    assert "60 款" in (first.text or "") and first.buttons
    assert visible_length(first.text or "") <= 4096
    assert await cbed.click(AGENT, first, str(first.buttons[-1]["callback_data"])) == []
    second = current(cbed, first)  # edited in place
    assert "第 2/" in (second.text or "") and "款式" in (second.text or "")
    # Someone else cannot turn an agent's pages (the gate is the agents').
    answer = await press(cbed, NEWCOMER, first, str(first.buttons[-1]["callback_data"]))
    assert answer.get("show_alert") and "代理" in str(answer.get("text"))


async def test_materials_from_a_group_post(cbed: Testbed, clock: FakeClock) -> None:
    group = await setup(cbed)
    post = next(m for m in group_posts(cbed, group) if m.buttons and "DS-1" in (m.text or ""))
    # The agent never started the bot: the button answers with the deep link that does.
    answer = await press(cbed, AGENT, post, "mat:DS-1")
    payload = start_payload("materials", "DS-1")
    assert answer.get("url") == f"https://t.me/agentbot_demo_bot?start={payload}"
    assert await cbed.services.materials.count("DS-1") == 0
    delivered = await cbed.say(AGENT, AGENT, f"/start {payload}")
    documents = [m for m in delivered if m.document is not None]
    assert len(documents) == 2 and all(m.photo is None for m in documents)
    assert [d.document["file_name"] for d in documents] == ["DS-1-1.jpg", "DS-1-2.jpg"]  # type: ignore[index]
    copy = [m.text or "" for m in delivered if m.text]
    assert any(text.startswith("夏季连衣裙\n\n纯棉，S-XL") for text in copy)
    assert any("代发价 ¥39.90" in text for text in copy)
    assert await cbed.services.materials.count("DS-1") == 1
    # Within 10 minutes: not again.
    answer = await press(cbed, AGENT, post, "mat:DS-1")
    assert answer.get("show_alert") and "10 分钟" in str(answer.get("text"))
    assert await cbed.services.materials.count("DS-1") == 1
    # Later: delivered again, now with the kept documents (no new download and upload).
    clock.now += 11 * 60
    downloads = len(cbed.sandbox.calls("getFile"))
    before = len(private(cbed, AGENT))
    answer = await press(cbed, AGENT, post, "mat:DS-1")
    assert "私聊" in str(answer.get("text")) and not answer.get("show_alert")
    again = private(cbed, AGENT)[before:]
    assert [m.document["file_id"] for m in again if m.document] == [  # type: ignore[index]
        m.document["file_id"]
        for m in documents
        if m.document  # type: ignore[index]
    ]
    assert len(cbed.sandbox.calls("getFile")) == downloads
    # A non-agent pressing it gets nothing.
    answer = await press(cbed, NEWCOMER, post, "mat:DS-1")
    assert answer.get("show_alert") and private(cbed, NEWCOMER) == []
    # The seller sees who took them and when.
    takes = texts(await cbed.say(OWNER, OWNER, "/product DS-1"))
    assert "共 2 次" in takes[-1] and takes[-1].count("李 (@li_shop, 2001)") == 2


async def test_photo_file_id_is_refused_as_a_document(cbed: Testbed) -> None:
    """The sandbox checks what Telegram checks: the materials cannot just resend a photo's
    file_id with sendDocument (which is why they are uploaded once as files)."""
    await setup(cbed)
    photo = (await cbed.services.products.get("DS-1")).photos[0]  # type: ignore[union-attr]
    cbed.sandbox.add_user(AGENT, "李")
    await cbed.say(AGENT, AGENT, "hi")
    with pytest.raises(Exception, match=r"(?i)type of file mismatch"):
        await cbed.application.bot.send_document(AGENT, photo)


async def test_product_link_goes_with_the_materials(cbed: Testbed) -> None:
    await setup(cbed)
    bad = texts(await cbed.say(OWNER, OWNER, "/product_link DS-1 ftp://x"))
    assert "链接" in bad[0] and (await cbed.services.products.get("DS-1")).source_url is None  # type: ignore[union-attr]
    assert "没有" in texts(await cbed.say(OWNER, OWNER, "/product_link NOPE https://a.cn"))[0]
    url = "https://detail.1688.com/offer/123.html"
    assert url in texts(await cbed.say(OWNER, OWNER, f"/product_link ds-1 {url}"))[0]
    assert "只有卖家管理员" in texts(await cbed.say(AGENT, AGENT, "/product_link DS-1 -"))[0]
    delivered = await cbed.say(AGENT, AGENT, "/start " + start_payload("materials", "DS-1"))
    assert any(url in (m.text or "") for m in delivered)
    assert url in texts(await cbed.say(OWNER, OWNER, "/product DS-1"))[-1]
    await cbed.say(OWNER, OWNER, "/product_link DS-1 -")
    assert (await cbed.services.products.get("DS-1")).source_url is None  # type: ignore[union-attr]


async def inline(bed: Testbed, user_id: int, query: str, offset: str = "") -> dict[str, Any]:
    update: dict[str, Any] = {}

    def inject() -> dict[str, Any]:
        update.update(bed.sandbox.inline_query(user_id, query, offset=offset))
        return update

    await bed.run(inject)
    answer = bed.sandbox.inline_answers[update["inline_query"]["id"]]
    assert isinstance(answer, dict)
    return answer


async def test_inline_mode_gives_agents_retail_cards(cbed: Testbed) -> None:
    await setup(cbed)
    refused = await inline(cbed, NEWCOMER, "连衣裙")
    assert refused["results"] == [] and refused["is_personal"]
    assert refused["button"]["text"] == "成为代理"
    answer = await inline(cbed, AGENT, "连衣裙")
    assert answer["is_personal"] and 0 < answer["cache_time"] <= 60
    [result] = answer["results"]
    assert result["type"] == "photo" and result["id"] == "DS-1"
    assert "¥59.90" in result["caption"] and "39.90" not in result["caption"]
    assert "代发" not in result["caption"] and "reply_markup" not in result
    assert answer["next_offset"] == ""
    # Paging by offset, 20 at a time.
    photo = (await cbed.services.products.get("DS-1")).photos[0]  # type: ignore[union-attr]
    for n in range(23):
        await cbed.services.products.add(
            Product(f"P-{n:02d}", "收纳盒", 1990, 990, "家居", "x", (photo,))
        )
    first = await inline(cbed, AGENT, "")
    assert len(first["results"]) == 20 and first["next_offset"] == "20"
    second = await inline(cbed, AGENT, "", offset="20")
    assert len(second["results"]) == 5 and second["next_offset"] == ""
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(ids) == 25
    # A forged offset is answered with nothing.
    assert (await inline(cbed, AGENT, "", offset="-5"))["results"] == []


async def test_a_photo_sent_as_a_file_is_the_original(cbed: Testbed, clock: FakeClock) -> None:
    await setup(cbed)
    clock.now += 86400  # the launch cap: two new products a day per group
    steps = ["/newproduct", "FILE-1", "原图款", "59.9", "39.9", "女装/连衣裙", "纯棉"]
    for text in steps:
        await cbed.say(OWNER, OWNER, text)
    refused = await cbed.run(
        lambda: cbed.sandbox.send_document(OWNER, OWNER, "a.gif", b"GIF89a", mime_type="image/gif")
    )
    assert "JPG、PNG 或 WebP" in texts(refused)[0]
    sent: dict[str, Any] = {}

    def upload_file() -> dict[str, Any]:
        sent.update(cbed.sandbox.send_document(OWNER, OWNER, "原图.png", png(7), "", "image/png"))
        return sent

    upload = await cbed.run(upload_file)
    original = sent["message"]["document"]  # the seller's file
    assert upload[0].photo is not None  # the receipt, as a photo
    await send_photo(cbed, 8)
    control = (await cbed.say(OWNER, OWNER, "/done"))[-1]
    await cbed.click(OWNER, control, "np:send")
    await cbed.services.outbox.wait_idle(10)
    product = await cbed.services.products.get("FILE-1")
    assert product is not None and product.photos[0] == upload[0].photo
    downloads = len(cbed.sandbox.calls("getFile"))
    delivered = await cbed.say(AGENT, AGENT, "/start " + start_payload("materials", "FILE-1"))
    files = [m.document["file_id"] for m in delivered if m.document]  # type: ignore[index]
    assert len(files) == 2 and files[0] == original["file_id"]
    assert len(cbed.sandbox.calls("getFile")) == downloads + 1  # only the photo was fetched
