"""/export at size runs in the background: the file is a valid XLSX whose rows import back
unchanged, other chats are served while it runs, and an admin runs one export at a time."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.agents.export_job import exports_of
from bot.dev.testbed import Testbed
from tests.e2e.export_helpers import export_document
from tests.e2e.helpers import OWNER, texts

AGENTS = 2_000
FIRST_AGENT = 5_000_000
VISITOR = 4242


@pytest.fixture
async def bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3") as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        testbed.sandbox.add_user(VISITOR, "Visitor", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        await add_agents(testbed, AGENTS)
        yield testbed


async def add_agents(bed: Testbed, count: int) -> None:
    """``count`` agents in two groups, with remarks, tags, modes and store profiles (bulk
    setup; the commands that write them are tested elsewhere)."""
    now = bed.services.now()
    ids = range(FIRST_AGENT, FIRST_AGENT + count)
    async with bed.services.db.transaction() as connection:
        await connection.executemany(
            "INSERT INTO groups (id, chat_id, title, type, added_at, updated_at)"
            " VALUES (?, ?, ?, 'supergroup', ?, ?)",
            [(g, -1009000000000 - g, f"代理群 {g}", now, now) for g in (1, 2)],
        )
        await connection.executemany(
            "INSERT INTO agents (user_id, first_name, username, remark, order_mode, joined_at,"
            " last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    u,
                    f"代理{u}",
                    f"agent{u}",
                    f"李女士{u % 7}" if u % 3 else None,
                    ("dropship", "wholesale", None)[u % 3],
                    now - 86400,
                    now - u % 1000,
                )
                for u in ids
            ],
        )
        await connection.executemany(
            "INSERT INTO memberships (group_id, user_id, status, joined_at)"
            " VALUES (?, ?, 'member', ?)",
            [(1 + u % 2, u, now) for u in ids],
        )
        await connection.executemany(
            "INSERT INTO agent_tags (user_id, tag) VALUES (?, ?)",
            [(u, tag) for u in ids if u % 4 == 0 for tag in ("VIP代理商", "已成交")],
        )
        await connection.executemany(
            "INSERT INTO agent_profiles (user_id, platform, store_name, store_url, category,"
            " badge, dsr_description, dsr_service, dsr_logistics, operating_status, updated_at)"
            " VALUES (?, 'tmall', ?, ?, '女装/连衣裙', '旗舰店', 4.8, 4.9, 4.7, 'open', ?)",
            [(u, f"店铺{u}", f"https://shop{u}.tmall.com", now) for u in ids if u % 2],
        )


def sheet_rows(bed: Testbed, document: dict[str, str]) -> list[list[object]]:
    data = bed.sandbox.file_bytes(document["file_id"])
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_export_of_2000_agents_imports_back_unchanged(bed: Testbed) -> None:
    exports_of(bed.application).batch_rows = 300  # several batches, the last one short
    message = await export_document(bed)
    assert message.document is not None and "共 2000 位" in (message.caption or "")
    rows = sheet_rows(bed, message.document)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["用户ID", "用户名", "昵称", "备注"]
    assert [row[0] for row in body] == list(range(FIRST_AGENT, FIRST_AGENT + AGENTS))
    vip = body[4 - FIRST_AGENT % 4]
    assert isinstance(vip[0], int) and vip[0] % 4 == 0
    assert vip[header.index("标签")] == "VIP代理商 已成交"
    shop = next(row for row in body if isinstance(row[0], int) and row[0] % 2)
    assert shop[header.index("店铺链接")] == f"https://shop{shop[0]}.tmall.com"
    assert shop[header.index("所在群")] in ("代理群 1", "代理群 2")
    # The progress message ends saying the export is done (an edit, through the engine).
    edits = [call.params.get("text", "") for call in bed.sandbox.calls("editMessageText")]
    assert any("代理表已导出：共 2000 位" in str(text) for text in edits)
    before = [await bed.services.agents.get(u) for u in range(FIRST_AGENT, FIRST_AGENT + 50)]
    profiles = await bed.services.profiles.all_profiles()
    sent = await bed.run(
        lambda: bed.sandbox.send_document(
            OWNER,
            OWNER,
            "agents.xlsx",
            bed.sandbox.file_bytes(message.document["file_id"]),
            "/import_agents",
        )
    )
    assert "更新 0 位代理，2000 位无变化" in texts(sent)[0]
    assert [await bed.services.agents.get(u) for u in range(FIRST_AGENT, FIRST_AGENT + 50)] == (
        before
    )
    assert await bed.services.profiles.all_profiles() == profiles


async def test_other_chats_are_served_while_an_export_runs(bed: Testbed) -> None:
    exports = exports_of(bed.application)
    exports.batch_rows = 1  # 2,000 batches: the export is still running below
    started = texts(await bed.say(OWNER, OWNER, "/export"))
    assert len(started) == 1 and "正在导出" in started[0]
    assert exports.running(OWNER)
    answer = await bed.say(VISITOR, VISITOR, "/start")
    assert answer and answer[0].chat_id == VISITOR
    assert exports.running(OWNER), "the export finished before the other chat was served"
    assert not bed.sandbox.calls("sendDocument")
    await exports.wait_idle()
    assert len(bed.sandbox.calls("sendDocument")) == 1
    assert not exports.running(OWNER)


async def test_a_second_export_of_the_same_admin_is_refused(bed: Testbed) -> None:
    exports = exports_of(bed.application)
    exports.batch_rows = 1
    await bed.say(OWNER, OWNER, "/export")
    again = texts(await bed.say(OWNER, OWNER, "/export"))
    assert len(again) == 1 and "还在进行中" in again[0]
    await exports.wait_idle()
    assert len(bed.sandbox.calls("sendDocument")) == 1
    # Once it is done the admin may export again.
    exports.batch_rows = 1000
    message = await export_document(bed)
    assert message.document is not None
    assert len(bed.sandbox.calls("sendDocument")) == 2


async def test_a_bad_row_in_a_late_chunk_changes_nothing(bed: Testbed) -> None:
    """Rows are validated a chunk at a time; a bad row after many good ones (which change
    remarks) still leaves every agent as it was."""
    message = await export_document(bed)
    assert message.document is not None
    rows = sheet_rows(bed, message.document)
    header = rows[0]
    remark = header.index("备注")
    for row in rows[1:]:
        row[remark] = "新备注"
    rows[-1][header.index("店铺链接")] = "not a url"
    before = [await bed.services.agents.get(u) for u in range(FIRST_AGENT, FIRST_AGENT + 50)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("代理")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    sent = await bed.run(
        lambda: bed.sandbox.send_document(
            OWNER, OWNER, "agents.xlsx", buffer.getvalue(), "/import_agents"
        )
    )
    reply = texts(sent)[0]
    assert "没有导入任何数据" in reply and f"第 {AGENTS + 1} 行" in reply
    after = [await bed.services.agents.get(u) for u in range(FIRST_AGENT, FIRST_AGENT + 50)]
    assert after == before
