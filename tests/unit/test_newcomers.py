"""The newcomer rule (待完善): the pure function and the storage predicate say the same, the
migration's triggers stamp ``profile_at``, and the review queue leaves newcomers out."""

from __future__ import annotations

from pathlib import Path

from bot.agents.crm import parse_agent_filter
from bot.agents.quality import DAY, is_newcomer
from bot.agents.quality_config import newcomer_cutoff
from storage.agents import NEWCOMER, AgentRepository, newcomer_sql
from storage.db import Database
from storage.models import AgentFilter
from storage.profiles import ProfileRepository, StoreProfile

NOW = 1_800_000_000
PROFILE = StoreProfile("taobao", "店", "https://x.taobao.com", "女装", "1钻", 4.8, 4.8, 4.8, "open")
DAYS = 14


def test_rule() -> None:
    assert is_newcomer(NOW - DAY, None, NOW, DAYS)
    assert not is_newcomer(NOW - DAY, NOW - 10, NOW, DAYS)  # a profile arrived
    assert not is_newcomer(NOW - DAYS * DAY, None, NOW, DAYS)  # exactly 14 days: over
    assert is_newcomer(NOW - DAYS * DAY + 1, None, NOW, DAYS)
    assert not is_newcomer(NOW, None, NOW, 0)  # 0 turns the rule off


def test_tier_filter_parses_the_newcomer_state() -> None:
    query = parse_agent_filter(["tier:待完善"], NOW, "zh", newcomer_days=DAYS)
    assert query.tier == NEWCOMER and query.newcomers_after == newcomer_cutoff(NOW, DAYS)
    assert parse_agent_filter(["tier:incomplete"], NOW, "en").tier == NEWCOMER
    assert parse_agent_filter(["tier:无效"], NOW, "zh").tier == "invalid"


async def test_predicate_agrees_with_the_rule(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "n.sqlite3")
    agents, profiles = AgentRepository(db), ProfileRepository(db)
    joined = [NOW - offset for offset in (0, DAY, DAYS * DAY - 1, DAYS * DAY, 40 * DAY)]
    expected: dict[int, bool] = {}
    for index, at in enumerate(joined):
        for with_profile in (False, True):
            user_id = 1000 + 2 * index + with_profile
            await agents.record(user_id, f"a{user_id}", None, None, None, at)
            if with_profile:
                await profiles.submit(user_id, PROFILE, "dropship", at)
            agent = await agents.get(user_id)
            assert agent is not None and (agent.profile_at is not None) == with_profile
            expected[user_id] = is_newcomer(agent.joined_at, agent.profile_at, NOW, DAYS)
    assert sum(expected.values()) == 3  # profile-less, joined 0, 1 and 14 days - 1 s ago
    term, params = newcomer_sql(newcomer_cutoff(NOW, DAYS))
    rows = await db.fetchall(f"SELECT user_id FROM agents a WHERE {term}", params)
    assert {row[0] for row in rows} == {uid for uid, new in expected.items() if new}
    rows = await db.fetchall(f"SELECT user_id FROM agents a WHERE NOT {term}", params)
    assert {row[0] for row in rows} == {uid for uid, new in expected.items() if not new}
    # The /agents tier filter: 待完善 selects them, any tier leaves them out.
    cutoff = newcomer_cutoff(NOW, DAYS)
    found, total = await agents.search(AgentFilter(tier=NEWCOMER, newcomers_after=cutoff), limit=50)
    assert total == 3 and {a.user_id for a in found} == {u for u, n in expected.items() if n}
    found, total = await agents.search(
        AgentFilter(tier="invalid", newcomers_after=cutoff), limit=50
    )
    assert not {a.user_id for a in found} & {u for u, n in expected.items() if n}
    assert total == len(found) == 7  # every agent still has the placeholder tier 无效
    await db.close()


async def test_import_stamps_profile_at_and_queue_skips_newcomers(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "q.sqlite3")
    agents, profiles = AgentRepository(db), ProfileRepository(db)
    for user_id in (1, 2, 3):
        await agents.record(user_id, f"a{user_id}", None, None, None, NOW - DAY)
    await db.execute(
        "INSERT INTO agent_profiles (user_id, store_name, updated_at) VALUES (2, 'x', ?)", (NOW,)
    )
    agent = await agents.get(2)
    assert agent is not None and agent.profile_at == NOW
    # Scored (the queue leaves out the placeholders of agents never scored).
    await db.execute("UPDATE agent_scores SET computed_at = ?", (NOW,))
    cutoff = newcomer_cutoff(NOW, DAYS)
    entries = await profiles.review_queue(NOW, limit=10, newcomers_after=cutoff)
    total = await profiles.queue_count(NOW, newcomers_after=cutoff)
    assert [e.user_id for e in entries] == [2] and total == 1
    # With the rule off (cutoff at "now"), everybody is in the queue and counted.
    entries = await profiles.review_queue(NOW, limit=10, newcomers_after=NOW)
    total = await profiles.queue_count(NOW, newcomers_after=NOW)
    assert [e.user_id for e in entries] == [1, 2, 3] and total == 3
    # A snoozed newcomer is subtracted once, not twice.
    await profiles.snooze(1, NOW + DAY)
    entries = await profiles.review_queue(NOW, limit=10, newcomers_after=cutoff)
    total = await profiles.queue_count(NOW, newcomers_after=cutoff)
    assert [e.user_id for e in entries] == [2] and total == 1
    await db.close()
