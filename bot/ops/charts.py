"""The /stats chart: a pure function from figures to PNG bytes (matplotlib, headless).

matplotlib is imported when a chart is drawn, not with this module: importing the bot stays light.

Uses the object-oriented API (``Figure`` + the Agg canvas) rather than ``pyplot``, so there is no
global figure state and a chart can be rendered in a worker thread while the bot goes on. Text
uses DejaVu Sans, which ships inside matplotlib (nothing is downloaded); it has no CJK glyphs,
so every label here is English or digits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_PX = 1200
HEIGHT_PX = 900
DPI = 100
_TIER_COLORS = {
    "excellent": "#2e7d32",
    "qualified": "#1976d2",
    "low": "#f9a825",
    "invalid": "#c62828",
    "unscored": "#9e9e9e",
}


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the chart shows. ``None`` marks a figure that is not available (feature missing)."""

    tiers: tuple[tuple[str, int], ...] | None
    week_labels: tuple[str, ...]
    roster: tuple[int, ...]
    new_agents: tuple[int, ...]
    delivered: tuple[int, ...] | None
    failed: tuple[int, ...] | None


def _unavailable(axes: Axes, title: str, why: str) -> None:
    axes.set_title(title)
    axes.text(0.5, 0.5, why, ha="center", va="center", color="#757575", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _integer_axis(axes: Axes, highest: int) -> None:
    """Counts are whole numbers: integer ticks, from 0, with room for labels (1 if all zero)."""
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(1, highest) * 1.15)


def render_chart(data: ChartData) -> bytes:
    """The three panels (agents per tier, agent growth per week, deliveries per week) as PNG."""
    # matplotlib (with numpy) takes about half a second to import: the bot pays it at the first
    # /stats, not at every start.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 11}):
        grid = figure.add_gridspec(2, 2, height_ratios=(1, 1))
        tiers_axes = figure.add_subplot(grid[0, 0])
        growth_axes = figure.add_subplot(grid[0, 1])
        deliveries_axes = figure.add_subplot(grid[1, :])

        if data.tiers is None:
            _unavailable(tiers_axes, "Agents per tier", "not available: no quality scores")
        else:
            names = [name for name, _ in data.tiers]
            counts = [count for _, count in data.tiers]
            bars = tiers_axes.bar(
                names, counts, color=[_TIER_COLORS.get(name, "#607d8b") for name in names]
            )
            tiers_axes.bar_label(bars)
            tiers_axes.set_title("Agents per tier")
            tiers_axes.set_ylabel("agents")
            _integer_axis(tiers_axes, max(counts, default=0))

        positions = list(range(len(data.week_labels)))
        growth_axes.bar(positions, data.new_agents, color="#90caf9", label="new agents")
        growth_axes.plot(
            positions, data.roster, color="#0d47a1", marker="o", label="agents in roster"
        )
        growth_axes.set_xticks(positions, data.week_labels)
        growth_axes.set_title("Agent growth per week")
        growth_axes.set_xlabel("week starting")
        growth_axes.legend(loc="upper left")
        _integer_axis(growth_axes, max((*data.roster, *data.new_agents), default=0))

        if data.delivered is None or data.failed is None:
            _unavailable(deliveries_axes, "Deliveries per week", "not available: no outbox")
        else:
            deliveries_axes.bar(positions, data.delivered, color="#43a047", label="delivered")
            deliveries_axes.bar(
                positions, data.failed, bottom=data.delivered, color="#e53935", label="failed"
            )
            deliveries_axes.set_xticks(positions, data.week_labels)
            deliveries_axes.set_title("Deliveries per week")
            deliveries_axes.set_xlabel("week starting")
            deliveries_axes.set_ylabel("messages")
            deliveries_axes.legend(loc="upper left")
            totals = [
                sent + failed for sent, failed in zip(data.delivered, data.failed, strict=True)
            ]
            _integer_axis(deliveries_axes, max(totals, default=0))

        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
