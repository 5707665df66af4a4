"""Groups the bot is in, their tags (segments) and their member counts."""

from __future__ import annotations

import builtins
from collections.abc import Iterable

import aiosqlite

from storage.db import Database, ReadCache
from storage.models import Group

_SELECT = """
SELECT g.id, g.chat_id, g.title, g.type, g.active, g.inactive_reason, g.language, g.added_at,
       g.pending_since, g.added_by,
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
        pending_since=row["pending_since"],
        added_by=row["added_by"],
    )


# A group waiting for approval is stored inactive with this reason (see migration 0007).
PENDING = "pending"
# At most one notice to the owners per adder within this many seconds.
ANNOUNCE_WINDOW = 3600


class GroupRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._active_ids: ReadCache[int, int | None] = ReadCache(db)

    async def register(
        self,
        chat_id: int,
        title: str,
        chat_type: str,
        added_by: int | None,
        now: int,
        *,
        language: str | None = None,
        pending: bool = False,
    ) -> tuple[Group, bool]:
        """Record the bot being in a group (new, or back after removal). Returns (group, is_new).

        ``pending``: added by someone who is not an admin, so the group is stored inactive and
        waits for approval (it is no broadcast target until then)."""
        active, reason, since = (0, PENDING, now) if pending else (1, None, None)
        async with self._db.transaction() as connection:
            cursor = await connection.execute("SELECT id FROM groups WHERE chat_id = ?", (chat_id,))
            existing = await cursor.fetchone()
            if existing is None:
                await connection.execute(
                    "INSERT INTO groups (chat_id, title, type, language, added_by, added_at,"
                    " updated_at, active, inactive_reason, pending_since)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        chat_id,
                        title,
                        chat_type,
                        language,
                        added_by,
                        now,
                        now,
                        active,
                        reason,
                        since,
                    ),
                )
            else:
                await connection.execute(
                    "UPDATE groups SET title = ?, type = ?, active = ?, inactive_reason = ?,"
                    " pending_since = ?, announced_at = CASE WHEN added_by IS ? THEN announced_at"
                    " END, added_by = ?, updated_at = ? WHERE chat_id = ?",
                    (title, chat_type, active, reason, since, added_by, added_by, now, chat_id),
                )
            group = await self.get(chat_id)
        assert group is not None
        return group, existing is None

    async def claim_announcement(self, group_id: int, adder: int, now: int) -> bool:
        """Whether the owners may be told about this add by ``adder``: not when a notice about
        an add by the same user (this group or another) went out within the last hour.
        Claiming stamps the group, so the bound holds across restarts."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT 1 FROM groups WHERE added_by = ? AND announced_at > ?",
                (adder, now - ANNOUNCE_WINDOW),
            )
            if await cursor.fetchone() is not None:
                return False
            await connection.execute(
                "UPDATE groups SET announced_at = ? WHERE id = ?", (now, group_id)
            )
            return True

    async def approve(self, group_id: int, now: int) -> Group | None:
        """A pending group becomes a broadcast target. None when it was not pending (already
        approved, left, or never there), so a second click changes nothing."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE groups SET active = 1, inactive_reason = NULL, pending_since = NULL,"
                " updated_at = ? WHERE id = ? AND pending_since IS NOT NULL",
                (now, group_id),
            )
            if cursor.rowcount != 1:
                return None
            return await self.by_id(group_id)

    async def drop_pending(self, group_id: int, reason: str, now: int) -> Group | None:
        """A pending group the bot leaves (an admin's Leave, or the approval timeout): it stays
        inactive with ``reason``. None when it was not pending."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE groups SET inactive_reason = ?, pending_since = NULL, updated_at = ?"
                " WHERE id = ? AND pending_since IS NOT NULL",
                (reason, now, group_id),
            )
            if cursor.rowcount != 1:
                return None
            return await self.by_id(group_id)

    async def pending(self) -> builtins.list[Group]:
        """Groups waiting for approval, the longest waiting first."""
        rows = await self._db.fetchall(
            _SELECT + " WHERE g.pending_since IS NOT NULL ORDER BY g.pending_since, g.id"
        )
        return [_group(row) for row in rows]

    async def by_id(self, group_id: int) -> Group | None:
        row = await self._db.fetchone(_SELECT + " WHERE g.id = ?", (group_id,))
        return _group(row) if row else None

    async def get(self, chat_id: int) -> Group | None:
        row = await self._db.fetchone(_SELECT + " WHERE g.chat_id = ?", (chat_id,))
        return _group(row) if row else None

    async def active_id(self, chat_id: int) -> int | None:
        """The row id of an active group (the per-message hot path: kept in a ReadCache until
        the next write)."""
        return await self._active_ids.get(chat_id, lambda: self._read_active_id(chat_id))

    async def _read_active_id(self, chat_id: int) -> int | None:
        row = await self._db.fetchone(
            "SELECT id FROM groups WHERE chat_id = ? AND active = 1", (chat_id,)
        )
        return int(row[0]) if row else None

    async def list(self, *, active_only: bool = False) -> builtins.list[Group]:
        """Groups, active ones first; pending groups are never active."""
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
        """The bot is out of the group (kicked, left, 403): active or pending, it is neither."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE groups SET active = 0, inactive_reason = ?, pending_since = NULL,"
                " updated_at = ? WHERE chat_id = ? AND (active = 1 OR pending_since IS NOT NULL)",
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
                # A pending group stays pending: migrating is no approval.
                await connection.execute(
                    "UPDATE groups SET chat_id = ?, type = 'supergroup',"
                    " active = (pending_since IS NULL),"
                    " inactive_reason = CASE WHEN pending_since IS NULL THEN NULL"
                    " ELSE inactive_reason END, updated_at = ? WHERE id = ?",
                    (new_chat_id, now, old["id"]),
                )
                return True
            # The old row's approval carries over to the row registered under the new id.
            await connection.execute(
                "UPDATE groups SET active = 1, inactive_reason = NULL, pending_since = NULL,"
                " updated_at = ? WHERE id = ? AND pending_since IS NOT NULL AND EXISTS"
                " (SELECT 1 FROM groups o WHERE o.id = ? AND o.pending_since IS NULL)",
                (now, new["id"], old["id"]),
            )
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
