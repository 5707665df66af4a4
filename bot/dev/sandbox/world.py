"""In-memory Telegram world: users, chats, memberships, messages, files and the update queue.

:class:`World` is synchronous and knows nothing about HTTP. Its public methods are the
"user side" of a test: create users and groups, make users write, click buttons, join and
leave, and read back what the bot did. The Bot API side (``api.py``) mutates the same state.

All methods must be called from the event loop thread that runs the sandbox server.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.dev.sandbox.faults import Clock, SandboxStats
from bot.dev.sandbox.markup import command_entities

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
_PRESENT = frozenset({"creator", "administrator", "member", "restricted"})


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


class World:
    """State of the sandboxed Telegram plus the user-side scripting API."""

    def __init__(
        self,
        token: str,
        bot_username: str,
        *,
        bot_first_name: str | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.token = token
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.bot_user: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name or bot_username,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.clock = clock
        self.stats = SandboxStats()
        #: ``True``: a bare ``&`` in HTML is an error (real Telegram keeps it literally).
        self.strict_html_ampersand = True
        self.users: dict[int, JSONDict] = {}
        self.chats: dict[int, ChatState] = {}
        self._chat_by_username: dict[str, int] = {}
        self.started: set[int] = set()
        self.blocked: set[int] = set()
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._group_seq = itertools.count(1)
        self._media_group_seq = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self.queue: deque[JSONDict] = deque()
        self._next_update_id = 1
        #: every update with ``update_id < confirmed_offset`` has been confirmed by the bot
        self.confirmed_offset = 0
        self._dropped: set[int] = set()
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.webhook_url = ""
        self.command_lists: dict[tuple[str, str], list[JSONDict]] = {}
        self.callback_queries: dict[str, JSONDict] = {}
        self.callback_answers: dict[str, JSONDict] = {}
        self._calls: list[ApiCall] = []
        # Every message the bot sent, in send order, across chats (same objects as chat.sent).
        self.sent_log: list[SentMessage] = []
        #: set while the server shuts down so that long polls return at once
        self.closing = False
        self._updates_event = asyncio.Event()
        self._progress_event = asyncio.Event()

    # ------------------------------------------------------------------ users & chats

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        *,
        is_bot: bool = False,
        started: bool = False,
    ) -> JSONDict:
        """Create (or replace) a user and their private chat with the bot.

        ``started=True`` pretends the user already pressed Start (so the bot may write).
        """
        user: JSONDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        if user_id not in self.chats:
            self.chats[user_id] = ChatState(id=user_id, type="private")
        if started:
            self.started.add(user_id)
        return dict(user)

    def _user(self, user_id: int) -> JSONDict:
        if user_id not in self.users:
            self.add_user(user_id, f"User{user_id}")
        return self.users[user_id]

    def add_group(
        self,
        title: str,
        chat_id: int | None = None,
        type: str = "group",
        members: Iterable[int] | None = None,
        *,
        username: str | None = None,
        owner: int | None = None,
        admins: Iterable[int] = (),
    ) -> int:
        """Create a group/supergroup/channel; the bot is *not* in it yet.

        The owner (``creator``) is ``owner`` or else the first of ``members``; ``admins``
        become administrators; everybody else in ``members`` is a plain member. Unknown
        user ids are created on the fly. Returns the (negative) chat id.
        """
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unsupported chat type {type!r}")
        if chat_id is None:
            while True:
                n = next(self._group_seq)
                chat_id = -(500_000_000 + n) if type == "group" else -(1_000_500_000_000 + n)
                if chat_id not in self.chats:
                    break
        elif chat_id in self.chats:
            raise ValueError(f"chat {chat_id} already exists")
        chat = ChatState(id=chat_id, type=type, title=title, username=username)
        self.chats[chat_id] = chat
        if username:
            self._chat_by_username[username.lower().lstrip("@")] = chat_id
        member_list = list(members or [])
        admin_set = set(admins)
        creator = owner if owner is not None else (member_list[0] if member_list else None)
        for uid in [*member_list, *admin_set, *([creator] if creator is not None else [])]:
            self._user(uid)
            if uid == creator:
                chat.members[uid] = "creator"
            elif uid in admin_set:
                chat.members[uid] = "administrator"
            else:
                chat.members.setdefault(uid, "member")
        return chat_id

    def chat(self, chat_id: int | str) -> ChatState:
        """The chat by id or ``@username``; ``KeyError`` if unknown."""
        found = self.find_chat(chat_id)
        if found is None:
            raise KeyError(f"unknown chat {chat_id!r}")
        return found

    def find_chat(self, chat_id: int | str | None) -> ChatState | None:
        if isinstance(chat_id, str):
            text = chat_id.strip()
            if text.startswith("@"):
                cid = self._chat_by_username.get(text[1:].lower())
                return self.chats.get(cid) if cid is not None else None
            try:
                chat_id = int(text)
            except ValueError:
                return None
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            return None
        return self.chats.get(chat_id)

    def block_bot(self, user_id: int) -> None:
        """The user blocked the bot: private sends now get 403."""
        self._user(user_id)
        self.blocked.add(user_id)

    def unblock_bot(self, user_id: int) -> None:
        self.blocked.discard(user_id)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Silently set a user's status (no update is generated)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"bad status {status!r}")
        self._user(user_id)
        self.chat(chat_id).members[user_id] = status

    # ------------------------------------------------------------------ JSON builders

    def chat_json(self, chat: ChatState) -> JSONDict:
        """The short ``Chat`` object embedded in messages and updates."""
        if chat.is_private:
            user = self.users.get(chat.id, {"first_name": f"User{chat.id}"})
            data: JSONDict = {"id": chat.id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    data[key] = user[key]
            return data
        data = {"id": chat.id, "type": chat.type, "title": chat.title or ""}
        if chat.username:
            data["username"] = chat.username
        return data

    def chat_full_info(self, chat: ChatState) -> JSONDict:
        """``ChatFullInfo`` for getChat, with every field PTB 22.8 requires."""
        data = self.chat_json(chat)
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if chat.description:
            data["description"] = chat.description
        if not chat.is_private:
            data["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        return data

    def member_json(self, chat: ChatState, user: JSONDict, status: str) -> JSONDict:
        """A ``ChatMember`` object of the right variant for ``status``."""
        is_bot_self = user.get("id") == self.bot_id
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights: JSONDict = {
                "status": "administrator",
                "user": user,
                "can_be_edited": not is_bot_self,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
            if chat.type == "supergroup":
                rights["can_manage_topics"] = False
            if chat.type == "channel":
                rights["can_post_messages"] = True
                rights["can_edit_messages"] = True
            return rights
        if status == "restricted":
            return {
                "status": "restricted",
                "user": user,
                "is_member": True,
                "can_change_info": False,
                "can_invite_users": False,
                "can_pin_messages": False,
                "can_send_messages": False,
                "can_send_polls": False,
                "can_send_other_messages": False,
                "can_add_web_page_previews": False,
                "can_manage_topics": False,
                "until_date": 0,
                "can_send_audios": False,
                "can_send_documents": False,
                "can_send_photos": False,
                "can_send_videos": False,
                "can_send_video_notes": False,
                "can_send_voice_notes": False,
                "can_edit_tag": False,
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        if status in ("member", "left"):
            return {"status": status, "user": user}
        raise ValueError(f"bad status {status!r}")

    def member_status(self, chat: ChatState, user_id: int) -> str:
        if user_id == self.bot_id:
            return chat.bot_status
        if chat.is_private:
            return "member" if user_id == chat.id else "left"
        return chat.members.get(user_id, "left")

    # ------------------------------------------------------------------ messages

    def now(self) -> int:
        """Wall-clock unix time for ``date`` fields."""
        return int(time.time())

    def new_message(
        self,
        chat: ChatState,
        sender: JSONDict | None,
        fields: JSONDict,
        *,
        sender_chat: ChatState | None = None,
    ) -> JSONDict:
        """Allocate a message id in ``chat``, store and return the Message JSON."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        msg: JSONDict = {"message_id": message_id, "date": self.now(), "chat": self.chat_json(chat)}
        if sender is not None:
            msg["from"] = sender
        if sender_chat is not None:
            msg["sender_chat"] = self.chat_json(sender_chat)
        msg.update(fields)
        chat.messages[message_id] = msg
        return msg

    @staticmethod
    def shallow_message(msg: JSONDict) -> JSONDict:
        """A message as embedded in ``reply_to_message`` (no nested reply)."""
        return {k: v for k, v in msg.items() if k != "reply_to_message"}

    def store_file(
        self,
        data: bytes,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        n = next(self._file_seq)
        prefix = "AgAC" if kind == "photo" else "BQAC"
        if kind == "photo":
            ext = ".png" if data[:4] == b"\x89PNG" else ".jpg"
            path = f"photos/file_{n}{ext}"
        else:
            suffix = ""
            if file_name and "." in file_name:
                suffix = "." + file_name.rsplit(".", 1)[1]
            path = f"documents/file_{n}{suffix}"
        width, height = image_size(data) if kind == "photo" else (0, 0)
        stored = StoredFile(
            file_id=f"{prefix}{self.bot_id}x{n:06d}",
            file_unique_id=f"AQAD{n:06d}",
            data=data,
            file_path=path,
            file_name=file_name,
            mime_type=mime_type,
            kind=kind,
            width=width or (1280 if kind == "photo" else 0),
            height=height or (720 if kind == "photo" else 0),
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # ------------------------------------------------------------------ update queue

    def new_media_group_id(self) -> str:
        return str(13_000_000_000_000_000 + next(self._media_group_seq))

    def _queue_update(self, kind: str, payload: JSONDict, deliver: bool = True) -> JSONDict:
        update: JSONDict = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if deliver:
            self.queue.append(update)
            self._updates_event.set()
        else:
            self._dropped.add(update["update_id"])
            self._progress_event.set()
        return update

    def inject(self, update: JSONDict) -> JSONDict:
        """Queue a raw update; ``update_id`` is assigned when missing (or too small)."""
        update = dict(update)
        uid = update.get("update_id")
        if not isinstance(uid, int) or uid < self._next_update_id:
            update["update_id"] = self._next_update_id
        self._next_update_id = update["update_id"] + 1
        self.queue.append(update)
        self._updates_event.set()
        return update

    def is_consumed(self, update: JSONDict | int) -> bool:
        """True once the bot confirmed the update (or it was never deliverable)."""
        uid = update if isinstance(update, int) else int(update["update_id"])
        return uid < self.confirmed_offset or uid in self._dropped

    def confirm(self, offset: int) -> None:
        """Apply ``getUpdates(offset=...)``: drop every update below ``offset``."""
        if offset <= self.confirmed_offset:
            return
        self.confirmed_offset = offset
        queue = self.queue
        while queue and queue[0]["update_id"] < offset:
            queue.popleft()
        self._progress_event.set()

    def drop_pending(self) -> None:
        for update in self.queue:
            self._dropped.add(update["update_id"])
        self.queue.clear()
        self._progress_event.set()

    def take_updates(self, limit: int) -> list[JSONDict]:
        """Up to ``limit`` pending updates of allowed types (others are discarded)."""
        result: list[JSONDict] = []
        kept: list[JSONDict] = []
        queue = self.queue
        allowed = self.allowed_updates
        discarded = False
        while queue and len(result) < limit:
            update = queue.popleft()
            kind = next((k for k in update if k != "update_id"), "")
            if kind in allowed:
                result.append(update)
                kept.append(update)
            else:
                self._dropped.add(update["update_id"])
                discarded = True
        queue.extendleft(reversed(kept))
        if discarded:
            self._progress_event.set()
        return result

    # ------------------------------------------------------------------ scripted user actions

    def _bot_present(self, chat: ChatState) -> bool:
        return chat.is_private or chat.bot_status in ("creator", "administrator", "member")

    def _bot_is_admin(self, chat: ChatState) -> bool:
        return chat.bot_status in ("creator", "administrator")

    def _ensure_member(self, chat: ChatState, user_id: int) -> None:
        if chat.is_private:
            return
        status = chat.members.get(user_id)
        if status == "kicked":
            raise ValueError(f"user {user_id} is banned in chat {chat.id}")
        if status is None or status == "left":
            chat.members[user_id] = "member"

    def member_update(
        self,
        kind: str,
        chat: ChatState,
        actor: JSONDict,
        subject: JSONDict,
        old: str,
        new: str,
        deliver: bool,
    ) -> JSONDict:
        payload = {
            "chat": self.chat_json(chat),
            "from": actor,
            "date": self.now(),
            "old_chat_member": self.member_json(chat, subject, old),
            "new_chat_member": self.member_json(chat, subject, new),
        }
        return self._queue_update(kind, payload, deliver)

    def add_bot_to_group(
        self,
        chat_id: int,
        by_user_id: int,
        as_admin: bool = True,
        *,
        service_message: bool = False,
    ) -> JSONDict:
        """A user adds the bot: ``my_chat_member`` (old -> administrator/member).

        ``service_message=True`` also queues the ``new_chat_members`` message Telegram sends.
        """
        chat = self.chat(chat_id)
        actor = self._user(by_user_id)
        self._ensure_member(chat, by_user_id)
        old = chat.bot_status
        new = "administrator" if as_admin else "member"
        chat.bot_status = new
        chat.bot_ever_member = True
        update = self.member_update("my_chat_member", chat, actor, self.bot_user, old, new, True)
        if service_message:
            msg = self.new_message(chat, actor, {"new_chat_members": [self.bot_user]})
            self._queue_update("message", msg)
        return update

    def kick_bot(self, chat_id: int, by_user_id: int) -> JSONDict:
        """A user removes the bot: ``my_chat_member`` (-> kicked); later sends get 403."""
        chat = self.chat(chat_id)
        actor = self._user(by_user_id)
        old = chat.bot_status
        chat.bot_status = "kicked"
        return self.member_update("my_chat_member", chat, actor, self.bot_user, old, "kicked", True)

    def add_member(
        self,
        chat_id: int,
        user_id: int,
        by: int | None = None,
        *,
        service_message: bool = False,
    ) -> JSONDict:
        """The user joins (``by=None``) or is added by ``by``: ``chat_member`` left -> member.

        Like Telegram, the update is only delivered when the bot is an administrator
        (otherwise it is returned but counts as consumed at once).
        """
        chat = self.chat(chat_id)
        subject = self._user(user_id)
        actor = self._user(by) if by is not None else subject
        old = chat.members.get(user_id, "left")
        chat.members[user_id] = "member"
        update = self.member_update(
            "chat_member", chat, actor, subject, old, "member", self._bot_is_admin(chat)
        )
        if service_message:
            msg = self.new_message(chat, actor, {"new_chat_members": [subject]})
            self._queue_update("message", msg, self._bot_present(chat))
        return update

    def remove_member(
        self,
        chat_id: int,
        user_id: int,
        kicked: bool = False,
        *,
        by: int | None = None,
        service_message: bool = False,
    ) -> JSONDict:
        """The user leaves (or is banned with ``kicked=True``): ``chat_member`` -> left/kicked."""
        chat = self.chat(chat_id)
        subject = self._user(user_id)
        actor = self._user(by) if by is not None else subject
        old = chat.members.get(user_id, "left")
        new = "kicked" if kicked else "left"
        chat.members[user_id] = new
        update = self.member_update(
            "chat_member", chat, actor, subject, old, new, self._bot_is_admin(chat)
        )
        if service_message:
            msg = self.new_message(chat, actor, {"left_chat_member": subject})
            self._queue_update("message", msg, self._bot_present(chat))
        return update

    def _user_message(
        self,
        chat_id: int,
        user_id: int,
        fields: JSONDict,
        reply_to: int | None,
    ) -> JSONDict:
        sender = self._user(user_id)  # unknown users (and their private chat) are created
        chat = self.chat(chat_id)
        if chat.is_private:
            if chat.id != user_id:
                raise ValueError("a private chat's id is the user's id")
            self.started.add(user_id)
            self.blocked.discard(user_id)  # writing to a bot unblocks it (Restart button)
        else:
            self._ensure_member(chat, user_id)
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None:
                raise KeyError(f"no message {reply_to} in chat {chat_id}")
            fields["reply_to_message"] = self.shallow_message(target)
        msg = self.new_message(chat, sender, fields)
        return self._queue_update("message", msg, self._bot_present(chat))

    def send_text(
        self, chat_id: int, user_id: int, text: str, *, reply_to: int | None = None
    ) -> JSONDict:
        """The user writes ``text`` (a leading ``/command`` gets a ``bot_command`` entity).

        ``chat_id == user_id`` is the private chat (and marks the user as having started
        the bot). Group messages are only delivered when the bot is in the group.
        """
        fields: JSONDict = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return self._user_message(chat_id, user_id, fields, reply_to)

    def send_document(
        self,
        chat_id: int,
        user_id: int,
        file_name: str,
        data: bytes,
        caption: str | None = None,
        mime_type: str | None = None,
        *,
        reply_to: int | None = None,
    ) -> JSONDict:
        """The user sends a file; the bot can ``getFile`` and download it."""
        stored = self.store_file(data, kind="document", file_name=file_name, mime_type=mime_type)
        fields: JSONDict = {"document": stored.as_document()}
        if caption is not None:
            fields["caption"] = caption
            entities = command_entities(caption)
            if entities:
                fields["caption_entities"] = entities
        return self._user_message(chat_id, user_id, fields, reply_to)

    def send_photo(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        caption: str | None = None,
        *,
        reply_to: int | None = None,
    ) -> JSONDict:
        """The user sends a photo."""
        stored = self.store_file(data, kind="photo", mime_type="image/jpeg")
        fields: JSONDict = {"photo": stored.as_photo()}
        if caption is not None:
            fields["caption"] = caption
            entities = command_entities(caption)
            if entities:
                fields["caption_entities"] = entities
        return self._user_message(chat_id, user_id, fields, reply_to)

    def click(
        self, user_id: int, chat_id: int, message_id: int, data: str, *, strict: bool = True
    ) -> JSONDict:
        """The user presses an inline button: a ``callback_query`` update.

        With ``strict`` the message must be a live bot message that has a button with
        this ``callback_data`` (a real client cannot press anything else).
        """
        chat = self.chat(chat_id)
        user = self._user(user_id)
        sent = chat.sent.get(message_id)
        msg = chat.messages.get(message_id)
        if strict:
            if sent is None or sent.deleted or msg is None:
                raise KeyError(f"no live bot message {message_id} in chat {chat_id}")
            if not any(b.get("callback_data") == data for b in sent.buttons):
                raise ValueError(
                    f"message {message_id} has no button with callback_data {data!r}; "
                    f"buttons: {[b.get('callback_data') for b in sent.buttons]}"
                )
        query_id = f"{self.bot_id}{next(self._callback_seq):010d}"
        payload: JSONDict = {
            "id": query_id,
            "from": user,
            "chat_instance": str(abs(chat.id) * 7919 % 10**18),
            "data": data,
        }
        if msg is not None:
            payload["message"] = msg
        self.callback_queries[query_id] = payload
        return self._queue_update("callback_query", payload)

    def anonymous_admin_command(self, chat_id: int, text: str) -> JSONDict:
        """A message by an anonymous group admin (from GroupAnonymousBot, sender_chat=group)."""
        chat = self.chat(chat_id)
        fields: JSONDict = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        msg = self.new_message(chat, dict(GROUP_ANONYMOUS_BOT), fields, sender_chat=chat)
        return self._queue_update("message", msg, self._bot_present(chat))

    def migrate_group(self, chat_id: int, new_chat_id: int | None = None) -> int:
        """Upgrade a group to a supergroup and return the new id.

        Queues the ``migrate_to_chat_id`` service message in the old chat and the
        ``migrate_from_chat_id`` one in the new chat. The old id is dead afterwards.
        """
        old = self.chat(chat_id)
        if old.type != "group":
            raise ValueError("only basic groups migrate")
        if old.migrated_to is not None:
            raise ValueError(f"chat {chat_id} already migrated to {old.migrated_to}")
        if new_chat_id is None:
            new_chat_id = -(1_000_000_000_000 + abs(chat_id))
            while new_chat_id in self.chats:
                new_chat_id -= 1
        new = ChatState(
            id=new_chat_id,
            type="supergroup",
            title=old.title,
            username=old.username,
            members=dict(old.members),
            bot_status=old.bot_status,
            bot_ever_member=old.bot_ever_member,
            migrated_from=old.id,
            description=old.description,
        )
        self.chats[new_chat_id] = new
        if old.username:
            self._chat_by_username[old.username.lower()] = new_chat_id
        deliver = self._bot_present(old)
        creator_id = next((u for u, s in old.members.items() if s == "creator"), None)
        actor = self._user(creator_id) if creator_id is not None else dict(GROUP_ANONYMOUS_BOT)
        old_msg = self.new_message(old, actor, {"migrate_to_chat_id": new_chat_id})
        self._queue_update("message", old_msg, deliver)
        new_msg = self.new_message(
            new, dict(GROUP_ANONYMOUS_BOT), {"migrate_from_chat_id": old.id}, sender_chat=new
        )
        self._queue_update("message", new_msg, deliver)
        old.migrated_to = new_chat_id
        return new_chat_id

    # ------------------------------------------------------------------ reading back

    def messages(self, chat_id: int | str) -> list[SentMessage]:
        """Messages the bot sent into the chat, in order, current state (deleted flagged)."""
        chat = self.find_chat(chat_id)
        return list(chat.sent.values()) if chat is not None else []

    def sent_count(self) -> int:
        """How many messages the bot has sent so far (a mark for :meth:`sent_since`)."""
        return len(self.sent_log)

    def sent_since(self, mark: int) -> list[SentMessage]:
        """Messages the bot sent after ``mark`` (from :meth:`sent_count`), in send order."""
        return self.sent_log[mark:]

    def last_message(self, chat_id: int | str) -> SentMessage | None:
        chat = self.find_chat(chat_id)
        if chat is None or not chat.sent:
            return None
        return next(reversed(chat.sent.values()))

    def record_call(self, call: ApiCall) -> None:
        self._calls.append(call)

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[ApiCall]:
        """Recorded API calls, optionally filtered (method name is case-insensitive)."""
        wanted = method.lower() if method else None
        return [
            c
            for c in self._calls
            if (wanted is None or c.method.lower() == wanted)
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def reset_calls(self) -> None:
        self._calls.clear()

    def members(self, chat_id: int | str) -> dict[int, str]:
        """user_id -> status for every user the chat knows (the bot excluded)."""
        return dict(self.chat(chat_id).members)

    def bot_status(self, chat_id: int | str) -> str:
        return self.chat(chat_id).bot_status

    def is_banned(self, chat_id: int | str, user_id: int) -> bool:
        return self.chat(chat_id).members.get(user_id) == "kicked"

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands set with setMyCommands for exactly this scope + language."""
        return [dict(c) for c in self.command_lists.get(commands_key(scope, language_code), [])]

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def callback_answer(self, query_id: str) -> JSONDict | None:
        """What the bot answered to a callback query (``None`` if not answered)."""
        return self.callback_answers.get(query_id)

    # ------------------------------------------------------------------ waiting

    def _reset_events(self) -> None:
        """Fresh events for the running loop (events bind to the first loop using them)."""
        self._updates_event = asyncio.Event()
        self._progress_event = asyncio.Event()
        if self.queue:
            self._updates_event.set()

    def wake_pollers(self) -> None:
        self._updates_event.set()

    async def wait_new_updates(self, seconds: float) -> None:
        """Sleep until an update is queued or ``seconds`` pass."""
        event = self._updates_event
        event.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    async def wait_consumed(
        self,
        update: JSONDict | int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public contract
    ) -> None:
        """Return once the bot's ``getUpdates`` confirmed this update.

        Confirmation means PTB fetched it and asked for the next ones; its handler may
        still be running, so follow up with :meth:`wait_for` on the outcome.
        """
        uid = update if isinstance(update, int) else int(update["update_id"])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.is_consumed(uid):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"update {uid} not consumed within {timeout}s "
                    f"(confirmed offset {self.confirmed_offset}, {len(self.queue)} pending; "
                    "is the bot polling, with allowed_updates covering this type?)"
                )
            event = self._progress_event
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.05))

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109
        interval: float = 0.01,
    ) -> Any:
        """Poll ``predicate`` until it returns something truthy, and return that value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if loop.time() >= deadline:
                recent = ", ".join(
                    f"{c.method}({c.params.get('chat_id', '')})->{c.status}"
                    for c in self._calls[-8:]
                )
                name = getattr(predicate, "__qualname__", repr(predicate))
                raise TimeoutError(
                    f"condition {name} still false after {timeout}s; "
                    f"last calls: [{recent}]; pending updates: {len(self.queue)}"
                )
            await asyncio.sleep(interval)

    async def wait_for_messages(
        self,
        chat_id: int | str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` messages into the chat."""
        await self.wait_for(lambda: len(self.messages(chat_id)) >= count, timeout)
        return self.messages(chat_id)


def commands_key(scope: JSONDict | None, language_code: str | None) -> tuple[str, str]:
    """Storage key for a command list: canonical scope JSON + language code."""
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code or ""
