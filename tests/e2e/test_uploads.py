"""Imported files are untrusted: a file over its cap or of the wrong kind is refused before it
is downloaded, a hostile XLSX is refused while it is read, a slow parse is given up, and none of
it changes anything. Exports carry no formulas and come back unchanged through /import_agents."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from bot.dev.testbed import Testbed
from tests.e2e.export_helpers import export_document
from tests.e2e.helpers import OWNER, join, make_group, texts

MB = 1024 * 1024


@pytest.fixture
async def bed(tmp_path: Path) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3") as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        chat_id = await make_group(testbed, "代理群")
        await join(testbed, chat_id, 2001, "+Plus", username="plus_shop")
        await join(testbed, chat_id, 2002, "@At", username="at_shop")
        yield testbed


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(
    bed: Testbed, name: str, data: bytes, caption: str, mime_type: str | None = None
) -> str:
    sent = await bed.run(
        lambda: bed.sandbox.send_document(OWNER, OWNER, name, data, caption, mime_type)
    )
    return texts(sent)[0]


async def state(bed: Testbed) -> list[Any]:
    return [
        [await bed.services.agents.get(user_id) for user_id in (2001, 2002)],
        await bed.services.profiles.all_profiles(),
        await bed.services.stock.list(),
    ]


async def test_the_sandbox_declares_file_size(bed: Testbed) -> None:
    update = bed.sandbox.send_document(OWNER, OWNER, "a.csv", b"12345", "/import_agents")
    assert update["message"]["document"]["file_size"] == 5
    await bed.run(lambda: update)


async def test_files_over_the_cap_or_of_the_wrong_kind_are_never_downloaded(
    bed: Testbed,
) -> None:
    before = await state(bed)
    big_csv = b"user_id,remark\n" + b"2001,x\n" * (5 * MB // 7 + 1)
    assert len(big_csv) > 5 * MB
    reply = await upload(bed, "agents.csv", big_csv, "/import_agents")
    assert "5 MB" in reply and "CSV" in reply
    big_xlsx = b"PK" + b"\0" * (10 * MB)
    reply = await upload(bed, "orders.xlsx", big_xlsx, "/import_orders")
    assert "10 MB" in reply and "XLSX" in reply
    reply = await upload(bed, "stock.csv", b"DS-1,1\n" * (MB // 7 + 1), "/stock_import")
    assert "1 MB" in reply
    for name, mime, caption in (
        ("agents.pdf", None, "/import_agents"),
        ("agents.csv", "image/png", "/import_agents"),
        ("stock.xlsx", None, "/stock_import"),
        ("orders.exe", "application/x-msdownload", "/import_orders"),
    ):
        reply = await upload(bed, name, b"user_id\n2001\n", caption, mime)
        assert "CSV" in reply, (name, reply)
    assert bed.sandbox.calls("getFile") == []
    assert await state(bed) == before


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * MB))
    return buffer.getvalue()


async def test_hostile_xlsx_files_are_refused_with_the_reason(bed: Testbed) -> None:
    before = await state(bed)
    reply = await upload(bed, "agents.xlsx", zip_bomb(), "/import_agents")
    assert "解压" in reply
    far_row = xlsx([["user_id", "备注"], [2001, "x"]])
    source = zipfile.ZipFile(io.BytesIO(far_row))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</sheetData>",
                    b'<row r="200000"><c r="A200000" t="inlineStr"><is><t>x</t></is></c></row>'
                    b"</sheetData>",
                )
            target.writestr(item.filename, content)
    reply = await upload(bed, "agents.xlsx", buffer.getvalue(), "/import_agents")
    assert "100000 行" in reply
    assert await state(bed) == before


async def test_a_parse_over_the_time_limit_is_stopped_and_changes_nothing(
    tmp_path: Path,
) -> None:
    overrides = {"uploads": {"parse_timeout_seconds": 0.001}}
    async with Testbed(database=tmp_path / "slow.sqlite3", overrides=overrides) as bed:
        bed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        await bed.say(OWNER, OWNER, "/start")
        chat_id = await make_group(bed, "代理群")
        await join(bed, chat_id, 2001, "A")
        rows: list[list[Any]] = [["user_id", "备注"]] + [[2001, "新"]] * 20_000
        reply = await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents")
        assert "0.001 秒" in reply and "没有导入" in reply
        agent = await bed.services.agents.get(2001)
        assert agent is not None and agent.remark is None


async def test_export_carries_no_formula_and_round_trips(bed: Testbed) -> None:
    formula = '=HYPERLINK("http://x","y")'
    reply = await upload(
        bed,
        "agents.csv",
        f'user_id,备注\n2001,"{formula.replace(chr(34), chr(34) * 2)}"\n2002,@home\n'.encode(),
        "/import_agents",
    )
    assert "更新 2 位代理" in reply
    sent = [await export_document(bed)]
    document = sent[0].document
    assert document is not None
    data = bed.sandbox.file_bytes(document["file_id"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    remark = rows[2001][header.index("备注")]
    assert remark.value == "'" + formula and remark.data_type == "s"
    assert rows[2001][header.index("昵称")].value == "'+Plus"
    assert rows[2002][header.index("昵称")].value == "'@At"
    assert rows[2002][header.index("备注")].value == "'@home"
    assert rows[2001][header.index("订单数")].data_type == "n"
    before = await state(bed)
    reply = await upload(bed, "agents.xlsx", data, "/import_agents")
    assert "更新 0 位代理，2 位无变化" in reply
    assert await state(bed) == before
    agent = await bed.services.agents.get(2001)
    assert agent is not None and agent.remark == formula


async def test_a_real_import_still_works(bed: Testbed) -> None:
    rows: list[list[Any]] = [["user_id", "备注"], [2001, "李女士"], [2002, "-"]]
    reply = await upload(bed, "agents.xlsx", xlsx(rows), "/import_agents")
    assert "更新 2 位代理" in reply
    agent = await bed.services.agents.get(2002)
    assert agent is not None and agent.remark == "-"
