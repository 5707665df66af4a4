"""Every accepted time form, every error, the zone and the recurrence rules."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.common.errors import InputError
from bot.common.timeparse import describe_rule, next_fire, parse_when, utc_iso
from bot.events.festivals import FESTIVALS, festival_named, next_occurrence, upcoming

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
# Thursday 2026-11-26 15:30 in Shanghai (07:30 UTC).
NOW = int(datetime(2026, 11, 26, 15, 30, tzinfo=SH).timestamp())


def at(*parts: int, tz: ZoneInfo = SH) -> int:
    return int(datetime(*parts, tzinfo=tz).timestamp())  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 20:00", at(2026, 12, 1, 20, 0)),
        ("2026/12/01 8:05", at(2026, 12, 1, 8, 5)),
        ("12-01 20:00", at(2026, 12, 1, 20, 0)),
        ("11-01 09:00", at(2027, 11, 1, 9, 0)),  # passed this year: next year's
        ("20:00", at(2026, 11, 26, 20, 0)),
        ("15:00", at(2026, 11, 27, 15, 0)),  # passed today: tomorrow's
        ("20：00", at(2026, 11, 26, 20, 0)),  # full-width colon
        ("+2h", NOW + 7200),
        ("+30m", NOW + 1800),
        ("+1d", NOW + 86400),
        ("+1h30m", NOW + 5400),
        ("明天 20:00", at(2026, 11, 27, 20, 0)),
        ("明天20:00", at(2026, 11, 27, 20, 0)),
        ("tomorrow 20:00", at(2026, 11, 27, 20, 0)),
        ("Tomorrow  9:30", at(2026, 11, 27, 9, 30)),
        ("后天 9:30", at(2026, 11, 28, 9, 30)),
        ("today 23:00", at(2026, 11, 26, 23, 0)),
    ],
)
def test_one_off_forms(text: str, expected: int) -> None:
    when = parse_when(text, NOW, SH, "zh")
    assert when.first == expected
    assert when.rule is None


@pytest.mark.parametrize(
    ("text", "rule", "first"),
    [
        ("daily 10:00", "cron:*:10:00", at(2026, 11, 27, 10, 0)),
        ("每天 10:00", "cron:*:10:00", at(2026, 11, 27, 10, 0)),
        ("每天 16:00", "cron:*:16:00", at(2026, 11, 26, 16, 0)),
        ("mon,thu 10:00", "cron:mon,thu:10:00", at(2026, 11, 30, 10, 0)),
        ("thu,mon 16:00", "cron:mon,thu:16:00", at(2026, 11, 26, 16, 0)),
        ("Monday 9:00", "cron:mon:09:00", at(2026, 11, 30, 9, 0)),
        ("每周一 10:00", "cron:mon:10:00", at(2026, 11, 30, 10, 0)),
        ("每周一四 10:00", "cron:mon,thu:10:00", at(2026, 11, 30, 10, 0)),
        ("每周一、周四 10:00", "cron:mon,thu:10:00", at(2026, 11, 30, 10, 0)),
        ("每周日 08:00", "cron:sun:08:00", at(2026, 11, 29, 8, 0)),
    ],
)
def test_recurring_forms(text: str, rule: str, first: int) -> None:
    when = parse_when(text, NOW, SH, "zh")
    assert when.rule == rule
    assert when.first == first


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "无法识别"),
        ("soon", "无法识别"),
        ("25:00", "无法识别"),
        ("12:60", "无法识别"),
        ("2026-13-01 20:00", "不存在"),
        ("2027-02-30 20:00", "不存在"),
        ("2026-11-01 20:00", "已经过去"),
        ("2030-01-01 20:00", "太远"),
        ("+0m", "已经过去"),
        ("+", "无法识别"),
        ("funday 10:00", "不是星期几"),
        ("mon,xyz 10:00", "不是星期几"),
        ("daily", "无法识别"),
    ],
)
def test_errors_name_the_value_and_list_the_forms(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_when(text, NOW, SH, "zh")
    assert fragment in caught.value.text
    if fragment in ("无法识别", "已经过去"):
        assert "可用格式" in caught.value.text and "每周一 10:00" in caught.value.text


def test_english_error_lists_the_forms() -> None:
    with pytest.raises(InputError) as caught:
        parse_when("next week", NOW, SH, "en")
    assert "Accepted forms" in caught.value.text and "tomorrow 20:00" in caught.value.text


def test_shanghai_fires_at_the_right_utc_instant() -> None:
    when = parse_when("2026-12-01 20:00", NOW, SH, "en")
    assert datetime.fromtimestamp(when.first, UTC) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert utc_iso(when.first) == "2026-12-01T12:00Z"
    daily = parse_when("daily 08:00", NOW, SH, "en")
    assert datetime.fromtimestamp(daily.first, UTC) == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    # The next fire after that one is 24 h later (no DST in Shanghai).
    assert next_fire("cron:*:08:00", daily.first, SH) == daily.first + 86400


def test_other_zone_gives_other_instant() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_when("2026-12-01 20:00", NOW, berlin, "en").first == at(2026, 12, 1, 19, 0, tz=UTC)


def test_machine_time_zone_does_not_matter() -> None:
    """The same parse in a process whose TZ is America/New_York gives the same instant."""
    code = (
        "import time; time.tzset(); from zoneinfo import ZoneInfo; "
        "from bot.common.timeparse import parse_when; "
        f"print(parse_when('2026-12-01 20:00', {NOW}, ZoneInfo('Asia/Shanghai'), 'en').first, "
        f"parse_when('每天 10:00', {NOW}, ZoneInfo('Asia/Shanghai'), 'en').first, "
        "time.localtime().tm_zone)"
    )
    results = []
    for zone in ("America/New_York", "UTC"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "TZ": zone},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        results.append(out)
    assert results[0][:2] == results[1][:2]
    assert results[0][2] != results[1][2]  # the processes really ran in different zones
    assert int(results[0][0]) == at(2026, 12, 1, 20, 0)
    assert int(results[0][1]) == at(2026, 11, 27, 10, 0)


def test_describe_rule() -> None:
    assert describe_rule("cron:mon,thu:10:00", "zh") == "每周一、四 10:00"
    assert describe_rule("cron:*:09:30", "en") == "daily 09:30"


@pytest.mark.parametrize(
    ("key", "year", "expected"),
    [
        ("chunjie", 2026, "2026-02-17"),
        ("chunjie", 2027, "2027-02-06"),
        ("yuanxiao", 2026, "2026-03-03"),
        ("yuanxiao", 2027, "2027-02-20"),
        ("duanwu", 2026, "2026-06-19"),
        ("duanwu", 2027, "2027-06-09"),
        ("zhongqiu", 2026, "2026-09-25"),
        ("zhongqiu", 2027, "2027-09-15"),
        ("yuandan", 2027, "2027-01-01"),
        ("guoqing", 2026, "2026-10-01"),
    ],
)
def test_festival_dates(key: str, year: int, expected: str) -> None:
    festival = next(f for f in FESTIVALS if f.key == key)
    assert festival.on(year).isoformat() == expected


def test_festival_names_and_windows() -> None:
    assert festival_named("中秋") is festival_named("zhongqiu")
    assert festival_named("圣诞") is None
    mid_autumn = festival_named("中秋节")
    assert mid_autumn is not None
    assert next_occurrence(mid_autumn, datetime(2026, 9, 26).date()).isoformat() == "2027-09-15"
    found = upcoming(datetime(2026, 9, 22).date(), 3)
    assert [(f.key, d.isoformat()) for f, d in found] == [("zhongqiu", "2026-09-25")]
    # The window crosses the year end: 元旦 2027 is found from late December.
    found = upcoming(datetime(2026, 12, 30).date(), 3)
    assert [(f.key, d.isoformat()) for f, d in found] == [("yuandan", "2027-01-01")]
