"""Batched last-seen: a chatty group costs one transaction per flush, not one per message.

A message from an agent in a group is noted here, in memory; an agent is noted at most once a
:data:`SEEN_WRITE_INTERVAL` (later messages in that minute change nothing the lists show at a
minute's grain). What is noted is written in ONE transaction for every agent
(:meth:`AgentRepository.seen_many`) when a later note finds the oldest pending sighting
:data:`FLUSH_INTERVAL` old or :data:`FLUSH_SIZE` agents pending, when the bot stops (a shutdown
hook), and before any read that shows last-seen or memberships: the repositories await
``Database.pending_writes``, which is :meth:`LastSeenBuffer.flush`. So no reader ever sees an
older last-seen than the messages it was sent after, and no timer is needed; time comes from
the injected clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.agents import AgentRepository, Sighting
from storage.db import Database

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# last_seen_at is written at most this often per agent.
SEEN_WRITE_INTERVAL = 60
# A note flushes the buffer when the last flush is this old (seconds) ...
FLUSH_INTERVAL = 10
# ... or when this many agents are pending.
FLUSH_SIZE = 500


@dataclass(slots=True)
class _Pending:
    first_name: str
    last_name: str | None
    username: str | None
    language: str | None
    at: int
    group_ids: set[int] = field(default_factory=set)


class LastSeenBuffer:
    """Sightings of agents in groups, held in memory and written in batches."""

    def __init__(
        self,
        db: Database,
        agents: AgentRepository,
        clock: Callable[[], int],
        *,
        flush_interval: int = FLUSH_INTERVAL,
        flush_size: int = FLUSH_SIZE,
    ) -> None:
        self._db = db
        self._agents = agents
        self._clock = clock
        self._flush_interval = flush_interval
        self._flush_size = flush_size
        self._pending: dict[int, _Pending] = {}
        # user id -> the last-seen time last noted (pending or written).
        self._noted: dict[int, int] = {}
        # When the oldest pending sighting was noted.
        self._batch_started = clock()
        self._flush_lock = asyncio.Lock()
        self.flushes = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def noted(self, user_id: int, at: int) -> None:
        """The agent's last-seen was just written elsewhere (they joined): no note needed
        for a minute."""
        self._noted[user_id] = at

    async def seen(
        self,
        group_id: int,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language: str | None,
    ) -> None:
        """The agent wrote in the group (database id ``group_id``) now."""
        now = self._clock()
        await self.flush_if_due()
        pending = self._pending.get(user_id)
        if pending is not None:
            pending.group_ids.add(group_id)
            return
        last = self._noted.get(user_id)
        if last is not None and now - last < SEEN_WRITE_INTERVAL:
            return
        if not self._pending:
            self._batch_started = now
        self._noted[user_id] = now
        self._pending[user_id] = _Pending(
            first_name, last_name, username, language, now, {group_id}
        )
        if len(self._pending) >= self._flush_size:
            await self.flush()

    def skip(self, user_id: int) -> bool:
        """Whether a message from ``user_id`` now changes nothing: the agent was noted less
        than a minute ago (pending or written), so the handler need not look anything up.
        (A second group the agent writes in within that minute gets its membership at the
        next note, as before batching.)"""
        last = self._noted.get(user_id)
        return last is not None and self._clock() - last < SEEN_WRITE_INTERVAL

    async def flush_if_due(self) -> None:
        """Flush when the oldest pending sighting is a flush interval old: called on every
        group message, noted or not, so a busy group needs no timer."""
        if self._pending and self._clock() - self._batch_started >= self._flush_interval:
            await self.flush()

    async def flush(self) -> None:
        """Write every pending sighting in one transaction. Waits for a flush under way, so
        that a reader that flushes sees what was noted before it."""
        if not self._pending and not self._flush_lock.locked():
            return
        if self._db.in_transaction():
            # The caller holds the write lock: a flush under way may be waiting for it, so
            # write what is pending now as part of the caller's transaction.
            await self._write()
            return
        async with self._flush_lock:
            await self._write()

    async def _write(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        sightings = [
            Sighting(
                user_id,
                p.first_name,
                p.last_name,
                p.username,
                p.language,
                p.at,
                tuple(sorted(p.group_ids)),
            )
            for user_id, p in batch.items()
        ]
        try:
            await self._agents.seen_many(sightings)
        except BaseException:
            # Kept for the next flush: a sighting noted since stays (it is newer).
            for user_id, p in batch.items():
                self._pending.setdefault(user_id, p)
            raise
        self.flushes += 1
        log.debug("last-seen flushed for %d agents", len(sightings))


async def flush_last_seen(application: object, services: Services) -> None:
    """Shutdown hook: what is noted is written before the database closes."""
    await services.last_seen.flush()
