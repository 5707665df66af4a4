"""The transactional outbox for stock notices: a stock change and the broadcast announcing it
commit in one transaction, so a failure while writing the broadcast leaves the stock as it was
(and the crossing is announced by the next attempt instead of being lost)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot.broadcast.outbox import Outbox, Payload, new_broadcast
from bot.catalog.model import stock_state
from storage.catalog import (
    NoticeFor,
    Product,
    ProductRepository,
    StockChange,
    StockRepository,
    StockState,
)
from storage.db import Database
from storage.outbox import NewBroadcast, OutboxRepository


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "s.sqlite3")
    products = ProductRepository(database)
    for sku in ("A", "B"):
        assert await products.add(Product(sku, sku, 100, None, "c", "d", ("p",)))
    yield database
    await database.close()


def classify(qty: int, threshold: int | None) -> StockState:
    return stock_state(qty, 5 if threshold is None else threshold)


def notice(payload: Payload) -> NoticeFor:
    def render(changes: Sequence[StockChange]) -> NewBroadcast | None:
        crossed = [c for c in changes if c.old_state is not None and c.old_state != c.new_state]
        if not crossed:
            return None
        return new_broadcast("stock", payload, [-1, -2], 100, ref="stock:test")

    return render


async def levels(stock: StockRepository) -> dict[str, tuple[int, StockState] | None]:
    return {
        row.sku: (row.level.qty, row.level.state) if row.level else None
        for row in await stock.list()
    }


async def test_change_and_notice_commit_together(db: Database) -> None:
    stock = StockRepository(db)
    outbox = Outbox(OutboxRepository(db), lambda: 1)
    first = await stock.set_many([("A", 50), ("B", 50)], 1, classify, notice(Payload("text", "x")))
    assert first.broadcast_id is None  # first levels: nothing crossed
    write = await stock.set_many([("A", 0), ("B", 40)], 2, classify, notice(Payload("text", "n")))
    assert [c.new_state for c in write.changes] == ["out", "in_stock"]
    assert write.broadcast_id is not None
    broadcast = await outbox.get(write.broadcast_id)
    assert broadcast is not None and broadcast.ref == "stock:test" and broadcast.open == 2
    assert await levels(stock) == {"A": (0, "out"), "B": (40, "in_stock")}


async def test_refused_notice_rolls_the_stock_update_back(db: Database) -> None:
    """The outbox refuses an album whose keyboard has no message to go on: that ValueError is
    raised inside the stock transaction, after the new levels were written."""
    stock = StockRepository(db)
    await stock.set_many([("A", 50), ("B", 50)], 1, classify)
    refused = Payload("album", "", ("f1", "f2"), keyboard=((("buy", "cb"),),))
    with pytest.raises(ValueError, match="album with a keyboard"):
        await stock.set_many([("A", 0), ("B", 3)], 2, classify, notice(refused))
    assert await levels(stock) == {"A": (50, "in_stock"), "B": (50, "in_stock")}
    with pytest.raises(ValueError):
        await stock.set_threshold("A", 60, 3, classify, notice(refused))
    level = await stock.get("A")
    assert level is not None and (level.threshold, level.state, level.updated_at) == (
        None,
        "in_stock",
        1,
    )
    assert await OutboxRepository(db).recent() == []


async def test_database_failure_in_the_broadcast_insert_rolls_everything_back(
    db: Database,
) -> None:
    """A real SQLite abort while the deliveries are inserted (the broadcast row is already
    written by then): neither the broadcast nor the stock change survives."""
    stock = StockRepository(db)
    await stock.set_many([("A", 50)], 1, classify)
    await db.execute(
        "CREATE TEMP TRIGGER refuse_deliveries BEFORE INSERT ON deliveries"
        " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk trouble"):
        await stock.set_many([("A", 0)], 2, classify, notice(Payload("text", "out")))
    assert await levels(stock) == {"A": (50, "in_stock"), "B": None}
    assert await OutboxRepository(db).recent() == []
    await db.execute("DROP TRIGGER refuse_deliveries")
    # The crossing is still there to be announced.
    write = await stock.set_many([("A", 0)], 3, classify, notice(Payload("text", "out")))
    assert write.broadcast_id is not None and write.changes[0].old_state == "in_stock"
