"""The context every handler gets: the services and the language of the user behind the update.

PTB builds one :class:`BotContext` per update (``ContextTypes(context=BotContext)`` in
``bot/app.py``), so a handler reads ``context.services`` and ``context.lang`` instead of looking
them up again in each of its opening lines.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services, services_of_app
from bot.texts import Language, language_of


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """A :class:`CallbackContext` with the bot's services and the user's language."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._language_code: str | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> BotContext:
        """PTB's context for ``update``, remembering the language code of the user behind it
        (the context does not keep the update itself)."""
        context = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user is not None:
            context._language_code = update.effective_user.language_code
        return context

    @property
    def services(self) -> Services:
        return services_of_app(self.application)

    @property
    def lang(self) -> Language:
        """The catalog language of the user behind the update (the configured default when
        Telegram sent no language code, or one we have no catalog for, or no user at all)."""
        return language_of(self._language_code, self.services.settings.language)
