"""Sample requests (寄样, migration 0009) and their history.

A request is ``requested`` until an admin declines it or ships it (with a tracking number);
each is a conditional update, so of two admins pressing at once only one acts. A shipped
sample may later get the agent's listing answer. Every change appends a ``sample_events`` row
in the same transaction.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Literal

import aiosqlite

from storage.db import Database

SampleStatus = Literal["requested", "declined", "shipped"]
ListingAnswer = Literal["listed", "not_yet"]
SHIPPED_TAG = "已寄样"


@dataclass(frozen=True, slots=True)
class Sample:
    id: int
    user_id: int
    sku: str
    status: SampleStatus
    requested_at: int
    decided_by: int | None = None
    decided_at: int | None = None
    tracking: str | None = None
    asked_at: int | None = None
    answer: ListingAnswer | None = None
    listing_url: str | None = None
    answered_at: int | None = None


@dataclass(frozen=True, slots=True)
class SampleEvent:
    at: int
    actor_id: int | None
    event: str
    detail: str | None


@dataclass(frozen=True, slots=True)
class FollowUpSample:
    """A shipped sample due a "listed yet?" question, with the agent's name."""

    sample: Sample
    name: str


def _sample(row: aiosqlite.Row) -> Sample:
    return Sample(
        id=row["id"],
        user_id=row["user_id"],
        sku=row["sku"],
        status=row["status"],
        requested_at=row["requested_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        tracking=row["tracking"],
        asked_at=row["asked_at"],
        answer=row["answer"],
        listing_url=row["listing_url"],
        answered_at=row["answered_at"],
    )


async def _event(
    connection: aiosqlite.Connection,
    sample_id: int,
    now: int,
    actor_id: int | None,
    event: str,
    detail: str | None = None,
) -> None:
    await connection.execute(
        "INSERT INTO sample_events (sample_id, at, actor_id, event, detail) VALUES (?, ?, ?, ?, ?)",
        (sample_id, now, actor_id, event, detail),
    )


class SampleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def request(self, user_id: int, sku: str, now: int) -> Sample | None:
        """A new request; None when the agent already has an open one for ``sku``."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO samples (user_id, sku, status, requested_at)"
                " VALUES (?, ?, 'requested', ?)",
                (user_id, sku, now),
            )
            if cursor.rowcount == 0:
                return None
            sample_id = cursor.lastrowid
            assert sample_id is not None
            await _event(connection, sample_id, now, user_id, "requested")
            return await self.get(sample_id)

    async def get(self, sample_id: int) -> Sample | None:
        row = await self._db.fetchone("SELECT * FROM samples WHERE id = ?", (sample_id,))
        return _sample(row) if row else None

    async def requests_since(self, user_id: int, since: int) -> int:
        row = await self._db.fetchone(
            "SELECT count(*) FROM samples WHERE user_id = ? AND requested_at >= ?",
            (user_id, since),
        )
        return int(row[0]) if row else 0

    async def decline(self, sample_id: int, actor_id: int, now: int) -> Sample | None:
        """Decline an open request; None when it is not open (already decided)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE samples SET status = 'declined', decided_by = ?, decided_at = ?"
                " WHERE id = ? AND status = 'requested'",
                (actor_id, now, sample_id),
            )
            if cursor.rowcount == 0:
                return None
            await _event(connection, sample_id, now, actor_id, "declined")
            return await self.get(sample_id)

    async def ship(self, sample_id: int, tracking: str, actor_id: int, now: int) -> Sample | None:
        """Approve and ship an open request with its tracking number, and tag the agent
        已寄样; None when it is not open (another admin decided first)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE samples SET status = 'shipped', decided_by = ?, decided_at = ?,"
                " tracking = ? WHERE id = ? AND status = 'requested'",
                (actor_id, now, tracking, sample_id),
            )
            if cursor.rowcount == 0:
                return None
            await _event(connection, sample_id, now, actor_id, "shipped", tracking)
            sample = await self.get(sample_id)
            assert sample is not None
            await connection.execute(
                "INSERT OR IGNORE INTO agent_tags (user_id, tag) VALUES (?, ?)",
                (sample.user_id, SHIPPED_TAG),
            )
            return sample

    async def asked(self, sample_id: int, actor_id: int, now: int) -> Sample | None:
        """Record that an admin asked the agent about listing; None unless shipped."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE samples SET asked_at = ? WHERE id = ? AND status = 'shipped'",
                (now, sample_id),
            )
            if cursor.rowcount == 0:
                return None
            await _event(connection, sample_id, now, actor_id, "asked")
            return await self.get(sample_id)

    async def answer(
        self, sample_id: int, answer: ListingAnswer, url: str | None, now: int
    ) -> Sample | None:
        """The agent's listing answer for a shipped sample; None unless shipped and not yet
        answered "listed" (that answer is final)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE samples SET answer = ?, listing_url = ?, answered_at = ?"
                " WHERE id = ? AND status = 'shipped' AND coalesce(answer, '') != 'listed'",
                (answer, url, now, sample_id),
            )
            if cursor.rowcount == 0:
                return None
            sample = await self.get(sample_id)
            assert sample is not None
            await _event(connection, sample_id, now, sample.user_id, answer, url)
            return sample

    async def of_agent(self, user_id: int, limit: int) -> builtins.list[Sample]:
        """The agent's latest samples, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM samples WHERE user_id = ? ORDER BY id DESC LIMIT ?", (user_id, limit)
        )
        return [_sample(row) for row in rows]

    async def events(self, sample_id: int) -> builtins.list[SampleEvent]:
        rows = await self._db.fetchall(
            "SELECT at, actor_id, event, detail FROM sample_events WHERE sample_id = ? ORDER BY id",
            (sample_id,),
        )
        return [SampleEvent(r["at"], r["actor_id"], r["event"], r["detail"]) for r in rows]

    async def follow_ups_due(
        self, shipped_before: int, asked_before: int, limit: int
    ) -> builtins.list[FollowUpSample]:
        """Shipped samples of active agents with no "listed" answer, shipped before
        ``shipped_before`` and not asked since ``asked_before``, oldest first."""
        rows = await self._db.fetchall(
            "SELECT s.*, coalesce(nullif(a.remark, ''), a.first_name) AS name"
            " FROM samples s JOIN agents a ON a.user_id = s.user_id"
            " WHERE s.status = 'shipped' AND s.decided_at < ?"
            " AND (s.answer IS NULL OR s.answer = 'not_yet')"
            " AND coalesce(s.asked_at, 0) < ? AND a.status = 'active'"
            " ORDER BY s.decided_at, s.id LIMIT ?",
            (shipped_before, asked_before, limit),
        )
        return [FollowUpSample(_sample(row), str(row["name"])) for row in rows]
