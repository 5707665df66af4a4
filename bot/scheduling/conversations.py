"""PTB's ``ConversationHandler`` with its ``conversation_timeout`` run by the bot's scheduler.

PTB times conversations out with its JobQueue, which the bot does not have: every timer runs on
:class:`~bot.scheduling.scheduler.Scheduler`. This subclass takes the same arguments and keeps
PTB's behaviour: each update of a conversation restarts its idle timer; when the timer runs
out, the handlers of the ``TIMEOUT`` state get the last update, and the conversation ends.
Handler modules import ``ConversationHandler`` from here instead of ``telegram.ext``.
"""

from __future__ import annotations

import contextlib
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext
from telegram.ext import ConversationHandler as PtbConversationHandler

from bot.services import services_of_app

ContextT = TypeVar("ContextT", bound=CallbackContext[Any, Any, Any, Any])
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class ConversationHandler(PtbConversationHandler[ContextT]):
    __slots__ = ("_idle_seconds",)

    def __init__(self, *args: Any, conversation_timeout: float | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)  # PTB's own timeout would need its JobQueue
        self._idle_seconds = conversation_timeout

    @property
    def idle_seconds(self) -> float | None:
        """Seconds without an update after which the conversation ends (None: never)."""
        return self._idle_seconds

    async def handle_update(
        self,
        update: Update,
        application: AnyApplication,
        check_result: Any,
        context: ContextT,
    ) -> object | None:
        key: tuple[int | str, ...] = check_result[1]
        scheduler = services_of_app(application).scheduler
        timer = f"conversation:{id(self)}:{key}"
        scheduler.cancel_later(timer)  # as PTB drops the old timeout job

        async def time_out() -> None:
            await self._time_out(key, update, application, context)

        def restart_timer() -> None:
            if self._idle_seconds and key in self._conversations:
                scheduler.later(timer, self._idle_seconds, time_out)

        try:
            new_state = await super().handle_update(update, application, check_result, context)
        except ApplicationHandlerStop:
            restart_timer()
            raise
        restart_timer()
        return new_state

    async def _time_out(
        self,
        key: tuple[int | str, ...],
        update: Update,
        application: AnyApplication,
        context: ContextT,
    ) -> None:
        """What PTB's ``_trigger_timeout`` does: the TIMEOUT handlers, then the end."""
        if key not in self._conversations:
            return
        for handler in self.states.get(self.TIMEOUT, []):
            check = handler.check_update(update)
            if check is not None and check is not False:
                # As in PTB: stopping other handlers means nothing at a timeout.
                with contextlib.suppress(ApplicationHandlerStop):
                    await handler.handle_update(update, application, check, context)
        self._update_state(self.END, key)
