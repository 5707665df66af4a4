"""Holiday greetings: the daily preview check, approval, and the addressed sends.

The daily ``greeting_check`` schedule looks ``[greetings] days_before`` days ahead; each festival
found (and not yet previewed this year) goes to the owners as a preview with Approve / Skip. An
approval schedules a one-off ``greeting`` fire on the festival day at ``send_time`` (or at once
if that has passed): one broadcast to every active group, and one private message per agent who
has started the bot, addressed by the 称谓 of the remark (bot/events/salutation.py). The text
sent is the one the owner approved. A festival set to a segment (``/greeting 中秋 对象
tag:VIP客户``) greets that segment's agents privately and posts nothing in the groups. An
approval may pick a running promotion: it follows each private greeting as a second message
(先祝福再营销), except to muted agents.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.agents.segments import (
    GREETING_SEGMENT_KEYS,
    Reach,
    parse_target,
    split_reach,
    staff_ids,
)
from bot.broadcast.outbox import Payload
from bot.catalog.service import promotion_message
from bot.common.callbacks import GreetingAnswer, GreetingPromo, encode
from bot.common.timeparse import local_iso
from bot.events.festivals import Festival, festival_by_key, upcoming
from bot.events.salutation import salutation
from bot.scheduling.model import Submission, renderer
from bot.texts import Html, Language, escape, t
from storage.catalog import Promotion
from storage.models import AgentFilter
from storage.schedule_models import Schedule

if TYPE_CHECKING:
    from bot.services import Services

NAME_PLACEHOLDER = "{name}"
MAX_TEMPLATE_LENGTH = 1000
MAX_PROMOTION_BUTTONS = 3


def festival_name(festival: Festival, lang: Language) -> str:
    return t(lang, f"grt_name_{festival.key}")


async def template_for(services: Services, festival: Festival, lang: Language) -> str:
    """The seller's template for ``festival``, else the catalog default. Plain text with an
    optional ``{name}`` where the addressee's name goes."""
    stored = await services.greetings.template(festival.key)
    return stored if stored is not None else t(lang, f"grt_default_{festival.key}")


def render_greeting(template: str, name: str) -> str:
    """The greeting as HTML: the template escaped, ``{name}`` replaced by the escaped name;
    a template without ``{name}`` gets the name in front ("李女士，…")."""
    if NAME_PLACEHOLDER not in template:
        template = NAME_PLACEHOLDER + "，" + template
    return str(escape(template)).replace(NAME_PLACEHOLDER, str(escape(name)))


async def greeting_reach(services: Services, segment: str | None) -> Reach:
    """Who a greeting reaches privately: the segment's agents (every active agent without
    one) who started the bot, staff left out; muted agents are greeted (only the promotion
    skips them)."""
    query = AgentFilter()
    if segment is not None:
        target = parse_target(
            segment, services.now(), services.settings.language, GREETING_SEGMENT_KEYS, agents=False
        )
        assert target.segment is not None
        query = target.segment
    recipients = await services.reach.segment(query)
    return split_reach(recipients, promotional=False, staff=await staff_ids(services))


def send_moment(services: Services, day: date) -> int:
    """When an approved greeting of ``day`` goes out: ``send_time`` that day (Unix seconds)."""
    settings = services.settings
    send = settings.greetings.send_time
    moment = datetime(day.year, day.month, day.day, send.hour, send.minute, tzinfo=settings.tz)
    return int(moment.timestamp())


def promotion_usable(promotion: Promotion | None, now: int) -> bool:
    return promotion is not None and promotion.status == "sent" and promotion.ends_at > now


