"""The bench data set of bench/agents.py: groups, agents, memberships, tags, profiles,
ratings and purchases, in bulk SQL into a temp database (no ANALYZE, as the bot never runs it).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from bot.agents.profiles import NAMED_LEVELS, TAOBAO_LEVELS
from bot.config import Settings
from bot.dev.testbed import DEFAULT_OWNER
from bot.services import Services
from storage.db import Database

CATEGORIES = ["女装/连衣裙", "女装/T恤", "女装/半身裙", "家居/收纳", "家居/床品", "母婴/童装"]
AGENT_CATEGORIES = [*CATEGORIES, "女装", "数码/手机", "美妆/面膜", "食品/零食", "男装/衬衫"]
PLATFORMS = ["taobao", "tmall", "pdd", "douyin", "kuaishou", "jd", "1688", "weidian", "other"]


async def generate(db: Database, agents: int, groups: int, now: int, rng: random.Random) -> None:
    """Groups, agents, memberships, tags, profiles, ratings and purchases, in bulk SQL."""
    async with db.transaction() as connection:
        await connection.executemany(
            "INSERT INTO groups (id, chat_id, title, type, added_at, updated_at)"
            " VALUES (?, ?, ?, 'supergroup', ?, ?)",
            [(g, -1001000000000 - g, f"代理群 {g}", now, now) for g in range(1, groups + 1)],
        )
    batch = 20_000
    for first in range(0, agents, batch):
        ids = range(1_000_000 + first, 1_000_000 + min(first + batch, agents))
        agent_rows, memberships, tags, profiles, ratings, orders = [], [], [], [], [], []
        for user_id in ids:
            joined = now - rng.randint(1, 400) * 86400
            seen = None if rng.random() < 0.05 else now - rng.randint(0, 120) * 86400
            agent_rows.append(
                (
                    user_id,
                    f"代理{user_id}",
                    f"agent{user_id}",
                    rng.choice(["dropship", "wholesale", "custom", None]),
                    "removed" if rng.random() < 0.02 else "active",
                    joined,
                    seen,
                )
            )
            for group in rng.sample(range(1, groups + 1), rng.randint(1, 2)):
                memberships.append((group, user_id, joined))
            if rng.random() < 0.3:
                tags.append((user_id, rng.choice(["已成交", "代理商", "潜在客户", "VIP代理商"])))
            if rng.random() < 0.85:
                platform = rng.choice(PLATFORMS)
                if platform == "taobao":
                    badge = rng.choice(TAOBAO_LEVELS)
                elif platform in NAMED_LEVELS:
                    badge = rng.choice(list(NAMED_LEVELS[platform]))
                else:
                    badge = f"{rng.uniform(3, 5):.1f}"
                profiles.append(
                    (
                        user_id,
                        platform,
                        f"店铺{user_id}",
                        f"https://shop{user_id}.example.com",
                        rng.choice(AGENT_CATEGORIES),
                        badge,
                        round(rng.uniform(4.0, 5.0), 1),
                        round(rng.uniform(4.0, 5.0), 1),
                        round(rng.uniform(4.0, 5.0), 1),
                        rng.choice(["open"] * 8 + ["paused", "closed"]),
                        now,
                    )
                )
            for _ in range(rng.choice([0, 0, 1, 2])):
                ratings.append((user_id, DEFAULT_OWNER, rng.randint(1, 5), None, now))
            if rng.random() < 0.5:
                for month in rng.sample(range(1, 13), rng.randint(1, 3)):
                    end = now - rng.randint(0, 300) * 86400
                    orders.append(
                        (
                            user_id,
                            f"2026-{month:02d}",
                            end,
                            rng.randint(0, 60),
                            rng.randint(0, 3_000_000),
                            now,
                            1,
                        )
                    )
        async with db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO agents (user_id, first_name, username, order_mode, status,"
                " joined_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                agent_rows,
            )
            await connection.executemany(
                "INSERT OR IGNORE INTO memberships (group_id, user_id, status, joined_at)"
                " VALUES (?, ?, 'member', ?)",
                memberships,
            )
            await connection.executemany(
                "INSERT OR IGNORE INTO agent_tags (user_id, tag) VALUES (?, ?)", tags
            )
            await connection.executemany(
                "INSERT INTO agent_profiles (user_id, platform, store_name, store_url, category,"
                " badge, dsr_description, dsr_service, dsr_logistics, operating_status,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                profiles,
            )
            await connection.executemany(
                "INSERT INTO agent_ratings (user_id, rated_by, stars, comment, at)"
                " VALUES (?, ?, ?, ?, ?)",
                ratings,
            )
            await connection.executemany(
                "INSERT OR IGNORE INTO agent_orders (user_id, period, period_end, orders,"
                " amount_cents, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                orders,
            )


async def build(path: Path, agents: int, groups: int, now: int) -> Services:
    """Section: the data."""
    db = await Database.open(path)
    await db.connection.execute("PRAGMA synchronous = OFF")  # the bench's own file
    start = time.perf_counter()
    # Bulk insert without the indexes, then build each once (sorted): far faster than keeping
    # a dozen indexes up to date row by row. The triggers stay (placeholders, copies).
    indexes = await db.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    )
    for name, _ in indexes:
        await db.connection.execute(f"DROP INDEX {name}")
    await generate(db, agents, groups, now, random.Random(5))
    for _, sql in indexes:
        await db.connection.execute(sql)
    await db.connection.commit()
    counts = {
        table: (await db.fetchone(f"SELECT count(*) FROM {table}"))[0]  # type: ignore[index]
        for table in ("agents", "groups", "memberships", "agent_profiles")
    }
    print(f"generated {counts} in {time.perf_counter() - start:.1f} s")
    settings = Settings(database=path, seller_categories=CATEGORIES)
    return Services(settings=settings, db=db, clock=lambda: float(now))
