"""Pure parsing and rendering for products, promotions and stock (no Telegram, no database).

Money is integer cents end to end: prices are parsed with :class:`decimal.Decimal` and never
pass through a float. Every function that renders HTML goes through :func:`bot.texts.t`, so
seller-typed text is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.common.timeparse import UnreadableTime, parse_moment
from bot.texts import Language, escape, t
from storage.catalog import (
    PROMO_KINDS,
    Product,
    PromoKind,
    Promotion,
    StockChange,
    StockLevel,
    StockRow,
    StockState,
)

MAX_SKU_LENGTH = 32
MAX_TITLE_LENGTH = 100
MAX_CATEGORY_LENGTH = 50
# Title + category + description stay well under Telegram's 1024-character caption limit, so a
# product preview is always one photo post (or album) with its whole text in the caption.
MAX_DESCRIPTION_LENGTH = 700
MAX_PROMO_TITLE_LENGTH = 100
MAX_RULES_LENGTH = 1500
MAX_PROMO_SKUS = 20
MAX_PHOTOS = 10
MAX_PRICE_CENTS = 1_000_000_000  # ¥10,000,000.00
MAX_QTY = 1_000_000_000
_ASCII_DIGITS = re.compile(r"[0-9]+")
TIME_FORMAT = "%Y-%m-%d %H:%M"

_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
_PRICE = re.compile(r"^(?:¥|￥|RMB|CNY)?\s*(-)?\s*([0-9]+(?:\.[0-9]+)?)\s*(?:元)?$", re.IGNORECASE)
_SKU_SEPARATORS = re.compile(r"[\s,，、;；]+")
SKIP = {"-", "—", "无", "跳过", "skip", "none"}

NoticeKind = Literal["low", "out", "restock"]

PROMO_KIND_NAMES: dict[str, PromoKind] = {
    "满减": "full_reduction",
    "满就送": "gift",
    "满送": "gift",
    "包邮": "free_shipping",
    "折扣": "discount",
    "打折": "discount",
    "限时价": "flash_price",
    "限时": "flash_price",
    "spend & save": "full_reduction",
    "gift with purchase": "gift",
    "free shipping": "free_shipping",
    "discount": "discount",
    "flash price": "flash_price",
    **{kind: kind for kind in PROMO_KINDS},
}


def is_skip(text: str) -> bool:
    return text.strip().lower() in SKIP


# --------------------------------------------------------------------------- parsing


def normalize_sku(text: str, lang: Language) -> str:
    """A SKU: letters, digits, ``.``, ``_``, ``-``, starting with a letter or digit, up to 32
    characters; compared and stored upper-case."""
    sku = text.strip().upper()
    if not sku or len(sku) > MAX_SKU_LENGTH or not _SKU.match(sku):
        raise InputError(t(lang, "cat_err_sku", value=text.strip()[:40], limit=MAX_SKU_LENGTH))
    return sku


def parse_price(text: str, lang: Language, field: str) -> int:
    """``59.9``, ``¥59.90``, ``￥59``, ``59元`` → cents. Negatives, zero, more than two decimals
    and anything else are refused with a message naming ``field``."""
    value = text.strip().replace(" ", "")
    match = _PRICE.match(value)
    if not match:
        raise InputError(t(lang, "cat_err_price", field=field, value=text.strip()[:40]))
    if match.group(1):
        raise InputError(t(lang, "cat_err_price_negative", field=field))
    try:
        amount = Decimal(match.group(2))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise InputError(t(lang, "cat_err_price", field=field, value=text.strip()[:40])) from None
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise InputError(t(lang, "cat_err_price_decimals", field=field))
    result = int(cents)
    if result <= 0:
        raise InputError(t(lang, "cat_err_price_zero", field=field))
    if result > MAX_PRICE_CENTS:
        raise InputError(t(lang, "cat_err_price_large", field=field))
    return result


def format_price(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def clean_field(text: str, limit: int, lang: Language, field: str) -> str:
    """Trimmed, non-empty text of at most ``limit`` characters (line breaks kept)."""
    value = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not value:
        raise InputError(t(lang, "cat_err_empty", field=field))
    if len(value) > limit:
        raise InputError(t(lang, "cat_err_long", field=field, limit=limit, length=len(value)))
    return value


def parse_qty(text: str, lang: Language) -> int:
    value = text.strip()
    if value.startswith("-") and ascii_int(value[1:]) is not None:
        raise InputError(t(lang, "cat_err_qty_negative", value=value))
    qty = ascii_int(value)
    if qty is None and _ASCII_DIGITS.fullmatch(value):  # all digits, beyond int64
        raise InputError(t(lang, "cat_err_qty_large", limit=MAX_QTY))
    if qty is None:
        raise InputError(t(lang, "cat_err_qty", value=value[:40]))
    if qty > MAX_QTY:
        raise InputError(t(lang, "cat_err_qty_large", limit=MAX_QTY))
    return qty


def parse_threshold(text: str, lang: Language) -> int | None:
    """A non-negative integer, or ``-``/``default`` for the configured default (None)."""
    value = text.strip()
    if is_skip(value) or value.lower() in {"default", "默认"}:
        return None
    threshold = ascii_int(value, 0, MAX_QTY)
    if threshold is None:
        raise InputError(t(lang, "cat_err_threshold", value=value[:40]))
    return threshold


def parse_promo_kind(text: str, lang: Language) -> PromoKind:
    kind = PROMO_KIND_NAMES.get(text.strip().lower())
    if kind is None:
        raise InputError(t(lang, "cat_err_promo_kind", value=text.strip()[:40]))
    return kind


def parse_promo_time(text: str, now: int, tz: ZoneInfo, lang: Language, field: str) -> int:
    """A promotion's start or end in the seller's time zone, through the one time parser
    (bot/common/timeparse.py): ``2026-12-01 20:00``, ``明天 20:00``, ``今晚 23:59``, ``3 天后``,
    ``立即``...; a start may be past (``check_promo_window`` wants the end ahead)."""
    try:
        return parse_moment(text, now, tz, lang, past_ok=True)
    except UnreadableTime:
        raise InputError(t(lang, "cat_err_time", field=field, value=text.strip()[:40])) from None
    except InputError as error:
        raise InputError(f"{escape(field)}: {error.text}") from None


def check_promo_window(starts_at: int, ends_at: int, now: int, lang: Language) -> None:
    if ends_at <= starts_at:
        raise InputError(t(lang, "cat_err_end_before_start"))
    if ends_at <= now:
        raise InputError(t(lang, "cat_err_end_past"))


def parse_sku_list(text: str, lang: Language) -> list[str]:
    """SKUs separated by spaces or commas (duplicates dropped, order kept), at most 20."""
    skus: list[str] = []
    for token in _SKU_SEPARATORS.split(text.strip()):
        if token:
            sku = normalize_sku(token, lang)
            if sku not in skus:
                skus.append(sku)
    if not skus:
        raise InputError(t(lang, "cat_err_skus_empty"))
    if len(skus) > MAX_PROMO_SKUS:
        raise InputError(t(lang, "cat_err_skus_many", limit=MAX_PROMO_SKUS))
    return skus


# --------------------------------------------------------------------------- stock


def stock_state(qty: int, threshold: int) -> StockState:
    """0 is out of stock; at or below the threshold is low; above it is in stock."""
    if qty <= 0:
        return "out"
    if qty <= threshold:
        return "low"
    return "in_stock"


def crossing(old: StockState | None, new: StockState) -> NoticeKind | None:
    """The notice a state change deserves, if any.

    Only a change of state is announced, so setting the same state twice never repeats a
    notice. Going low or out is announced (also for a SKU whose stock was never set); leaving
    ``out`` is a restock (even if only a few came back, the notice shows how many); going from
    low back to plenty is not announced.
    """
    if old == new:
        return None
    if new == "out":
        return "out"
    if old == "out":
        return "restock"
    if new == "low":
        return "low"
    return None


# --------------------------------------------------------------------------- rendering


def price_text(cents: int) -> str:
    return f"¥{format_price(cents)}"


def product_caption(product: Product, lang: Language) -> str:
    """The product post exactly as agents see it (caption of the photo or album)."""
    lines = [
        t(lang, "cat_preview_title", title=product.title),
        t(lang, "cat_preview_sku", sku=product.sku),
        t(lang, "cat_preview_price", price=price_text(product.price_cents)),
    ]
    if product.agent_price_cents is not None:
        lines.append(
            t(lang, "cat_preview_agent_price", price=price_text(product.agent_price_cents))
        )
    lines.append(t(lang, "cat_preview_category", category=product.category))
    return "\n".join(lines) + "\n\n" + str(escape(product.description))


def state_label(state: StockState | None, lang: Language) -> str:
    return t(lang, f"cat_state_{state}" if state else "cat_state_unknown")


def product_card(
    product: Product, level: StockLevel | None, default_threshold: int, lang: Language
) -> str:
    """``/product <sku>``: the caption plus stock and photo count, for the seller."""
    lines = [product_caption(product, lang), ""]
    lines.append(stock_line(level, default_threshold, lang))
    lines.append(t(lang, "cat_card_photos", count=len(product.photos)))
    return "\n".join(lines)


def stock_line(level: StockLevel | None, default_threshold: int, lang: Language) -> str:
    if level is None:
        return t(lang, "cat_card_stock_unset")
    threshold = level.threshold if level.threshold is not None else default_threshold
    key = "cat_card_stock" if level.threshold is not None else "cat_card_stock_default"
    return t(lang, key, qty=level.qty, state=state_label(level.state, lang), threshold=threshold)


def products_list(products: Sequence[Product], lang: Language) -> tuple[str, list[str]]:
    """The header and one row per item, for the pager."""
    if not products:
        return t(lang, "cat_products_empty"), []
    header = t(lang, "cat_products_header", count=len(products))
    lines: list[str] = []
    for product in products:
        lines.append(
            t(
                lang,
                "cat_products_line",
                sku=product.sku,
                title=product.title,
                price=price_text(product.price_cents),
            )
        )
    return header, lines


def stock_list(
    rows: Sequence[StockRow], default_threshold: int, lang: Language
) -> tuple[str, list[str]]:
    """The header and one row per item, for the pager."""
    if not rows:
        return t(lang, "cat_products_empty"), []
    header = t(lang, "cat_stock_header", threshold=default_threshold)
    lines: list[str] = []
    for row in rows:
        level = row.level
        lines.append(
            t(
                lang,
                "cat_stock_line",
                sku=row.sku,
                title=row.title,
                qty="-" if level is None else level.qty,
                state=state_label(level.state if level else None, lang),
            )
        )
    return header, lines


@dataclass(frozen=True, slots=True)
class StockNoticeItem:
    sku: str
    title: str
    qty: int
    kind: NoticeKind


def notice_items(
    changes: Sequence[StockChange], titles: Mapping[str, str]
) -> list[StockNoticeItem]:
    """The changes that cross into another state, in order, as notice lines."""
    items = []
    for change in changes:
        kind = crossing(change.old_state, change.new_state)
        if kind is not None:
            items.append(StockNoticeItem(change.sku, titles.get(change.sku, ""), change.qty, kind))
    return items


def stock_notice(items: Sequence[StockNoticeItem], lang: Language) -> str:
    lines = [t(lang, "cat_notice_header")]
    for item in items:
        lines.append(
            t(lang, f"cat_notice_{item.kind}", title=item.title, sku=item.sku, qty=item.qty)
        )
    return "\n".join(lines)


def local_time(timestamp: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(timestamp, tz).strftime(TIME_FORMAT)


def kind_label(kind: PromoKind, lang: Language) -> str:
    return t(lang, f"cat_kind_{kind}")


@dataclass(frozen=True, slots=True)
class PromoDraft:
    title: str
    kind: PromoKind
    rules: str
    starts_at: int
    ends_at: int
    skus: tuple[str, ...] = ()

    @staticmethod
    def of(promotion: Promotion) -> PromoDraft:
        return PromoDraft(
            promotion.title,
            promotion.kind,
            promotion.rules,
            promotion.starts_at,
            promotion.ends_at,
            promotion.skus,
        )


def promotion_notice(
    draft: PromoDraft, titles: Mapping[str, str], tz: ZoneInfo, lang: Language
) -> str:
    """The promotion as agents see it in the groups."""
    lines = [
        t(lang, "cat_promo_title", title=draft.title),
        t(lang, "cat_promo_kind", kind=kind_label(draft.kind, lang)),
        t(
            lang,
            "cat_promo_window",
            start=local_time(draft.starts_at, tz),
            end=local_time(draft.ends_at, tz),
        ),
        "",
        str(escape(draft.rules)),
    ]
    if draft.skus:
        lines.append("")
        lines.append(t(lang, "cat_promo_skus_header"))
        lines += [
            t(lang, "cat_promo_sku_line", sku=sku, title=titles.get(sku, "")) for sku in draft.skus
        ]
    return "\n".join(lines)


def promos_list(
    promotions: Sequence[Promotion], tz: ZoneInfo, lang: Language
) -> tuple[str, list[str]]:
    """The header and one row per item, for the pager."""
    if not promotions:
        return t(lang, "cat_promos_empty"), []
    header = t(lang, "cat_promos_header", count=len(promotions))
    lines: list[str] = []
    for promo in promotions:
        lines.append(
            t(
                lang,
                "cat_promos_line",
                id=promo.id,
                title=promo.title,
                kind=kind_label(promo.kind, lang),
                end=local_time(promo.ends_at, tz),
                skus=", ".join(promo.skus) or "-",
            )
        )
    return header, lines
