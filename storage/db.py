"""The SQLite connections: pragmas, numbered migrations, serialized write transactions and
reads that never see uncommitted writes.

Two aiosqlite connections serve the whole bot. The *write* connection runs every write, inside
:meth:`Database.transaction`, which holds an asyncio lock so that two coroutines never interleave
statements inside one transaction. The *read* connection (``PRAGMA query_only``) serves
:meth:`Database.fetchone` / :meth:`Database.fetchall`; in WAL mode it reads the last committed
state while a write transaction is open, so no coroutine ever sees rows that are later rolled
back. The one exception is the task that holds the write transaction: its reads go to the write
connection, so it sees its own writes.

A transaction is re-entrant for the task that opened it: a nested ``transaction()`` (a repository
write called inside a service's transaction) joins the open one as a savepoint instead of waiting
for the lock it already holds. A child task inherits the context but not the transaction: it
waits for the lock like any other coroutine.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
import stat
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# Page cache per connection, in KiB (SQLite's default is 2 MB): the roster's indexes at
# 100,000 agents stay cached instead of being re-read from the OS on every page.
CACHE_KIB = 8192
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The numbered ``storage/migrations/NNNN_name.sql`` files, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    # The schema version is the highest applied number, so a gap would let a late-arriving
    # lower-numbered migration be skipped for ever: refuse gaps and duplicates.
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


PendingWrites = Callable[[], Awaitable[None]]


async def _nothing_pending() -> None:
    return None


@dataclass(slots=True)
class _Transaction:
    """The write transaction a task holds open (what the task's ContextVar points at)."""

    owner: asyncio.Task[Any] | None
    depth: int = 0
    after_commit: list[Callable[[], object]] = field(default_factory=list)


class Database:
    """One write connection (serialized transactions) and one read-only connection."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        # Per database, so that two open databases (tests) never mistake each other's
        # transactions for their own.
        self._current: ContextVar[_Transaction | None] = ContextVar(
            f"agentbot-transaction-{id(self)}", default=None
        )
        # Outermost transactions committed so far: tests count writes with it.
        self.commits = 0
        # Outermost write transactions ended so far, however they ended (ReadCache).
        self.write_generation = 0
        # Writes the bot holds in memory (batched last-seen): reads that show them await this
        # first (see bot/agents/last_seen.py, which sets it).
        self.pending_writes: PendingWrites = _nothing_pending

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        owner_only(path)
        connection = await _connect(path)
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA synchronous = NORMAL")
        database = cls(connection)
        try:
            await database.migrate()
            # Opened after the migrations, so it never caches a schema older than the file's.
            reader = await _connect(path)
            await reader.execute("PRAGMA query_only = ON")
        except BaseException:
            await connection.close()
            raise
        database._reader = reader
        return database

    async def close(self) -> None:
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        await self.connection.close()

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply the migrations newer than the database; returns the resulting version."""
        current = await self.schema_version()
        for migration in load_migrations():
            if migration.version <= current:
                continue
            async with self.transaction() as connection:
                for statement in _split_statements(migration.sql):
                    await connection.execute(statement)
                await connection.execute(f"PRAGMA user_version = {migration.version}")
            current = migration.version
        return current

    def _joined(self) -> _Transaction | None:
        """The write transaction the current task holds, if any (not one a parent task holds:
        a child task inherits the ContextVar, but not the transaction)."""
        transaction = self._current.get()
        if transaction is not None and transaction.owner is _current_task():
            return transaction
        return None

    def in_transaction(self) -> bool:
        """Whether the current task holds the write transaction."""
        return self._joined() is not None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction; commits on success, rolls back on any error.

        Exclusive (``BEGIN IMMEDIATE`` under an asyncio lock). Inside a transaction the same
        task holds, it joins that transaction as a savepoint: an error rolls back this block's
        writes and propagates; the outermost block commits everything or nothing.
        """
        joined = self._joined()
        if joined is not None:
            joined.depth += 1
            savepoint = f"nested_{joined.depth}"
            await self.connection.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self.connection
            except BaseException:
                await self.connection.execute(f"ROLLBACK TO {savepoint}")
                await self.connection.execute(f"RELEASE {savepoint}")
                raise
            finally:
                joined.depth -= 1
            await self.connection.execute(f"RELEASE {savepoint}")
            return
        async with self._write_lock:
            transaction = _Transaction(owner=_current_task())
            token = self._current.set(transaction)
            try:
                await self.connection.execute("BEGIN IMMEDIATE")
                try:
                    yield self.connection
                except BaseException:
                    await self.connection.execute("ROLLBACK")
                    raise
                await self.connection.execute("COMMIT")
                self.commits += 1
            finally:
                self._current.reset(token)
                self.write_generation += 1
        for callback in transaction.after_commit:
            try:
                callback()
            except Exception:  # the commit stands: the caller must not take it for a failure
                log.exception("after-commit callback %r failed", callback)

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once what the current task wrote is visible to every reader: at
        once outside a transaction, after the outermost COMMIT inside one (never on rollback).
        For wake-ups of other tasks that will read what was just written."""
        joined = self._joined()
        if joined is None:
            callback()
        else:
            joined.after_commit.append(callback)

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One write statement in its own transaction (or the current task's); returns
        lastrowid."""
        async with self.transaction() as connection:
            cursor = await connection.execute(sql, tuple(params))
            return cursor.lastrowid or 0

    def _read_connection(self) -> aiosqlite.Connection:
        if self._reader is None or self._joined() is not None:
            return self.connection
        return self._reader

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._read_connection().execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._read_connection().execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())


K = TypeVar("K")
V = TypeVar("V")


class ReadCache(Generic[K, V]):
    """Answers of one read kept while no write transaction has ended since they were read.

    For reads on the per-message hot path whose rows change rarely (is this chat an active
    group, who are the admins): an answer is read again after any write transaction of this
    process ends (commit or not; ``Database.write_generation``), so it is never older than the
    last write, whichever repository made it. The generation is taken before the read, so a
    write that ends while the read is under way makes that answer stale at once. The task
    that holds the write transaction reads past the cache (it may see its own uncommitted
    writes, which must not be kept). Writes by another process are not seen: the bot is the
    database's only writer while it runs. At most ``limit`` keys are kept (then it starts
    over).
    """

    def __init__(self, db: Database, limit: int = 10_000) -> None:
        self._db = db
        self._limit = limit
        self._answers: dict[K, tuple[int, V]] = {}

    async def get(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        db = self._db
        if db.in_transaction():
            return await read()
        generation = db.write_generation
        kept = self._answers.get(key)
        if kept is not None and kept[0] == generation:
            return kept[1]
        answer = await read()
        if len(self._answers) >= self._limit:
            self._answers.clear()
        self._answers[key] = (generation, answer)
        return answer


OWNER_ONLY = 0o600


def owner_only(path: Path | str) -> None:
    """Make the database file readable by its owner only (0600) before SQLite writes a byte:
    a new file is created empty with that mode, an existing one (and its -wal/-shm) is changed
    to it. SQLite gives the -wal and -shm files it creates the database file's mode."""
    if str(path) == ":memory:" or str(path).startswith("file:"):
        return
    target = Path(path)
    descriptor = os.open(target, os.O_CREAT | os.O_RDWR, OWNER_ONLY)
    os.close(descriptor)
    for file in (
        target,
        target.with_name(target.name + "-wal"),
        target.with_name(target.name + "-shm"),
    ):
        try:
            if file.exists() and stat.S_IMODE(file.stat().st_mode) != OWNER_ONLY:
                file.chmod(OWNER_ONLY)
        except OSError as error:  # not ours to change: say so, the bot still runs
            log.warning("could not make %s readable by its owner only: %s", file, error)


async def _connect(path: Path | str) -> aiosqlite.Connection:
    """A connection in autocommit mode (transactions are explicit) with rows by name."""
    connection = await aiosqlite.connect(str(path), isolation_level=None)
    connection.row_factory = aiosqlite.Row
    await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await connection.execute("PRAGMA foreign_keys = ON")
    await connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return connection


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None


def _split_statements(script: str) -> list[str]:
    """Split a migration script into complete statements (sqlite3 decides what is complete)."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        buffer.append(line)
        joined = "\n".join(buffer)
        if sqlite3.complete_statement(joined):
            statements.append(joined)
            buffer = []
    if buffer:
        statements.append("\n".join(buffer))
    return statements
