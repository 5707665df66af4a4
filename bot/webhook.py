"""Webhook mode: Telegram POSTs updates to the bot's own HTTPS endpoint instead of long polling.

The bot listens on ``[webhook] listen:port`` (plain HTTP, normally loopback behind a reverse
proxy that terminates TLS) at ``url_path``, registers ``url`` with ``setWebhook`` together with
the secret token, and PTB's tornado server answers 403 to any request whose
``X-Telegram-Bot-Api-Secret-Token`` header does not match, before the update is looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.app import ALLOWED_UPDATES, AnyApplication
from bot.config import ConfigError, Settings


@dataclass(frozen=True, slots=True)
class WebhookPlan:
    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str


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
    )


async def start_webhook(application: AnyApplication, plan: WebhookPlan) -> None:
    """Start the updater's webhook server (what ``run_webhook`` does, for a hand-run app)."""
    assert application.updater is not None
    await application.updater.start_webhook(
        listen=plan.listen,
        port=plan.port,
        url_path=plan.url_path,
        webhook_url=plan.webhook_url,
        secret_token=plan.secret_token,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
    )


def run_webhook(application: AnyApplication, plan: WebhookPlan) -> None:
    """Run the bot in webhook mode until SIGINT/SIGTERM (blocking, like ``run_polling``)."""
    application.run_webhook(
        listen=plan.listen,
        port=plan.port,
        url_path=plan.url_path,
        webhook_url=plan.webhook_url,
        secret_token=plan.secret_token,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
    )
