"""Catalog actions the handlers share: choosing target groups, and sending product previews,
promotions and stock notices through the outbox (never to the chats directly).

Content for the groups is rendered in the configured language (``settings.language``): one
broadcast carries one payload for every group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalog import (
    PromoDraft,
    StockNoticeItem,
    notice_items,
    product_caption,
    promotion_notice,
    stock_notice,
    stock_state,
)
from bot.outbox import Payload
from bot.services import Services
from bot.texts import Language
from storage.catalog import Classifier, Product, Promotion, StockChange, StockState


@dataclass(frozen=True, slots=True)
class TargetOption:
    """All active groups (``tag`` None) or the active groups carrying ``tag``."""

    tag: str | None
    count: int


async def target_options(services: Services) -> list[TargetOption]:
    groups = await services.groups.list(active_only=True)
    counts = Counter(tag for group in groups for tag in group.tags)
    return [TargetOption(None, len(groups))] + [
        TargetOption(tag, count) for tag, count in sorted(counts.items())
    ]


async def target_chat_ids(services: Services, tag: str | None) -> list[int]:
    groups = await services.groups.with_tags([tag] if tag else [])
    return [group.chat_id for group in groups]


def classifier(services: Services) -> Classifier:
    default = services.settings.stock_low_threshold

    def classify(qty: int, threshold: int | None) -> StockState:
        return stock_state(qty, default if threshold is None else threshold)

    return classify


def product_payload(product: Product, services: Services) -> Payload:
    """One photo → a photo post; several → an album with the caption on the first photo."""
    caption = product_caption(product, services.settings.language)
    if len(product.photos) == 1:
        return Payload(kind="photo", text=caption, media=product.photos)
    return Payload(kind="album", text=caption, media=product.photos)


async def _previews(
    services: Services, skus: Sequence[str]
) -> tuple[set[int], dict[int, list[int]]]:
    """Where the SKUs' previews are: (chats to notify, chat -> preview message ids there).

    A SKU whose preview never reached any group makes every active group a target; groups that
    have since become inactive are left out.
    """
    active = {group.chat_id for group in await services.groups.list(active_only=True)}
    targets: set[int] = set()
    previews: dict[int, list[int]] = {}
    for sku in skus:
        mapping = await services.outbox.message_ids(f"product:{sku}")
        if not mapping:
            targets |= active
        for chat_id, message_id in mapping.items():
            if chat_id in active:
                targets.add(chat_id)
                previews.setdefault(chat_id, []).append(message_id)
    return targets, previews


def promotion_replies(chat_ids: Sequence[int], previews: dict[int, list[int]]) -> dict[int, int]:
    """In each target chat, reply to the preview of the first listed SKU that is there."""
    return {chat_id: previews[chat_id][0] for chat_id in chat_ids if chat_id in previews}


async def send_promotion(
    services: Services,
    promotion: Promotion,
    chat_ids: Sequence[int],
    creator_id: int,
    creator_lang: Language,
) -> int:
    lang = services.settings.language
    titles = {}
    for sku in promotion.skus:
        product = await services.products.get(sku)
        titles[sku] = product.title if product else ""
    text = promotion_notice(PromoDraft.of(promotion), titles, services.settings.tz, lang)
    _, previews = await _previews(services, promotion.skus)
    return await services.outbox.submit(
        "promotion",
        Payload(kind="text", text=text),
        chat_ids,
        creator_id,
        ref=f"promo:{promotion.id}",
        reply_to=promotion_replies(chat_ids, previews) or None,
        language=creator_lang,
    )


@dataclass(frozen=True, slots=True)
class StockOutcome:
    """What a stock update did: every change, the crossings announced, and where."""

    changes: tuple[StockChange, ...]
    notices: tuple[StockNoticeItem, ...] = ()
    broadcast_id: int | None = None
    chat_count: int = 0


async def announce(
    services: Services, changes: Sequence[StockChange], creator_id: int, creator_lang: Language
) -> StockOutcome:
    """Send ONE stock notice for every crossing in ``changes`` (none if nothing crossed).

    Targets: the groups that got any crossed product's preview (every active group for a
    product never previewed). In a group holding exactly one of those previews the notice is a
    reply to it; a combined notice about several products there stands on its own.
    """
    titles = {product.sku: product.title for product in await services.products.list()}
    items = notice_items(changes, titles)
    if not items:
        return StockOutcome(tuple(changes))
    skus = [item.sku for item in items]
    targets, previews = await _previews(services, skus)
    if not targets:
        return StockOutcome(tuple(changes), tuple(items))
    chat_ids = sorted(targets)
    reply_to = {chat_id: ids[0] for chat_id, ids in previews.items() if len(ids) == 1}
    text = stock_notice(items, services.settings.language)
    broadcast_id = await services.outbox.submit(
        "stock",
        Payload(kind="text", text=text),
        chat_ids,
        creator_id,
        ref=f"stock:{skus[0]}" if len(skus) == 1 else "stock:import",
        reply_to=reply_to or None,
        language=creator_lang,
    )
    return StockOutcome(tuple(changes), tuple(items), broadcast_id, len(chat_ids))


async def set_stock(
    services: Services,
    updates: Sequence[tuple[str, int]],
    creator_id: int,
    creator_lang: Language,
) -> StockOutcome:
    """Apply all ``(sku, qty)`` updates at once, then announce the crossings."""
    changes = await services.stock.set_many(updates, services.now(), classifier(services))
    return await announce(services, changes, creator_id, creator_lang)


async def set_threshold(
    services: Services, sku: str, threshold: int | None, creator_id: int, creator_lang: Language
) -> StockOutcome | None:
    """None when the SKU has no stock yet (its state cannot be derived)."""
    change = await services.stock.set_threshold(
        sku, threshold, services.now(), classifier(services)
    )
    if change is None:
        return None
    return await announce(services, [change], creator_id, creator_lang)
