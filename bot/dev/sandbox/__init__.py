"""A local Telegram Bot API server ("the sandbox") for tests, demos and benchmarks.

The real python-telegram-bot ``Application`` runs against it with long polling; tests
script users and groups, inject updates, read back what the bot sent, and switch on
Telegram's limits and failures::

    async with Sandbox(token="123456:SANDBOX", bot_username="agentbot_demo_bot") as sb:
        app = (
            ApplicationBuilder()
            .token(sb.token)
            .base_url(sb.base_url)
            .base_file_url(sb.base_file_url)
            .build()
        )
        ...
        sb.add_user(1001, "Li")
        await sb.wait_consumed(sb.send_text(1001, 1001, "/start"))
        await sb.wait_for(lambda: sb.last_message(1001))
"""

from bot.dev.sandbox.api import UploadedFile
from bot.dev.sandbox.faults import ApiError, Fault, FaultRule, SandboxLimits, SandboxStats
from bot.dev.sandbox.records import GROUP_ANONYMOUS_BOT, ApiCall, SentMessage, StoredFile
from bot.dev.sandbox.server import Sandbox

__all__ = [
    "GROUP_ANONYMOUS_BOT",
    "ApiCall",
    "ApiError",
    "Fault",
    "FaultRule",
    "Sandbox",
    "SandboxLimits",
    "SandboxStats",
    "SentMessage",
    "StoredFile",
    "UploadedFile",
]
