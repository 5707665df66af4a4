"""Online backups and integrity checks of the SQLite database.

These use the standard ``sqlite3`` module on their own connection, not the bot's aiosqlite
connection: a backup can then run in a worker thread (or another process, ``agentbot backup``)
while the bot keeps reading and writing. In WAL mode readers never block the writer, and SQLite's
online backup restarts by itself if the source changes between two steps, so the copy is always
one consistent snapshot. A backup holds every agent's data: it is created readable by its
owner only (0600), like the database itself (storage/db.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storage.db import BUSY_TIMEOUT_MS, OWNER_ONLY, load_migrations

_NULL_REPORT = re.compile(r"^NULL value in ([^.]+)\.(.+)$")
# Pages copied per step; 1024 pages of 4 KiB is 4 MiB between two progress reports.
PAGES_PER_STEP = 1024

Progress = Callable[[int, int], None]
"""Called after each backup step with (pages copied, total pages)."""


class BackupError(Exception):
    """The backup could not be made or the copy failed its integrity check."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    pages: int
    size_bytes: int


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``agentbot check`` reports about a database file."""

    problems: tuple[str, ...]  # empty when PRAGMA integrity_check said "ok"
    schema_version: int
    latest_version: int

    @property
    def ok(self) -> bool:
        return not self.problems and self.schema_version <= self.latest_version

    @property
    def pending_migrations(self) -> int:
        return sum(1 for m in load_migrations() if m.version > self.schema_version)


def _connect_existing(path: Path) -> sqlite3.Connection:
    """Open ``path`` only if it exists (a plain connect would create an empty database)."""
    if not path.is_file():
        raise BackupError(f"database {path} does not exist")
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        connection.close()
        raise BackupError(f"{path} is not a readable SQLite database: {error}") from None
    return connection


def integrity_problems(connection: sqlite3.Connection) -> tuple[str, ...]:
    """The lines of ``PRAGMA integrity_check`` other than the single ``ok`` (a file too damaged
    to check at all is one problem: SQLite's error)."""
    try:
        rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check").fetchall()]
        if rows == ["ok"]:
            return ()
        return tuple(row for row in rows if not _false_null_report(connection, row))
    except sqlite3.DatabaseError as error:
        return (str(error),)


def _false_null_report(connection: sqlite3.Connection, line: str) -> bool:
    """SQLite 3.40 reports ``NULL value in T.C`` for every row of a WITHOUT ROWID table whose
    NOT NULL column C is declared between two primary-key columns, although no value is NULL.
    Such a line is dropped when a query finds no NULL in that column; a real one stays."""
    match = _NULL_REPORT.match(line)
    if match is None:
        return False
    table, column = (name.replace('"', '""') for name in match.groups())
    row = connection.execute(
        # typeof(), not IS NULL: the planner answers "C IS NULL" from the NOT NULL declaration.
        f'SELECT count(*) FROM "{table}" WHERE typeof("{column}") = \'null\''
    ).fetchone()
    return int(row[0]) == 0


def check_database(path: Path) -> CheckResult:
    """Integrity check and schema version of the database at ``path`` (which must exist)."""
    connection = _connect_existing(path)
    try:
        problems = integrity_problems(connection)
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()
    migrations = load_migrations()
    latest = migrations[-1].version if migrations else 0
    return CheckResult(problems=problems, schema_version=version, latest_version=latest)


def backup_database(
    source: Path,
    target: Path,
    *,
    progress: Progress | None = None,
    pages_per_step: int = PAGES_PER_STEP,
) -> BackupResult:
    """Copy the live database ``source`` to ``target`` and verify the copy.

    The copy is written to ``<target>.partial`` first, switched to a rollback journal (so it is
    one self-contained file), integrity-checked, and only then renamed to ``target``; a failed
    backup never leaves a half-written file under the requested name.
    """
    if target.exists() and not target.is_file():
        raise BackupError(f"{target} exists and is not a file")
    if target.resolve() == source.resolve():
        raise BackupError("the backup must not overwrite the database itself")
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    copied = 0
    try:
        src = _connect_existing(source)
        try:
            # Created 0600 before a page is copied; the rename keeps the mode.
            os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY))
            dst = sqlite3.connect(partial)
            try:

                def step(status: int, remaining: int, total: int) -> None:
                    if progress is not None:
                        progress(total - remaining, total)

                src.backup(dst, pages=pages_per_step, progress=step)
                dst.execute("PRAGMA journal_mode = DELETE")
                copied = int(dst.execute("PRAGMA page_count").fetchone()[0])
                problems = integrity_problems(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        _remove_partial(partial)
        raise BackupError(f"backup of {source} failed: {error}") from None
    except BaseException:
        _remove_partial(partial)
        raise
    if problems:
        _remove_partial(partial)
        raise BackupError("the copy failed its integrity check: " + "; ".join(problems[:5]))
    os.chmod(partial, OWNER_ONLY)  # in case a umask or an old file got in the way
    os.replace(partial, target)
    return BackupResult(path=target, pages=copied, size_bytes=target.stat().st_size)


def _remove_partial(partial: Path) -> None:
    for leftover in (partial, partial.with_name(partial.name + "-journal")):
        with contextlib.suppress(OSError):
            leftover.unlink()
