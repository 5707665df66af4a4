"""Stats queries on a real SQLite file, week boundaries, the totals text and the chart."""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.ops.charts import ChartData, cjk_font_family, cjk_font_path, render_chart
from bot.ops.stats import chart_data, totals_text, week_starts
from storage.db import Database
from storage.stats import DeliveryCounts, StatsRepository

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = int(datetime(2026, 3, 4, 12, 0, tzinfo=SHANGHAI).timestamp())  # a Wednesday
WEEK = 7 * 86400


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "stats.sqlite3")
    yield database
    await database.close()


async def add_agent(
    db: Database,
    user_id: int,
    joined_at: int,
    *,
    mode: str | None = None,
    removed_at: int | None = None,
) -> None:
    await db.execute(
        "INSERT INTO agents (user_id, first_name, order_mode, status, joined_at, removed_at)"
        " VALUES (?, 'a', ?, ?, ?, ?)",
        (user_id, mode, "removed" if removed_at else "active", joined_at, removed_at),
    )


async def add_broadcast(db: Database, created_at: int, statuses: list[str]) -> None:
    broadcast_id = await db.execute(
        "INSERT INTO broadcasts (kind, payload, created_at) VALUES ('text', '{}', ?)", (created_at,)
    )
    for index, status in enumerate(statuses):
        await db.execute(
            "INSERT INTO deliveries (broadcast_id, chat_id, status) VALUES (?, ?, ?)",
            (broadcast_id, -100 - index, status),
        )


def test_week_starts_are_local_mondays_oldest_first() -> None:
    starts = week_starts(NOW, SHANGHAI, count=3)
    assert [datetime.fromtimestamp(s, SHANGHAI).strftime("%a %m-%d %H:%M") for s in starts] == [
        "Mon 02-16 00:00",
        "Mon 02-23 00:00",
        "Mon 03-02 00:00",
    ]


def test_week_starts_follow_daylight_saving_changes() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    after_dst = int(datetime(2026, 4, 1, 9, 0, tzinfo=berlin).timestamp())
    before, after = week_starts(after_dst, berlin, count=2)
    assert after - before == WEEK - 3600
    assert datetime.fromtimestamp(after, berlin).hour == 0


async def test_dashboard_counts_groups_agents_tiers_and_deliveries(db: Database) -> None:
    starts = week_starts(NOW, SHANGHAI, count=3)
    await db.execute(
        "INSERT INTO groups (chat_id, title, type, active, added_at, updated_at)"
        " VALUES (-1, 'a', 'group', 1, 0, 0), (-2, 'b', 'group', 1, 0, 0),"
        " (-3, 'c', 'group', 0, 0, 0)"
    )
    await add_agent(db, 1, starts[0] - 100, mode="dropship")  # before the chart's weeks
    await add_agent(db, 2, starts[0] + 10, mode="wholesale")
    await add_agent(db, 3, starts[1] + 10, removed_at=starts[2] + 10)
    await add_agent(db, 4, starts[2] + 10, mode="dropship")
    await add_agent(db, 5, NOW + 10)  # after "now": not counted in any week
    # New agents start as 'invalid' (a trigger of the quality feature); 4 has no score row.
    await db.execute(
        "UPDATE agent_scores SET tier = CASE user_id WHEN 1 THEN 'excellent' WHEN 2 THEN 'low'"
        " ELSE tier END"
    )
    await db.execute("DELETE FROM agent_scores WHERE user_id = 4")
    await add_broadcast(db, starts[1] + 50, ["sent", "failed"])
    await add_broadcast(
        db, starts[2] + 50, ["sent", "sent", "sent", "failed", "pending", "cancelled"]
    )
    await add_broadcast(db, starts[2] + 60, ["sending"])

    dashboard = await StatsRepository(db).dashboard(starts, NOW)

    assert (dashboard.groups_active, dashboard.groups_inactive) == (2, 1)
    assert dashboard.agents_active == 4
    assert dict(dashboard.agents_by_mode) == {"dropship": 2, "wholesale": 1, "custom": 0, None: 1}
    assert dashboard.agents_by_tier == (
        ("excellent", 1),
        ("qualified", 0),
        ("low", 1),
        ("invalid", 1),  # agent 5; agent 3 is removed: only the active roster is counted
        ("unscored", 1),
    )
    assert dashboard.new_agents_this_week == 1
    assert [w.new_agents for w in dashboard.weeks] == [1, 1, 1]
    assert [w.roster for w in dashboard.weeks] == [2, 3, 3]
    assert [w.deliveries for w in dashboard.weeks] == [
        DeliveryCounts(),
        DeliveryCounts(sent=1, failed=1),
        DeliveryCounts(sent=3, failed=1, pending=2),
    ]
    assert dashboard.broadcasts_this_week == 2
    assert dashboard.deliveries_this_week == DeliveryCounts(sent=3, failed=1, pending=2)
    assert dashboard.deliveries_this_week.success_rate == 0.75


