"""Pure catalog functions: prices, SKUs, stock states and crossings, CSV, promo times, rendering."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.catalog.model import (
    PromoDraft,
    StockNoticeItem,
    check_promo_window,
    clean_field,
    crossing,
    format_price,
    normalize_sku,
    notice_items,
    parse_price,
    parse_promo_kind,
    parse_promo_time,
    parse_qty,
    parse_sku_list,
    parse_threshold,
    product_caption,
    promotion_notice,
    stock_notice,
    stock_state,
)
from bot.catalog.stock_csv import (
    MAX_CSV_ROWS,
    CsvRow,
    csv_error_rows,
    decode_csv,
    parse_stock_csv,
    unknown_sku_errors,
)
from bot.common.errors import InputError
from storage.catalog import Product, StockChange

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("59.9", 5990),
        ("¥59.90", 5990),
        ("￥59", 5900),
        ("59元", 5900),
        (" 0.01 ", 1),
        ("RMB 1299.00", 129900),
        ("100", 10000),
    ],
)
def test_parse_price_accepts(text: str, cents: int) -> None:
    assert parse_price(text, "en", "Price") == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "cannot be negative"),
        ("¥-5.00", "cannot be negative"),
        ("abc", "is not an amount"),
        ("59.9.9", "is not an amount"),
        ("", "is not an amount"),
        ("5,9", "is not an amount"),
        ("59.999", "at most two decimals"),
        ("0", "greater than 0"),
        ("0.00", "greater than 0"),
        ("99999999999", "too large"),
    ],
)
def test_parse_price_refuses(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_price(text, "en", "Price")
    assert message in caught.value.text and "Price" in caught.value.text


def test_price_parsing_never_uses_floats() -> None:
    # 0.1 + 0.2 style errors would turn 19.99 into 1998 cents with a float path.
    assert parse_price("19.99", "en", "Price") == 1999
    assert parse_price("0.29", "en", "Price") == 29
    assert format_price(1999) == "19.99" and format_price(5) == "0.05"


def test_sku() -> None:
    assert normalize_sku(" ds-2026_001.a ", "en") == "DS-2026_001.A"
    for bad in ["", "-abc", "a b", "x" * 33, "货号1", "A/B"]:
        with pytest.raises(InputError):
            normalize_sku(bad, "en")


def test_quantities_and_thresholds() -> None:
    assert parse_qty("0", "en") == 0 and parse_qty("120", "en") == 120
    for bad, message in [("-1", "negative"), ("1.5", "not valid"), ("x", "not valid")]:
        with pytest.raises(InputError) as caught:
            parse_qty(bad, "en")
        assert message in caught.value.text
    assert parse_threshold("10", "en") == 10
    assert parse_threshold("-", "en") is None and parse_threshold("default", "en") is None
    with pytest.raises(InputError):
        parse_threshold("ten", "en")


def test_clean_field() -> None:
    assert clean_field("  a  \n b  ", 10, "en", "Title") == "a\n b"
    with pytest.raises(InputError, match="cannot be empty"):
        clean_field("   ", 10, "en", "Title")
    with pytest.raises(InputError, match="too long"):
        clean_field("x" * 11, 10, "en", "Title")


def test_stock_state() -> None:
    assert stock_state(0, 5) == "out"
    assert stock_state(1, 5) == "low"
    assert stock_state(5, 5) == "low"
    assert stock_state(6, 5) == "in_stock"
    assert stock_state(0, 0) == "out"
    assert stock_state(1, 0) == "in_stock"


@pytest.mark.parametrize(
    ("old", "new", "notice"),
    [
        (None, "in_stock", None),
        (None, "low", "low"),
        (None, "out", "out"),
        ("in_stock", "in_stock", None),
        ("in_stock", "low", "low"),
        ("in_stock", "out", "out"),
        ("low", "low", None),
        ("low", "out", "out"),
        ("low", "in_stock", None),
        ("out", "out", None),
        ("out", "low", "restock"),
        ("out", "in_stock", "restock"),
    ],
)
def test_crossing(old: str | None, new: str, notice: str | None) -> None:
    assert crossing(old, new) == notice  # type: ignore[arg-type]


def test_a_sequence_of_updates_announces_each_state_once() -> None:
    """100 → 3 → 2 → 0 → 0 → 50 → 60: low once, out once, back in stock once."""
    state = None
    notices = []
    for qty in [100, 3, 2, 0, 0, 50, 60]:
        new = stock_state(qty, 5)
        notice = crossing(state, new)
        if notice:
            notices.append(notice)
        state = new
    assert notices == ["low", "out", "restock"]


def test_notice_items_keep_only_crossings() -> None:
    changes = [
        StockChange("A", 3, "in_stock", "low"),
        StockChange("B", 50, "in_stock", "in_stock"),
        StockChange("C", 0, "low", "out"),
    ]
    items = notice_items(changes, {"A": "Dress", "C": "Tee"})
    assert items == [
        StockNoticeItem("A", "Dress", 3, "low"),
        StockNoticeItem("C", "Tee", 0, "out"),
    ]
    text = stock_notice(items, "en")
    assert "Low stock: Dress" in text and "Sold out: Tee" in text and "B" not in text


def test_parse_stock_csv_with_header_and_blank_lines() -> None:
    text = 'sku,qty\nDS-1,10\n\nds-2 , 0\n"DS-3","7",\n'
    rows, errors = parse_stock_csv(text, "en")
    assert errors == []
    assert rows == [CsvRow(2, "DS-1", 10), CsvRow(4, "DS-2", 0), CsvRow(5, "DS-3", 7)]


def test_parse_stock_csv_other_separators_and_chinese_header() -> None:
    rows, errors = parse_stock_csv("货号，数量\nA，1\nB;2\nC\t3", "zh")
    assert errors == [] and [(r.sku, r.qty) for r in rows] == [("A", 1), ("B", 2), ("C", 3)]


def test_parse_stock_csv_reports_every_bad_line() -> None:
    text = "\n".join(
        [
            "A,1",  # 1 fine
            "B",  # 2 one column
            "C,1,2",  # 3 three columns
            "bad sku!,4",  # 4 invalid SKU
            "D,-3",  # 5 negative
            "E,many",  # 6 not a number
            "A,9",  # 7 duplicate of line 1
            "F,2.5",  # 8 not whole
        ]
    )
    rows, errors = parse_stock_csv(text, "en")
    assert [row.sku for row in rows] == ["A"]
    reasons = {error.line: error.reason for error in errors}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8]
    assert "found 1" in reasons[2] and "found 3" in reasons[3]
    assert "SKU" in reasons[4] and "negative" in reasons[5]
    assert "not valid" in reasons[6] and "first on line 1" in reasons[7]
    header, rows = csv_error_rows(errors, "en")
    assert "no stock was changed" in header
    assert rows[0].startswith("Line 2:") and rows[-1].startswith("Line 8:") and len(rows) == 7


def test_header_only_or_empty_csv_is_refused() -> None:
    for text in ["", "sku,qty\n", "\n\n"]:
        with pytest.raises(InputError, match="no rows"):
            parse_stock_csv(text, "en")


def test_too_many_csv_rows() -> None:
    text = "\n".join(f"S{i},1" for i in range(MAX_CSV_ROWS + 1))
    with pytest.raises(InputError, match="Too many rows"):
        parse_stock_csv(text, "en")


def test_unknown_skus_are_line_numbered() -> None:
    errors = unknown_sku_errors([CsvRow(3, "X", 1), CsvRow(4, "Y", 1)], {"Y"}, "en")
    assert [(e.line, e.reason) for e in errors] == [(3, "SKU X does not exist")]


def test_decode_csv() -> None:
    assert decode_csv("\ufeffA,1".encode()) == "A,1"
    assert decode_csv("货号,数量".encode("gb18030")) == "货号,数量"
    assert decode_csv(b"\x00\x01\x02\xff\xfe") is None


def test_every_bad_line_is_listed_in_file_order() -> None:
    text = "\n".join("bad!,1" for _ in range(80))
    _, errors = parse_stock_csv(text, "en")
    _, rows = csv_error_rows(list(reversed(errors)), "en")
    assert [row.split(":")[0] for row in rows] == [f"Line {n}" for n in range(1, 81)]


def test_promo_time_in_configured_zone() -> None:
    now = int(datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("UTC")).timestamp())
    at = parse_promo_time("2026-12-01 20:00", now, SHANGHAI, "en", "Start time")
    assert at == int(datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("UTC")).timestamp())
    assert parse_promo_time("2026/12/01  20:00", now, SHANGHAI, "en", "Start time") == at
    assert parse_promo_time("2026-12-01T20:00", now, SHANGHAI, "en", "Start time") == at
    utc = parse_promo_time("2026-12-01 20:00", now, ZoneInfo("UTC"), "en", "Start time")
    assert utc - at == 8 * 3600
    for bad in ["tomorrow", "2026-13-01 20:00", "2026-12-01", "2026-12-01 25:00", "每天 10:00"]:
        with pytest.raises(InputError, match="Start time"):
            parse_promo_time(bad, now, SHANGHAI, "en", "Start time")


def test_promo_time_as_typed_on_a_phone() -> None:
    """The one time parser: relative forms, quick-button labels, full-width digits; a start
    may be past or now (a promotion already running)."""
    now = int(datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI).timestamp())
    tonight = int(datetime(2026, 11, 20, 23, 59, tzinfo=SHANGHAI).timestamp())
    assert parse_promo_time("立即开始", now, SHANGHAI, "zh", "开始时间") == now
    assert parse_promo_time("今晚 23:59", now, SHANGHAI, "zh", "结束时间") == tonight
    assert parse_promo_time("今晚", now, SHANGHAI, "zh", "结束时间") == tonight
    assert parse_promo_time("3 天后", now, SHANGHAI, "zh", "结束时间") == now + 3 * 86400
    assert parse_promo_time("３天后", now, SHANGHAI, "zh", "结束时间") == now + 3 * 86400
    tomorrow = int(datetime(2026, 11, 21, 20, 0, tzinfo=SHANGHAI).timestamp())
    assert parse_promo_time("明天 ２０：００", now, SHANGHAI, "zh", "开始时间") == tomorrow
    yesterday = int(datetime(2026, 11, 19, 20, 0, tzinfo=SHANGHAI).timestamp())
    assert parse_promo_time("11-19 20:00", now, SHANGHAI, "zh", "开始时间") == yesterday


def test_promo_window() -> None:
    check_promo_window(100, 200, 150, "en")
    with pytest.raises(InputError, match="after the start"):
        check_promo_window(200, 200, 0, "en")
    with pytest.raises(InputError, match="after the start"):
        check_promo_window(300, 200, 0, "en")
    with pytest.raises(InputError, match="already past"):
        check_promo_window(100, 200, 200, "en")


def test_promo_kind_and_sku_list() -> None:
    assert parse_promo_kind("满减", "zh") == "full_reduction"
    assert parse_promo_kind("满就送", "zh") == "gift"
    assert parse_promo_kind("包邮", "zh") == "free_shipping"
    assert parse_promo_kind("折扣", "zh") == "discount"
    assert parse_promo_kind("限时价", "zh") == "flash_price"
    assert parse_promo_kind("Free Shipping", "en") == "free_shipping"
    with pytest.raises(InputError):
        parse_promo_kind("买一送十", "zh")
    assert parse_sku_list("a, b，c  a", "en") == ["A", "B", "C"]
    with pytest.raises(InputError):
        parse_sku_list("a bad!", "en")


def _product(**changes: object) -> Product:
    fields: dict[str, object] = {
        "sku": "DS-1",
        "title": "<b>Dress</b> & co",
        "price_cents": 5990,
        "agent_price_cents": 3990,
        "category": "女装/连衣裙",
        "description": "Line <i>one</i>\nline two",
        "photos": ("p1",),
    }
    fields.update(changes)
    return Product(**fields)  # type: ignore[arg-type]


def test_product_caption_escapes_everything() -> None:
    caption = product_caption(_product(), "en")
    assert "&lt;b&gt;Dress&lt;/b&gt; &amp; co" in caption
    assert "Line &lt;i&gt;one&lt;/i&gt;\nline two" in caption
    assert "¥59.90" in caption and "Agent price: ¥39.90" in caption
    assert "Agent price" not in product_caption(_product(agent_price_cents=None), "en")


def test_longest_product_caption_fits_a_photo_caption() -> None:
    from bot.catalog.model import (
        MAX_CATEGORY_LENGTH,
        MAX_DESCRIPTION_LENGTH,
        MAX_SKU_LENGTH,
        MAX_TITLE_LENGTH,
    )
    from bot.dev.demo.story import plain

    product = _product(
        sku="S" * MAX_SKU_LENGTH,
        title="标" * MAX_TITLE_LENGTH,
        category="类" * MAX_CATEGORY_LENGTH,
        description="描" * MAX_DESCRIPTION_LENGTH,
        price_cents=1_000_000_000,
        agent_price_cents=1_000_000_000,
    )
    for lang in ("zh", "en"):
        assert len(plain(product_caption(product, lang))) <= 1024  # type: ignore[arg-type]


def test_promotion_notice() -> None:
    draft = PromoDraft(
        "Double <12>",
        "full_reduction",
        "¥30 off over ¥199 & more",
        parse_promo_time("2026-12-01 20:00", 1_790_000_000, SHANGHAI, "en", "s"),
        parse_promo_time("2026-12-03 23:59", 1_790_000_000, SHANGHAI, "en", "e"),
        ("DS-1",),
    )
    text = promotion_notice(draft, {"DS-1": "Dress <x>"}, SHANGHAI, "en")
    assert "Double &lt;12&gt;" in text and "spend &amp; save" in text
    assert "2026-12-01 20:00" in text and "2026-12-03 23:59" in text
    assert "&amp; more" in text and "Dress &lt;x&gt;" in text
