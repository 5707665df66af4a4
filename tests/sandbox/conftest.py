"""Fixtures for the sandbox tests: a started Sandbox with three users, and a raw Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from telegram import Bot

from bot.dev.sandbox import Sandbox
from tests.sandbox.helpers import ALICE, BOB, CAROL, TOKEN


@pytest_asyncio.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(token=TOKEN, bot_username="agentbot_demo_bot") as sandbox:
        sandbox.add_user(ALICE, "李", username="li_shop", language_code="zh-hans")
        sandbox.add_user(BOB, "Bob")
        sandbox.add_user(CAROL, "Carol")
        yield sandbox


@pytest_asyncio.fixture
async def bot(sb: Sandbox) -> AsyncIterator[Bot]:
    tg_bot = Bot(TOKEN, base_url=sb.base_url, base_file_url=sb.base_file_url)
    async with tg_bot:
        yield tg_bot
