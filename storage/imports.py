"""The valid rows of one /import_agents or /import_orders, staged in a TEMP table of the write
connection while the sheet is still being read, then applied set-based in one transaction.

Python never holds the whole import: the rows are written :data:`STAGE_ROWS` at a time (each
batch a short transaction of its own, which touches only the TEMP table), and the apply is a
handful of ``INSERT ... SELECT`` / ``UPDATE ... FROM`` statements that run in the database's
thread, so that no step of it holds the event loop however big the import is. A TEMP table lives
on one connection only (the write connection, where the apply runs) and is dropped on exit."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import aiosqlite

from storage.db import Database
from storage.models import buyer_key
from storage.profile_models import PROFILE_FIELDS, AgentRowUpdate, BuyerIdTaken, OrderRecord

# Rows written to the TEMP table per batch.
STAGE_ROWS = 2000
_numbers = itertools.count(1)
_PROFILE_COLUMNS = ", ".join(PROFILE_FIELDS)
_PROFILE_UPDATE = ", ".join(f"{name} = excluded.{name}" for name in PROFILE_FIELDS)
_AGENT_TABLE = (
    "user_id INTEGER PRIMARY KEY, remark TEXT, tags TEXT NOT NULL, order_mode TEXT,"
    " region TEXT, buyer_id TEXT, buyer_key TEXT, has_profile INTEGER NOT NULL,"
    f" {', '.join(PROFILE_FIELDS)}, rescore INTEGER NOT NULL"
)
_ORDER_TABLE = (
    "user_id INTEGER NOT NULL, period TEXT NOT NULL, period_end INTEGER NOT NULL,"
    " orders INTEGER NOT NULL, amount_cents INTEGER NOT NULL, PRIMARY KEY (user_id, period)"
)


class ImportStaging:
    """One import's TEMP table (``async with``: created on entry, dropped on exit); rows go in
    with :meth:`_add`, buffered up to :data:`STAGE_ROWS`."""

    _kind = ""
    _columns = ""

    def __init__(self, db: Database, stage_rows: int = STAGE_ROWS) -> None:
        self._db = db
        self._table = f"import_{self._kind}_{next(_numbers)}"
        self._stage_rows = stage_rows
        self._pending: list[tuple[Any, ...]] = []
        self.count = 0

    async def __aenter__(self) -> Self:
        async with self._db.transaction() as connection:
            await connection.execute(f"CREATE TEMP TABLE {self._table} ({self._columns})")
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._pending = []
        async with self._db.transaction() as connection:
            await connection.execute(f"DROP TABLE IF EXISTS temp.{self._table}")

    async def _add(self, row: tuple[Any, ...]) -> None:
        self._pending.append(row)
        self.count += 1
        if len(self._pending) >= self._stage_rows:
            await self._flush()

    async def _flush(self) -> None:
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        marks = ", ".join("?" for _ in rows[0])
        async with self._db.transaction() as connection:
            await connection.executemany(f"INSERT INTO temp.{self._table} VALUES ({marks})", rows)

    @staticmethod
    async def _ids(
        connection: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
    ) -> list[int]:
        """The user ids ``sql`` selects (one column named user_id), read as one JSON array (one
        string to decode, not a row object per agent)."""
        cursor = await connection.execute(
            f"SELECT json_group_array(user_id) FROM ({sql})", tuple(params)
        )
        row = await cursor.fetchone()
        return list(json.loads(row[0])) if row else []


class AgentRowsStaging(ImportStaging):
    """/import_agents: what each changed row sets, and whether it changes a score input."""

    _kind = "agents"
    _columns = _AGENT_TABLE

    async def add(self, row: AgentRowUpdate, rescore: bool) -> None:
        """Stage ``row``; ``rescore``: it changes the agent's profile (a score input)."""
        profile = row.profile.values() if row.profile is not None else [None] * len(PROFILE_FIELDS)
        key = buyer_key(row.buyer_id) if row.buyer_id else None
        tags = json.dumps(list(row.tags), ensure_ascii=False)
        await self._add(
            (
                row.user_id,
                row.remark,
                tags,
                row.order_mode,
                row.region,
                row.buyer_id,
                key,
                row.profile is not None,
                *profile,
                rescore,
            )
        )

    async def apply(self, now: int) -> list[int]:
        """Apply every staged row in one transaction (joins the caller's); returns the agents
        to rescore. Buyer ids moving between agents of the import (A takes B's, B takes
        another) are released first, since the unique index is checked per row.
        :class:`BuyerIdTaken` (nothing written) when one is held by an agent outside it."""
        await self._flush()
        table = f"temp.{self._table}"
        try:
            async with self._db.transaction() as connection:
                await connection.execute(
                    f"UPDATE agents SET buyer_key = NULL FROM {table} AS s"
                    " WHERE agents.user_id = s.user_id AND agents.buyer_key IS NOT s.buyer_key"
                )
                await connection.execute(
                    "UPDATE agents SET remark = s.remark, order_mode = s.order_mode,"
                    " region = s.region, buyer_id = s.buyer_id, buyer_key = s.buyer_key"
                    f" FROM {table} AS s WHERE agents.user_id = s.user_id"
                )
                await connection.execute(
                    f"DELETE FROM agent_tags WHERE user_id IN (SELECT user_id FROM {table})"
                )
                await connection.execute(
                    "INSERT INTO agent_tags (user_id, tag)"
                    f" SELECT s.user_id, tag.value FROM {table} AS s, json_each(s.tags) AS tag"
                )
                # "WHERE" before "ON CONFLICT": an upsert from a SELECT needs one.
                await connection.execute(
                    f"INSERT INTO agent_profiles (user_id, {_PROFILE_COLUMNS}, updated_at)"
                    f" SELECT user_id, {_PROFILE_COLUMNS}, ? FROM {table} WHERE has_profile"
                    f" ON CONFLICT (user_id) DO UPDATE SET {_PROFILE_UPDATE},"
                    " updated_at = excluded.updated_at",
                    (now,),
                )
                rescored = f"SELECT user_id FROM {table} WHERE rescore ORDER BY user_id"
                return await self._ids(connection, rescored)
        except sqlite3.IntegrityError as error:
            if "buyer_key" not in str(error):
                raise
            raise BuyerIdTaken("", None) from None


