"""bot/dispatch.py asks fewer handlers, never a different one: every handler it leaves out of a
group would have answered PTB's ``check_update`` with nothing, on the real bot's handlers."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.dev.testbed import Testbed
from bot.dispatch import IndexedApplication, under_way
from handlers.members import on_group_message
from handlers.stock import stock_question
from tests.e2e.helpers import OWNER, make_group

GROUP = -100777
DATE = 1_800_000_000
USER = {"id": OWNER, "is_bot": False, "first_name": "Seller", "language_code": "zh-hans"}
AGENT = {"id": 4242, "is_bot": False, "first_name": "代理", "language_code": "zh-hans"}


def _message(chat: dict[str, Any], sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"message_id": 7, "date": DATE, "chat": chat, "from": sender, **fields}


def _command(text: str) -> dict[str, Any]:
    length = len(text.split()[0])
    return {"text": text, "entities": [{"type": "bot_command", "offset": 0, "length": length}]}


def _samples(group: int) -> list[dict[str, Any]]:
    private = {"id": OWNER, "type": "private", "first_name": "Seller"}
    chat = {"id": group, "type": "supergroup", "title": "热闹群"}
    member = {"user": AGENT, "status": "member"}
    left = {"user": AGENT, "status": "left"}
    change = {"chat": chat, "from": USER, "date": DATE, "old_chat_member": left}
    bot_user = {"id": 1, "is_bot": True, "first_name": "bot"}
    samples = [
        {"message": _message(chat, AGENT, text="A1 还有货吗")},
        {"message": _message(chat, AGENT, text="/start@agentbot_demo_bot", entities=[])},
        {"message": _message(chat, AGENT, **_command("/help"))},
        {"message": _message(chat, USER, **_command("/groups"))},
        {
            "message": _message(
                chat,
                AGENT,
                text="看 /help",
                entities=[{"type": "bot_command", "offset": 2, "length": 5}],
            )
        },
        {"edited_message": _message(chat, AGENT, text="改了", edit_date=DATE)},
        {"edited_message": _message(private, USER, edit_date=DATE, **_command("/agents"))},
        {"message": _message(chat, AGENT, new_chat_title="新名字")},
        {"message": _message(chat, AGENT, new_chat_members=[AGENT])},
        {"message": _message(chat, USER, migrate_to_chat_id=group - 1)},
        {"message": _message(private, USER, text="你好")},
        {"message": _message(private, USER, **_command("/start"))},
        {"message": _message(private, USER, **_command("/start card_A1"))},
        {"message": _message(private, USER, **_command("/newproduct"))},
        {
            "message": _message(
                private,
                USER,
                photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
                caption="/broadcast hi",
            )
        },
        {
            "message": _message(
                private,
                USER,
                document={"file_id": "d", "file_unique_id": "d"},
                caption="/stock_import",
            )
        },
        {
            "callback_query": {
                "id": "1",
                "from": USER,
                "chat_instance": "c",
                "data": "x:1",
                "message": _message(private, bot_user, text="menu"),
            }
        },
        {
            "callback_query": {
                "id": "2",
                "from": AGENT,
                "chat_instance": "c",
                "data": "rsvp:1:y",
                "message": _message(chat, bot_user, text="培训"),
            }
        },
        {"inline_query": {"id": "3", "from": AGENT, "query": "A1", "offset": ""}},
        {"chat_member": {**change, "from": AGENT, "new_chat_member": member}},
        {"my_chat_member": {**change, "new_chat_member": {"user": bot_user, "status": "member"}}},
        {
            "channel_post": _message(
                {"id": -1009, "type": "channel", "title": "c"}, USER, text="频道"
            )
        },
    ]
    return [{"update_id": index + 1, **sample} for index, sample in enumerate(samples)]


def _answers(handler: BaseHandler[Any, Any, Any], update: object) -> bool:
    check = handler.check_update(update)
    return check is not None and check is not False


def _assert_same_choice(application: IndexedApplication, update: object) -> list[Any]:
    """Every handler the index leaves out answers nothing; the ones asked keep PTB's order.
    Returns the handlers asked, group by group."""
    asked_groups = []
    for handlers, candidates in zip(
        application.handlers.values(), application.candidates(update), strict=True
    ):
        asked = [
            handler
            for handler, conditional in candidates
            if not conditional or under_way(handler, update)  # type: ignore[arg-type]
        ]
        assert [h for h in handlers if any(h is a for a in asked)] == asked  # same order
        for handler in handlers:
            if not any(handler is a for a in asked):
                assert not _answers(handler, update), (handler, update)
        asked_groups.append(asked)
    return asked_groups


async def test_left_out_handlers_would_not_take_the_update(bed: Testbed) -> None:
    application = bed.application
    assert isinstance(application, IndexedApplication)
    group = await make_group(bed, "热闹群")
    for data in _samples(group):
        _assert_same_choice(application, Update.de_json(data, application.bot))
    _assert_same_choice(application, "not an update")


async def test_group_chatter_asks_only_the_group_observers(bed: Testbed) -> None:
    application = bed.application
    assert isinstance(application, IndexedApplication)
    group = await make_group(bed, "热闹群")
    text = Update.de_json(_samples(group)[0], application.bot)
    asked = [handler for handlers in _assert_same_choice(application, text) for handler in handlers]
    assert not [h for h in asked if isinstance(h, CommandHandler | CallbackQueryHandler)]
    assert not [h for h in asked if isinstance(h, ConversationHandler)]
    # Only the two observers (last seen, stock questions): every other message handler needs a
    # private chat, a new message with a document or photo, or a status update.
    assert [getattr(h, "callback", None) for h in asked] == [on_group_message, stock_question]


async def test_a_conversation_under_way_is_still_asked(bed: Testbed) -> None:
    application = bed.application
    assert isinstance(application, IndexedApplication)
    await bed.say(OWNER, OWNER, "/newproduct")
    chat = {"id": OWNER, "type": "private", "first_name": "Seller"}
    reply = Update.de_json(
        {"update_id": 99, "message": _message(chat, USER, text="A1")}, application.bot
    )
    asked = [
        handler for handlers in _assert_same_choice(application, reply) for handler in handlers
    ]
    catalog = [h for h in asked if isinstance(h, ConversationHandler) and h.name == "catalog"]
    assert catalog and _answers(catalog[0], reply)
    # The same words from someone else, or in a group, find no conversation of theirs.
    group = {"id": GROUP, "type": "supergroup", "title": "热闹群"}
    other = Update.de_json(
        {"update_id": 100, "message": _message(group, USER, text="A1")}, application.bot
    )
    asked = [
        handler for handlers in _assert_same_choice(application, other) for handler in handlers
    ]
    assert not [h for h in asked if isinstance(h, ConversationHandler)]


async def test_the_index_follows_handlers_added_and_removed(bed: Testbed) -> None:
    application = bed.application
    assert isinstance(application, IndexedApplication)
    group = await make_group(bed, "热闹群")
    command = Update.de_json(_samples(group)[2], application.bot)  # /help in the group
    text = Update.de_json(_samples(group)[0], application.bot)
    first = CommandHandler("help", _noop)
    application.add_handler(first)  # behind the bot's own /help
    late = MessageHandler(filters.ALL, _noop)
    application.add_handler(late, group=7)
    asked = [h for hs in application.candidates(command) for h, _ in hs]
    assert any(h is first for h in asked) and any(h is late for h in asked)
    application.remove_handler(first)
    application.remove_handler(late, group=7)
    asked = [h for hs in application.candidates(command) for h, _ in hs]
    assert not any(h is first or h is late for h in asked)
    assert 7 not in application.handlers
    assert len(application.candidates(text)) == len(application.handlers)
    # A handler swapped in place (not through add/remove) is seen too.
    observers = application.handlers[1]
    original = observers[0]
    observers[0] = late
    try:
        assert application.candidates(text)[list(application.handlers).index(1)][0][0] is late
    finally:
        observers[0] = original
    assert application.candidates(text)[list(application.handlers).index(1)][0][0] is original


async def _noop(update: object, context: object) -> None:
    """A callback that is never run."""
