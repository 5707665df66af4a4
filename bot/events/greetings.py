"""Holiday greetings: the daily preview check, approval, and the addressed sends.

The daily ``greeting_check`` schedule looks ``[greetings] days_before`` days ahead; each festival
found (and not yet previewed this year) goes to the owners as a preview with Approve / Skip. An
approval schedules a one-off ``greeting`` fire on the festival day at ``send_time`` (or at once
if that has passed): one broadcast to every active group, and one private message per agent who
has started the bot, addressed by remark name (else first name). The text sent is the one the
owner approved.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.broadcast.outbox import Payload
from bot.common.callbacks import GreetingAnswer, encode
from bot.common.timeparse import local_iso
from bot.events.festivals import Festival, festival_by_key, upcoming
from bot.scheduling.model import Submission, renderer
from bot.texts import Html, Language, escape, t
from storage.schedule_models import Schedule

if TYPE_CHECKING:
    from bot.services import Services

NAME_PLACEHOLDER = "{name}"
MAX_TEMPLATE_LENGTH = 1000


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
        submissions.append(_preview(services, festival, day, template, lang))
    return submissions


def _preview(
    services: Services, festival: Festival, day: date, template: str, lang: Language
) -> Submission:
    text = t(
        lang,
        "grt_preview",
        festival=festival_name(festival, lang),
        date=day.isoformat(),
        group_text=Html(render_greeting(template, t(lang, "grt_group_name"))),
        agent_text=Html(render_greeting(template, t(lang, "grt_sample_name"))),
    )
    approve_data = encode(GreetingAnswer(festival.key, day.year, "a"))
    skip_data = encode(GreetingAnswer(festival.key, day.year, "s"))
    keyboard = (((t(lang, "grt_approve"), approve_data), (t(lang, "grt_skip"), skip_data)),)
    return Submission(
        kind="greeting_preview",
        payload=Payload(kind="text", text=text, keyboard=keyboard),
        chat_ids=tuple(services.settings.owners),
        ref=f"greeting:{festival.key}:{day.year}",
        key=festival.key,
    )


async def approve(services: Services, festival_key: str, year: int, user_id: int) -> int | None:
    """Approve a pending preview and schedule the send; returns when it goes out (Unix
    seconds), or None if the preview was already decided."""
    if not await services.greetings.decide(festival_key, year, "approved", user_id, services.now()):
        return None
    run = await services.greetings.run(festival_key, year)
    assert run is not None
    settings = services.settings
    send = settings.greetings.send_time
    day = date.fromisoformat(run.day)
    moment = datetime(day.year, day.month, day.day, send.hour, send.minute, tzinfo=settings.tz)
    when = max(int(moment.timestamp()), services.now())
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
    groups = await services.groups.with_tags(())
    submissions = [
        Submission(
            kind="greeting",
            payload=Payload(kind="text", text=render_greeting(run.text, t(lang, "grt_group_name"))),
            chat_ids=tuple(group.chat_id for group in groups),
            ref=ref,
            key="groups",
        )
    ]
    staff = set(services.settings.owners) | {
        grant.user_id for grant in await services.admins.list()
    }
    for user_id, name in await services.schedules.greeting_recipients():
        if user_id in staff:
            continue
        submissions.append(
            Submission(
                kind="greeting",
                payload=Payload(kind="text", text=render_greeting(run.text, name)),
                chat_ids=(user_id,),
                ref=ref,
                key=f"agent:{user_id}",
            )
        )
    return submissions


def when_text(services: Services, when: int) -> str:
    return local_iso(when, services.settings.tz)
