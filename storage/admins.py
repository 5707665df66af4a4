"""Admins granted by owners (owners themselves come from config) and the audit log."""

from __future__ import annotations

import builtins

from storage.db import Database, ReadCache
from storage.models import AdminGrant, AuditEntry


class AdminRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._ids: ReadCache[None, frozenset[int]] = ReadCache(db)

    async def is_admin(self, user_id: int) -> bool:
        """Asked of every new sender in a group: the admins' ids are kept in a ReadCache until
        the next write."""
        return user_id in await self._ids.get(None, self._read_ids)

    async def _read_ids(self) -> frozenset[int]:
        return frozenset(row[0] for row in await self._db.fetchall("SELECT user_id FROM admins"))

    async def list(self) -> builtins.list[AdminGrant]:
        rows = await self._db.fetchall(
            "SELECT user_id, granted_by, granted_at FROM admins ORDER BY granted_at"
        )
        return [AdminGrant(row[0], row[1], row[2]) for row in rows]

    async def grant(self, user_id: int, granted_by: int, now: int) -> bool:
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO admins (user_id, granted_by, granted_at) VALUES (?, ?, ?)",
                (user_id, granted_by, now),
            )
            return cursor.rowcount > 0

    async def revoke(self, user_id: int) -> bool:
        async with self._db.transaction() as connection:
            cursor = await connection.execute("DELETE FROM admins WHERE user_id = ?", (user_id,))
            return cursor.rowcount > 0


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        now: int,
        actor_id: int | None,
        action: str,
        target: str | None = None,
        detail: str | None = None,
        *,
        allowed: bool = True,
    ) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (at, actor_id, action, target, detail, allowed)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (now, actor_id, action, target, detail, int(allowed)),
        )

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        rows = await self._db.fetchall(
            "SELECT id, at, actor_id, action, target, detail, allowed FROM audit_log"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]
