"""Typed rows returned by the repositories. Times are Unix seconds (UTC)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

OrderMode = Literal["dropship", "wholesale", "custom"]
ORDER_MODES: tuple[OrderMode, ...] = ("dropship", "wholesale", "custom")


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    chat_id: int
    title: str
    type: str
    active: bool
    inactive_reason: str | None
    language: str | None
    added_at: int
    tags: tuple[str, ...] = ()
    member_count: int = 0
    # Set while the group waits for an admin's approval (then ``active`` is False).
    pending_since: int | None = None
    added_by: int | None = None

    @property
    def pending(self) -> bool:
        return self.pending_since is not None


def buyer_key(buyer_id: str) -> str:
    """The form a 1688 / 旺旺 buyer id is compared in (stored as ``agents.buyer_key``, unique):
    NFKC, trimmed and case-folded, so ``ＬｉＳｈｏｐ`` and ``lishop`` are the same buyer."""
    folded = unicodedata.normalize("NFKC", buyer_id).strip().casefold()
    return unicodedata.normalize("NFKC", folded)


@dataclass(frozen=True, slots=True)
class Agent:
    user_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language: str | None
    remark: str | None
    order_mode: OrderMode | None
    status: Literal["active", "removed"]
    started_bot: bool
    joined_at: int
    last_seen_at: int | None
    last_contact_at: int | None
    last_contact_note: str | None
    removed_reason: str | None
    tags: tuple[str, ...] = ()
    # When the first profile arrived (submitted or imported); None: never (a newcomer while
    # recent, see bot.agents.quality.is_newcomer).
    profile_at: int | None = None
    muted: bool = False  # /mute: no promotional private sends
    region: str | None = None  # 省/市, as the agent or the seller gave it
    buyer_id: str | None = None  # the 1688 / 旺旺 member name (see buyer_key)

    @property
    def display_name(self) -> str:
        name = self.first_name if not self.last_name else f"{self.first_name} {self.last_name}"
        return self.remark or name


@dataclass(frozen=True, slots=True)
class Membership:
    group_chat_id: int
    group_title: str
    status: Literal["member", "left", "removed"]
    joined_at: int
    left_at: int | None


@dataclass(frozen=True, slots=True)
class AdminGrant:
    user_id: int
    granted_by: int
    granted_at: int


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: int
    actor_id: int | None
    action: str
    target: str | None
    detail: str | None
    allowed: bool


@dataclass(frozen=True, slots=True)
class AgentFilter:
    """Filters of ``/agents``; every field narrows the list."""

    tags: tuple[str, ...] = ()
    group_chat_id: int | None = None
    order_mode: OrderMode | None = None
    inactive_since: int | None = None
    include_removed: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    # Quality filters (see storage/profiles.py): tier code, platform code, category (itself or
    # anything under it), and a score bound as (operator, value) with operator in < <= > >=.
    tier: str | None = None
    platform: str | None = None
    category: str | None = None
    score: tuple[str, float] | None = None
    # Newcomers (待完善) are agents with no profile who joined after this moment: a tier filter
    # leaves them out, and tier "newcomer" selects them. None: no newcomer rule.
    newcomers_after: int | None = None
