"""The daily follow-up list, stored page by page (migration 0015): made once per fire by
bot/scheduling/followups.py (the due agents copied by one INSERT ... SELECT of the due-list
query, cut into pages in batches), read one page at a time by its ◀ ▶ (handlers/schedules.py)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import aiosqlite

from storage.contacts import followups_due_sql
from storage.db import Database

RowKind = Literal["agent", "sample", "heading"]


@dataclass(frozen=True, slots=True)
class FollowupList:
    id: int
    planned_at: int
    created_at: int
    language: str
    header: str
    total: int  # rows
    pages: int  # 0 while it is being made


@dataclass(frozen=True, slots=True)
class FollowupRow:
    """One row of a stored list: a due agent (name, last contact and cadence as of the
    list), a shipped sample or the samples' heading (``line``: rendered when stored)."""

    position: int
    kind: RowKind
    user_id: int | None = None
    sample_id: int | None = None
    name: str = ""
    last_contact_at: int | None = None
    days: int | None = None
    line: str | None = None
    handled: bool = False  # the agent contacted / the sample asked since the list's time


_LIST = "SELECT id, planned_at, created_at, language, header, total, pages FROM followup_lists"
_ROW = (
    "SELECT r.position, r.kind, r.user_id, r.sample_id, r.name, r.last_contact_at, r.days, r.line"
)


def _list(row: aiosqlite.Row) -> FollowupList:
    return FollowupList(
        int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]), int(row[5]), int(row[6])
    )


def _row(row: aiosqlite.Row, handled: bool = False) -> FollowupRow:
    return FollowupRow(
        int(row[0]), row[1], row[2], row[3], str(row[4]), row[5], row[6], row[7], handled
    )


class FollowupListRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def for_fire(self, planned_at: int) -> FollowupList | None:
        """The list made for the fire planned at ``planned_at`` (finished or not)."""
        row = await self._db.fetchone(f"{_LIST} WHERE planned_at = ?", (planned_at,))
        return _list(row) if row else None

    async def get(self, list_id: int) -> FollowupList | None:
        """A finished list (None: never made, deleted, or not finished)."""
        row = await self._db.fetchone(f"{_LIST} WHERE id = ? AND pages > 0", (list_id,))
        return _list(row) if row else None

    async def start(
        self,
        *,
        planned_at: int,
        created_at: int,
        language: str,
        default_days: int,
        tag_days: Mapping[str, int],
        mode_days: Mapping[str, int],
        exclude: tuple[int, ...],
        heading: FollowupRow,
        extra: Sequence[FollowupRow],
        older_than: int,
    ) -> tuple[int, int]:
        """Begin the list of a fire: delete the lists made before ``older_than`` and an
        unfinished one of this fire, copy the agents due at ``planned_at`` (storage/contacts.py
        ``followups_due_sql`` with these cadences) in order, then ``heading`` (when both agents
        and ``extra`` rows are there) and the ``extra`` rows. Returns the
        list id and how many due agents were copied (one transaction)."""
        sql, params = followups_due_sql(
            planned_at,
            default_days=default_days,
            tag_days=tag_days,
            mode_days=mode_days,
            exclude=exclude,
        )
        async with self._db.transaction() as connection:
            await connection.execute(
                "DELETE FROM followup_lists WHERE (created_at < ? OR planned_at = ?)",
                (older_than, planned_at),
            )
            cursor = await connection.execute(
                "INSERT INTO followup_lists (planned_at, created_at, language) VALUES (?, ?, ?)",
                (planned_at, created_at, language),
            )
            list_id = cursor.lastrowid
            assert list_id is not None
            cursor = await connection.execute(
                "INSERT INTO followup_rows (list_id, position, kind, user_id, name,"
                " last_contact_at, days) SELECT ?, row_number() OVER (ORDER BY due, user_id) - 1,"
                f" 'agent', user_id, name, last_contact_at, days FROM ({sql})",
                [list_id, *params],
            )
            agents = max(cursor.rowcount, 0)
            if agents and extra:
                extra = [heading, *extra]
            await connection.executemany(
                "INSERT INTO followup_rows (list_id, position, kind, user_id, sample_id, name,"
                " line) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (list_id, agents + i, r.kind, r.user_id, r.sample_id, r.name, r.line)
                    for i, r in enumerate(extra)
                ],
            )
        return list_id, agents

    async def discard(self, list_id: int) -> None:
        """Delete a list that holds nothing."""
        await self._db.execute("DELETE FROM followup_lists WHERE id = ?", (list_id,))

    async def rows(self, list_id: int, first: int, last: int) -> builtins.list[FollowupRow]:
        """The rows at positions ``first`` to ``last`` (both included), in order."""
        rows = await self._db.fetchall(
            f"{_ROW} FROM followup_rows r WHERE r.list_id = ? AND r.position BETWEEN ? AND ?"
            " ORDER BY r.position",
            (list_id, first, last),
        )
        return [_row(row) for row in rows]

    async def finish(
        self, list_id: int, header: str, total: int, pages: Sequence[tuple[int, int]]
    ) -> FollowupList:
        """The list is cut: its header, rows and each page's (first, last) positions."""
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO followup_pages (list_id, page, first, last) VALUES (?, ?, ?, ?)",
                [(list_id, number, first, last) for number, (first, last) in enumerate(pages)],
            )
            await connection.execute(
                "UPDATE followup_lists SET header = ?, total = ?, pages = ? WHERE id = ?",
                (header, total, len(pages), list_id),
            )
            async with connection.execute(f"{_LIST} WHERE id = ?", (list_id,)) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return _list(row)

    async def page(self, made: FollowupList, page: int) -> builtins.list[FollowupRow]:
        """The rows of page ``page`` (0-based) of a finished list, in order, each with whether
        it was handled since the list's time (the agent contacted, no longer active or gone;
        the sample asked about or gone)."""
        rows = await self._db.fetchall(
            f"{_ROW}, CASE r.kind"
            "  WHEN 'agent' THEN a.user_id IS NULL OR a.status != 'active'"
            "   OR coalesce(a.last_contact_at >= ?, 0)"
            "  WHEN 'sample' THEN s.id IS NULL OR coalesce(s.asked_at >= ?, 0)"
            "  ELSE 0 END AS handled"
            " FROM followup_pages p JOIN followup_rows r ON r.list_id = p.list_id"
            " AND r.position BETWEEN p.first AND p.last"
            " LEFT JOIN agents a ON r.kind = 'agent' AND a.user_id = r.user_id"
            " LEFT JOIN samples s ON r.kind = 'sample' AND s.id = r.sample_id"
            " WHERE p.list_id = ? AND p.page = ? ORDER BY r.position",
            (made.planned_at, made.planned_at, made.id, page),
        )
        return [_row(row, bool(row[8])) for row in rows]
