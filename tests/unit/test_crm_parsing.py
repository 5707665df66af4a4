import pytest

from bot.agents.crm import (
    parse_agent_filter,
    parse_agent_ref,
    parse_duration,
    parse_mode,
    parse_tags,
)
from bot.common.errors import InputError


def test_agent_ref() -> None:
    assert parse_agent_ref("12345", "zh").user_id == 12345
    assert parse_agent_ref("@li_shop", "zh").username == "li_shop"
    for bad in ("-3", "@x", "李", "0"):
        with pytest.raises(InputError):
            parse_agent_ref(bad, "en")


def test_mode_names() -> None:
    assert parse_mode("一件代发", "zh") == "dropship"
    assert parse_mode("Wholesale", "en") == "wholesale"
    with pytest.raises(InputError, match="零售"):
        parse_mode("零售", "zh")


def test_tags() -> None:
    assert parse_tags(["#VIP", "VIP", "已成交"], "zh") == ["VIP", "已成交"]
    with pytest.raises(InputError):
        parse_tags(["a:b"], "zh")
    with pytest.raises(InputError):
        parse_tags([], "zh")


def test_filter() -> None:
    query = parse_agent_filter(["tag:VIP", "mode:批发", "inactive:>30d", "group:-100"], 10**6, "zh")
    assert query.tags == ("VIP",) and query.order_mode == "wholesale"
    assert query.inactive_since == 10**6 - 30 * 86400 and query.group_chat_id == -100
    with pytest.raises(InputError, match="color"):
        parse_agent_filter(["color:red"], 0, "en")
    assert parse_duration("2w", "en") == 14 * 86400
    with pytest.raises(InputError):
        parse_duration("0d", "en")
