"""The one time parser reads what a seller types on a phone, for schedules too."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.common.errors import InputError
from bot.common.timeparse import parse_moment, parse_when

SH = ZoneInfo("Asia/Shanghai")
NOW = int(datetime(2026, 11, 26, 15, 30, tzinfo=SH).timestamp())


def at(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=SH).timestamp())  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天 ２０：００", at(2026, 11, 27, 20, 0)),
        ("２０２６－１２－０１　２０：００", at(2026, 12, 1, 20, 0)),
        ("今晚 22:00", at(2026, 11, 26, 22, 0)),
        ("今晚", at(2026, 11, 26, 23, 59)),
        ("3 天后 9:30", at(2026, 11, 29, 9, 30)),
        ("3天后", NOW + 3 * 86400),
    ],
)
def test_schedule_times_typed_on_a_phone(text: str, expected: int) -> None:
    assert parse_when(text, NOW, SH, "zh").first == expected


def test_a_moment_now_or_past_only_when_asked() -> None:
    assert parse_moment("立即", NOW, SH, "zh", past_ok=True) == NOW
    assert parse_moment("11-25 20:00", NOW, SH, "zh", past_ok=True) == at(2026, 11, 25, 20, 0)
    with pytest.raises(InputError):
        parse_moment("立即", NOW, SH, "zh", past_ok=False)
    with pytest.raises(InputError, match="过去"):
        parse_moment("2026-11-25 20:00", NOW, SH, "zh", past_ok=False)
    with pytest.raises(InputError, match="太远"):
        parse_moment("2030-01-01 20:00", NOW, SH, "zh", past_ok=True)
    with pytest.raises(InputError, match="今晚 23:59"):
        parse_moment("每天 10:00", NOW, SH, "zh", past_ok=True)
