"""The outbox API every feature uses to send one piece of content to many chats.

``services.outbox.submit(...)`` writes a ``broadcasts`` row and one ``deliveries`` row per target
chat in one transaction, then wakes the delivery engine (bot/broadcast/delivery/engine.py), which
sends them within Telegram's limits. See docs/ARCHITECTURE.md ("Broadcasts and the outbox").

A feature whose broadcast must commit together with its own state change (a transactional
outbox, e.g. stock notices) builds the row with :func:`new_broadcast` and hands it to its
repository, which writes it with ``storage.outbox.insert_broadcast`` in the same transaction;
after the commit it calls ``services.outbox.wake()``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from bot.common.splitting import CAPTION_LIMIT, TEXT_LIMIT, split_html
from storage.outbox import Broadcast, DeliveryFailure, NewBroadcast, OutboxRepository

if TYPE_CHECKING:
    from telegram import InlineKeyboardMarkup

__all__ = [
    "Broadcast",
    "DeliveryFailure",
    "Keyboard",
    "NewBroadcast",
    "Outbox",
    "Part",
    "Payload",
    "PayloadKind",
    "layout",
    "new_broadcast",
]

PayloadKind = Literal["text", "photo", "album", "document"]
Keyboard = tuple[tuple[tuple[str, str], ...], ...]
MAX_ALBUM = 10


@dataclass(frozen=True, slots=True)
class Payload:
    """What every target chat receives. ``text`` is HTML already rendered by the caller with
    bot.texts.t / escape (text of a text message, or the caption of a photo/album/document).
    The engine splits text over 4096 chars on line boundaries into several messages, and a
    caption over 1024 into caption + follow-up text message(s)."""

    kind: PayloadKind
    text: str
    media: tuple[str, ...] = ()  # Telegram file_ids: 1 photo / 2-10 album photos / 1 document
    # Inline keyboard rows of (label, callback_data or URL); a value starting with "http" is a
    # URL button, anything else callback_data (<= 64 bytes). Attached to the (last) message.
    keyboard: Keyboard = ()

    def __post_init__(self) -> None:
        expected = {"text": (0, 0), "photo": (1, 1), "document": (1, 1), "album": (2, MAX_ALBUM)}
        low, high = expected[self.kind]
        if not low <= len(self.media) <= high:
            raise ValueError(f"a {self.kind} payload takes {low}-{high} media, not {self.media}")
        if self.kind == "text" and not self.text.strip():
            raise ValueError("a text payload needs text")

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "text": self.text,
                "media": list(self.media),
                "keyboard": [[list(button) for button in row] for row in self.keyboard],
            },
            ensure_ascii=False,
        )

    @staticmethod
    def from_json(data: str) -> Payload:
        raw = json.loads(data)
        keyboard = tuple(
            tuple((str(label), str(value)) for label, value in row) for row in raw["keyboard"]
        )
        return Payload(raw["kind"], raw["text"], tuple(raw["media"]), keyboard)

    def with_text(self, text: str) -> Payload:
        return Payload(self.kind, text, self.media, self.keyboard)

    def with_keyboard(self, keyboard: Keyboard) -> Payload:
        return Payload(self.kind, self.text, self.media, keyboard)


@dataclass(frozen=True, slots=True)
class Part:
    """One API call of a delivery. ``kind`` "text" → sendMessage, "photo"/"document" → one
    media message with ``text`` as caption, "album" → sendMediaGroup (``text`` is the first
    item's caption). ``size`` is how many messages it makes (what the limits count)."""

    kind: PayloadKind
    text: str
    media: tuple[str, ...] = ()
    keyboard: Keyboard = ()

    @property
    def size(self) -> int:
        return len(self.media) if self.kind == "album" else 1


def layout(payload: Payload) -> list[Part]:
    """The messages a payload becomes, in order; deterministic, so stored message ids map back
    onto the parts (for edits). The keyboard goes on the last part; an album cannot carry one,
    so an album with a keyboard sends its caption as a text message after the photos."""
    if payload.kind == "text":
        texts = split_html(payload.text, TEXT_LIMIT)
        parts = [Part("text", text) for text in texts]
    else:
        move_caption = payload.kind == "album" and bool(payload.keyboard)
        if move_caption:
            caption, rest = "", split_html(payload.text, TEXT_LIMIT)
        else:
            pieces = split_html(payload.text, TEXT_LIMIT, first_limit=CAPTION_LIMIT)
            caption, rest = (pieces[0], pieces[1:]) if pieces else ("", [])
        parts = [Part(payload.kind, caption, payload.media)]
        parts += [Part("text", text) for text in rest]
    if payload.keyboard:
        if parts[-1].kind == "album":
            raise ValueError("an album with a keyboard needs text for the keyboard's message")
        last = parts[-1]
        parts[-1] = Part(last.kind, last.text, last.media, payload.keyboard)
    return parts


def new_broadcast(
    kind: str,
    payload: Payload,
    chat_ids: Sequence[int],
    creator_id: int | None,
    *,
    ref: str | None = None,
    reply_to: Mapping[int, int] | None = None,
    idempotency_key: str | None = None,
    report: bool = True,
    language: str | None = None,
) -> NewBroadcast:
    """The row to write for a broadcast (pure). Raises ValueError for a payload that could never
    be sent, before anything is written; repeated chat ids are dropped."""
    layout(payload)
    replies = reply_to or {}
    unique = list(dict.fromkeys(chat_ids))
    return NewBroadcast(
        kind=kind,
        ref=ref,
        payload=payload.to_json(),
        creator_id=creator_id,
        targets=tuple((chat_id, replies.get(chat_id)) for chat_id in unique),
        idempotency_key=idempotency_key,
        report=report and creator_id is not None,
        language=language,
    )


def inline_markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, url=value)
                if value.startswith("http")
                else InlineKeyboardButton(label, callback_data=value)
                for label, value in row
            ]
            for row in keyboard
        ]
    )


