"""Computing, storing and showing quality scores.

When scores are recomputed: right after any input changes (profile approved or imported,
rating, purchase import), for the agent concerned; and every day at ``quality.recompute_hour``
for every agent, because "days since last seen" changes with time alone. ``/agent`` refreshes
the one agent it shows. ``/lowquality`` never recomputes before its reply: it shows the scores
as of the last recompute (and says when that was), and when some are older than a day (the
daily job was missed, or new agents' placeholder rows at ``computed_at = 0``) it starts the
catch-up in the background (:func:`start_catch_up`).

Every recompute of many agents (the catch-up, the daily job, the agents an import changed)
runs in batches that each hold the event loop for about :data:`BATCH_BUDGET` (sized from the
loop's CPU time per agent measured on the previous batch), yielding between them, so
deliveries and replies go on meanwhile. A batch's queries run in the database thread and its
scores in a worker thread; the loop itself only turns rows into objects and awaits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import time as day_time
from typing import Any

from bot.agents.profiles import (
    below_min_level,
    category_match,
    operating_label,
    persona_line,
)
from bot.agents.quality import (
    DAY,
    QualityInputs,
    QualityScore,
    compute_score,
    is_newcomer,
)
from bot.agents.quality_config import QualitySettings, newcomer_cutoff
from bot.agents.terms import newcomer_label, platform_label, tier_label
from bot.common.render import local_time, mode_label
from bot.scheduling import model as scheduling
from bot.services import Services
from bot.texts import Html, Language, escape, t
from storage.models import Agent
from storage.profiles import (
    Contribution,
    ScoreSources,
    StoredScore,
    StoreProfile,
    Submission,
    Tier,
)
from storage.schedule_models import Schedule

log = logging.getLogger(__name__)

# Training attendance (0-1 per agent): async functions (services, user ids) → {user_id: share
# attended}. Agents none of them mention have no recorded training, and the factor is left out
# of their score.
AttendanceSource = Callable[[Services, Sequence[int]], Awaitable[dict[int, float]]]


async def training_attendance(services: Services, user_ids: Sequence[int]) -> dict[int, float]:
    """Attendance recorded by the trainings feature (agents with no such training left out),
    in one query for the whole batch."""
    if not await services.profiles.any_attendance():
        return {}
    return await services.trainings.attendance_rates(user_ids)


ATTENDANCE_SOURCES: list[AttendanceSource] = [training_attendance]
# A batch of a recompute holds the event loop's thread for about this much CPU time (rows to
# objects, the comparison with the stored scores), then yields. The SQL runs in the database
# thread and the scores themselves in a worker thread (:func:`score_batch`), so the loop only
# awaits them.
BATCH_BUDGET = 0.01
FIRST_BATCH = 50
# Also bounds one batch's write transaction (other writers wait for it) and what a worker
# thread computes at once while holding the GIL in 5 ms slices.
MAX_BATCH = 1000
# Where the running catch-up task is kept (application.bot_data).
CATCH_UP_KEY = "quality_catch_up"
# The system schedule (bot/scheduling) that recomputes every score once a day.
RECOMPUTE_KIND = "quality_recompute"


def newcomers_after(services: Services) -> int:
    """Agents with no profile who joined after this moment are newcomers (待完善) now."""
    return newcomer_cutoff(services.now(), services.settings.quality.newcomer_days)


def agent_is_newcomer(services: Services, agent: Agent) -> bool:
    days = services.settings.quality.newcomer_days
    return is_newcomer(agent.joined_at, agent.profile_at, services.now(), days)


def shown_tier(services: Services, agent: Agent, tier: Tier, lang: Language) -> str:
    """The tier's name, or 待完善 for a newcomer (whose stored tier is not shown)."""
    if agent_is_newcomer(services, agent):
        return newcomer_label(lang)
    return tier_label(tier, lang)


