"""The quality score (pure): bounds, monotonicity, tiers, missing inputs, category match."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.agents.quality import QualityInputs, compute_score, parse_period, period_end, tier_for
from bot.agents.quality_config import QualitySettings, QualityTiers, QualityWeights
from storage.profiles import StoreProfile

CATEGORIES = ["女装/连衣裙", "女装/T恤", "家居/收纳"]
CONFIG = QualitySettings()

dsr = st.sampled_from([x / 100 for x in range(0, 501)])
profiles = st.builds(
    StoreProfile,
    platform=st.sampled_from(["taobao", "tmall", "douyin", "jd", None]),
    store_name=st.one_of(st.none(), st.just("店")),
    store_url=st.one_of(st.none(), st.just("https://x.taobao.com")),
    category=st.sampled_from(["女装/连衣裙", "女装/半身裙", "男装", "连衣裙", None]),
    badge=st.sampled_from(["3钻", "5金冠", "旗舰店", "4.5", "自营", None]),
    dsr_description=st.one_of(st.none(), dsr),
    dsr_service=st.one_of(st.none(), dsr),
    dsr_logistics=st.one_of(st.none(), dsr),
    operating_status=st.sampled_from(["open", "paused", "closed", None]),
)
inputs = st.builds(
    QualityInputs,
    profile=st.one_of(st.none(), profiles),
    ratings=st.lists(st.integers(1, 5), max_size=6),
    recent_orders=st.integers(0, 200),
    recent_amount=st.floats(0, 100000, allow_nan=False),
    attendance=st.one_of(st.none(), st.floats(0, 1, allow_nan=False)),
    days_since_seen=st.one_of(st.none(), st.floats(0, 400, allow_nan=False)),
)
weights = st.builds(
    QualityWeights,
    **{
        name: st.floats(0, 50, allow_nan=False)
        for name in ("badge", "category", "operating", "completeness", "rating", "attendance")
    },
    dsr=st.floats(0.5, 50, allow_nan=False),
)
configs = st.builds(QualitySettings, weights=weights)


@settings(max_examples=300, deadline=None)
@given(inputs, configs)
def test_score_is_bounded_and_tier_matches_thresholds(data: QualityInputs, config) -> None:
    result = compute_score(data, config, CATEGORIES)
    assert 0.0 <= result.score <= 100.0
    assert result.tier == tier_for(result.score, config)
    tiers = config.tiers
    if result.tier == "excellent":
        assert result.score >= tiers.excellent
    elif result.tier == "qualified":
        assert tiers.qualified <= result.score < tiers.excellent
    elif result.tier == "low":
        assert tiers.low <= result.score < tiers.qualified
    else:
        assert result.score < tiers.low
    assert abs(sum(f.points for f in result.factors) - result.score) < 0.06


@settings(max_examples=300, deadline=None)
@given(
    inputs,
    profiles,
    st.sampled_from(["dsr_description", "dsr_service", "dsr_logistics"]),
    dsr,
    dsr,
    configs,
)
def test_score_is_monotone_in_each_dsr(
    data: QualityInputs, profile: StoreProfile, field: str, a: float, b: float, config
) -> None:
    low, high = sorted((a, b))
    worse = compute_score(
        replace(data, profile=replace(profile, **{field: low})), config, CATEGORIES
    )
    better = compute_score(
        replace(data, profile=replace(profile, **{field: high})), config, CATEGORIES
    )
    assert better.score >= worse.score


@settings(max_examples=300, deadline=None)
@given(inputs, st.lists(st.integers(1, 5), min_size=1, max_size=6), st.data(), configs)
def test_score_is_monotone_in_each_rating(
    data: QualityInputs, ratings: list[int], draw: st.DataObject, config
) -> None:
    index = draw.draw(st.integers(0, len(ratings) - 1))
    raised = list(ratings)
    raised[index] = draw.draw(st.integers(ratings[index], 5))
    worse = compute_score(replace(data, ratings=tuple(ratings)), config, CATEGORIES)
    better = compute_score(replace(data, ratings=tuple(raised)), config, CATEGORIES)
    assert better.score >= worse.score


def test_missing_profile_gives_low_completeness_not_a_crash() -> None:
    result = compute_score(QualityInputs(profile=None, days_since_seen=1), CONFIG, CATEGORIES)
    values = {f.name: f.value for f in result.factors}
    assert values["completeness"] == 0 and values["dsr"] == 0 and values["activity"] == 1
    assert result.tier == "invalid"


def test_absent_attendance_and_rating_are_left_out_and_weights_renormalised() -> None:
    full = StoreProfile(
        "taobao", "店", "https://a.b", "女装/连衣裙", "5金冠", 5.0, 5.0, 5.0, "open"
    )
    data = QualityInputs(full, recent_orders=30, recent_amount=10000, days_since_seen=0)
    result = compute_score(data, CONFIG, CATEGORIES)
    names = [f.name for f in result.factors]
    assert "attendance" not in names and "rating" not in names
    assert result.score == 100.0 and result.tier == "excellent"
    with_attendance = compute_score(replace(data, attendance=0.0), CONFIG, CATEGORIES)
    assert with_attendance.score < 100.0
    assert abs(sum(f.weight for f in with_attendance.factors) - 100) < 1e-9


def test_a_good_store_is_excellent_and_a_dead_one_invalid() -> None:
    good = StoreProfile("tmall", "店", "https://a.b", "女装", "旗舰店", 4.9, 4.8, 4.9, "open")
    result = compute_score(
        QualityInputs(
            good, ratings=(5, 4), recent_orders=40, recent_amount=20000, days_since_seen=2
        ),
        CONFIG,
        CATEGORIES,
    )
    assert result.tier == "excellent"
    dead = StoreProfile("taobao", "店", "https://a.b", "数码", "1心", 4.0, 4.1, 4.0, "closed")
    result = compute_score(
        QualityInputs(dead, ratings=(1,), days_since_seen=90), CONFIG, CATEGORIES
    )
    assert result.tier == "invalid"
    # DSR (weight 20) costs the most, then purchases and category (15 each, both 0).
    weakest = [f.name for f in result.weakest()]
    assert weakest[0] == "dsr" and set(weakest[1:]) == {"purchases", "category"}


def test_tier_thresholds_come_from_config() -> None:
    config = QualitySettings(tiers=QualityTiers(excellent=90, qualified=50, low=10))
    assert tier_for(89.9, config) == "qualified"
    assert tier_for(90, config) == "excellent"
    assert tier_for(9.9, config) == "invalid"
    with pytest.raises(ValueError):
        QualityTiers(excellent=50, qualified=60, low=10)


def test_weights_must_leave_something_always_present() -> None:
    zero = {name: 0 for name in QualityWeights.model_fields}
    with pytest.raises(ValueError):
        QualityWeights(**zero)
    QualityWeights(**{**zero, "activity": 1})


def test_periods() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    assert parse_period("2026-10") == "2026-10"
    assert parse_period("2026-q3") == "2026-Q3"
    for bad in ("2026-13", "2026-Q5", "26-10", "2026/10", ""):
        assert parse_period(bad) is None
    assert period_end("2026-12", tz) == period_end("2026-Q4", tz)
    assert period_end("2026-02", tz) - period_end("2026-01", tz) == 28 * 86400
