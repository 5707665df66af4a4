"""An attached CSV/XLSX read for ``/import_agents`` and ``/import_orders``: checked before
download, then read off the loop by a reader that hands the rows over in chunks, so that neither
the whole table nor its parsing ever sits on the event loop. The reader is a worker thread for a
CSV and a small XLSX, and a child process for an XLSX of at least
:data:`~bot.agents.sheet_process.PROCESS_MIN_BYTES` (:mod:`bot.agents.sheet_process`: parsing
XML holds the GIL, which would stall the loop; spawning costs ~0.3 s, which a small sheet does
not need).

The reader runs ahead of the caller by a few chunks at most (the thread by
:data:`CHUNKS_AHEAD`, the process by what the pipe's buffer holds; it waits while they are not
taken), and ``[uploads] parse_timeout_seconds`` bounds the time the caller spends
waiting for the reader (its own work on the rows between two chunks is not counted): past it the
reading stops and the caller gets the ``timeout`` refusal. Every refusal is an
:class:`InputError` raised while iterating; an import applies nothing before the last chunk."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence

from telegram import Document

from bot.agents.sheet_process import PROCESS_MIN_BYTES, read_in_process
from bot.agents.sheets import SheetError, SheetRow, iter_table
from bot.common.errors import InputError
from bot.common.uploads import ParseCancelled, UploadLimits, UploadRefused, check_cancelled
from bot.texts import Language, t
from bot.uploads import Upload, download_checked, refusal

# Rows handed over at a time: the caller validates a chunk in well under 50 ms.
CHUNK_ROWS = 200
CHUNKS_AHEAD = 4
# How often a reader waiting for room in the queue looks whether the caller gave up.
_POLL_SECONDS = 0.05


class _End:
    """The reader's last item: every row was handed over."""


async def download_sheet(document: Document, limits: UploadLimits, lang: Language) -> Upload:
    """The document's bytes if it is a CSV or XLSX within the caps (else InputError)."""
    return await download_checked(document, ("csv", "xlsx"), limits, lang)


async def sheet_chunks(
    upload: Upload,
    headers: dict[str, str],
    required: Sequence[str],
    limits: UploadLimits,
    lang: Language,
    chunk_rows: int = CHUNK_ROWS,
    process_min_bytes: int = PROCESS_MIN_BYTES,
) -> AsyncIterator[list[SheetRow]]:
    """The rows under the header line, ``chunk_rows`` at a time (see the module docstring);
    :class:`InputError` says why a file is refused. An XLSX of ``process_min_bytes`` or more is
    read in a child process."""
    if upload.kind == "xlsx" and len(upload.data) >= process_min_bytes:
        chunks = read_in_process(upload.data, headers, required, limits, chunk_rows)
    else:
        chunks = _read_in_thread(
            lambda stop: iter_table(upload.kind, upload.data, headers, required, limits, stop),
            limits.parse_timeout_seconds,
            chunk_rows,
        )
    try:
        async for chunk in chunks:
            yield chunk
    except SheetError as error:
        code, _, detail = error.code.partition(":")
        raise InputError(t(lang, f"io_sheet_{code}", columns=detail, rows=detail)) from None
    except UploadRefused as error:
        raise refusal(error, lang, ()) from None
    finally:
        await chunks.aclose()


async def _read_in_thread(
    rows: Callable[[threading.Event], Iterator[SheetRow]], timeout_seconds: float, chunk_rows: int
) -> AsyncGenerator[list[SheetRow]]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[list[SheetRow] | BaseException | _End] = asyncio.Queue(CHUNKS_AHEAD)
    stop = threading.Event()

    def hand_over(item: list[SheetRow] | BaseException | _End) -> None:
        """In the reader thread: put ``item`` in the queue, waiting while it is full."""
        future = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
        while True:
            try:
                future.result(_POLL_SECONDS)
                return
            except concurrent.futures.TimeoutError:
                if stop.is_set():
                    future.cancel()
                    raise ParseCancelled from None

    def read() -> None:
        try:
            chunk: list[SheetRow] = []
            for row in rows(stop):
                chunk.append(row)
                if len(chunk) >= chunk_rows:
                    hand_over(chunk)
                    chunk = []
                    check_cancelled(stop)
            if chunk:
                hand_over(chunk)
            hand_over(_End())
        except ParseCancelled:
            return
        except Exception as error:  # SheetError, or a reader bug: the caller raises it
            try:
                hand_over(error)
            except ParseCancelled:
                return

    reader = loop.run_in_executor(None, read)
    waited = 0.0
    try:
        while True:
            started = loop.time()
            try:
                item = await asyncio.wait_for(queue.get(), max(timeout_seconds - waited, 0))
            except TimeoutError:
                raise UploadRefused("timeout", seconds=f"{timeout_seconds:g}") from None
            waited += loop.time() - started
            if isinstance(item, _End):
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        # The reader ends on its own (at its next look at ``stop``); its outcome is dropped.
        reader.add_done_callback(lambda _: None)