class OrderRowsStaging(ImportStaging):
    """/import_orders: one record per (agent, period)."""

    _kind = "orders"
    _columns = _ORDER_TABLE

    async def add(self, record: OrderRecord) -> None:
        await self._add(
            (
                record.user_id,
                record.period,
                record.period_end,
                record.orders,
                record.amount_cents,
            )
        )

    async def apply(self, actor: int, now: int, counted_after: int) -> list[int]:
        """Write every staged record in one transaction (joins the caller's; a period already
        imported is replaced); returns the agents whose purchase totals since
        ``counted_after`` (what the score counts) the import changed."""
        await self._flush()
        table = f"temp.{self._table}"
        counted = "CASE WHEN {0}.period_end > ?1 THEN {0}.{1} ELSE 0 END"
        changed = " OR ".join(
            f"{counted.format('o', column)} IS NOT {counted.format('s', column)}"
            for column in ("orders", "amount_cents")
        )
        async with self._db.transaction() as connection:
            rescore = await self._ids(
                connection,
                f"SELECT DISTINCT s.user_id FROM {table} AS s LEFT JOIN agent_orders AS o"
                f" ON o.user_id = s.user_id AND o.period = s.period WHERE {changed}"
                " ORDER BY s.user_id",
                (counted_after,),
            )
            await connection.execute(
                "INSERT INTO agent_orders (user_id, period, period_end, orders, amount_cents,"
                " imported_at, imported_by)"
                f" SELECT user_id, period, period_end, orders, amount_cents, ?, ? FROM {table}"
                " WHERE true ON CONFLICT (user_id, period) DO UPDATE SET"
                " orders = excluded.orders, amount_cents = excluded.amount_cents,"
                " period_end = excluded.period_end, imported_at = excluded.imported_at,"
                " imported_by = excluded.imported_by",
                (now, actor),
            )
            return rescore
