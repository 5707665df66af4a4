"""Write transactions against real SQLite: what other coroutines see, nesting, child tasks."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database

INSERT_ADMIN = "INSERT INTO admins (user_id, granted_by, granted_at) VALUES (?, 1, 1)"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


async def admin_ids(db: Database) -> list[int]:
    return [row[0] for row in await db.fetchall("SELECT user_id FROM admins ORDER BY user_id")]


async def test_a_reader_never_sees_a_write_that_is_rolled_back(db: Database) -> None:
    inserted = asyncio.Event()
    read_done = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as connection:
            await connection.execute(INSERT_ADMIN, (7,))
            inserted.set()
            await read_done.wait()
            raise RuntimeError("the change fails after its first statement")

    async def reader() -> list[int]:
        await inserted.wait()
        try:
            return await admin_ids(db)
        finally:
            read_done.set()

    failed, seen = await asyncio.gather(writer(), reader(), return_exceptions=True)
    assert isinstance(failed, RuntimeError)
    assert seen == []
    assert await admin_ids(db) == []


async def test_the_transaction_owner_reads_its_own_writes(db: Database) -> None:
    async with db.transaction() as connection:
        await connection.execute(INSERT_ADMIN, (7,))
        assert await admin_ids(db) == [7]
        assert db.in_transaction()
    assert not db.in_transaction()
    assert await admin_ids(db) == [7]


async def test_a_nested_transaction_joins_and_a_failed_one_undoes_only_its_part(
    db: Database,
) -> None:
    async with db.transaction():
        await db.execute(INSERT_ADMIN, (1,))  # joins: would deadlock on the lock otherwise
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as connection:
                await connection.execute(INSERT_ADMIN, (2,))
                await connection.execute(INSERT_ADMIN, (1,))  # duplicate key
        assert await admin_ids(db) == [1]
        await db.execute(INSERT_ADMIN, (3,))
    assert await admin_ids(db) == [1, 3]


async def test_an_error_in_a_nested_transaction_rolls_back_the_outer_one(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute(INSERT_ADMIN, (1,))
            async with db.transaction() as connection:
                await connection.execute(INSERT_ADMIN, (2,))
                raise RuntimeError("inner")
    assert await admin_ids(db) == []


async def test_a_child_task_does_not_join_its_parents_transaction(db: Database) -> None:
    seen_by_child: list[list[int]] = []
    child_has_read = asyncio.Event()

    async def child() -> None:
        assert not db.in_transaction()
        seen_by_child.append(await admin_ids(db))  # the committed state: nothing yet
        child_has_read.set()
        async with db.transaction() as connection:  # waits until the parent commits
            seen_by_child.append(await admin_ids(db))
            await connection.execute(INSERT_ADMIN, (2,))

    async with db.transaction() as connection:
        await connection.execute(INSERT_ADMIN, (1,))
        task = asyncio.create_task(child())
        await child_has_read.wait()
        assert not task.done()
    await task
    assert seen_by_child == [[], [1]]
    assert await admin_ids(db) == [1, 2]


async def test_after_commit_runs_after_the_outermost_commit_and_never_on_rollback(
    db: Database,
) -> None:
    woken: list[str] = []
    readers: list[asyncio.Task[list[int]]] = []

    def wake() -> None:
        woken.append("committed")
        readers.append(asyncio.create_task(admin_ids(db)))  # what a woken task reads

    db.after_commit(lambda: woken.append("outside"))
    assert woken == ["outside"]
    async with db.transaction():
        async with db.transaction() as connection:
            await connection.execute(INSERT_ADMIN, (1,))
            db.after_commit(wake)
        assert woken == ["outside"]
    assert woken == ["outside", "committed"]
    assert await readers[0] == [1]

    with pytest.raises(RuntimeError):
        async with db.transaction():
            db.after_commit(wake)
            raise RuntimeError("rolled back")
    assert woken == ["outside", "committed"]


async def test_the_read_connection_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await db.fetchone("INSERT INTO admins (user_id, granted_by, granted_at) VALUES (1, 1, 1)")
    assert await admin_ids(db) == []
