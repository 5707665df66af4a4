"""The app's bot's rate limiter: a 429 from one chat pauses that chat only.

PTB's ``AIORateLimiter`` keeps Telegram's limits (30 messages a second overall, 20 a minute per
group) and retries a request answered 429 ``retry_after`` seconds later, but meanwhile it holds
*every* request of the bot. A group past its 20-a-minute window (a flood of commands answered
there) thus froze everyone's replies for up to a minute. ``PerChatRateLimiter`` keeps the
same limits and retries, and pauses only the chat the 429 came from: its later requests wait
until the pause ends, other chats go on. A 429 for a request without a chat keeps PTB's pause
of everything.

While the delivery engine runs, every request Telegram counts as a message (``message_cost``)
takes its slots from the engine's windows through its priority lane
(bot/broadcast/delivery/lane.py) instead of PTB's limiters: one budget for everything the bot
sends, and the app's requests are served before bulk sends. Before the engine starts and after
it stops, PTB's limiters pace the app's bot as before.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.broadcast.delivery.sending import retry_after_seconds

Sleep = Callable[[float], Awaitable[None]]
Request = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]
Answer = bool | dict[str, Any] | list[dict[str, Any]]

# Pauses are forgotten once over; the table is pruned when it grows past this many chats.
PRUNE_ABOVE = 512

# Methods whose request Telegram counts as a message (an album or a batch counts its items);
# sendChatAction, answers to button presses, reads and deletions are not counted.
COUNTED_PREFIXES = ("send", "copymessage", "forwardmessage", "editmessage")
UNCOUNTED = frozenset({"sendchataction"})
BATCH_FIELDS = {"sendmediagroup": "media", "copymessages": "message_ids"}
BATCH_FIELDS["forwardmessages"] = "message_ids"


def message_cost(endpoint: str, data: dict[str, Any]) -> int:
    """How many messages Telegram counts for this request (0: not a message)."""
    name = endpoint.lower()
    if name in UNCOUNTED or not name.startswith(COUNTED_PREFIXES):
        return 0
    items = data.get(BATCH_FIELDS.get(name, ""))
    return max(1, len(items)) if isinstance(items, list | tuple) else 1


class SharedBudget(Protocol):
    """The delivery engine's priority lane, as this limiter uses it."""

    async def acquire(self, chat_id: int, cost: int) -> Any: ...

    def release(self, admission: Any) -> None: ...


class PerChatRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` whose 429 pauses the answering chat only. ``sleep`` waits out a
    pause (tests inject one that returns when they say)."""

    def __init__(self, *, max_retries: int, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retries=max_retries)
        self._retries = max_retries
        self._sleep = sleep
        self._paused_until: dict[int | str, float] = {}
        self.budget: SharedBudget | None = None

    def share(self, budget: SharedBudget | None) -> None:
        """Take counted requests' slots from ``budget`` (None: PTB's own limiters again)."""
        self.budget = budget

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Answer:
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, int | str):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        retries = rate_limit_args or self._retries
        # As PTB's: a negative id (or an @username) is a group's, held to its own window.
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        group: int | str | bool = chat_id if isinstance(chat_id, str) or chat_id < 0 else False
        budget = self.budget
        cost = message_cost(endpoint, data) if isinstance(chat_id, int) else 0
        loop = asyncio.get_running_loop()
        for attempt in range(retries + 1):
            pause = self._paused_until.get(chat_id, 0.0) - loop.time()
            if pause > 0:
                await self._sleep(pause)
            try:
                if budget is not None and cost and isinstance(chat_id, int):
                    admission = await budget.acquire(chat_id, cost)
                    try:
                        return await callback(*args, **kwargs)
                    finally:
                        budget.release(admission)
                return await self._run_request(
                    chat=True,
                    group=group,
                    allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                self._pause(chat_id, loop.time() + retry_after_seconds(exc) + 0.1)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _pause(self, chat_id: int | str, until: float) -> None:
        if len(self._paused_until) > PRUNE_ABOVE:
            now = asyncio.get_running_loop().time()
            self._paused_until = {c: t for c, t in self._paused_until.items() if t > now}
        self._paused_until[chat_id] = max(until, self._paused_until.get(chat_id, 0.0))
