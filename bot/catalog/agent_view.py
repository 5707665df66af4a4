"""The agents' side of the catalog, pure: search terms, the product rows and cards agents see,
the retail card they share (never the agent price), the materials' copy, the product post's
keyboard and the deep links (no Telegram, no database).

*Selling points*: a product has no separate field; its description is what the seller wrote to
sell it, so the description is the selling points (on the retail card and in the materials).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.broadcast.outbox import Keyboard
from bot.catalog.model import MAX_SKU_LENGTH, kind_label, local_time, price_text, state_label
from bot.common.callbacks import MaterialsRequest, SampleRequest, encode
from bot.common.errors import InputError
from bot.common.splitting import CAPTION_LIMIT, visible_length
from bot.texts import Html, Language, escape, t
from storage.catalog import Product, Promotion, StockLevel
from storage.materials import MaterialTake

# Tags that let an agent into the catalog without the approved-profile rule (the seller's own
# CRM tags, see docs/ARCHITECTURE.md "The agents' catalog").
ALLOWED_TAGS: tuple[str, ...] = ("代理商", "VIP代理商")
MAX_QUERY_LENGTH = 60
MAX_TERMS = 5
# A search or category lists at most this many products (the pager pages them).
MAX_LISTED = 100
# Deep-link payloads (t.me/<bot>?start=<payload>): A-Z a-z 0-9 _ - only, at most 64.
MATERIALS_LINK = "materials_"
CARD_LINK = "card_"
_START_PAYLOAD = re.compile(r"^(materials|card)_([A-Za-z0-9_-]{1,44})$")


def search_terms(text: str, lang: Language) -> list[str]:
    """The words of ``/products <words>``: split on white space, at most 5 (more are
    dropped); too long a query is refused."""
    query = " ".join(text.split())
    if len(query) > MAX_QUERY_LENGTH:
        raise InputError(t(lang, "ac_err_query_long", limit=MAX_QUERY_LENGTH))
    return query.split()[:MAX_TERMS]


# --------------------------------------------------------------------------- deep links


def _pack(sku: str) -> str:
    return base64.urlsafe_b64encode(sku.encode()).decode().rstrip("=")


def start_payload(kind: str, sku: str) -> str:
    """``materials_<sku>`` / ``card_<sku>``, the SKU base64url-coded (a SKU may hold ``.``,
    which a start payload may not)."""
    return f"{kind}_{_pack(sku)}"


def deep_link(bot_username: str, kind: str, sku: str) -> str:
    return f"https://t.me/{bot_username}?start={start_payload(kind, sku)}"


def parse_start_payload(payload: str) -> tuple[str, str] | None:
    """(``materials`` or ``card``, SKU) from a start payload; None for anything else."""
    match = _START_PAYLOAD.match(payload)
    if not match:
        return None
    packed = match.group(2)
    try:
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        sku = raw.decode("ascii")
    except (binascii.Error, ValueError):
        return None
    if not sku or len(sku) > MAX_SKU_LENGTH or _pack(sku) != packed or sku != sku.upper():
        return None
    return match.group(1), sku


# --------------------------------------------------------------------------- rendering


def product_post_keyboard(product: Product, lang: Language) -> Keyboard:
    """The buttons under every product post (the new-product broadcast, a launch, a card).
    ONE place, so another feature adds its button here."""
    return (
        (
            (t(lang, "ac_button_materials"), encode(MaterialsRequest(product.sku))),
            (t(lang, "smp_button"), encode(SampleRequest(product.sku))),
        ),
    )


def _agent_price(product: Product, lang: Language) -> str:
    if product.agent_price_cents is None:
        return "-"
    return price_text(product.agent_price_cents)


def _promos_of(sku: str, promotions: Sequence[Promotion]) -> list[Promotion]:
    return [promo for promo in promotions if sku in promo.skus]


def agent_rows(
    header: str,
    products: Sequence[Product],
    levels: Mapping[str, StockLevel],
    promotions: Sequence[Promotion],
    bot_username: str,
    lang: Language,
) -> tuple[str, list[str]]:
    """The pager's header and one row per product: prices, stock state, running promotions
    and a link that opens the product's card (with the materials button)."""
    rows = []
    for product in products:
        level = levels.get(product.sku)
        promos = _promos_of(product.sku, promotions)
        promo_text = (
            t(lang, "ac_row_promos", titles="、".join(promo.title for promo in promos))
            if promos
            else ""
        )
        link = t(lang, "ac_row_link", url=deep_link(bot_username, "card", product.sku))
        rows.append(
            t(
                lang,
                "ac_row",
                title=product.title,
                sku=product.sku,
                agent_price=_agent_price(product, lang),
                price=price_text(product.price_cents),
                state=state_label(level.state if level else None, lang),
                promos=Html(promo_text),
                link=Html(link),
            )
        )
    return header, rows


