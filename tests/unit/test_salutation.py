"""The 称谓 a greeting addresses an agent by (bot/events/salutation.py)."""

from __future__ import annotations

import pytest

from bot.events.salutation import salutation


@pytest.mark.parametrize(
    ("remark", "expected"),
    [
        ("李女士淘卖", "李女士"),
        ("顾总-抖音", "顾总"),
        ("顾总定制", "顾总"),
        ("王先生批发", "王先生"),
        ("陈小姐", "陈小姐"),
        ("张老师拼多多", "张老师"),
        ("刘老板抖音小店", "刘老板"),
        ("赵姐淘宝", "赵姐"),
        ("孙哥", "孙哥"),
        ("欧阳女士淘卖", "欧阳女士"),
        ("  李女士淘卖 ", "李女士"),
        ("阿芳", "阿芳"),  # short, no title: the remark whole
        ("Lisa", "Lisa"),
    ],
)
def test_salutation_from_remark(remark: str, expected: str) -> None:
    assert salutation(remark, "Li") == expected


@pytest.mark.parametrize("remark", [None, "", "   ", "杭州女装淘宝店铺大客户"])
def test_salutation_falls_back_to_first_name(remark: str | None) -> None:
    assert salutation(remark, "Li") == "Li"


def test_salutation_with_no_first_name_keeps_the_remark() -> None:
    assert salutation("杭州女装淘宝店铺大客户", " ") == "杭州女装淘宝店铺大客户"
