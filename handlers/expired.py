"""The catch-all for inline buttons: a press that no handler claimed is answered "expired".

Every button handler's pattern is its kind's parse (``bot.common.callbacks.matches``), so data
that is stale, malformed, forged or out of range reaches no handler and ends here. The answer
stops the client's spinner and changes nothing. Registered last (see ``bot/app.py``).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.texts import t
from handlers.common import Context

log = logging.getLogger(__name__)


async def expired_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    user = update.effective_user
    log.info("unclaimed button press from user %s", user.id if user else None)
    await query.answer(t(context.lang, "button_expired"))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(expired_button))
