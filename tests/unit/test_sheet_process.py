"""A large XLSX is read in a child process (``process_min_bytes=0`` sends a small one there):
the rows arrive as from the thread, refusals are the same InputErrors, and the child is gone
whenever the reading stops — at the end, on an early stop, on a timeout or when it dies."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import AsyncGenerator

import pytest

from bot.agents.sheet_uploads import sheet_chunks
from bot.agents.sheets import SheetRow, write_xlsx
from bot.common.errors import InputError
from bot.common.uploads import UploadLimits
from bot.texts import t
from bot.uploads import Upload

HEADERS = {"user_id": "user_id", "remark": "remark"}
LIMITS = UploadLimits()


def xlsx_upload(rows: int, header: tuple[str, ...] = ("user_id", "remark")) -> Upload:
    data = write_xlsx("s", header, [[n, f"r{n}"] for n in range(1, rows + 1)])
    return Upload("xlsx", "a.xlsx", data)


def in_process(
    upload: Upload, limits: UploadLimits = LIMITS, chunk_rows: int = 200
) -> AsyncGenerator[list[SheetRow]]:
    chunks = sheet_chunks(upload, HEADERS, ["user_id"], limits, "en", chunk_rows, 0)
    assert isinstance(chunks, AsyncGenerator)
    return chunks


def readers() -> list[multiprocessing.process.BaseProcess]:
    return [child for child in multiprocessing.active_children() if child.name == "xlsx-reader"]


def assert_gone(pid: int) -> None:
    assert not readers()
    with pytest.raises(ProcessLookupError):  # reaped, not a zombie
        os.kill(pid, 0)


async def test_rows_arrive_in_order_in_chunks_and_the_child_ends() -> None:
    chunks = [chunk async for chunk in in_process(xlsx_upload(7), chunk_rows=3)]
    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    rows = [row for chunk in chunks for row in chunk]
    assert [row.cells for row in rows] == [
        {"user_id": str(n), "remark": f"r{n}"} for n in range(1, 8)
    ]
    assert [row.line for row in rows] == list(range(2, 9))
    assert not readers()


async def test_refusals_are_the_same_input_errors() -> None:
    with pytest.raises(InputError, match="user_id"):
        async for _ in in_process(xlsx_upload(3, ("remark", "x"))):
            pass
    capped = LIMITS.model_copy(update={"max_rows": 5})
    with pytest.raises(InputError) as refused:
        async for _ in in_process(xlsx_upload(20), capped, chunk_rows=2):
            pass
    assert refused.value.text == t("en", "io_sheet_too_many_rows", rows="5", columns="5")
    with pytest.raises(InputError) as refused:
        async for _ in in_process(Upload("xlsx", "a.xlsx", b"PK not a zip")):
            pass
    assert refused.value.text == t("en", "io_sheet_bad_xlsx")
    assert not readers()


async def test_an_early_stop_kills_and_reaps_the_child() -> None:
    chunks = in_process(xlsx_upload(5000), chunk_rows=10)
    first = await anext(chunks)
    assert len(first) == 10
    [child] = readers()
    assert child.pid is not None and child.is_alive()  # blocked on the full pipe
    await chunks.aclose()
    assert_gone(child.pid)


async def test_a_child_that_dies_is_the_bad_xlsx_refusal() -> None:
    chunks = in_process(xlsx_upload(5000), chunk_rows=10)
    await anext(chunks)
    [child] = readers()
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(InputError) as refused:
        async for _ in chunks:
            pass
    assert refused.value.text == t("en", "io_sheet_bad_xlsx")
    assert_gone(child.pid)


async def test_the_timeout_refuses_and_stops_the_child() -> None:
    hasty = LIMITS.model_copy(update={"parse_timeout_seconds": 0.001})
    with pytest.raises(InputError) as refused:
        async for _ in in_process(xlsx_upload(50), hasty):
            pass
    assert refused.value.text == t("en", "up_timeout", seconds="0.001")
    assert not readers()
