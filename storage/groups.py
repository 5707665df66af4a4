"""Groups the bot is in, their tags (segments) and their member counts."""

from __future__ import annotations

import builtins
from collections.abc import Iterable

import aiosqlite

from storage.db import Database
from storage.models import Group

_SELECT = """
SELECT g.id, g.chat_id, g.title, g.type, g.active, g.inactive_reason, g.language, g.added_at,
       (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM group_tags t
            WHERE t.group_id = g.id ORDER BY tag)) AS tags,
       (SELECT count(*) FROM memberships m WHERE m.group_id = g.id AND m.status = 'member')
            AS member_count
FROM groups g
"""


def _group(row: aiosqlite.Row) -> Group:
    tags = tuple(row["tags"].split("\x1f")) if row["tags"] else ()
    return Group(
        id=row["id"],
        chat_id=row["chat_id"],
        title=row["title"],
        type=row["type"],
        active=bool(row["active"]),
        inactive_reason=row["inactive_reason"],
        language=row["language"],
        added_at=row["added_at"],
        tags=tags,
        member_count=row["member_count"],
    )


class GroupRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def register(
        self,
        chat_id: int,
        title: str,
        chat_type: str,
        added_by: int | None,
        now: int,
        *,
        language: str | None = None,
    ) -> tuple[Group, bool]:
        """Record the bot being in a group (new, or back after removal). Returns (group, is_new)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute("SELECT id FROM groups WHERE chat_id = ?", (chat_id,))
            existing = await cursor.fetchone()
            if existing is None:
                await connection.execute(
                    "INSERT INTO groups (chat_id, title, type, language, added_by, added_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (chat_id, title, chat_type, language, added_by, now, now),
                )
            else:
                await connection.execute(
                    "UPDATE groups SET title = ?, type = ?, active = 1, inactive_reason = NULL,"
                    " updated_at = ? WHERE chat_id = ?",
                    (title, chat_type, now, chat_id),
                )
            group = await self.get(chat_id)
        assert group is not None
        return group, existing is None

    async def get(self, chat_id: int) -> Group | None:
        row = await self._db.fetchone(_SELECT + " WHERE g.chat_id = ?", (chat_id,))
        return _group(row) if row else None

    async def active_id(self, chat_id: int) -> int | None:
        """The row id of an active group (a cheap check for the per-message hot path)."""
        row = await self._db.fetchone(
            "SELECT id FROM groups WHERE chat_id = ? AND active = 1", (chat_id,)
        )
        return int(row[0]) if row else None

    async def list(self, *, active_only: bool = False) -> builtins.list[Group]:
        where = " WHERE g.active = 1" if active_only else ""
        rows = await self._db.fetchall(_SELECT + where + " ORDER BY g.active DESC, g.title")
        return [_group(row) for row in rows]

    async def with_tags(self, tags: Iterable[str]) -> builtins.list[Group]:
        """Active groups carrying any of ``tags`` (all active groups when ``tags`` is empty)."""
        wanted = sorted(set(tags))
        if not wanted:
            return await self.list(active_only=True)
        marks = ",".join("?" * len(wanted))
        rows = await self._db.fetchall(
            _SELECT + " WHERE g.active = 1 AND g.id IN "
            f"(SELECT group_id FROM group_tags WHERE tag IN ({marks})) ORDER BY g.title",
            wanted,
        )
        return [_group(row) for row in rows]

    async def mark_inactive(self, chat_id: int, reason: str, now: int) -> bool:
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE groups SET active = 0, inactive_reason = ?, updated_at = ?"
                " WHERE chat_id = ? AND active = 1",
                (reason, now, chat_id),
            )
            return cursor.rowcount > 0

    async def rename(self, chat_id: int, title: str, now: int) -> None:
        await self._db.execute(
            "UPDATE groups SET title = ?, updated_at = ? WHERE chat_id = ?", (title, now, chat_id)
        )

    async def migrate(self, old_chat_id: int, new_chat_id: int, now: int) -> bool:
        """Move a group to its supergroup id, keeping tags and memberships.

        If the new id was already registered on its own (its first update won the race), the
        old row's tags and memberships are merged into it and the old row is dropped.
        """
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT id FROM groups WHERE chat_id = ?", (old_chat_id,)
            )
            old = await cursor.fetchone()
            if old is None:
                return False
            cursor = await connection.execute(
                "SELECT id FROM groups WHERE chat_id = ?", (new_chat_id,)
            )
            new = await cursor.fetchone()
            if new is None:
                await connection.execute(
                    "UPDATE groups SET chat_id = ?, type = 'supergroup', active = 1,"
                    " inactive_reason = NULL, updated_at = ? WHERE id = ?",
                    (new_chat_id, now, old["id"]),
                )
                return True
            await connection.execute(
                "INSERT OR IGNORE INTO group_tags (group_id, tag)"
                " SELECT ?, tag FROM group_tags WHERE group_id = ?",
                (new["id"], old["id"]),
            )
            await connection.execute(
                "INSERT OR IGNORE INTO memberships (group_id, user_id, status, joined_at, left_at)"
                " SELECT ?, user_id, status, joined_at, left_at FROM memberships"
                " WHERE group_id = ?",
                (new["id"], old["id"]),
            )
            await connection.execute("DELETE FROM groups WHERE id = ?", (old["id"],))
            return True

    async def add_tags(self, chat_id: int, tags: Iterable[str]) -> None:
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT OR IGNORE INTO group_tags (group_id, tag)"
                " SELECT id, ? FROM groups WHERE chat_id = ?",
                [(tag, chat_id) for tag in tags],
            )

    async def remove_tags(self, chat_id: int, tags: Iterable[str]) -> None:
        async with self._db.transaction() as connection:
            await connection.executemany(
                "DELETE FROM group_tags WHERE tag = ?"
                " AND group_id = (SELECT id FROM groups WHERE chat_id = ?)",
                [(tag, chat_id) for tag in tags],
            )
