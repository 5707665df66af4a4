"""Per-product status beside the stock level (migration 0009): the expected restock date and
whether the product is discontinued (停产).

Discontinuing is a transactional outbox like the stock notices (storage/catalog.py): the caller
passes a pure ``notice`` function and its broadcast is inserted in the same transaction as the
mark, so the notice goes out exactly once — a second /discontinue finds the mark and writes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiosqlite

from storage.db import Database
from storage.outbox import NewBroadcast, insert_broadcast


@dataclass(frozen=True, slots=True)
class ProductStatus:
    sku: str
    restock_eta: int | None = None
    discontinued_at: int | None = None

    @property
    def discontinued(self) -> bool:
        return self.discontinued_at is not None


def _status(row: aiosqlite.Row) -> ProductStatus:
    return ProductStatus(row["sku"], row["restock_eta"], row["discontinued_at"])


class ProductStatusRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, sku: str) -> ProductStatus:
        row = await self._db.fetchone("SELECT * FROM product_status WHERE sku = ?", (sku,))
        return _status(row) if row else ProductStatus(sku)

    async def many(self, skus: Sequence[str]) -> dict[str, ProductStatus]:
        """The status of each of ``skus`` (a default one for a SKU never marked)."""
        found = {sku: ProductStatus(sku) for sku in skus}
        unique = sorted(found)
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetchall(
                f"SELECT * FROM product_status WHERE sku IN ({marks})", chunk
            )
            found.update((row["sku"], _status(row)) for row in rows)
        return found

    async def all(self) -> dict[str, ProductStatus]:
        """Every product with a restock date or a discontinued mark."""
        rows = await self._db.fetchall("SELECT * FROM product_status")
        return {row["sku"]: _status(row) for row in rows}

    async def discontinued_skus(self) -> set[str]:
        rows = await self._db.fetchall(
            "SELECT sku FROM product_status WHERE discontinued_at IS NOT NULL"
        )
        return {row["sku"] for row in rows}

    async def set_eta(self, sku: str, eta: int | None) -> None:
        """Set (None: clear) the expected restock date of an existing product."""
        await self._db.execute(
            "INSERT INTO product_status (sku, restock_eta) VALUES (?, ?)"
            " ON CONFLICT (sku) DO UPDATE SET restock_eta = excluded.restock_eta",
            (sku, eta),
        )

    async def discontinue(
        self,
        sku: str,
        actor_id: int | None,
        now: int,
        notice: Callable[[], NewBroadcast | None],
    ) -> tuple[bool, int | None]:
        """Mark ``sku`` discontinued with ``notice``'s broadcast in one transaction:
        (False, None) when it already was (nothing written), else (True, the broadcast id or
        None when ``notice`` had no group to tell)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT discontinued_at FROM product_status WHERE sku = ?", (sku,)
            )
            row = await cursor.fetchone()
            if row is not None and row["discontinued_at"] is not None:
                return False, None
            await connection.execute(
                "INSERT INTO product_status (sku, discontinued_at, discontinued_by)"
                " VALUES (?, ?, ?) ON CONFLICT (sku) DO UPDATE SET"
                " discontinued_at = excluded.discontinued_at,"
                " discontinued_by = excluded.discontinued_by",
                (sku, now, actor_id),
            )
            new = notice()
            if new is None:
                return True, None
            broadcast_id, _ = await insert_broadcast(connection, new, now)
            return True, broadcast_id
