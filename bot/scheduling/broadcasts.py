"""Scheduled broadcasts and immediate ones held over quiet hours: the service functions other
features call, and the renderer of the ``broadcast`` schedule kind."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.broadcast.outbox import Payload
from bot.common.callbacks import QuietAnswer, encode
from bot.common.timeparse import local_iso
from bot.scheduling.model import SendDecision, Submission, Targets, renderer
from bot.texts import Language, t
from storage.schedule_models import Schedule

if TYPE_CHECKING:
    from bot.services import Services


async def resolve_targets(services: Services, targets: Targets) -> tuple[int, ...]:
    """The chat ids a broadcast to ``targets`` goes to right now."""
    if targets.chat_ids:
        return targets.chat_ids
    groups = await services.groups.with_tags(targets.tags)
    return tuple(group.chat_id for group in groups)


async def schedule_broadcast(
    services: Services,
    kind: str,
    payload: Payload,
    targets: Targets,
    when: int,
    *,
    creator_id: int | None,
    title: str,
    ref: str | None = None,
    rule: str | None = None,
    quiet: bool = True,
    report: bool = True,
) -> Schedule:
    """Schedule an outbox broadcast of ``kind`` ("text", "product", "teaser", "reminder"...)
    at ``when`` (Unix seconds; the first fire if ``rule`` recurs). Quiet hours shift it to the
    end of the window unless ``quiet`` is False."""
    params = {
        "broadcast_kind": kind,
        "payload": payload.to_json(),
        "targets": targets.to_dict(),
        "report": report,
    }
    return await services.scheduler.create(
        "broadcast", title, params, when, rule=rule, creator_id=creator_id, ref=ref, quiet=quiet
    )


async def send_or_hold(
    services: Services,
    kind: str,
    payload: Payload,
    targets: Targets,
    *,
    creator_id: int,
    title: str,
    ref: str | None = None,
) -> SendDecision:
    """Send a broadcast now, unless it is quiet hours: then hold it and let the admin choose
    (render the question with :func:`quiet_question`; the buttons are handled by
    handlers/schedules.py)."""
    params = {
        "broadcast_kind": kind,
        "payload": payload.to_json(),
        "targets": targets.to_dict(),
        "report": True,
    }
    return await services.scheduler.now_or_hold(
        "broadcast", title, params, creator_id=creator_id, ref=ref
    )


def quiet_question(
    lang: Language, decision: SendDecision, tz: ZoneInfo
) -> tuple[str, tuple[tuple[tuple[str, str], ...], ...]]:
    """The admin's quiet-hours question and its buttons (rows of (label, callback_data))."""
    assert decision.held is not None and decision.quiet_end is not None
    schedule_id = decision.held.id
    text = t(lang, "sch_quiet_question", until=local_iso(decision.quiet_end, tz))
    keyboard = (
        (
            (t(lang, "sch_quiet_now"), encode(QuietAnswer(schedule_id, "now"))),
            (t(lang, "sch_quiet_later"), encode(QuietAnswer(schedule_id, "later"))),
        ),
    )
    return text, keyboard


def payload_of(schedule: Schedule) -> Payload:
    return Payload.from_json(str(schedule.params["payload"]))


@renderer("broadcast")
async def _render_broadcast(
    services: Services, schedule: Schedule, planned: int
) -> list[Submission]:
    params = schedule.params
    chats = await resolve_targets(services, Targets.from_dict(params.get("targets", {})))
    reply_to = None
    if params.get("reply_to_ref"):
        reply_to = await services.outbox.message_ids(str(params["reply_to_ref"]))
    on_sent = None
    if params.get("held_unreachable"):  # a /dm held over quiet hours (bot/broadcast/send_gate.py)

        async def on_sent(broadcast_id: int) -> None:
            await services.reach.move_unreachable(schedule.id, broadcast_id)

    return [
        Submission(
            kind=str(params["broadcast_kind"]),
            payload=payload_of(schedule),
            chat_ids=chats,
            creator_id=schedule.creator_id,
            ref=schedule.ref,
            report=bool(params.get("report", True)) and schedule.creator_id is not None,
            reply_to=reply_to,
            on_sent=on_sent,
        )
    ]
