"""A python-telegram-bot request backend on aiohttp, for the delivery engine.

PTB talks HTTP through a pluggable :class:`telegram.request.BaseRequest`; its default,
``HTTPXRequest``, costs about 2.2 ms of CPU per call on this workload (httpcore's pool and
anyio look-ups), which made the engine CPU-bound below the configured send rate. aiohttp does
the same call for about a sixth of that (0.34 ms, measured against the sandbox). Only the
transport changes: PTB still builds the request body, parses the answer and raises
``RetryAfter``/``Forbidden``/``ChatMigrated``/``NetworkError`` from the status and description,
so the engine's error handling is exactly the same.

Timeouts follow ``HTTPXRequest``'s meaning where aiohttp has an equivalent: ``connect_timeout``
bounds opening a socket and ``read_timeout`` each read of the answer. aiohttp measures waiting
for a free pooled connection and opening a new one together, so that phase is bounded by
``pool_timeout + connect_timeout``; running out of it means the request was not sent. aiohttp
has no write timeout; a call's total time is bounded by the sum of the four instead
(``media_write_timeout`` replacing ``write_timeout`` for uploads) so that no call can hang.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _given(value: object, default: float | None) -> float | None:
    """A per-call timeout, or the default when the caller left it as ``DEFAULT_NONE``."""
    return default if value is BaseRequest.DEFAULT_NONE else cast(float | None, value)


def _total(*timeouts: float | None) -> float | None:
    """The bound on a whole call: the sum of its phases, or none if any phase is unbounded."""
    if any(timeout is None for timeout in timeouts):
        return None
    return sum(timeout for timeout in timeouts if timeout is not None)


class AiohttpRequest(BaseRequest):
    """:class:`~telegram.request.BaseRequest` over one :class:`aiohttp.ClientSession`.

    The session is opened by :meth:`initialize` (PTB calls it from ``Bot.initialize``, inside
    the running event loop) and closed by :meth:`shutdown`; it may be opened again after that.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None else {}
        fields = request_data.json_parameters if request_data is not None else {}
        body: aiohttp.FormData | bytes | None
        headers = {"User-Agent": self.USER_AGENT}
        if files:
            form = aiohttp.FormData(fields)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            body = form
        elif fields:
            # The form aiohttp would build from the dict, encoded here: its FormData took about
            # as much CPU again as the encoding itself.
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = None

        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        timeout = aiohttp.ClientTimeout(
            total=_total(pool, connect, write, read),
            connect=_total(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            if isinstance(error, aiohttp.ConnectionTimeoutError):
                raise TimedOut(
                    "Timed out waiting for a connection; the request was not sent."
                ) from error
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
