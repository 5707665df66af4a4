"""The ``[quality]`` section of the config: weights, tier thresholds and the scales of the
quality score (see :mod:`bot.agents.quality`). Every key is documented in config.example.toml."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

# Factors that can be missing for an agent; their weight is then left out and the others
# are renormalised (see bot.agents.quality.compute_score).
OPTIONAL_FACTORS = frozenset({"rating", "attendance"})
# Days an agent without a profile stays 待完善 after joining (``newcomer_days``).
NEWCOMER_DAYS = 14


def newcomer_cutoff(now: int, newcomer_days: int) -> int:
    """Agents who joined after this moment and sent no profile are still newcomers (待完善;
    the rule is bot.agents.quality.is_newcomer)."""
    return now - newcomer_days * 86400


class QualityWeights(BaseModel):
    """Relative weights (any scale; the score renormalises them to 100)."""

    dsr: float = Field(20.0, ge=0, le=1000)
    badge: float = Field(10.0, ge=0, le=1000)
    category: float = Field(15.0, ge=0, le=1000)
    operating: float = Field(10.0, ge=0, le=1000)
    completeness: float = Field(10.0, ge=0, le=1000)
    rating: float = Field(10.0, ge=0, le=1000)
    purchases: float = Field(15.0, ge=0, le=1000)
    activity: float = Field(10.0, ge=0, le=1000)
    attendance: float = Field(5.0, ge=0, le=1000)

    @model_validator(mode="after")
    def _some_weight_always_counts(self) -> QualityWeights:
        always = sum(
            value for name, value in self.model_dump().items() if name not in OPTIONAL_FACTORS
        )
        if always <= 0:
            raise ValueError(
                "at least one of dsr, badge, category, operating, completeness, purchases,"
                " activity needs a positive weight"
            )
        return self


class QualityTiers(BaseModel):
    """Lowest score of each tier; below ``low`` an agent is 无效 (invalid)."""

    excellent: float = Field(80.0, ge=0, le=100)
    qualified: float = Field(60.0, ge=0, le=100)
    low: float = Field(40.0, ge=0, le=100)

    @model_validator(mode="after")
    def _descending(self) -> QualityTiers:
        if not self.excellent >= self.qualified >= self.low:
            raise ValueError("thresholds must satisfy excellent >= qualified >= low")
        return self


class QualitySettings(BaseModel):
    weights: QualityWeights = Field(default_factory=QualityWeights)
    tiers: QualityTiers = Field(default_factory=QualityTiers)
    category_leaf_match: float = Field(1.0, ge=0, le=1)
    category_parent_match: float = Field(0.6, ge=0, le=1)
    dsr_floor: float = Field(4.0, ge=0, lt=5)
    paused_store: float = Field(0.3, ge=0, le=1)
    orders_target: int = Field(30, gt=0)
    amount_target: float = Field(10000.0, gt=0)
    purchase_window_days: int = Field(90, gt=0, le=3660)
    active_days: int = Field(7, ge=0)
    inactive_days: int = Field(60, gt=0)
    snooze_days: int = Field(30, gt=0, le=3650)
    recompute_hour: int = Field(4, ge=0, le=23)
    # An agent with no submitted profile is 待完善 (not in a tier) for this many days after
    # joining (bot.agents.quality.is_newcomer); 0 turns the rule off.
    newcomer_days: int = Field(NEWCOMER_DAYS, ge=0, le=3650)
    # The lowest store level the seller accepts (e.g. "1钻", "专卖店", "3"), compared on the
    # store's own platform; agents below it are flagged on /agent and in /lowquality. Off: unset.
    min_level: str | None = Field(None, min_length=1, max_length=8)

    @model_validator(mode="after")
    def _level_is_known(self) -> QualitySettings:
        # Imported here: bot.agents.profiles reaches this module back through bot.agents.crm.
        from bot.agents.profiles import known_level

        if self.min_level is not None and not known_level(self.min_level):
            raise ValueError(
                f"min_level {self.min_level!r} is no store level: write a 淘宝 level (1心…5金冠),"
                " a named one (旗舰店, 专卖店, 诚信通…) or a number 0-5"
            )
        return self

    @model_validator(mode="after")
    def _activity_window(self) -> QualitySettings:
        if self.inactive_days <= self.active_days:
            raise ValueError("inactive_days must be greater than active_days")
        return self
