"""services.audited: a change and its audit row commit together or not at all (real SQLite)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import Services
from storage.db import Database

NOW = 1_750_000_000
OWNER = 1


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    path = tmp_path / "audit.sqlite3"
    db = await Database.open(path)
    yield Services(settings=Settings(database=path), db=db, clock=lambda: float(NOW))
    await db.close()


async def state(services: Services) -> tuple[list[int], list[tuple[str, str | None]]]:
    """(admins, audit rows as (action, target)) as any other coroutine sees them."""
    admins = [grant.user_id for grant in await services.admins.list()]
    audit = [(entry.action, entry.target) for entry in reversed(await services.audit.recent())]
    return admins, audit


async def test_a_change_and_its_audit_row_commit_together(services: Services) -> None:
    granted = asyncio.Event()
    release = asyncio.Event()

    async def grant() -> None:
        async with services.audited(OWNER, "grant", "7"):
            assert await services.admins.grant(7, OWNER, NOW)
            granted.set()
            await release.wait()

    task = asyncio.create_task(grant())
    await granted.wait()
    assert await state(services) == ([], [])  # neither is visible before the commit
    release.set()
    await task
    assert await state(services) == ([7], [("grant", "7")])


async def test_a_failed_change_leaves_neither_change_nor_audit_row(services: Services) -> None:
    with pytest.raises(RuntimeError):
        async with services.audited(OWNER, "grant", "7"):
            await services.admins.grant(7, OWNER, NOW)
            raise RuntimeError("the change fails after its first write")
    assert await state(services) == ([], [])


async def test_a_failed_audit_insert_rolls_back_the_change(services: Services) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with services.audited(OWNER, None, "7"):  # type: ignore[arg-type]
            await services.admins.grant(7, OWNER, NOW)
    assert await state(services) == ([], [])


async def test_the_block_fills_in_or_skips_its_audit_row(services: Services) -> None:
    async with services.audited(OWNER, "grant") as audit:
        await services.admins.grant(7, OWNER, NOW)
        audit.target = "7"
    async with services.audited(OWNER, "grant", "7") as audit:
        if not await services.admins.grant(7, OWNER, NOW):  # already an admin: no change
            audit.skip()
    assert await state(services) == ([7], [("grant", "7")])
