from pathlib import Path

from storage.db import Database, load_migrations
from storage.models import AgentFilter


async def test_migrations_apply_once_and_pragmas(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    version = await db.schema_version()
    assert version == len(load_migrations())
    assert await db.migrate() == version  # running again is a no-op
    journal = await db.fetchone("PRAGMA journal_mode")
    keys = await db.fetchone("PRAGMA foreign_keys")
    assert journal is not None and journal[0] == "wal"
    assert keys is not None and keys[0] == 1
    await db.close()
    reopened = await Database.open(tmp_path / "a.sqlite3")
    assert await reopened.schema_version() == version
    await reopened.close()


async def test_64_bit_ids_round_trip(tmp_path: Path) -> None:
    from storage.agents import AgentRepository
    from storage.groups import GroupRepository

    db = await Database.open(tmp_path / "b.sqlite3")
    groups, agents = GroupRepository(db), AgentRepository(db)
    big_chat = -1009_876_543_210_123
    big_user = 9_007_199_254_740_993  # above 2**53: would break in a float
    group, is_new = await groups.register(big_chat, "g", "supergroup", None, 1)
    assert is_new and group.chat_id == big_chat
    assert await agents.record(big_user, "x", None, "bigone", None, 1)
    await agents.join(group.id, big_user, 1)
    agent = await agents.get(big_user)
    assert agent is not None and agent.user_id == big_user
    found, total = await agents.search(AgentFilter(group_chat_id=big_chat), limit=5)
    assert total == 1 and found[0].user_id == big_user
    await db.close()


async def test_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "c.sqlite3")
    try:
        async with db.transaction() as connection:
            await connection.execute(
                "INSERT INTO admins (user_id, granted_by, granted_at) VALUES (1, 1, 1)"
            )
            raise RuntimeError("midway")
    except RuntimeError:
        pass
    assert await db.fetchall("SELECT * FROM admins") == []
    await db.close()


async def test_migrate_merges_when_new_id_already_known(tmp_path: Path) -> None:
    from storage.agents import AgentRepository
    from storage.groups import GroupRepository

    db = await Database.open(tmp_path / "d.sqlite3")
    groups, agents = GroupRepository(db), AgentRepository(db)
    old, _ = await groups.register(-1, "old", "group", None, 1)
    await groups.add_tags(-1, ["VIP"])
    await agents.record(5, "a", None, None, None, 1)
    await agents.join(old.id, 5, 1)
    await groups.register(-1001, "new", "supergroup", None, 2)
    assert await groups.migrate(-1, -1001, 3)
    assert await groups.get(-1) is None
    merged = await groups.get(-1001)
    assert merged is not None and merged.tags == ("VIP",) and merged.member_count == 1
    await db.close()
