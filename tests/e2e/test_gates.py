"""Admin commands answer only in private, refusals in groups are silent, edits are not commands,
error reports are bounded (issue 11, items 2-4 and 6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.dev.sandbox import Fault, SentMessage
from bot.dev.sandbox.markup import command_entities
from bot.dev.testbed import Testbed
from handlers.catalog.drafts import PRODUCT_DRAFT
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at, texts_in

AGENT = 2001
STRANGER = 666
ADMIN = 300
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


async def edit(bed: Testbed, message: dict[str, Any], text: str) -> list[SentMessage]:
    """The user edits their message ``message`` (as the sandbox queued it) to ``text``."""
    edited = {key: value for key, value in message.items() if key != "entities"}
    edited.update(text=text, edit_date=message["date"] + 60)
    entities = command_entities(text)
    if entities:
        edited["entities"] = entities
    bed.sandbox.chat(message["chat"]["id"]).messages[message["message_id"]] = edited
    return await bed.run(lambda: bed.sandbox.inject({"edited_message": edited}))


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
    assert await _reports(gbed) == []
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


async def test_an_edited_schedule_command_makes_no_second_schedule(gbed: Testbed) -> None:
    await make_group(gbed, "代理群")
    update = gbed.sandbox.send_text(OWNER, OWNER, "/schedule 20:00 今晚上新")
    await gbed.settle(update)
    assert len(await gbed.services.schedules.by_kind("broadcast")) == 1
    assert await edit(gbed, update["message"], "/schedule 21:00 今晚九点上新") == []
    schedules = await gbed.services.schedules.by_kind("broadcast")
    assert len(schedules) == 1


async def test_an_edited_answer_does_not_advance_a_conversation(gbed: Testbed) -> None:
    await gbed.say(OWNER, OWNER, "/newproduct")
    update = gbed.sandbox.send_text(OWNER, OWNER, "DS-1")
    await gbed.settle(update)
    assert await edit(gbed, update["message"], "DS-2") == []
    # Still at the title step: the next answer is the title, and the draft kept DS-1.
    asked_price = await gbed.say(OWNER, OWNER, "夏季连衣裙")
    assert len(asked_price) == 1
    draft = gbed.application.user_data[OWNER][PRODUCT_DRAFT]
    assert draft.get("sku") == "DS-1" and draft.get("title") == "夏季连衣裙"


async def _reports(bed: Testbed) -> list[str]:
    return [text for text in texts_in(bed, OWNER) if "出错" in text]


async def test_identical_errors_are_reported_once_then_counted(
    gbed: Testbed, clock: FakeClock
) -> None:
    gbed.sandbox.add_user(ADMIN, "助理", language_code="zh-hans")
    await gbed.say(ADMIN, ADMIN, "/start")
    await gbed.say(OWNER, OWNER, f"/grant {ADMIN}")
    # Every reply to the admin fails: each /groups ends in the same BadRequest.
    gbed.sandbox.fail("sendMessage", ADMIN, fault=Fault.bad_request("boom"), times=None)
    for _ in range(50):
        await gbed.say(ADMIN, ADMIN, "/groups")
    assert len(await _reports(gbed)) == 1
    clock.now += 600
    await gbed.say(ADMIN, ADMIN, "/groups")
    reports = await _reports(gbed)
    assert len(reports) == 2 and "50 次" in reports[1]


async def test_errors_in_a_non_admins_update_are_logged_not_reported(gbed: Testbed) -> None:
    gbed.sandbox.add_user(STRANGER, "路人", language_code="en")
    gbed.sandbox.fail("sendMessage", STRANGER, fault=Fault.bad_request("boom"), times=None)
    for _ in range(5):
        await gbed.say(STRANGER, STRANGER, "/groups")
    assert await _reports(gbed) == []


async def test_an_edited_answer_does_not_advance_the_profile_conversation(gbed: Testbed) -> None:
    group = await make_group(gbed, "代理群")
    await join(gbed, group, AGENT, "李", username="li_shop")  # /profile is for the groups' agents
    assert "1/10" in (await gbed.say(AGENT, AGENT, "/profile"))[-1].text
    update = gbed.sandbox.send_text(AGENT, AGENT, "淘宝")
    await gbed.settle(update)
    assert await edit(gbed, update["message"], "天猫") == []
    # The next answer is taken for step 2 (the store name), not step 3.
    assert "3/10" in (await gbed.say(AGENT, AGENT, "李家小店"))[-1].text
