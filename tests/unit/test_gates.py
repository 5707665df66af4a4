"""The throttle behind the gates and error reports, and the rule that no command or
conversation step handles an edited message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import Chat, Message, MessageEntity, Update, User
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler

from bot.app import build_application
from bot.common.throttle import Throttle
from bot.config import Settings


def test_throttle_admits_once_per_window_and_counts_the_rest() -> None:
    throttle: Throttle[str] = Throttle(600)
    assert throttle.admit("a", 1000) == 0
    assert [throttle.admit("a", 1000 + s) for s in (1, 300, 599)] == [None, None, None]
    assert throttle.admit("b", 1001) == 0  # keys are independent
    assert throttle.admit("a", 1600) == 3
    assert throttle.admit("a", 2200) == 0


def test_throttle_memory_is_bounded() -> None:
    throttle: Throttle[int] = Throttle(600, max_keys=3)
    for key in range(10):
        assert throttle.admit(key, 1000) == 0
    assert len(throttle._admitted_at) <= 3
    assert throttle.admit(9, 1001) is None  # the newest keys are kept


def _leaves(handler: BaseHandler[Any, Any, Any]) -> list[BaseHandler[Any, Any, Any]]:
    if isinstance(handler, ConversationHandler):
        states = [step for steps in handler.states.values() for step in steps]
        inner = [*handler.entry_points, *states, *handler.fallbacks]
        return [leaf for item in inner for leaf in _leaves(item)]
    return [handler]


class _BotName:
    """What CommandHandler asks the message's bot for: its username (no HTTP here)."""

    username = "agentbot_demo_bot"


def _update(text: str, *, edited: bool, chat_type: str = Chat.PRIVATE) -> Update:
    user = User(5, "u", is_bot=False)
    chat = Chat(-5 if chat_type != Chat.PRIVATE else 5, chat_type)
    entities = [MessageEntity(MessageEntity.BOT_COMMAND, 0, len(text.split()[0]))]
    message = Message(
        1,
        None,  # type: ignore[arg-type]
        chat,
        from_user=user,
        text=text,
        entities=entities if text.startswith("/") else None,
    )
    message.set_bot(_BotName())  # type: ignore[arg-type]
    return Update(1, edited_message=message) if edited else Update(1, message=message)


def test_no_command_or_conversation_step_takes_an_edited_message(tmp_path: Path) -> None:
    settings = Settings(token="1:x", owners=[1], database=tmp_path / "bot.sqlite3")
    application = build_application(settings)
    leaves = [leaf for h in application.handlers.get(0, []) for leaf in _leaves(h)]
    narrowed = [h for h in leaves if isinstance(h, CommandHandler | MessageHandler)]
    assert len(narrowed) > 50
    for text in ("/schedule 20:00 hi", "/agents", "/newproduct", "hello"):
        for chat_type in (Chat.PRIVATE, Chat.SUPERGROUP):
            edit = _update(text, edited=True, chat_type=chat_type)
            takers = [h for h in narrowed if h.check_update(edit)]
            assert takers == [], (text, chat_type, takers)
    # The same commands, not edited, are still taken.
    assert any(h.check_update(_update("/schedule 20:00 hi", edited=False)) for h in narrowed)
    # Commands live in group 0 only, where the rule applies.
    for group, handlers in application.handlers.items():
        if group != 0:
            assert not any(
                isinstance(leaf, CommandHandler) for h in handlers for leaf in _leaves(h)
            )
