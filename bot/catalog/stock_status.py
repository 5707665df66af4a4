"""Stock answers in the groups, restock dates and discontinued products (services; the pure
matching and rendering is in :mod:`bot.catalog.stock_answers`).

A group message costs nothing but string work unless it asks about stock AND names a known
SKU: the SKU set is held in memory (``services.stock_answers``), rebuilt when a product is
added (``invalidate``) and at least every few minutes. Only then are the group
(registered, approved: pending groups are never active), the stock levels and the statuses
read. An answer is a single reply in the group, at most once per SKU per group per interval.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.broadcast.outbox import Payload, new_broadcast
from bot.catalog.model import stock_list
from bot.catalog.service import stock_notice_targets
from bot.catalog.stock_answers import (
    AnswerRow,
    SkuMatcher,
    asks_about_stock,
    normalise,
    status_suffix,
    stock_answer,
)
from bot.services import Services
from bot.texts import Language, t
from storage.outbox import NewBroadcast

log = logging.getLogger(__name__)


async def sku_matcher(services: Services) -> SkuMatcher:
    state = services.stock_answers
    now = services.now()
    matcher = state.matcher(now)
    if matcher is None:
        matcher = SkuMatcher.of(row.sku for row in await services.stock.list())
        state.store(matcher, now)
    return matcher


async def answer_stock_question(services: Services, chat_id: int, text: str) -> str | None:
    """The reply to a group message asking about stock, or None (not a stock question, no
    known SKU, answers off, not an approved group, or every SKU answered there lately)."""
    settings = services.settings
    if not settings.stock.answer_questions or not text:
        return None
    normalised = normalise(text)
    if not asks_about_stock(normalised):
        return None
    skus = (await sku_matcher(services)).named(normalised)
    if not skus or await services.groups.active_id(chat_id) is None:
        return None
    now = services.now()
    skus = services.stock_answers.admit(chat_id, skus, now)
    if not skus:
        return None
    statuses = await services.product_status.many(skus)
    rows = []
    for sku in skus:
        product = await services.products.get(sku)
        if product is None:  # deleted since the matcher was built
            continue
        level = await services.stock.get(sku)
        status = statuses[sku]
        rows.append(
            AnswerRow(
                sku,
                product.title,
                level.state if level else None,
                level.qty if level else None,
                status.restock_eta,
                status.discontinued,
            )
        )
    if not rows:
        return None
    log.info("stock answer in %s for %s", chat_id, ",".join(row.sku for row in rows))
    return stock_answer(rows, now, settings.tz, settings.language)


async def stock_rows(services: Services, lang: Language) -> tuple[str, list[str]]:
    """/stock: every product's level, with 停产 or the restock date after it."""
    rows = await services.stock.list()
    header, lines = stock_list(rows, services.settings.stock_low_threshold, lang)
    if not rows:
        return header, lines
    statuses = await services.product_status.all()
    now = services.now()
    tz = services.settings.tz
    shown = []
    for row, line in zip(rows, lines, strict=True):
        status = statuses.get(row.sku)
        if status is None:
            shown.append(line)
            continue
        state = row.level.state if row.level else None
        suffix = status_suffix(status.discontinued, status.restock_eta, state, now, tz, lang)
        shown.append(line + suffix)
    return header, shown


@dataclass(frozen=True, slots=True)
class DiscontinueOutcome:
    """``changed`` False: it was already discontinued (nothing sent again)."""

    changed: bool
    broadcast_id: int | None = None
    chat_count: int = 0


async def discontinue(
    services: Services, sku: str, title: str, creator_id: int, creator_lang: Language
) -> DiscontinueOutcome:
    """Mark ``sku`` 停产 and, in the same transaction, write its notice to the groups that got
    its preview (every active group if none did); a second call sends nothing."""
    chat_ids, reply_to = await stock_notice_targets(services, [sku])
    text = t(services.settings.language, "stk_notice_discontinued", title=title, sku=sku)

    def notice() -> NewBroadcast | None:
        if not chat_ids:
            return None
        return new_broadcast(
            "stock",
            Payload(kind="text", text=text),
            chat_ids,
            creator_id,
            ref=f"discontinued:{sku}",
            reply_to=reply_to or None,
            language=creator_lang,
        )

    changed, broadcast_id = await services.product_status.discontinue(
        sku, creator_id, services.now(), notice
    )
    if broadcast_id is not None:
        services.outbox.wake()
    return DiscontinueOutcome(changed, broadcast_id, len(chat_ids) if broadcast_id else 0)
