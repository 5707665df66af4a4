"""OutboxRepository against a real SQLite file: one transaction per broadcast, idempotency,
groups followed through migrations, draining order, message ids by ref."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.broadcast.outbox import Outbox, Payload
from storage.db import Database
from storage.groups import GroupRepository
from storage.outbox import OutboxRepository


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = await Database.open(tmp_path / "o.sqlite3")
    yield database  # type: ignore[misc]
    await database.close()


async def test_submit_writes_one_row_per_chat_and_dedupes(db: Database) -> None:
    outbox = Outbox(OutboxRepository(db), lambda: 1000)
    broadcast_id = await outbox.submit(
        "text", Payload("text", "hi"), [-1, -2, -1, 5], 9, reply_to={-2: 77}
    )
    deliveries = await outbox.repository.deliveries(broadcast_id)
    assert [(d.chat_id, d.status, d.reply_to_message_id) for d in deliveries] == [
        (-1, "pending", None),
        (-2, "pending", 77),
        (5, "pending", None),
    ]
    broadcast = await outbox.get(broadcast_id)
    assert broadcast is not None
    assert (broadcast.status, broadcast.total, broadcast.open, broadcast.created_at) == (
        "pending",
        3,
        3,
        1000,
    )
    assert Payload.from_json(broadcast.payload) == Payload("text", "hi")


async def test_idempotency_key_returns_the_first_broadcast(db: Database) -> None:
    outbox = Outbox(OutboxRepository(db), lambda: 1)
    first = await outbox.submit("reminder", Payload("text", "a"), [-1], None, idempotency_key="k")
    second = await outbox.submit("reminder", Payload("text", "b"), [-2], None, idempotency_key="k")
    assert first == second
    assert len(await outbox.repository.deliveries(first)) == 1
    assert await outbox.repository.open_count() == 1


async def test_invalid_payload_writes_nothing(db: Database) -> None:
    outbox = Outbox(OutboxRepository(db), lambda: 1)
    with pytest.raises(ValueError):
        await outbox.submit("x", Payload("album", "a", ("only-one",)), [-1], None)
    with pytest.raises(ValueError):
        Payload("text", "   ")
    assert await outbox.recent() == []


async def test_group_targets_follow_a_migration(db: Database) -> None:
    groups, repo = GroupRepository(db), OutboxRepository(db)
    await groups.register(-100, "g", "group", None, 1)
    broadcast_id, _ = await repo.create(
        kind="text", ref=None, payload="{}", creator_id=None, now=1, targets=[(-100, None)]
    )
    await groups.migrate(-100, -1000100, 2)
    (delivery,) = await repo.open_deliveries()
    assert delivery.chat_id == -1000100 and delivery.group_id is not None
    await repo.mark_sending(delivery.id, delivery.chat_id)
    await repo.mark_sent(delivery.id, delivery.chat_id, [5, 6], 3)
    assert await repo.latest_message_ids("nothing") == {}
    broadcast = await repo.get(broadcast_id)
    assert broadcast is not None and broadcast.sent == 1 and broadcast.status == "sending"
    assert await repo.finish_if_complete(broadcast_id, 4)
    assert not await repo.finish_if_complete(broadcast_id, 5)


async def test_draining_order_resume_and_failures(db: Database) -> None:
    repo = OutboxRepository(db)
    first, _ = await repo.create(
        kind="text",
        ref="p:1",
        payload="{}",
        creator_id=None,
        now=1,
        targets=[(-1, None), (-2, None)],
    )
    second, _ = await repo.create(
        kind="text", ref="p:1", payload="{}", creator_id=None, now=2, targets=[(-1, None)]
    )
    a, b, c = await repo.open_deliveries()
    assert [d.broadcast_id for d in (a, b, c)] == [first, first, second]
    assert await repo.open_deliveries(after_id=b.id) == [c]
    assert await repo.open_deliveries(limit=2) == [a, b]  # the engine reads a chunk a turn
    assert await repo.open_deliveries(after_id=a.id, limit=1) == [b]
    await repo.mark_sending(a.id, -1)  # in flight when the process died: still open
    assert [d.id for d in await repo.open_deliveries()] == [a.id, b.id, c.id]
    await repo.mark_sent(a.id, -1, [10], 3)
    await repo.retry_later(
        b.id, next_attempt_at=50, error="Bad Gateway", transient=True, message_ids=[]
    )
    await repo.mark_sending(c.id, -1)
    await repo.mark_sent(c.id, -1, [20, 21], 4)
    (retry,) = await repo.open_deliveries()
    assert (retry.id, retry.failures, retry.next_attempt_at, retry.last_error) == (
        b.id,
        1,
        50,
        "Bad Gateway",
    )
    await repo.mark_failed(b.id, "Forbidden: bot was kicked")
    report = await repo.get(first)
    assert report is not None and (report.sent, report.failed, report.open) == (1, 1, 0)
    assert report.failures[0].reason == "Forbidden: bot was kicked"
    assert await repo.latest_message_ids("p:1") == {-1: 20}
    await repo.set_status(second, "retracted", 9)
    assert await repo.latest_message_ids("p:1") == {-1: 10}


async def test_cancel_open_and_empty_broadcast(db: Database) -> None:
    repo = OutboxRepository(db)
    broadcast_id, _ = await repo.create(
        kind="text", ref=None, payload="{}", creator_id=None, now=1, targets=[(-1, None)]
    )
    assert await repo.cancel_open(broadcast_id) == 1
    assert await repo.open_count() == 0
    empty, _ = await repo.create(
        kind="text", ref=None, payload="{}", creator_id=None, now=1, targets=[]
    )
    broadcast = await repo.get(empty)
    assert broadcast is not None and broadcast.status == "done" and broadcast.total == 0
