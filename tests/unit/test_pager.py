"""The pager: pages cut by the length Telegram counts (UTF-16 after HTML), page size, footer."""

from __future__ import annotations

import pytest

from bot.common.pager import ELLIPSIS, paginate
from bot.common.splitting import TEXT_LIMIT, visible_length, visible_text


def footer(page: int, pages: int) -> str:
    return f"page {page}/{pages}"


def items_of(page: str) -> list[str]:
    """The item lines of a rendered page (header first, footer last when there are pages)."""
    return page.split("\n")[1:]


def test_one_short_page_has_no_footer() -> None:
    assert paginate("<b>Head</b>", ["a", "b"], footer) == ["<b>Head</b>\na\nb"]


def test_empty_list_is_the_header_alone() -> None:
    assert paginate("Head", [], footer) == ["Head"]


def test_page_size_applies() -> None:
    pages = paginate("H", [str(i) for i in range(5)], footer, page_size=2)
    assert pages == ["H\n0\n1\npage 1/3", "H\n2\n3\npage 2/3", "H\n4\npage 3/3"]


def test_emoji_count_two_utf16_units() -> None:
    item = "😀" * 10  # 10 characters, 20 UTF-16 code units
    pages = paginate("H", [item] * 20, footer, limit=100)
    for page in pages:
        assert visible_length(page) <= 100
    # 100 - 1 (header) - 11 ("\npage 20/20") = 88 units: 4 items of 1 + 20 (by code points,
    # 8 items of 1 + 10 would have been let through).
    assert [len(items_of(page)) - 1 for page in pages] == [4] * 5
    assert sum(len(items_of(page)) - 1 for page in pages) == 20


def test_tags_and_entities_count_as_telegram_counts() -> None:
    item = "<b>&amp;&lt;</b>" + "x" * 8  # 10 visible characters, 24 raw
    pages = paginate("H", [item] * 30, footer, limit=120)
    assert all(visible_length(page) <= 120 for page in pages)
    # 120 - 1 (header) - 11 ("\npage 30/30") = 108 => 9 items of 11 (with the line break).
    assert len(items_of(pages[0])) - 1 == 9


def test_exact_boundary_fills_the_page() -> None:
    # Budget: 50 - len("H") - len("\npage 3/3") = 40 visible units; each item takes 1 + 9 = 10.
    pages = paginate("H", ["x" * 9] * 8, footer, limit=50)
    assert [len(items_of(page)) - 1 for page in pages] == [4, 4]
    assert visible_length(pages[0]) == 50 - len("page 8/8") + len("page 1/2")
    pages = paginate("H", ["x" * 10] * 8, footer, limit=50)
    assert [len(items_of(page)) - 1 for page in pages] == [3, 3, 2]


def test_an_item_over_the_budget_is_cut_with_its_tags_closed() -> None:
    long_item = "<b>" + "y" * 500 + "</b>"
    pages = paginate("H", ["short", long_item, "after"], footer, limit=100)
    assert all(visible_length(page) <= 100 for page in pages)
    cut = next(line for page in pages for line in items_of(page) if "y" in line)
    assert cut.startswith("<b>") and cut.endswith("</b>" + ELLIPSIS)
    texts = [visible_text(line) for page in pages for line in items_of(page)[:-1]]
    assert texts[0] == "short" and texts[-1] == "after"


def test_every_item_once_in_order_at_the_real_limit() -> None:
    items = [f"• {'名' * 60} 🎉 <code>{i}</code> &amp; tags: a, b, c, d, e" for i in range(1000)]
    pages = paginate("<b>1000 groups</b>", items, footer)
    seen = []
    for number, page in enumerate(pages, start=1):
        assert visible_length(page) <= TEXT_LIMIT
        assert page.endswith(f"page {number}/{len(pages)}")
        seen.extend(items_of(page)[:-1])
    assert seen == items


def test_page_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        paginate("H", ["a"], footer, page_size=0)