def _with_text(head: str, text: str, limit: int, lang: Language) -> str:
    """``head`` then as much of ``text`` (escaped) as fits in ``limit`` visible characters."""
    budget = limit - visible_length(head) - 2
    body = text
    if visible_length(str(escape(body))) > budget:
        more = t(lang, "ac_card_more")
        body = text[: max(budget - len(more), 0)]
        while body and visible_length(str(escape(body))) + len(more) > budget:
            body = body[:-1]
        body = body.rstrip() + more
    return head + "\n\n" + str(escape(body)) if body else head


def agent_card(
    product: Product,
    level: StockLevel | None,
    promotions: Sequence[Promotion],
    tz: ZoneInfo,
    lang: Language,
) -> str:
    """The caption of a product card for an agent (fits 1024 characters): prices, stock,
    running promotions, then the description as far as it fits."""
    agent_line = (
        t(lang, "ac_card_agent_price", price=price_text(product.agent_price_cents))
        if product.agent_price_cents is not None
        else t(lang, "ac_card_no_agent_price")
    )
    lines = [
        t(lang, "ac_card_title", title=product.title),
        t(lang, "ac_card_sku", sku=product.sku),
        agent_line,
        t(lang, "ac_card_price", price=price_text(product.price_cents)),
        t(lang, "ac_card_stock", state=state_label(level.state if level else None, lang)),
    ]
    for promo in _promos_of(product.sku, promotions)[:3]:
        lines.append(
            t(
                lang,
                "ac_card_promo",
                title=promo.title[:40],
                kind=kind_label(promo.kind, lang),
                end=local_time(promo.ends_at, tz),
            )
        )
    return _with_text("\n".join(lines), product.description, CAPTION_LIMIT, lang)


def retail_card(product: Product, lang: Language, limit: int = CAPTION_LIMIT) -> str:
    """What an agent shares with their own customers: photo caption (or message text) with the
    title, the retail price and the selling points — never the agent price."""
    head = "\n".join(
        [
            t(lang, "ac_retail_title", title=product.title),
            t(lang, "ac_retail_price", price=price_text(product.price_cents)),
        ]
    )
    return _with_text(head, product.description, limit, lang)


def materials_messages(product: Product, lang: Language) -> list[str]:
    """The text messages after the original photos: the copy alone in one message (title and
    description, plain, so a long press copies exactly the listing text), then SKU and
    prices, and the 1688 link when set."""
    copy = t(lang, "ac_materials_copy", title=product.title, description=product.description)
    facts = t(
        lang,
        "ac_materials_prices",
        sku=product.sku,
        agent_price=_agent_price(product, lang),
        price=price_text(product.price_cents),
    )
    if product.source_url:
        facts += "\n" + t(lang, "ac_materials_link", url=product.source_url)
    return [copy, facts]


def takes_rows(
    sku: str, takes: Sequence[MaterialTake], total: int, tz: ZoneInfo, lang: Language
) -> tuple[str, list[str]]:
    """``/product <sku>``'s list of who took the materials and when, newest first."""
    if not takes:
        return t(lang, "ac_takes_empty", sku=sku), []
    rows = []
    for take in takes:
        name = take.remark or take.first_name or ""
        who = f"{name} (@{take.username}, {take.user_id})" if take.username else None
        who = who or (f"{name} ({take.user_id})" if name else str(take.user_id))
        rows.append(t(lang, "ac_takes_row", at=local_time(take.at, tz), who=who))
    return t(lang, "ac_takes_header", sku=sku, count=total), rows
