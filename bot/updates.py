"""How updates are scheduled: different chats concurrently, one chat in arrival order.

PTB's default handles one update at a time, so one chat's slow handler (a refusal waiting for
its group's 20-a-minute send window, a big import) delays every other user.
``ChatOrderedUpdateProcessor`` runs the updates of different chats at the same time (at most
``max_running`` handlers at once) and the updates of one chat strictly one after another, in
the order they arrived: a conversation still sees its messages in order, and a flooding chat
queues behind itself only. A chat's queue is bounded; what arrives beyond it is dropped and
logged, so a flood never holds unbounded memory.

What relies on the order stays safe: ConversationHandler state is per chat and user (ordered);
``user_data`` is shared by a user's private chat and groups, but no handler keeps it across an
``await`` in a way another chat's step could break (drafts live in private conversations);
database writes go through one lock.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_RUNNING_UPDATES = 64
# Updates of one chat waiting behind the one being handled. Far above what a busy group sends
# while one update is handled, and above a catch-up after downtime (getUpdates hands out 100 at
# a time, and a group's updates take milliseconds each): only a flood reaches it.
MAX_BACKLOG_PER_CHAT = 1000
# PTB's own bound (its semaphore, taken before ``do_process_update``): updates admitted at
# once, running, waiting their chat's turn or being dropped. Above it PTB holds the rest.
MAX_ADMITTED_UPDATES = 10_000


def ordering_key(update: object) -> int | None:
    """The chat whose order ``update`` keeps: its chat (a button's message's chat for a
    callback query), else its user (a private chat's id is its user's id), else None."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


# A chat's waiting updates are run by the task that holds the chat's turn, one after another,
# and it lets the other chats run after this many (so a backlog never holds the loop for long).
SERVE_BEFORE_YIELDING = 32


@dataclass(slots=True)
class _Turn:
    """An update waiting for its chat: its handling, and what its own task waits for (True:
    the lane's holder ran it; False: the lane is now this update's task's to hold)."""

    coroutine: Awaitable[Any]
    done: asyncio.Future[bool]


@dataclass
class _Lane:
    """One chat's updates: whether one is being handled, those waiting."""

    busy: bool = False
    waiting: deque[_Turn] = field(default_factory=deque)
    dropped: int = 0


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat, bounded in both.

    ``do_process_update`` returns only once the update is handled (or dropped), so PTB's
    ``update_queue.join()`` still means "everything fetched is handled"; ``drained()`` says
    the same from the processor's side.
    """

    __slots__ = ("_backlog", "_idle", "_in_flight", "_lanes", "_running", "dropped_updates")

    def __init__(
        self,
        max_running: int = MAX_RUNNING_UPDATES,
        max_backlog_per_chat: int = MAX_BACKLOG_PER_CHAT,
        max_admitted: int = MAX_ADMITTED_UPDATES,
    ) -> None:
        if max_running < 1 or max_backlog_per_chat < 0 or max_admitted < max_running:
            raise ValueError("bounds must be positive and admit at least max_running updates")
        super().__init__(max_admitted)
        self._running = asyncio.Semaphore(max_running)
        self._backlog = max_backlog_per_chat
        self._lanes: dict[int, _Lane] = {}
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.dropped_updates = 0

    async def initialize(self) -> None:
        """Nothing to allocate: lanes are created on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB stops only after every admitted update is handled."""

    @property
    def in_flight(self) -> int:
        """Updates admitted and not yet handled (running or waiting their chat's turn)."""
        return self._in_flight

    async def drained(self) -> None:
        """Return once no update is running or waiting."""
        await self._idle.wait()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            key = ordering_key(update)
            if key is None:
                async with self._running:
                    await coroutine
                return
            await self._in_order(key, coroutine)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _in_order(self, key: int, coroutine: Awaitable[Any]) -> None:
        """Handle ``coroutine`` in its chat's order. The task that finds the chat idle holds
        its lane: it handles its update, then the ones that queued meanwhile, in order, and
        resolves each one's ``done`` (a backlog costs no round of the event loop per update;
        its tasks wake together). A queued update's task only waits, unless the holder leaves
        (cancelled): then the lane passes to the next waiting task."""
        lane = self._lanes.setdefault(key, _Lane())
        if lane.busy:
            if len(lane.waiting) >= self._backlog:
                self._drop(key, lane, coroutine)
                return
            turn = _Turn(coroutine, asyncio.get_running_loop().create_future())
            lane.waiting.append(turn)
            try:
                if await turn.done:
                    return  # handled by the lane's holder (its error, if any, raised here)
            except asyncio.CancelledError:
                # Not started: the holder drops it when it comes to it. Handed the lane just
                # before being cancelled: hand it on.
                if turn.done.done() and not turn.done.cancelled() and not turn.done.result():
                    _close(coroutine)
                    self._hand_on(key, lane)
                raise
        else:
            lane.busy = True
        try:
            async with self._running:
                await coroutine
        except BaseException:
            self._hand_on(key, lane)
            raise
        await self._serve(key, lane)

    async def _serve(self, key: int, lane: _Lane) -> None:
        """Handle the chat's waiting updates in this task, in order, until none is left."""
        served = 0
        try:
            while lane.waiting:
                turn = lane.waiting.popleft()
                served += 1
                if served % SERVE_BEFORE_YIELDING == 0:
                    await asyncio.sleep(0)
                if turn.done.done():  # its task was cancelled while it waited
                    _close(turn.coroutine)
                    continue
                try:
                    async with self._running:
                        await turn.coroutine
                except asyncio.CancelledError:
                    turn.done.cancel()
                    task = asyncio.current_task()
                    if task is not None and task.cancelling():
                        raise  # this task is cancelled (stopping), not just that update
                except Exception as error:
                    turn.done.set_exception(error)
                else:
                    turn.done.set_result(True)
        except BaseException:
            self._hand_on(key, lane)
            raise
        self._retire(key, lane)

    def _drop(self, key: int, lane: _Lane, coroutine: Awaitable[Any]) -> None:
        lane.dropped += 1
        self.dropped_updates += 1
        if lane.dropped == 1:
            log.warning(
                "chat %s has %d updates waiting; dropping what it sends until it catches up",
                key,
                len(lane.waiting),
            )
        _close(coroutine)

    def _hand_on(self, key: int, lane: _Lane) -> None:
        """The lane's holder leaves early: the next waiting update's task holds it now (or
        the lane is retired)."""
        while lane.waiting:
            turn = lane.waiting.popleft()
            if not turn.done.done():
                turn.done.set_result(False)
                return
            _close(turn.coroutine)
        self._retire(key, lane)

    def _retire(self, key: int, lane: _Lane) -> None:
        lane.busy = False
        if lane.dropped:
            log.warning("chat %s caught up; %d of its updates were dropped", key, lane.dropped)
        del self._lanes[key]


def _close(coroutine: Awaitable[Any]) -> None:
    """Discard a coroutine that will never run (no "never awaited" warning)."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()
