"""Catalog actions the handlers share: choosing target groups, and sending product previews,
promotions and stock notices through the outbox (never to the chats directly).

Stock notices use a transactional outbox: everything a notice needs that must be read from the
database (titles, where each product's preview is, the active groups) is read BEFORE the stock
transaction into a :class:`_NoticePlan`; the plan's pure ``broadcast`` method then renders the
notice from the changes the stock repository computes, and the repository inserts it in the
same transaction as the new levels. So a stock change and its notice commit together (or not
at all); the engine is woken after the commit. A preview delivered between the read and the
write is not replied to (the notice then goes where the product's previous preview was, or to
every active group) — a cosmetic race, unlike a lost notice.

Content for the groups is rendered in the configured language (``settings.language``): one
broadcast carries one payload for every group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.broadcast.outbox import NewBroadcast, Payload, PayloadKind, new_broadcast
from bot.catalog.agent_view import ALLOWED_TAGS, product_post_keyboard
from bot.catalog.model import (
    PromoDraft,
    StockNoticeItem,
    notice_items,
    product_caption,
    promotion_notice,
    stock_state,
)
from bot.catalog.stock_answers import stock_notice_text
from bot.services import Services
from bot.texts import Language
from storage.catalog import (
    Classifier,
    Product,
    Promotion,
    StockChange,
    StockState,
    StockWrite,
)


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
    """One photo → a photo post; several → an album, its caption then sent as the text under
    it that carries the post's buttons (an album cannot carry buttons)."""
    lang = services.settings.language
    caption = product_caption(product, lang)
    keyboard = product_post_keyboard(product, lang)
    kind: PayloadKind = "photo" if len(product.photos) == 1 else "album"
    return Payload(kind=kind, text=caption, media=product.photos, keyboard=keyboard)


async def is_catalog_agent(services: Services, user_id: int) -> bool:
    """Whether ``user_id`` may see the agents' catalog, agent prices, materials and inline
    results: an admin, or an approved agent (storage.catalog ``is_approved_agent``)."""
    if await services.is_admin(user_id):
        return True
    return await services.products.is_approved_agent(user_id, ALLOWED_TAGS)


async def _preview_ids(
    services: Services, skus: Sequence[str]
) -> tuple[dict[str, dict[int, int]], frozenset[int]]:
    """(SKU -> chat -> its latest preview's message id, the active groups' chat ids)."""
    found = await services.outbox.message_ids_many([f"product:{sku}" for sku in skus])
    mappings = {sku: found.get(f"product:{sku}", {}) for sku in skus}
    active = frozenset(group.chat_id for group in await services.groups.list(active_only=True))
    return mappings, active


def _locate(
    skus: Sequence[str], mappings: Mapping[str, Mapping[int, int]], active: frozenset[int]
) -> tuple[set[int], dict[int, list[int]]]:
    """Where the SKUs' previews are: (chats to notify, chat -> preview message ids there).

    A SKU whose preview never reached any group makes every active group a target; groups that
    have since become inactive are left out.
    """
    targets: set[int] = set()
    previews: dict[int, list[int]] = {}
    for sku in skus:
        mapping = mappings.get(sku, {})
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


async def promotion_message(
    services: Services, promotion: Promotion, chat_ids: Sequence[int]
) -> tuple[Payload, dict[int, int] | None]:
    """The promotion notice and, per target chat, the product preview it replies to there."""
    titles = {}
    for sku in promotion.skus:
        product = await services.products.get(sku)
        titles[sku] = product.title if product else ""
    settings = services.settings
    text = promotion_notice(PromoDraft.of(promotion), titles, settings.tz, settings.language)
    mappings, active = await _preview_ids(services, promotion.skus)
    _, previews = _locate(promotion.skus, mappings, active)
    return Payload(kind="text", text=text), promotion_replies(chat_ids, previews) or None


async def send_promotion(
    services: Services,
    promotion: Promotion,
    chat_ids: Sequence[int],
    creator_id: int,
    creator_lang: Language,
) -> int:
    payload, reply_to = await promotion_message(services, promotion, chat_ids)
    return await services.outbox.submit(
        "promotion",
        payload,
        chat_ids,
        creator_id,
        ref=f"promo:{promotion.id}",
        reply_to=reply_to,
        language=creator_lang,
    )


@dataclass(frozen=True, slots=True)
class StockOutcome:
    """What a stock update did: every change, the crossings announced, and where."""

    changes: tuple[StockChange, ...]
    notices: tuple[StockNoticeItem, ...] = ()
    broadcast_id: int | None = None
    chat_count: int = 0


