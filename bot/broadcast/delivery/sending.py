"""One request to the Bot API: the engine's own Bot, sending a part or a whole payload, and the
small helpers that read Telegram's answers (retry_after, "not modified")."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from telegram import Bot, InputMediaPhoto, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.broadcast.delivery.transport import AiohttpRequest
from bot.broadcast.delivery.windows import MAX_IN_FLIGHT
from bot.broadcast.outbox import Part, Payload, inline_markup, layout

if TYPE_CHECKING:
    from bot.services import Services


def engine_bot(services: Services) -> Bot:
    """A Bot for the engine alone: same token and server, no PTB rate limiter, enough
    connections for the sends in flight, and the aiohttp transport (see
    bot/broadcast/delivery/transport.py: with PTB's default httpx transport the engine's CPU, not
    Telegram's limit, capped the rate)."""
    settings = services.settings
    assert settings.token is not None
    request = AiohttpRequest(
        (settings.delivery.max_in_flight or MAX_IN_FLIGHT) + 1,
        pool_timeout=10.0,
        read_timeout=15.0,
        write_timeout=15.0,
        media_write_timeout=30.0,
    )
    return Bot(
        settings.token.get_secret_value(),
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
        request=request,
    )


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    seconds = value if isinstance(value, int | float) else value.total_seconds()
    return max(float(seconds), 0.0)


def part_request(part: Part, *, paid: bool = False) -> tuple[str, dict[str, Any]]:
    """The Bot API method that sends ``part`` and its parameters, all but ``chat_id`` and
    ``reply_parameters`` (which differ from chat to chat)."""
    params: dict[str, Any] = {
        "parse_mode": ParseMode.HTML,
        "allow_paid_broadcast": True if paid else None,
    }
    if part.kind == "text":
        endpoint = "sendMessage"
        params["text"] = part.text
        params["reply_markup"] = inline_markup(part.keyboard)
        params["link_preview_options"] = LinkPreviewOptions(is_disabled=True)
    elif part.kind in ("photo", "document"):
        endpoint = "sendPhoto" if part.kind == "photo" else "sendDocument"
        params[part.kind] = part.media[0]
        params["caption"] = part.text or None
        params["reply_markup"] = inline_markup(part.keyboard)
    else:
        endpoint = "sendMediaGroup"
        del params["parse_mode"]
        caption = part.text or None
        params["media"] = [
            InputMediaPhoto(file_id, caption if index == 0 else None, ParseMode.HTML)
            for index, file_id in enumerate(part.media)
        ]
    return endpoint, params


def _reply_parameters(reply_to: int | None) -> ReplyParameters | None:
    if reply_to is None:
        return None
    return ReplyParameters(reply_to, allow_sending_without_reply=True)


def _message_ids(result: Any) -> list[int]:
    messages = result if isinstance(result, list) else [result]
    return [int(message["message_id"]) for message in messages]


async def send_part(bot: Bot, chat_id: int, part: Part) -> list[int]:
    """Send one part through ``bot`` (its defaults and rate limiter apply; the admin's
    preview); returns the message ids it created (n for an album).

    Calls the Bot API method through ``Bot._post`` rather than ``send_message`` and co.: only
    the message ids are kept, and building PTB ``Message`` objects from every answer was about
    a fifth of the engine's CPU per message.
    """
    endpoint, params = part_request(part)
    params["chat_id"] = chat_id
    return _message_ids(await bot._post(endpoint, params))


@dataclass(frozen=True, slots=True)
class EncodedPart:
    """A part's request as PTB encodes it for the wire (each value a string), all but
    ``chat_id`` and ``reply_parameters``: encoded once per broadcast, not once per chat."""

    endpoint: str
    parameters: tuple[RequestParameter, ...]


@lru_cache(maxsize=64)
def encode_part(part: Part, paid: bool) -> EncodedPart:
    """:func:`part_request` encoded by PTB (``RequestParameter.from_input``: JSON for objects,
    numbers and booleans, strings as they are, ``None`` left out) exactly as ``Bot._post``
    does; re-wrapped as plain strings, which PTB sends as they are."""
    endpoint, params = part_request(part, paid=paid)
    encoded = RequestData(
        [
            RequestParameter.from_input(name, value)
            for name, value in params.items()
            if value is not None
        ]
    ).json_parameters
    return EncodedPart(
        endpoint, tuple(RequestParameter(name, value, None) for name, value in encoded.items())
    )


async def send_encoded(
    bot: Bot,
    chat_id: int,
    part: Part,
    *,
    reply_to: int | None = None,
    paid: bool = False,
) -> list[int]:
    """:func:`send_part` for the delivery engine's own bot (no defaults, no rate limiter): the
    part is encoded once (:func:`encode_part`) and each chat's request posted straight through
    the bot's ``BaseRequest``, which reads the answer and raises ``RetryAfter``, ``Forbidden``,
    ``ChatMigrated``, ``BadRequest`` and ``NetworkError`` exactly as for ``Bot._post``. PTB's
    encoding of every parameter for every chat was about a fifth of the engine's CPU per
    message.
    """
    encoded = encode_part(part, paid)
    parameters = [RequestParameter("chat_id", str(chat_id), None), *encoded.parameters]
    reply = _reply_parameters(reply_to)
    if reply is not None:
        parameters.append(RequestParameter("reply_parameters", json.dumps(reply.to_dict()), None))
    url = f"{bot.base_url}/{encoded.endpoint}"
    return _message_ids(await bot.request.post(url, RequestData(parameters)))


async def send_payload(bot: Bot, chat_id: int, payload: Payload) -> list[int]:
    """Send a payload to one chat directly (the admin's preview): exactly what agents get."""
    ids: list[int] = []
    for part in layout(payload):
        ids += await send_part(bot, chat_id, part)
    return ids


def next_part(parts: list[Part], sent_messages: int) -> int:
    """Index of the first part not yet sent, given how many messages were sent."""
    count = 0
    for index, part in enumerate(parts):
        if count >= sent_messages:
            return index
        count += part.size
    return len(parts)


def is_not_modified(error: TelegramError) -> bool:
    return "not modified" in error.message.lower()
