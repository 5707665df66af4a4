"""The stock CSV of ``/stock_import``: ``sku,qty`` lines read into rows or per-line errors
(pure: text in, rows out)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Event

from bot.catalog.model import normalize_sku, parse_qty
from bot.common.errors import InputError
from bot.common.uploads import check_cancelled
from bot.texts import Html, Language, t

# Stricter than the [uploads] CSV cap: 5000 "sku,qty" lines are far smaller than this.
MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 5000

_CSV_SPLIT = re.compile(r"[,;\t，；]")
_CHECK_EVERY = 1024
_CSV_HEADER_SKU = {"sku", "货号", "编码", "商品编码", "商品货号"}


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    sku: str
    qty: int


@dataclass(frozen=True, slots=True)
class CsvError:
    line: int
    reason: str  # rendered in the seller's language


def decode_csv(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) or, as Excel in China saves it, GB18030; None otherwise."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


def _cells(line: str) -> list[str]:
    cells = [cell.strip().strip('"').strip() for cell in _CSV_SPLIT.split(line)]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def parse_stock_csv(
    text: str, lang: Language, stop: Event | None = None
) -> tuple[list[CsvRow], list[CsvError]]:
    """``sku,qty`` per line (optional header line, blank lines ignored) → rows, or the errors
    of every bad line with its 1-based line number. A file with no rows at all, or more than
    :data:`MAX_CSV_ROWS`, raises :class:`InputError` (the latter as soon as it is seen). ``stop``
    (set when the caller gave up) ends the reading with :class:`ParseCancelled`."""
    rows: list[CsvRow] = []
    errors: list[CsvError] = []
    seen: dict[str, int] = {}
    first = True
    for number, raw in enumerate(text.splitlines(), start=1):
        if stop is not None and number % _CHECK_EVERY == 0:
            check_cancelled(stop)
        if not raw.strip():
            continue
        if len(rows) + len(errors) >= MAX_CSV_ROWS:
            raise InputError(t(lang, "cat_csv_too_many", limit=MAX_CSV_ROWS))
        cells = _cells(raw)
        if first:
            first = False
            if cells and cells[0].lower() in _CSV_HEADER_SKU:
                continue
        if len(cells) != 2:
            errors.append(CsvError(number, t(lang, "cat_csv_columns", count=len(cells))))
            continue
        sku_text, qty_text = cells
        try:
            sku = normalize_sku(sku_text, lang)
            qty = parse_qty(qty_text, lang)
        except InputError as error:
            errors.append(CsvError(number, error.text))
            continue
        if sku in seen:
            errors.append(CsvError(number, t(lang, "cat_csv_duplicate", sku=sku, line=seen[sku])))
            continue
        seen[sku] = number
        rows.append(CsvRow(number, sku, qty))
    if not rows and not errors:
        raise InputError(t(lang, "cat_csv_empty"))
    return rows, errors


def unknown_sku_errors(rows: Sequence[CsvRow], known: set[str], lang: Language) -> list[CsvError]:
    return [
        CsvError(row.line, t(lang, "cat_csv_unknown", sku=row.sku))
        for row in rows
        if row.sku not in known
    ]


def csv_error_rows(errors: Sequence[CsvError], lang: Language) -> tuple[str, list[str]]:
    """The refused CSV as a paged list: what happened, then every bad line in file order."""
    ordered = sorted(errors, key=lambda error: error.line)
    rows = [
        t(lang, "cat_csv_error_line", line=error.line, reason=Html(error.reason))
        for error in ordered
    ]
    return t(lang, "cat_csv_rejected", count=len(ordered)), rows
