"""Only admins administer: refusals change nothing; owners grant and revoke; menus per scope."""

from __future__ import annotations

import hashlib

from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts

STRANGER = 666
AGENT = 2001


async def _database_fingerprint(bed: Testbed) -> str:
    digest = hashlib.sha256()
    for table in ("groups", "group_tags", "agents", "agent_tags", "memberships", "admins"):
        for row in await bed.services.db.fetchall(f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


async def test_stranger_admin_commands_are_refused_and_change_nothing(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    await join(bed, chat_id, AGENT, "李", username="li_shop")
    bed.sandbox.add_user(STRANGER, "路人", language_code="en")
    before = await _database_fingerprint(bed)
    commands = [
        "/groups",
        f"/tag_group {chat_id} X",
        f"/untag_group {chat_id} X",
        "/agents",
        "/agent @li_shop",
        "/remark @li_shop x",
        "/tag @li_shop x",
        "/untag @li_shop x",
        "/mode @li_shop 批发",
        "/contacted @li_shop",
        "/remove @li_shop",
        "/admins",
        f"/grant {STRANGER}",
        f"/revoke {OWNER}",
    ]
    for command in commands:
        reply = texts(await bed.say(STRANGER, STRANGER, command))
        assert len(reply) == 1 and reply[0].startswith("⛔"), (command, reply)
    assert await _database_fingerprint(bed) == before
    refused = [e for e in await bed.services.audit.recent(100) if not e.allowed]
    assert len(refused) == len(commands) and {e.actor_id for e in refused} == {STRANGER}


async def test_anonymous_group_admin_is_not_a_seller_admin(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    sent = await bed.run(
        lambda: bed.sandbox.anonymous_admin_command(chat_id, f"/tag_group {chat_id} X")
    )
    assert len(sent) == 1 and "匿名" in (sent[0].text or "")
    group = await bed.services.groups.get(chat_id)
    assert group is not None and group.tags == ()


async def test_owner_grants_and_revokes_admin(bed: Testbed) -> None:
    bed.sandbox.add_user(300, "助理", language_code="zh-hans")
    await bed.say(300, 300, "/start")
    assert texts(await bed.say(300, 300, "/groups"))[0].startswith("⛔")
    assert "管理员" in texts(await bed.say(OWNER, OWNER, "/grant 300"))[0]
    assert await bed.services.admins.is_admin(300)
    assert not texts(await bed.say(300, 300, "/groups"))[0].startswith("⛔")
    # An admin who is not an owner cannot grant.
    assert texts(await bed.say(300, 300, "/grant 301"))[0].startswith("⛔")
    listing = texts(await bed.say(OWNER, OWNER, "/admins"))[0]
    assert "300" in listing and str(OWNER) in listing
    await bed.say(OWNER, OWNER, "/revoke 300")
    assert texts(await bed.say(300, 300, "/groups"))[0].startswith("⛔")


async def test_grant_validates_its_argument(bed: Testbed) -> None:
    for command in ("/grant", "/grant abc", "/grant -5", "/grant 1 2"):
        reply = texts(await bed.say(OWNER, OWNER, command))
        assert "用法" in reply[0], (command, reply)
    assert await bed.services.admins.list() == []
    assert "店主" in texts(await bed.say(OWNER, OWNER, f"/revoke {OWNER}"))[0]


async def test_command_menus_per_scope(bed: Testbed) -> None:
    agent_menu = [c["command"] for c in bed.sandbox.commands({"type": "all_private_chats"}, "en")]
    assert agent_menu[:2] == ["start", "help"] and "groups" not in agent_menu
    owner_menu = bed.sandbox.commands({"type": "chat", "chat_id": OWNER})
    names = [c["command"] for c in owner_menu]
    assert "groups" in names and "remove" in names and "start" in names


async def test_start_and_help_for_agent_and_admin(bed: Testbed) -> None:
    # An agent is someone from one of the seller's groups (a stranger is a visitor:
    # tests/e2e/test_group_approval.py).
    chat_id = await make_group(bed, "Agents")
    await join(bed, chat_id, AGENT, "Ann", language_code="en")
    start = texts(await bed.say(AGENT, AGENT, "/start"))[0]
    assert start.startswith("Hi Ann!")
    help_text = texts(await bed.say(AGENT, AGENT, "/help"))[0]
    assert "/start" in help_text and "/groups" not in help_text
    # An admin's /help lists topics; the commands are in each topic (tests/e2e/test_menus.py).
    admin_help = texts(await bed.say(OWNER, OWNER, "/help"))[0]
    assert "/help groups" in admin_help and "/help quality" in admin_help
    assert "/remove" in texts(await bed.say(OWNER, OWNER, "/help quality"))[0]
    agent = await bed.services.agents.get(AGENT)
    assert agent is not None and agent.started_bot


async def test_errors_reach_owner_without_token(bed: Testbed, caplog) -> None:
    async def explode(update, context) -> None:
        raise RuntimeError(f"boom <{bed.settings.token.get_secret_value()}>")

    from telegram.ext import CommandHandler

    bed.application.add_handler(CommandHandler("explode", explode), group=-1)
    await bed.say(OWNER, OWNER, "/explode")
    report = bed.sandbox.last_message(OWNER)
    assert report is not None and "RuntimeError" in (report.text or "")
    token = bed.settings.token.get_secret_value()
    assert token not in (report.text or "") and "&lt;" in (report.text or "")
