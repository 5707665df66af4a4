"""The queries behind ``/stats``: groups, agents, tiers and deliveries, in totals and per week.

Quality tiers (``agent_scores``) and deliveries (``broadcasts``/``deliveries``) come from other
features' migrations; when a table is missing the figure is ``None`` ("not available"), never a
made-up zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database
from storage.models import ORDER_MODES, OrderMode

TIERS = ("excellent", "qualified", "low", "invalid")
UNSCORED = "unscored"


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """Deliveries of broadcasts: sent, failed for good, and not finished yet."""

    sent: int = 0
    failed: int = 0
    pending: int = 0

    @property
    def finished(self) -> int:
        return self.sent + self.failed

    @property
    def success_rate(self) -> float | None:
        """Share of finished deliveries that were sent; None when none has finished."""
        return self.sent / self.finished if self.finished else None


@dataclass(frozen=True, slots=True)
class WeekStats:
    start: int  # Unix seconds of the week's first moment (local Monday 00:00)
    new_agents: int
    roster: int  # agents in the roster at the end of the week (joined, not removed)
    deliveries: DeliveryCounts | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    groups_active: int
    groups_inactive: int
    agents_active: int
    agents_by_mode: tuple[tuple[OrderMode | None, int], ...]
    # (tier, count) for every tier plus "unscored"; None when quality scores do not exist.
    agents_by_tier: tuple[tuple[str, int], ...] | None
    new_agents_this_week: int
    broadcasts_this_week: int | None
    deliveries_this_week: DeliveryCounts | None
    weeks: tuple[WeekStats, ...]


class StatsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def _tables(self) -> set[str]:
        rows = await self._db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}

    async def dashboard(self, week_starts: Sequence[int], now: int) -> Dashboard:
        """Totals now, and per-week figures for the weeks starting at ``week_starts``
        (ascending; the last is the current week, which ends at ``now``)."""
        if not week_starts:
            raise ValueError("at least one week is needed")
        await self._db.pending_writes()
        tables = await self._tables()
        has_tiers = "agent_scores" in tables
        has_deliveries = {"broadcasts", "deliveries"} <= tables
        this_week = week_starts[-1]

        row = await self._db.fetchone(
            "SELECT coalesce(sum(active = 1), 0), coalesce(sum(active = 0), 0) FROM groups"
        )
        assert row is not None
        groups_active, groups_inactive = int(row[0]), int(row[1])

        rows = await self._db.fetchall(
            "SELECT order_mode, count(*) FROM agents WHERE status = 'active' GROUP BY order_mode"
        )
        by_mode_found = {row[0]: int(row[1]) for row in rows}
        modes: list[OrderMode | None] = [*ORDER_MODES, None]
        agents_by_mode = tuple((mode, by_mode_found.get(mode, 0)) for mode in modes)
        agents_active = sum(by_mode_found.values())

        agents_by_tier: tuple[tuple[str, int], ...] | None = None
        if has_tiers:
            rows = await self._db.fetchall(
                "SELECT coalesce(s.tier, ?), count(*) FROM agents a"
                " LEFT JOIN agent_scores s ON s.user_id = a.user_id"
                " WHERE a.status = 'active' GROUP BY 1",
                (UNSCORED,),
            )
            by_tier = {row[0]: int(row[1]) for row in rows}
            agents_by_tier = tuple((tier, by_tier.get(tier, 0)) for tier in (*TIERS, UNSCORED))

        ends = [*week_starts[1:], now + 1]
        weeks_sql = " UNION ALL ".join("SELECT ? AS i, ? AS start, ? AS end" for _ in week_starts)
        week_params: list[int] = []
        for index, (start, end) in enumerate(zip(week_starts, ends, strict=True)):
            week_params += [index, start, end]
        rows = await self._db.fetchall(
            f"WITH weeks AS ({weeks_sql}) SELECT w.i,"
            " (SELECT count(*) FROM agents a WHERE a.joined_at >= w.start AND a.joined_at < w.end),"
            " (SELECT count(*) FROM agents a WHERE a.joined_at < w.end"
            "   AND (a.removed_at IS NULL OR a.removed_at >= w.end))"
            " FROM weeks w ORDER BY w.i",
            week_params,
        )
        agent_weeks = [(int(row[1]), int(row[2])) for row in rows]

        delivery_weeks: list[DeliveryCounts | None] = [None] * len(week_starts)
        broadcasts_this_week: int | None = None
        deliveries_this_week: DeliveryCounts | None = None
        if has_deliveries:
            # Deliveries count in the week their broadcast was created; retracted (cancelled)
            # ones are neither a success nor a failure.
            rows = await self._db.fetchall(
                f"WITH weeks AS ({weeks_sql}) SELECT w.i,"
                " coalesce(sum(d.status = 'sent'), 0), coalesce(sum(d.status = 'failed'), 0),"
                " coalesce(sum(d.status IN ('pending', 'sending')), 0)"
                " FROM weeks w"
                " LEFT JOIN broadcasts b ON b.created_at >= w.start AND b.created_at < w.end"
                " LEFT JOIN deliveries d ON d.broadcast_id = b.id"
                " GROUP BY w.i ORDER BY w.i",
                week_params,
            )
            delivery_weeks = [
                DeliveryCounts(sent=int(row[1]), failed=int(row[2]), pending=int(row[3]))
                for row in rows
            ]
            deliveries_this_week = delivery_weeks[-1]
            row = await self._db.fetchone(
                "SELECT count(*) FROM broadcasts WHERE created_at >= ? AND created_at <= ?",
                (this_week, now),
            )
            assert row is not None
            broadcasts_this_week = int(row[0])

        weeks = tuple(
            WeekStats(start=start, new_agents=new, roster=roster, deliveries=deliveries)
            for start, (new, roster), deliveries in zip(
                week_starts, agent_weeks, delivery_weeks, strict=True
            )
        )
        return Dashboard(
            groups_active=groups_active,
            groups_inactive=groups_inactive,
            agents_active=agents_active,
            agents_by_mode=agents_by_mode,
            agents_by_tier=agents_by_tier,
            new_agents_this_week=weeks[-1].new_agents,
            broadcasts_this_week=broadcasts_this_week,
            deliveries_this_week=deliveries_this_week,
            weeks=weeks,
        )
