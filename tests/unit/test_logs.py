"""Log format: one line per event, JSON lines on request, and the token never printed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import make_handler, setup_logging

TOKEN = "123456:AAE-secret_Part-xyz"
WEBHOOK_SECRET = "hook-Secret_42"


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger("agentbot.test.logs")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)


def capture(logger: logging.Logger, *, json_lines: bool) -> io.StringIO:
    stream = io.StringIO()
    handler = make_handler(TOKEN, json_lines=json_lines, secrets=(WEBHOOK_SECRET,))
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    logger.addHandler(handler)
    return stream


def fail_with_token() -> None:
    raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed\nsecond line")


def test_json_lines_have_the_fields_and_one_object_per_line(logger: logging.Logger) -> None:
    stream = capture(logger, json_lines=True)
    logger.info("group %s registered", -1001)
    try:
        fail_with_token()
    except RuntimeError:
        logger.exception("sending to %s failed", 42)

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["level"] == "INFO"
    assert first["logger"] == "agentbot.test.logs"
    assert first["message"] == "group -1001 registered"
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR"
    assert second["message"] == "sending to 42 failed"
    assert "RuntimeError" in second["exception"]
    assert "Traceback" in second["exception"]


@pytest.mark.parametrize("json_lines", [False, True])
def test_the_token_and_webhook_secret_are_redacted_everywhere(
    logger: logging.Logger, json_lines: bool
) -> None:
    stream = capture(logger, json_lines=json_lines)
    logger.warning("token is %s", TOKEN)
    logger.warning("secret half %s and webhook %s", TOKEN.split(":")[1], WEBHOOK_SECRET)
    try:
        fail_with_token()
    except RuntimeError:
        logger.exception("request failed")

    output = stream.getvalue()
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert WEBHOOK_SECRET not in output
    assert output.count("<token>") >= 4


def test_text_format_keeps_every_event_on_one_line(logger: logging.Logger) -> None:
    stream = capture(logger, json_lines=False)
    logger.info("first\nsecond")
    try:
        fail_with_token()
    except RuntimeError:
        logger.exception("boom")

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("INFO agentbot.test.logs: first\\nsecond")
    assert " ERROR agentbot.test.logs: boom | Traceback" in lines[1]
    assert "\\nRuntimeError: POST https://api.telegram.org/bot<token>/sendMessage" in lines[1]


def test_setup_logging_sets_the_level_and_quiets_request_logging() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        setup_logging("WARNING", TOKEN, json_lines=True)
        assert root.level == logging.WARNING
        assert len(root.handlers) == 1
        assert isinstance(root.handlers[0].formatter, logging.Formatter)
        assert type(root.handlers[0].formatter).__name__ == "JsonFormatter"
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
