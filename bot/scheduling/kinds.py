"""What the recurring and automatic schedules send: follow-ups (bot/scheduling/followups.py),
the stock digest, promotion end reminders; and the launch frequency cap for product posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.broadcast.outbox import Payload
from bot.catalog.service import promotion_message
from bot.common.quiet import outside_quiet
from bot.common.timeparse import local_iso
from bot.scheduling.broadcasts import resolve_targets
from bot.scheduling.followups import followup_page, make_list
from bot.scheduling.model import Submission, Targets, renderer
from bot.texts import Html, Language, t
from storage.catalog import Promotion
from storage.schedule_models import Schedule

if TYPE_CHECKING:
    from bot.services import Services

DIGEST_LIMIT = 50


@renderer("followups")
async def _followups(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    """The daily follow-up list's first page to the owners (bot/scheduling/followups.py)."""
    made = await make_list(services, planned)
    if made is None:
        return []
    page = await followup_page(services, made.id, 0)
    assert page is not None
    text, keyboard = page
    return [
        Submission(
            kind="followups",
            payload=Payload(kind="text", text=text, keyboard=keyboard),
            chat_ids=tuple(services.settings.owners),
        )
    ]


@renderer("digest")
async def _digest(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    lang = services.settings.language
    rows = [
        row
        for row in await services.stock.list()
        if row.level is not None and row.level.state in ("low", "out")
    ]
    if rows:
        lines = [t(lang, "dg_header", count=len(rows))]
        for row in rows[:DIGEST_LIMIT]:
            assert row.level is not None
            key = "dg_line_out" if row.level.state == "out" else "dg_line_low"
            lines.append(t(lang, key, sku=row.sku, title=row.title, qty=row.level.qty))
        if len(rows) > DIGEST_LIMIT:
            lines.append(t(lang, "dg_more", count=len(rows) - DIGEST_LIMIT))
    else:
        lines = [t(lang, "dg_all_good")]
    targets = Targets.from_dict(schedule.params.get("targets", {}))
    return [
        Submission(
            kind="digest",
            payload=Payload(kind="text", text="\n".join(lines)),
            chat_ids=await resolve_targets(services, targets),
            creator_id=schedule.creator_id,
            ref="digest",
        )
    ]


async def schedule_promo_reminder(services: Services, promotion: Promotion) -> Schedule | None:
    """Schedule the automatic "ends soon" reminder of a promotion, ``promo_reminder_hours``
    before its end (None when that moment has already passed or the promotion is too short
    for a reminder after its start). Call it when a promotion is created."""
    offset = int(services.settings.promo_reminder_hours * 3600)
    when = promotion.ends_at - offset
    if when <= services.now() or when <= promotion.starts_at:
        return None
    existing = [
        s
        for s in await services.schedules.by_ref(f"promo:{promotion.id}")
        if s.kind == "promo_end" and s.status in ("active", "paused")
    ]
    if existing:
        return existing[0]
    return await services.scheduler.create(
        "promo_end",
        t(services.settings.language, "sch_promo_end_title", title=promotion.title),
        {"promo_id": promotion.id},
        when,
        creator_id=promotion.created_by,
        ref=f"promo:{promotion.id}",
        quiet=False,
    )


@renderer("promotion")
async def _promotion(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    """A promotion notice held during quiet hours, sent when the admin or the clock says so
    (replies to the product previews are looked up at that moment)."""
    promotion = await services.promotions.get(int(schedule.params["promo_id"]))
    if promotion is None or promotion.status == "cancelled" or promotion.ends_at <= planned:
        return []
    chats = await resolve_targets(services, Targets.from_dict(schedule.params["targets"]))
    payload, reply_to = await promotion_message(services, promotion, chats)
    return [
        Submission(
            kind="promotion",
            payload=payload,
            chat_ids=tuple(chats),
            creator_id=schedule.creator_id,
            ref=f"promo:{promotion.id}",
            reply_to=reply_to,
            report=True,
        )
    ]


@renderer("promo_end")
async def _promo_end(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    promotion = await services.promotions.get(int(schedule.params["promo_id"]))
    if promotion is None or promotion.status == "cancelled" or promotion.ends_at <= planned:
        return []
    settings = services.settings
    lang = settings.language
    ref = f"promo:{promotion.id}"
    posted = await services.outbox.message_ids(ref)
    chats = tuple(posted) or await resolve_targets(services, Targets())
    hours = max(1, round((promotion.ends_at - planned) / 3600))
    text = t(
        lang,
        "sch_promo_end",
        title=promotion.title,
        end=local_iso(promotion.ends_at, settings.tz),
        hours=hours,
    )
    return [
        Submission(
            kind="reminder",
            payload=Payload(kind="text", text=text),
            chat_ids=chats,
            creator_id=schedule.creator_id,
            ref=ref,
            reply_to=posted or None,
            report=False,
        )
    ]


# --- launch frequency cap -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LaunchCheck:
    """Whether a product post at ``when`` keeps every target group within the daily cap.
    ``full`` names the groups already at the cap that day; ``next_free`` is the earliest
    moment (same local time on a later day, moved out of quiet hours) when none is."""

    when: int
    full: tuple[str, ...]
    next_free: int

    @property
    def ok(self) -> bool:
        return not self.full


def _day_bounds(services: Services, moment: int) -> tuple[int, int]:
    tz = services.settings.tz
    day = datetime.fromtimestamp(moment, tz).date()
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return int(start.timestamp()), int(end.timestamp())


async def _posts_per_group(services: Services, moment: int) -> dict[int, int]:
    """group chat id -> product posts that local day: sent through the outbox plus the
    scheduled ones still to come."""
    start, end = _day_bounds(services, moment)
    counts = dict(await services.schedules.product_posts(start, end))
    for schedule in await services.schedules.product_launches(start, end):
        targets = Targets.from_dict(schedule.params.get("targets", {}))
        for chat_id in await resolve_targets(services, targets):
            counts[chat_id] = counts.get(chat_id, 0) + 1
    return counts


async def check_launch(services: Services, targets: Targets, when: int) -> LaunchCheck:
    """Check the launch cap (``max_product_posts_per_group_per_day``) for a product post to
    ``targets`` at ``when``, and find the next free slot if it is exceeded."""
    settings = services.settings
    cap = settings.max_product_posts_per_group_per_day
    chats = set(await resolve_targets(services, targets))
    titles = {group.chat_id: group.title for group in await services.groups.list()}
    full: tuple[str, ...] = ()
    moment = when
    for days in range(366):
        counts = await _posts_per_group(services, moment)
        over = tuple(
            titles.get(chat, str(chat)) for chat in sorted(chats) if counts.get(chat, 0) >= cap
        )
        if days == 0:
            full = over
        if not over:
            return LaunchCheck(when, full, moment)
        moment = outside_quiet(when + (days + 1) * 86400, settings.quiet_windows, settings.tz)
    return LaunchCheck(when, full, moment)


def cap_text(services: Services, check: LaunchCheck, lang: Language) -> str:
    """The admin's message when ``check`` is over the cap (offer ``check.next_free``)."""
    return t(
        lang,
        "sch_cap_reached",
        cap=services.settings.max_product_posts_per_group_per_day,
        groups=Html(", ".join(str(t(lang, "sch_quoted", name=name)) for name in check.full)),
        next=local_iso(check.next_free, services.settings.tz),
    )
