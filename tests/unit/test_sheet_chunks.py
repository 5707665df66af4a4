"""Imports read their table row by row in a worker thread and hand it over in chunks: every row
arrives once, in order; a refused file raises while iterating; rows are read lazily."""

from __future__ import annotations

import pytest

from bot.agents.sheet_uploads import sheet_chunks
from bot.agents.sheets import SheetError, iter_table
from bot.common.errors import InputError
from bot.common.uploads import UploadLimits
from bot.uploads import Upload

HEADERS = {"user_id": "user_id", "remark": "remark"}
LIMITS = UploadLimits()


def csv_upload(rows: int, header: str = "user_id,remark") -> Upload:
    lines = [header] + [f"{n},r{n}" for n in range(1, rows + 1)]
    return Upload("csv", "a.csv", ("\n".join(lines) + "\n").encode())


async def test_every_row_arrives_once_in_chunks() -> None:
    upload = csv_upload(7)
    chunks = [
        chunk
        async for chunk in sheet_chunks(upload, HEADERS, ["user_id"], LIMITS, "en", chunk_rows=3)
    ]
    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    rows = [row for chunk in chunks for row in chunk]
    assert [row.cells for row in rows] == [
        {"user_id": str(n), "remark": f"r{n}"} for n in range(1, 8)
    ]
    assert [row.line for row in rows] == list(range(2, 9))


async def test_a_refused_file_raises_while_iterating() -> None:
    with pytest.raises(InputError, match="user_id"):
        async for _ in sheet_chunks(csv_upload(3, "remark,x"), HEADERS, ["user_id"], LIMITS, "en"):
            pass
    capped = LIMITS.model_copy(update={"max_rows": 5})
    seen = 0
    with pytest.raises(InputError):
        async for chunk in sheet_chunks(
            csv_upload(20), HEADERS, ["user_id"], capped, "en", chunk_rows=2
        ):
            seen += len(chunk)
    assert seen <= 4  # the rows before the cap may arrive; the import applies nothing anyway


def test_rows_are_read_lazily() -> None:
    capped = LIMITS.model_copy(update={"max_rows": 3})
    rows = iter_table("csv", csv_upload(10).data, HEADERS, ["user_id"], capped)
    assert next(rows).cells["user_id"] == "1"  # the cap further down is not reached yet
    with pytest.raises(SheetError):
        list(rows)