async def test_missing_feature_tables_are_unavailable_not_zero(db: Database) -> None:
    for table in ("agent_scores", "deliveries", "broadcasts"):
        await db.execute(f"DROP TABLE {table}")
    starts = week_starts(NOW, SHANGHAI, count=2)

    dashboard = await StatsRepository(db).dashboard(starts, NOW)

    assert dashboard.agents_by_tier is None
    assert dashboard.broadcasts_this_week is None
    assert dashboard.deliveries_this_week is None
    assert all(week.deliveries is None for week in dashboard.weeks)
    text = totals_text(dashboard, "en", SHANGHAI, NOW)
    assert "By quality tier: not available" in text
    assert "Broadcasts this week: not available" in text
    data = chart_data(dashboard, SHANGHAI)
    assert data.tiers is None and data.delivered is None and data.failed is None
    assert render_chart(data)[:8] == b"\x89PNG\r\n\x1a\n"


async def test_totals_text_escapes_nothing_it_should_not_and_has_every_total(db: Database) -> None:
    starts = week_starts(NOW, SHANGHAI, count=2)
    dashboard = await StatsRepository(db).dashboard(starts, NOW)
    text = totals_text(dashboard, "zh", SHANGHAI, NOW)
    assert text.splitlines() == [
        "📊 <b>经营概况</b>（截至 2026-03-04 12:00）",
        "群：0 个正常，0 个已失效",
        "代理：在册 0 人；本周（03-02 起）新进 0 人",
        "按合作模式：一件代发 0、批发 0、定制 0、未设置 0",
        "按质量等级：优质 0、合格 0、低质 0、无效 0、未评分 0",
        "本周（03-02 起）推送 0 次：送达 0/0，成功率 —，未完成 0",
    ]


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_render_chart_is_a_png_of_the_fixed_size() -> None:
    data = ChartData(
        tiers=(("excellent", 3), ("qualified", 5), ("low", 2), ("invalid", 1), ("unscored", 4)),
        week_labels=("02-16", "02-23", "03-02"),
        roster=(4, 9, 15),
        new_agents=(4, 5, 6),
        delivered=(10, 12, 20),
        failed=(0, 2, 1),
    )
    png = render_chart(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(png) == (1200, 900)
    assert 10_000 < len(png) < 500_000
    # A pure function: the same figures draw the same picture, other figures another one.
    assert render_chart(data) == png
    assert render_chart(replace(data, roster=(1, 2, 3))) != png


def test_render_chart_with_all_zeros_and_nothing_available() -> None:
    empty = ChartData(
        tiers=None,
        week_labels=("03-02",),
        roster=(0,),
        new_agents=(0,),
        delivered=None,
        failed=None,
    )
    png = render_chart(empty)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(png) == (1200, 900)


def test_chart_in_chinese_has_every_glyph() -> None:
    """Chinese labels with the CJK font mplfonts ships: matplotlib warns "Glyph ... missing from
    font(s)" for any character it cannot draw, so no such warning means no boxes."""
    assert cjk_font_path() is not None and cjk_font_family() is not None
    data = ChartData(
        tiers=(("excellent", 3), ("qualified", 5), ("low", 2), ("invalid", 1), ("unscored", 4)),
        week_labels=("02-16", "03-02"),
        roster=(4, 9),
        new_agents=(4, 5),
        delivered=(10, 12),
        failed=(0, 2),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chinese = render_chart(data, "zh")
        nothing = render_chart(replace(data, tiers=None, delivered=None, failed=None), "zh")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    assert chinese[:8] == nothing[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(chinese) == (1200, 900)


def test_without_the_font_a_chinese_chart_would_miss_glyphs() -> None:
    """The check above can fail: DejaVu Sans alone has no CJK glyphs."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    with (
        warnings.catch_warnings(record=True) as caught,
        matplotlib.rc_context({"font.family": "DejaVu Sans"}),
    ):
        warnings.simplefilter("always")
        figure.text(0.1, 0.5, "各质量等级代理数")
        figure.savefig(io.BytesIO(), format="png")
    assert any("missing from font" in str(w.message) for w in caught)
