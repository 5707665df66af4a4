"""Telegram's limits and on-demand failures for the sandbox.

Two mechanisms live here:

* :class:`SandboxLimits` + :class:`RateLimiter` reproduce Telegram's flood control with
  sliding windows (global per second, per group per minute, optionally per private chat
  per second).  Over the limit the server answers ``429`` with ``retry_after`` = seconds
  until the window has room again, so a bot that honours ``RetryAfter`` recovers.
* :class:`Fault` + :class:`FaultRule` let a test script "the next N ``sendMessage`` calls
  into chat X fail with 403/429/500/…", or be slow.

The clock is injectable (any ``() -> float`` in seconds) so tests can drive the windows
without sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Clock = Callable[[], float]

#: Methods that produce or change a message. Rate limits and ``method=None`` fault rules
#: apply to these. ``sendChatAction`` is deliberately excluded: Telegram does not count
#: chat actions as messages.
SENDING_METHODS: frozenset[str] = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "sendvideo",
        "sendaudio",
        "sendanimation",
        "sendvoice",
        "sendsticker",
        "sendlocation",
        "sendcontact",
        "sendpoll",
        "senddice",
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
        "editmessagemedia",
    }
)


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would send for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def bad_request(detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """400 with Telegram's ``Bad Request: `` prefix."""
    return ApiError(400, f"Bad Request: {detail}", parameters)


def forbidden(detail: str) -> ApiError:
    """403 with Telegram's ``Forbidden: `` prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with ``parameters.retry_after`` (PTB raises ``RetryAfter``)."""
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


@dataclass(frozen=True)
class Fault:
    """A scripted failure (or delay) for matching API calls.

    Build them with the class methods; ``delay`` is applied first, then ``error`` (if any)
    is answered instead of handling the call. ``Fault.slow(s)`` has only a delay, so the
    call is handled normally afterwards.
    """

    name: str
    status: int | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    delay: float = 0.0

    def error(self) -> ApiError | None:
        """The error to answer with, or ``None`` when the fault only delays."""
        if self.status is None:
            return None
        return ApiError(self.status, self.description or "", self.parameters)

    @classmethod
    def kicked(cls, supergroup: bool = False) -> Fault:
        kind = "supergroup" if supergroup else "group"
        return cls("kicked", 403, f"Forbidden: bot was kicked from the {kind} chat")

    @classmethod
    def not_member(cls) -> Fault:
        return cls("not_member", 403, "Forbidden: bot is not a member of the group chat")

    @classmethod
    def blocked(cls) -> Fault:
        return cls("blocked", 403, "Forbidden: bot was blocked by the user")

    @classmethod
    def cant_initiate(cls) -> Fault:
        return cls("cant_initiate", 403, "Forbidden: bot can't initiate conversation with a user")

    @classmethod
    def chat_not_found(cls) -> Fault:
        return cls("chat_not_found", 400, "Bad Request: chat not found")

    @classmethod
    def migrated(cls, new_chat_id: int) -> Fault:
        return cls(
            "migrated",
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": new_chat_id},
        )

    @classmethod
    def server_error(cls) -> Fault:
        return cls("server_error", 500, "Internal Server Error")

    @classmethod
    def bad_gateway(cls) -> Fault:
        return cls("bad_gateway", 502, "Bad Gateway")

    @classmethod
    def too_many(cls, retry_after: int = 2) -> Fault:
        err = too_many_requests(retry_after)
        return cls("too_many", 429, err.description, err.parameters)

    @classmethod
    def bad_request(cls, detail: str) -> Fault:
        return cls("bad_request", 400, f"Bad Request: {detail}")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls("slow", delay=seconds)


@dataclass
class FaultRule:
    """``fault`` applies to calls of ``method`` (``None`` = any sending method) into
    ``chat_id`` (``None`` = any chat), ``times`` more times (``None`` = forever)."""

    method: str | None
    chat_id: int | str | None
    fault: Fault
    times: int | None = 1

    def matches(self, method: str, chat_id: object) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is None:
            if method not in SENDING_METHODS:
                return False
        elif self.method.lower() != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class SandboxLimits:
    """Flood-control limits; any field set to ``None`` disables that limit.

    ``retry_after`` is the *minimum* value answered in a 429; the actual value is the
    number of whole seconds until the window frees up, if larger.
    ``per_chat_per_minute`` applies to groups, supergroups and channels;
    ``per_private_chat_per_second`` (off by default) to private chats.
    """

    global_per_second: float | None = 30.0
    per_chat_per_minute: int | None = 20
    retry_after: int = 1
    per_private_chat_per_second: float | None = None


@dataclass
class SandboxStats:
    """Counters the benchmark and tests read."""

    sent_ok: int = 0  # messages sent or edited successfully (an album of n counts n)
    too_many_requests: int = 0  # 429 answers (rate limit or scripted fault)
    calls_total: int = 0
    errors: dict[int, int] = field(default_factory=dict)  # http status -> count


class _Window:
    """Sliding window of event timestamps (monotonic seconds)."""

    __slots__ = ("events", "length")

    def __init__(self, length: float) -> None:
        self.length = length
        self.events: deque[float] = deque()

    def trim(self, now: float) -> None:
        events = self.events
        horizon = now - self.length
        while events and events[0] <= horizon:
            events.popleft()

    def wait_needed(self, now: float, limit: float, n: int) -> float:
        """Seconds until ``n`` more events fit under ``limit`` (0 when they fit now)."""
        self.trim(now)
        capacity = math.floor(limit)
        excess = len(self.events) + n - capacity
        if excess <= 0:
            return 0.0
        if excess > len(self.events):
            # More than the whole window allows: waiting for a full window is the best
            # advice we can give.
            return self.length
        return self.events[excess - 1] + self.length - now

    def add(self, now: float, n: int) -> None:
        self.events.extend([now] * n)


class RateLimiter:
    """Enforces :class:`SandboxLimits` with O(1) amortised work per message."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._global = _Window(1.0)
        self._chats: dict[int, _Window] = {}

    def reset(self) -> None:
        self._global = _Window(1.0)
        self._chats.clear()

    def charge(self, limits: SandboxLimits, chat_id: int, private: bool, n: int = 1) -> None:
        """Account ``n`` messages into ``chat_id`` or raise a 429 :class:`ApiError`.

        Rejected calls are not counted in the windows (Telegram does not deliver them).
        """
        now = self.clock()
        wait = 0.0
        if limits.global_per_second is not None:
            wait = max(wait, self._global.wait_needed(now, limits.global_per_second, n))
        chat_window: _Window | None = None
        chat_limit: float | None
        if private:
            chat_limit = limits.per_private_chat_per_second
            length = 1.0
        else:
            chat_limit = limits.per_chat_per_minute
            length = 60.0
        if chat_limit is not None:
            chat_window = self._chats.get(chat_id)
            if chat_window is None or chat_window.length != length:
                chat_window = self._chats[chat_id] = _Window(length)
            wait = max(wait, chat_window.wait_needed(now, chat_limit, n))
        if wait > 0:
            raise too_many_requests(max(limits.retry_after, math.ceil(wait), 1))
        if limits.global_per_second is not None:
            self._global.add(now, n)
        if chat_window is not None:
            chat_window.add(now, n)
