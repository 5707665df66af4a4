"""In-memory Telegram world: users, chats, memberships, messages, files and the update queue.

:class:`World` is synchronous and knows nothing about HTTP. Its public methods are the
"user side" of a test: create users and groups, make users write, click buttons, join and
leave, and read back what the bot did. The Bot API side (``api.py``) mutates the same state.

The world is built in layers: ``records`` (plain records), ``state`` (users, chats,
memberships), ``updates`` (messages, files, the update queue, reading back, waiting), and
here the scripted user actions on top.

All methods must be called from the event loop thread that runs the sandbox server.
"""

from __future__ import annotations

from bot.dev.sandbox.markup import command_entities
from bot.dev.sandbox.records import (
    DEFAULT_ALLOWED_UPDATES,
    GROUP_ANONYMOUS_BOT,
    MEMBER_STATUSES,
    ApiCall,
    ChatState,
    JSONDict,
    SentMessage,
    StoredFile,
    commands_key,
    image_size,
)
from bot.dev.sandbox.updates import WorldUpdates


class World(WorldUpdates):
    """State of the sandboxed Telegram plus the user-side scripting API."""

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

    def inline_query(
        self, user_id: int, query: str, *, offset: str = "", chat_type: str = "sender"
    ) -> JSONDict:
        """The user types ``@bot <query>`` in some chat: an ``inline_query`` update (the bot
        answers it with ``answerInlineQuery``; read it back with ``inline_answers``)."""
        user = self._user(user_id)
        query_id = f"{self.bot_id}{next(self._callback_seq):010d}"
        payload: JSONDict = {
            "id": query_id,
            "from": user,
            "query": query,
            "offset": offset,
            "chat_type": chat_type,
        }
        self.inline_queries[query_id] = payload
        return self._queue_update("inline_query", payload)

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


__all__ = [
    "DEFAULT_ALLOWED_UPDATES",
    "GROUP_ANONYMOUS_BOT",
    "MEMBER_STATUSES",
    "ApiCall",
    "ChatState",
    "JSONDict",
    "SentMessage",
    "StoredFile",
    "World",
    "commands_key",
    "image_size",
]
