"""Pure parts of samples: tracking numbers and listing links."""

from __future__ import annotations

import pytest

from bot.catalog.samples import parse_listing_link, parse_tracking
from bot.common.errors import InputError


def test_tracking_numbers() -> None:
    assert parse_tracking("  顺丰   SF1234567890 ", "zh") == "顺丰 SF1234567890"
    assert parse_tracking("YT98", "zh") == "YT98"
    for bad in ["abc", "x" * 65, "SF123\nSF456", "SF12\x00345"]:
        with pytest.raises(InputError):
            parse_tracking(bad, "zh")


def test_listing_links() -> None:
    assert parse_listing_link(" https://shop.example.com/i/1?x=2 ", "zh") == (
        "https://shop.example.com/i/1?x=2"
    )
    assert parse_listing_link("HTTP://item.taobao.com/item.htm?id=1", "en")
    for bad in [
        "javascript:alert(1)",
        "ftp://x.example",
        "https://",
        "https://a b",
        "shop.example.com",
        "https://x.example/" + "a" * 500,
    ]:
        with pytest.raises(InputError):
            parse_listing_link(bad, "zh")
