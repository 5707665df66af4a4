"""The one error handler: log with traceback, tell the owners briefly, never leak the token."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.texts import t
from handlers.common import Context

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 300


def _redact(text: str, token: str | None) -> str:
    if token:
        text = text.replace(token, "<token>").replace(token.split(":", 1)[-1], "<token>")
    return text


async def on_error(update: object, context: Context) -> None:
    error = context.error
    log.error("error while handling an update", exc_info=error)
    services = context.services
    token = services.settings.token.get_secret_value() if services.settings.token else None
    summary = _redact(f"{type(error).__name__}: {error}", token)
    if len(summary) > MAX_ERROR_CHARS:
        summary = summary[: MAX_ERROR_CHARS - 1] + "…"
    where = ""
    if isinstance(update, Update) and update.effective_chat is not None:
        where = str(update.effective_chat.id)
    lang = services.settings.language
    for owner in services.settings.owners:
        try:
            await context.bot.send_message(
                owner,
                t(lang, "owner_error", where=where or "-", summary=summary),
            )
        except TelegramError as send_error:
            log.warning("could not report the error to owner %s: %s", owner, send_error)
