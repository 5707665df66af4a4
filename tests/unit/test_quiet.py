from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.common.quiet import QuietWindow, outside_quiet, quiet_until
from bot.config import Settings

SH = ZoneInfo("Asia/Shanghai")
WINDOWS = Settings().quiet_windows  # 13:00-14:00 and 22:00-08:00


def at(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=SH).timestamp())  # type: ignore[misc]


def test_outside_windows_is_unchanged() -> None:
    assert quiet_until(at(2026, 12, 1, 10, 0), WINDOWS, SH) is None
    assert outside_quiet(at(2026, 12, 1, 14, 0), WINDOWS, SH) == at(2026, 12, 1, 14, 0)


def test_lunch_break_shifts_to_its_end() -> None:
    assert quiet_until(at(2026, 12, 1, 13, 0), WINDOWS, SH) == at(2026, 12, 1, 14, 0)
    assert quiet_until(at(2026, 12, 1, 13, 59), WINDOWS, SH) == at(2026, 12, 1, 14, 0)


def test_night_window_wraps_midnight() -> None:
    assert quiet_until(at(2026, 12, 1, 22, 0), WINDOWS, SH) == at(2026, 12, 2, 8, 0)
    assert quiet_until(at(2026, 12, 2, 3, 0), WINDOWS, SH) == at(2026, 12, 2, 8, 0)
    assert quiet_until(at(2026, 12, 31, 23, 30), WINDOWS, SH) == at(2027, 1, 1, 8, 0)


def test_touching_windows_are_followed_through() -> None:
    windows = [*WINDOWS, QuietWindow(start=time(8, 0), end=time(9, 0))]
    assert quiet_until(at(2026, 12, 1, 23, 0), windows, SH) == at(2026, 12, 2, 9, 0)


def test_no_windows() -> None:
    assert quiet_until(at(2026, 12, 1, 23, 0), [], SH) is None
