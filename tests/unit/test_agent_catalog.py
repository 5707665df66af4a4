"""The agents' catalog, pure parts and storage: deep links, search terms, cards that fit,
the retail card without the agent price, materials as activity, search escaping, who is an
approved agent."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agents.quality import QualityInputs, factor_values
from bot.agents.quality_config import QualitySettings
from bot.catalog.agent_view import (
    agent_card,
    materials_messages,
    parse_start_payload,
    retail_card,
    search_terms,
    start_payload,
)
from bot.common.errors import InputError
from bot.common.splitting import CAPTION_LIMIT, visible_length
from storage.agents import AgentRepository
from storage.catalog import Product, ProductRepository, Promotion
from storage.db import Database
from storage.groups import GroupRepository
from storage.profiles import ProfileRepository, StoreProfile
from storage.stock_status import ProductStatusRepository

TZ = ZoneInfo("Asia/Shanghai")


def product(sku: str = "A1", **fields: object) -> Product:
    values: dict[str, object] = {
        "title": "夏季连衣裙",
        "price_cents": 5990,
        "agent_price_cents": 3990,
        "category": "女装/连衣裙",
        "description": "纯棉，S-XL",
        "photos": ("photo-1",),
    }
    values.update(fields)
    return Product(sku, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("sku", ["A1", "A.B_C-1", "X" * 32, "DS-2026.001"])
def test_start_payloads_round_trip(sku: str) -> None:
    for kind in ("materials", "card"):
        payload = start_payload(kind, sku)
        assert len(payload) <= 64 and all(c.isalnum() or c in "_-" for c in payload)
        assert parse_start_payload(payload) == (kind, sku)


@pytest.mark.parametrize(
    "payload",
    ["materials_", "materials_!!", "other_QTE", "materials_" + "QQ" * 30, "card_YTE", "cardQTE"],
)
def test_forged_start_payloads_are_refused(payload: str) -> None:
    # "YTE" is "a1": a SKU is upper case, so it is not one of ours.
    assert parse_start_payload(payload) is None


def test_search_terms() -> None:
    assert search_terms("  连衣裙   纯棉 ", "zh") == ["连衣裙", "纯棉"]
    assert search_terms("a b c d e f g", "zh") == ["a", "b", "c", "d", "e"]
    assert search_terms("", "zh") == []
    with pytest.raises(InputError):
        search_terms("长" * 61, "zh")


def promotion(index: int) -> Promotion:
    return Promotion(
        index, "满300减50" * 8, "full_reduction", "", 0, 2_000_000_000, ("A1",), 1, 0, "sent"
    )


def test_cards_fit_a_caption_at_any_size() -> None:
    longest = product(title="题" * 100, description="描述&<>" * 175, category="类" * 50)
    card = agent_card(longest, None, [promotion(n) for n in range(5)], TZ, "zh")
    assert visible_length(card) <= CAPTION_LIMIT and card.endswith("…")
    assert "代发价：¥39.90" in card and "建议零售价：¥59.90" in card
    retail = retail_card(longest, "zh")
    assert visible_length(retail) <= CAPTION_LIMIT and "&amp;&lt;&gt;" in retail
    short = agent_card(product(), None, [], TZ, "en")
    assert short.endswith("纯棉，S-XL")


def test_the_retail_card_never_shows_the_agent_price() -> None:
    for lang in ("zh", "en"):
        card = retail_card(product(agent_price_cents=1234), lang)
        assert "12.34" not in card and "59.90" in card


def test_materials_text_is_plain_copy_then_facts() -> None:
    copy, facts = materials_messages(product(source_url="https://detail.1688.com/1.html"), "zh")
    assert copy == "夏季连衣裙\n\n纯棉，S-XL"
    assert "https://detail.1688.com/1.html" in facts and "代发价 ¥39.90" in facts
    assert len(materials_messages(product(), "zh")[1].splitlines()) == 1


def test_taking_materials_counts_as_activity() -> None:
    settings = QualitySettings()
    idle = QualityInputs(profile=None, days_since_seen=365)
    active = QualityInputs(profile=None, days_since_seen=365, days_since_materials=0)
    assert factor_values(idle, settings, [])["activity"] == 0.0
    assert factor_values(active, settings, [])["activity"] == 1.0
    only = QualityInputs(profile=None, days_since_materials=0)
    assert factor_values(only, settings, [])["activity"] == 1.0


async def test_search_escapes_and_orders(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    products = ProductRepository(db)
    await products.add(product("A1", title="连衣裙 A", created_at=1))
    await products.add(product("B2", title="连衣裙 A1 款", created_at=2, category="女装/T恤"))
    await products.add(
        product("C3", title="50%_off", description="x", created_at=3, category="家居")
    )
    assert [p.sku for p in await products.search(["a1"])] == ["A1", "B2"]  # exact SKU first
    assert [p.sku for p in await products.search(["连衣裙"])] == ["B2", "A1"]  # newest first
    assert [p.sku for p in await products.search(["%"])] == ["C3"]
    assert [p.sku for p in await products.search(["0%_"])] == ["C3"]
    assert await products.search(["_", "连衣裙"]) == []
    assert [p.sku for p in await products.search([], category="女装/T恤")] == ["B2"]
    assert [p.sku for p in await products.search([], offset=1, limit=1)] == ["B2"]
    assert await products.categories() == [("女装/T恤", 1), ("女装/连衣裙", 1), ("家居", 1)]
    await db.close()


async def test_agents_are_not_offered_a_discontinued_product(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "d.sqlite3")
    products, statuses = ProductRepository(db), ProductStatusRepository(db)
    await products.add(product("A1", title="连衣裙 A", created_at=1))
    await products.add(product("B2", title="连衣裙 B", created_at=2))
    assert await statuses.discontinue("A1", None, 5, lambda: None) == (True, None)
    assert [p.sku for p in await products.search(["连衣裙"])] == ["B2", "A1"]
    assert [p.sku for p in await products.search(["连衣裙"], available_only=True)] == ["B2"]
    assert await products.search(["a1"], available_only=True) == []
    await db.close()


async def test_who_is_an_approved_agent(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    products, agents, groups = ProductRepository(db), AgentRepository(db), GroupRepository(db)
    profiles = ProfileRepository(db)
    group, _ = await groups.register(-100, "代理群", "supergroup", None, 1)
    for user in (1, 2, 3, 4):
        await agents.record(user, "x", None, None, None, 1)
        await agents.join(group.id, user, 1)
    profile = StoreProfile(
        "tmall", "店", "https://a.tmall.com", "女装", "旗舰店", 4.9, 4.9, 4.9, "open"
    )
    for user in (1, 3, 4):
        submission = await profiles.submit(user, profile, "dropship", 1)
        await profiles.approve(submission, 100, 1)
    await agents.add_tags(2, ["代理商"])
    await agents.leave(group.id, 3, 2)
    await agents.mark_removed(4, "bad", 2)
    tags = ("代理商",)
    assert await products.is_approved_agent(1, tags)  # profile + member of an active group
    assert await products.is_approved_agent(2, tags)  # tagged
    assert not await products.is_approved_agent(2, ())  # the tag alone, when not allowed
    assert not await products.is_approved_agent(3, tags)  # left the group
    assert not await products.is_approved_agent(4, tags)  # removed
    assert not await products.is_approved_agent(5, tags)  # unknown
    await groups.mark_inactive(-100, "kicked", 3)
    assert not await products.is_approved_agent(1, tags)  # the group is no longer active
    await db.close()
