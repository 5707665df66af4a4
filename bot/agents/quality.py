"""The agent quality score: a pure function of what the agent told us (profile), what the
seller recorded (ratings, purchases, training attendance) and what the bot saw (last seen).

Each factor is a value in 0-1; the score is the weighted mean of the factors, times 100.
Rating and attendance are optional: an agent nobody has rated, or for whom no training was
recorded, is not marked down — the factor is left out and the other weights renormalised.
Every factor is non-decreasing in its input, so the score is monotone in each DSR score and
in each rating.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.agents.profiles import badge_strength, category_match
from bot.agents.quality_config import QualitySettings, newcomer_cutoff
from storage.profiles import PROFILE_FIELDS, StoreProfile, Tier

FACTORS: tuple[str, ...] = (
    "dsr",
    "badge",
    "category",
    "operating",
    "completeness",
    "rating",
    "purchases",
    "activity",
    "attendance",
)
_PERIOD = re.compile(r"^([0-9]{4})-(?:(0[1-9]|1[0-2])|[Qq]([1-4]))$")
DAY = 86400


@dataclass(frozen=True, slots=True)
class QualityInputs:
    profile: StoreProfile | None
    ratings: Sequence[int] = ()
    recent_orders: int = 0
    recent_amount: float = 0.0  # yuan
    attendance: float | None = None  # share of recorded trainings attended, 0-1
    days_since_seen: float | None = None  # None: never seen
    # Taking a product's materials (to list it in their store) is activity too.
    days_since_materials: float | None = None  # None: never took any


@dataclass(frozen=True, slots=True)
class Factor:
    name: str
    value: float  # 0-1
    weight: float  # the most points this factor can give (weights renormalised to 100)
    points: float  # weight * value

    @property
    def lost(self) -> float:
        return self.weight - self.points


@dataclass(frozen=True, slots=True)
class QualityScore:
    score: float
    tier: Tier
    factors: tuple[Factor, ...]

    def breakdown(self) -> list[tuple[str, float, float]]:
        return [(f.name, round(f.value, 4), round(f.points, 2)) for f in self.factors]

    def weakest(self, count: int = 3, below: float = 0.6) -> list[Factor]:
        """The factors that cost the most points, for the review queue's reasons."""
        weak = [f for f in self.factors if f.value < below and f.weight > 0]
        weak.sort(key=lambda f: f.lost, reverse=True)
        return weak[:count]


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def tier_for(score: float, settings: QualitySettings) -> Tier:
    tiers = settings.tiers
    if score >= tiers.excellent:
        return "excellent"
    if score >= tiers.qualified:
        return "qualified"
    if score >= tiers.low:
        return "low"
    return "invalid"


def factor_values(
    inputs: QualityInputs, settings: QualitySettings, seller_categories: Sequence[str]
) -> dict[str, float | None]:
    """Each factor's value in 0-1, or None when the input is absent (optional factors)."""
    profile = inputs.profile or StoreProfile()
    dsr_scores = (profile.dsr_description, profile.dsr_service, profile.dsr_logistics)
    mean_dsr = sum(score or 0.0 for score in dsr_scores) / len(dsr_scores)
    floor = settings.dsr_floor
    operating = {"open": 1.0, "paused": settings.paused_store, "closed": 0.0}
    ratings = [min(max(stars, 1), 5) for stars in inputs.ratings]
    # Activity counts the latest of: seen in a group, took materials.
    recent = [d for d in (inputs.days_since_seen, inputs.days_since_materials) if d is not None]
    if not recent:
        activity = 0.0
    else:
        span = settings.inactive_days - settings.active_days
        activity = _clamp((settings.inactive_days - min(recent)) / span)
    return {
        "dsr": _clamp((mean_dsr - floor) / (5.0 - floor)),
        "badge": badge_strength(profile.platform, profile.badge),
        "category": category_match(
            profile.category,
            seller_categories,
            leaf=settings.category_leaf_match,
            parent=settings.category_parent_match,
        ),
        "operating": operating.get(profile.operating_status or "", 0.0),
        "completeness": profile.filled / len(PROFILE_FIELDS),
        "rating": (sum(ratings) / len(ratings) - 1) / 4 if ratings else None,
        "purchases": 0.5 * _clamp(max(inputs.recent_orders, 0) / settings.orders_target)
        + 0.5 * _clamp(max(inputs.recent_amount, 0.0) / settings.amount_target),
        "activity": activity,
        "attendance": None if inputs.attendance is None else _clamp(inputs.attendance),
    }


def compute_score(
    inputs: QualityInputs, settings: QualitySettings, seller_categories: Sequence[str]
) -> QualityScore:
    values = factor_values(inputs, settings, seller_categories)
    weights = {name: getattr(settings.weights, name) for name in FACTORS}
    present = {name: value for name, value in values.items() if value is not None}
    total = sum(weights[name] for name in present)
    factors: list[Factor] = []
    score = 0.0
    for name in FACTORS:
        value = present.get(name)
        if value is None:
            continue
        share = 100.0 * weights[name] / total
        factors.append(Factor(name, value, share, share * value))
        score += share * value
    score = round(min(max(score, 0.0), 100.0), 1)
    return QualityScore(score, tier_for(score, settings), tuple(factors))


def is_newcomer(joined_at: int, profile_at: int | None, now: int, newcomer_days: int) -> bool:
    """待完善: the agent has not submitted a profile (nor had one imported: ``profile_at`` is
    when the first one arrived) and joined less than ``newcomer_days`` ago. Such an agent is
    shown in no tier and is never in the review queue or a tier removal; the storage predicate
    ``storage.agents.newcomer_sql`` is the same rule (tests/unit/test_newcomers.py)."""
    return profile_at is None and joined_at > newcomer_cutoff(now, newcomer_days)


def parse_period(text: str) -> str | None:
    """``2026-10`` or ``2026-Q3`` (any case) → canonical form, or None."""
    match = _PERIOD.match(text.strip())
    if not match:
        return None
    year, month, quarter = match.groups()
    return f"{year}-{month}" if month else f"{year}-Q{quarter}"


def period_end(period: str, tz: ZoneInfo) -> int:
    """The first moment after the period (local midnight), as Unix seconds."""
    year_text, rest = period.split("-")
    year = int(year_text)
    last_month = int(rest[1]) * 3 if rest.startswith("Q") else int(rest)
    day = calendar.monthrange(year, last_month)[1]
    end = date(year, last_month, day)
    following = date.fromordinal(end.toordinal() + 1)
    return int(datetime(following.year, following.month, following.day, tzinfo=tz).timestamp())
