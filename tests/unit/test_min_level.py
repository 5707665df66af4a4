"""[quality] min_level: one pure comparison of store levels on each store's own platform."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.agents.profiles import below_min_level
from bot.agents.quality_config import QualitySettings


@pytest.mark.parametrize(
    ("platform", "badge", "minimum", "below"),
    [
        ("taobao", "5心", "1钻", True),
        ("taobao", "1钻", "1钻", False),
        ("taobao", "3金冠", "1钻", False),
        ("tmall", "专营店", "1钻", False),  # a 淘宝 level says nothing about 天猫 stores
        ("tmall", "专营店", "专卖店", True),
        ("tmall", "旗舰店", "专卖店", False),
        ("jd", "普通店", "专卖店", True),
        ("1688", "普通", "专卖店", False),  # 1688 has no 专卖店
        ("1688", "普通", "诚信通", True),
        ("pdd", "2.5", "3", True),
        ("pdd", "4", "3", False),
        ("taobao", "5心", "3", False),
        ("taobao", None, "1钻", False),  # no level given: nothing to compare
        ("taobao", "1心", None, False),  # off
    ],
)
def test_below_min_level(
    platform: str, badge: str | None, minimum: str | None, below: bool
) -> None:
    assert below_min_level(platform, badge, minimum) is below


def test_min_level_must_be_a_level() -> None:
    assert QualitySettings(min_level="1钻").min_level == "1钻"
    assert QualitySettings().min_level is None
    for bad in ["一钻", "6", "VIP"]:
        with pytest.raises(ValidationError, match="min_level"):
            QualitySettings(min_level=bad)
