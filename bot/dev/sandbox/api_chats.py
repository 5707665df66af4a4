"""Bot API methods about chats and their members, pins, and files."""

from __future__ import annotations

from bot.dev.sandbox.api_base import MAX_DOWNLOAD, ApiBase, _bool, _int, _str
from bot.dev.sandbox.faults import bad_request
from bot.dev.sandbox.records import ChatState, JSONDict


class ChatMethods(ApiBase):
    """Chat info, members and administrators, bans, leaving, pins and getFile."""

    # ------------------------------------------------------------------ chats & members

    def _group_for_admin_action(self, params: JSONDict) -> ChatState:
        chat = self._chat(params)
        self._check_alive(chat)
        if chat.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        self._check_member(chat)
        if chat.bot_status not in ("creator", "administrator"):
            raise bad_request("not enough rights to restrict/unrestrict chat member")
        return chat

    def _target_user(self, params: JSONDict) -> JSONDict:
        uid = _int(params, "user_id")
        user = self.world.users.get(uid or 0)
        if user is None:
            if uid == self.world.bot_id:
                return dict(self.world.bot_user)
            raise bad_request("user not found")
        return user

    def _set_status(self, chat: ChatState, user: JSONDict, new: str) -> None:
        world = self.world
        old = chat.members.get(user["id"], "left")
        chat.members[user["id"]] = new
        if old != new:
            world.member_update("chat_member", chat, world.bot_user, user, old, new, True)

    def ban_chat_member(self, params: JSONDict) -> bool:
        chat = self._group_for_admin_action(params)
        user = self._target_user(params)
        if user["id"] == self.world.bot_id:
            raise bad_request("can't remove self")
        status = chat.members.get(user["id"], "left")
        if status == "creator":
            raise bad_request("can't remove chat owner")
        if status == "administrator":
            raise bad_request("user is an administrator of the chat")
        self._set_status(chat, user, "kicked")
        return True

    def unban_chat_member(self, params: JSONDict) -> bool:
        chat = self._group_for_admin_action(params)
        user = self._target_user(params)
        status = chat.members.get(user["id"], "left")
        if status == "creator":
            raise bad_request("can't remove chat owner")
        if status == "administrator":
            raise bad_request("user is an administrator of the chat")
        if status == "kicked":
            self._set_status(chat, user, "left")
        elif status in ("member", "restricted") and not _bool(params, "only_if_banned"):
            # Documented Telegram behaviour: unban without only_if_banned removes a member.
            self._set_status(chat, user, "left")
        return True

    def get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        self._check_alive(chat)
        self._check_member(chat)
        return self.world.chat_full_info(chat)

    def get_chat_member(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        self._check_alive(chat)
        self._check_member(chat)
        user = self._target_user(params)
        status = self.world.member_status(chat, user["id"])
        return self.world.member_json(chat, user, status)

    def get_chat_member_count(self, params: JSONDict) -> int:
        chat = self._chat(params)
        self._check_alive(chat)
        self._check_member(chat)
        if chat.is_private:
            return 2
        present = ("creator", "administrator", "member", "restricted")
        count = sum(1 for s in chat.members.values() if s in present)
        return count + (1 if chat.bot_status in present else 0)

    def get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        chat = self._chat(params)
        self._check_alive(chat)
        if chat.is_private:
            raise bad_request("there are no administrators in the private chat")
        self._check_member(chat)
        world = self.world
        admins = [
            world.member_json(chat, world.users[uid], status)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator") and uid in world.users
        ]
        if chat.bot_status in ("creator", "administrator"):
            admins.append(world.member_json(chat, world.bot_user, chat.bot_status))
        return admins

    def leave_chat(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        self._check_alive(chat)
        if chat.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        self._check_member(chat)
        world = self.world
        old = chat.bot_status
        chat.bot_status = "left"
        world.member_update(
            "my_chat_member", chat, world.bot_user, world.bot_user, old, "left", True
        )
        return True

    def pin_chat_message(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        self._check_alive(chat)
        self._check_member(chat)
        if params.get("message_id") is not None:
            self._find_message(chat, params, "pin")
        return True

    def get_file(self, params: JSONDict) -> JSONDict:
        file_id = _str(params, "file_id")
        if not file_id:
            raise bad_request("file_id is empty")
        stored = self.world.files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return stored.as_file()
