"""Story helpers shared by the end-to-end tests."""

from __future__ import annotations

import asyncio

from bot.agents.removals import REMOVALS_KEY, RemovalWorker, wait_for_removals
from bot.dev.testbed import SETTLE_SECONDS, Testbed

OWNER = 100


async def make_group(bed: Testbed, title: str, members: list[int] | None = None) -> int:
    """A group with the bot added by the owner; returns its chat id."""
    chat_id = bed.sandbox.add_group(title, members=[OWNER, *(members or [])])
    await bed.run(lambda: bed.sandbox.add_bot_to_group(chat_id, OWNER))
    return chat_id


async def join(
    bed: Testbed,
    chat_id: int,
    user_id: int,
    name: str,
    username: str | None = None,
    language_code: str = "zh-hans",
) -> None:
    bed.sandbox.add_user(user_id, name, username=username, language_code=language_code)
    await bed.run(lambda: bed.sandbox.add_member(chat_id, user_id))


def texts(messages: list) -> list[str]:
    return [m.text or m.caption or "" for m in messages]


async def removals_done(bed: Testbed, seconds: float = SETTLE_SECONDS) -> None:
    """Wait until the removal worker has executed and reported every job written so far, and
    the updates its bans caused are handled."""
    assert isinstance(bed.application.bot_data.get(REMOVALS_KEY), RemovalWorker)
    await wait_for_removals(bed.application, seconds)
    await asyncio.wait_for(bed.application.update_queue.join(), seconds)
