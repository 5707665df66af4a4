"""Online backups and integrity checks against real SQLite files."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest

from storage.backup import BackupError, backup_database, check_database
from storage.db import Database, load_migrations

LATEST = load_migrations()[-1].version


async def make_database(path: Path, agents: int = 10, blob: int = 0) -> None:
    """A migrated database (WAL mode, like the bot's) with ``agents`` rows."""
    db = await Database.open(path)
    async with db.transaction() as connection:
        for user_id in range(1, agents + 1):
            await connection.execute(
                "INSERT INTO agents (user_id, first_name, remark, joined_at) VALUES (?, ?, ?, ?)",
                (user_id, f"agent{user_id}", "x" * blob or None, 1_700_000_000 + user_id),
            )
    await db.close()


def agent_ids(path: Path) -> list[int]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT user_id FROM agents ORDER BY 1")]
    finally:
        connection.close()


def corrupt_an_index(path: Path) -> None:
    """Overwrite the pages of an index b-tree with junk, keeping the file a SQLite database."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = DELETE")
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'agents_by_last_seen'"
    ).fetchone()[0]
    connection.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\x0d" + b"\xff" * (page_size - 1))


async def test_backup_copies_every_row_and_is_one_self_contained_file(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    await make_database(source, agents=25)
    target = tmp_path / "copy.sqlite3"

    result = backup_database(source, target)

    assert result.path == target
    assert result.size_bytes == target.stat().st_size > 0
    assert agent_ids(target) == list(range(1, 26))
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == LATEST
    connection.close()
    assert not (tmp_path / "copy.sqlite3.partial").exists()
    assert not (tmp_path / "copy.sqlite3-wal").exists()


async def test_progress_reports_pages_up_to_the_total(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    await make_database(source, agents=300, blob=2000)
    reports: list[tuple[int, int]] = []

    result = backup_database(
        source,
        tmp_path / "copy.sqlite3",
        progress=lambda done, total: reports.append((done, total)),
        pages_per_step=20,
    )

    assert len(reports) > 5
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert reports[-1][0] == reports[-1][1] == result.pages


async def test_backup_sees_only_committed_data_while_a_writer_is_busy(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    await make_database(source, agents=3)
    writer = sqlite3.connect(source, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO agents (user_id, first_name, joined_at) VALUES (99, 'w', 1)")

    backup_database(source, tmp_path / "copy.sqlite3")

    writer.execute("COMMIT")
    writer.close()
    assert agent_ids(tmp_path / "copy.sqlite3") == [1, 2, 3]
    assert 99 in agent_ids(source)


async def test_a_write_during_the_backup_restarts_it_into_a_consistent_copy(
    tmp_path: Path,
) -> None:
    source = tmp_path / "bot.sqlite3"
    await make_database(source, agents=300, blob=2000)
    writer = sqlite3.connect(source, isolation_level=None)
    steps: list[int] = []

    def write_once(done: int, total: int) -> None:
        steps.append(done)
        if len(steps) == 2:
            writer.execute(
                "INSERT INTO agents (user_id, first_name, joined_at) VALUES (999, 'late', 1)"
            )

    backup_database(source, tmp_path / "copy.sqlite3", progress=write_once, pages_per_step=20)
    writer.close()

    assert any(later < earlier for earlier, later in itertools.pairwise(steps))
    assert agent_ids(tmp_path / "copy.sqlite3") == [*range(1, 301), 999]
    assert check_database(tmp_path / "copy.sqlite3").problems == ()


async def test_a_damaged_database_fails_the_backup_and_leaves_no_file(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    await make_database(source, agents=200)
    corrupt_an_index(source)
    target = tmp_path / "copy.sqlite3"

    with pytest.raises(BackupError, match="integrity check"):
        backup_database(source, target)

    assert not target.exists()
    assert not (tmp_path / "copy.sqlite3.partial").exists()


def test_a_missing_database_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        backup_database(tmp_path / "nope.sqlite3", tmp_path / "copy.sqlite3")
    assert list(tmp_path.iterdir()) == []


async def test_backup_refuses_a_missing_folder_and_the_database_itself(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    await make_database(source)
    with pytest.raises(BackupError, match="does not exist"):
        backup_database(source, tmp_path / "no" / "copy.sqlite3")
    with pytest.raises(BackupError, match="overwrite the database"):
        backup_database(source, source)


async def test_check_reports_version_and_integrity(tmp_path: Path) -> None:
    healthy = tmp_path / "bot.sqlite3"
    await make_database(healthy, agents=200)
    result = check_database(healthy)
    assert result.ok
    assert result.problems == ()
    assert (result.schema_version, result.latest_version) == (LATEST, LATEST)
    assert result.pending_migrations == 0

    corrupt_an_index(healthy)
    damaged = check_database(healthy)
    assert not damaged.ok
    assert damaged.problems


def test_check_counts_pending_migrations_of_an_old_database(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    sqlite3.connect(old).execute("CREATE TABLE t (x)").connection.close()
    result = check_database(old)
    assert result.schema_version == 0
    assert result.pending_migrations == len(load_migrations())
    assert result.ok


def test_check_rejects_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(BackupError, match="not a readable SQLite database"):
        check_database(junk)


def without_rowid_table(path: Path, *, real_null: bool) -> None:
    """A WITHOUT ROWID table with a NOT NULL column between its key columns (SQLite 3.40 reports
    false NULLs there); ``real_null`` smuggles in a true NULL through the schema text."""
    connection = sqlite3.connect(path, isolation_level=None)
    column = "position INTEGER" if real_null else "position INTEGER NOT NULL"
    connection.execute(
        f"CREATE TABLE skus (promo INTEGER NOT NULL, {column}, sku TEXT NOT NULL,"
        " PRIMARY KEY (promo, sku)) WITHOUT ROWID"
    )
    connection.execute(
        "INSERT INTO skus VALUES (1, 0, 'A'), (1, ?, 'B')", (None if real_null else 1,)
    )
    if real_null:
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute(
            "UPDATE sqlite_master SET sql = replace(sql, 'position INTEGER',"
            " 'position INTEGER NOT NULL') WHERE name = 'skus'"
        )
    connection.close()


def test_check_ignores_sqlites_false_null_reports_but_keeps_real_ones(tmp_path: Path) -> None:
    without_rowid_table(tmp_path / "fine.sqlite3", real_null=False)
    without_rowid_table(tmp_path / "bad.sqlite3", real_null=True)

    assert check_database(tmp_path / "fine.sqlite3").problems == ()
    problems = check_database(tmp_path / "bad.sqlite3").problems
    assert problems and set(problems) == {"NULL value in skus.position"}
