"""storage/imports.py: an import's rows staged in a TEMP table, applied set-based in one
transaction, with the agents to rescore (only those whose score inputs changed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.agents import AgentRepository
from storage.db import Database
from storage.imports import AgentRowsStaging, OrderRowsStaging
from storage.profile_models import AgentRowUpdate, BuyerIdTaken, OrderRecord, StoreProfile
from storage.profiles import ProfileRepository

NOW = 1_800_000_000
SHOP = StoreProfile(platform="taobao", store_name="好店", dsr_service=4.8, operating_status="open")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "staging.sqlite3")
    agents = AgentRepository(database)
    for user_id in (1, 2, 3, 4):
        await agents.record(user_id, f"agent{user_id}", None, None, None, NOW)
    yield database
    await database.close()


def update(user_id: int, **changes: object) -> AgentRowUpdate:
    values: dict[str, object] = {
        "remark": None,
        "tags": (),
        "order_mode": None,
        "profile": None,
        "region": None,
        "buyer_id": None,
    }
    values.update(changes)
    return AgentRowUpdate(user_id, **values)  # type: ignore[arg-type]


async def temp_tables(db: Database) -> list[str]:
    rows = await db.connection.execute_fetchall("SELECT name FROM sqlite_temp_master")
    return [row[0] for row in rows]


async def apply_agents(db: Database, rows: list[tuple[AgentRowUpdate, bool]]) -> list[int]:
    async with AgentRowsStaging(db, stage_rows=2) as staged:
        for row, rescore in rows:
            await staged.add(row, rescore)
        assert staged.count == len(rows)
        async with db.transaction():
            return await staged.apply(NOW)


async def test_agent_rows_apply_together_and_name_the_rescored(db: Database) -> None:
    rescore = await apply_agents(
        db,
        [
            (update(1, remark="李总", tags=("VIP", "已成交"), order_mode="custom"), False),
            (update(2, profile=SHOP, region="浙江", buyer_id="Shop_2"), True),
            (update(3, tags=("新",)), False),
        ],
    )
    assert rescore == [2]
    agents = AgentRepository(db)
    first, second, third = [await agents.get(user_id) for user_id in (1, 2, 3)]
    assert first is not None and first.remark == "李总" and first.order_mode == "custom"
    assert sorted(first.tags) == ["VIP", "已成交"]
    assert second is not None and second.region == "浙江" and second.buyer_id == "Shop_2"
    assert third is not None and third.tags == ("新",)
    assert await ProfileRepository(db).get(2) == SHOP
    assert await AgentRepository(db).by_buyer_keys(["shop_2"]) == {"shop_2": 2}
    assert await temp_tables(db) == []  # dropped on exit


async def test_buyer_ids_swap_inside_an_import_but_not_from_outside(db: Database) -> None:
    await apply_agents(db, [(update(1, buyer_id="aa"), False), (update(2, buyer_id="bb"), False)])
    await apply_agents(db, [(update(1, buyer_id="bb"), False), (update(2, buyer_id="aa"), False)])
    assert await AgentRepository(db).by_buyer_keys(["aa", "bb"]) == {"aa": 2, "bb": 1}
    with pytest.raises(BuyerIdTaken):
        await apply_agents(db, [(update(3, remark="x", buyer_id="AA"), False)])
    third = await AgentRepository(db).get(3)
    assert third is not None and third.remark is None and third.buyer_id is None


async def test_staged_rows_change_nothing_until_applied(db: Database) -> None:
    async with AgentRowsStaging(db, stage_rows=1) as staged:
        await staged.add(update(1, remark="never"), False)
        await staged.add(update(2, profile=SHOP), True)
        assert len(await temp_tables(db)) == 1
    agent = await AgentRepository(db).get(1)
    assert agent is not None and agent.remark is None
    assert await ProfileRepository(db).get(2) is None
    assert await temp_tables(db) == []


async def apply_orders(db: Database, records: list[OrderRecord], counted_after: int) -> list[int]:
    async with OrderRowsStaging(db, stage_rows=2) as staged:
        for record in records:
            await staged.add(record)
        async with db.transaction():
            return await staged.apply(99, NOW, counted_after)


async def test_orders_rescore_only_changed_totals_in_the_window(db: Database) -> None:
    window = NOW - 30 * 86400
    recent, old = NOW - 86400, window - 86400
    first = [
        OrderRecord(1, "2027-01", recent, 5, 100),
        OrderRecord(2, "2027-01", recent, 0, 0),  # adds nothing to the totals
        OrderRecord(3, "2020-01", old, 9, 900),  # outside the score's window
        OrderRecord(4, "2027-01", recent, 1, 1),
        OrderRecord(4, "2026-12", recent, 2, 2),
    ]
    assert await apply_orders(db, first, window) == [1, 4]
    profiles = ProfileRepository(db)
    totals = await profiles.purchase_totals()
    assert totals[1].orders == 5 and totals[3].amount_cents == 900 and totals[4].orders == 3
    assert await apply_orders(db, first, window) == []  # the same again changes nothing
    again = [OrderRecord(1, "2027-01", recent, 5, 100), OrderRecord(4, "2026-12", recent, 7, 2)]
    assert await apply_orders(db, again, window) == [4]
    assert (await profiles.purchase_totals())[4].orders == 8  # the period was replaced
