"""Uploaded files are untrusted: the caps of the ``[uploads]`` config section, which kinds of
file an import accepts (by name and MIME type), and parsing off the event loop with a time limit.

A document is checked on what Telegram declares (name, MIME type, ``file_size``) before it is
downloaded, and on its real length after; a parser then runs in a worker thread under
:func:`parse_off_loop`, which gives up after ``parse_timeout_seconds`` and tells the parser to stop
(through the :class:`threading.Event` it is given) so that the thread does not keep working.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Collection
from typing import Any, Literal, Self, TypeVar

from pydantic import BaseModel, Field, model_validator

FileKind = Literal["csv", "xlsx"]
T = TypeVar("T")

# What the Bot API lets a bot download (getFile).
BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024
MB = 1024 * 1024

_EXTENSIONS: dict[FileKind, tuple[str, ...]] = {
    "csv": (".csv", ".txt"),
    "xlsx": (".xlsx", ".xlsm"),
}
# MIME types clients send for each kind; a generic one (or none) is accepted with the right name.
_GENERIC_MIME = {"application/octet-stream", "application/zip", "application/x-zip-compressed"}
_MIME: dict[FileKind, frozenset[str]] = {
    "csv": frozenset(
        {
            "text/csv",
            "text/plain",
            "text/comma-separated-values",
            "text/x-csv",
            "application/csv",
            "application/x-csv",
            "application/vnd.ms-excel",  # how Windows labels .csv files
            "application/octet-stream",
        }
    ),
    "xlsx": frozenset(
        {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.ms-excel.sheet.macroenabled.12",
            "application/vnd.ms-excel",
            *_GENERIC_MIME,
        }
    ),
}


class UploadLimits(BaseModel):
    """``[uploads]``: what an imported file may be (documented in config.example.toml)."""

    csv_max_bytes: int = Field(5 * MB, ge=1, le=BOT_DOWNLOAD_LIMIT)
    xlsx_max_bytes: int = Field(10 * MB, ge=1, le=BOT_DOWNLOAD_LIMIT)
    # Rows and columns of an imported table, CSV or XLSX (counted while reading).
    max_rows: int = Field(100_000, ge=1, le=1_048_576)
    max_columns: int = Field(60, ge=1, le=16_384)
    # The archive inside an XLSX, checked before the spreadsheet reader opens it.
    xlsx_max_uncompressed_bytes: int = Field(50 * MB, ge=1, le=1024 * MB)
    xlsx_max_members: int = Field(500, ge=1, le=100_000)
    xlsx_max_ratio: int = Field(200, ge=2, le=10_000)
    parse_timeout_seconds: float = Field(30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _uncompressed_cap_fits(self) -> Self:
        if self.xlsx_max_uncompressed_bytes < self.xlsx_max_bytes:
            raise ValueError("xlsx_max_uncompressed_bytes must be at least xlsx_max_bytes")
        return self

    def max_bytes(self, kind: FileKind) -> int:
        return self.csv_max_bytes if kind == "csv" else self.xlsx_max_bytes


class UploadRefused(Exception):
    """The file is refused before (or instead of) being read; ``code`` names the reason
    (``wrong_kind``, ``too_big``, ``timeout``) and ``values`` fill in its catalog text."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


def kind_of(
    file_name: str | None, mime_type: str | None, accepted: Collection[FileKind]
) -> FileKind:
    """The kind of an upload from its name and MIME type, if it is one of ``accepted``: the
    extension decides, and a declared MIME type must fit it (a ``.csv`` that says it is a PNG is
    refused). Raises :class:`UploadRefused` (``wrong_kind``)."""
    name = (file_name or "").strip().lower()
    mime = (mime_type or "").split(";", 1)[0].strip().lower()
    for kind in accepted:
        if name.endswith(_EXTENSIONS[kind]) and (not mime or mime in _MIME[kind]):
            return kind
    raise UploadRefused("wrong_kind")


def check_size(size: int | None, kind: FileKind, limits: UploadLimits) -> None:
    """Refuse (``too_big``) a file over its kind's cap; ``None`` (not declared) passes here and
    is checked again on the downloaded bytes."""
    cap = limits.max_bytes(kind)
    if size is not None and size > cap:
        raise UploadRefused("too_big", limit=human_bytes(cap), kind=kind.upper())


def human_bytes(size: int) -> str:
    """``5 MB``, ``977 KB``, ``512 B`` (powers of 1024, as Telegram shows file sizes)."""
    if size >= MB:
        return f"{size / MB:.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} B"


class ParseCancelled(Exception):
    """Raised inside a parser whose time ran out (its result would be thrown away)."""


def check_cancelled(stop: threading.Event) -> None:
    if stop.is_set():
        raise ParseCancelled


async def parse_off_loop(parse: Callable[[threading.Event], T], timeout_seconds: float) -> T:
    """Run ``parse(stop)`` in a worker thread, so the event loop keeps serving other chats.

    After ``timeout_seconds`` the caller gets :class:`UploadRefused` (``timeout``) and ``stop`` is
    set; the parser checks it as it goes (:func:`check_cancelled`) and ends early. The parser is
    pure (bytes in, rows out), so giving up changes nothing.
    """
    stop = threading.Event()
    work = asyncio.ensure_future(asyncio.to_thread(parse, stop))
    try:
        return await asyncio.wait_for(asyncio.shield(work), timeout_seconds)
    except TimeoutError:
        stop.set()
        work.add_done_callback(_discard)  # the thread's late result or error is dropped
        raise UploadRefused("timeout", seconds=f"{timeout_seconds:g}") from None
    except BaseException:
        stop.set()
        raise


def _discard(future: asyncio.Future[Any]) -> None:
    """Retrieve the abandoned parser's outcome so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()
