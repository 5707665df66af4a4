"""One request to the Bot API: the engine's own Bot, sending a part or a whole payload, and the
small helpers that read Telegram's answers (retry_after, "not modified")."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from telegram import Bot, InputMediaPhoto, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError

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


async def send_part(
    bot: Bot,
    chat_id: int,
    part: Part,
    *,
    reply_to: int | None = None,
    paid: bool = False,
) -> list[int]:
    """Send one part; returns the message ids it created (n for an album).

    Calls the Bot API method through ``Bot._post`` rather than ``send_message`` and co.: only
    the message ids are kept, and building PTB ``Message`` objects from every answer was about
    a fifth of the engine's CPU per message. PTB still encodes the parameters (its objects
    included), applies the bot's defaults and rate limiter, and raises its exceptions.
    """
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "parse_mode": ParseMode.HTML,
        "reply_parameters": (
            ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to is not None
            else None
        ),
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
    result = await bot._post(endpoint, params)
    messages = result if isinstance(result, list) else [result]
    return [int(message["message_id"]) for message in messages]


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
