"""Which handlers an update is offered to: PTB's order, minus those that cannot take it.

PTB's ``Application.process_update`` asks every handler of every handler group, in order,
whether it takes the update (``check_update``) and runs the first that does in each group.
Group 0 holds more than a hundred handlers, most of them commands and buttons, so every
message of a chatty group used to ask each command whether it is that command and each
button handler whether it is a button press. :class:`IndexedApplication` runs the very same
loop over a shorter list: the handlers of the group without those whose ``check_update``
returns nothing for any update of that update's :func:`shape`. Which handlers those are is
decided by the handler's class (its ``check_update`` method itself, so a subclass that
overrides it is always asked):

* ``CommandHandler`` takes only a message whose first entity is a bot command at offset 0;
* ``CallbackQueryHandler`` only a button press, ``InlineQueryHandler`` only an inline query;
* ``ChatMemberHandler`` only a (my_)chat_member update;
* a ``MessageHandler`` whose filter is an "and" of filters, one of which is one of
  :data:`LEAVES` (private chat, new message, document, photo, two status updates), takes only
  an update that leaf answers yes to (each leaf is asked once per update, by its own
  ``filter``, and the answer is part of the update's shape);
* a ``ConversationHandler`` none of whose entry points may take the update takes it only if a
  conversation is under way for the update's key (its chat and user): it is asked only then.

Every other handler is asked as before, so which handler runs is
exactly what PTB would run (``tests/e2e/test_dispatch.py`` compares the two on
the real handlers). The lists are built once per shape and rebuilt when a group's handlers
change (compared with the list they were built from on every update: a handler added or
removed at any time, through PTB or not, is seen at the next update).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import MessageEntity, Update
from telegram._utils.defaultvalue import DEFAULT_TRUE
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.ext.filters import BaseFilter, MessageFilter, UpdateFilter

log = logging.getLogger(__name__)

AnyHandler = BaseHandler[Any, Any, Any]

# What an update can be offered to, as bits of its shape.
CALLBACK_QUERY = 1
INLINE_QUERY = 2
CHAT_MEMBER = 4
COMMAND = 8
NOT_AN_UPDATE = -1  # anything else put on the queue: every handler is asked

# Filters cheap to ask once per update and often "and"-ed into a handler's filter: a message
# handler whose filter needs one of them is left out when it answers no. Bit 16 << index.
LEAVES: tuple[BaseFilter, ...] = (
    filters.UpdateType.MESSAGE,
    filters.ChatType.PRIVATE,
    filters.Document.ALL,
    filters.PHOTO,
    filters.StatusUpdate.MIGRATE,
    filters.StatusUpdate.NEW_CHAT_TITLE,
)
_LEAF_BITS = {id(leaf): 16 << index for index, leaf in enumerate(LEAVES)}
_ASK_UPDATE = [
    (16 << i, leaf.filter) for i, leaf in enumerate(LEAVES) if isinstance(leaf, UpdateFilter)
]
_ASK_MESSAGE = [
    (16 << i, leaf.filter) for i, leaf in enumerate(LEAVES) if isinstance(leaf, MessageFilter)
]

# check_update method -> the bit an update must have for it to return anything.
_NEEDS: dict[Callable[..., object], int] = {
    CallbackQueryHandler.check_update: CALLBACK_QUERY,
    InlineQueryHandler.check_update: INLINE_QUERY,
    ChatMemberHandler.check_update: CHAT_MEMBER,
    CommandHandler.check_update: COMMAND,
}


def shape(update: object) -> int:
    """The bits of ``update`` that decide which handler classes may take it, tested exactly as
    those classes' ``check_update`` test them."""
    if not isinstance(update, Update):
        return NOT_AN_UPDATE
    bits = 0
    if update.callback_query:
        bits |= CALLBACK_QUERY
    if update.inline_query:
        bits |= INLINE_QUERY
    if update.my_chat_member or update.chat_member:
        bits |= CHAT_MEMBER
    message = update.effective_message
    if message and message.entities:
        first = message.entities[0]
        if first.type == MessageEntity.BOT_COMMAND and first.offset == 0:
            bits |= COMMAND
    # A leaf's check_update is its kind check and then its filter: a no here is a no there.
    for bit, of_update in _ASK_UPDATE:
        if of_update(update):
            bits |= bit
    if message is not None:
        for bit, of_message in _ASK_MESSAGE:
            if of_message(message):
                bits |= bit
    return bits


def conjuncts(condition: BaseFilter) -> list[BaseFilter]:
    """The filters ``condition`` "and"s together (itself when it is not an "and")."""
    if type(condition) is filters._MergedFilter and isinstance(condition.and_filter, BaseFilter):
        return conjuncts(condition.base_filter) + conjuncts(condition.and_filter)
    return [condition]


