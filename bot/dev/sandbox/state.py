"""The sandboxed Telegram's people and places: the bot, users, chats and memberships, and
how they look as Bot API JSON."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Iterable

from bot.dev.sandbox.faults import Clock, SandboxStats
from bot.dev.sandbox.records import (
    DEFAULT_ALLOWED_UPDATES,
    MEMBER_STATUSES,
    ApiCall,
    ChatState,
    JSONDict,
    SentMessage,
    StoredFile,
)


class WorldState:
    """Users, chats and memberships; the other parts of the world build on this state."""

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
        self.inline_queries: dict[str, JSONDict] = {}
        self.inline_answers: dict[str, JSONDict] = {}
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
