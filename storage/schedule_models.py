"""Typed rows of schedules, fires, greetings and trainings. Times are Unix seconds (UTC)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

ScheduleStatus = Literal["active", "paused", "held", "done", "cancelled"]
FireStatus = Literal["sent", "shifted", "missed", "skipped"]
GreetingStatus = Literal["pending", "approved", "skipped"]
RsvpAnswer = Literal["yes", "no", "maybe"]
RSVP_ANSWERS: tuple[RsvpAnswer, ...] = ("yes", "no", "maybe")
# Jobs the bot schedules for itself: the daily ones (one each, re-timed from config at every
# start) and the approval deadline of a pending group. They are left out of /schedules, and
# their missed fires are not reported (each looks back itself).
SYSTEM_KINDS: tuple[str, ...] = ("greeting_check", "followups", "quality_recompute")
SYSTEM_KINDS += ("group_approval_timeout",)
SYSTEM_KINDS += ("privacy_retention",)


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    kind: str
    title: str
    params_json: str
    ref: str | None
    rule: str | None
    creator_id: int | None
    status: ScheduleStatus
    quiet: bool
    next_planned_at: int | None
    next_due_at: int | None
    created_at: int

    @property
    def params(self) -> dict[str, Any]:
        value = json.loads(self.params_json)
        assert isinstance(value, dict)
        return value


@dataclass(frozen=True, slots=True)
class Fire:
    schedule_id: int
    planned_at: int
    due_at: int
    fired_at: int
    status: FireStatus
    broadcast_id: int | None


@dataclass(frozen=True, slots=True)
class GreetingRun:
    festival: str
    year: int
    day: str
    status: GreetingStatus
    text: str
    decided_by: int | None
    schedule_id: int | None


@dataclass(frozen=True, slots=True)
class Training:
    id: int
    title: str
    starts_at: int
    duration_minutes: int
    location: str
    materials_file: str | None
    target_tags: tuple[str, ...]
    creator_id: int
    broadcast_id: int | None
    status: Literal["scheduled", "cancelled"]
    created_at: int


@dataclass(frozen=True, slots=True)
class Rsvp:
    user_id: int
    answer: RsvpAnswer
    answered_at: int
    name: str
    attended: bool