def needed_bits(handler: AnyHandler) -> list[int]:
    """The bits an update must have for ``handler`` to take it (each one alone suffices to
    refuse)."""
    method = type(handler).check_update
    needed = _NEEDS.get(method)
    if needed is not None:
        return [needed]
    if method is MessageHandler.check_update and isinstance(handler, MessageHandler):
        leaves = (_LEAF_BITS.get(id(part)) for part in conjuncts(handler.filters))
        return [bit for bit in leaves if bit is not None]
    return []


def may_take(handler: AnyHandler, bits: int) -> bool:
    """False only when ``handler``'s ``check_update`` returns None or False for every update
    of this shape."""
    if bits == NOT_AN_UPDATE:
        return True
    return all(bits & needed for needed in needed_bits(handler))


def only_under_way(handler: AnyHandler, bits: int) -> bool:
    """Whether ``handler`` is a conversation that takes updates of this shape only when a
    conversation is under way for the update's key (no entry point may take them)."""
    return (
        bits != NOT_AN_UPDATE
        and type(handler).check_update is ConversationHandler.check_update
        and isinstance(handler, ConversationHandler)
        and not any(may_take(entry, bits) for entry in handler.entry_points)
    )


def under_way(conversation: ConversationHandler[Any], update: object) -> bool:
    """Whether ``conversation`` has a state for ``update``'s key (or the key cannot be told
    here: then PTB's ``check_update`` decides, as always). With no state, PTB's
    ``check_update`` only asks the entry points."""
    states = conversation._conversations
    if not states:
        return False
    try:
        key = conversation._get_key(update)  # type: ignore[arg-type]
    except RuntimeError:
        return True
    return states.get(key) is not None


# A handler to ask, and whether to ask it only when its conversation is under way.
Candidate = tuple[AnyHandler, bool]


@dataclass
class _GroupIndex:
    """One handler group: the list it was built from, and its handlers per shape."""

    built_from: list[AnyHandler]
    by_shape: dict[int, list[Candidate]] = field(default_factory=dict)

    def candidates(self, bits: int) -> list[Candidate]:
        found = self.by_shape.get(bits)
        if found is None:
            found = [
                (handler, only_under_way(handler, bits))
                for handler in self.built_from
                if may_take(handler, bits)
            ]
            self.by_shape[bits] = found
        return found


class IndexedApplication(Application):  # type: ignore[type-arg]
    """PTB's ``Application`` whose ``process_update`` skips the handlers that cannot take the
    update (see the module's docstring); everything else is PTB's."""

    __slots__ = ("_dispatch_index",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dispatch_index: dict[int, _GroupIndex] = {}

    def candidates(self, update: object) -> list[list[Candidate]]:
        """The handlers to ask, group by group in PTB's order (lists never mutated later)."""
        bits = shape(update)
        index = self._dispatch_index
        groups = []
        for group, handlers in list(self.handlers.items()):
            entry = index.get(group)
            if entry is None or entry.built_from != handlers:
                entry = index[group] = _GroupIndex(list(handlers))
            groups.append(entry.candidates(bits))
        if len(index) > len(self.handlers):
            for group in [group for group in index if group not in self.handlers]:
                del index[group]
        return groups

    async def process_update(self, update: object) -> None:
        """PTB 22's ``Application.process_update`` line for line, over :meth:`candidates`."""
        self._check_initialized()
        context = None
        any_blocking = False
        for handlers in self.candidates(update):
            try:
                for handler, conditional in handlers:
                    if conditional and not under_way(handler, update):  # type: ignore[arg-type]
                        continue
                    check = handler.check_update(update)
                    if check is None or check is False:
                        continue
                    if not context:
                        try:
                            context = self.context_types.context.from_update(update, self)
                        except Exception as exc:
                            log.critical(
                                "Error while building CallbackContext for update %s. "
                                "Update will not be processed.",
                                update,
                                exc_info=exc,
                            )
                            return
                        await context.refresh_data()
                    coroutine = handler.handle_update(update, self, check, context)
                    if not handler.block or (
                        handler.block is DEFAULT_TRUE
                        and isinstance(self.bot, ExtBot)
                        and self.bot.defaults
                        and not self.bot.defaults.block
                    ):
                        self.create_task(
                            coroutine,
                            update=update,
                            name=f"Application:{self.bot.id}:process_update_non_blocking:{handler}",
                        )
                    else:
                        any_blocking = True
                        await coroutine
                    break  # at most one handler per group
            except ApplicationHandlerStop:
                log.debug("Stopping further handlers due to ApplicationHandlerStop")
                break
            except Exception as exc:
                if await self.process_error(update=update, error=exc):
                    log.debug("Error handler stopped further handlers.")
                    break
        if any_blocking:
            self._mark_for_persistence_update(update=update)
