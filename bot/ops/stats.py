"""Pure parts of ``/stats``: the week boundaries and the totals text (no Telegram, no SQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.common.render import mode_label
from bot.ops.charts import ChartData
from bot.texts import Html, Language, t
from storage.stats import Dashboard

WEEKS_SHOWN = 8


def week_starts(now: int, tz: ZoneInfo, count: int = WEEKS_SHOWN) -> list[int]:
    """Unix seconds of local Monday 00:00 for the ``count`` weeks up to the current one,
    oldest first. Each Monday is resolved in ``tz`` on its own, so DST changes are exact."""
    today = datetime.fromtimestamp(now, tz).date()
    monday = today - timedelta(days=today.weekday())
    starts = []
    for back in range(count - 1, -1, -1):
        day = monday - timedelta(weeks=back)
        starts.append(int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()))
    return starts


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def totals_text(dashboard: Dashboard, lang: Language, tz: ZoneInfo, now: int) -> str:
    """The caption of the /stats chart: every total, HTML-escaped."""
    week_start = datetime.fromtimestamp(dashboard.weeks[-1].start, tz).strftime("%m-%d")
    lines = [
        t(lang, "ops_stats_header", at=datetime.fromtimestamp(now, tz).strftime("%Y-%m-%d %H:%M")),
        t(
            lang,
            "ops_stats_groups",
            active=dashboard.groups_active,
            inactive=dashboard.groups_inactive,
        ),
        t(
            lang,
            "ops_stats_agents",
            total=dashboard.agents_active,
            new=dashboard.new_agents_this_week,
            since=week_start,
        ),
    ]
    separator = t(lang, "qs_list_sep")
    modes = separator.join(
        f"{mode_label(mode, lang)} {count}" for mode, count in dashboard.agents_by_mode
    )
    lines.append(t(lang, "ops_stats_modes", modes=modes))
    if dashboard.agents_by_tier is None:
        lines.append(t(lang, "ops_stats_tiers_unavailable"))
    else:
        tiers = separator.join(
            f"{t(lang, 'ops_tier_' + tier)} {count}" for tier, count in dashboard.agents_by_tier
        )
        lines.append(t(lang, "ops_stats_tiers", tiers=tiers))
    deliveries = dashboard.deliveries_this_week
    if dashboard.broadcasts_this_week is None or deliveries is None:
        lines.append(t(lang, "ops_stats_broadcasts_unavailable"))
    else:
        rate = deliveries.success_rate
        lines.append(
            t(
                lang,
                "ops_stats_broadcasts",
                count=dashboard.broadcasts_this_week,
                since=week_start,
                sent=deliveries.sent,
                finished=deliveries.finished,
                rate=Html(_percent(rate)) if rate is not None else t(lang, "ops_stats_no_rate"),
                pending=deliveries.pending,
            )
        )
    return "\n".join(lines)


def chart_data(dashboard: Dashboard, tz: ZoneInfo) -> ChartData:
    """What the chart shows (its labels come from the catalog when it is drawn)."""
    weeks = dashboard.weeks
    deliveries = [week.deliveries for week in weeks]
    return ChartData(
        tiers=dashboard.agents_by_tier,
        week_labels=tuple(
            datetime.fromtimestamp(week.start, tz).strftime("%m-%d") for week in weeks
        ),
        roster=tuple(week.roster for week in weeks),
        new_agents=tuple(week.new_agents for week in weeks),
        delivered=None
        if any(d is None for d in deliveries)
        else tuple(d.sent for d in deliveries if d is not None),
        failed=None
        if any(d is None for d in deliveries)
        else tuple(d.failed for d in deliveries if d is not None),
    )
