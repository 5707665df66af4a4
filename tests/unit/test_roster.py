"""The roster's keyset pages (storage/agents.py, storage/profiles.py) against the OFFSET
order they replace, their query plans, and the recompute's batch sizing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.agents.quality_service import MAX_BATCH, next_batch_size
from storage.agents import AgentRepository, RosterKey, count_query, page_query
from storage.db import Database
from storage.groups import GroupRepository
from storage.models import AgentFilter
from storage.profiles import ProfileRepository

NOW = 1_764_560_000
CHAT = -1001000000001
OTHER_CHAT = -1001000000002


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """40 agents: activity in 5 distinct seconds (many ties), every 3rd tagged, modes cycling,
    every 2nd in the group, a few removed, scores spread over the tiers."""
    database = await Database.open(tmp_path / "roster.sqlite3")
    agents, groups = AgentRepository(database), GroupRepository(database)
    group, _ = await groups.register(CHAT, "g", "supergroup", None, NOW)
    await groups.register(OTHER_CHAT, "h", "supergroup", None, NOW)
    modes = ["dropship", "wholesale", "custom", None]
    for index in range(40):
        user_id = 7000 + (index * 37) % 40  # ids not in activity order
        await agents.record(user_id, f"a{user_id}", None, None, None, NOW - 86400 * (index % 5))
        mode = modes[index % 4]
        if mode is not None:
            await agents.set_order_mode(user_id, mode)  # type: ignore[arg-type]
        if index % 3 == 0:
            await agents.add_tags(user_id, ["vip"])
        if index % 2 == 0:
            await agents.join(group.id, user_id, NOW)
        if index % 11 == 0:
            await agents.mark_removed(user_id, None, NOW)
        score = (index * 7) % 100
        tier = "invalid" if score < 20 else "low" if score < 50 else "qualified"
        await database.execute(
            "UPDATE agent_scores SET score = ?, tier = ?, computed_at = ? WHERE user_id = ?",
            (score, tier, NOW, user_id),
        )
    yield database
    await database.close()


FILTERS = [
    AgentFilter(),
    AgentFilter(tags=("vip",)),
    AgentFilter(group_chat_id=CHAT),
    AgentFilter(group_chat_id=OTHER_CHAT),
    AgentFilter(order_mode="wholesale"),
    AgentFilter(inactive_since=NOW - 2 * 86400),
    AgentFilter(tier="low"),
    AgentFilter(score=("<", 50.0)),
    AgentFilter(tags=("vip",), order_mode="dropship", inactive_since=NOW - 86400),
    AgentFilter(group_chat_id=CHAT, tags=("vip",)),
    AgentFilter(include_removed=True),
]


@pytest.mark.parametrize("query", FILTERS)
async def test_keyset_pages_walk_the_same_list_as_offset_both_ways(
    db: Database, query: AgentFilter
) -> None:
    repository = AgentRepository(db)
    expected, total = await repository.search(query, limit=1000)
    assert await repository.count(query) == total
    forward: list[int] = []
    page = await repository.page(query, limit=3)
    while page:
        forward += [agent.user_id for agent in page]
        page = await repository.page(query, limit=3, cursor=RosterKey.of(page[-1]))
    assert forward == [agent.user_id for agent in expected]
    if not expected:
        return
    backward: list[int] = []
    page = await repository.page(query, limit=3, cursor=RosterKey.of(expected[-1]), direction="at")
    while page:
        backward = [agent.user_id for agent in page] + backward
        page = await repository.page(
            query, limit=3, cursor=RosterKey.of(page[0]), direction="before"
        )
    assert backward == forward


async def test_a_forged_cursor_finds_rows_of_the_same_query_only(db: Database) -> None:
    repository = AgentRepository(db)
    query = AgentFilter(tags=("vip",))
    members, _ = await repository.search(query, limit=1000)
    allowed = {agent.user_id for agent in members}
    for cursor in (RosterKey(0, 0), RosterKey(2**40, 2**63 - 1), RosterKey(NOW - 86400, 7013)):
        for direction in ("after", "at", "before"):
            page = await repository.page(
                query,
                limit=5,
                cursor=cursor,
                direction=direction,  # type: ignore[arg-type]
            )
            assert {agent.user_id for agent in page} <= allowed


async def plan(db: Database, sql: str, params: list[object]) -> str:
    rows = await db.fetchall("EXPLAIN QUERY PLAN " + sql, params)
    return " | ".join(str(row[3]) for row in rows)


@pytest.mark.parametrize(
    "query",
    [
        AgentFilter(),
        AgentFilter(tags=("vip",)),
        AgentFilter(order_mode="wholesale"),
        AgentFilter(inactive_since=NOW - 86400),
        AgentFilter(tier="low"),
        AgentFilter(score=("<", 50.0)),
        AgentFilter(platform="taobao"),
        AgentFilter(tags=("vip",), inactive_since=NOW - 86400),
    ],
)
async def test_pages_walk_an_index_in_roster_order_from_the_cursor(
    db: Database, query: AgentFilter
) -> None:
    """No sort of every match (what made the last page slow), no scan of the table: the page
    seeks into an index kept in /agents order and stops after one page."""
    for cursor in (None, RosterKey(NOW, 7001)):
        found = await plan(db, *page_query(query, 10, cursor, "after"))
        assert "TEMP B-TREE" not in found and "SCAN a" not in found, found
        assert "USING INDEX agents_by_" in found, found


async def test_a_group_starts_from_its_members_and_tags_count_from_their_rows(
    db: Database,
) -> None:
    group = await plan(db, *page_query(AgentFilter(group_chat_id=CHAT), 10, None, "after"))
    assert "SEARCH m USING PRIMARY KEY (group_id=?)" in group
    assert "INTEGER PRIMARY KEY (rowid=?)" in group and "SCAN a" not in group
    tagged = await plan(db, *count_query(AgentFilter(tags=("vip",))))
    assert "agent_tags_by_tag (tag=?)" in tagged and "INTEGER PRIMARY KEY" in tagged
    mode = await plan(db, *count_query(AgentFilter(order_mode="custom")))
    assert "COVERING INDEX" in mode or "agents_by_mode_activity" in mode, mode


async def test_review_queue_pages_by_keyset_and_leaves_out_placeholders(db: Database) -> None:
    profiles = ProfileRepository(db)
    agents = AgentRepository(db)
    await agents.record(9999, "new", None, None, None, NOW)  # placeholder: invalid, never scored
    everyone = await profiles.queue_user_ids(NOW, ("low", "invalid"))
    assert 9999 not in everyone and everyone
    assert await profiles.queue_count(NOW) == len(everyone)
    walked: list[int] = []
    page = await profiles.review_queue(NOW, limit=4)
    while page:
        walked += [entry.user_id for entry in page]
        page = await profiles.review_queue(NOW, limit=4, after=page[-1].user_id)
    assert walked == everyone
    back = await profiles.review_queue(NOW, limit=4, before=walked[6])
    assert [entry.user_id for entry in back] == walked[2:6]
    assert await profiles.review_queue(NOW, limit=4, after=123456789) == []
    scores = [entry.score.score for entry in await profiles.review_queue(NOW, limit=100)]
    assert scores == sorted(scores)
    found = await plan(
        db,
        "SELECT s.* FROM agents a JOIN agent_scores s ON s.user_id = a.user_id"
        " WHERE a.status = 'active' AND a.quality_tier IN ('low', 'invalid')"
        " AND s.snoozed_until <= 0 AND s.computed_at > 0"
        " ORDER BY a.quality_score, a.user_id LIMIT 10",
        [],
    )
    assert "SCAN a" not in found, found


def test_batch_size_follows_the_measured_cost_per_agent() -> None:
    assert next_batch_size(0.01, 100, budget=0.02) == 200  # 0.1 ms each: 200 in 20 ms
    assert next_batch_size(0.5, 10, budget=0.02) == 1  # slower than the budget: one at a time
    assert next_batch_size(0.0, 100) == MAX_BATCH  # too fast to measure: the cap
