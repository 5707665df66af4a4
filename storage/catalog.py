"""Products, promotions and stock levels (migration 0003). Money is integer cents.

Stock writes are a transactional outbox: the caller passes a pure ``notice`` function that turns
the computed changes into the broadcast announcing them (``storage.outbox.NewBroadcast``), and
that broadcast is inserted in the same transaction as the new levels. Either both commit or
neither does, so a crash can never leave a state change whose notice is lost (the next update
would see no crossing and never announce it).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import aiosqlite

from storage.db import Database
from storage.outbox import NewBroadcast, insert_broadcast

StockState = Literal["in_stock", "low", "out"]
STOCK_STATES: tuple[StockState, ...] = ("in_stock", "low", "out")
PromoKind = Literal["full_reduction", "gift", "free_shipping", "discount", "flash_price"]
PROMO_KINDS: tuple[PromoKind, ...] = (
    "full_reduction",
    "gift",
    "free_shipping",
    "discount",
    "flash_price",
)
# (qty, threshold or None for the configured default) -> state; see bot.catalog.model.stock_state.
Classifier = Callable[[int, int | None], StockState]
# The applied changes -> the broadcast announcing them, or None; pure, run inside the write
# transaction (raising rolls the whole update back).
NoticeFor = Callable[[Sequence["StockChange"]], NewBroadcast | None]


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    title: str
    price_cents: int
    agent_price_cents: int | None
    category: str
    description: str
    photos: tuple[str, ...]
    created_by: int | None = None
    created_at: int = 0
    # The product's 1688 listing (http or https), given to agents with the materials.
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class Promotion:
    id: int
    title: str
    kind: PromoKind
    rules: str
    starts_at: int
    ends_at: int
    skus: tuple[str, ...]
    created_by: int | None
    created_at: int
    status: Literal["sent", "cancelled"]


@dataclass(frozen=True, slots=True)
class StockLevel:
    sku: str
    qty: int
    threshold: int | None
    state: StockState
    updated_at: int


@dataclass(frozen=True, slots=True)
class StockChange:
    """One applied stock update; ``old_state`` is None when the SKU had no stock yet."""

    sku: str
    qty: int
    old_state: StockState | None
    new_state: StockState


@dataclass(frozen=True, slots=True)
class StockWrite:
    """What a stock write committed: every change, and the notice broadcast written with them
    (None when the notice function returned None)."""

    changes: tuple[StockChange, ...]
    broadcast_id: int | None = None


@dataclass(frozen=True, slots=True)
class StockRow:
    """A product with its stock level (None when stock was never set)."""

    sku: str
    title: str
    level: StockLevel | None


def _product(row: aiosqlite.Row) -> Product:
    return Product(
        sku=row["sku"],
        title=row["title"],
        price_cents=row["price_cents"],
        agent_price_cents=row["agent_price_cents"],
        category=row["category"],
        description=row["description"],
        photos=tuple(json.loads(row["photos"])),
        created_by=row["created_by"],
        created_at=row["created_at"],
        source_url=row["source_url"],
    )


def _like(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, its own ``%``, ``_`` and ``\\`` literal."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Where a search term is looked for: every text field of the product (one LIKE each, so no
# string is built per row and the first match ends the test).
_SEARCHED = ("p.title", "p.sku", "p.category", "p.description")
_TERM_MATCHES = "(" + " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for column in _SEARCHED) + ")"


def _level(row: aiosqlite.Row) -> StockLevel:
    return StockLevel(
        sku=row["sku"],
        qty=row["qty"],
        threshold=row["threshold"],
        state=row["state"],
        updated_at=row["updated_at"],
    )


class ProductRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, product: Product) -> bool:
        """Insert ``product``; False (and nothing written) if its SKU already exists."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO products (sku, title, price_cents, agent_price_cents,"
                " category, description, photos, created_by, created_at, source_url)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    product.sku,
                    product.title,
                    product.price_cents,
                    product.agent_price_cents,
                    product.category,
                    product.description,
                    json.dumps(list(product.photos)),
                    product.created_by,
                    product.created_at,
                    product.source_url,
                ),
            )
            return cursor.rowcount > 0

    async def set_source_url(self, sku: str, url: str | None) -> bool:
        """Set (or with None clear) a product's 1688 link; False if there is no such SKU.
        Joins the caller's transaction (``services.audited``)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE products SET source_url = ? WHERE sku = ?", (url, sku)
            )
            return cursor.rowcount > 0

    async def search(
        self,
        terms: Sequence[str],
        *,
        category: str | None = None,
        offset: int = 0,
        limit: int = 50,
        available_only: bool = False,
    ) -> builtins.list[Product]:
        """Products whose SKU, title, category or description contain every term (case-blind
        for Latin letters), in ``category`` when given; a product whose SKU is exactly a term
        comes first, then the newest. A scan of the products table with LIKE (the terms'
        ``%`` and ``_`` escaped): about a millisecond a thousand products, see
        bench/catalog_search.py. ``available_only`` leaves out discontinued (停产) products: what
        agents are offered."""
        clauses = [_TERM_MATCHES for _ in terms]
        params: builtins.list[object] = [_like(term) for term in terms for _ in _SEARCHED]
        if category is not None:
            clauses.append("p.category = ?")
            params.append(category)
        if available_only:
            clauses.append(
                "NOT EXISTS (SELECT 1 FROM product_status s"
                " WHERE s.sku = p.sku AND s.discontinued_at IS NOT NULL)"
            )
        where = " AND ".join(clauses) or "1"
        exact = ",".join("?" * len(terms)) or "NULL"
        rows = await self._db.fetchall(
            f"SELECT p.* FROM products p WHERE {where}"
            f" ORDER BY p.sku IN ({exact}) DESC, p.created_at DESC, p.sku LIMIT ? OFFSET ?",
            (*params, *(term.upper() for term in terms), limit, offset),
        )
        return [_product(row) for row in rows]

    async def categories(self) -> builtins.list[tuple[str, int]]:
        """Every category that has products, with how many, by name."""
        rows = await self._db.fetchall(
            "SELECT category, count(*) AS n FROM products GROUP BY category ORDER BY category"
        )
        return [(row["category"], row["n"]) for row in rows]

    async def is_approved_agent(self, user_id: int, allowed_tags: Sequence[str]) -> bool:
        """Whether ``user_id`` may see the agents' catalog (prices, materials, inline results):
        an active agent who is a member of an active (approved) group and has an approved
        store profile, or an active agent the seller tagged with one of ``allowed_tags``."""
        marks = ",".join("?" * len(allowed_tags)) or "NULL"
        await self._db.pending_writes()
        row = await self._db.fetchone(
            "SELECT EXISTS (SELECT 1 FROM agents a WHERE a.user_id = ? AND a.status = 'active'"
            " AND ("
            f"  EXISTS (SELECT 1 FROM agent_tags t WHERE t.user_id = a.user_id"
            f"          AND t.tag IN ({marks}))"
            "   OR (EXISTS (SELECT 1 FROM agent_profiles p WHERE p.user_id = a.user_id)"
            "       AND EXISTS (SELECT 1 FROM memberships m JOIN groups g ON g.id = m.group_id"
            "                   WHERE m.user_id = a.user_id AND m.status = 'member'"
            "                   AND g.active = 1))))",
            (user_id, *allowed_tags),
        )
        return bool(row and row[0])

    async def get(self, sku: str) -> Product | None:
        row = await self._db.fetchone("SELECT * FROM products WHERE sku = ?", (sku,))
        return _product(row) if row else None

    async def list(self) -> builtins.list[Product]:
        rows = await self._db.fetchall("SELECT * FROM products ORDER BY created_at DESC, sku")
        return [_product(row) for row in rows]

    async def existing(self, skus: Sequence[str]) -> set[str]:
        """Which of ``skus`` exist."""
        found: set[str] = set()
        unique = sorted(set(skus))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetchall(
                f"SELECT sku FROM products WHERE sku IN ({marks})", chunk
            )
            found.update(row["sku"] for row in rows)
        return found


class PromotionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        title: str,
        kind: PromoKind,
        rules: str,
        starts_at: int,
        ends_at: int,
        skus: Sequence[str],
        created_by: int | None,
        now: int,
    ) -> Promotion:
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO promotions (title, kind, rules, starts_at, ends_at, created_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (title, kind, rules, starts_at, ends_at, created_by, now),
            )
            promo_id = cursor.lastrowid
            assert promo_id is not None
            await connection.executemany(
                "INSERT INTO promotion_skus (promotion_id, position, sku) VALUES (?, ?, ?)",
                [(promo_id, position, sku) for position, sku in enumerate(skus)],
            )
            promotion = await self.get(promo_id)
        assert promotion is not None
        return promotion

    async def _skus(self, promo_id: int) -> tuple[str, ...]:
        rows = await self._db.fetchall(
            "SELECT sku FROM promotion_skus WHERE promotion_id = ? ORDER BY position", (promo_id,)
        )
        return tuple(row["sku"] for row in rows)

    async def _promotion(self, row: aiosqlite.Row) -> Promotion:
        return Promotion(
            id=row["id"],
            title=row["title"],
            kind=row["kind"],
            rules=row["rules"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            skus=await self._skus(row["id"]),
            created_by=row["created_by"],
            created_at=row["created_at"],
            status=row["status"],
        )

    async def get(self, promo_id: int) -> Promotion | None:
        row = await self._db.fetchone("SELECT * FROM promotions WHERE id = ?", (promo_id,))
        return await self._promotion(row) if row else None

    async def active(self, now: int) -> builtins.list[Promotion]:
        """Sent promotions running at ``now`` (start inclusive, end exclusive), ending first."""
        rows = await self._db.fetchall(
            "SELECT * FROM promotions WHERE status = 'sent' AND starts_at <= ? AND ends_at > ?"
            " ORDER BY ends_at, id",
            (now, now),
        )
        return [await self._promotion(row) for row in rows]


class StockRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, sku: str) -> StockLevel | None:
        row = await self._db.fetchone("SELECT * FROM stock WHERE sku = ?", (sku,))
        return _level(row) if row else None

    async def list(self) -> builtins.list[StockRow]:
        rows = await self._db.fetchall(
            "SELECT p.sku, p.title, s.qty, s.threshold, s.state, s.updated_at"
            " FROM products p LEFT JOIN stock s ON s.sku = p.sku ORDER BY p.sku"
        )
        return [
            StockRow(row["sku"], row["title"], _level(row) if row["state"] is not None else None)
            for row in rows
        ]

    async def set_many(
        self,
        updates: Sequence[tuple[str, int]],
        now: int,
        classify: Classifier,
        notice: NoticeFor | None = None,
    ) -> StockWrite:
        """Set the quantity of every ``(sku, qty)`` in ONE transaction (all or nothing), with
        the broadcast ``notice`` makes of the changes; returns each SKU's state before and
        after. Every SKU must be a product."""
        changes: builtins.list[StockChange] = []
        async with self._db.transaction() as connection:
            for sku, qty in updates:
                cursor = await connection.execute(
                    "SELECT threshold, state FROM stock WHERE sku = ?", (sku,)
                )
                row = await cursor.fetchone()
                threshold = row["threshold"] if row else None
                old_state: StockState | None = row["state"] if row else None
                new_state = classify(qty, threshold)
                await connection.execute(
                    "INSERT INTO stock (sku, qty, threshold, state, updated_at)"
                    " VALUES (?, ?, NULL, ?, ?) ON CONFLICT (sku) DO UPDATE SET"
                    " qty = excluded.qty, state = excluded.state, updated_at = excluded.updated_at",
                    (sku, qty, new_state, now),
                )
                changes.append(StockChange(sku, qty, old_state, new_state))
            broadcast_id = await _write_notice(connection, notice, changes, now)
        return StockWrite(tuple(changes), broadcast_id)

    async def set_threshold(
        self,
        sku: str,
        threshold: int | None,
        now: int,
        classify: Classifier,
        notice: NoticeFor | None = None,
    ) -> StockWrite | None:
        """Set (or with None reset to the default) the low-stock threshold of a SKU whose stock
        is known; the state is re-derived and ``notice``'s broadcast written in the same
        transaction. None if the SKU has no stock yet."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute("SELECT qty, state FROM stock WHERE sku = ?", (sku,))
            row = await cursor.fetchone()
            if row is None:
                return None
            new_state = classify(row["qty"], threshold)
            await connection.execute(
                "UPDATE stock SET threshold = ?, state = ?, updated_at = ? WHERE sku = ?",
                (threshold, new_state, now, sku),
            )
            change = StockChange(sku, row["qty"], row["state"], new_state)
            broadcast_id = await _write_notice(connection, notice, [change], now)
        return StockWrite((change,), broadcast_id)


async def _write_notice(
    connection: aiosqlite.Connection,
    notice: NoticeFor | None,
    changes: Sequence[StockChange],
    now: int,
) -> int | None:
    new = notice(changes) if notice is not None else None
    if new is None:
        return None
    broadcast_id, _ = await insert_broadcast(connection, new, now)
    return broadcast_id
