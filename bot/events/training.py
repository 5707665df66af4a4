"""Trainings: announcement with RSVP buttons, reminders, RSVP count edits, attendance.

The announcement and each reminder are schedules (kinds ``training`` and ``training_reminder``)
so they go through the outbox exactly once and survive restarts. Reminders ignore quiet hours
(they are tied to the start time the seller chose; shifting one past the start would be useless).
RSVP clicks update the announcement everywhere through ``outbox.edit_everywhere``, folded into
one edit per ``[training] rsvp_edit_delay_seconds``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.broadcast.outbox import Keyboard, Payload
from bot.common.callbacks import RsvpChoice, encode
from bot.common.errors import InputError
from bot.common.timeparse import local_iso
from bot.scheduling.broadcasts import resolve_targets
from bot.scheduling.model import SendDecision, Submission, Targets, renderer
from bot.texts import Language, t
from storage.schedule_models import RSVP_ANSWERS, Rsvp, RsvpAnswer, Schedule, Training

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

MAX_TITLE = 100
MAX_LOCATION = 300
MAX_DURATION_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class TrainingDraft:
    title: str
    starts_at: int
    duration_minutes: int
    location: str
    materials_file: str | None
    target_tags: tuple[str, ...]


def parse_duration(text: str, lang: Language) -> int:
    """Minutes from ``90``, ``90m``, ``1.5h``, ``2h``, ``1h30m``, ``90分钟``, ``2小时``."""
    value = text.strip().lower().replace(" ", "")
    value = value.replace("小时", "h").replace("分钟", "m").replace("分", "m")
    value = value.replace("min", "m").replace("hours", "h").replace("hour", "h")
    minutes: float | None = None
    try:
        if value.isdigit():
            minutes = float(value)
        elif value.endswith("m") and "h" not in value:
            minutes = float(value[:-1])
        elif value.endswith("h"):
            minutes = float(value[:-1]) * 60
        elif "h" in value and value.endswith("m"):
            hours, rest = value[:-1].split("h", 1)
            minutes = float(hours) * 60 + float(rest)
    except ValueError:
        minutes = None
    if minutes is None or not 0 < minutes <= MAX_DURATION_MINUTES or minutes != int(minutes):
        raise InputError(t(lang, "tr_err_duration", value=text))
    return int(minutes)


def _when_where(training: Training, tz: ZoneInfo, lang: Language) -> list[str]:
    """The time and place lines every rendering of a training shows."""
    return [
        t(
            lang,
            "tr_announce_when",
            start=local_iso(training.starts_at, tz),
            minutes=training.duration_minutes,
        ),
        t(lang, "tr_announce_where", location=training.location),
    ]


def announcement(
    training: Training, counts: Mapping[RsvpAnswer, int], tz: ZoneInfo, lang: Language
) -> str:
    lines = [
        t(lang, "tr_announce_title", title=training.title),
        *_when_where(training, tz, lang),
        "",
        t(lang, "tr_announce_counts", yes=counts["yes"], no=counts["no"], maybe=counts["maybe"]),
    ]
    return "\n".join(lines)


def cancelled_announcement(training: Training, tz: ZoneInfo, lang: Language) -> str:
    """The announcement once the training is cancelled: marked as such, without the counts
    (it is shown without RSVP buttons)."""
    lines = [
        t(lang, "trc_announce_header"),
        t(lang, "tr_announce_title", title=training.title),
        *_when_where(training, tz, lang),
        "",
        t(lang, "trc_announce_footer"),
    ]
    return "\n".join(lines)


def rsvp_keyboard(training_id: int, counts: Mapping[RsvpAnswer, int], lang: Language) -> Keyboard:
    return (
        tuple(
            (
                t(lang, f"tr_rsvp_{answer}", count=counts[answer]),
                encode(RsvpChoice(training_id, answer)),
            )
            for answer in RSVP_ANSWERS
        ),
    )


def _payload(
    training: Training, counts: Mapping[RsvpAnswer, int], lang: Language, tz: ZoneInfo
) -> Payload:
    text = announcement(training, counts, tz, lang)
    keyboard = rsvp_keyboard(training.id, counts, lang)
    if training.materials_file:
        return Payload(
            kind="document", text=text, media=(training.materials_file,), keyboard=keyboard
        )
    return Payload(kind="text", text=text, keyboard=keyboard)


async def create_training(
    services: Services, draft: TrainingDraft, creator_id: int
) -> tuple[Training, SendDecision]:
    """Store the training and its reminders (audited, in one transaction), then announce it
    now or hold the announcement for the quiet-hours question (outside the transaction: an
    immediate announcement fires under the scheduler's lock)."""
    now = services.now()
    lang = services.settings.language
    async with services.audited(creator_id, "training") as audit:
        training = await services.trainings.create(
            title=draft.title,
            starts_at=draft.starts_at,
            duration_minutes=draft.duration_minutes,
            location=draft.location,
            materials_file=draft.materials_file,
            target_tags=draft.target_tags,
            creator_id=creator_id,
            now=now,
        )
        audit.target = str(training.id)
        ref = f"training:{training.id}"
        for hours in services.settings.training.reminder_hours:
            at = training.starts_at - int(hours * 3600)
            if at > now:
                await services.scheduler.create(
                    "training_reminder",
                    t(lang, "tr_reminder_title", title=training.title, hours=_hours(hours)),
                    {"training_id": training.id, "hours": hours},
                    at,
                    creator_id=creator_id,
                    ref=ref,
                    quiet=False,
                )
    decision = await services.scheduler.now_or_hold(
        "training",
        t(lang, "tr_schedule_title", title=training.title),
        {"training_id": training.id},
        creator_id=creator_id,
        ref=ref,
    )
    return training, decision


def _hours(hours: float) -> str:
    return str(int(hours)) if hours == int(hours) else f"{hours:g}"


@renderer("training")
async def _announce(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    training = await services.trainings.get(int(schedule.params["training_id"]))
    if training is None or training.status != "scheduled":
        return []
    counts = await services.trainings.counts(training.id)
    payload = _payload(training, counts, services.settings.language, services.settings.tz)

    async def remember(broadcast_id: int) -> None:
        await services.trainings.set_broadcast(training.id, broadcast_id)

    return [
        Submission(
            kind="training",
            payload=payload,
            chat_ids=await resolve_targets(services, Targets(tags=training.target_tags)),
            creator_id=schedule.creator_id,
            ref=f"training:{training.id}",
            report=True,
            on_sent=remember,
        )
    ]


@renderer("training_reminder")
async def _remind(services: Services, schedule: Schedule, planned: int) -> list[Submission]:
    training = await services.trainings.get(int(schedule.params["training_id"]))
    if training is None or training.status != "scheduled" or training.starts_at <= planned:
        return []
    settings = services.settings
    lang = settings.language
    text = t(
        lang,
        "tr_reminder",
        title=training.title,
        start=local_iso(training.starts_at, settings.tz),
        hours=_hours(float(schedule.params["hours"])),
        location=training.location,
    )
    ref = f"training:{training.id}"
    posted = await services.outbox.message_ids(ref)
    groups = await resolve_targets(services, Targets(tags=training.target_tags))
    attending = tuple(
        await services.trainings.attending(
            training.id, members_of=await target_chats(services, training)
        )
    )
    return [
        Submission(
            kind="reminder",
            payload=Payload(kind="text", text=text),
            chat_ids=groups,
            ref=f"{ref}:reminder",
            key="groups",
            reply_to={chat: message for chat, message in posted.items() if chat in groups} or None,
        ),
        Submission(
            kind="reminder",
            payload=Payload(kind="text", text=text),
            chat_ids=attending,
            ref=f"{ref}:reminder",
            key="private",
        ),
    ]


async def target_chats(services: Services, training: Training) -> tuple[int, ...]:
    """The training's target groups (chat ids): those its announcement went to, and those its
    target tags name now. Only their members may answer it or get its private reminder."""
    announced = await services.outbox.message_ids(f"training:{training.id}")
    tagged = await resolve_targets(services, Targets(tags=training.target_tags))
    return tuple(dict.fromkeys([*announced, *tagged]))


async def invited(services: Services, training: Training, user_id: int) -> bool:
    """Whether ``user_id`` may answer the training: a member of one of its target groups (an
    RSVP from anyone else is forged or pressed by an outsider, and is refused)."""
    return await services.agents.member_of_any(user_id, await target_chats(services, training))


def open_for_answers(training: Training, now: int) -> bool:
    """Scheduled and not over yet."""
    ends = training.starts_at + training.duration_minutes * 60
    return training.status == "scheduled" and ends > now


async def refresh_announcement(services: Services, training_id: int) -> tuple[int, int]:
    """Edit the announcement everywhere with the current counts, or to its cancelled version
    without buttons once the training is cancelled (so an RSVP edit still pending when the
    seller cancels cannot bring the buttons back); (edited, failed)."""
    training = await services.trainings.get(training_id)
    if training is None or training.broadcast_id is None:
        return 0, 0
    lang = services.settings.language
    if training.status == "cancelled":
        return await services.outbox.edit_everywhere(
            training.broadcast_id,
            text=cancelled_announcement(training, services.settings.tz, lang),
            keyboard=(),
        )
    counts = await services.trainings.counts(training_id)
    return await services.outbox.edit_everywhere(
        training.broadcast_id,
        text=announcement(training, counts, services.settings.tz, lang),
        keyboard=rsvp_keyboard(training_id, counts, lang),
    )


async def answer(services: Services, training_id: int, user_id: int, value: RsvpAnswer) -> bool:
    """Store an RSVP and queue the (debounced) edit of the announcement; True if changed."""
    changed = await services.trainings.rsvp(training_id, user_id, value, services.now())
    if changed:
        services.scheduler.debounce(
            f"rsvp:{training_id}",
            services.settings.training.rsvp_edit_delay_seconds,
            lambda: refresh_announcement(services, training_id),
        )
    return changed


def rsvp_rows(
    training: Training,
    rsvps: Sequence[Rsvp],
    present: Sequence[tuple[int, str]],
    tz: ZoneInfo,
    lang: Language,
) -> tuple[str, list[str]]:
    """``/training <id>`` as a paged list: the training and the counts in the header, then one
    row per agent who answered (going, not going, maybe; marked present or not) and one per
    agent marked present without answering."""
    header = [
        t(lang, "tr_detail_title", id=training.id, title=training.title),
        *([t(lang, "trc_detail_cancelled")] if training.status == "cancelled" else []),
        *_when_where(training, tz, lang),
        t(
            lang,
            "lists_rsvp_counts",
            **{value: sum(rsvp.answer == value for rsvp in rsvps) for value in RSVP_ANSWERS},
            present=len(present),
        ),
    ]
    marked = {user_id for user_id, _ in present}
    rows = []
    for value in RSVP_ANSWERS:
        answer = t(lang, f"lists_rsvp_{value}")
        for rsvp in rsvps:
            if rsvp.answer == value:
                key = "lists_rsvp_row_present" if rsvp.user_id in marked else "lists_rsvp_row"
                rows.append(t(lang, key, answer=answer, name=rsvp.name))
    answered = {rsvp.user_id for rsvp in rsvps}
    rows.extend(
        t(lang, "lists_rsvp_present_only", name=name)
        for user_id, name in present
        if user_id not in answered
    )
    return "\n".join(header), rows


def training_line(
    training: Training, counts: Mapping[RsvpAnswer, int], tz: ZoneInfo, lang: Language
) -> str:
    """One line of ``/trainings``; a cancelled training starts with the cancelled marker."""
    line = t(
        lang,
        "tr_list_line",
        id=training.id,
        title=training.title,
        start=local_iso(training.starts_at, tz),
        yes=counts["yes"],
        no=counts["no"],
        maybe=counts["maybe"],
    )
    if training.status == "cancelled":
        return t(lang, "trc_marker") + " " + line
    return line
