"""storage/db.py ReadCache (active groups, admins): an answer is kept only until a write
transaction ends, whoever wrote, and is never taken from uncommitted or rolled-back writes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.admins import AdminRepository
from storage.db import Database, ReadCache
from storage.groups import GroupRepository

CHAT = -100555
OWNER = 1


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "cache.sqlite3")
    yield database
    await database.close()


class CountingReads:
    def __init__(self, answer: int) -> None:
        self.answer = answer
        self.reads = 0

    async def __call__(self) -> int:
        self.reads += 1
        return self.answer


async def test_an_answer_is_read_once_until_a_write_ends(db: Database) -> None:
    cache: ReadCache[str, int] = ReadCache(db)
    read = CountingReads(1)
    assert [await cache.get("k", read) for _ in range(5)] == [1] * 5
    assert read.reads == 1
    await db.execute("INSERT INTO admins (user_id, granted_by, granted_at) VALUES (9, 1, 1)")
    read.answer = 2
    assert await cache.get("k", read) == 2 and read.reads == 2
    # A rolled-back transaction ends too: the answer is read again (it may have changed
    # nothing, but a failed COMMIT cannot be told from a good one).
    with pytest.raises(RuntimeError):
        async with db.transaction():
            raise RuntimeError("no")
    assert await cache.get("k", read) == 2 and read.reads == 3


async def test_a_write_ending_during_the_read_makes_the_answer_stale(db: Database) -> None:
    cache: ReadCache[str, int] = ReadCache(db)
    calls = 0

    async def slow_read() -> int:
        nonlocal calls
        calls += 1
        answer = calls
        await db.execute(
            "INSERT INTO admins (user_id, granted_by, granted_at) VALUES (?, 1, 1)", (100 + calls,)
        )
        return answer

    assert await cache.get("k", slow_read) == 1
    assert await cache.get("k", slow_read) == 2  # read before that write ended: not kept


async def test_the_writing_task_reads_past_the_cache(db: Database) -> None:
    cache: ReadCache[str, int] = ReadCache(db)
    read = CountingReads(1)
    await cache.get("k", read)
    async with db.transaction():
        read.answer = 5  # what the writing task sees of its own writes
        assert await cache.get("k", read) == 5
        assert await cache.get("k", read) == 5
    assert read.reads == 3


async def test_the_cache_starts_over_at_its_limit(db: Database) -> None:
    cache: ReadCache[int, int] = ReadCache(db, limit=3)
    read = CountingReads(1)
    for key in range(4):
        await cache.get(key, read)
    await cache.get(0, read)
    assert read.reads == 5


async def test_active_group_follows_registration_approval_and_leaving(db: Database) -> None:
    groups = GroupRepository(db)
    assert await groups.active_id(CHAT) is None
    group, _ = await groups.register(CHAT, "群", "group", OWNER, 1)
    assert await groups.active_id(CHAT) == group.id
    assert await groups.mark_inactive(CHAT, "kicked", 2)
    assert await groups.active_id(CHAT) is None
    # Another repository (another object, its own cache) writing: still seen.
    await GroupRepository(db).register(CHAT, "群", "group", OWNER, 3)
    assert await groups.active_id(CHAT) == group.id
    assert await groups.migrate(CHAT, CHAT - 1, 4)
    assert await groups.active_id(CHAT) is None
    assert await groups.active_id(CHAT - 1) == group.id
    # A raw write in a transaction is seen as well.
    await db.execute("UPDATE groups SET active = 0 WHERE chat_id = ?", (CHAT - 1,))
    assert await groups.active_id(CHAT - 1) is None


async def test_a_group_activated_in_a_rolled_back_transaction_is_never_kept(
    db: Database,
) -> None:
    groups = GroupRepository(db)
    group, _ = await groups.register(CHAT, "群", "group", OWNER, 1)
    await groups.mark_inactive(CHAT, "kicked", 2)
    assert await groups.active_id(CHAT) is None
    seen_inside: list[int | None] = []
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("UPDATE groups SET active = 1 WHERE chat_id = ?", (CHAT,))
            seen_inside.append(await groups.active_id(CHAT))
            # Another task meanwhile reads the committed state.
            seen_inside.append(await asyncio.create_task(groups.active_id(CHAT)))
            raise RuntimeError("undo")
    assert seen_inside == [group.id, None]
    assert await groups.active_id(CHAT) is None


async def test_admins_follow_grant_and_revoke(db: Database) -> None:
    admins = AdminRepository(db)
    assert not await admins.is_admin(7)
    assert await admins.grant(7, OWNER, 1)
    assert await admins.is_admin(7)
    assert not await admins.is_admin(8)
    assert await AdminRepository(db).revoke(7)
    assert not await admins.is_admin(7)