class Engine(Protocol):
    """What the outbox needs from the running delivery engine (bot/broadcast/delivery/engine.py)."""

    def wake(self) -> None: ...

    def busy(self) -> bool: ...

    async def edit_everywhere(
        self, broadcast_id: int, text: str | None, keyboard: Keyboard | None
    ) -> tuple[int, int]: ...

    async def retract(self, broadcast_id: int) -> tuple[int, int]: ...


class Outbox:
    """The facade (``services.outbox``). Usable before the engine runs: submissions wait in
    SQLite and are sent once the engine starts."""

    def __init__(self, repository: OutboxRepository, now: Callable[[], int]) -> None:
        self.repository = repository
        self._now = now
        self.engine: Engine | None = None

    async def submit(
        self,
        kind: str,
        payload: Payload,
        chat_ids: Sequence[int],
        creator_id: int | None,
        *,
        ref: str | None = None,
        reply_to: Mapping[int, int] | None = None,
        idempotency_key: str | None = None,
        report: bool = True,
        language: str | None = None,
    ) -> int:
        """Write the broadcast and its deliveries in one transaction and wake the engine.
        Returns the broadcast id (the first one's for a repeated ``idempotency_key``).
        ``language`` is the creator's, for the progress message and report."""
        new = new_broadcast(
            kind,
            payload,
            chat_ids,
            creator_id,
            ref=ref,
            reply_to=reply_to,
            idempotency_key=idempotency_key,
            report=report,
            language=language,
        )
        broadcast_id, _ = await self.repository.add(new, self._now())
        self.wake()
        return broadcast_id

    def wake(self) -> None:
        """Tell the engine there are new deliveries; without a running engine they wait for its
        start. Inside a transaction the engine is told after the COMMIT: it reads through the
        read connection, which sees only committed rows (and nothing if the writes roll back)."""
        self.repository.after_commit(self._wake_engine)

    def _wake_engine(self) -> None:
        if self.engine is not None:
            self.engine.wake()

    async def message_ids(self, ref: str) -> dict[int, int]:
        """chat_id -> first message_id of the most recent delivered broadcast with this ref."""
        return await self.repository.latest_message_ids(ref)

    async def message_ids_many(self, refs: Sequence[str]) -> dict[str, dict[int, int]]:
        """:meth:`message_ids` for many refs at once (refs never delivered are absent)."""
        return await self.repository.latest_message_ids_many(refs)

    async def edit_everywhere(
        self,
        broadcast_id: int,
        *,
        text: str | None = None,
        keyboard: Keyboard | None = None,
    ) -> tuple[int, int]:
        """Edit text/caption and/or keyboard of the broadcast in every chat it reached.
        Returns (edited, failed). Raises ValueError if the new text needs more messages than
        the broadcast has, or LookupError for an unknown broadcast."""
        return await self._engine().edit_everywhere(broadcast_id, text, keyboard)

    async def retract(self, broadcast_id: int) -> tuple[int, int]:
        """Delete the broadcast's messages in every chat (and cancel what is not sent yet).
        Returns (deleted, failed)."""
        return await self._engine().retract(broadcast_id)

    async def claim_retraction(self, broadcast_id: int) -> bool:
        """Mark the broadcast retracted (the engine deletes it with :meth:`retract`); False when
        it already was, e.g. by the first press of a double click."""
        return await self.repository.claim_retraction(broadcast_id, self._now())

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.repository.get(broadcast_id)

    async def recent(self, limit: int = 10) -> list[Broadcast]:
        return await self.repository.recent(limit)

    async def wait_idle(self, timeout: float) -> None:  # noqa: ASYNC109 - the contract's name
        """Until nothing is pending or in flight (reports included); TimeoutError otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if not self._engine_busy() and await self.repository.open_count() == 0:
                return
            if loop.time() >= deadline:
                raise TimeoutError(f"outbox not idle after {timeout}s")
            await asyncio.sleep(0.02)

    def _engine_busy(self) -> bool:
        return self.engine is not None and self.engine.busy()

    def _engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("the delivery engine is not running")
        return self.engine
