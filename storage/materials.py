"""Who took which product's materials, and when (migration 0009_agentcat).

A take is written when the bot delivered a product's materials to someone in private; the
seller reads them per product (``/product <sku>``), the quality score reads each agent's latest
take as activity, and the rate limit (one delivery per agent and product per 10 minutes) reads
the latest take of a pair.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True, slots=True)
class MaterialTake:
    user_id: int
    at: int
    # Who took it as the bot knows them (None: not a recorded agent, e.g. an admin).
    first_name: str | None
    username: str | None
    remark: str | None


class MaterialsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def last_take(self, sku: str, user_id: int) -> int | None:
        """When ``user_id`` last took the materials of ``sku`` (None: never)."""
        row = await self._db.fetchone(
            "SELECT max(at) FROM material_takes WHERE sku = ? AND user_id = ?", (sku, user_id)
        )
        return row[0] if row else None

    async def record(self, sku: str, user_id: int, now: int) -> None:
        await self._db.execute(
            "INSERT INTO material_takes (sku, user_id, at) VALUES (?, ?, ?)", (sku, user_id, now)
        )

    async def originals(self, sku: str) -> dict[int, str]:
        """Position of a product photo -> the document file_id of its original (the file the
        seller sent, or the photo uploaded once as a file); positions not yet known left out."""
        rows = await self._db.fetchall(
            "SELECT position, file_id FROM product_originals WHERE sku = ?", (sku,)
        )
        return {row[0]: row[1] for row in rows}

    async def keep_originals(self, sku: str, file_ids: Mapping[int, str]) -> None:
        """Remember documents of the product's photos, by position (others kept as they are).
        Joins the caller's transaction."""
        if not file_ids:
            return
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO product_originals (sku, position, file_id) VALUES (?, ?, ?)"
                " ON CONFLICT (sku, position) DO UPDATE SET file_id = excluded.file_id",
                [(sku, position, file_id) for position, file_id in sorted(file_ids.items())],
            )

    async def takes(self, sku: str, limit: int = 1000) -> builtins.list[MaterialTake]:
        """The takes of ``sku``, newest first (at most ``limit``)."""
        rows = await self._db.fetchall(
            "SELECT m.user_id, m.at, a.first_name, a.username, a.remark FROM material_takes m"
            " LEFT JOIN agents a ON a.user_id = m.user_id WHERE m.sku = ?"
            " ORDER BY m.at DESC, m.id DESC LIMIT ?",
            (sku, limit),
        )
        return [MaterialTake(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    async def count(self, sku: str) -> int:
        row = await self._db.fetchone("SELECT count(*) FROM material_takes WHERE sku = ?", (sku,))
        return int(row[0]) if row else 0

    async def last_taken(self, user_ids: Sequence[int]) -> dict[int, int]:
        """Each agent's latest take (Unix time); agents who never took any are left out."""
        found: dict[int, int] = {}
        for start in range(0, len(user_ids), 500):
            chunk = list(user_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetchall(
                f"SELECT user_id, max(at) FROM material_takes WHERE user_id IN ({marks})"
                " GROUP BY user_id",
                chunk,
            )
            found.update((row[0], row[1]) for row in rows)
        return found
