"""The filter of the group observers, cheap enough for every message of a chatty group.

Every group message is offered to an observer in handler group 1 (last seen) and one in group 2
(stock questions); both take a message (new or edited) in a group or supergroup that is not a
status update (joins, title changes, pins, ...): ``filters.ChatType.GROUPS &
~filters.StatusUpdate.ALL``. PTB answers ``StatusUpdate.ALL`` by asking each of its 46 filters
``check_update(update)`` in turn, each repeating the same check of the update's kind, which made
that one answer the dearest part of taking a group message. :data:`GROUP_MESSAGE` gives the
same answer: the update's kind checked once (``BaseFilter.check_update``, as PTB's merged
filter does first), then the same PTB filter objects asked about the message (their
``filter``), and it keeps the answer for the update it was last asked about (the same object;
Telegram objects are immutable), so the second group does not work it out again.
``tests/unit/test_group_filter.py`` checks :data:`STATUS_UPDATES` against the filters PTB's
``StatusUpdate.ALL`` asks, and the answers against PTB's on many kinds of message.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import filters
from telegram.ext.filters import BaseFilter, MessageFilter

# Every status-update filter PTB has (``StatusUpdate.ALL`` asks exactly these).
STATUS_UPDATES: tuple[MessageFilter, ...] = tuple(
    value
    for name, value in sorted(vars(filters.StatusUpdate).items())
    if name != "ALL" and isinstance(value, MessageFilter)
)


_STATUS_CHECKS = tuple(status.filter for status in STATUS_UPDATES)


class _GroupMessage(filters.UpdateFilter):
    """``filters.ChatType.GROUPS & ~filters.StatusUpdate.ALL``, worked out once per update."""

    __slots__ = ("_answer", "_last")

    def __init__(self) -> None:
        super().__init__(name="GROUP_MESSAGE")
        self._last: object = None
        self._answer = False

    def check_update(self, update: Update) -> bool:
        if update is not self._last:
            self._answer = bool(BaseFilter.check_update(self, update)) and self.filter(update)
            self._last = update
        return self._answer

    def filter(self, update: Update) -> bool:
        message = update.effective_message
        if message is None or not filters.ChatType.GROUPS.filter(message):
            return False
        # A plain loop over bound methods: about twice as fast as all() over a generator.
        for is_status in _STATUS_CHECKS:  # noqa: SIM110
            if is_status(message):
                return False
        return True


# A message (new or edited) in a group or supergroup that is not a status update.
GROUP_MESSAGE = _GroupMessage()
