"""handlers/common/filters.py GROUP_MESSAGE answers as PTB's ``filters.ChatType.GROUPS &
~filters.StatusUpdate.ALL`` does, once per update."""

from __future__ import annotations

import inspect
import re
from typing import Any

from telegram import Update
from telegram.ext import filters

from handlers.common.filters import GROUP_MESSAGE, STATUS_UPDATES

PTB_GROUP_MESSAGE = filters.ChatType.GROUPS & ~filters.StatusUpdate.ALL
DATE = 1_800_000_000
USER = {"id": 5, "is_bot": False, "first_name": "代理"}
GROUP = {"id": -100, "type": "group", "title": "g"}
SUPERGROUP = {"id": -1001, "type": "supergroup", "title": "s"}
PRIVATE = {"id": 5, "type": "private", "first_name": "代理"}
CHANNEL = {"id": -1002, "type": "channel", "title": "c"}


def _update(kind: str, chat: dict[str, Any], **fields: Any) -> Update:
    message = {"message_id": 1, "date": DATE, "chat": chat, "from": USER, **fields}
    update = Update.de_json({"update_id": 1, kind: message}, None)
    assert update is not None
    return update


def test_status_updates_are_the_ones_ptb_asks() -> None:
    source = inspect.getsource(filters.StatusUpdate._All.filter)
    asked = set(re.findall(r"StatusUpdate\.(\w+)\.check_update", source))
    assert {getattr(filters.StatusUpdate, name) for name in asked} == set(STATUS_UPDATES)
    assert len(STATUS_UPDATES) == len(asked)


def test_answers_as_ptb_on_every_kind_of_message() -> None:
    statuses: list[dict[str, Any]] = [
        {"new_chat_members": [USER]},
        {"left_chat_member": USER},
        {"new_chat_title": "t"},
        {"group_chat_created": True},
        {"migrate_to_chat_id": -1009},
        {"migrate_from_chat_id": -1008},
        {"pinned_message": {"message_id": 2, "date": DATE, "chat": GROUP, "text": "x"}},
        {"delete_chat_photo": True},
        {"video_chat_started": {}},
        {"forum_topic_created": {"name": "n", "icon_color": 1}},
        {"write_access_allowed": {}},
    ]
    contents: list[dict[str, Any]] = [
        {"text": "A1 还有货吗"},
        {"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]},
        {
            "caption": "图",
            "photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
        },
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        *statuses,
    ]
    cases = 0
    for kind in ("message", "edited_message", "channel_post"):
        for chat in (GROUP, SUPERGROUP, PRIVATE, CHANNEL):
            for content in contents:
                extra = {"edit_date": DATE} if kind == "edited_message" else {}
                update = _update(kind, chat, **content, **extra)
                expected = bool(PTB_GROUP_MESSAGE.check_update(update))
                assert GROUP_MESSAGE.check_update(update) is expected, (kind, chat, content)
                cases += 1
    assert cases == 3 * 4 * len(contents)
    press = Update.de_json(
        {"update_id": 2, "callback_query": {"id": "1", "from": USER, "chat_instance": "c"}},
        None,
    )
    assert press is not None
    assert GROUP_MESSAGE.check_update(press) is bool(PTB_GROUP_MESSAGE.check_update(press))


def test_the_answer_is_kept_for_the_same_update_only() -> None:
    chatter = _update("message", SUPERGROUP, text="hi")
    join = _update("message", SUPERGROUP, new_chat_members=[USER])
    assert GROUP_MESSAGE.check_update(chatter) is True
    assert GROUP_MESSAGE.check_update(chatter) is True
    assert GROUP_MESSAGE.check_update(join) is False
    assert GROUP_MESSAGE.check_update(chatter) is True
    # Equal content, another object: worked out again, same answer.
    assert GROUP_MESSAGE.check_update(_update("message", SUPERGROUP, text="hi")) is True
    assert GROUP_MESSAGE.check_update(_update("message", PRIVATE, text="hi")) is False
