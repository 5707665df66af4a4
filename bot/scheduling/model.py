"""The scheduler's value types, and the registry of what each kind of schedule sends.

Features register a renderer per schedule kind with :func:`renderer` at import; a fire of that
kind calls it and hands the :class:`Submission` list it returns to the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.broadcast.outbox import Payload
from storage.schedule_models import Schedule

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True, slots=True)
class Targets:
    """Who receives a scheduled broadcast: explicit chats, else the active groups carrying any
    of ``tags`` (all active groups when there are no tags), resolved at fire time."""

    tags: tuple[str, ...] = ()
    chat_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"tags": list(self.tags), "chat_ids": list(self.chat_ids)}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Targets:
        return Targets(
            tags=tuple(str(tag) for tag in data.get("tags", ())),
            chat_ids=tuple(int(chat) for chat in data.get("chat_ids", ())),
        )


@dataclass(frozen=True)
class Submission:
    """One outbox broadcast a fire makes. ``key`` distinguishes several broadcasts of one fire
    (e.g. one per agent for addressed greetings) inside the idempotency key."""

    kind: str
    payload: Payload
    chat_ids: tuple[int, ...]
    creator_id: int | None = None
    ref: str | None = None
    key: str = ""
    report: bool = False
    reply_to: Mapping[int, int] | None = None
    # Called with the broadcast id inside the transaction that writes the broadcast (writes
    # only: no Telegram call); also on a repeated fire, which gets the first broadcast's id.
    on_sent: Callable[[int], Awaitable[None]] | None = field(default=None, compare=False)


Renderer = Callable[["Services", Schedule, int], Awaitable[list[Submission]]]
# kind -> how a fire of that kind turns into broadcasts; features register theirs at import.
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        if kind in RENDERERS:
            raise RuntimeError(f"two renderers for schedule kind {kind!r}")
        RENDERERS[kind] = function
        return function

    return register


@dataclass(frozen=True, slots=True)
class FireResult:
    schedule_id: int
    planned_at: int
    status: str  # sent / shifted / missed / skipped
    broadcast_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SendDecision:
    """What :func:`send_or_hold` did: sent (``broadcast_id``) or held for the quiet-hours
    question (``held`` schedule, ``quiet_end`` = when it would go out by itself)."""

    broadcast_id: int | None = None
    held: Schedule | None = None
    quiet_end: int | None = None
