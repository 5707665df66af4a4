"""The agents' catalog search at scale: 5,000 products, searched with LIKE (escaped terms).

Run: .venv/bin/python bench/catalog_search.py [--products N] [--runs N]

Prints the p50 / p95 / max latency of ``ProductRepository.search`` (one page of 101, as
/products asks) for typical queries — a Chinese word, two words, an exact SKU, a word that
matches nothing (the worst case: every row is scanned), a category — against the baseline of
a plain ``SELECT count(*) FROM products`` in the same run, and the CPU time the process spent
per query (the database runs in aiosqlite's thread; CPU time is what a loaded machine's wall
clock inflates). Target: p95 < 20 ms on an idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.catalog import Product, ProductRepository
from storage.db import Database

WORDS = ["连衣裙", "T恤", "收纳盒", "纯棉", "雪纺", "碎花", "夏季", "加厚", "儿童", "宽松", "修身"]
CATEGORIES = ["女装/连衣裙", "女装/T恤", "家居/收纳", "童装", "男装/衬衫"]
QUERIES: list[tuple[str, list[str], str | None]] = [
    ("one word", ["连衣裙"], None),
    ("two words", ["纯棉", "夏季"], None),
    ("exact SKU", ["SKU-04321"], None),
    ("no match", ["不存在的词"], None),
    ("category", [], "家居/收纳"),
]


async def main(products: int, runs: int) -> None:
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        repository = ProductRepository(db)
        start = time.perf_counter()
        for n in range(products):
            words = rng.sample(WORDS, 3)
            await repository.add(
                Product(
                    f"SKU-{n:05d}",
                    " ".join(words) + f" {n}",
                    rng.randint(1000, 99900),
                    rng.randint(500, 900),
                    rng.choice(CATEGORIES),
                    "、".join(rng.sample(WORDS, 5)) + "。" + "面料舒适，做工精细。" * 20,
                    ("photo-file-id",),
                    1,
                    n,
                )
            )
        print(f"{products} products written in {time.perf_counter() - start:.1f} s")

        async def baseline() -> None:
            await db.fetchone("SELECT count(*) FROM products")

        await report("baseline count(*)", baseline, runs)
        for label, terms, category in QUERIES:

            async def query(terms: list[str] = terms, category: str | None = category) -> None:
                await repository.search(terms, category=category, limit=101)

            await report(label, query, runs)
        await db.close()


async def report(label: str, call: object, runs: int) -> None:
    assert callable(call)
    timings = []
    cpu = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        await call()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{label:18} p50 {statistics.median(timings):6.2f} ms  p95 {p95:6.2f} ms"
        f"  max {timings[-1]:6.2f} ms  cpu p50 {statistics.median(cpu):6.2f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.products, arguments.runs))
