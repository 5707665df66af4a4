"""Quiet hours (pure): is an instant inside a rest window, and when does the window end.

Windows are daily, in the seller's local time, and may wrap midnight (``22:00-08:00``).
Overlapping or touching windows are followed through, so the answer is always an instant that
lies outside every window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel


class QuietWindow(BaseModel):
    """A daily window (local time) in which the bot does not push content; may wrap midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def _window_end(moment: datetime, window: QuietWindow) -> datetime | None:
    """The end of ``window`` if ``moment`` lies inside it, else None."""
    if not window.contains(moment.time()):
        return None
    end = moment.replace(hour=window.end.hour, minute=window.end.minute, second=0, microsecond=0)
    if end <= moment:
        end = _next_day(end)
    return end


def _next_day(moment: datetime) -> datetime:
    day = moment.date() + timedelta(days=1)
    return moment.replace(year=day.year, month=day.month, day=day.day)


def quiet_until(timestamp: int, windows: Sequence[QuietWindow], tz: ZoneInfo) -> int | None:
    """The first instant at or after ``timestamp`` outside all windows, or None if it is
    already outside them."""
    moment = datetime.fromtimestamp(timestamp, tz)
    shifted = False
    for _ in range(len(windows) + 1):
        ends = [end for window in windows if (end := _window_end(moment, window)) is not None]
        if not ends:
            break
        moment = max(ends)
        shifted = True
    return int(moment.timestamp()) if shifted else None


def outside_quiet(timestamp: int, windows: Sequence[QuietWindow], tz: ZoneInfo) -> int:
    """``timestamp`` itself, or the end of the quiet window it falls in."""
    end = quiet_until(timestamp, windows, tz)
    return timestamp if end is None else end
