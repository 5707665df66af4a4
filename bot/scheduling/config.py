"""Config sections of the scheduler's daily jobs: greetings, training reminders, follow-ups.

Kept apart from bot/config.py so that the shared Settings only gains one line per section.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator


class GreetingSettings(BaseModel):
    """``[greetings]``: holiday greeting previews and sends."""

    model_config = ConfigDict(extra="forbid")

    # Owners get the preview this many days before the festival (0 = on the day).
    days_before: int = Field(3, ge=0, le=30)
    # Local time of the daily check that sends previews.
    check_time: dt.time = dt.time(10, 0)
    # Local time on the festival day when an approved greeting goes out.
    send_time: dt.time = dt.time(9, 0)


class TrainingSettings(BaseModel):
    """``[training]``: reminders before a training, RSVP message edits."""

    model_config = ConfigDict(extra="forbid")

    # Hours before the start at which reminders go out (groups, and in private to 参加).
    reminder_hours: list[float] = Field(default_factory=lambda: [24.0, 1.0])
    # RSVP clicks within this many seconds are folded into one edit of the announcement.
    rsvp_edit_delay_seconds: float = Field(2.0, ge=0, le=60)

    @field_validator("reminder_hours")
    @classmethod
    def _positive_offsets(cls, value: list[float]) -> list[float]:
        for hours in value:
            if not 0 < hours <= 24 * 30:
                raise ValueError(f"{hours} is not an offset in hours between 0 and 720")
        return sorted(set(value), reverse=True)


class FollowupSettings(BaseModel):
    """``[followups]``: the daily list of agents nobody has contacted for a while."""

    model_config = ConfigDict(extra="forbid")

    # Local time of the daily follow-up message to the owners.
    time: dt.time = dt.time(9, 30)
    # An agent is due a follow-up when the last recorded contact is older than this.
    days: int = Field(14, ge=1, le=365)
    # Days per segment, keyed by an agent tag or an order mode (一件代发 / 批发 / 定制), e.g.
    # {"VIP代理商" = 7, "代理商" = 14, "潜在客户" = 30}: an agent's cadence is the shortest of its
    # segments', ``days`` for an agent in none.
    cadence: dict[str, int] = Field(default_factory=dict)

    @field_validator("cadence")
    @classmethod
    def _cadence_days(cls, value: dict[str, int]) -> dict[str, int]:
        for segment, days in value.items():
            if not segment.strip() or len(segment) > 32:
                raise ValueError(f"{segment!r} is not a tag or order mode (1-32 characters)")
            if not 1 <= days <= 365:
                raise ValueError(f"{segment}: {days} is not a number of days between 1 and 365")
        return value
