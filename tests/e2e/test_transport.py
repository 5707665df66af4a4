"""The delivery engine's HTTP transport (bot/broadcast/delivery/transport.py) against the sandbox.

PTB builds the requests and maps the answers; the transport only carries them. So the checks
are: the wire form is the one PTB's default transport sends, uploads arrive intact, Telegram's
error answers still become PTB's exceptions, and timeouts and dead servers become ``TimedOut``
and ``NetworkError`` - the errors the engine retries on.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.broadcast.delivery.transport import AiohttpRequest
from bot.dev.sandbox import Fault, Sandbox

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

TOKEN = "123456:SANDBOX"
OWNER = 1001
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x08\x00\x00\x00\x08\x08\x02\x00\x00\x00"


@pytest_asyncio.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(token=TOKEN) as sandbox:
        sandbox.add_user(OWNER, "Seller", started=True)
        yield sandbox


def group(sb: Sandbox) -> int:
    chat_id = sb.add_group("代理群", members=[OWNER])
    sb.chat(chat_id).bot_status = "member"
    return chat_id


def aiohttp_bot(sb: Sandbox, request: AiohttpRequest | None = None) -> Bot:
    return Bot(TOKEN, base_url=sb.base_url, request=request or AiohttpRequest(4))


async def test_same_request_on_the_wire_as_ptbs_default_transport(sb: Sandbox) -> None:
    chat_id = group(sb)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("参加 <1>", callback_data="rsvp:1")]])
    sent = []
    for request in (HTTPXRequest(), AiohttpRequest()):
        async with Bot(TOKEN, base_url=sb.base_url, request=request) as bot:
            message = await bot.send_message(
                chat_id, "新品 <b>连衣裙</b> &amp; 价格 ¥99", ParseMode.HTML, reply_markup=markup
            )
            sent.append(message)
    httpx_call, aiohttp_call = sb.calls("sendMessage", chat_id=chat_id)
    assert aiohttp_call.params == httpx_call.params
    assert aiohttp_call.status == 200
    assert [m.text for m in sent] == ["新品 连衣裙 & 价格 ¥99"] * 2
    assert sent[1].message_id == sent[0].message_id + 1


async def test_uploads_photo_bytes_and_sends_an_album(sb: Sandbox) -> None:
    chat_id = group(sb)
    async with aiohttp_bot(sb) as bot:
        photo = await bot.send_photo(chat_id, PNG, caption="图")
        file_id = photo.photo[-1].file_id
        album = await bot.send_media_group(
            chat_id, [InputMediaPhoto(file_id, caption="相册"), InputMediaPhoto(file_id)]
        )
    assert sb.file_bytes(file_id) == PNG
    assert len(album) == 2
    assert [m.media_group_id for m in sb.messages(chat_id)][1:] == [album[0].media_group_id] * 2


async def test_telegram_error_answers_become_ptb_exceptions(sb: Sandbox) -> None:
    chat_id = group(sb)
    async with aiohttp_bot(sb) as bot:
        sb.fail("sendMessage", chat_id=chat_id, fault=Fault.too_many(7))
        with pytest.raises(RetryAfter) as too_many:
            await bot.send_message(chat_id, "x")
        assert "7" in str(too_many.value)
        sb.fail("sendMessage", chat_id=chat_id, fault=Fault.kicked(supergroup=True))
        with pytest.raises(Forbidden, match="kicked"):
            await bot.send_message(chat_id, "x")
        sb.fail("sendMessage", chat_id=chat_id, fault=Fault.migrated(-1009))
        with pytest.raises(ChatMigrated) as moved:
            await bot.send_message(chat_id, "x")
        assert moved.value.new_chat_id == -1009
        sb.fail("sendMessage", chat_id=chat_id, fault=Fault.bad_gateway())
        with pytest.raises(NetworkError):
            await bot.send_message(chat_id, "x")
        await bot.send_message(chat_id, "ok")
    assert [m.text for m in sb.messages(chat_id)] == ["ok"]


async def test_a_slow_answer_times_out(sb: Sandbox) -> None:
    chat_id = group(sb)
    async with aiohttp_bot(sb, AiohttpRequest(2, read_timeout=0.2)) as bot:
        sb.fail("sendMessage", chat_id=chat_id, fault=Fault.slow(1.0))
        with pytest.raises(TimedOut):
            await bot.send_message(chat_id, "x")
        sb.fail("sendMessage", chat_id=chat_id, fault=Fault.slow(0.5))
        await bot.send_message(chat_id, "slow but in time", read_timeout=2.0)


async def test_waiting_too_long_for_a_connection_does_not_send(sb: Sandbox) -> None:
    chat_id = group(sb)
    request = AiohttpRequest(1, pool_timeout=0.1, connect_timeout=0.1)
    async with aiohttp_bot(sb, request) as bot:
        sb.fail("sendMessage", chat_id=chat_id, fault=Fault.slow(0.6))
        first, second = await asyncio.gather(
            bot.send_message(chat_id, "first"),
            bot.send_message(chat_id, "second"),
            return_exceptions=True,
        )
    assert isinstance(first, Message)
    assert isinstance(second, TimedOut)
    assert "not sent" in str(second)
    assert [m.text for m in sb.messages(chat_id)] == ["first"]


async def test_a_dead_server_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as error:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    assert not isinstance(error.value, TimedOut)


async def test_must_be_initialized_and_can_be_reopened(sb: Sandbox) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{sb.base_url}{TOKEN}/getMe", "POST")
    bot = aiohttp_bot(sb, request)
    async with bot:
        await bot.get_me()
    async with bot:
        me = await bot.get_me()
    assert me.username == "agentbot_demo_bot"
    with pytest.raises(ValueError, match="connection_pool_size"):
        AiohttpRequest(0)
