"""Who a private send reaches: agents of a segment with whether they started the bot, blocked
it or are muted; /mute and /unmute; the 403 mark; and the pre-failed deliveries that put the
unreachable agents into a /dm's report (kept with a send held over quiet hours until it goes
out: ``held_unreachable``, migration 0015)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from storage.agents import filter_where
from storage.db import Database
from storage.models import AgentFilter

_SELECT = (
    "SELECT a.user_id, a.first_name, a.remark, a.username, a.started_bot,"
    " a.blocked_at IS NOT NULL AS blocked, a.muted_at IS NOT NULL AS muted FROM agents a"
)
_BATCH = 500  # ids per IN (...) list


@dataclass(frozen=True, slots=True)
class Recipient:
    """An agent a private send is meant for."""

    user_id: int
    first_name: str
    remark: str | None
    username: str | None
    started: bool  # started the bot and has not blocked it since: a private message reaches
    blocked: bool  # a private send got 403 (blocked); ``started`` is then False
    muted: bool  # /mute: no promotional private sends

    @property
    def name(self) -> str:
        return self.remark or self.first_name


def _recipient(row: aiosqlite.Row) -> Recipient:
    return Recipient(
        user_id=int(row["user_id"]),
        first_name=str(row["first_name"]),
        remark=row["remark"],
        username=row["username"],
        started=bool(row["started_bot"]),
        blocked=bool(row["blocked"]),
        muted=bool(row["muted"]),
    )


class ReachRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def segment(self, query: AgentFilter) -> builtins.list[Recipient]:
        """The active agents matching ``query`` (the /agents filters), by user id."""
        await self._db.pending_writes()
        where, params = filter_where(query)
        rows = await self._db.fetchall(f"{_SELECT} {where} ORDER BY a.user_id", params)
        return [_recipient(row) for row in rows]

    async def of_users(self, user_ids: Sequence[int]) -> builtins.list[Recipient]:
        """These agents (active or not), in the order given."""
        await self._db.pending_writes()
        found: dict[int, Recipient] = {}
        for start in range(0, len(user_ids), _BATCH):
            batch = list(user_ids[start : start + _BATCH])
            marks = ", ".join("?" * len(batch))
            rows = await self._db.fetchall(f"{_SELECT} WHERE a.user_id IN ({marks})", batch)
            found.update((int(row["user_id"]), _recipient(row)) for row in rows)
        return [found[user_id] for user_id in user_ids if user_id in found]

    async def set_muted(self, user_id: int, muted_at: int | None) -> bool:
        """Mute (a time) or unmute (None); False when the agent already was so."""
        async with self._db.transaction() as connection:
            condition = "muted_at IS NULL" if muted_at is not None else "muted_at IS NOT NULL"
            cursor = await connection.execute(
                f"UPDATE agents SET muted_at = ? WHERE user_id = ? AND {condition}",
                (muted_at, user_id),
            )
            return cursor.rowcount > 0

    async def is_muted(self, user_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT muted_at IS NOT NULL FROM agents WHERE user_id = ?", (user_id,)
        )
        return bool(row and row[0])

    async def mark_blocked(self, user_id: int, now: int) -> None:
        """A private send got 403: the agent blocked the bot (or deleted the account). Their
        next /start makes them reachable again."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE agents SET started_bot = 0, blocked_at = ? WHERE user_id = ?",
                (now, user_id),
            )

    async def add_unreachable(self, broadcast_id: int, failures: Sequence[tuple[int, str]]) -> None:
        """Record (user id, reason) of agents a broadcast could not reach as failed deliveries,
        so its report lists them (the engine only loads pending ones)."""
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO deliveries (broadcast_id, chat_id, status, last_error)"
                " VALUES (?, ?, 'failed', ?)",
                [(broadcast_id, user_id, reason) for user_id, reason in failures],
            )

    async def hold_unreachable(self, schedule_id: int, failures: Sequence[tuple[int, str]]) -> None:
        """Keep (user id, reason) of agents a send held over quiet hours cannot reach with its
        held schedule, until :meth:`move_unreachable` gives them to the broadcast."""
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT OR REPLACE INTO held_unreachable (schedule_id, user_id, reason)"
                " VALUES (?, ?, ?)",
                [(schedule_id, user_id, reason) for user_id, reason in failures],
            )

    async def move_unreachable(self, schedule_id: int, broadcast_id: int) -> int:
        """The held send of ``schedule_id`` became ``broadcast_id``: its kept unreachable agents
        become the broadcast's failed deliveries (:meth:`add_unreachable`) and are no longer
        kept. Call it in the broadcast's transaction; a second call moves nothing. Returns how
        many were moved."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, status, last_error)"
                " SELECT ?, h.user_id, 'failed', h.reason FROM held_unreachable h"
                " WHERE h.schedule_id = ? AND NOT EXISTS (SELECT 1 FROM deliveries d"
                " WHERE d.broadcast_id = ? AND d.chat_id = h.user_id)",
                (broadcast_id, schedule_id, broadcast_id),
            )
            moved = cursor.rowcount
            await connection.execute(
                "DELETE FROM held_unreachable WHERE schedule_id = ?", (schedule_id,)
            )
            return moved

    async def greeting_segment(self, festival: str) -> str | None:
        """The segment a festival's greeting goes to (None: every group and agent)."""
        row = await self._db.fetchone(
            "SELECT segment FROM greeting_segments WHERE festival = ?", (festival,)
        )
        return str(row[0]) if row else None

    async def set_greeting_segment(
        self, festival: str, segment: str | None, user_id: int, now: int
    ) -> None:
        async with self._db.transaction() as connection:
            if segment is None:
                await connection.execute(
                    "DELETE FROM greeting_segments WHERE festival = ?", (festival,)
                )
                return
            await connection.execute(
                "INSERT INTO greeting_segments (festival, segment, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (festival) DO UPDATE SET"
                " segment = excluded.segment, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                (festival, segment, user_id, now),
            )

    async def run_options(self, festival: str, year: int) -> tuple[str | None, int | None]:
        """(segment, promotion id) of a festival's greeting run."""
        row = await self._db.fetchone(
            "SELECT segment, promotion_id FROM greeting_runs WHERE festival = ? AND year = ?",
            (festival, year),
        )
        if row is None:
            return None, None
        return row[0], row[1]

    async def set_run_segment(self, festival: str, year: int, segment: str | None) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE greeting_runs SET segment = ? WHERE festival = ? AND year = ?",
                (segment, festival, year),
            )

    async def set_run_promotion(self, festival: str, year: int, promotion_id: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE greeting_runs SET promotion_id = ? WHERE festival = ? AND year = ?",
                (promotion_id, festival, year),
            )

    async def agent_tags(self, limit: int) -> builtins.list[tuple[str, int]]:
        """Agent tags in use on active agents with how many carry each, most used first."""
        rows = await self._db.fetchall(
            "SELECT t.tag, count(*) AS n FROM agent_tags t JOIN agents a ON a.user_id = t.user_id"
            " WHERE a.status = 'active' GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT ?",
            (limit,),
        )
        return [(str(row[0]), int(row[1])) for row in rows]