@renderer("greeting_check")
async def _check(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    settings = services.settings
    lang = settings.language
    today = datetime.fromtimestamp(planned, settings.tz).date()
    submissions = []
    for festival, day in upcoming(today, settings.greetings.days_before):
        template = await template_for(services, festival, lang)
        if not await services.greetings.start_run(
            festival.key, day.year, day.isoformat(), template, services.now()
        ):
            continue
        segment = await services.reach.greeting_segment(festival.key)
        await services.reach.set_run_segment(festival.key, day.year, segment)
        reach = await greeting_reach(services, segment)
        promotions = await services.promotions.active(send_moment(services, day))
        submissions.append(
            _preview(services, festival, day, template, lang, segment, reach, promotions)
        )
    return submissions


def _preview(
    services: Services,
    festival: Festival,
    day: date,
    template: str,
    lang: Language,
    segment: str | None,
    reach: Reach,
    promotions: list[Promotion],
) -> Submission:
    """The owners' preview: the group text, a private greeting addressed as it will be (the
    first recipient with a remark, else a sample), who gets it, and Approve / Skip buttons,
    one "approve with this promotion" per running promotion."""
    example = next((r for r in reach.reachable if r.remark), None)
    name = salutation(example.remark, example.first_name) if example else None
    audience = [
        t(lang, "reach_grt_audience_all", count=len(reach.reachable))
        if segment is None
        else t(lang, "reach_grt_audience_segment", segment=segment, count=len(reach.reachable))
    ]
    if example is not None:
        audience.append(t(lang, "reach_grt_example", remark=example.remark, name=name))
    if promotions:
        audience.append(t(lang, "reach_grt_promotion_hint"))
    text = t(
        lang,
        "grt_preview",
        festival=festival_name(festival, lang),
        date=day.isoformat(),
        group_text=Html(
            render_greeting(template, t(lang, "grt_group_name"))
            if segment is None
            else t(lang, "reach_grt_no_groups")
        ),
        agent_text=Html(render_greeting(template, name or t(lang, "grt_sample_name"))),
        audience=Html("\n".join(audience)),
    )
    approve_data = encode(GreetingAnswer(festival.key, day.year, "a"))
    skip_data = encode(GreetingAnswer(festival.key, day.year, "s"))
    keyboard: list[tuple[tuple[str, str], ...]] = [
        ((t(lang, "grt_approve"), approve_data), (t(lang, "grt_skip"), skip_data))
    ]
    for promotion in promotions[:MAX_PROMOTION_BUTTONS]:
        label = t(lang, "reach_grt_approve_promo", title=Html(promotion.title[:30]))
        data = encode(GreetingPromo(festival.key, day.year, promotion.id))
        keyboard.append(((label, data),))
    return Submission(
        kind="greeting_preview",
        payload=Payload(kind="text", text=text, keyboard=tuple(keyboard)),
        chat_ids=tuple(services.settings.owners),
        ref=f"greeting:{festival.key}:{day.year}",
        key=festival.key,
    )


async def approve(
    services: Services,
    festival_key: str,
    year: int,
    user_id: int,
    promotion_id: int | None = None,
) -> int | None:
    """Approve a pending preview (with the promotion to send after the greeting, if any) and
    schedule the send; returns when it goes out (Unix seconds), or None if the preview was
    already decided."""
    if not await services.greetings.decide(festival_key, year, "approved", user_id, services.now()):
        return None
    if promotion_id is not None:
        await services.reach.set_run_promotion(festival_key, year, promotion_id)
    run = await services.greetings.run(festival_key, year)
    assert run is not None
    settings = services.settings
    when = max(send_moment(services, date.fromisoformat(run.day)), services.now())
    festival = festival_by_key(festival_key)
    schedule = await services.scheduler.create(
        "greeting",
        t(
            settings.language,
            "grt_schedule_title",
            festival=festival_name(festival, settings.language),
        ),
        {"festival": festival_key, "year": year},
        when,
        creator_id=user_id,
        ref=f"greeting:{festival_key}:{year}",
    )
    await services.greetings.set_schedule(festival_key, year, schedule.id)
    return schedule.next_due_at


async def skip(services: Services, festival_key: str, year: int, user_id: int) -> bool:
    return await services.greetings.decide(festival_key, year, "skipped", user_id, services.now())


@renderer("greeting")
async def _send(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    params = schedule.params
    run = await services.greetings.run(str(params["festival"]), int(params["year"]))
    if run is None or run.status != "approved":
        return []
    lang = services.settings.language
    ref = f"greeting:{run.festival}:{run.year}"
    segment, promotion_id = await services.reach.run_options(run.festival, run.year)
    submissions = []
    if segment is None:
        groups = await services.groups.with_tags(())
        text = render_greeting(run.text, t(lang, "grt_group_name"))
        submissions.append(
            Submission(
                kind="greeting",
                payload=Payload(kind="text", text=text),
                chat_ids=tuple(group.chat_id for group in groups),
                ref=ref,
                key="groups",
            )
        )
    reach = await greeting_reach(services, segment)
    for recipient in reach.reachable:
        name = salutation(recipient.remark, recipient.first_name)
        submissions.append(
            Submission(
                kind="greeting",
                payload=Payload(kind="text", text=render_greeting(run.text, name)),
                chat_ids=(recipient.user_id,),
                ref=ref,
                key=f"agent:{recipient.user_id}",
            )
        )
    promotion = await services.promotions.get(promotion_id) if promotion_id else None
    promoted = tuple(r.user_id for r in reach.reachable if not r.muted)
    if promotion is not None and promotion_usable(promotion, services.now()) and promoted:
        # Written after every greeting, so each agent's queue has the greeting first.
        payload, _ = await promotion_message(services, promotion, promoted)
        submissions.append(
            Submission(
                kind="promotion", payload=payload, chat_ids=promoted, ref=ref, key="promotion"
            )
        )
    return submissions


def when_text(services: Services, when: int) -> str:
    return local_iso(when, services.settings.tz)
