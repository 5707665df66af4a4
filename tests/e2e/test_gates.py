"""Admin commands answer only in private, refusals in groups are silent (issue 11, items 2
and 3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at, texts_in

AGENT = 2001
STRANGER = 666
ADMIN_COMMANDS = ["/agents", "/export", "/stats", "/groups", "/broadcast hi", "/lowquality"]
ADMIN_COMMANDS += ["/agent @li_shop", "/backup", "/newproduct", "/training", "/grant 5"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))


@pytest.fixture
async def gbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def test_admin_commands_in_a_group_reveal_nothing_there(
    gbed: Testbed, clock: FakeClock
) -> None:
    group = await make_group(gbed, "代理群")
    await join(gbed, group, AGENT, "李", username="li_shop")
    before = texts_in(gbed, group)
    sent: list[SentMessage] = []
    for command in ADMIN_COMMANDS:
        sent += await gbed.say(group, OWNER, command)
    assert texts_in(gbed, group) == before
    assert not gbed.sandbox.calls("sendDocument") and not gbed.sandbox.calls("sendPhoto")
    # One private pointer for the lot; the next one only after 10 minutes.
    assert [m.chat_id for m in sent] == [OWNER] and "/agents" in sent[0].text
    assert "私聊" in sent[0].text
    clock.now += 599
    assert await gbed.say(group, OWNER, "/groups") == []
    clock.now += 1
    later = await gbed.say(group, OWNER, "/groups")
    assert [m.chat_id for m in later] == [OWNER] and "/groups" in later[0].text
    assert texts_in(gbed, group) == before
    # Nothing ran: no draft, no training, no broadcast, no admin granted.
    assert await gbed.services.admins.list() == []
    assert not await gbed.services.db.fetchall("SELECT id FROM broadcasts")
    # In private the same command still answers.
    assert "李" in (await gbed.say(OWNER, OWNER, "/agents"))[0].text


async def test_a_non_admin_flooding_a_group_gets_silence_and_one_hint(
    gbed: Testbed, clock: FakeClock
) -> None:
    group = await make_group(gbed, "代理群")
    await join(gbed, group, AGENT, "李", username="li_shop", language_code="en")
    await join(gbed, group, STRANGER, "路人")
    await gbed.say(AGENT, AGENT, "/start")  # the agent has started the bot; the stranger not
    before = texts_in(gbed, group)
    sent: list[SentMessage] = []
    for _ in range(30):
        sent += await gbed.say(group, AGENT, "/agents")
        sent += await gbed.say(group, STRANGER, "/export")
    assert texts_in(gbed, group) == before
    assert [m.chat_id for m in sent] == [AGENT]
    assert "/agents" in sent[0].text and "admins only" in sent[0].text
    # The stranger's hint could not be delivered (never started the bot): one attempt only.
    assert len(gbed.sandbox.calls("sendMessage", chat_id=STRANGER)) == 1
    # One audit row per user and action, not sixty; nobody paged the owners.
    refused = [e for e in await gbed.services.audit.recent(100) if not e.allowed]
    assert sorted((e.actor_id, e.action) for e in refused) == [
        (STRANGER, "export_command"),
        (AGENT, "agents_command"),
    ]
    # After the window, the next refusal writes a row counting the repeats.
    clock.now += 600
    await gbed.say(group, AGENT, "/agents")
    latest = (await gbed.services.audit.recent(1))[0]
    assert (latest.actor_id, latest.allowed, latest.detail) == (
        AGENT,
        False,
        "29 more refused since the last row",
    )
    assert texts_in(gbed, group) == before