def inputs_from(
    sources: ScoreSources, attendance: float | None, now: int, materials_at: int | None = None
) -> QualityInputs:
    return QualityInputs(
        profile=sources.profile,
        ratings=tuple(sources.ratings),
        recent_orders=sources.purchases.orders,
        recent_amount=sources.purchases.amount_cents / 100,
        attendance=attendance,
        days_since_seen=max(now - sources.last_seen_at, 0) / DAY,
        days_since_materials=None if materials_at is None else max(now - materials_at, 0) / DAY,
    )


def contributions(score: QualityScore) -> list[Contribution]:
    return [
        Contribution(f.name, round(f.value, 4), round(f.weight, 2), round(f.points, 2))
        for f in score.factors
    ]


async def recompute(services: Services, user_ids: Sequence[int]) -> dict[int, QualityScore]:
    """Recompute and store the scores of ``user_ids`` (a few: one agent, a rating); returns
    them. Many agents go through :func:`recompute_yielding`."""
    results: dict[int, QualityScore] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), MAX_BATCH):
        results.update(await _recompute_batch(services, ids[start : start + MAX_BATCH]))
    return results


def next_batch_size(loop_seconds: float, agents: int, budget: float = BATCH_BUDGET) -> int:
    """How many agents the next batch takes so that it holds the loop about ``budget``
    seconds, given that the last batch of ``agents`` took ``loop_seconds``."""
    if agents <= 0:
        return FIRST_BATCH
    per_agent = max(loop_seconds / agents, 1e-6)
    return max(1, min(MAX_BATCH, int(budget / per_agent)))


async def recompute_yielding(services: Services, user_ids: Sequence[int]) -> int:
    """Recompute ``user_ids`` in batches sized by :func:`next_batch_size`, yielding to the
    event loop between them; returns the count."""
    ids = list(user_ids)
    size = FIRST_BATCH
    start = 0
    while start < len(ids):
        batch = ids[start : start + size]
        began = time.thread_time()
        await _recompute_batch(services, batch)
        size = next_batch_size(time.thread_time() - began, len(batch))
        start += len(batch)
        await asyncio.sleep(0)
    return len(ids)


async def recompute_all(services: Services) -> int:
    """Recompute every agent's score, in batches that yield; returns the count."""
    return await recompute_yielding(services, await services.profiles.agent_ids())


def score_batch(
    sources: dict[int, ScoreSources],
    attendance: dict[int, float],
    materials: dict[int, int],
    now: int,
    settings: QualitySettings,
    seller_categories: Sequence[str],
) -> tuple[dict[int, QualityScore], list[tuple[int, float, Tier, list[Contribution]]]]:
    """The scores of a batch and the rows that store them (pure: runs in a worker thread)."""
    batch = {
        user_id: compute_score(
            inputs_from(found, attendance.get(user_id), now, materials.get(user_id)),
            settings,
            seller_categories,
        )
        for user_id, found in sources.items()
    }
    return batch, [(user_id, s.score, s.tier, contributions(s)) for user_id, s in batch.items()]


async def _recompute_batch(services: Services, ids: Sequence[int]) -> dict[int, QualityScore]:
    now = services.now()
    settings = services.settings
    since = now - settings.quality.purchase_window_days * DAY
    sources = await services.profiles.score_inputs(ids, since)
    found = list(sources)
    attendance: dict[int, float] = {}
    for source in ATTENDANCE_SOURCES:
        attendance.update(await source(services, found))
    materials = await services.materials.last_taken(found)
    batch, rows = await asyncio.to_thread(
        score_batch,
        sources,
        attendance,
        materials,
        now,
        settings.quality,
        settings.seller_categories,
    )
    await services.profiles.save_scores(rows, now)
    return batch


async def refresh_stale(services: Services, max_age: int = DAY) -> int:
    """Recompute scores older than ``max_age`` (and placeholders of new agents), in batches
    that yield."""
    stale = await services.profiles.stale_agents(services.now() - max_age)
    return await recompute_yielding(services, stale)


