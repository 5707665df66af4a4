"""The one error handler: log with traceback, tell the owners briefly, never leak the token.

Reports are bounded: the same error (its type and the line of our code it came from, not its
message, which may carry user input) is reported at most once per 10 minutes, the next report
counting the ones in between; and an error in an update from anyone but an admin is only
logged, so no stranger can page the owners.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError

from bot.common.throttle import Throttle
from bot.texts import t
from handlers.common import Context

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 300
REPORT_INTERVAL_SECONDS = 600
REPORT_THROTTLE_KEY = "agentbot.error_reports"
_ROOT = Path(__file__).resolve().parent.parent
# Where "where it was raised" is looked for first: the innermost frame in our own packages
# (a BadRequest is raised deep in PTB, the same line for every call that fails).
OUR_CODE = tuple(str(_ROOT / package) for package in ("bot", "handlers", "storage"))
ErrorSignature = tuple[str, str]


def _redact(text: str, token: str | None) -> str:
    if token:
        text = text.replace(token, "<token>").replace(token.split(":", 1)[-1], "<token>")
    return text


def signature(error: BaseException | None) -> ErrorSignature:
    """What makes two errors "the same": the type and where it was raised (the innermost frame
    in our code, else the innermost one), never the message."""
    frames = traceback.extract_tb(error.__traceback__) if error is not None else []
    ours = [frame for frame in frames if frame.filename.startswith(OUR_CODE)]
    chosen = ours or frames
    where = f"{chosen[-1].filename}:{chosen[-1].lineno}" if chosen else ""
    return type(error).__qualname__, where


def _report_throttle(context: Context) -> Throttle[ErrorSignature]:
    throttle = context.bot_data.setdefault(
        REPORT_THROTTLE_KEY, Throttle[ErrorSignature](REPORT_INTERVAL_SECONDS)
    )
    assert isinstance(throttle, Throttle)
    return throttle


async def _from_admin_or_no_one(update: object, context: Context) -> bool:
    """Whether an error in this update may be reported: it is not an update (polling, a job),
    or its user is an admin. Input anyone else controls is never reported."""
    if not isinstance(update, Update):
        return True
    user = update.effective_user
    if user is None:
        return False
    try:
        return await context.services.is_admin(user.id)
    except Exception:  # deciding whether to report must not fail the error handler
        log.exception("could not tell whether user %s is an admin", user.id)
        return False


async def on_error(update: object, context: Context) -> None:
    error = context.error
    log.error("error while handling an update", exc_info=error)
    if not await _from_admin_or_no_one(update, context):
        log.info("error in an update from a non-admin: logged, not reported")
        return
    services = context.services
    held = _report_throttle(context).admit(signature(error), services.now())
    if held is None:
        return
    token = services.settings.token.get_secret_value() if services.settings.token else None
    summary = _redact(f"{type(error).__name__}: {error}", token)
    if len(summary) > MAX_ERROR_CHARS:
        summary = summary[: MAX_ERROR_CHARS - 1] + "…"
    where = ""
    if isinstance(update, Update) and update.effective_chat is not None:
        where = str(update.effective_chat.id)
    lang = services.settings.language
    text = t(lang, "owner_error", where=where or "-", summary=summary)
    if held:
        text += "\n" + t(lang, "owner_error_repeats", count=held + 1)
    for owner in services.settings.owners:
        try:
            await context.bot.send_message(owner, text)
        except TelegramError as send_error:
            log.warning("could not report the error to owner %s: %s", owner, send_error)
