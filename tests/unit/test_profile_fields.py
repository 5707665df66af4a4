"""Profile field validation, badge strengths, category match and the new /agents filters."""

from __future__ import annotations

import pytest

from bot.agents.crm import parse_agent_filter
from bot.agents.profiles import (
    TAOBAO_LEVELS,
    badge_strength,
    category_match,
    parse_badge,
    parse_dsr,
    parse_operating,
    parse_profile_mode,
    parse_store_name,
    parse_url,
)
from bot.agents.terms import parse_category, parse_platform, parse_score_filter, parse_tier
from bot.common.errors import InputError

SELLER = ["女装/连衣裙", "女装/T恤", "家居/收纳"]


def test_platforms_by_name_in_both_languages() -> None:
    assert parse_platform("淘宝", "zh") == "taobao"
    assert parse_platform("Pinduoduo", "en") == "pdd"
    assert parse_platform(" 1688 ", "zh") == "1688"
    with pytest.raises(InputError, match="淘宝"):
        parse_platform("亚马逊", "zh")


def test_url_needs_http_and_a_host() -> None:
    assert parse_url(" https://shop1.taobao.com/x ", "zh") == "https://shop1.taobao.com/x"
    for bad in ("shop.taobao.com", "ftp://a.b", "https://", "http:// a.b", "javascript:x", ""):
        with pytest.raises(InputError, match="http"):
            parse_url(bad, "zh")


def test_store_name_and_category() -> None:
    assert parse_store_name("  李家  小店 ", "zh") == "李家 小店"
    with pytest.raises(InputError):
        parse_store_name("x" * 61, "zh")
    assert parse_category(" 女装 / 连衣裙 ", "zh") == "女装/连衣裙"
    with pytest.raises(InputError):
        parse_category(" / ", "zh")


def test_badges_per_platform() -> None:
    assert len(TAOBAO_LEVELS) == 20 and TAOBAO_LEVELS[0] == "1心" and TAOBAO_LEVELS[-1] == "5金冠"
    assert parse_badge("taobao", "3 钻", "zh") == "3钻"
    with pytest.raises(InputError, match="金冠"):
        parse_badge("taobao", "6钻", "zh")
    assert parse_badge("tmall", "旗舰店", "zh") == "旗舰店"
    with pytest.raises(InputError, match="旗舰店"):
        parse_badge("tmall", "3钻", "zh")
    assert parse_badge("douyin", "4.80", "zh") == "4.8"
    with pytest.raises(InputError):
        parse_badge("douyin", "5.1", "zh")
    strengths = [badge_strength("taobao", level) for level in TAOBAO_LEVELS]
    assert strengths == sorted(strengths) and strengths[-1] == 1.0 and strengths[0] > 0
    assert badge_strength("douyin", "2.5") == 0.5
    assert badge_strength(None, None) == 0.0 and badge_strength("taobao", "x") == 0.0


def test_dsr_operating_and_mode() -> None:
    assert parse_dsr("4.85", "zh", "描述") == 4.85
    assert parse_dsr("5", "zh", "描述") == 5.0
    for bad in ("5.1", "4.855", "-1", "abc", "4,8", ""):
        with pytest.raises(InputError, match="描述"):
            parse_dsr(bad, "zh", "描述")
    assert parse_operating("营业中", "zh") == "open"
    assert parse_operating("Paused", "en") == "paused"
    with pytest.raises(InputError):
        parse_operating("装修中", "zh")
    assert parse_profile_mode("一件代发", "zh") == "dropship"
    with pytest.raises(InputError, match="一件代发"):
        parse_profile_mode("零售", "zh")


def test_category_match() -> None:
    assert category_match("女装/连衣裙", SELLER) == 1.0
    assert category_match("连衣裙", SELLER) == 1.0
    assert category_match("女装/半身裙", SELLER) == 0.6
    assert category_match("女装", SELLER) == 0.6
    assert category_match("数码/手机", SELLER) == 0.0
    assert category_match(None, SELLER) == 0.0
    assert category_match("女装/半身裙", SELLER, leaf=0.9, parent=0.3) == 0.3
    assert category_match("女装/连衣裙", []) == 0.0


def test_quality_filters() -> None:
    query = parse_agent_filter(
        ["tier:低质", "platform:淘宝", "category:女装", "score:<50", "tag:VIP"], 0, "zh"
    )
    assert (query.tier, query.platform, query.category) == ("low", "taobao", "女装")
    assert query.score == ("<", 50.0) and query.tags == ("VIP",)
    assert parse_score_filter(">=80", "en") == (">=", 80.0)
    assert parse_tier("Excellent", "en") == "excellent"
    for bad in ("score:50", "score:<101", "tier:好", "platform:amazon"):
        with pytest.raises(InputError):
            parse_agent_filter([bad], 0, "zh")