def start_catch_up(bot_data: dict[Any, Any], services: Services) -> asyncio.Task[int]:
    """Start :func:`refresh_stale` in the background unless it is already running (the task
    is kept in ``bot_data``); returns the running task."""
    running = bot_data.get(CATCH_UP_KEY)
    if isinstance(running, asyncio.Task) and not running.done():
        return running
    task = asyncio.get_running_loop().create_task(_catch_up(services), name="quality-catch-up")
    bot_data[CATCH_UP_KEY] = task
    return task


async def wait_for_catch_up(bot_data: dict[Any, Any]) -> int:
    """Until the catch-up started last (if any) has finished; how many it recomputed (tests,
    benches)."""
    task = bot_data.get(CATCH_UP_KEY)
    return await task if isinstance(task, asyncio.Task) else 0


async def _catch_up(services: Services) -> int:
    count = await refresh_stale(services)
    if count:
        log.info("caught up %s stale quality scores", count)
    return count


async def stop_catch_up(application: Any, services: Services) -> None:
    """Shutdown hook: a catch-up in progress stops (each batch is its own transaction; the
    rest is caught up on the next /lowquality)."""
    task = application.bot_data.pop(CATCH_UP_KEY, None)
    if isinstance(task, asyncio.Task) and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def daily_recompute(services: Services) -> None:
    count = await recompute_all(services)
    log.info("recomputed %s quality scores", count)


@scheduling.renderer(RECOMPUTE_KIND)
async def _recompute_fire(
    services: Services, schedule: Schedule, planned: int
) -> list[scheduling.Submission]:
    """A fire of the daily system job: recompute every score; nothing to send."""
    await daily_recompute(services)
    return []


async def schedule_daily_recompute(application: object, services: Services) -> None:
    """Startup hook (before the scheduler starts): the bot's scheduler runs
    :func:`daily_recompute` every day at ``quality.recompute_hour``, local time."""
    at = day_time(hour=services.settings.quality.recompute_hour)
    await services.scheduler.ensure_daily(RECOMPUTE_KIND, at)


# ---------------------------------------------------------------------- rendering


def reasons(
    score: StoredScore, lang: Language, count: int = 3, *, below_level: str | None = None
) -> str:
    """The factors that cost an agent the most points, for the review queue; first, when
    ``below_level`` is the seller's minimum level, that the store is below it."""
    weak = [c for c in score.breakdown if c.value < 0.6 and c.weight > 0]
    weak.sort(key=lambda c: c.weight - c.points, reverse=True)
    named = [t(lang, f"qs_factor_{c.factor}") for c in weak[:count]]
    if below_level is not None:
        named.insert(0, t(lang, "seller_reason_below_level", level=below_level))
    if not named:
        return t(lang, "none")
    return t(lang, "qs_list_sep").join(named)


async def level_flag(services: Services, user_id: int) -> str | None:
    """The seller's minimum level when the agent's approved store is below it, else None."""
    return (await level_flags(services, [user_id])).get(user_id)


async def level_flags(services: Services, user_ids: Sequence[int]) -> dict[int, str]:
    """:func:`level_flag` of each of ``user_ids`` (those flagged), in one query."""
    min_level = services.settings.quality.min_level
    if min_level is None:
        return {}
    profiles = await services.profiles.many(user_ids)
    return {
        user_id: min_level
        for user_id, profile in profiles.items()
        if below_min_level(profile.platform, profile.badge, min_level)
    }


def breakdown_lines(score: StoredScore, lang: Language) -> list[str]:
    return [
        t(
            lang,
            "qs_breakdown_row",
            factor=t(lang, f"qs_factor_{c.factor}"),
            points=f"{c.points:.1f}",
            weight=f"{c.weight:.1f}",
        )
        for c in score.breakdown
    ]


