"""Cancelling a training (``/cancel_training <id>``): validation, texts and the service.

Cancelling is one guarded status change (``scheduled`` → ``cancelled`` only before the start,
so a double click cancels once) made while holding the scheduler's fire lock, together with
cancelling the training's open schedules (the announcement if it has not gone out, the
reminders). The renderers skip a cancelled training anyway, so a schedule that somehow survives
sends nothing. If the announcement went out, it is edited everywhere to its cancelled version
without buttons, and a short notice goes to the groups that got it (as a reply to it) and in
private to the agents who answered 参加 or 待定. The notices are written to the outbox in the
same transaction as the status change, so a crash cannot leave a cancelled training whose
agents were never told.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.broadcast.outbox import Payload, new_broadcast
from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.common.timeparse import local_iso
from bot.events.training import refresh_announcement, target_chats
from bot.texts import Html, Language, t
from storage.outbox import NewBroadcast
from storage.schedule_models import RsvpAnswer, Training

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# Who is told in private: everyone who meant to come or might have.
NOTIFIED_ANSWERS: tuple[RsvpAnswer, ...] = ("yes", "maybe")
SCHEDULE_KINDS = ("training", "training_reminder")


@dataclass(frozen=True, slots=True)
class Cancellation:
    """What a cancellation did: the announcement edits and who the notice goes to."""

    training: Training
    announced: bool
    edited: int
    edit_failed: int
    schedules: int
    groups: int
    agents: int


def usage_error(lang: Language, key: str, **values: object) -> InputError:
    """An input error: what was wrong, then the accepted form of the command."""
    return InputError(t(lang, key, **values) + "\n" + t(lang, "trc_usage"))


def parse_training_id(args: list[str], lang: Language) -> int:
    """The one argument of ``/cancel_training``: a positive training number (``3`` or ``#3``)."""
    if not args:
        raise usage_error(lang, "trc_err_missing")
    if len(args) > 1:
        raise usage_error(lang, "trc_err_extra", value=" ".join(args))
    raw = args[0].removeprefix("#")
    training_id = ascii_int(raw, 1)
    if training_id is None:
        raise usage_error(lang, "trc_err_not_number", value=args[0][:40])
    return training_id


def cancel_problem(training: Training, now: int, tz: ZoneInfo, lang: Language) -> str | None:
    """Why ``training`` cannot be cancelled at ``now`` (a catalog text), or None if it can."""
    if training.status == "cancelled":
        return t(lang, "trc_err_already", id=training.id, title=training.title)
    if training.starts_at <= now:
        return t(
            lang,
            "trc_err_started",
            id=training.id,
            title=training.title,
            start=local_iso(training.starts_at, tz),
        )
    return None


def confirmation_text(
    training: Training, counts: Mapping[RsvpAnswer, int], tz: ZoneInfo, lang: Language
) -> str:
    """The question shown before cancelling: what, when, and how many will be disappointed."""
    announced = training.broadcast_id is not None
    return t(
        lang,
        "trc_confirm",
        id=training.id,
        title=training.title,
        start=local_iso(training.starts_at, tz),
        yes=counts["yes"],
        maybe=counts["maybe"],
        announced=Html(
            t(lang, "trc_confirm_announced" if announced else "trc_confirm_unannounced")
        ),
    )


def notice_text(training: Training, tz: ZoneInfo, lang: Language) -> str:
    """The short cancellation notice for the groups and the agents who answered."""
    return t(
        lang,
        "trc_notice",
        title=training.title,
        start=local_iso(training.starts_at, tz),
    )


def done_text(cancellation: Cancellation, lang: Language) -> str:
    """The admin's confirmation after the cancellation."""
    training = cancellation.training
    if not cancellation.announced:
        return t(lang, "trc_done_unannounced", id=training.id, title=training.title)
    text = t(
        lang,
        "trc_done",
        id=training.id,
        title=training.title,
        edited=cancellation.edited,
        groups=cancellation.groups,
        agents=cancellation.agents,
    )
    if cancellation.edit_failed:
        text += "\n" + t(lang, "trc_done_edit_failed", count=cancellation.edit_failed)
    return text


async def _notices(
    services: Services, training: Training, actor_id: int
) -> tuple[list[NewBroadcast], int, int]:
    """The cancellation notices to write with the status change: to the groups that got the
    announcement (as a reply to it) and in private to those who said 参加/待定; with how many
    groups and agents they reach."""
    ref = f"training:{training.id}"
    settings = services.settings
    payload = Payload(kind="text", text=notice_text(training, settings.tz, settings.language))
    notices: list[NewBroadcast] = []
    groups: tuple[int, ...] = ()
    if training.broadcast_id is not None:
        posted = await services.outbox.message_ids(ref)
        active = {group.chat_id for group in await services.groups.list(active_only=True)}
        groups = tuple(chat for chat in posted if chat in active)
        if groups:
            notices.append(
                new_broadcast(
                    "training_cancel",
                    payload,
                    groups,
                    actor_id,
                    ref=f"{ref}:cancelled",
                    reply_to={chat: posted[chat] for chat in groups},
                    idempotency_key=f"{ref}:cancelled:groups",
                    report=False,
                )
            )
    agents = tuple(
        await services.trainings.attending(
            training.id, NOTIFIED_ANSWERS, members_of=await target_chats(services, training)
        )
    )
    if agents:
        notices.append(
            new_broadcast(
                "training_cancel",
                payload,
                agents,
                actor_id,
                ref=f"{ref}:cancelled",
                idempotency_key=f"{ref}:cancelled:private",
                report=False,
            )
        )
    return notices, len(groups), len(agents)


async def cancel_training(
    services: Services, training_id: int, actor_id: int
) -> Cancellation | None:
    """Cancel the training; None when it was not cancellable any more (already cancelled,
    started, unknown), in which case nothing changed and nothing is sent.

    Everything is decided under the scheduler's fire lock, so an announcement cannot go out
    between reading the training and cancelling it; the status change, the notices, the
    reminders' cancellation and the audit row commit together."""
    ref = f"training:{training_id}"
    async with services.scheduler.exclusive():
        training = await services.trainings.get(training_id)
        if training is None:
            return None
        notices, groups, agents = await _notices(services, training, actor_id)
        async with services.audited(actor_id, "cancel_training", str(training_id)) as audit:
            if not await services.trainings.cancel(training_id, services.now(), notices):
                audit.skip()
                return None
            services.outbox.wake()
            schedules = await services.scheduler.cancel_ref(ref, SCHEDULE_KINDS)
    edited = failed = 0
    if training.broadcast_id is not None:
        try:
            edited, failed = await refresh_announcement(services, training.id)
        except (LookupError, ValueError) as error:
            log.warning("training %s: announcement not edited: %s", training.id, error)
    log.info(
        "training %s cancelled by %s: %s schedules, %s edits, %s groups, %s agents told",
        training.id,
        actor_id,
        schedules,
        edited,
        groups,
        agents,
    )
    return Cancellation(
        training=training,
        announced=training.broadcast_id is not None,
        edited=edited,
        edit_failed=failed,
        schedules=schedules,
        groups=groups,
        agents=agents,
    )
