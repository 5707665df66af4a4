"""Messages, files and the update queue of the sandboxed Telegram; reading back what the bot
sent, and waiting until it has."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from bot.dev.sandbox.records import (
    ApiCall,
    ChatState,
    JSONDict,
    SentMessage,
    StoredFile,
    commands_key,
    image_size,
)
from bot.dev.sandbox.state import WorldState


class WorldUpdates(WorldState):
    """Messages and files, the queue ``getUpdates`` drains, and what the bot did."""

    # ------------------------------------------------------------------ messages

    def now(self) -> int:
        """Wall-clock unix time for ``date`` fields."""
        return int(time.time())

    def new_message(
        self,
        chat: ChatState,
        sender: JSONDict | None,
        fields: JSONDict,
        *,
        sender_chat: ChatState | None = None,
    ) -> JSONDict:
        """Allocate a message id in ``chat``, store and return the Message JSON."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        msg: JSONDict = {"message_id": message_id, "date": self.now(), "chat": self.chat_json(chat)}
        if sender is not None:
            msg["from"] = sender
        if sender_chat is not None:
            msg["sender_chat"] = self.chat_json(sender_chat)
        msg.update(fields)
        chat.messages[message_id] = msg
        return msg

    @staticmethod
    def shallow_message(msg: JSONDict) -> JSONDict:
        """A message as embedded in ``reply_to_message`` (no nested reply)."""
        return {k: v for k, v in msg.items() if k != "reply_to_message"}

    def store_file(
        self,
        data: bytes,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        n = next(self._file_seq)
        prefix = "AgAC" if kind == "photo" else "BQAC"
        if kind == "photo":
            ext = ".png" if data[:4] == b"\x89PNG" else ".jpg"
            path = f"photos/file_{n}{ext}"
        else:
            suffix = ""
            if file_name and "." in file_name:
                suffix = "." + file_name.rsplit(".", 1)[1]
            path = f"documents/file_{n}{suffix}"
        width, height = image_size(data) if kind == "photo" else (0, 0)
        stored = StoredFile(
            file_id=f"{prefix}{self.bot_id}x{n:06d}",
            file_unique_id=f"AQAD{n:06d}",
            data=data,
            file_path=path,
            file_name=file_name,
            mime_type=mime_type,
            kind=kind,
            width=width or (1280 if kind == "photo" else 0),
            height=height or (720 if kind == "photo" else 0),
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # ------------------------------------------------------------------ update queue

    def new_media_group_id(self) -> str:
        return str(13_000_000_000_000_000 + next(self._media_group_seq))

    def _queue_update(self, kind: str, payload: JSONDict, deliver: bool = True) -> JSONDict:
        update: JSONDict = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if deliver:
            self.queue.append(update)
            self._updates_event.set()
        else:
            self._dropped.add(update["update_id"])
            self._progress_event.set()
        return update

    def inject(self, update: JSONDict) -> JSONDict:
        """Queue a raw update; ``update_id`` is assigned when missing (or too small)."""
        update = dict(update)
        uid = update.get("update_id")
        if not isinstance(uid, int) or uid < self._next_update_id:
            update["update_id"] = self._next_update_id
        self._next_update_id = update["update_id"] + 1
        self.queue.append(update)
        self._updates_event.set()
        return update

    def is_consumed(self, update: JSONDict | int) -> bool:
        """True once the bot confirmed the update (or it was never deliverable)."""
        uid = update if isinstance(update, int) else int(update["update_id"])
        return uid < self.confirmed_offset or uid in self._dropped

    def confirm(self, offset: int) -> None:
        """Apply ``getUpdates(offset=...)``: drop every update below ``offset``."""
        if offset <= self.confirmed_offset:
            return
        self.confirmed_offset = offset
        queue = self.queue
        while queue and queue[0]["update_id"] < offset:
            queue.popleft()
        self._progress_event.set()

    def drop_pending(self) -> None:
        for update in self.queue:
            self._dropped.add(update["update_id"])
        self.queue.clear()
        self._progress_event.set()

    def take_updates(self, limit: int) -> list[JSONDict]:
        """Up to ``limit`` pending updates of allowed types (others are discarded)."""
        result: list[JSONDict] = []
        kept: list[JSONDict] = []
        queue = self.queue
        allowed = self.allowed_updates
        discarded = False
        while queue and len(result) < limit:
            update = queue.popleft()
            kind = next((k for k in update if k != "update_id"), "")
            if kind in allowed:
                result.append(update)
                kept.append(update)
            else:
                self._dropped.add(update["update_id"])
                discarded = True
        queue.extendleft(reversed(kept))
        if discarded:
            self._progress_event.set()
        return result

    # ------------------------------------------------------------------ reading back

    def messages(self, chat_id: int | str) -> list[SentMessage]:
        """Messages the bot sent into the chat, in order, current state (deleted flagged)."""
        chat = self.find_chat(chat_id)
        return list(chat.sent.values()) if chat is not None else []

    def sent_count(self) -> int:
        """How many messages the bot has sent so far (a mark for :meth:`sent_since`)."""
        return len(self.sent_log)

    def sent_since(self, mark: int) -> list[SentMessage]:
        """Messages the bot sent after ``mark`` (from :meth:`sent_count`), in send order."""
        return self.sent_log[mark:]

    def last_message(self, chat_id: int | str) -> SentMessage | None:
        chat = self.find_chat(chat_id)
        if chat is None or not chat.sent:
            return None
        return next(reversed(chat.sent.values()))

    def record_call(self, call: ApiCall) -> None:
        self._calls.append(call)

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[ApiCall]:
        """Recorded API calls, optionally filtered (method name is case-insensitive)."""
        wanted = method.lower() if method else None
        return [
            c
            for c in self._calls
            if (wanted is None or c.method.lower() == wanted)
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def reset_calls(self) -> None:
        self._calls.clear()

    def members(self, chat_id: int | str) -> dict[int, str]:
        """user_id -> status for every user the chat knows (the bot excluded)."""
        return dict(self.chat(chat_id).members)

    def bot_status(self, chat_id: int | str) -> str:
        return self.chat(chat_id).bot_status

    def is_banned(self, chat_id: int | str, user_id: int) -> bool:
        return self.chat(chat_id).members.get(user_id) == "kicked"

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands set with setMyCommands for exactly this scope + language."""
        return [dict(c) for c in self.command_lists.get(commands_key(scope, language_code), [])]

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def callback_answer(self, query_id: str) -> JSONDict | None:
        """What the bot answered to a callback query (``None`` if not answered)."""
        return self.callback_answers.get(query_id)

    # ------------------------------------------------------------------ waiting

    def _reset_events(self) -> None:
        """Fresh events for the running loop (events bind to the first loop using them)."""
        self._updates_event = asyncio.Event()
        self._progress_event = asyncio.Event()
        if self.queue:
            self._updates_event.set()

    def wake_pollers(self) -> None:
        self._updates_event.set()

    async def wait_new_updates(self, seconds: float) -> None:
        """Sleep until an update is queued or ``seconds`` pass."""
        event = self._updates_event
        event.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    async def wait_consumed(
        self,
        update: JSONDict | int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public contract
    ) -> None:
        """Return once the bot's ``getUpdates`` confirmed this update.

        Confirmation means PTB fetched it and asked for the next ones; its handler may
        still be running, so follow up with :meth:`wait_for` on the outcome.
        """
        uid = update if isinstance(update, int) else int(update["update_id"])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.is_consumed(uid):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"update {uid} not consumed within {timeout}s "
                    f"(confirmed offset {self.confirmed_offset}, {len(self.queue)} pending; "
                    "is the bot polling, with allowed_updates covering this type?)"
                )
            event = self._progress_event
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.05))

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109
        interval: float = 0.01,
    ) -> Any:
        """Poll ``predicate`` until it returns something truthy, and return that value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if loop.time() >= deadline:
                recent = ", ".join(
                    f"{c.method}({c.params.get('chat_id', '')})->{c.status}"
                    for c in self._calls[-8:]
                )
                name = getattr(predicate, "__qualname__", repr(predicate))
                raise TimeoutError(
                    f"condition {name} still false after {timeout}s; "
                    f"last calls: [{recent}]; pending updates: {len(self.queue)}"
                )
            await asyncio.sleep(interval)

    async def wait_for_messages(
        self,
        chat_id: int | str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` messages into the chat."""
        await self.wait_for(lambda: len(self.messages(chat_id)) >= count, timeout)
        return self.messages(chat_id)
