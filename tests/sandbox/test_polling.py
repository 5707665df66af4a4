"""A real PTB Application long-polling the sandbox: updates in, replies out."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.dev.sandbox import GROUP_ANONYMOUS_BOT, Sandbox
from tests.sandbox.helpers import ALICE, BOB, AnyApp, running_app

pytestmark = pytest.mark.asyncio

Ctx = ContextTypes.DEFAULT_TYPE


async def test_command_reaches_handler_and_reply_lands(sb: Sandbox) -> None:
    seen: list[list[str]] = []

    async def start(update: Update, context: Ctx) -> None:
        assert update.effective_message is not None
        seen.append(list(context.args or []))
        await update.effective_message.reply_text(f"hello {' '.join(context.args or [])}")

    def setup(app: AnyApp) -> None:
        app.add_handler(CommandHandler("start", start))

    async with running_app(sb, setup):
        update = sb.send_text(ALICE, ALICE, "/start ref_42")
        await sb.wait_consumed(update)
        msgs = await sb.wait_for_messages(ALICE, 1)
        assert msgs[0].text == "hello ref_42"
        assert seen == [["ref_42"]]
        # /cmd@botname in a group is a command too.
        gid = sb.add_group("g", members=[ALICE])
        sb.add_bot_to_group(gid, ALICE)
        sb.send_text(gid, ALICE, "/start@agentbot_demo_bot x")
        await sb.wait_for_messages(gid, 1)
        assert sb.last_message(gid).text == "hello x"  # type: ignore[union-attr]


async def test_text_123_arrives_as_string(sb: Sandbox) -> None:
    texts: list[Any] = []

    async def echo(update: Update, context: Ctx) -> None:
        assert update.message is not None
        texts.append(update.message.text)
        await update.message.reply_text(update.message.text or "")

    async with running_app(sb, lambda app: app.add_handler(MessageHandler(filters.TEXT, echo))):
        sb.send_text(ALICE, ALICE, "123")
        await sb.wait_for_messages(ALICE, 1)
    assert texts == ["123"]
    assert sb.last_message(ALICE).text == "123"  # type: ignore[union-attr]
    assert sb.calls("sendMessage")[-1].params["text"] == "123"


async def test_callback_query_round_trip(sb: Sandbox) -> None:
    queries: list[CallbackQuery] = []

    async def menu(update: Update, context: Ctx) -> None:
        assert update.message is not None
        kb = InlineKeyboardMarkup([[InlineKeyboardButton("Buy", callback_data="buy:7")]])
        await update.message.reply_text("Menu", reply_markup=kb)

    async def on_click(update: Update, context: Ctx) -> None:
        query = update.callback_query
        assert query is not None
        queries.append(query)
        await query.answer("ok!")
        await query.edit_message_text(f"chose {query.data}")

    def setup(app: AnyApp) -> None:
        app.add_handler(CommandHandler("menu", menu))
        app.add_handler(CallbackQueryHandler(on_click))

    async with running_app(sb, setup):
        sb.send_text(ALICE, ALICE, "/menu")
        (menu_msg,) = await sb.wait_for_messages(ALICE, 1)
        assert menu_msg.buttons[0]["callback_data"] == "buy:7"
        with pytest.raises(ValueError):
            sb.click(ALICE, ALICE, menu_msg.message_id, "nope")
        update = sb.click(ALICE, ALICE, menu_msg.message_id, "buy:7")
        await sb.wait_for(lambda: sb.last_message(ALICE).edited)  # type: ignore[union-attr]
    query_id = update["callback_query"]["id"]
    assert sb.callback_answer(query_id) == {
        "text": "ok!",
        "show_alert": False,
        "url": None,
        "cache_time": None,
    }
    assert queries[0].message is not None and queries[0].message.message_id == menu_msg.message_id
    edited = sb.last_message(ALICE)
    assert edited is not None and edited.text == "chose buy:7" and edited.reply_markup is None


async def test_member_updates_parse(sb: Sandbox) -> None:
    mine: list[ChatMemberUpdated] = []
    others: list[ChatMemberUpdated] = []

    async def on_my(update: Update, context: Ctx) -> None:
        assert update.my_chat_member is not None
        mine.append(update.my_chat_member)

    async def on_member(update: Update, context: Ctx) -> None:
        assert update.chat_member is not None
        others.append(update.chat_member)

    def setup(app: AnyApp) -> None:
        app.add_handler(ChatMemberHandler(on_my, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.CHAT_MEMBER))

    gid = sb.add_group("代理一群", members=[ALICE])
    async with running_app(sb, setup, allowed_updates=Update.ALL_TYPES):
        sb.add_bot_to_group(gid, ALICE, as_admin=True)
        joined = sb.add_member(gid, BOB, by=ALICE)
        left = sb.remove_member(gid, BOB, kicked=True, by=ALICE)
        kicked = sb.kick_bot(gid, ALICE)
        await sb.wait_consumed(kicked)
        await sb.wait_for(lambda: len(mine) == 2 and len(others) == 2)
    assert joined["chat_member"]["new_chat_member"]["status"] == "member"
    assert left["chat_member"]["new_chat_member"]["status"] == "kicked"
    assert (mine[0].old_chat_member.status, mine[0].new_chat_member.status) == (
        "left",
        "administrator",
    )
    assert mine[1].new_chat_member.status == "kicked"
    assert others[0].new_chat_member.user.id == BOB and others[0].from_user.id == ALICE
    assert others[1].new_chat_member.status == "kicked"
    assert sb.is_banned(gid, BOB)


async def test_chat_member_updates_need_allowed_updates_and_admin(sb: Sandbox) -> None:
    gid = sb.add_group("g", members=[ALICE])
    sb.add_bot_to_group(gid, ALICE, as_admin=False)
    not_admin = sb.add_member(gid, BOB)
    assert sb.is_consumed(not_admin)  # bot is no admin: Telegram would not send it

    got: list[Update] = []

    async def any_update(update: Update, context: Ctx) -> None:
        got.append(update)

    def setup(app: AnyApp) -> None:
        app.add_handler(ChatMemberHandler(any_update, ChatMemberHandler.ANY_CHAT_MEMBER))

    sb.add_bot_to_group(gid, ALICE, as_admin=True)
    async with running_app(sb, setup):  # default allowed_updates: no chat_member
        member = sb.add_member(gid, 1003)
        await sb.wait_consumed(member)
        await asyncio.sleep(0.05)
    assert [u.my_chat_member is not None for u in got] == [True, True]


async def test_group_message_without_bot_is_not_delivered(sb: Sandbox) -> None:
    gid = sb.add_group("g", members=[ALICE])
    update = sb.send_text(gid, ALICE, "hi")
    assert sb.is_consumed(update)
    assert not sb.queue


async def test_anonymous_admin_and_document_round_trip(sb: Sandbox) -> None:
    received: list[bytes] = []
    senders: list[tuple[int, int]] = []

    async def groups(update: Update, context: Ctx) -> None:
        msg = update.effective_message
        assert msg is not None and msg.from_user is not None and msg.sender_chat is not None
        senders.append((msg.from_user.id, msg.sender_chat.id))
        await msg.reply_text("ok")

    async def on_doc(update: Update, context: Ctx) -> None:
        assert update.message is not None and update.message.document is not None
        tg_file = await update.message.document.get_file()
        received.append(bytes(await tg_file.download_as_bytearray()))
        await update.message.reply_text(f"{update.message.caption}: {len(received[-1])} bytes")

    def setup(app: AnyApp) -> None:
        app.add_handler(CommandHandler("groups", groups))
        app.add_handler(MessageHandler(filters.Document.ALL, on_doc))

    gid = sb.add_group("g", members=[ALICE])
    sb.add_bot_to_group(gid, ALICE)
    async with running_app(sb, setup):
        sb.anonymous_admin_command(gid, "/groups")
        sb.send_document(
            gid,
            ALICE,
            "stock.csv",
            b"sku,qty\nA,1\n",
            caption="/stock_import",
            mime_type="text/csv",
        )
        await sb.wait_for_messages(gid, 2)
    assert senders == [(GROUP_ANONYMOUS_BOT["id"], gid)]
    assert received == [b"sku,qty\nA,1\n"]
    assert sb.last_message(gid).text == "/stock_import: 12 bytes"  # type: ignore[union-attr]


async def test_migration_messages_and_new_chat(sb: Sandbox) -> None:
    migrations: list[tuple[int | None, int | None]] = []

    async def on_migrate(update: Update, context: Ctx) -> None:
        msg = update.effective_message
        assert msg is not None
        migrations.append((msg.migrate_to_chat_id, msg.migrate_from_chat_id))

    def setup(app: AnyApp) -> None:
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))

    gid = sb.add_group("g", members=[ALICE, BOB])
    sb.add_bot_to_group(gid, ALICE)
    async with running_app(sb, setup):
        new_id = sb.migrate_group(gid)
        await sb.wait_for(lambda: len(migrations) == 2)
    assert migrations == [(new_id, None), (None, gid)]
    assert sb.members(new_id) == sb.members(gid)
    assert sb.bot_status(new_id) == "administrator"
    assert sb.chat(new_id).type == "supergroup"
