"""Immediate sends that respect quiet hours: submit now, or hold and ask the admin.

During quiet hours an admin's "send now" is held as a one-off schedule and the admin is asked
"send now anyway" or "at the end of quiet hours" (the buttons are handled by
handlers/schedules.py). Outside quiet hours the broadcast goes straight to the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.broadcast.outbox import Keyboard, Payload
from bot.common.quiet import quiet_until
from bot.scheduling.broadcasts import quiet_question, send_or_hold
from bot.scheduling.model import Targets
from bot.services import Services
from bot.texts import Language


@dataclass(frozen=True, slots=True)
class GateResult:
    """Either ``broadcast_id`` (sent) or ``question`` + ``keyboard`` (held for the admin)."""

    broadcast_id: int | None = None
    question: str | None = None
    keyboard: Keyboard = ()


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
) -> GateResult:
    settings = services.settings
    if quiet_until(services.now(), settings.quiet_windows, settings.tz) is None:
        broadcast_id = await services.outbox.submit(
            kind, payload, chat_ids, creator_id, ref=ref, language=lang
        )
        return GateResult(broadcast_id=broadcast_id)
    decision = await send_or_hold(
        services,
        kind,
        payload,
        Targets(chat_ids=tuple(chat_ids)),
        creator_id=creator_id,
        title=title,
        ref=ref,
    )
    if decision.held is None:  # the quiet window ended in between: it went out
        return GateResult(broadcast_id=decision.broadcast_id)
    question, keyboard = quiet_question(lang, decision, settings.tz)
    return GateResult(question=question, keyboard=keyboard)
