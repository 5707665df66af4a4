"""Immediate sends that respect quiet hours: submit now, or hold and ask the admin.

During quiet hours an admin's "send now" is held as a one-off schedule and the admin is asked
"send now anyway" or "at the end of quiet hours" (the buttons are handled by
handlers/schedules.py). Outside quiet hours the broadcast goes straight to the outbox.

Both may run inside the transaction of an audited change (``services.audited``), so neither
waits for the scheduler's fire lock: the quiet decision is taken once, from one reading of the
clock, and a held send is only written (never fired from here).

A private send's ``unreachable`` agents (never started the bot, blocked it) are written with it
as failed deliveries, so its report lists them; a held send keeps them with its schedule
(storage/reach.py ``held_unreachable``) until it fires, when they join the broadcast in its
own transaction (bot/scheduling/broadcasts.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.broadcast.outbox import Keyboard, Payload
from bot.common.quiet import quiet_until
from bot.scheduling.broadcasts import quiet_question
from bot.scheduling.model import SendDecision, Targets
from bot.services import Services
from bot.texts import Language


@dataclass(frozen=True, slots=True)
class GateResult:
    """Either ``broadcast_id`` (sent) or ``question`` + ``keyboard`` (held for the admin, as
    schedule ``held_id``)."""

    broadcast_id: int | None = None
    question: str | None = None
    keyboard: Keyboard = ()
    held_id: int | None = None


async def submit_unless_quiet(
    services: Services,
    kind: str,
    payload: Payload,
    chat_ids: Sequence[int],
    creator_id: int,
    *,
    title: str,
    lang: Language,
    ref: str | None = None,
    unreachable: Sequence[tuple[int, str]] = (),
) -> GateResult:
    """Submit now, or hold and ask (see the module). ``unreachable``: (user id, reason) of
    the agents a private send cannot reach, for its report."""
    settings = services.settings
    now = services.now()
    end = quiet_until(now, settings.quiet_windows, settings.tz)
    if end is None:
        broadcast_id = await services.outbox.submit(
            kind, payload, chat_ids, creator_id, ref=ref, language=lang
        )
        if unreachable:
            await services.reach.add_unreachable(broadcast_id, unreachable)
        return GateResult(broadcast_id=broadcast_id)
    params = {
        "broadcast_kind": kind,
        "payload": payload.to_json(),
        "targets": Targets(chat_ids=tuple(chat_ids)).to_dict(),
        "report": True,
    }
    if unreachable:
        params["held_unreachable"] = True
    decision = await hold(
        services, "broadcast", title, params, now, end, creator_id=creator_id, ref=ref
    )
    assert decision.held is not None
    if unreachable:
        await services.reach.hold_unreachable(decision.held.id, unreachable)
    question, keyboard = quiet_question(lang, decision, settings.tz)
    return GateResult(question=question, keyboard=keyboard, held_id=decision.held.id)


async def hold(
    services: Services,
    kind: str,
    title: str,
    params: Mapping[str, Any],
    now: int,
    quiet_end: int,
    *,
    creator_id: int,
    ref: str | None = None,
) -> SendDecision:
    """Hold a send asked for during quiet hours (``now`` is in the window that ends at
    ``quiet_end``) as a one-off schedule of ``kind`` for the admin's quiet-hours question."""
    held = await services.scheduler.create(
        kind, title, params, now, creator_id=creator_id, ref=ref, held=True
    )
    return SendDecision(held=held, quiet_end=quiet_end)
