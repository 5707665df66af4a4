"""The /stats chart: a pure function from figures to PNG bytes (matplotlib, headless).

matplotlib is imported when a chart is drawn, not with this module: importing the bot stays light.

Uses the object-oriented API (``Figure`` + the Agg canvas) rather than ``pyplot``, so there is no
global figure state and a chart can be rendered in a worker thread while the bot goes on.

Labels come from the text catalogs in the admin's language. Chinese needs a CJK font: the
dependency ``mplfonts`` (MIT) ships Noto Sans CJK SC (OFL) as a file; it is found without
importing mplfonts (which would import its CLI and more) and registered with matplotlib's font
manager once. Nothing is downloaded at run time. Without that file the chart falls back to
DejaVu Sans (inside matplotlib) and English labels, so a glyph is never drawn as a box.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.texts import CATALOGS, Language, t

if TYPE_CHECKING:
    from matplotlib.axes import Axes

CJK_FONT_FILE = ("fonts", "NotoSansCJKsc-Regular.otf")
LATIN_FAMILY = "DejaVu Sans"
_font_lock = threading.Lock()
_cjk_family: list[str | None] = []  # filled once: the registered family, or None if missing

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


def cjk_font_path() -> Path | None:
    """Noto Sans CJK SC as shipped by the ``mplfonts`` package, if installed (not imported)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location).joinpath(*CJK_FONT_FILE)
        if path.is_file():
            return path
    return None


def cjk_font_family() -> str | None:
    """Register the CJK font with matplotlib (once per process) and return its family name;
    ``None`` when the font file is missing or unreadable."""
    with _font_lock:
        if not _cjk_family:
            _cjk_family.append(_register_cjk_font())
        return _cjk_family[0]


def _register_cjk_font() -> str | None:
    path = cjk_font_path()
    if path is None:
        return None
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(str(path))
        return str(font_manager.FontProperties(fname=str(path)).get_name())
    except (OSError, RuntimeError, ValueError):
        return None


def render_chart(data: ChartData, lang: Language = "en") -> bytes:
    """The three panels (agents per tier, agent growth per week, deliveries per week) as PNG,
    labelled in ``lang`` (English when ``lang`` needs a CJK font that is not installed)."""
    # matplotlib (with numpy) takes about half a second to import: the bot pays it at the first
    # /stats, not at every start.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families = [LATIN_FAMILY]
    if lang != "en":
        cjk = cjk_font_family()
        if cjk is None:
            lang = "en"
        else:
            families = [cjk, LATIN_FAMILY]

    def word(key: str) -> str:
        return t(lang, f"chart_{key}")

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    with matplotlib.rc_context({"font.family": families, "font.size": 11}):
        grid = figure.add_gridspec(2, 2, height_ratios=(1, 1))
        tiers_axes = figure.add_subplot(grid[0, 0])
        growth_axes = figure.add_subplot(grid[0, 1])
        deliveries_axes = figure.add_subplot(grid[1, :])

        if data.tiers is None:
            _unavailable(tiers_axes, word("tiers_title"), word("tiers_unavailable"))
        else:
            names = [name for name, _ in data.tiers]
            shown = [CATALOGS[lang].get(f"chart_tier_{name}", name) for name in names]
            counts = [count for _, count in data.tiers]
            bars = tiers_axes.bar(
                shown, counts, color=[_TIER_COLORS.get(name, "#607d8b") for name in names]
            )
            tiers_axes.bar_label(bars)
            tiers_axes.set_title(word("tiers_title"))
            tiers_axes.set_ylabel(word("agents_axis"))
            _integer_axis(tiers_axes, max(counts, default=0))

        positions = list(range(len(data.week_labels)))
        growth_axes.bar(positions, data.new_agents, color="#90caf9", label=word("new_agents"))
        growth_axes.plot(positions, data.roster, color="#0d47a1", marker="o", label=word("roster"))
        growth_axes.set_xticks(positions, data.week_labels)
        growth_axes.set_title(word("growth_title"))
        growth_axes.set_xlabel(word("week_axis"))
        growth_axes.legend(loc="upper left")
        _integer_axis(growth_axes, max((*data.roster, *data.new_agents), default=0))

        if data.delivered is None or data.failed is None:
            _unavailable(deliveries_axes, word("deliveries_title"), word("deliveries_unavailable"))
        else:
            deliveries_axes.bar(positions, data.delivered, color="#43a047", label=word("delivered"))
            deliveries_axes.bar(
                positions, data.failed, bottom=data.delivered, color="#e53935", label=word("failed")
            )
            deliveries_axes.set_xticks(positions, data.week_labels)
            deliveries_axes.set_title(word("deliveries_title"))
            deliveries_axes.set_xlabel(word("week_axis"))
            deliveries_axes.set_ylabel(word("messages_axis"))
            deliveries_axes.legend(loc="upper left")
            totals = [
                sent + failed for sent, failed in zip(data.delivered, data.failed, strict=True)
            ]
            _integer_axis(deliveries_axes, max(totals, default=0))

        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
