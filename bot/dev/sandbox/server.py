"""The HTTP side: an aiohttp server speaking the Bot API wire format, and :class:`Sandbox`.

Routes:

* ``GET|POST /bot<token>/<method>`` - Bot API calls;
* ``GET /file/bot<token>/<file_path>`` - file downloads (``File.download_*`` in PTB).

Body decoding follows what PTB 22.8 puts on the wire: strings are sent raw and every other
value JSON-encoded, so a form field is JSON-decoded unless it is a known string field
(otherwise the text ``"123"`` would turn into the number 123).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import logging
import time
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.dev.sandbox.api import BotApi, UploadedFile
from bot.dev.sandbox.faults import Clock, Fault, FaultRule, RateLimiter, SandboxLimits
from bot.dev.sandbox.records import ApiCall, JSONDict
from bot.dev.sandbox.world import World

log = logging.getLogger(__name__)

#: Parameters whose value is a string even if it looks like JSON (``text=123``, ``data=[1]``).
STRING_FIELDS: frozenset[str] = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "data",
        "url",
        "secret_token",
        "ip_address",
        "language_code",
        "action",
        "file_id",
        "inline_message_id",
        "business_connection_id",
        "photo",
        "document",
        "video",
        "audio",
        "animation",
        "voice",
        "thumbnail",
        "sticker",
        "emoji",
        "description",
        "short_description",
        "name",
        "title",
        "query",
        "next_offset",
        "start_parameter",
        "custom_title",
        "message_effect_id",
        "certificate",
        "question",
        "address",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "invite_link",
        "tag",
    }
)

_JSON_CTYPE = "application/json"
_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def decode_field(name: str, value: str) -> Any:
    """Decode one form field the way the Bot API does (see module docstring)."""
    if name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def normalize_params(params: JSONDict) -> JSONDict:
    """Numeric-looking string chat ids become ints (JSON bodies may send ``"-100"``)."""
    for key in ("chat_id", "from_chat_id", "user_id", "message_id"):
        value = params.get(key)
        if isinstance(value, str):
            text = value.strip()
            if text.lstrip("-").isdigit():
                params[key] = int(text)
    return params


async def read_params(request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
    """Query string + body (JSON, urlencoded or multipart) as a decoded parameter dict."""
    params: JSONDict = {k: decode_field(k, v) for k, v in request.query.items()}
    uploads: dict[str, UploadedFile] = {}
    if request.body_exists:
        ctype = request.content_type
        if ctype == _JSON_CTYPE:
            try:
                body = await request.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    upload = UploadedFile(value.filename, value.content_type, value.file.read())
                    uploads[key] = upload
                    params[key] = upload
                else:
                    params[key] = decode_field(key, str(value))
    return normalize_params(params), uploads


#: World methods reachable through ``/sandbox/<action>`` (binary ``data`` as base64).
CONTROL_ACTIONS: frozenset[str] = frozenset(
    {
        "add_user",
        "add_group",
        "add_bot_to_group",
        "kick_bot",
        "add_member",
        "remove_member",
        "send_text",
        "send_document",
        "send_photo",
        "click",
        "anonymous_admin_command",
        "migrate_group",
        "inject",
        "block_bot",
        "unblock_bot",
        "set_member_status",
        "messages",
        "last_message",
        "members",
        "commands",
        "calls",
        "reset_calls",
    }
)


def _plain(value: Any) -> Any:
    """JSON-friendly version of control results (dataclasses become dicts)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


