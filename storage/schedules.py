"""Schedules (one-off and recurring) and the record of every fire."""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from typing import Any

import aiosqlite

from storage.db import Database
from storage.schedule_models import SYSTEM_KINDS, Fire, FireStatus, Schedule, ScheduleStatus

_SELECT = (
    "SELECT id, kind, title, params, ref, rule, creator_id, status, quiet, next_planned_at,"
    " next_due_at, created_at FROM schedules"
)


def _schedule(row: aiosqlite.Row) -> Schedule:
    return Schedule(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        params_json=row["params"],
        ref=row["ref"],
        rule=row["rule"],
        creator_id=row["creator_id"],
        status=row["status"],
        quiet=bool(row["quiet"]),
        next_planned_at=row["next_planned_at"],
        next_due_at=row["next_due_at"],
        created_at=row["created_at"],
    )


class ScheduleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        kind: str,
        title: str,
        params: Mapping[str, Any],
        ref: str | None,
        rule: str | None,
        creator_id: int | None,
        status: ScheduleStatus,
        quiet: bool,
        planned_at: int,
        due_at: int,
        now: int,
    ) -> Schedule:
        async with self._db.transaction():
            schedule_id = await self._db.execute(
                "INSERT INTO schedules (kind, title, params, ref, rule, creator_id, status, quiet,"
                " next_planned_at, next_due_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    title,
                    json.dumps(dict(params), ensure_ascii=False, sort_keys=True),
                    ref,
                    rule,
                    creator_id,
                    status,
                    int(quiet),
                    planned_at,
                    due_at,
                    now,
                    now,
                ),
            )
            created = await self.get(schedule_id)
        assert created is not None
        return created

    async def get(self, schedule_id: int) -> Schedule | None:
        row = await self._db.fetchone(_SELECT + " WHERE id = ?", (schedule_id,))
        return _schedule(row) if row else None

    async def due(self, now: int) -> builtins.list[Schedule]:
        """Active schedules whose (possibly shifted) fire time has come, oldest first."""
        rows = await self._db.fetchall(
            _SELECT + " WHERE status = 'active' AND next_due_at <= ? ORDER BY next_due_at, id",
            (now,),
        )
        return [_schedule(row) for row in rows]

    async def pending(self) -> builtins.list[Schedule]:
        """Active schedules with a next fire (the ones APScheduler must know about)."""
        rows = await self._db.fetchall(
            _SELECT + " WHERE status = 'active' AND next_due_at IS NOT NULL ORDER BY next_due_at"
        )
        return [_schedule(row) for row in rows]

    async def upcoming(
        self, *, limit: int, include_system: bool = False
    ) -> builtins.list[Schedule]:
        """Active, paused and held schedules, soonest first (system jobs left out by default)."""
        hidden = () if include_system else SYSTEM_KINDS
        rows = await self._db.fetchall(
            _SELECT
            + " WHERE status IN ('active', 'paused', 'held')"
            + f" AND kind NOT IN ({','.join('?' * len(hidden))})"
            + " ORDER BY next_due_at, id LIMIT ?",
            (*hidden, limit),
        )
        return [_schedule(row) for row in rows]

    async def by_ref(self, ref: str) -> builtins.list[Schedule]:
        rows = await self._db.fetchall(_SELECT + " WHERE ref = ? ORDER BY id", (ref,))
        return [_schedule(row) for row in rows]

    async def by_kind(self, kind: str) -> builtins.list[Schedule]:
        rows = await self._db.fetchall(_SELECT + " WHERE kind = ? ORDER BY id", (kind,))
        return [_schedule(row) for row in rows]

    async def set_status(
        self, schedule_id: int, status: ScheduleStatus, now: int, *, only_from: tuple[str, ...]
    ) -> bool:
        """Change the status if it currently is one of ``only_from``; True when it changed."""
        marks = ",".join("?" * len(only_from))
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                f"UPDATE schedules SET status = ?, updated_at = ? WHERE id = ?"
                f" AND status IN ({marks})",
                (status, now, schedule_id, *only_from),
            )
            return cursor.rowcount > 0

    async def reschedule(
        self,
        schedule_id: int,
        *,
        planned_at: int | None,
        due_at: int | None,
        now: int,
        rule: str | None = None,
        status: ScheduleStatus | None = None,
    ) -> None:
        """Set the next fire (and optionally the rule and status) without recording a fire."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE schedules SET next_planned_at = ?, next_due_at = ?,"
                " rule = coalesce(?, rule), status = coalesce(?, status), updated_at = ?"
                " WHERE id = ?",
                (planned_at, due_at, rule, status, now, schedule_id),
            )

    async def record_fire(
        self,
        schedule_id: int,
        *,
        planned_at: int,
        due_at: int,
        status: FireStatus,
        broadcast_id: int | None,
        now: int,
        next_planned_at: int | None,
        next_due_at: int | None,
    ) -> bool:
        """Record one fire and move the schedule to its next fire (or finish it), atomically.

        Returns False (and changes nothing) if this planned fire was already recorded, which
        makes a second run of the same fire harmless.
        """
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO schedule_fires (schedule_id, planned_at, due_at, fired_at,"
                " status, broadcast_id) VALUES (?, ?, ?, ?, ?, ?)",
                (schedule_id, planned_at, due_at, now, status, broadcast_id),
            )
            if cursor.rowcount == 0:
                return False
            if next_planned_at is None:
                await connection.execute(
                    "UPDATE schedules SET status = CASE WHEN status IN ('active', 'held')"
                    " THEN 'done' ELSE status END, next_planned_at = NULL, next_due_at = NULL,"
                    " updated_at = ? WHERE id = ?",
                    (now, schedule_id),
                )
            else:
                await connection.execute(
                    "UPDATE schedules SET next_planned_at = ?, next_due_at = ?, updated_at = ?"
                    " WHERE id = ?",
                    (next_planned_at, next_due_at, now, schedule_id),
                )
            return True

    async def fires(self, schedule_id: int) -> builtins.list[Fire]:
        rows = await self._db.fetchall(
            "SELECT schedule_id, planned_at, due_at, fired_at, status, broadcast_id"
            " FROM schedule_fires WHERE schedule_id = ? ORDER BY planned_at",
            (schedule_id,),
        )
        return [Fire(*row) for row in rows]

    async def fire(self, schedule_id: int, planned_at: int) -> Fire | None:
        row = await self._db.fetchone(
            "SELECT schedule_id, planned_at, due_at, fired_at, status, broadcast_id"
            " FROM schedule_fires WHERE schedule_id = ? AND planned_at = ?",
            (schedule_id, planned_at),
        )
        return Fire(*row) if row else None

    async def product_launches(self, start: int, end: int) -> builtins.list[Schedule]:
        """Pending product posts (kind 'broadcast' with broadcast kind 'product') due in
        ``[start, end)``: they count against the launch frequency cap."""
        rows = await self._db.fetchall(
            _SELECT + " WHERE status IN ('active', 'held')"
            " AND json_extract(params, '$.broadcast_kind') = 'product'"
            " AND next_due_at >= ? AND next_due_at < ? ORDER BY next_due_at",
            (start, end),
        )
        return [_schedule(row) for row in rows]

    async def product_posts(self, start: int, end: int) -> builtins.list[tuple[int, int]]:
        """(group chat id, product broadcasts created in ``[start, end)``) from the outbox,
        not counting retracted ones or cancelled deliveries (for the launch frequency cap)."""
        rows = await self._db.fetchall(
            "SELECT g.chat_id, count(DISTINCT b.id) FROM broadcasts b"
            " JOIN deliveries d ON d.broadcast_id = b.id JOIN groups g ON g.id = d.group_id"
            " WHERE b.kind = 'product' AND b.status != 'retracted' AND d.status != 'cancelled'"
            " AND b.created_at >= ? AND b.created_at < ? GROUP BY g.chat_id",
            (start, end),
        )
        return [(int(row[0]), int(row[1])) for row in rows]
