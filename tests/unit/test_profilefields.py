"""Region and 1688 / 旺旺 buyer id: the parsers, the skip word, the comparison key, the agent
cell of /import_orders and the one-buyer-id-per-agent check of /import_agents."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.agents.buyer_ids import BuyerIdClaims, OrderAgent, chunk_holder_keys, parse_order_agent
from bot.agents.profiles import (
    MAX_BUYER_ID,
    MAX_REGION,
    is_clear,
    is_skip,
    parse_buyer_id,
    parse_region,
    persona_line,
)
from bot.agents.spreadsheets import (
    EXPORT_COLUMNS,
    agent_update,
    export_header,
    export_row,
    order_headers,
    parse_order_row,
)
from bot.common.errors import InputError
from storage.exports import ExportRecord
from storage.models import Agent, buyer_key


def agent(user_id: int = 1, region: str | None = None, buyer_id: str | None = None) -> Agent:
    return Agent(
        user_id, "李", None, None, None, None, None, "active", False, 0, None, None, None, None,
        region=region, buyer_id=buyer_id,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("浙江 杭州", "浙江 杭州"),
        ("广东省深圳市", "广东省深圳市"),
        ("  浙江\u3000\u3000杭州 ", "浙江 杭州"),  # ideographic spaces, runs of spaces
        ("浙江/杭州", "浙江 杭州"),
        ("浙江－杭州", "浙江 杭州"),  # full-width hyphen
        ("新疆·乌鲁木齐", "新疆 乌鲁木齐"),
        ("Ｚｈｅｊｉａｎｇ Hangzhou", "Zhejiang Hangzhou"),
        ("长" * MAX_REGION, "长" * MAX_REGION),
    ],
)
def test_region_is_normalised(typed: str, stored: str) -> None:
    assert parse_region(typed, "zh") == stored


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "/",
        "长" * (MAX_REGION + 1),
        "浙" * 10_000,  # a 10 kB answer
        "浙江 杭州 " * 1000,
        "杭州123",
        "杭州<b>",
        "杭州\x00",
        "杭州\u202e",  # right-to-left override
        "杭州\u200b",  # zero-width space
        "杭州\n西湖",
        "🏙杭州",
    ],
)
def test_region_refuses_what_is_not_a_place_name(bad: str) -> None:
    with pytest.raises(InputError, match="浙江 杭州"):
        parse_region(bad, "zh")


def test_region_error_quotes_a_short_clean_value() -> None:
    with pytest.raises(InputError) as raised:
        parse_region("杭\x07州" + "1" * 5000, "en")
    assert "\x07" not in raised.value.text and len(raised.value.text) < 300


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("lijia2020", "lijia2020"),
        ("  李家小店旗舰  ", "李家小店旗舰"),
        ("ＬｉＪｉａ２０２０", "LiJia2020"),
        ("tb_li:小店", "tb_li:小店"),
        ("a b", "a b"),
        ("x" * MAX_BUYER_ID, "x" * MAX_BUYER_ID),
        ("=cmd", "=cmd"),  # kept as typed; the export escapes it
    ],
)
def test_buyer_id_is_nfkc_and_trimmed(typed: str, stored: str) -> None:
    assert parse_buyer_id(typed, "zh") == stored


@pytest.mark.parametrize(
    "bad",
    ["", "  ", "x" * (MAX_BUYER_ID + 1), "li\njia", "li\tjia", "li\x00", "li\u202ejia", "\u200b"],
)
def test_buyer_id_refuses_empty_long_and_control_characters(bad: str) -> None:
    with pytest.raises(InputError, match="旺旺号"):
        parse_buyer_id(bad, "zh")


def test_buyer_key_compares_case_and_width_insensitively() -> None:
    assert buyer_key("LiJia2020") == buyer_key("lijia2020") == buyer_key(" ＬＩＪＩＡ２０２０ ")
    assert buyer_key("李家") != buyer_key("李家2")
    assert buyer_key("Straße") == buyer_key("STRASSE")


def test_skip_words() -> None:
    for word in ("-", "－", "跳过", " 跳过 ", "Skip", "skip"):
        assert is_skip(word), word
    for word in ("跳", "--", "浙江", ""):
        assert not is_skip(word), word


def test_clear_words() -> None:
    for word in ("清除", " 清除 ", "Clear", "CLEAR"):
        assert is_clear(word) and not is_skip(word), word
    for word in ("-", "跳过", "清", "浙江", ""):
        assert not is_clear(word), word


def test_persona_line_shows_unset() -> None:
    assert persona_line(None, None, "zh") == "地区：未设置 · 1688/旺旺号：未设置"
    assert "&lt;b&gt;" in persona_line("浙江", "<b>", "zh")


def test_export_has_the_columns_after_the_mode() -> None:
    mode = EXPORT_COLUMNS.index("mode")
    assert EXPORT_COLUMNS[mode + 1 : mode + 3] == ("region", "buyer_id")
    header = export_header("zh")
    assert header[mode + 1 : mode + 3] == ["地区", "旺旺号"]
    record = ExportRecord(agent(7, "浙江 杭州", "LiJia"), None, None, None, 0, 0, ())
    row = export_row(record, "en", ZoneInfo("Asia/Shanghai"))
    assert row[mode + 1 : mode + 3] == ["浙江 杭州", "LiJia"]
    empty = export_row(ExportRecord(agent(8), None, None, None, 0, 0, ()), "en", ZoneInfo("UTC"))
    assert empty[mode + 1 : mode + 3] == ["", ""]


def test_import_row_sets_clears_or_keeps_the_fields() -> None:
    current = agent(1, "浙江 杭州", "old")
    assert agent_update({"user_id": "1"}, current, None, "zh").region == "浙江 杭州"
    update = agent_update({"region": "广东　深圳", "buyer_id": "ＮＥＷ"}, current, None, "zh")
    assert (update.region, update.buyer_id) == ("广东 深圳", "NEW")
    cleared = agent_update({"region": "", "buyer_id": ""}, current, None, "zh")
    assert (cleared.region, cleared.buyer_id) == (None, None)
    assert cleared.profile is None  # these columns never make a store profile
    with pytest.raises(InputError, match="地区"):
        agent_update({"region": "杭州1"}, current, None, "zh")
    with pytest.raises(InputError, match="旺旺号"):
        agent_update({"buyer_id": "a\x00"}, current, None, "zh")


def test_claims_refuse_a_buyer_id_twice_in_the_sheet() -> None:
    claims = BuyerIdClaims()
    claims.claim(2, agent(1), "LiJia", "zh")
    with pytest.raises(InputError, match="第 2 行"):
        claims.claim(3, agent(2), "lijia", "zh")
    claims.claim(4, agent(3), None, "zh")
    assert claims.new == [buyer_key("LiJia")]


def test_claims_against_agents_outside_the_sheet_and_swaps() -> None:
    claims = BuyerIdClaims()
    claims.claim(2, agent(1, buyer_id="a"), "b", "zh")  # 1 takes b from 2 ...
    claims.claim(3, agent(2, buyer_id="b"), "a", "zh")  # ... and 2 takes a from 1: a swap
    claims.claim(4, agent(3), "c", "zh")  # c is held by 9, who is not in the sheet
    claims.claim(5, agent(4, buyer_id="d"), "d", "zh")  # unchanged: never looked up
    assert sorted(claims.new) == ["a", "b", "c"]
    errors = claims.conflicts({"a": 1, "b": 2, "c": 9}, "zh")
    assert len(errors) == 1 and errors[0][0] == 4 and "9" in errors[0][1]
    assert claims.conflicts({}, "zh") == []


def test_order_agent_cell_forms() -> None:
    assert parse_order_agent("@li_shop", "zh") == OrderAgent("@li_shop", by_name=True)
    assert parse_order_agent("＠li_shop", "zh") == OrderAgent("@li_shop", by_name=True)
    digits = parse_order_agent("2001", "zh")
    assert digits.user_id == 2001 and digits.buyer_key == "2001" and not digits.by_name
    bare = parse_order_agent("LiJia2020", "zh")
    assert bare.by_name and bare.user_id is None and bare.buyer_key == "lijia2020"
    chinese = parse_order_agent("李家小店", "zh")
    assert chinese == OrderAgent("李家小店", None, False, "李家小店")
    for bad in ("", "@", "@x", "li\x00", "x" * 51):
        with pytest.raises(InputError):
            parse_order_agent(bad, "zh")


def test_order_row_takes_a_buyer_id_and_1688_headers() -> None:
    line = parse_order_row(
        {"agent": "李家小店", "orders": "3", "amount": "99.5", "period": "2026-10"}, "zh"
    )
    assert line.agent.buyer_key == "李家小店" and line.amount_cents == 9950
    headers = order_headers()
    assert headers["买家会员名"] == "agent" and headers["代理"] == "agent"
    assert headers["orders"] == "orders"


def test_chunk_holder_keys_skip_empty_and_overlong_cells() -> None:
    assert chunk_holder_keys(["LiJia", "", "x" * 51, "2001"]) == ["lijia", "2001"]
