"""The real bot running against the local sandbox, in this process.

Used by the test suite, the demo and the benchmarks: it starts the sandbox Bot API server,
builds the real PTB ``Application`` pointed at it, starts long polling exactly as ``run_polling``
would, and lets the caller inject updates and wait until the bot has fully handled them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from telegram.ext import BaseUpdateProcessor

from bot.app import ALLOWED_UPDATES, AnyApplication, build_application
from bot.config import Settings
from bot.dev.sandbox import Sandbox, SentMessage
from bot.rate_limits import Sleep
from bot.services import Clock, Services, services_of_app
from bot.updates import ChatOrderedUpdateProcessor

# How long to wait for an update to be handled before calling it a failure. Only a failing
# test waits this long; a chart drawn on a busy two-core machine can take several seconds.
SETTLE_SECONDS = 60.0
SANDBOX_TOKEN = "123456:SANDBOX-token-for-tests"
DEFAULT_OWNER = 100


@dataclass
class Testbed:
    """A started sandbox plus a started bot. Use ``async with Testbed(...) as bed``."""

    __test__ = False  # not a pytest test class

    # No quiet hours unless a test asks for them, so that immediate sends behave the same
    # whatever the time of day the suite (or the demo) runs at. Pacing and backoff at test
    # speed: private chats are not held to Telegram's 1 message a second (the sandbox does not
    # enforce it) and retries come back at once, so no test waits on the wall clock for them;
    # tests/e2e/test_pacing.py sets the private rate back and checks it. ``overrides`` are
    # merged into these key by key, sections included.
    TEST_DEFAULTS: ClassVar[dict[str, Any]] = {
        "quiet_hours": [],
        "rate_limits": {"per_private_chat_per_second": 1000},
        "delivery": {"backoff_seconds": 0.01, "loop_error_backoff_seconds": 0.01},
        # RSVP clicks are folded into one announcement edit after this delay (2 s live): none.
        "training": {"rsvp_edit_delay_seconds": 0.0},
    }

    database: Path
    owners: list[int] = field(default_factory=lambda: [DEFAULT_OWNER])
    overrides: dict[str, Any] = field(default_factory=dict)
    clock: Clock | None = None
    # Builds the update processor for each (re)start of the bot; None = the bot's own
    # (``ChatOrderedUpdateProcessor``). A bench passes PTB's sequential one to compare.
    update_processor: Callable[[], BaseUpdateProcessor] | None = None
    # Waits out a chat's 429 pause in the bot's rate limiter (tests hold it on an Event).
    retry_sleep: Sleep = asyncio.sleep
    sandbox: Sandbox = field(init=False)
    application: AnyApplication = field(init=False)
    settings: Settings = field(init=False)

    async def __aenter__(self) -> Testbed:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self, *, sandbox: Sandbox | None = None) -> None:
        self.sandbox = sandbox or Sandbox(token=SANDBOX_TOKEN, bot_username="agentbot_demo_bot")
        if sandbox is None:
            await self.sandbox.start()
        self.settings = Settings(
            token=SANDBOX_TOKEN,
            base_url=self.sandbox.base_url,
            base_file_url=self.sandbox.base_file_url,
            owners=self.owners,
            database=self.database,
            **_merged(self.TEST_DEFAULTS, self.overrides),
        )
        await self.start_bot()

    async def start_bot(self) -> None:
        """Start (or restart) only the bot, against the same sandbox and database."""
        processor = None if self.update_processor is None else self.update_processor()
        self.application = build_application(
            self.settings,
            clock=self.clock,
            update_processor=processor,
            retry_sleep=self.retry_sleep,
        )
        await self.application.initialize()
        if self.application.post_init is not None:
            await self.application.post_init(self.application)
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
        )
        await self.application.start()

    async def stop_bot(self) -> None:
        application = self.application
        assert application.updater is not None
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)

    async def stop(self) -> None:
        await self.stop_bot()
        await self.sandbox.stop()

    @property
    def services(self) -> Services:
        return services_of_app(self.application)

    async def settle(self, update: dict[str, Any], seconds: float = SETTLE_SECONDS) -> None:
        """Wait until the bot has fetched ``update`` and finished every handler for it, and
        for every update fetched before it, whatever its chat (updates of different chats
        run concurrently; each is marked done in PTB's queue only once fully handled)."""
        await self.sandbox.wait_consumed(update, timeout=seconds)
        await asyncio.wait_for(self.application.update_queue.join(), seconds)
        processor = self.application.update_processor
        if isinstance(processor, ChatOrderedUpdateProcessor):
            await asyncio.wait_for(processor.drained(), seconds)

    async def run(
        self, inject: Callable[[], dict[str, Any]], seconds: float = SETTLE_SECONDS
    ) -> list[SentMessage]:
        """Inject one update, wait until it is handled, return what the bot sent meanwhile."""
        before = self.sandbox.sent_count()
        update = inject()
        await self.settle(update, seconds)
        return self.sandbox.sent_since(before)

    async def say(self, chat_id: int, user_id: int, text: str) -> list[SentMessage]:
        return await self.run(lambda: self.sandbox.send_text(chat_id, user_id, text))

    async def click(self, user_id: int, message: SentMessage, data: str) -> list[SentMessage]:
        return await self.run(
            lambda: self.sandbox.click(user_id, message.chat_id, message.message_id, data)
        )


def _merged(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``defaults`` with ``overrides`` on top; a section (dict) given in both is merged."""
    merged = dict(defaults)
    for key, value in overrides.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            merged[key] = _merged(base, value)
        else:
            merged[key] = value
    return merged