def profile_lines(
    profile: StoreProfile, seller_categories: Sequence[str], services: Services, lang: Language
) -> list[str]:
    quality = services.settings.quality
    match = category_match(
        profile.category,
        seller_categories,
        leaf=quality.category_leaf_match,
        parent=quality.category_parent_match,
    )
    dsr = " / ".join(
        t(lang, "unset") if value is None else f"{value:.2f}".rstrip("0").rstrip(".")
        for value in (profile.dsr_description, profile.dsr_service, profile.dsr_logistics)
    )
    unset = t(lang, "unset")
    return [
        t(
            lang,
            "pf_card_store",
            platform=platform_label(profile.platform, lang),
            name=profile.store_name or unset,
        ),
        t(lang, "pf_card_url", url=profile.store_url or unset),
        t(
            lang,
            "pf_card_category",
            category=profile.category or unset,
            match=f"{match * 100:.0f}%",
        ),
        t(lang, "pf_card_badge", badge=profile.badge or unset, dsr=dsr),
        t(lang, "pf_card_operating", status=operating_label(profile.operating_status, lang)),
    ]


def submission_text(submission: Submission, services: Services, lang: Language) -> str:
    """A submission as the agent and the reviewing admins see it."""
    lines = profile_lines(submission.profile, services.settings.seller_categories, services, lang)
    lines.append(t(lang, "pf_card_mode", mode=mode_label(submission.order_mode, lang)))
    lines.append(persona_line(submission.region, submission.buyer_id, lang))
    return "\n".join(lines)


def status_line(submission: Submission | None, services: Services, lang: Language) -> str:
    if submission is None:
        return t(lang, "pf_status_none")
    at = local_time(submission.submitted_at, services.settings.tz, lang)
    line = t(lang, "pf_status_line", status=t(lang, f"pf_status_{submission.status}"), at=at)
    if submission.status == "returned" and submission.reason:
        line += "\n" + t(lang, "pf_status_reason", reason=submission.reason)
    return line


async def quality_section(services: Services, agent: Agent, lang: Language) -> str:
    """The profile, score, breakdown, tier and ratings block of the seller's /agent card."""
    repository = services.profiles
    await recompute(services, [agent.user_id])
    profile = await repository.get(agent.user_id)
    submission = await repository.latest_submission(agent.user_id)
    score = await repository.score(agent.user_id)
    summary = await repository.rating_summary(agent.user_id)
    since = services.now() - services.settings.quality.purchase_window_days * DAY
    purchases = await repository.purchases_since(agent.user_id, since)
    lines = [t(lang, "pf_card_header"), persona_line(agent.region, agent.buyer_id, lang)]
    if profile is None:
        lines.append(t(lang, "pf_card_no_profile"))
    else:
        lines += profile_lines(profile, services.settings.seller_categories, services, lang)
        below = await level_flag(services, agent.user_id)
        if below is not None:
            lines.append(t(lang, "seller_card_below_level", badge=profile.badge, level=below))
    lines.append(status_line(submission, services, lang))
    if agent_is_newcomer(services, agent):
        days = services.settings.quality.newcomer_days
        until = local_time(agent.joined_at + days * DAY, services.settings.tz, lang)
        lines.append(t(lang, "agentdata_card_newcomer", days=days, until=until))
    elif score is not None:
        lines.append(
            t(
                lang,
                "qs_card_score",
                score=f"{score.score:.1f}",
                tier=tier_label(score.tier, lang),
            )
        )
        lines += breakdown_lines(score, lang)
    if summary.count:
        lines.append(
            t(lang, "qs_card_ratings", mean=f"{summary.mean or 0:.1f}", count=summary.count)
        )
    else:
        lines.append(t(lang, "qs_card_no_ratings"))
    lines.append(
        t(
            lang,
            "qs_card_purchases",
            days=services.settings.quality.purchase_window_days,
            orders=purchases.orders,
            amount=f"{purchases.amount_cents / 100:,.2f}",
        )
    )
    return "\n".join(lines)


def agent_label(agent: Agent) -> Html:
    name = escape(agent.display_name)
    return Html(f"{name} (<code>{agent.user_id}</code>)")
