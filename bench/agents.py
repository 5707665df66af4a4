"""Agents at scale: 100,000 agents with profiles in 5,000 groups.

Run: .venv/bin/python bench/agents.py [--agents N] [--groups N] [--runs N]

Prints generation time, the daily recompute of every score, p95 latency of the queries behind
/lowquality and filtered /agents (target < 20 ms) against two baselines measured in the same
run — a plain ``SELECT count(*) FROM agents`` and the same queries without this feature's
indexes — then p95 end-to-end latency of those commands through the sandbox Bot API (the real
PTB application, HTTP included) and the process RSS (target < 200 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.agents.crm import parse_agent_filter
from bot.agents.profiles import NAMED_LEVELS, TAOBAO_LEVELS
from bot.agents.quality_service import recompute_all
from bot.config import Settings
from bot.dev.testbed import DEFAULT_OWNER, Testbed
from bot.services import Services
from storage.db import Database

CATEGORIES = ["女装/连衣裙", "女装/T恤", "女装/半身裙", "家居/收纳", "家居/床品", "母婴/童装"]
AGENT_CATEGORIES = [*CATEGORIES, "女装", "数码/手机", "美妆/面膜", "食品/零食", "男装/衬衫"]
PLATFORMS = ["taobao", "tmall", "pdd", "douyin", "kuaishou", "jd", "1688", "weidian", "other"]
FILTERS = {
    "/agents tier:低质": ["tier:低质"],
    "/agents platform:淘宝": ["platform:淘宝"],
    "/agents category:女装": ["category:女装"],
    "/agents category:女装/连衣裙": ["category:女装/连衣裙"],
    "/agents score:<50": ["score:<50"],
    "/agents platform:天猫 score:>=60": ["platform:天猫", "score:>=60"],
}
OUR_INDEXES = {
    "agents_by_quality_tier": (
        "CREATE INDEX agents_by_quality_tier ON agents (status, quality_tier, quality_score)"
    ),
    "agents_by_quality_score": (
        "CREATE INDEX agents_by_quality_score ON agents (status, quality_score)"
    ),
    "agent_scores_by_snooze": (
        "CREATE INDEX agent_scores_by_snooze ON agent_scores (snoozed_until)"
    ),
    "agents_by_store_platform": (
        "CREATE INDEX agents_by_store_platform ON agents (status, store_platform,"
        " coalesce(last_seen_at, joined_at) DESC, user_id, quality_tier, quality_score)"
    ),
    "agents_by_category_activity": (
        "CREATE INDEX agents_by_category_activity ON agents (status, store_category_top,"
        " coalesce(last_seen_at, joined_at) DESC, user_id, store_category, quality_tier,"
        " quality_score)"
    ),
    "agents_by_store_category": (
        "CREATE INDEX agents_by_store_category ON agents (status, store_category)"
    ),
    "agents_by_activity": (
        "CREATE INDEX agents_by_activity ON agents"
        " (coalesce(last_seen_at, joined_at) DESC, user_id)"
    ),
}


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    current = 0.0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] * 1000


async def timed(runs: int, action: Callable[[], Awaitable[object]]) -> float:
    await action()  # warm the page cache and statement cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - start)
    return p95(samples)


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
    await db.connection.execute("ANALYZE")


async def query_figures(services: Services, runs: int, now: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    db = services.db
    figures["SELECT count(*) FROM agents"] = await timed(
        runs, lambda: db.fetchone("SELECT count(*) FROM agents")
    )
    figures["/lowquality (queue page + count)"] = await timed(
        runs,
        lambda: services.profiles.review_queue(now, limit=10, newcomers_after=now - 14 * 86400),
    )
    for label, tokens in FILTERS.items():
        query = parse_agent_filter(tokens, now, "zh")
        figures[label] = await timed(runs, lambda q=query: services.agents.search(q, limit=10))
    return figures


async def end_to_end(path: Path, runs: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    overrides = {"seller_categories": CATEGORIES}
    async with Testbed(database=path, overrides=overrides) as bed:
        bed.sandbox.add_user(DEFAULT_OWNER, "Seller", language_code="zh-hans")
        await bed.say(DEFAULT_OWNER, DEFAULT_OWNER, "/start")
        for command in ("/lowquality", *FILTERS):
            sent = await bed.say(DEFAULT_OWNER, DEFAULT_OWNER, command)
            assert sent and "无效" not in (sent[0].text or "")[:20], (command, sent)
            figures[command] = await timed(
                runs, lambda c=command: bed.say(DEFAULT_OWNER, DEFAULT_OWNER, c)
            )
    return figures


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--e2e-runs", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(5)
    now = int(time.time())
    with tempfile.TemporaryDirectory(prefix="agentbot-bench-") as folder:
        path = Path(folder) / "bench.sqlite3"
        db = await Database.open(path)
        settings = Settings(database=path, seller_categories=CATEGORIES)
        services = Services(settings=settings, db=db, clock=lambda: float(now))
        start = time.perf_counter()
        await generate(db, args.agents, args.groups, now, rng)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        scored = await recompute_all(services)
        recomputed = time.perf_counter() - start
        counts = {
            table: (await db.fetchone(f"SELECT count(*) FROM {table}"))[0]  # type: ignore[index]
            for table in ("agents", "groups", "memberships", "agent_profiles", "agent_scores")
        }
        tiers = await db.fetchall("SELECT tier, count(*) FROM agent_scores GROUP BY tier")
        print(f"generated {json.dumps(counts)} in {generated:.1f} s")
        print(f"tiers: {dict((row[0], row[1]) for row in tiers)}")
        print(f"daily recompute of {scored} scores: {recomputed:.1f} s")

        indexed = await query_figures(services, args.runs, now)
        await db.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await db.close()

        e2e = await end_to_end(path, args.e2e_runs)

        db = await Database.open(path)
        services = Services(settings=settings, db=db, clock=lambda: float(now))
        for name in OUR_INDEXES:
            await db.connection.execute(f"DROP INDEX {name}")
        await db.connection.execute("ANALYZE")
        plain = await query_figures(services, max(args.runs // 10, 20), now)
        for statement in OUR_INDEXES.values():
            await db.connection.execute(statement)
        await db.close()

    baseline = indexed["SELECT count(*) FROM agents"]
    print(f"\nquery p95 over {args.runs} runs (ms); target < 20 ms")
    print(f"{'query':40} {'indexed':>9} {'no index':>9} {'speed-up':>9} {'÷ count(*)':>11}")
    for label, value in indexed.items():
        print(
            f"{label:40} {value:9.2f} {plain[label]:9.2f} {plain[label] / value:8.1f}x"
            f" {value / baseline:10.1f}x"
        )
    print(f"\nend-to-end p95 through the sandbox over {args.e2e_runs} runs (ms)")
    for label, value in e2e.items():
        print(f"{label:40} {value:9.2f}")
    current, peak = rss_mb()
    print(f"\nprocess RSS: {current:.0f} MB now, {peak:.0f} MB peak (target < 200 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
