"""Typed rows of store profiles, submissions, ratings, purchases and quality scores (what
storage/profiles.py reads and writes). Times are Unix seconds (UTC); amounts are cents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from storage.models import OrderMode

OperatingStatus = Literal["open", "paused", "closed"]
SubmissionStatus = Literal["pending", "approved", "returned", "superseded"]
Tier = Literal["excellent", "qualified", "low", "invalid"]
TIERS: tuple[Tier, ...] = ("excellent", "qualified", "low", "invalid")
PROFILE_FIELDS = (
    "platform",
    "store_name",
    "store_url",
    "category",
    "badge",
    "dsr_description",
    "dsr_service",
    "dsr_logistics",
    "operating_status",
)


@dataclass(frozen=True, slots=True)
class StoreProfile:
    """An agent's store as the seller accepted it. Any field may be missing (import)."""

    platform: str | None = None
    store_name: str | None = None
    store_url: str | None = None
    category: str | None = None
    badge: str | None = None
    dsr_description: float | None = None
    dsr_service: float | None = None
    dsr_logistics: float | None = None
    operating_status: OperatingStatus | None = None

    def values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in PROFILE_FIELDS)

    @property
    def filled(self) -> int:
        return sum(1 for value in self.values() if value is not None)

    @property
    def empty(self) -> bool:
        return self.filled == 0


class BuyerIdTaken(Exception):
    """A write would give an agent a buyer id another agent holds (nothing was written)."""

    def __init__(self, buyer_id: str, holder: int | None) -> None:
        super().__init__(buyer_id)
        self.buyer_id = buyer_id
        self.holder = holder


@dataclass(frozen=True, slots=True)
class Submission:
    id: int
    user_id: int
    profile: StoreProfile
    order_mode: OrderMode
    status: SubmissionStatus
    reason: str | None
    submitted_at: int
    reviewed_at: int | None
    reviewed_by: int | None
    # The agent's region and buyer id as submitted (None: none given); approval copies them
    # onto the agent row.
    region: str | None = None
    buyer_id: str | None = None


@dataclass(frozen=True, slots=True)
class Rating:
    id: int
    user_id: int
    rated_by: int
    stars: int
    comment: str | None
    at: int


@dataclass(frozen=True, slots=True)
class RatingSummary:
    count: int
    mean: float | None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    user_id: int
    period: str
    period_end: int
    orders: int
    amount_cents: int


@dataclass(frozen=True, slots=True)
class PurchaseTotals:
    orders: int
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Contribution:
    """One factor of a stored score: value 0-1, its maximum points and the points it gave."""

    factor: str
    value: float
    weight: float
    points: float


@dataclass(frozen=True, slots=True)
class StoredScore:
    user_id: int
    score: float
    tier: Tier
    breakdown: tuple[Contribution, ...]
    computed_at: int
    snoozed_until: int


@dataclass(frozen=True, slots=True)
class ScoreChange:
    at: int
    score: float
    tier: Tier


@dataclass(frozen=True, slots=True)
class QueueEntry:
    user_id: int
    score: StoredScore


@dataclass(slots=True)
class ScoreSources:
    """The stored inputs of one agent's score (see bot.agents.quality.QualityInputs)."""

    last_seen_at: int
    profile: StoreProfile | None = None
    ratings: list[int] = field(default_factory=list)
    purchases: PurchaseTotals = PurchaseTotals(0, 0)


@dataclass(frozen=True, slots=True)
class AgentRowUpdate:
    """What one /import_agents row sets. ``profile`` None leaves the profile untouched;
    ``region`` and ``buyer_id`` are the agent's values after the row (None: empty)."""

    user_id: int
    remark: str | None
    tags: tuple[str, ...]
    order_mode: OrderMode | None
    profile: StoreProfile | None
    region: str | None
    buyer_id: str | None
