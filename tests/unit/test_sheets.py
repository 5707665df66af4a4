"""Hostile spreadsheets are refused while they are read (caps, zip bombs, the declared sheet
size ignored), parsing runs off the event loop, and exported text is never a formula."""

from __future__ import annotations

import asyncio
import io
import re
import threading
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from bot.agents.sheets import (
    SheetError,
    check_archive,
    escape_cell,
    read_table,
    unescape_cell,
    write_xlsx,
)
from bot.common.uploads import (
    ParseCancelled,
    UploadLimits,
    UploadRefused,
    check_size,
    kind_of,
    parse_off_loop,
)

LIMITS = UploadLimits()
HEADERS = {"user_id": "user_id", "remark": "remark"}


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_member(data: bytes, name: str, change: dict[str, str]) -> bytes:
    """The same archive with text replaced inside one member (how a hostile file is made):
    each key is a regular expression that must match."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == name:
                text = content.decode()
                for pattern, new in change.items():
                    text, count = re.subn(pattern, new, text, count=1)
                    assert count == 1, pattern
                content = text.encode()
            target.writestr(item.filename, content)
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
FAR_CELL = '<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>'


def test_a_tiny_xlsx_declaring_the_whole_sheet_is_read_as_what_it_holds() -> None:
    data = rewrite_member(
        xlsx([["user_id", "remark"], [2001, "ok"]]),
        SHEET,
        {r'<dimension ref="A1:B2"\s*/>': '<dimension ref="A1:XFD1048576"/>'},
    )
    assert len(data) < 6000
    started = time.perf_counter()
    rows = read_table("xlsx", data, HEADERS, ["user_id"], LIMITS)
    assert time.perf_counter() - started < 5
    assert [(row.line, row.cells) for row in rows] == [(2, {"user_id": "2001", "remark": "ok"})]


def test_a_cell_beyond_the_row_cap_or_column_cap_refuses_the_file() -> None:
    base = xlsx([["user_id", "remark"], [2001, "ok"]])
    far_row = rewrite_member(
        base,
        SHEET,
        {"</sheetData>": f'<row r="1048576">{FAR_CELL.format(ref="A1048576")}</row></sheetData>'},
    )
    with pytest.raises(SheetError) as error:
        read_table("xlsx", far_row, HEADERS, ["user_id"], LIMITS)
    assert error.value.code == "too_many_rows:100000"
    far_column = rewrite_member(
        base,
        SHEET,
        {r"(<row r=\"2\".*?)</row>": r"\1" + FAR_CELL.format(ref="XFD2") + "</row>"},
    )
    with pytest.raises(SheetError) as error:
        read_table("xlsx", far_column, HEADERS, ["user_id"], LIMITS)
    assert error.value.code == "too_many_columns:60"


def test_row_and_column_caps_hold_for_csv_too() -> None:
    limits = UploadLimits(max_rows=3, max_columns=2)
    assert len(read_table("csv", b"user_id,remark\n1,a\n2,b\n", HEADERS, ["user_id"], limits)) == 2
    with pytest.raises(SheetError, match="too_many_rows:3"):
        read_table("csv", b"user_id\n1\n2\n3\n", HEADERS, ["user_id"], limits)
    with pytest.raises(SheetError, match="too_many_columns:2"):
        read_table("csv", b"user_id,remark,x\n1,a,b\n", HEADERS, ["user_id"], limits)
    # Empty cells past the cap (trailing commas) are no reason to refuse.
    assert len(read_table("csv", b"user_id,remark,,\n1,a,,\n", HEADERS, ["user_id"], limits)) == 1


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_bombs_are_refused_before_any_xml_is_parsed() -> None:
    bomb = zip_with({"xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(SheetError, match="archive"):
        check_archive(bomb, LIMITS)
    with pytest.raises(SheetError, match="archive"):
        read_table("xlsx", bomb, HEADERS, ["user_id"], LIMITS)
    # Under the total cap, but compressed 1000:1.
    dense = zip_with({"xl/sharedStrings.xml": b"\0" * (4 * 1024 * 1024)})
    with pytest.raises(SheetError, match="archive"):
        check_archive(dense, LIMITS)
    many = zip_with({f"xl/media/{n}.bin": b"" for n in range(LIMITS.xlsx_max_members + 1)})
    with pytest.raises(SheetError, match="archive"):
        check_archive(many, LIMITS)
    # A real export passes.
    check_archive(xlsx([["a", "b"], *[[n, "text"] for n in range(5000)]]), LIMITS)


def test_not_a_zip_or_broken_xml_is_a_bad_xlsx() -> None:
    with pytest.raises(SheetError, match="bad_xlsx"):
        read_table("xlsx", b"not a zip", HEADERS, ["user_id"], LIMITS)
    broken = rewrite_member(xlsx([["user_id"], [1]]), SHEET, {"</sheetData>": "<row><c"})
    with pytest.raises(SheetError, match="bad_xlsx"):
        read_table("xlsx", broken, HEADERS, ["user_id"], LIMITS)


def test_kind_from_name_and_mime() -> None:
    assert kind_of("a.CSV", None, ("csv", "xlsx")) == "csv"
    assert kind_of("a.xlsx", "application/octet-stream", ("csv", "xlsx")) == "xlsx"
    assert kind_of("a.csv", "application/vnd.ms-excel", ("csv",)) == "csv"
    for name, mime, accepted in (
        ("a.pdf", None, ("csv", "xlsx")),
        ("a.csv", "image/png", ("csv", "xlsx")),
        ("a.xlsx", "text/plain", ("csv", "xlsx")),
        ("a.xlsx", None, ("csv",)),
        (None, None, ("csv",)),
    ):
        with pytest.raises(UploadRefused, match="wrong_kind"):
            kind_of(name, mime, accepted)  # type: ignore[arg-type]


def test_size_caps_per_kind() -> None:
    check_size(5 * 1024 * 1024, "csv", LIMITS)
    check_size(None, "csv", LIMITS)
    with pytest.raises(UploadRefused) as error:
        check_size(5 * 1024 * 1024 + 1, "csv", LIMITS)
    assert error.value.values == {"limit": "5 MB", "kind": "CSV"}
    check_size(10 * 1024 * 1024, "xlsx", LIMITS)
    with pytest.raises(UploadRefused, match="too_big"):
        check_size(10 * 1024 * 1024 + 1, "xlsx", LIMITS)


# ---------------------------------------------------------------------- parsing off the loop


def big_xlsx(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append(["user_id", "remark"])
    for number in range(rows):
        sheet.append([number, f"remark {number}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_a_100k_row_parse_runs_in_a_thread_and_never_stalls_the_loop() -> None:
    data = big_xlsx(100_000 - 1)
    loop_thread = threading.get_ident()
    parser_threads: list[int] = []

    def parse(stop: threading.Event) -> int:
        parser_threads.append(threading.get_ident())
        return len(read_table("xlsx", data, HEADERS, ["user_id"], LIMITS, stop))

    stalls: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0)
            now = time.perf_counter()
            stalls.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    count = await parse_off_loop(parse, 600)
    took = time.perf_counter() - started
    done.set()
    await ticking
    assert count == 100_000 - 1
    assert parser_threads and parser_threads[0] != loop_thread
    # The loop kept turning: its longest pause is a small part of the parse (GIL switches are
    # every 5 ms; the machine may be loaded, hence the generous bound).
    assert len(stalls) > 100
    assert max(stalls) < max(0.25, took / 10), (max(stalls), took)


async def test_a_parse_over_its_time_is_abandoned_and_told_to_stop() -> None:
    data = big_xlsx(20_000)
    outcome: list[str] = []
    finished = threading.Event()

    def parse(stop: threading.Event) -> int:
        try:
            return len(read_table("xlsx", data, HEADERS, ["user_id"], LIMITS, stop))
        except ParseCancelled:
            outcome.append("cancelled")
            raise
        finally:
            finished.set()

    with pytest.raises(UploadRefused) as error:
        await parse_off_loop(parse, 0.001)
    assert error.value.code == "timeout"
    await asyncio.to_thread(finished.wait)
    assert outcome == ["cancelled"]


# ---------------------------------------------------------------------- exports


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+Plus", "-1+2", "@At", "\tTab", "\rCR", "'=quoted", "''+x"],
)
def test_dangerous_text_is_escaped_and_comes_back_unchanged(text: str) -> None:
    escaped = escape_cell(text)
    assert escaped == "'" + text
    assert unescape_cell(escaped) == text


@pytest.mark.parametrize("text", ["plain", "李女士", "a=b", "'quoted", " =x", "", "1-2"])
def test_harmless_text_is_left_alone(text: str) -> None:
    assert escape_cell(text) == text
    assert unescape_cell(text) == text


def test_written_xlsx_has_no_formula_and_numbers_stay_numbers() -> None:
    data = write_xlsx(
        "s",
        ["name", "remark", "n"],
        [["+Plus", '=HYPERLINK("http://x","y")', -5], ["@At", "-minus", 2.5]],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells[0]] == ["'+Plus", '\'=HYPERLINK("http://x","y")', -5]
    assert [cell.value for cell in cells[1]] == ["'@At", "'-minus", 2.5]
    assert all(cell.data_type != "f" for row in cells for cell in row)
    assert [cells[0][2].data_type, cells[0][1].data_type] == ["n", "s"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    # Read back as an import reads it: the text is the original.
    rows = read_table(
        "xlsx", data, {"name": "name", "remark": "remark", "n": "n"}, ["name"], LIMITS
    )
    assert [row.cells for row in rows] == [
        {"name": "+Plus", "remark": '=HYPERLINK("http://x","y")', "n": "-5"},
        {"name": "@At", "remark": "-minus", "n": "2.5"},
    ]
