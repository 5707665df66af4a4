"""An XLSX upload read in a child process that streams its rows back over a pipe.

Why a process and not a thread: openpyxl's read-only parse (``xml.etree`` iterparse with the C
TreeBuilder, plus openpyxl's own Python per cell) holds the GIL in long stretches. Measured on a
100,000-row XLSX read in a worker thread: a bare ``ET.iterparse`` of the sheet XML stalled the
event loop 30-65 ms at a time, the openpyxl read 100-400 ms, and ``/import_agents`` as a whole up
to ~185 ms (target < 100 ms), while a pure-Python CPU thread or a CSV import (7 ms) stall it
barely at all. The GIL is per process, so the child's parse cannot stall the bot's loop.

The child is *spawned* (never forked: the bot's process has threads) with the file's bytes; it
runs :func:`~bot.agents.sheets.iter_table` and sends ``(kind, payload)`` messages: ``rows`` (a
chunk of ``(line, cells)`` pairs), then ``end``, or ``sheet_error`` (a :class:`SheetError`'s
code) or ``failed`` (a reader bug's traceback). Tagged tuples rather than pickled exceptions, so
nothing depends on an exception surviving pickling. The pipe's buffer is small (64 KiB): a child
that runs ahead blocks in ``send`` until the parent reads (back-pressure). The parent waits for
the pipe with ``loop.add_reader`` and reads one chunk at a time on the loop (unpickling 200 rows
takes well under a millisecond); the wait is what ``parse_timeout_seconds`` counts. Whenever the
caller stops (the last row, an error, ``aclose``, cancellation, shutdown) the child is killed
and joined: no orphan is left. A child that dies without a message (killed, out of memory, a
segfault in a C parser) is the ``bad_xlsx`` refusal.

Spawning costs ~0.3 s (a fresh interpreter importing openpyxl), so only an XLSX of at least
:data:`PROCESS_MIN_BYTES` comes here; a smaller one parses in a few ms in a thread."""

from __future__ import annotations

import asyncio
import multiprocessing
import traceback
from collections.abc import AsyncGenerator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from threading import Event
from typing import Any

from bot.agents.sheets import SheetError, SheetRow, iter_table
from bot.common.uploads import UploadLimits, UploadRefused

# An XLSX this big or bigger is read in a child process (see the module docstring).
PROCESS_MIN_BYTES = 256 * 1024
# How long a killed child may take to be reaped before the parent stops waiting for it.
_REAP_SECONDS = 5.0


def _read_sheet(
    connection: Connection,
    data: bytes,
    headers: dict[str, str],
    required: list[str],
    limits: dict[str, Any],
    chunk_rows: int,
) -> None:
    """The child's work: every row of the sheet, ``chunk_rows`` at a time, then ``end``."""
    try:
        chunk: list[tuple[int, dict[str, str]]] = []
        rows = iter_table("xlsx", data, headers, required, UploadLimits(**limits), Event())
        for row in rows:
            chunk.append((row.line, row.cells))
            if len(chunk) >= chunk_rows:
                connection.send(("rows", chunk))
                chunk = []
        if chunk:
            connection.send(("rows", chunk))
        connection.send(("end", None))
    except SheetError as error:
        connection.send(("sheet_error", error.code))
    except Exception:  # a reader bug: the parent raises it with this traceback
        connection.send(("failed", traceback.format_exc()))
    finally:
        connection.close()


async def read_in_process(
    data: bytes,
    headers: dict[str, str],
    required: Sequence[str],
    limits: UploadLimits,
    chunk_rows: int,
) -> AsyncGenerator[list[SheetRow]]:
    """The rows of an XLSX, read in a child process (see the module docstring). Raises
    :class:`SheetError` for a refused file and :class:`UploadRefused` (``timeout``) past
    ``limits.parse_timeout_seconds`` of waiting."""
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(
        target=_read_sheet,
        args=(sending, data, headers, list(required), limits.model_dump(), chunk_rows),
        name="xlsx-reader",
        daemon=True,
    )
    timeout_seconds = limits.parse_timeout_seconds
    waited = 0.0
    # Starting writes the file's bytes to the new interpreter, which blocks while it starts up:
    # in a thread, so that the loop runs on meanwhile.
    started = loop.time()
    starting = asyncio.ensure_future(asyncio.to_thread(process.start))
    try:
        await asyncio.shield(starting)
        sending.close()  # the child's end: once the child is gone, reading sees EOF
        waited += loop.time() - started
        while True:
            started = loop.time()
            try:
                async with asyncio.timeout(max(timeout_seconds - waited, 0)):
                    await _readable(loop, receiving)
            except TimeoutError:
                raise UploadRefused("timeout", seconds=f"{timeout_seconds:g}") from None
            waited += loop.time() - started
            try:
                kind, payload = receiving.recv()
            except (EOFError, OSError):  # the child died without a word
                raise SheetError("bad_xlsx") from None
            if kind == "rows":
                yield [SheetRow(line, cells) for line, cells in payload]
            elif kind == "end":
                return
            elif kind == "sheet_error":
                raise SheetError(payload)
            else:
                raise RuntimeError(f"the XLSX reader failed:\n{payload}")
    finally:
        receiving.close()
        sending.close()
        if starting.done():
            _stop(process)
        else:  # cancelled while starting: stop the child once it has started
            starting.add_done_callback(lambda start: _stop_started(start, process))


async def _readable(loop: asyncio.AbstractEventLoop, connection: Connection) -> None:
    """Return once ``connection`` has something to read (or its other end is closed)."""
    if connection.poll(0):
        return
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    descriptor = connection.fileno()
    loop.add_reader(descriptor, wake)
    try:
        await ready
    finally:
        loop.remove_reader(descriptor)


def _stop_started(started: asyncio.Future[None], process: BaseProcess) -> None:
    """Once an abandoned start is over: stop the child (a failed start is dropped)."""
    if not started.cancelled():
        started.exception()
    _stop(process)


def _stop(process: BaseProcess) -> None:
    """Kill the child if it still runs and reap it (SIGKILL: it holds nothing to clean up, and
    the reaping takes a moment). Its start may have failed; then there is nothing to stop."""
    if process.pid is None:
        return
    if process.is_alive():
        process.kill()
    process.join(_REAP_SECONDS)
