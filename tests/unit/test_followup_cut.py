"""The follow-up list's pure parts: the pager's pages kept page by page show what ``paginate``
shows; cutting a list a slice at a time gives the pages of one cut; a stored page's text and
buttons (handled rows have none, the heading never has any, ◀ ▶ by position)."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

import pytest

from bot.common.paged import list_page_bodies, list_pages
from bot.common.pager import page_bodies, page_text, paginate
from bot.common.splitting import TEXT_LIMIT, visible_length
from bot.scheduling.followups import PAGE_ROWS, cut_batch, header_text, page_view, row_line
from storage.followups import FollowupList, FollowupRow

SH = ZoneInfo("Asia/Shanghai")


def footer(page: int, pages: int) -> str:
    return f"page {page}/{pages}"


def _items(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "• " + "名&amp;😀" * rng.randint(1, 60) + ("x" * 5000 if rng.random() < 0.01 else "")
        for _ in range(count)
    ]


@pytest.mark.parametrize("count", [0, 1, 7, 300])
def test_pages_kept_page_by_page_are_paginate(count: int) -> None:
    items = _items(count, count)
    bodies = page_bodies("<b>Head</b>", items, footer, page_size=PAGE_ROWS)
    kept = [page_text("<b>Head</b>", b, footer, k, len(bodies)) for k, b in enumerate(bodies, 1)]
    assert kept == paginate("<b>Head</b>", items, footer, page_size=PAGE_ROWS)


def _agent(position: int, name: str, *, handled: bool = False) -> FollowupRow:
    return FollowupRow(position, "agent", 3_000_000 + position, None, name, None, 14, None, handled)


@pytest.mark.parametrize("slice_size", [1, 3, 100, 1000])
def test_cut_a_slice_at_a_time_is_one_cut(slice_size: int) -> None:
    rng = random.Random(slice_size)
    rows = [
        _agent(i, "名" * rng.randint(1, 64) + " " + "姓😀" * rng.randint(1, 32)) for i in range(777)
    ]
    rows[100] = _agent(100, "长" * 5000)  # too long for a page alone: cut the same each time
    header = header_text(len(rows), "zh")
    lines = [(row.position, row_line(row, SH, "zh")) for row in rows]
    spans: list[tuple[int, int]] = []
    carry: list[tuple[int, str]] = []
    for start in range(0, len(lines), slice_size):
        done, carry = cut_batch(header, carry, lines[start : start + slice_size], len(rows), "zh")
        spans += done
    spans.append((carry[0][0], carry[-1][0]))
    at_once = list_page_bodies((header, [line for _, line in lines]), "zh", PAGE_ROWS)
    sizes = [last - first + 1 for first, last in spans]
    assert sizes == [len(body) for body in at_once]
    assert [first for first, _ in spans] == [sum(sizes[:k]) for k in range(len(sizes))]
    # Each stored page, rendered again, is the page of the one cut.
    made = FollowupList(1, 0, 0, "zh", header, len(rows), len(spans))
    pages = list_pages((header, [line for _, line in lines]), "zh", PAGE_ROWS)
    for number, (first, last) in enumerate(spans):
        text, _ = page_view(made, rows[first : last + 1], number, SH)
        assert text == pages[number]
        assert visible_length(text) <= TEXT_LIMIT


def test_a_page_view_buttons() -> None:
    rows = [
        _agent(0, "李女士淘卖"),
        _agent(1, "顾总定制", handled=True),
        FollowupRow(2, "heading", line="🧪 样品跟进："),
        FollowupRow(3, "sample", 3_000_009, 42, "王", line="• 王 样品"),
        FollowupRow(4, "sample", 3_000_010, 43, "赵", line="• 赵 样品", handled=True),
    ]
    made = FollowupList(7, 0, 0, "zh", header_text(2, "zh"), 50, 3)
    text, keyboard = page_view(made, rows, 1, SH)
    assert "李女士淘卖" in text and "顾总定制" in text and "• 赵 样品" in text
    assert text.endswith("第 2/3 页</i>")
    assert [[data for _, data in row] for row in keyboard] == [
        ["fu:3000000", "acard:3000000"],
        ["sq:42"],
        ["lk:followups:7:0", "lk:followups:7:2"],
    ]
    one = FollowupList(7, 0, 0, "zh", header_text(2, "zh"), 2, 1)
    text, keyboard = page_view(one, rows[:2], 0, SH)
    assert "页" not in text and [[d for _, d in row] for row in keyboard] == [
        ["fu:3000000", "acard:3000000"]
    ]
