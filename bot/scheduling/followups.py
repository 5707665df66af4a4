"""The daily follow-up list (the ``followups`` system schedule): every agent due a follow-up
(storage/contacts.py ``followups_due_sql``, the one due-list query) and every shipped sample
to ask about (bot/catalog/samples.py), paged with ◀ ▶.

A fire makes the list once (storage/followups.py, keyed by the fire's planned time, so a
repeated fire reuses it): the due agents are copied in order by one INSERT ... SELECT, then
the rows are rendered and cut into pages a slice at a time by the one pager
(bot/common/paged.py ``list_page_bodies``: by length as Telegram counts it, at most
``PAGE_ROWS`` rows a page so a page's buttons stay few) and each page's span is stored. The
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
from bot.catalog.samples import follow_up_rows as sample_follow_ups
from bot.common.callbacks import AgentCardOpen, FollowUpDone, KeyedListPage, SampleAsk, encode
from bot.common.paged import list_page_bodies, list_page_text, page_buttons
from bot.common.timeparse import local_iso
from bot.texts import Language, language_of, t
from storage.followups import FollowupList, FollowupRow

if TYPE_CHECKING:
    from bot.services import Services

PAGE_ROWS = 10  # rows a page at most: ≤ 2 buttons a row and ◀ ▶, 22 buttons at most
KEEP_DAYS = 3  # a list's buttons work this long
SAMPLE_LIMIT = 10_000  # shipped samples listed at most
BATCH = 1000  # rows read at a time while the list is made
SLICE = 100  # rows rendered and cut between two yields to the event loop (~7 ms of CPU)

# Positions (first, last) of one page's rows; (position, rendered row) of a row being cut.
Span = tuple[int, int]
Cut = tuple[int, str]


def header_text(agents: int, lang: Language) -> str:
    """The list's header: how many agents are due (the samples' heading when none is)."""
    return t(lang, "fu_seg_header", count=agents) if agents else t(lang, "smp_fu_header")


def row_line(row: FollowupRow, tz: ZoneInfo, lang: Language) -> str:
    """A row as shown (pure): an agent's from its stored name, last contact and cadence;
    a sample's and the samples' heading as stored."""
    if row.line is not None:
        return row.line
    last = row.last_contact_at
    when = local_iso(last, tz) if last is not None else t(lang, "fu_never")
    return t(lang, "fu_seg_line", name=row.name, user_id=row.user_id, last=when, days=row.days)


def cut_batch(
    header: str, carry: list[Cut], batch: list[Cut], total: int, lang: Language
) -> tuple[list[Span], list[Cut]]:
    """Cut the rows ``carry`` + ``batch`` of a list of ``total`` rows into pages (pure, the
    one pager with room for the widest footer of the whole list): the complete pages' spans,
    and the rows of the last page, carried into the next batch (the pager cuts greedily, so
    the pages come out as if the list were cut at once)."""
    items = carry + batch
    bodies = list_page_bodies(
        (header, [line for _, line in items]), lang, PAGE_ROWS, most_pages=total
    )
    pages: list[list[Cut]] = []
    index = 0
    for body in bodies:
        pages.append(items[index : index + len(body)])
        index += len(body)
    last = pages.pop()
    return [(page[0][0], page[-1][0]) for page in pages], last


def page_view(
    made: FollowupList, rows: Sequence[FollowupRow], page: int, tz: ZoneInfo
) -> tuple[str, Keyboard]:
    """Page ``page`` (0-based) of a stored list as text and keyboard (pure): the rows as
    the pager cut them, each row's buttons unless it was handled, then ◀ ▶."""
    lang = language_of(made.language, "zh")
    lines = [row_line(row, tz, lang) for row in rows]
    bodies = list_page_bodies((made.header, lines), lang, PAGE_ROWS, most_pages=made.total)
    body = [line for part in bodies for line in part]  # one part: the page was cut so
    text = list_page_text(made.header, body, lang, page, made.pages)
    keyboard: list[tuple[tuple[str, str], ...]] = []
    for row in rows:
        if row.handled or row.user_id is None:
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
    """The list of the fire planned at ``planned``: made and stored now (or the one a
    repeated fire already finished); None when nothing is due. The due agents are copied
    in SQL; rows are read ``BATCH`` at a time and rendered and cut ``SLICE`` at a time,
    yielding between slices, so neither the event loop nor memory holds the whole list (at
    100,000 due agents: bench/followups.py)."""
    lists = services.followup_lists
    made = await lists.for_fire(planned)
    if made is not None and made.pages:
        return made
    settings = services.settings
    lang = settings.language
    tz = settings.tz
    staff = set(settings.owners) | {grant.user_id for grant in await services.admins.list()}
    tag_days, mode_days = followup_cadences(settings.followups.cadence)
    samples = await sample_follow_ups(services, planned, lang, SAMPLE_LIMIT)
    heading = FollowupRow(0, "heading", line=t(lang, "smp_fu_header"))
    extra = [FollowupRow(0, "sample", s.user_id, s.sample_id, s.name, line=s.line) for s in samples]
    now = services.now()
    list_id, agents = await lists.start(
        planned_at=planned,
        created_at=now,
        language=lang,
        default_days=settings.followups.days,
        tag_days=tag_days,
        mode_days=mode_days,
        exclude=tuple(sorted(staff)),
        heading=heading,
        extra=extra,
        older_than=now - KEEP_DAYS * 86400,
    )
    total = agents + (len(extra) + 1 if agents and extra else len(extra))
    if not total:
        await lists.discard(list_id)
        return None
    header = header_text(agents, lang)
    spans: list[Span] = []
    carry: list[Cut] = []
    for first in range(0, total, BATCH):
        rows = await lists.rows(list_id, first, first + BATCH - 1)
        for start in range(0, len(rows), SLICE):
            batch = [(row.position, row_line(row, tz, lang)) for row in rows[start : start + SLICE]]
            done, carry = cut_batch(header, carry, batch, total, lang)
            spans += done
            await asyncio.sleep(0)  # a slice is a few ms: let the other updates in
    if carry:
        spans.append((carry[0][0], carry[-1][0]))
    return await lists.finish(list_id, header, total, spans)


async def followup_page(services: Services, list_id: int, page: int) -> tuple[str, Keyboard] | None:
    """Page ``page`` of list ``list_id`` (the last page for one beyond it); None when the
    list is gone (too old, or never made)."""
    made = await services.followup_lists.get(list_id)
    if made is None:
        return None
    page = max(0, min(page, made.pages - 1))
    rows = await services.followup_lists.page(made, page)
    return page_view(made, rows, page, services.settings.tz)


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
