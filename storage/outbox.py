"""The outbox: broadcasts and their per-chat deliveries (SQL only; the engine is
bot/broadcast/delivery/engine.py).

A delivery that targets a group stores the group's surrogate id; the chat id to send to is read
through ``groups.chat_id`` so that a group migrated to a supergroup is followed.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import aiosqlite

from storage.db import Database

BroadcastStatus = Literal["pending", "sending", "done", "retracted"]
DeliveryStatus = Literal["pending", "sending", "sent", "failed", "cancelled"]
OPEN_STATUSES: tuple[DeliveryStatus, ...] = ("pending", "sending")


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    broadcast_id: int
    group_id: int | None
    chat_id: int  # the current target (the group's chat id if it is a group)
    status: DeliveryStatus
    attempts: int
    failures: int
    next_attempt_at: int
    last_error: str | None
    message_ids: tuple[int, ...]
    sent_at: int | None
    reply_to_message_id: int | None


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    chat_id: int
    title: str | None  # the group's title, None for a private chat
    reason: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One state change of a delivery; the engine writes many in one transaction (group
    commit). ``None`` fields keep their stored value."""

    delivery_id: int
    status: DeliveryStatus
    chat_id: int | None = None
    message_ids: tuple[int, ...] | None = None
    sent_at: int | None = None
    error: str | None = None
    next_attempt_at: int | None = None
    transient_failure: bool = False  # counts towards the bounded retries
    attempt: bool = False  # an API attempt starts (with status 'sending')


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    kind: str
    ref: str | None
    payload: str  # JSON of bot.broadcast.outbox.Payload
    creator_id: int | None
    created_at: int
    status: BroadcastStatus
    idempotency_key: str | None
    report: bool
    language: str | None
    progress_chat_id: int | None
    progress_message_id: int | None
    finished_at: int | None
    total: int = 0
    sent: int = 0
    failed: int = 0
    open: int = 0  # pending or sending
    cancelled: int = 0
    failures: tuple[DeliveryFailure, ...] = ()


_DELIVERY = """
SELECT d.id, d.broadcast_id, d.group_id, coalesce(g.chat_id, d.chat_id) AS target, d.status,
       d.attempts, d.failures, d.next_attempt_at, d.last_error, d.message_ids, d.sent_at,
       d.reply_to_message_id
FROM deliveries d LEFT JOIN groups g ON g.id = d.group_id
"""

_BROADCAST = """
SELECT b.*,
       (SELECT count(*) FROM deliveries d WHERE d.broadcast_id = b.id) AS total,
       (SELECT count(*) FROM deliveries d WHERE d.broadcast_id = b.id AND d.status = 'sent')
            AS sent,
       (SELECT count(*) FROM deliveries d WHERE d.broadcast_id = b.id AND d.status = 'failed')
            AS failed,
       (SELECT count(*) FROM deliveries d WHERE d.broadcast_id = b.id
            AND d.status IN ('pending', 'sending')) AS open,
       (SELECT count(*) FROM deliveries d WHERE d.broadcast_id = b.id
            AND d.status = 'cancelled') AS cancelled
FROM broadcasts b
"""


