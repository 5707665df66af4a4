"""The bot joining, leaving and following groups; /groups and group tags."""

from __future__ import annotations

from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, make_group, texts


async def test_added_to_group_registers_it_and_tells_owner(bed: Testbed) -> None:
    chat_id = bed.sandbox.add_group("代理一群", members=[OWNER])
    sent = await bed.run(lambda: bed.sandbox.add_bot_to_group(chat_id, OWNER))
    group = await bed.services.groups.get(chat_id)
    assert group is not None and group.active and group.title == "代理一群"
    owner_notes = [m for m in sent if m.chat_id == OWNER]
    assert len(owner_notes) == 1 and str(chat_id) in (owner_notes[0].text or "")


async def test_kicked_marks_group_inactive(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群A")
    await bed.run(lambda: bed.sandbox.kick_bot(chat_id, OWNER))
    group = await bed.services.groups.get(chat_id)
    assert group is not None and not group.active and group.inactive_reason == "kicked"
    sent = await bed.say(OWNER, OWNER, "/groups")
    assert "已失效" in texts(sent)[0]


async def test_migration_moves_id_and_keeps_tags_and_members(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群B")
    bed.sandbox.add_user(501, "王")
    await bed.run(lambda: bed.sandbox.add_member(chat_id, 501))
    await bed.say(OWNER, OWNER, f"/tag_group {chat_id} 一件代发")
    new_id = bed.sandbox.migrate_group(chat_id)
    # Chats are handled concurrently: once this command is settled, the two service messages
    # queued before it (in the old chat and in the new one) have been handled too; the
    # listing asked after that shows the migration.
    await bed.say(OWNER, OWNER, "/groups")
    listing = texts(await bed.say(OWNER, OWNER, "/groups"))[0]
    assert str(new_id) in listing
    assert await bed.services.groups.get(chat_id) is None
    group = await bed.services.groups.get(new_id)
    assert group is not None and group.type == "supergroup"
    assert group.tags == ("一件代发",) and group.member_count == 1


async def test_tag_and_untag_group(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群C")
    sent = await bed.say(OWNER, OWNER, f"/tag_group {chat_id} 一件代发 VIP")
    assert "VIP" in texts(sent)[0]
    await bed.say(OWNER, OWNER, f"/untag_group {chat_id} VIP")
    group = await bed.services.groups.get(chat_id)
    assert group is not None and group.tags == ("一件代发",)
    listing = texts(await bed.say(OWNER, OWNER, "/groups"))[0]
    assert "群C" in listing and "一件代发" in listing


async def test_tag_group_bad_input_changes_nothing(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群D")
    for command, expected in [
        ("/tag_group", "用法"),
        ("/tag_group abc VIP", "不是群ID"),
        (f"/tag_group {chat_id}", "用法"),
        ("/tag_group -999 VIP", "没有找到群"),
        (f"/tag_group {chat_id} a:b", "无效"),
    ]:
        reply = texts(await bed.say(OWNER, OWNER, command))
        assert expected in reply[0], (command, reply)
    group = await bed.services.groups.get(chat_id)
    assert group is not None and group.tags == ()


async def test_group_title_with_html_is_escaped(bed: Testbed) -> None:
    await make_group(bed, "<b>Evil & Co</b>")
    listing = bed.sandbox.last_message(OWNER)
    assert listing is not None
    sent = await bed.say(OWNER, OWNER, "/groups")
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in texts(sent)[0]
