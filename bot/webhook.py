"""Webhook mode: Telegram POSTs updates to the bot's own HTTPS endpoint instead of long polling.

The bot listens on ``[webhook] listen:port`` (plain HTTP, normally loopback behind a reverse
proxy that terminates TLS) at ``url_path`` and registers ``url`` with ``setWebhook`` together
with the secret token. The server is ours, not PTB's updater's (tornado, as PTB uses): PTB's
reads any body up to tornado's 100 MB default and compares the secret with ``!=``. Ours caps
the body at ``[webhook] max_body_bytes`` before reading it (Telegram's updates are a few KB) and
answers 403 to any request whose ``X-Telegram-Bot-Api-Secret-Token`` header does not match
(compared in constant time), before the update is looked at.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from dataclasses import dataclass
from http import HTTPStatus

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from bot.app import ALLOWED_UPDATES, AnyApplication
from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True, slots=True)
class WebhookPlan:
    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str
    max_body_bytes: int


def webhook_plan(settings: Settings) -> WebhookPlan:
    """The webhook parameters from config; ConfigError names the missing key."""
    webhook = settings.webhook
    missing = [
        key
        for key, value in (
            ("webhook.url", webhook.url),
            ("webhook.secret_token", webhook.secret_token),
        )
        if value is None
    ]
    if missing:
        raise ConfigError(
            "webhook mode needs "
            + " and ".join(missing)
            + " (see [webhook] in config.example.toml)"
        )
    assert webhook.url is not None and webhook.secret_token is not None
    return WebhookPlan(
        listen=webhook.listen,
        port=webhook.port,
        url_path=webhook.url_path,
        webhook_url=webhook.url,
        secret_token=webhook.secret_token.get_secret_value(),
        max_body_bytes=webhook.max_body_bytes,
    )


class TelegramUpdateHandler(tornado.web.RequestHandler):
    """``POST <url_path>``: one update from Telegram.

    The body has already been capped by the server (``max_body_size``: a larger Content-Length
    is refused before a byte of the body is read, a chunked body is cut off at the cap). The
    secret header is compared with :func:`hmac.compare_digest`, so the time taken says nothing
    about how much of a guess was right; a request without it is refused before its body is
    parsed.
    """

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot_application: AnyApplication, secret: bytes) -> None:
        self.bot_application = bot_application
        self.secret = secret

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", 'application/json; charset="utf-8"')

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.bot_application.bot)
        except Exception:  # anything unreadable is the sender's problem, not the bot's
            log.warning("webhook: an update could not be read (%d bytes)", len(self.request.body))
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        self.bot_application.bot.insert_callback_data(update)
        await self.bot_application.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, *args: object) -> None:
        """Refusals are answered by status code; they are not errors of the bot."""


class _QuietApplication(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Our own logging covers the requests that matter."""


class WebhookServer:
    """The HTTP server Telegram posts to (tornado, on the bot's event loop)."""

    def __init__(self, application: AnyApplication, plan: WebhookPlan) -> None:
        path = "/" + plan.url_path.strip("/")
        app = _QuietApplication(
            [
                (
                    rf"{re.escape(path.rstrip('/'))}/?",
                    TelegramUpdateHandler,
                    {"bot_application": application, "secret": plan.secret_token.encode()},
                )
            ]
        )
        self._server = HTTPServer(
            app, max_body_size=plan.max_body_bytes, max_buffer_size=plan.max_body_bytes
        )
        self.plan = plan

    def listen(self) -> None:
        self._server.listen(self.plan.port, address=self.plan.listen)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


async def start_webhook(application: AnyApplication, plan: WebhookPlan) -> WebhookServer:
    """Listen for updates and register the webhook with Telegram (for an initialized app)."""
    server = WebhookServer(application, plan)
    server.listen()
    try:
        await application.bot.set_webhook(
            url=plan.webhook_url,
            secret_token=plan.secret_token,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
    except BaseException:
        await server.stop()
        raise
    return server


def run_webhook(application: AnyApplication, plan: WebhookPlan) -> None:
    """Run the bot in webhook mode until SIGINT/SIGTERM (blocking, like ``run_polling``): the
    same sequence as PTB's ``run_webhook``, with our server in place of the updater's."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop = asyncio.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM, signal.SIGABRT):
        loop.add_signal_handler(signal_number, stop.set)
    server: WebhookServer | None = None
    try:
        loop.run_until_complete(application.initialize())
        if application.post_init:
            loop.run_until_complete(application.post_init(application))
        server = loop.run_until_complete(start_webhook(application, plan))
        loop.run_until_complete(application.start())
        loop.run_until_complete(stop.wait())
    except (KeyboardInterrupt, SystemExit):
        log.debug("webhook: stop signal")
    finally:
        try:
            if server is not None:
                loop.run_until_complete(server.stop())
            if application.running:
                loop.run_until_complete(application.stop())
                if application.post_stop:
                    loop.run_until_complete(application.post_stop(application))
            loop.run_until_complete(application.shutdown())
            if application.post_shutdown:
                loop.run_until_complete(application.post_shutdown(application))
        finally:
            loop.close()
