"""The daily follow-up list, stored page by page (migration 0015): made once per fire by
bot/scheduling/followups.py, read one page at a time by its ◀ ▶ (handlers/schedules.py)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import aiosqlite

from storage.db import Database

RowKind = Literal["agent", "sample", "heading"]


@dataclass(frozen=True, slots=True)
class FollowupList:
    id: int
    planned_at: int
    created_at: int
    language: str
    header: str
    pages: int


@dataclass(frozen=True, slots=True)
class FollowupRow:
    """One row of a stored list: ``line`` is its rendered HTML (as cut by the pager)."""

    kind: RowKind
    user_id: int | None
    sample_id: int | None
    name: str
    line: str


@dataclass(frozen=True, slots=True)
class ShownRow:
    """A row of the page being shown, with whether it was handled since the list was made
    (the agent contacted, the sample's agent asked): its buttons are gone then."""

    row: FollowupRow
    handled: bool


_LIST = "SELECT id, planned_at, created_at, language, header, pages FROM followup_lists"


def _list(row: aiosqlite.Row) -> FollowupList:
    return FollowupList(
        int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]), int(row[5])
    )


class FollowupListRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def for_fire(self, planned_at: int) -> FollowupList | None:
        """The list already made for the fire planned at ``planned_at``."""
        row = await self._db.fetchone(f"{_LIST} WHERE planned_at = ?", (planned_at,))
        return _list(row) if row else None

    async def get(self, list_id: int) -> FollowupList | None:
        row = await self._db.fetchone(f"{_LIST} WHERE id = ?", (list_id,))
        return _list(row) if row else None

    async def create(
        self,
        *,
        planned_at: int,
        created_at: int,
        language: str,
        header: str,
        pages: Sequence[Sequence[FollowupRow]],
        older_than: int,
    ) -> FollowupList:
        """Store a list cut into ``pages`` (or return the one already made for this fire),
        and delete the lists made before ``older_than``."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO followup_lists (planned_at, created_at, language, header, pages)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (planned_at) DO NOTHING",
                (planned_at, created_at, language, header, len(pages)),
            )
            if cursor.rowcount:
                list_id = cursor.lastrowid
                await connection.executemany(
                    "INSERT INTO followup_rows (list_id, position, page, kind, user_id,"
                    " sample_id, name, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    _row_params(list_id or 0, pages),
                )
            await connection.execute(
                "DELETE FROM followup_lists WHERE created_at < ? AND planned_at != ?",
                (older_than, planned_at),
            )
            async with connection.execute(f"{_LIST} WHERE planned_at = ?", (planned_at,)) as result:
                row = await result.fetchone()
        assert row is not None
        return _list(row)

    async def page(self, list_id: int, page: int) -> builtins.list[ShownRow]:
        """The rows of page ``page`` (0-based) of the list, in order, with whether each was
        handled since the list was made."""
        rows = await self._db.fetchall(
            "SELECT r.kind, r.user_id, r.sample_id, r.name, r.line,"
            " CASE r.kind"
            "  WHEN 'agent' THEN a.user_id IS NULL OR a.status != 'active'"
            "   OR coalesce(a.last_contact_at >= l.planned_at, 0)"
            "  WHEN 'sample' THEN s.id IS NULL OR coalesce(s.asked_at >= l.planned_at, 0)"
            "  ELSE 0 END AS handled"
            " FROM followup_rows r JOIN followup_lists l ON l.id = r.list_id"
            " LEFT JOIN agents a ON r.kind = 'agent' AND a.user_id = r.user_id"
            " LEFT JOIN samples s ON r.kind = 'sample' AND s.id = r.sample_id"
            " WHERE r.list_id = ? AND r.page = ? ORDER BY r.position",
            (list_id, page),
        )
        return [
            ShownRow(FollowupRow(row[0], row[1], row[2], str(row[3]), str(row[4])), bool(row[5]))
            for row in rows
        ]


def _row_params(
    list_id: int, pages: Sequence[Sequence[FollowupRow]]
) -> builtins.list[tuple[object, ...]]:
    params: builtins.list[tuple[object, ...]] = []
    for number, rows in enumerate(pages):
        for row in rows:
            params.append(
                (
                    list_id,
                    len(params),
                    number,
                    row.kind,
                    row.user_id,
                    row.sample_id,
                    row.name,
                    row.line,
                )
            )
    return params