class Sandbox(World):
    """A local Telegram Bot API server plus a scriptable world behind it.

    >>> async with Sandbox(token="123456:SANDBOX", bot_username="x_bot") as sb:
    ...     app = ApplicationBuilder().token(sb.token).base_url(sb.base_url) ...

    ``limits=None`` disables flood control; assign :attr:`limits` at any time.
    """

    def __init__(
        self,
        token: str = "123456:SANDBOX",
        bot_username: str = "agentbot_demo_bot",
        limits: SandboxLimits | None = None,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        clock: Clock = time.monotonic,
        bot_first_name: str | None = None,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError("the sandbox only listens on loopback")
        super().__init__(token, bot_username, bot_first_name=bot_first_name, clock=clock)
        self.limiter = RateLimiter(clock)
        self.api = BotApi(self, self.limiter)
        self.api.limits = limits
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ configuration

    @property
    def limits(self) -> SandboxLimits | None:
        return self.api.limits

    @limits.setter
    def limits(self, value: SandboxLimits | None) -> None:
        self.api.limits = value

    @property
    def latency(self) -> float:
        """Seconds every call but ``getUpdates`` takes to answer: half before it is handled
        (and counted against the limits), half after, as a network round trip would."""
        return self.api.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if not 0 <= seconds <= 10:
            raise ValueError("latency must be 0-10 seconds")
        self.api.latency = seconds

    def fail(
        self,
        method: str | None = None,
        chat_id: int | str | None = None,
        *,
        fault: Fault,
        times: int | None = 1,
    ) -> FaultRule:
        """Make the next ``times`` matching calls (``None`` = forever) answer with ``fault``.

        ``method=None`` matches every sending method; ``chat_id=None`` every chat. Rules
        are checked in the order they were added.
        """
        rule = FaultRule(method=method, chat_id=chat_id, fault=fault, times=times)
        self.api.fault_rules.append(rule)
        return rule

    def clear_faults(self) -> None:
        self.api.fault_rules.clear()

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError("sandbox is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self) -> Sandbox:
        if self._runner is not None:
            return self
        self._reset_events()
        self.closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/sandbox/{action}", self._handle_control)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        log.info("Telegram sandbox listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        runner = self._runner
        if runner is None:
            return
        self.closing = True
        self.wake_pollers()
        await runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ HTTP handlers

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params, uploads = await read_params(request)
        except ValueError as exc:
            params, uploads = {}, {}
            return self._reject(method, params, 400, f"Bad Request: {exc}")
        if token != self.token:
            return self._reject(method, params, 401, "Unauthorized")
        if not self.api.knows(method):
            return self._reject(method, params, 404, "Not Found")
        status, body = await self.api.call(method, params, uploads)
        return self._json(status, body)

    def _reject(self, method: str, params: JSONDict, status: int, description: str) -> web.Response:
        """Answer (and record) a call that never reaches a method handler."""
        self.record_call(
            ApiCall(method, params, self.clock(), status=status, error_description=description)
        )
        return self._json(status, {"ok": False, "error_code": status, "description": description})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        stored = self.files_by_path.get(request.match_info["path"])
        if stored is None:
            return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_control(self, request: web.Request) -> web.Response:
        """Script the world over HTTP (for ``python -m bot.dev.sandbox``):
        ``POST /sandbox/<action>`` with a JSON object of keyword arguments, e.g.
        ``/sandbox/send_text`` with ``{"chat_id": 1, "user_id": 1, "text": "/start"}``.
        Only :data:`CONTROL_ACTIONS`.
        """
        action = request.match_info["action"]
        if action not in CONTROL_ACTIONS:
            return self._json(404, {"ok": False, "description": f"unknown action {action!r}"})
        kwargs: JSONDict = dict(request.query)
        if request.body_exists:
            try:
                body = await request.json()
            except ValueError:
                return self._json(400, {"ok": False, "description": "body must be JSON"})
            if not isinstance(body, dict):
                return self._json(400, {"ok": False, "description": "body must be an object"})
            kwargs.update(body)
        kwargs = normalize_params(kwargs)
        for key in ("data",):
            if action in ("send_document", "send_photo") and isinstance(kwargs.get(key), str):
                kwargs[key] = base64.b64decode(kwargs[key])
        try:
            result = getattr(self, action)(**kwargs)
        except (TypeError, ValueError, KeyError) as exc:
            return self._json(400, {"ok": False, "description": f"{type(exc).__name__}: {exc}"})
        return self._json(200, {"ok": True, "result": _plain(result)})

    @staticmethod
    def _json(status: int, body: Any) -> web.Response:
        return web.Response(status=status, text=_dumps(body), content_type=_JSON_CTYPE)
