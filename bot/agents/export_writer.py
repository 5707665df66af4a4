"""The export's workbook, written in a child process of its own.

Rendering and appending rows is pure-Python CPU work (the bulk of an export); in a thread of the
bot's process it would hold the GIL against the event loop for as long as it runs. The export
job gives these functions to a one-process pool (:func:`writer_pool`), so the one workbook lives
in that process between the calls; the loop only reads batches and pickles them across.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agents.sheets import XlsxStream
from bot.agents.spreadsheets import export_header, export_row
from bot.texts import Language, t
from storage.exports import ExportBatch

_stream: XlsxStream | None = None


def writer_pool() -> ProcessPoolExecutor:
    """One fresh process (spawned: the bot's threads are never forked) for one export."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def open_sheet(path: str, lang: Language) -> None:
    global _stream
    _stream = XlsxStream(Path(path), t(lang, "io_sheet_title"), export_header(lang))


def append_batch(
    batch: ExportBatch, lang: Language, tz: ZoneInfo, newcomers_after: int | None
) -> None:
    assert _stream is not None, "open_sheet first"
    _stream.append([export_row(record, lang, tz, newcomers_after) for record in batch.records()])


def save_sheet() -> None:
    global _stream
    assert _stream is not None, "open_sheet first"
    _stream.save()
    _stream = None