@dataclass(frozen=True, slots=True)
class _NoticePlan:
    """What a stock notice needs from the database, read before the stock transaction, so that
    rendering the notice from the changes (inside the transaction) is pure."""

    titles: Mapping[str, str]
    previews: Mapping[str, Mapping[int, int]]  # SKU -> chat -> preview message id
    active: frozenset[int]
    language: Language  # the groups'
    creator_id: int
    creator_lang: Language
    etas: Mapping[str, int]  # SKU -> expected restock date (/stock_eta)
    now: int
    tz: ZoneInfo

    def _targets(self, items: Sequence[StockNoticeItem]) -> tuple[list[int], dict[int, int]]:
        """(target chats, chat -> preview to reply to). In a group holding exactly one of the
        crossed products' previews the notice replies to it; a combined notice about several
        products there stands on its own."""
        targets, previews = _locate([item.sku for item in items], self.previews, self.active)
        reply_to = {chat_id: ids[0] for chat_id, ids in previews.items() if len(ids) == 1}
        return sorted(targets), reply_to

    def broadcast(self, changes: Sequence[StockChange]) -> NewBroadcast | None:
        """ONE notice for every crossing in ``changes``; None if nothing crossed or there is
        no group to tell. Targets: the groups that got any crossed product's preview (every
        active group for a product never previewed)."""
        items = notice_items(changes, self.titles)
        chat_ids, reply_to = self._targets(items)
        if not chat_ids:
            return None
        skus = [item.sku for item in items]
        return new_broadcast(
            "stock",
            Payload(
                kind="text",
                text=stock_notice_text(items, self.etas, self.now, self.tz, self.language),
            ),
            chat_ids,
            self.creator_id,
            ref=f"stock:{skus[0]}" if len(skus) == 1 else "stock:import",
            reply_to=reply_to or None,
            language=self.creator_lang,
        )

    def outcome(self, write: StockWrite) -> StockOutcome:
        items = notice_items(write.changes, self.titles)
        if write.broadcast_id is None:
            return StockOutcome(write.changes, tuple(items))
        chat_ids, _ = self._targets(items)
        return StockOutcome(write.changes, tuple(items), write.broadcast_id, len(chat_ids))


async def _notice_plan(
    services: Services, skus: Sequence[str], creator_id: int, creator_lang: Language
) -> _NoticePlan:
    titles = {product.sku: product.title for product in await services.products.list()}
    unique = list(dict.fromkeys(skus))
    previews, active = await _preview_ids(services, unique)
    statuses = await services.product_status.many(unique)
    etas = {sku: s.restock_eta for sku, s in statuses.items() if s.restock_eta is not None}
    settings = services.settings
    return _NoticePlan(
        titles,
        previews,
        active,
        settings.language,
        creator_id,
        creator_lang,
        etas,
        services.now(),
        settings.tz,
    )


async def stock_notice_targets(
    services: Services, skus: Sequence[str]
) -> tuple[list[int], dict[int, int]]:
    """Where a notice about ``skus`` goes, as for stock notices: (target chats, chat -> the
    preview it replies to there)."""
    mappings, active = await _preview_ids(services, skus)
    targets, previews = _locate(skus, mappings, active)
    reply_to = {chat_id: ids[0] for chat_id, ids in previews.items() if len(ids) == 1}
    return sorted(targets), reply_to


async def set_stock(
    services: Services,
    updates: Sequence[tuple[str, int]],
    creator_id: int,
    creator_lang: Language,
) -> StockOutcome:
    """Apply all ``(sku, qty)`` updates at once, with ONE notice for all their crossings
    committed in the same transaction (a CSV import makes one combined notice)."""
    plan = await _notice_plan(services, [sku for sku, _ in updates], creator_id, creator_lang)
    write = await services.stock.set_many(
        updates, services.now(), classifier(services), plan.broadcast
    )
    services.outbox.wake()
    return plan.outcome(write)


async def set_threshold(
    services: Services, sku: str, threshold: int | None, creator_id: int, creator_lang: Language
) -> StockOutcome | None:
    """None when the SKU has no stock yet (its state cannot be derived). A crossing caused by
    the new threshold is announced in the same transaction."""
    plan = await _notice_plan(services, [sku], creator_id, creator_lang)
    write = await services.stock.set_threshold(
        sku, threshold, services.now(), classifier(services), plan.broadcast
    )
    if write is None:
        return None
    services.outbox.wake()
    return plan.outcome(write)
