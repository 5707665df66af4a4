"""The database, its WAL and SHM, and every backup are readable by their owner only (0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.backup import backup_database
from storage.db import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files readable by everyone (0644)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
async def test_a_new_database_and_its_wal_and_shm_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await Database.open(path)
    try:
        await database.execute("INSERT INTO audit_log (at, actor_id, action) VALUES (1, 1, 'x')")
        wal = tmp_path / "bot.sqlite3-wal"
        shm = tmp_path / "bot.sqlite3-shm"
        assert wal.exists() and shm.exists()
        assert [mode(path), mode(wal), mode(shm)] == [0o600, 0o600, 0o600]
    finally:
        await database.close()


@pytest.mark.usefixtures("open_umask")
async def test_an_existing_database_readable_by_others_is_made_0600(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await Database.open(path)
    await database.close()
    path.chmod(0o644)
    database = await Database.open(path)
    try:
        assert mode(path) == 0o600
    finally:
        await database.close()


@pytest.mark.usefixtures("open_umask")
async def test_a_backup_is_0600(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    database = await Database.open(source)
    await database.close()
    target = tmp_path / "backup.sqlite3"
    result = backup_database(source, target)
    assert result.path == target
    assert mode(target) == 0o600
    assert not target.with_name(target.name + ".partial").exists()
