"""Shared constants and the polling-Application helper for the sandbox tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.dev.sandbox import Sandbox

TOKEN = "123456:SANDBOX"
ALICE = 1001
BOB = 1002
CAROL = 1003

AnyApp = Application[Any, Any, Any, Any, Any, Any]


@contextlib.asynccontextmanager
async def running_app(
    sb: Sandbox,
    setup: Callable[[AnyApp], None],
    allowed_updates: Sequence[str] | None = None,
) -> AsyncIterator[AnyApp]:
    """A real PTB Application long-polling the sandbox, with handlers added by ``setup``."""
    app = (
        ApplicationBuilder()
        .token(sb.token)
        .base_url(sb.base_url)
        .base_file_url(sb.base_file_url)
        .build()
    )
    setup(app)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=allowed_updates)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
