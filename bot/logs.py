"""Logging set-up: one line per event, optionally JSON, that can never print the bot token.

Every record is one line, so journald, ``grep`` and log shippers never see half an event: in
the text format the newlines of a message or traceback are written as ``\\n``; with
``log_json = true`` each record is one JSON object (time, level, logger, message, exception).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class RedactTokenFilter(logging.Filter):
    """Replaces the token (and its numeric-id-less secret half) in every record with ``<token>``.

    ``extra`` secrets (the webhook secret token) are replaced the same way.
    """

    def __init__(self, token: str | None, *extra: str) -> None:
        super().__init__()
        candidates = (token, token.split(":", 1)[-1] if token else None, *extra)
        self._secrets = [s for s in candidates if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "<token>")
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self._secrets:
                record.exc_text = record.exc_text.replace(secret, "<token>")
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    """The (possibly redacted) traceback of ``record``; the filter has usually rendered it."""
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    text = record.exc_text or None
    if record.stack_info:
        text = f"{text}\n{record.stack_info}" if text else record.stack_info
    return text


class OneLineFormatter(logging.Formatter):
    """``time LEVEL logger: message`` with any newline (tracebacks too) escaped as ``\\n``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        line = self.formatMessage(self._with_time(record))
        exception = _exception_text(self, record)
        if exception:
            line = f"{line} | {exception}"
        return line.replace("\r", "").replace("\n", "\\n")

    def _with_time(self, record: logging.LogRecord) -> logging.LogRecord:
        record.asctime = self.formatTime(record)
        return record


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``
    and, when there is one, ``exception`` (the traceback text)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        exception = _exception_text(self, record)
        if exception:
            entry["exception"] = exception
        return json.dumps(entry, ensure_ascii=False)


def make_handler(
    token: str | None, *, json_lines: bool = False, secrets: tuple[str, ...] = ()
) -> logging.Handler:
    """A stderr handler with the chosen format and the token filter attached."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else OneLineFormatter())
    handler.addFilter(RedactTokenFilter(token, *secrets))
    return handler


def setup_logging(
    level: str, token: str | None, *, json_lines: bool = False, secrets: tuple[str, ...] = ()
) -> None:
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(make_handler(token, json_lines=json_lines, secrets=secrets))
    root.setLevel(level)
    # httpx logs every request URL, which contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
