"""What the sandbox keeps and hands back to tests: the messages the bot sent, the API calls
it saw, stored files and chats, as plain records."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]

#: The user Telegram shows as the author of anonymous group admins' messages.
GROUP_ANONYMOUS_BOT: JSONDict = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}

#: Update types Telegram delivers when ``allowed_updates`` was never set (or set to ``[]``).
DEFAULT_ALLOWED_UPDATES: frozenset[str] = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


@dataclass
class SentMessage:
    """A message the bot sent, in its *current* state (edits applied, deletion flagged).

    ``text``/``caption`` are exactly what the bot sent (markup included when it used
    ``parse_mode``); ``plain_text`` is what a user would see. ``raw`` is the current
    Message JSON as the sandbox returned it to the bot.
    """

    message_id: int
    chat_id: int
    text: str | None = None
    caption: str | None = None
    photo: str | None = None  # file_id of the photo, if it is one
    document: JSONDict | None = None  # Document JSON (file_id, file_name, mime_type, ...)
    media_group_id: str | None = None
    reply_markup: JSONDict | None = None
    reply_to_message_id: int | None = None
    parse_mode: str | None = None
    edited: bool = False
    deleted: bool = False
    method: str = "sendMessage"
    plain_text: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    date: int = 0
    raw: JSONDict = field(default_factory=dict)

    @property
    def buttons(self) -> list[JSONDict]:
        """All inline keyboard buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]


@dataclass
class ApiCall:
    """One Bot API request as the sandbox saw it."""

    method: str
    params: JSONDict
    at: float
    status: int = 200
    error_description: str | None = None
    result: Any = None

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class StoredFile:
    """A file known to the sandbox (uploaded by a user or the bot, or a remote URL)."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    kind: str = "document"
    width: int = 0
    height: int = 0

    def as_file(self) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def as_document(self) -> JSONDict:
        doc: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def as_photo(self) -> list[JSONDict]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.data),
                "width": self.width,
                "height": self.height,
            }
        ]


@dataclass
class ChatState:
    """One chat. For private chats ``id`` is the user's id."""

    id: int
    type: str  # "private" | "group" | "supergroup" | "channel"
    title: str | None = None
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user_id -> status
    bot_status: str = "left"
    bot_ever_member: bool = False
    migrated_to: int | None = None
    migrated_from: int | None = None
    messages: dict[int, JSONDict] = field(default_factory=dict)  # every message by id
    sent: dict[int, SentMessage] = field(default_factory=dict)  # bot's messages, in order
    next_message_id: int = 1
    description: str | None = None

    @property
    def is_private(self) -> bool:
        return self.type == "private"


def image_size(data: bytes) -> tuple[int, int]:
    """Width/height of a PNG or JPEG (best effort; 0x0 when unknown)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                height = int.from_bytes(data[i + 5 : i + 7], "big")
                width = int.from_bytes(data[i + 7 : i + 9], "big")
                return width, height
            i += 2 + length
    return 0, 0


def commands_key(scope: JSONDict | None, language_code: str | None) -> tuple[str, str]:
    """Storage key for a command list: canonical scope JSON + language code."""
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code or ""
