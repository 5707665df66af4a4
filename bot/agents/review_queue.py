"""The /lowquality review queue's pages (keyset, as scored at the last recompute)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.agents.quality import DAY
from bot.agents.quality_service import agent_label, level_flags, newcomers_after, reasons
from bot.agents.terms import tier_label
from bot.common.callbacks import MAX_PAGE, QueueAgent, QueueCursor, encode
from bot.common.pager import paginate
from bot.common.render import local_time
from bot.services import Services
from bot.texts import Language, t
from storage.profile_models import QueueEntry

# At most this many agents a /lowquality page: three buttons each, under Telegram's 100.
QUEUE_PAGE_MAX = 25


async def queue_page(
    services: Services, lang: Language, at: QueueCursor | None = None, total: int | None = None
) -> tuple[str, InlineKeyboardMarkup | None, int]:
    """The queue page ``at`` names (the first without it), as scored at the last recompute.

    Up to ``agents_page_size`` agents (at most :data:`QUEUE_PAGE_MAX`: three buttons each) are
    read by keyset; the page holds as many of them as fit one message (bot/common/pager.py),
    and ▶ continues after the last one shown. ``total`` is the queue's count taken when the
    command ran (counted here without it); returns the text, the buttons and the count."""
    repository = services.profiles
    now = services.now()
    size = min(services.settings.agents_page_size, QUEUE_PAGE_MAX)
    cutoff = newcomers_after(services)
    if total is None:
        total = await repository.queue_count(now, newcomers_after=cutoff)
    if total == 0:
        return t(lang, "lq_empty"), None, total
    page, has_previous, backwards = 0, False, False
    entries: list[QueueEntry] = []
    if at is not None and at.direction == "b":
        entries = await repository.review_queue(
            now, limit=size + 1, before=at.user_id, newcomers_after=cutoff
        )
        has_previous = backwards = len(entries) > size
        entries = entries[-size:] if has_previous else []
        page = at.page
    elif at is not None:
        entries = await repository.review_queue(
            now, limit=size + 1, after=at.user_id, newcomers_after=cutoff
        )
        page, has_previous = at.page, True
    if not entries:  # the first page: asked for, or before it, or a place past the end
        entries = await repository.review_queue(now, limit=size + 1, newcomers_after=cutoff)
        page, has_previous, backwards = 0, False, False
    pages = (total + size - 1) // size
    page = min(page, pages - 1)
    header = t(lang, "lq_header", total=total, page=page + 1, pages=pages)
    scored, stale = await repository.freshness(now - DAY)
    if scored is not None:
        at_text = local_time(scored, services.settings.tz, lang)
        header += "\n" + t(lang, "roster_lq_scored_at", at=at_text)
    if stale:
        header += "\n" + t(lang, "roster_lq_catching_up")
    shown = entries[:size]
    ids = [entry.user_id for entry in shown]
    agents = await services.agents.many(ids)
    flags = await level_flags(services, ids)
    rows = []
    for index, entry in enumerate(shown, start=page * size + 1):
        agent = agents[entry.user_id]
        rows.append(
            t(
                lang,
                "lq_row",
                index=index,
                agent=agent_label(agent),
                score=f"{entry.score.score:.1f}",
                tier=tier_label(entry.score.tier, lang),
                reasons=reasons(entry.score, lang, below_level=flags.get(entry.user_id)),
            )
        )
    text, fitting = _fitting(header, rows)
    shown = shown[:fitting]
    buttons: list[list[InlineKeyboardButton]] = []
    for index, entry in enumerate(shown, start=page * size + 1):
        uid = entry.user_id
        buttons.append(
            [
                InlineKeyboardButton(
                    t(lang, "lq_remove", n=index), callback_data=encode(QueueAgent("x", uid))
                ),
                InlineKeyboardButton(
                    t(lang, "lq_keep", n=index), callback_data=encode(QueueAgent("k", uid))
                ),
                InlineKeyboardButton(
                    t(lang, "lq_message", n=index), callback_data=encode(QueueAgent("m", uid))
                ),
            ]
        )
    nav = []
    if has_previous:
        data = encode(QueueCursor("b", max(page - 1, 0), shown[0].user_id))
        nav.append(InlineKeyboardButton(t(lang, "prev"), callback_data=data))
    if backwards or len(entries) > len(shown):  # backwards: the page it came from follows
        data = encode(QueueCursor("a", min(page + 1, MAX_PAGE), shown[-1].user_id))
        nav.append(InlineKeyboardButton(t(lang, "next"), callback_data=data))
    if nav:
        buttons.append(nav)
    return text, InlineKeyboardMarkup(buttons), total


def _fitting(header: str, rows: list[str]) -> tuple[str, int]:
    """The message of ``header`` and as many of ``rows`` as fit it (at least one, cut by the
    pager if it alone is too long), and how many that is."""

    def no_footer(page: int, pages: int) -> str:
        return ""

    count = len(rows)
    while count > 1 and len(paginate(header, rows[:count], no_footer)) > 1:
        count -= 1
    return paginate(header, rows[:count], no_footer)[0], count
