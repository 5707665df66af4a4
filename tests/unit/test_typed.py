"""Arguments as typed on a phone: width variants made ASCII, 、 and ， separate lists."""

from bot.common.typed import normalise_arg, split_list


def test_full_width_forms_become_ascii() -> None:
    assert normalise_arg("tag：VIP客户") == "tag:VIP客户"
    assert normalise_arg("＠li_taobao") == "@li_taobao"
    assert normalise_arg("１２３") == "123"
    assert normalise_arg("　李女士　") == "李女士"
    assert normalise_arg("ｶ") == "カ"  # half-width katakana too


def test_other_compatibility_forms_stay_as_typed() -> None:
    # A superscript or an Arabic-Indic digit is not a digit the seller typed.
    assert normalise_arg("²") == "²"
    assert normalise_arg("١") == "١"
    assert normalise_arg("李女士淘卖") == "李女士淘卖"


def test_lists_split_on_chinese_and_ascii_commas() -> None:
    assert split_list(["VIP客户、代理商，已寄样", "潜在客户"]) == [
        "VIP客户",
        "代理商",
        "已寄样",
        "潜在客户",
    ]
    assert split_list(["a,,b、"]) == ["a", "b"]
    assert split_list([]) == []
