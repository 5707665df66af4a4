"""The delivery engine's durable bookkeeping: every state change of a delivery (``sending``,
``sent`` with its message ids, ``pending`` again, ``failed``) is committed before the engine
takes the next step, with group commit so SQLite keeps up with hundreds of sends a second."""

from __future__ import annotations

import asyncio

from storage.outbox import OutboxRepository, StatusChange


class StatusJournal:
    def __init__(self, repository: OutboxRepository) -> None:
        self.repository = repository
        self._writes: list[tuple[StatusChange, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, change: StatusChange) -> None:
        """Record a state change; returns once it is committed. Changes arriving while a
        transaction runs are committed together in the next one (group commit), so the
        database keeps up with hundreds of sends a second."""
        await self.record(change)

    def record(self, change: StatusChange) -> asyncio.Future[None]:
        """Record a state change without waiting: the future is done once it is committed
        (changes commit in the order recorded). An error nobody awaits is not reported."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieve)
        self._writes.append((change, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._flush())
        return future

    async def _flush(self) -> None:
        while self._writes:
            batch, self._writes = self._writes, []
            try:
                await self.repository.apply([change for change, _ in batch])
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
