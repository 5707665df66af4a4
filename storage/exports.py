"""Reads for the agents spreadsheet: every agent with what the export shows, in keyset batches;
and the agents (with their profiles) an import's batch of rows names, in one query each.

A batch is one query on the read connection (``user_id > after ORDER BY user_id LIMIT n``), so
the export never holds more than a batch in memory and never keeps the reader busy for long;
other coroutines' reads run between two batches. The batches are not one snapshot: an agent
changed while the export runs shows its state when its batch was read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.agents import agent_from_row
from storage.db import Database
from storage.models import Agent
from storage.profile_models import PROFILE_FIELDS, StoreProfile, Tier

# A row as read (sqlite3.Row) or as a dict of its columns (a batch sent to another process).
_Row = aiosqlite.Row | Mapping[str, Any]
_PROFILE_SELECT = ", ".join(f"p.{name} AS p_{name}" for name in PROFILE_FIELDS)
_SEPARATOR = "\x1f"
_AGENTS_SQL = f"""
SELECT a.*,
    (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM agent_tags t
        WHERE t.user_id = a.user_id ORDER BY tag)) AS tags,
    p.user_id AS p_user_id, {_PROFILE_SELECT}
FROM agents a
LEFT JOIN agent_profiles p ON p.user_id = a.user_id
WHERE a.user_id IN (SELECT value FROM json_each(?))
"""
_BATCH_SQL = f"""
SELECT a.*,
    (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM agent_tags t
        WHERE t.user_id = a.user_id ORDER BY tag)) AS tags,
    (SELECT group_concat(title, char(31)) FROM (SELECT g.title FROM memberships m
        JOIN groups g ON g.id = m.group_id
        WHERE m.user_id = a.user_id AND m.status = 'member' ORDER BY g.title)) AS group_titles,
    p.user_id AS p_user_id, {_PROFILE_SELECT},
    s.score AS s_score, s.tier AS s_tier,
    (SELECT sum(o.orders) FROM agent_orders o WHERE o.user_id = a.user_id) AS o_orders,
    (SELECT sum(o.amount_cents) FROM agent_orders o WHERE o.user_id = a.user_id) AS o_amount
FROM agents a
LEFT JOIN agent_profiles p ON p.user_id = a.user_id
LEFT JOIN agent_scores s ON s.user_id = a.user_id
WHERE a.user_id > ?
ORDER BY a.user_id
LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One agent as the spreadsheet shows it (removed agents included)."""

    agent: Agent
    profile: StoreProfile | None
    score: float | None
    tier: Tier | None
    orders: int
    amount_cents: int
    group_titles: tuple[str, ...]


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(_SEPARATOR)) if text else ()


def _profile(row: _Row) -> StoreProfile | None:
    if row["p_user_id"] is None:
        return None
    return StoreProfile(**{name: row[f"p_{name}"] for name in PROFILE_FIELDS})


def _record(row: _Row) -> ExportRecord:
    return ExportRecord(
        agent=agent_from_row(row),
        profile=_profile(row),
        score=row["s_score"],
        tier=row["s_tier"],
        orders=int(row["o_orders"] or 0),
        amount_cents=int(row["o_amount"] or 0),
        group_titles=_split(row["group_titles"]),
    )


@dataclass(frozen=True, slots=True)
class ExportBatch:
    """A batch of agents as read, in plain values (it pickles: it can go to another process).
    Turning rows into records is the bulk of the CPU work per batch, so the caller does it where
    it costs the event loop nothing."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    @property
    def last_user_id(self) -> int:
        return int(self.rows[-1][self.columns.index("user_id")])

    def records(self) -> list[ExportRecord]:
        return [_record(dict(zip(self.columns, row, strict=True))) for row in self.rows]


class ExportRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def count(self) -> int:
        """Every agent, removed ones too (what a full export holds)."""
        await self._db.pending_writes()
        row = await self._db.fetchone("SELECT count(*) FROM agents")
        return int(row[0]) if row else 0

    async def batch(self, after: int, limit: int) -> ExportBatch:
        """The next ``limit`` agents with ``user_id > after``, in ``user_id`` order."""
        await self._db.pending_writes()
        rows = await self._db.fetchall(_BATCH_SQL, (after, limit))
        columns = tuple(rows[0].keys()) if rows else ()
        return ExportBatch(columns, [tuple(row) for row in rows])

    async def agents_with_profiles(
        self, user_ids: Sequence[int]
    ) -> dict[int, tuple[Agent, StoreProfile | None]]:
        """The agents among ``user_ids`` (unknown ids are left out) with their profiles."""
        if not user_ids:
            return {}
        await self._db.pending_writes()
        rows = await self._db.fetchall(_AGENTS_SQL, (json.dumps(list(user_ids)),))
        return {row["user_id"]: (agent_from_row(row), _profile(row)) for row in rows}
