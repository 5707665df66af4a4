"""The daily follow-up list (the ``followups`` system schedule): every agent due a follow-up
(``ContactRepository.followups_due``) and every shipped sample to ask about
(bot/catalog/samples.py), paged with ◀ ▶.

A fire makes the list once: the rows are rendered and cut into pages by the one pager
(bot/common/paged.py ``list_page_bodies``: by length as Telegram counts it, at most
``PAGE_ROWS`` rows a page so a page's buttons stay few) and stored page by page
(storage/followups.py, keyed by the fire's planned time, so a repeated fire reuses it). The
first page goes to the owners through the outbox; a page turn reads that one page back
(handlers/schedules.py, admins only), so it never re-computes the due list, and chooses the
buttons again: each agent row has ✅ contacted and 📇 card, each sample row 💬 ask, and a row
handled since the list's time (the agent contacted, the sample asked about) has none. Lists
are kept ``KEEP_DAYS`` days; an older list's buttons answer "expired".
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.agents.crm import MODE_NAMES
from bot.broadcast.outbox import Keyboard
from bot.catalog.samples import FollowUpRow as SampleRow
from bot.catalog.samples import follow_up_rows as sample_follow_ups
from bot.common.callbacks import AgentCardOpen, FollowUpDone, KeyedListPage, SampleAsk, encode
from bot.common.paged import list_page_bodies, list_page_text, page_buttons
from bot.common.timeparse import local_iso
from bot.texts import Language, language_of, t
from storage.contacts import FollowupDue
from storage.followups import FollowupList, FollowupRow, ShownRow

if TYPE_CHECKING:
    from bot.services import Services

PAGE_ROWS = 10  # rows a page at most: ≤ 2 buttons a row and ◀ ▶, 22 buttons at most
KEEP_DAYS = 3  # a list's buttons work this long
SAMPLE_LIMIT = 10_000  # shipped samples listed at most


def render_rows(
    due: Sequence[FollowupDue], samples: Sequence[SampleRow], tz: ZoneInfo, lang: Language
) -> tuple[str, list[FollowupRow]]:
    """The list's header and rows (pure): the due agents, then the samples under their own
    heading (the samples' heading is the header when no agent is due)."""
    rows: list[FollowupRow] = []
    for item in due:
        last = item.last_contact_at
        when = local_iso(last, tz) if last is not None else t(lang, "fu_never")
        line = t(
            lang, "fu_seg_line", name=item.name, user_id=item.user_id, last=when, days=item.days
        )
        rows.append(FollowupRow("agent", item.user_id, None, item.name, line))
    if due:
        header = t(lang, "fu_seg_header", count=len(due))
        if samples:
            rows.append(FollowupRow("heading", None, None, "", t(lang, "smp_fu_header")))
    else:
        header = t(lang, "smp_fu_header")
    rows += [FollowupRow("sample", s.user_id, s.sample_id, s.name, s.line) for s in samples]
    return header, rows


def cut(header: str, rows: Sequence[FollowupRow], lang: Language) -> list[list[FollowupRow]]:
    """``rows`` cut into pages by the pager (pure); a row too long for a page comes back cut
    as the pager cuts it, so a stored page shows exactly what the pager made."""
    bodies = list_page_bodies((header, [row.line for row in rows]), lang, PAGE_ROWS)
    pages: list[list[FollowupRow]] = []
    position = 0
    for body in bodies:
        page = []
        for line in body:
            row = rows[position]
            page.append(FollowupRow(row.kind, row.user_id, row.sample_id, row.name, line))
            position += 1
        pages.append(page)
    return pages


def page_view(made: FollowupList, shown: Sequence[ShownRow], page: int) -> tuple[str, Keyboard]:
    """Page ``page`` (0-based) of a stored list as text and keyboard (pure): each row's
    buttons unless it was handled, then ◀ ▶."""
    lang = language_of(made.language, "zh")
    text = list_page_text(made.header, [item.row.line for item in shown], lang, page, made.pages)
    keyboard: list[tuple[tuple[str, str], ...]] = []
    for item in shown:
        row = item.row
        if item.handled or row.user_id is None:
            continue
        if row.kind == "agent":
            keyboard.append(
                (
                    (t(lang, "fu_button", name=row.name), encode(FollowUpDone(row.user_id))),
                    (t(lang, "fu_seg_card"), encode(AgentCardOpen(row.user_id))),
                )
            )
        elif row.kind == "sample" and row.sample_id is not None:
            keyboard.append(
                ((t(lang, "smp_fu_button", name=row.name), encode(SampleAsk(row.sample_id))),)
            )
    list_id = made.id
    keyboard += page_buttons(
        lambda number: KeyedListPage("followups", list_id, number), page, made.pages, lang
    )
    return text, tuple(keyboard)


async def make_list(services: Services, planned: int) -> FollowupList | None:
    """The list of the fire planned at ``planned`` (made and stored now, or the one a
    repeated fire already made); None when nothing is due."""
    made = await services.followup_lists.for_fire(planned)
    if made is not None:
        return made
    settings = services.settings
    lang = settings.language
    staff = set(settings.owners) | {grant.user_id for grant in await services.admins.list()}
    tag_days, mode_days = followup_cadences(settings.followups.cadence)
    due, _ = await services.contacts.followups_due(
        planned,
        default_days=settings.followups.days,
        tag_days=tag_days,
        mode_days=mode_days,
        exclude=tuple(sorted(staff)),
        limit=None,
    )
    samples = await sample_follow_ups(services, planned, lang, SAMPLE_LIMIT)
    if not due and not samples:
        return None

    def build() -> tuple[str, list[list[FollowupRow]]]:
        header, rows = render_rows(due, samples, settings.tz, lang)
        return header, cut(header, rows, lang)

    # Thousands of rows take a while to render and measure: off the event loop.
    header, pages = await asyncio.to_thread(build)
    now = services.now()
    return await services.followup_lists.create(
        planned_at=planned,
        created_at=now,
        language=lang,
        header=header,
        pages=pages,
        older_than=now - KEEP_DAYS * 86400,
    )


async def followup_page(services: Services, list_id: int, page: int) -> tuple[str, Keyboard] | None:
    """Page ``page`` of list ``list_id`` (the last page for one beyond it); None when the
    list is gone (too old, or never made)."""
    made = await services.followup_lists.get(list_id)
    if made is None:
        return None
    page = max(0, min(page, made.pages - 1))
    return page_view(made, await services.followup_lists.page(made.id, page), page)


def followup_cadences(cadence: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """``[followups] cadence`` split into days per tag and days per order mode (a key that
    names an order mode, 批发 or wholesale, is the mode; anything else a tag)."""
    tag_days: dict[str, int] = {}
    mode_days: dict[str, int] = {}
    for segment, days in cadence.items():
        mode = MODE_NAMES.get(segment.lower())
        if mode is not None:
            mode_days[mode] = min(days, mode_days.get(mode, days))
        else:
            tag_days[segment] = days
    return tag_days, mode_days
