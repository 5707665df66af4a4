"""Webhook mode: Telegram POSTs updates with the secret token header; anything else is refused."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings
from bot.dev.sandbox import Sandbox
from bot.dev.testbed import SANDBOX_TOKEN
from bot.webhook import WebhookPlan, WebhookServer, start_webhook, webhook_plan

OWNER = 100
SECRET = "s3cret_Token-for-tests"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebhookBot:
    """The real bot started with ``updater.start_webhook`` against the sandbox."""

    def __init__(self, sandbox: Sandbox, settings: Settings) -> None:
        self.sandbox = sandbox
        self.settings = settings
        self.plan: WebhookPlan = webhook_plan(settings)
        self.application = build_application(settings)
        self.endpoint = f"http://127.0.0.1:{self.plan.port}/{self.plan.url_path}"
        self.server: WebhookServer | None = None

    async def start(self) -> None:
        await self.application.initialize()
        assert self.application.post_init is not None
        await self.application.post_init(self.application)
        self.server = await start_webhook(self.application, self.plan)
        await self.application.start()

    async def stop(self) -> None:
        assert self.server is not None
        await self.server.stop()
        await self.application.stop()
        await self.application.shutdown()
        assert self.application.post_shutdown is not None
        await self.application.post_shutdown(self.application)

    async def post(self, update: dict[str, Any], secret: str | None) -> httpx.Response:
        """POST ``update`` the way Telegram does, then wait until the bot has handled it."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[HEADER] = secret
        async with httpx.AsyncClient() as client:
            response = await client.post(self.endpoint, content=json.dumps(update), headers=headers)
        await self.application.update_queue.join()
        return response


@pytest.fixture
async def webhook_bot(tmp_path: Path) -> AsyncIterator[WebhookBot]:
    async with Sandbox(token=SANDBOX_TOKEN, bot_username="agentbot_demo_bot") as sandbox:
        settings = Settings(
            token=SANDBOX_TOKEN,
            base_url=sandbox.base_url,
            base_file_url=sandbox.base_file_url,
            owners=[OWNER],
            database=tmp_path / "bot.sqlite3",
            webhook={
                "url": "https://bot.example.com/agentbot/hook",
                "listen": "127.0.0.1",
                "port": free_port(),
                "secret_token": SECRET,
            },
        )
        bot = WebhookBot(sandbox, settings)
        await bot.start()
        sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        try:
            yield bot
        finally:
            await bot.stop()


async def test_start_registers_the_webhook_with_secret_and_update_types(
    webhook_bot: WebhookBot,
) -> None:
    calls = webhook_bot.sandbox.calls("setWebhook")
    assert len(calls) == 1
    params = calls[0].params
    assert params["url"] == "https://bot.example.com/agentbot/hook"
    assert params["secret_token"] == SECRET
    assert sorted(params["allowed_updates"]) == sorted(ALLOWED_UPDATES)
    assert not params.get("drop_pending_updates")
    assert webhook_bot.sandbox.webhook_url == "https://bot.example.com/agentbot/hook"
    assert webhook_bot.endpoint.endswith(f":{webhook_bot.plan.port}/agentbot/hook")


async def test_a_posted_update_with_the_secret_is_handled(webhook_bot: WebhookBot) -> None:
    sandbox = webhook_bot.sandbox
    update = sandbox.send_text(OWNER, OWNER, "/start")

    response = await webhook_bot.post(update, SECRET)

    assert response.status_code == 200
    replies = sandbox.messages(OWNER)
    assert len(replies) == 1
    assert "卖家后台" in (replies[0].text or "")  # the admin /start menu


@pytest.mark.parametrize("secret", [None, "wrong-secret", SECRET + "x"])
async def test_a_wrong_or_missing_secret_is_rejected_and_not_handled(
    webhook_bot: WebhookBot, secret: str | None
) -> None:
    sandbox = webhook_bot.sandbox
    update = sandbox.send_text(OWNER, OWNER, "/start")

    response = await webhook_bot.post(update, secret)

    assert response.status_code == 403
    assert sandbox.messages(OWNER) == []
    # The same update with the right secret still goes through afterwards.
    assert (await webhook_bot.post(update, SECRET)).status_code == 200
    assert len(sandbox.messages(OWNER)) == 1


async def test_a_request_to_another_path_is_not_handled(webhook_bot: WebhookBot) -> None:
    sandbox = webhook_bot.sandbox
    update = sandbox.send_text(OWNER, OWNER, "/start")
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"http://127.0.0.1:{webhook_bot.plan.port}/other",
            content=json.dumps(update),
            headers={HEADER: SECRET, "Content-Type": "application/json"},
        )
    await webhook_bot.application.update_queue.join()
    assert response.status_code == 404
    assert sandbox.messages(OWNER) == []


async def test_a_body_over_the_cap_is_refused_before_it_is_read(webhook_bot: WebhookBot) -> None:
    sandbox = webhook_bot.sandbox
    cap = webhook_bot.plan.max_body_bytes
    assert cap == 1024 * 1024
    update = sandbox.send_text(OWNER, OWNER, "/start")
    padded = json.dumps({**update, "padding": "x" * cap}).encode()
    headers = {HEADER: SECRET, "Content-Type": "application/json"}
    host, port = "127.0.0.1", webhook_bot.plan.port

    # A declared Content-Length over the cap: the server answers without reading the body.
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        f"POST /{webhook_bot.plan.url_path} HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\n{HEADER}: {SECRET}\r\n"
        f"Content-Length: {len(padded)}\r\n\r\n"
    )
    writer.write(head.encode())
    await writer.drain()
    answer = await reader.read()  # the server closes the connection; no body byte was sent
    writer.close()
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4")
    # A chunked body is cut off once it passes the cap.
    async with httpx.AsyncClient() as client:

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(padded), 64 * 1024):
                yield padded[start : start + 64 * 1024]

        with contextlib.suppress(httpx.HTTPError):
            response = await client.post(webhook_bot.endpoint, content=chunks(), headers=headers)
            assert response.status_code >= 400
    await webhook_bot.application.update_queue.join()
    assert sandbox.messages(OWNER) == []
    # An ordinary update still goes through.
    assert (await webhook_bot.post(update, SECRET)).status_code == 200
    assert len(sandbox.messages(OWNER)) == 1


@pytest.mark.parametrize("secret", ["", "s", SECRET[:-1], SECRET.upper(), "秘密" * 3])
async def test_any_near_miss_of_the_secret_is_refused(webhook_bot: WebhookBot, secret: str) -> None:
    """The comparison is hmac.compare_digest on bytes: a prefix, a case change or non-ASCII
    text is refused like any other wrong secret, and never raises."""
    sandbox = webhook_bot.sandbox
    update = sandbox.send_text(OWNER, OWNER, "/start")
    async with httpx.AsyncClient() as client:
        response = await client.post(
            webhook_bot.endpoint,
            content=json.dumps(update),
            headers={HEADER.encode(): secret.encode(), b"Content-Type": b"application/json"},
        )
    await webhook_bot.application.update_queue.join()
    assert response.status_code == 403
    assert sandbox.messages(OWNER) == []


async def test_a_body_that_is_not_an_update_is_a_bad_request(webhook_bot: WebhookBot) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            webhook_bot.endpoint,
            content=b"{not json",
            headers={HEADER: SECRET, "Content-Type": "application/json"},
        )
    assert response.status_code == 400
    assert webhook_bot.sandbox.messages(OWNER) == []
