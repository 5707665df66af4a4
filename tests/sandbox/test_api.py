"""Bot API behaviour of the sandbox, driven through a real ``telegram.Bot``."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from bot.dev.sandbox import Sandbox
from tests.sandbox.helpers import ALICE, BOB

pytestmark = pytest.mark.asyncio

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03\x08\x02\x00\x00\x00"
    b"\x00\x00\x00\x00"
)


async def test_get_me(bot: Bot, sb: Sandbox) -> None:
    me = await bot.get_me()
    assert me.username == "agentbot_demo_bot"
    assert me.id == sb.bot_id == 123456
    assert me.is_bot
    assert sb.calls("getMe")[0].status == 200


async def test_wrong_token_and_unknown_method(sb: Sandbox, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=sb.base_url):
            pass
    assert [c.status for c in sb.calls("getMe")] == [200, 401]
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


async def test_text_that_looks_like_json_stays_a_string(bot: Bot, sb: Sandbox) -> None:
    sb.send_text(ALICE, ALICE, "hi")  # the user starts the bot
    msg = await bot.send_message(ALICE, "123")
    assert msg.text == "123"
    assert sb.calls("sendMessage")[-1].params["text"] == "123"
    assert sb.calls("sendMessage")[-1].params["chat_id"] == ALICE
    assert sb.last_message(ALICE) is not None
    assert sb.last_message(ALICE).text == "123"  # type: ignore[union-attr]


async def test_html_parse_mode(bot: Bot, sb: Sandbox) -> None:
    sb.send_text(ALICE, ALICE, "hi")
    msg = await bot.send_message(
        ALICE, "<b>李</b> &amp; <i>co</i> 😀 <a href='https://x.org'>x</a>", parse_mode="HTML"
    )
    assert msg.text == "李 & co 😀 x"
    kinds = [(e.type, e.offset, e.length) for e in msg.entities]
    assert kinds == [("bold", 0, 1), ("italic", 4, 2), ("text_link", 10, 1)]
    sent = sb.last_message(ALICE)
    assert sent is not None and sent.parse_mode == "HTML" and sent.plain_text == msg.text

    for bad in ("a < b", "<b>open", "<b>x</i>", "<foo>x</foo>", "AT&T", "<span>x</span>"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(ALICE, bad, parse_mode="HTML")
    # Without parse_mode the same text is fine.
    await bot.send_message(ALICE, "a < b & c")


async def test_text_limits(bot: Bot, sb: Sandbox) -> None:
    sb.send_text(ALICE, ALICE, "hi")
    await bot.send_message(ALICE, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE, "x" * 4097)
    # Markup does not count towards the limit.
    await bot.send_message(ALICE, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE, "")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(ALICE, PNG, caption="c" * 1025)


async def test_callback_data_limit(bot: Bot, sb: Sandbox) -> None:
    sb.send_text(ALICE, ALICE, "hi")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(ALICE, "fine", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE, "bad", reply_markup=too_long)


async def test_album_of_three_photos(bot: Bot, sb: Sandbox) -> None:
    gid = sb.add_group("相册", members=[ALICE])
    sb.add_bot_to_group(gid, ALICE)
    media = [InputMediaPhoto(PNG, caption=f"p{i}" if i == 0 else None) for i in range(3)]
    messages = await bot.send_media_group(gid, media)
    assert len(messages) == 3
    group_ids = {m.media_group_id for m in messages}
    assert len(group_ids) == 1 and None not in group_ids
    assert messages[0].caption == "p0"
    assert messages[0].photo[-1].width == 2 and messages[0].photo[-1].height == 3
    sent = sb.messages(gid)
    assert [m.method for m in sent] == ["sendMediaGroup"] * 3
    assert all(m.photo for m in sent)
    assert sb.file_bytes(sent[1].photo or "") == PNG
    # Re-send by file_id works too.
    again = await bot.send_photo(gid, messages[0].photo[-1].file_id)
    assert again.photo[-1].file_id == messages[0].photo[-1].file_id

    with pytest.raises(BadRequest, match=r"(?i)wrong number of media"):
        await bot.send_media_group(gid, [InputMediaPhoto(PNG)])
    with pytest.raises(BadRequest, match=r"(?i)too many"):
        await bot.send_media_group(gid, [InputMediaPhoto(PNG) for _ in range(11)])


async def test_documents_upload_get_file_download(bot: Bot, sb: Sandbox) -> None:
    sb.send_text(ALICE, ALICE, "hi")
    msg = await bot.send_document(ALICE, b"a,b\n1,2\n", filename="stock.csv")
    assert msg.document is not None and msg.document.file_name == "stock.csv"
    tg_file = await bot.get_file(msg.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == b"a,b\n1,2\n"
    assert sb.last_message(ALICE).document["file_name"] == "stock.csv"  # type: ignore[index,union-attr]
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_edit_and_delete(bot: Bot, sb: Sandbox) -> None:
    sb.send_text(ALICE, ALICE, "hi")
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    msg = await bot.send_message(ALICE, "one", reply_markup=kb)
    edited = await bot.edit_message_text("two", ALICE, msg.message_id, reply_markup=kb)
    assert isinstance(edited, object) and getattr(edited, "text", None) == "two"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("two", ALICE, msg.message_id, reply_markup=kb)
    # Editing without reply_markup removes the keyboard (as Telegram does).
    await bot.edit_message_text("two", ALICE, msg.message_id)
    sent = sb.last_message(ALICE)
    assert sent is not None and sent.edited and sent.text == "two" and sent.reply_markup is None
    await bot.edit_message_reply_markup(ALICE, msg.message_id, reply_markup=kb)
    assert sb.last_message(ALICE).reply_markup == kb.to_dict()  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE, 999)
    assert await bot.delete_message(ALICE, msg.message_id)
    assert sb.last_message(ALICE).deleted  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE, msg.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("three", ALICE, msg.message_id)
    m2 = await bot.send_message(ALICE, "x")
    assert await bot.delete_messages(ALICE, [m2.message_id, 12345])
    assert sb.messages(ALICE)[-1].deleted


async def test_reply_copy_forward(bot: Bot, sb: Sandbox) -> None:
    gid = sb.add_group("g", members=[ALICE])
    sb.add_bot_to_group(gid, ALICE)
    user_msg = sb.send_text(gid, ALICE, "question")["message"]
    reply = await bot.send_message(
        gid, "answer", reply_parameters=ReplyParameters(user_msg["message_id"])
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "question"
    assert sb.last_message(gid).reply_to_message_id == user_msg["message_id"]  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(gid, "x", reply_parameters=ReplyParameters(4242))
    copied = await bot.copy_message(gid, gid, user_msg["message_id"])
    assert sb.messages(gid)[-1].message_id == copied.message_id
    assert sb.messages(gid)[-1].text == "question"
    fwd = await bot.forward_message(gid, gid, user_msg["message_id"])
    assert fwd.forward_origin is not None
    assert fwd.forward_origin.sender_user.id == ALICE  # type: ignore[attr-defined]


async def test_forbidden_and_not_found(bot: Bot, sb: Sandbox) -> None:
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(BOB, "hello")
    sb.send_text(BOB, BOB, "/start")
    await bot.send_message(BOB, "hello")
    sb.block_bot(BOB)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(BOB, "hello")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-42, "hello")
    gid = sb.add_group("g", members=[ALICE])
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(gid, "hello")
    sb.add_bot_to_group(gid, ALICE)
    await bot.send_message(gid, "hello")
    sb.kick_bot(gid, ALICE)
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
        await bot.send_message(gid, "hello")


async def test_chat_info_and_members(bot: Bot, sb: Sandbox) -> None:
    gid = sb.add_group("代理一群", members=[ALICE, BOB], username="agents")
    sb.add_bot_to_group(gid, ALICE, as_admin=True)
    info = await bot.get_chat(gid)
    assert isinstance(info, ChatFullInfo)
    assert info.title == "代理一群" and info.type == "group"
    assert (await bot.get_chat("@agents")).id == gid
    me = await bot.get_chat_member(gid, sb.bot_id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_restrict_members
    owner = await bot.get_chat_member(gid, ALICE)
    assert isinstance(owner, ChatMemberOwner)
    assert (await bot.get_chat_member(gid, BOB)).status == "member"
    assert await bot.get_chat_member_count(gid) == 3
    admins = await bot.get_chat_administrators(gid)
    assert {a.user.id for a in admins} == {ALICE, sb.bot_id}
    private = await bot.get_chat(ALICE)
    assert private.type == "private" and private.first_name == "李"

    assert await bot.ban_chat_member(gid, BOB)
    assert sb.is_banned(gid, BOB)
    assert (await bot.get_chat_member(gid, BOB)).status == "kicked"
    with pytest.raises(BadRequest, match=r"(?i)chat owner"):
        await bot.ban_chat_member(gid, ALICE)
    assert await bot.unban_chat_member(gid, BOB, only_if_banned=True)
    assert sb.members(gid)[BOB] == "left"
    assert await bot.leave_chat(gid)
    assert sb.bot_status(gid) == "left"


async def test_commands_per_scope(bot: Bot, sb: Sandbox) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands(
        [BotCommand("stock", "库存")], scope=BotCommandScopeChat(ALICE), language_code="zh"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert sb.commands() == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    scoped = sb.commands({"type": "chat", "chat_id": ALICE}, "zh")
    assert scoped == [{"command": "stock", "description": "库存"}]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(ALICE)) == ()
    await bot.delete_my_commands()
    assert sb.commands() == []
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_webhook_and_misc(bot: Bot, sb: Sandbox) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.org/hook"
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    sb.send_text(ALICE, ALICE, "hi")
    assert await bot.send_chat_action(ALICE, "typing")
    updates = await bot.get_updates(timeout=0)
    assert updates[0].message is not None and updates[0].message.text == "hi"
    assert isinstance(updates[0].message.date, dtm.datetime)
    assert await bot.log_out() and await bot.close()


async def test_user_photo_resend_and_copy_with_caption(bot: Bot, sb: Sandbox) -> None:
    gid = sb.add_group("g", members=[ALICE])
    sb.add_bot_to_group(gid, ALICE)
    update = sb.send_photo(gid, ALICE, PNG, caption="look")
    photo = update["message"]["photo"][-1]
    assert (photo["width"], photo["height"]) == (2, 3)
    msg = await bot.send_photo(gid, photo["file_id"], caption="<i>again</i>", parse_mode="HTML")
    assert msg.caption == "again" and msg.caption_entities[0].type == "italic"
    assert sb.last_message(gid).caption == "<i>again</i>"  # type: ignore[union-attr]
    copied = await bot.copy_message(gid, gid, update["message"]["message_id"], caption="copy")
    last = sb.last_message(gid)
    assert last is not None and last.message_id == copied.message_id
    assert last.caption == "copy" and last.photo == photo["file_id"]
    doc = await bot.send_document(gid, b"x", filename="库存.csv")
    assert doc.document is not None and doc.document.file_name == "库存.csv"
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(gid, "AgACnonexistent")
