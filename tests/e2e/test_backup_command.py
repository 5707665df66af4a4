"""/backup: a fresh, verified copy of the database sent to the owner in private."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts


async def test_owner_gets_a_consistent_copy_as_a_document(bed: Testbed, tmp_path: Path) -> None:
    group = await make_group(bed, "代发一群")
    await join(bed, group, 4001, "李", "li_shop")

    sent = await bed.say(OWNER, OWNER, "/backup")

    documents = [m for m in sent if m.document]
    assert len(documents) == 1 and documents[0].chat_id == OWNER
    document = documents[0].document or {}
    assert document["file_name"].startswith("agentbot-")
    assert document["file_name"].endswith(".sqlite3")
    assert "完整性检查通过" in (documents[0].plain_text or "")
    data = bed.sandbox.file_bytes(document["file_id"])
    # A rollback-journal file (header bytes 18/19 = 1), not the live WAL database (2).
    assert data[:16] == b"SQLite format 3\x00" and data[18:20] == b"\x01\x01"
    live = bed.settings.database.read_bytes()
    assert live[18:20] == b"\x02\x02"
    copy = tmp_path / "received.sqlite3"
    copy.write_bytes(data)
    connection = sqlite3.connect(copy)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("SELECT first_name FROM agents WHERE user_id = 4001").fetchone() == (
        "李",
    )
    connection.close()
    audit = await bed.services.db.fetchall(
        "SELECT actor_id, allowed FROM audit_log WHERE action = 'backup'"
    )
    assert [tuple(row) for row in audit] == [(OWNER, 1)]


async def test_admins_who_are_not_owners_are_refused(bed: Testbed) -> None:
    bed.sandbox.add_user(300, "Ann", language_code="en")
    await bed.say(OWNER, OWNER, "/grant 300")

    sent = await bed.say(300, 300, "/backup")

    assert not any(m.document for m in sent)
    assert len(sent) == 1 and "owner" in texts(sent)[0].lower()
    assert not bed.sandbox.calls("sendDocument")


async def test_backup_is_never_sent_into_a_group(bed: Testbed) -> None:
    group = await make_group(bed, "代发一群")

    sent = await bed.say(group, OWNER, "/backup")

    assert not bed.sandbox.calls("sendDocument")
    # Nothing in the group; the admin is pointed to the private chat instead.
    assert len(sent) == 1 and sent[0].chat_id == OWNER
    assert "私聊" in texts(sent)[0]