def _delivery(row: aiosqlite.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        broadcast_id=row["broadcast_id"],
        group_id=row["group_id"],
        chat_id=row["target"],
        status=row["status"],
        attempts=row["attempts"],
        failures=row["failures"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        message_ids=tuple(int(i) for i in json.loads(row["message_ids"])),
        sent_at=row["sent_at"],
        reply_to_message_id=row["reply_to_message_id"],
    )


def _broadcast(row: aiosqlite.Row, failures: tuple[DeliveryFailure, ...] = ()) -> Broadcast:
    return Broadcast(
        id=row["id"],
        kind=row["kind"],
        ref=row["ref"],
        payload=row["payload"],
        creator_id=row["creator_id"],
        created_at=row["created_at"],
        status=row["status"],
        idempotency_key=row["idempotency_key"],
        report=bool(row["report"]),
        language=row["language"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        finished_at=row["finished_at"],
        total=row["total"],
        sent=row["sent"],
        failed=row["failed"],
        open=row["open"],
        cancelled=row["cancelled"],
        failures=failures,
    )


def _ids(message_ids: Sequence[int]) -> str:
    return json.dumps([int(i) for i in message_ids])


@dataclass(frozen=True, slots=True)
class NewBroadcast:
    """A broadcast about to be written: one row plus one delivery per ``(chat_id, reply_to)``
    target (deduplicated and validated by the caller, see
    ``bot.broadcast.outbox.new_broadcast``)."""

    kind: str
    ref: str | None
    payload: str  # JSON of bot.broadcast.outbox.Payload
    creator_id: int | None
    targets: tuple[tuple[int, int | None], ...]
    idempotency_key: str | None = None
    report: bool = True
    language: str | None = None


async def insert_broadcast(
    connection: aiosqlite.Connection, new: NewBroadcast, now: int
) -> tuple[int, bool]:
    """Write ``new`` using ``connection``, inside the caller's open transaction.

    This is what makes a transactional outbox possible: a repository that changes state
    (e.g. stock levels) inserts the broadcast announcing the change in the SAME transaction,
    so both commit or neither does. Returns (broadcast id, created); with an
    ``idempotency_key`` already used, the existing broadcast's id and ``False`` (nothing is
    written).
    """
    if new.idempotency_key is not None:
        cursor = await connection.execute(
            "SELECT id FROM broadcasts WHERE idempotency_key = ?", (new.idempotency_key,)
        )
        existing = await cursor.fetchone()
        if existing is not None:
            return int(existing["id"]), False
    # Nothing to send is done at once (there is no delivery to finish it).
    status, finished = ("pending", None) if new.targets else ("done", now)
    cursor = await connection.execute(
        "INSERT INTO broadcasts (kind, ref, payload, creator_id, created_at,"
        " idempotency_key, report, language, status, finished_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.kind,
            new.ref,
            new.payload,
            new.creator_id,
            now,
            new.idempotency_key,
            int(new.report),
            new.language,
            status,
            finished,
        ),
    )
    broadcast_id = cursor.lastrowid
    assert broadcast_id is not None
    await connection.executemany(
        "INSERT INTO deliveries (broadcast_id, group_id, chat_id, reply_to_message_id)"
        " VALUES (?, (SELECT id FROM groups WHERE chat_id = ?), ?, ?)",
        [(broadcast_id, chat_id, chat_id, reply) for chat_id, reply in new.targets],
    )
    return broadcast_id, True


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the current task's writes are committed (see
        :meth:`Database.after_commit`): the engine reads only committed deliveries."""
        self._db.after_commit(callback)

    async def add(self, new: NewBroadcast, now: int) -> tuple[int, bool]:
        """:func:`insert_broadcast` in a transaction of its own."""
        async with self._db.transaction() as connection:
            return await insert_broadcast(connection, new, now)

    async def create(
        self,
        *,
        kind: str,
        ref: str | None,
        payload: str,
        creator_id: int | None,
        now: int,
        targets: Iterable[tuple[int, int | None]],
        idempotency_key: str | None = None,
        report: bool = True,
        language: str | None = None,
    ) -> tuple[int, bool]:
        """One broadcast row plus one delivery per (chat_id, reply_to) in one transaction.

        Returns (broadcast id, created); with an ``idempotency_key`` already used, the existing
        broadcast's id and ``False`` (nothing is written).
        """
        new = NewBroadcast(
            kind, ref, payload, creator_id, tuple(targets), idempotency_key, report, language
        )
        return await self.add(new, now)

    async def open_deliveries(
        self, after_id: int = 0, limit: int | None = None
    ) -> builtins.list[Delivery]:
        """Pending and in-flight deliveries with ``id > after_id``, oldest first (the first
        ``limit`` of them; all without)."""
        rows = await self._db.fetchall(
            _DELIVERY + " WHERE d.status IN ('pending', 'sending') AND d.id > ? ORDER BY d.id"
            " LIMIT ?",
            (after_id, -1 if limit is None else limit),
        )
        return [_delivery(row) for row in rows]

    async def open_count(self) -> int:
        row = await self._db.fetchone(
            "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
        )
        return int(row[0]) if row else 0

    async def apply(self, changes: Sequence[StatusChange]) -> None:
        """Write delivery state changes, in order, in one transaction; a broadcast with a
        delivery starting moves from ``pending`` to ``sending``."""
        if not changes:
            return
        rows = [
            (
                change.status,
                change.chat_id,
                None if change.message_ids is None else _ids(change.message_ids),
                change.sent_at,
                change.status,
                change.error,
                change.next_attempt_at,
                int(change.transient_failure),
                int(change.attempt),
                change.delivery_id,
            )
            for change in changes
        ]
        starting = sorted({c.delivery_id for c in changes if c.status == "sending"})
        async with self._db.transaction() as connection:
            await connection.executemany(
                "UPDATE deliveries SET status = ?, chat_id = coalesce(?, chat_id),"
                " message_ids = coalesce(?, message_ids), sent_at = coalesce(?, sent_at),"
                " last_error = CASE WHEN ? = 'sent' THEN NULL ELSE coalesce(?, last_error) END,"
                " next_attempt_at = coalesce(?, next_attempt_at), failures = failures + ?,"
                " attempts = attempts + ? WHERE id = ?",
                rows,
            )
            if starting:
                marks = ",".join("?" * len(starting))
                await connection.execute(
                    "UPDATE broadcasts SET status = 'sending' WHERE status = 'pending' AND id IN"
                    f" (SELECT broadcast_id FROM deliveries WHERE id IN ({marks}))",
                    starting,
                )

    async def mark_sending(self, delivery_id: int, chat_id: int) -> None:
        """Recorded before the API call: after a crash only these are sent again."""
        await self.apply([StatusChange(delivery_id, "sending", chat_id=chat_id, attempt=True)])

    async def mark_sent(
        self, delivery_id: int, chat_id: int, message_ids: Sequence[int], now: int
    ) -> None:
        await self.apply(
            [StatusChange(delivery_id, "sent", chat_id, tuple(message_ids), sent_at=now)]
        )

    async def retry_later(
        self,
        delivery_id: int,
        *,
        next_attempt_at: int,
        error: str,
        transient: bool,
        message_ids: Sequence[int],
    ) -> None:
        await self.apply(
            [
                StatusChange(
                    delivery_id,
                    "pending",
                    message_ids=tuple(message_ids),
                    error=error,
                    next_attempt_at=next_attempt_at,
                    transient_failure=transient,
                )
            ]
        )

    async def mark_failed(
        self, delivery_id: int, error: str, message_ids: Sequence[int] = ()
    ) -> None:
        await self.apply(
            [StatusChange(delivery_id, "failed", message_ids=tuple(message_ids), error=error)]
        )

    async def save_message_ids(self, delivery_id: int, message_ids: Sequence[int]) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE deliveries SET message_ids = ? WHERE id = ?",
                (_ids(message_ids), delivery_id),
            )

    async def finish_if_complete(self, broadcast_id: int, now: int) -> bool:
        """Mark the broadcast done when none of its deliveries is open; True if it just was."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE broadcasts SET status = 'done', finished_at = ?"
                " WHERE id = ? AND status IN ('pending', 'sending') AND NOT EXISTS"
                " (SELECT 1 FROM deliveries WHERE broadcast_id = ?"
                "  AND status IN ('pending', 'sending'))",
                (now, broadcast_id, broadcast_id),
            )
            return cursor.rowcount > 0

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id),
            )

    async def get(self, broadcast_id: int, *, failures: bool = True) -> Broadcast | None:
        row = await self._db.fetchone(_BROADCAST + " WHERE b.id = ?", (broadcast_id,))
        if row is None:
            return None
        found: tuple[DeliveryFailure, ...] = ()
        if failures:
            rows = await self._db.fetchall(
                "SELECT coalesce(g.chat_id, d.chat_id) AS target, g.title, d.last_error"
                " FROM deliveries d LEFT JOIN groups g ON g.id = d.group_id"
                " WHERE d.broadcast_id = ? AND d.status = 'failed' ORDER BY d.id",
                (broadcast_id,),
            )
            found = tuple(
                DeliveryFailure(r["target"], r["title"], r["last_error"] or "") for r in rows
            )
        return _broadcast(row, found)

    async def recent(self, limit: int = 10) -> builtins.list[Broadcast]:
        rows = await self._db.fetchall(_BROADCAST + " ORDER BY b.id DESC LIMIT ?", (limit,))
        return [_broadcast(row) for row in rows]

    async def unfinished(self) -> builtins.list[Broadcast]:
        """Broadcasts not yet done (for progress reporting after a restart)."""
        rows = await self._db.fetchall(
            _BROADCAST + " WHERE b.status IN ('pending', 'sending') ORDER BY b.id"
        )
        return [_broadcast(row) for row in rows]

    async def deliveries(
        self, broadcast_id: int, status: DeliveryStatus | None = None
    ) -> builtins.list[Delivery]:
        if status is None:
            rows = await self._db.fetchall(
                _DELIVERY + " WHERE d.broadcast_id = ? ORDER BY d.id", (broadcast_id,)
            )
        else:
            rows = await self._db.fetchall(
                _DELIVERY + " WHERE d.broadcast_id = ? AND d.status = ? ORDER BY d.id",
                (broadcast_id, status),
            )
        return [_delivery(row) for row in rows]

    async def cancel_open(self, broadcast_id: int) -> int:
        """Cancel the deliveries not yet started; returns how many."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE deliveries SET status = 'cancelled' WHERE broadcast_id = ?"
                " AND status = 'pending'",
                (broadcast_id,),
            )
            return cursor.rowcount

    async def set_status(self, broadcast_id: int, status: BroadcastStatus, now: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE broadcasts SET status = ?, finished_at = coalesce(finished_at, ?)"
                " WHERE id = ?",
                (status, now, broadcast_id),
            )

    async def claim_retraction(self, broadcast_id: int, now: int) -> bool:
        """Mark the broadcast retracted unless it already is; True when this call did (of two
        Retract presses, only the one that gets True goes on to delete)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE broadcasts SET status = 'retracted', finished_at = coalesce(finished_at, ?)"
                " WHERE id = ? AND status != 'retracted'",
                (now, broadcast_id),
            )
            return cursor.rowcount > 0

    async def set_payload(self, broadcast_id: int, payload: str) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE broadcasts SET payload = ? WHERE id = ?", (payload, broadcast_id)
            )

    async def set_message_ids(self, delivery_id: int, message_ids: Sequence[int]) -> None:
        await self.save_message_ids(delivery_id, message_ids)

    async def latest_message_ids(self, ref: str) -> dict[int, int]:
        """chat id -> first message id of the newest sent, not retracted broadcast with ``ref``
        that reached that chat."""
        return (await self.latest_message_ids_many([ref])).get(ref, {})

    async def latest_message_ids_many(self, refs: Sequence[str]) -> dict[str, dict[int, int]]:
        """:meth:`latest_message_ids` for many refs in a few queries (refs never sent are
        absent)."""
        found: dict[str, dict[int, int]] = {}
        unique = sorted(set(refs))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetchall(
                "SELECT b.ref, coalesce(g.chat_id, d.chat_id) AS target, d.message_ids"
                " FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
                " LEFT JOIN groups g ON g.id = d.group_id"
                f" WHERE b.ref IN ({marks}) AND b.status != 'retracted' AND d.status = 'sent'"
                " ORDER BY b.id",
                chunk,
            )
            for row in rows:
                ids = json.loads(row["message_ids"])
                if ids:  # later broadcasts overwrite
                    found.setdefault(row["ref"], {})[int(row["target"])] = int(ids[0])
        return found
