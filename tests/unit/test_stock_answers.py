"""The stock-question matcher (pure): whole-token, case-insensitive, NFKC; restock dates."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.catalog.model import StockNoticeItem
from bot.catalog.stock_answers import (
    MAX_SKUS_PER_ANSWER,
    AnswerRow,
    SkuMatcher,
    StockAnswerState,
    asks_about_stock,
    normalise,
    parse_restock_date,
    stock_answer,
    stock_notice_text,
    stock_question,
)
from bot.common.errors import InputError
from tests.e2e.schedule_helpers import at

SH = ZoneInfo("Asia/Shanghai")
SKUS = st.from_regex(r"[A-Z0-9][A-Z0-9._-]{0,11}[A-Z0-9]", fullmatch=True)
QUESTIONS = st.sampled_from(
    [
        "有货吗",
        "还有吗",
        "还有货吗",
        "库存多少",
        "有现货吗",
        "有没有货",
        "is it in stock?",
        "available?",
    ]
)
# Text around a SKU that can never join it into a longer token.
SEPARATORS = st.sampled_from([" ", "，", "？", "、", "：", "(", ")", "/", "\n", "老板"])


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@settings(max_examples=300, deadline=None)
@given(skus=st.sets(SKUS, min_size=1, max_size=30), data=st.data())
def test_a_known_sku_in_a_question_is_found_in_any_case_or_width(
    skus: set[str], data: st.DataObject
) -> None:
    sku = data.draw(st.sampled_from(sorted(skus)))
    shown = data.draw(st.sampled_from([sku, sku.lower(), full_width(sku), full_width(sku.lower())]))
    before, after = data.draw(SEPARATORS), data.draw(SEPARATORS)
    message = f"{before}{shown}{after}{data.draw(QUESTIONS)}"
    assert sku in stock_question(message, SkuMatcher.of(skus))


@settings(max_examples=300, deadline=None)
@given(sku=SKUS, extra=st.from_regex(r"[A-Z0-9]{1,3}", fullmatch=True), question=QUESTIONS)
def test_a_sku_never_matches_inside_a_longer_token(sku: str, extra: str, question: str) -> None:
    # A SKU that is itself a word of the question ("IS", "IT") is rightly found there.
    assume(sku.lower() not in re.findall(r"[a-z0-9]+", question))
    matcher = SkuMatcher.of([sku])
    assert stock_question(f"{sku}{extra} {question}", matcher) == []
    assert stock_question(f"{extra}{sku} {question}", matcher) == []
    assert stock_question(f"{extra}-{sku}.{question}", matcher) == []


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_is_handled_and_only_known_skus_come_back(text: str) -> None:
    matcher = SkuMatcher.of(["A1", "B-2"])
    assert set(stock_question(text, matcher)) <= {"A1", "B-2"}


def test_examples() -> None:
    matcher = SkuMatcher.of(["A1", "A10", "DS-1", "X.2"])
    assert stock_question("A1 还有货吗", matcher) == ["A1"]
    assert stock_question("a10还有吗？", matcher) == ["A10"]
    assert stock_question("Ａ１０ 有货吗", matcher) == ["A10"]
    assert stock_question("ds-1, x.2 库存？", matcher) == ["DS-1", "X.2"]
    assert stock_question("A1. 有货吗", matcher) == ["A1"]
    assert stock_question("A1 A1 有货吗", matcher) == ["A1"]
    assert stock_question("A1 好看", matcher) == []  # no question
    assert stock_question("A100 有货吗", matcher) == []
    assert stock_question("is A1 in stock", matcher) == ["A1"]
    assert stock_question("A1 instock", matcher) == []  # not the phrase
    many = " ".join(f"S{i}" for i in range(20)) + " 有货吗"
    assert len(stock_question(many, SkuMatcher.of(f"S{i}" for i in range(20)))) == (
        MAX_SKUS_PER_ANSWER
    )
    assert stock_question("A1 有货吗", SkuMatcher.of([])) == []
    assert asks_about_stock(normalise("ＩＮ ＳＴＯＣＫ?"))


def test_state_rebuilds_when_invalidated_or_old_and_admits_once_per_interval() -> None:
    state = StockAnswerState(interval_seconds=600, max_age=300)
    assert state.matcher(0) is None
    state.store(SkuMatcher.of(["A1"]), 0)
    assert state.matcher(299) is not None and state.matcher(300) is None
    state.store(SkuMatcher.of(["A1"]), 300)
    state.invalidate()
    assert state.matcher(301) is None
    assert state.admit(-1, ["A1", "A2"], 1000) == ["A1", "A2"]
    assert state.admit(-1, ["A1"], 1599) == []
    assert state.admit(-2, ["A1"], 1599) == ["A1"]  # another group
    assert state.admit(-1, ["A1"], 1600) == ["A1"]


NOW = at(2027, 3, 1, 10, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12-20", at(2027, 12, 20, 23, 59)),
        ("2027-04-02", at(2027, 4, 2, 23, 59)),
        ("2027/4/2 10:00", at(2027, 4, 2, 10, 0)),
        ("明天", at(2027, 3, 2, 23, 59)),
        ("+3d", NOW + 3 * 86400),
        ("２０２７－０４－０２", at(2027, 4, 2, 23, 59)),
        ("02-01", at(2028, 2, 1, 23, 59)),  # passed this year: next year's
    ],
)
def test_restock_dates(text: str, expected: int) -> None:
    assert parse_restock_date(text, NOW, SH, "zh") == expected


@pytest.mark.parametrize("text", ["every day 10:00", "每周一 10:00", "soon", "13-45", "2026-01-01"])
def test_bad_restock_dates_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_restock_date(text, NOW, SH, "zh")


def test_answers_and_notices_show_the_restock_date_only_when_it_matters() -> None:
    eta = at(2027, 3, 20, 23, 59)
    rows = [
        AnswerRow("A1", "<裙>", "out", 0, eta),
        AnswerRow("A2", "T恤", "in_stock", 50, eta),
        AnswerRow("A3", "旧款", "low", 2, eta, discontinued=True),
        AnswerRow("A4", "新款", None, None, NOW - 1),
    ]
    lines = stock_answer(rows, NOW, SH, "zh").splitlines()
    assert "&lt;裙&gt;" in lines[0] and "已售罄" in lines[0] and "2027-03-20" in lines[0]
    assert "有货" in lines[1] and "2027" not in lines[1]
    assert "已停产" in lines[2] and "2027" not in lines[2]
    assert "暂无库存信息" in lines[3] and "预计" not in lines[3]
    items = [StockNoticeItem("A1", "裙", 0, "out"), StockNoticeItem("A2", "T恤", 9, "restock")]
    notice = stock_notice_text(items, {"A1": eta, "A2": eta}, NOW, SH, "zh")
    assert notice.count("2027-03-20") == 1
