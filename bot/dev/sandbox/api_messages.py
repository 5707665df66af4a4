"""Bot API methods that send, copy, edit and delete messages, and answer callbacks."""

from __future__ import annotations

from bot.dev.sandbox.api_base import CHAT_ACTIONS, ApiBase, _bool, _int, _str
from bot.dev.sandbox.faults import ApiError, bad_request
from bot.dev.sandbox.records import ChatState, JSONDict, SentMessage, StoredFile


class MessageMethods(ApiBase):
    """Sending, editing and deleting messages; answering callback queries."""

    # ------------------------------------------------------------------ sending

    def send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        self._check_can_send(chat)
        text, plain, entities = self._text(params)
        markup = self._markup(params)
        reply_to = self._reply_target(chat, params)
        self._charge(chat)
        fields: JSONDict = {"text": plain}
        if entities:
            fields["entities"] = entities
        sent = SentMessage(
            message_id=0,
            chat_id=chat.id,
            text=text,
            parse_mode=_str(params, "parse_mode"),
            plain_text=plain,
            entities=entities,
        )
        return self._bot_message(chat, "sendMessage", fields, sent, markup, reply_to)

    def _send_media(self, params: JSONDict, kind: str, method: str) -> JSONDict:
        chat = self._chat(params)
        self._check_can_send(chat)
        caption, plain, entities = self._caption(params)
        markup = self._markup(params)
        reply_to = self._reply_target(chat, params)
        stored = self._input_file(params.get(kind), kind)
        self._charge(chat)
        return self._media_message(
            chat,
            method,
            kind,
            stored,
            caption,
            plain,
            entities,
            _str(params, "parse_mode"),
            markup,
            reply_to,
            None,
        )

    def _media_message(
        self,
        chat: ChatState,
        method: str,
        kind: str,
        stored: StoredFile,
        caption: str | None,
        plain: str | None,
        entities: list[JSONDict],
        parse_mode: str | None,
        markup: JSONDict | None,
        reply_to: JSONDict | None,
        media_group_id: str | None,
    ) -> JSONDict:
        fields: JSONDict = {}
        sent = SentMessage(
            message_id=0,
            chat_id=chat.id,
            caption=caption,
            plain_text=plain,
            parse_mode=parse_mode,
            entities=entities,
            media_group_id=media_group_id,
        )
        if media_group_id is not None:
            fields["media_group_id"] = media_group_id
        if kind == "photo":
            fields["photo"] = stored.as_photo()
            sent.photo = stored.file_id
        else:
            fields[kind] = stored.as_document()
            sent.document = fields[kind]
        if plain:
            fields["caption"] = plain
            if entities:
                fields["caption_entities"] = entities
        return self._bot_message(chat, method, fields, sent, markup, reply_to)

    def send_photo(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "photo", "sendPhoto")

    def send_document(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "document", "sendDocument")

    def send_media_group(self, params: JSONDict) -> list[JSONDict]:
        chat = self._chat(params)
        self._check_can_send(chat)
        media = params.get("media")
        if not isinstance(media, list):
            raise bad_request("can't parse media JSON object")
        if len(media) < 2:
            raise bad_request("wrong number of media in the album: must include 2-10 items")
        if len(media) > 10:
            raise bad_request("too many messages to send as an album")
        kinds = {str(item.get("type")) if isinstance(item, dict) else "" for item in media}
        if not kinds <= {"photo", "video", "document", "audio"} or "" in kinds:
            raise bad_request("invalid media type in the album")
        for exclusive in ("document", "audio"):
            if exclusive in kinds and len(kinds) > 1:
                raise bad_request(f"{exclusive} can't be mixed with other media types")
        prepared: list[tuple[str, StoredFile, str | None, str | None, list[JSONDict], str | None]]
        prepared = []
        for item in media:
            kind = str(item["type"])
            caption, plain, entities = self._caption(
                {
                    "caption": item.get("caption"),
                    "parse_mode": item.get("parse_mode"),
                    "caption_entities": item.get("caption_entities"),
                }
            )
            stored = self._input_file(item.get("media"), "photo" if kind == "photo" else kind)
            prepared.append((kind, stored, caption, plain, entities, item.get("parse_mode")))
        reply_to = self._reply_target(chat, params)
        self._charge(chat, len(prepared))
        group_id = self.world.new_media_group_id()
        return [
            self._media_message(
                chat,
                "sendMediaGroup",
                "photo" if kind == "photo" else kind,
                stored,
                caption,
                plain,
                entities,
                parse_mode,
                None,
                reply_to,
                group_id,
            )
            for kind, stored, caption, plain, entities, parse_mode in prepared
        ]

    def _source_message(self, params: JSONDict, action: str) -> tuple[ChatState, JSONDict]:
        source_chat = self._chat(params, "from_chat_id")
        self._check_alive(source_chat)
        mid = _int(params, "message_id")
        msg = source_chat.messages.get(mid or 0)
        sent = source_chat.sent.get(mid or 0)
        if msg is None or (sent is not None and sent.deleted):
            raise bad_request(f"message to {action} not found")
        if not any(k in msg for k in ("text", "photo", "document", "caption")):
            raise bad_request(f"message can't be {action}ed".replace("copyed", "copied"))
        return source_chat, msg

    def copy_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        self._check_can_send(chat)
        _, source = self._source_message(params, "copy")
        markup = self._markup(params)
        reply_to = self._reply_target(chat, params)
        fields, sent = self._clone(chat, source)
        if "caption" in params and "text" not in source:
            caption, plain, entities = self._caption(params)
            sent.caption, sent.plain_text, sent.entities = caption, plain, entities
            sent.parse_mode = _str(params, "parse_mode")
            fields.pop("caption", None)
            fields.pop("caption_entities", None)
            if plain:
                fields["caption"] = plain
                if entities:
                    fields["caption_entities"] = entities
        self._charge(chat)
        msg = self._bot_message(chat, "copyMessage", fields, sent, markup, reply_to)
        return {"message_id": msg["message_id"]}

    def forward_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        self._check_can_send(chat)
        _, source = self._source_message(params, "forward")
        fields, sent = self._clone(chat, source)
        origin: JSONDict
        if "sender_chat" in source:
            origin = {"type": "chat", "date": source["date"], "sender_chat": source["sender_chat"]}
        else:
            origin = {"type": "user", "date": source["date"], "sender_user": source.get("from")}
        fields["forward_origin"] = origin
        self._charge(chat)
        return self._bot_message(chat, "forwardMessage", fields, sent, None, None)

    @staticmethod
    def _clone(chat: ChatState, source: JSONDict) -> tuple[JSONDict, SentMessage]:
        keys = ("text", "entities", "caption", "caption_entities", "photo", "document")
        fields = {k: source[k] for k in keys if k in source}
        sent = SentMessage(
            message_id=0,
            chat_id=chat.id,
            text=source.get("text"),
            caption=source.get("caption"),
            plain_text=source.get("text", source.get("caption")),
            entities=list(source.get("entities") or source.get("caption_entities") or []),
        )
        if "photo" in source:
            sent.photo = source["photo"][-1]["file_id"]
        if "document" in source:
            sent.document = source["document"]
        return fields, sent

    def send_chat_action(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        self._check_can_send(chat)
        if _str(params, "action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------------ editing & deleting

    def edit_message_text(self, params: JSONDict) -> JSONDict:
        chat, msg, sent = self._editable(params)
        if "text" not in msg:
            raise bad_request("there is no text in the message to edit")
        text, plain, entities = self._text(params)
        markup = self._markup(params)
        if (
            plain == msg.get("text")
            and entities == msg.get("entities", [])
            and markup == sent.reply_markup
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        msg["text"] = plain
        if entities:
            msg["entities"] = entities
        else:
            msg.pop("entities", None)
        self._set_markup(msg, sent, markup)
        sent.text, sent.plain_text, sent.entities = text, plain, entities
        sent.parse_mode = _str(params, "parse_mode")
        return self._finish_edit(chat, msg, sent)

    def edit_message_caption(self, params: JSONDict) -> JSONDict:
        chat, msg, sent = self._editable(params)
        if "text" in msg:
            raise bad_request("there is no caption in the message to edit")
        caption, plain, entities = self._caption(params)
        markup = self._markup(params)
        if (
            plain == msg.get("caption")
            and entities == msg.get("caption_entities", [])
            and markup == sent.reply_markup
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        if plain:
            msg["caption"] = plain
        else:
            msg.pop("caption", None)
        if entities:
            msg["caption_entities"] = entities
        else:
            msg.pop("caption_entities", None)
        self._set_markup(msg, sent, markup)
        sent.caption, sent.plain_text, sent.entities = caption, plain, entities
        sent.parse_mode = _str(params, "parse_mode")
        return self._finish_edit(chat, msg, sent)

    def edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        chat, msg, sent = self._editable(params)
        markup = self._markup(params)
        if markup == sent.reply_markup or (
            not (markup or {}).get("inline_keyboard")
            and not (sent.reply_markup or {}).get("inline_keyboard")
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        self._set_markup(msg, sent, markup)
        return self._finish_edit(chat, msg, sent)

    @staticmethod
    def _set_markup(msg: JSONDict, sent: SentMessage, markup: JSONDict | None) -> None:
        sent.reply_markup = markup
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)

    def _delete_one(self, chat: ChatState, mid: int) -> None:
        msg = chat.messages.get(mid)
        sent = chat.sent.get(mid)
        if msg is None or (sent is not None and sent.deleted):
            raise bad_request("message to delete not found")
        if sent is None:
            if not chat.is_private and chat.bot_status not in ("creator", "administrator"):
                raise bad_request("message can't be deleted")
            del chat.messages[mid]
        else:
            sent.deleted = True
            del chat.messages[mid]

    def delete_message(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        self._check_alive(chat)
        self._check_member(chat)
        self._delete_one(chat, _int(params, "message_id") or 0)
        return True

    def delete_messages(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        self._check_alive(chat)
        self._check_member(chat)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 message identifiers")
        for mid in ids:
            try:
                self._delete_one(chat, int(mid))
            except ApiError:
                continue  # Telegram skips messages it cannot find or delete
        return True

    # ------------------------------------------------------------------ callbacks

    def answer_callback_query(self, params: JSONDict) -> bool:
        query_id = _str(params, "callback_query_id")
        if not query_id:
            raise bad_request("callback_query_id is empty")
        world = self.world
        if query_id not in world.callback_queries or query_id in world.callback_answers:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = _str(params, "text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        world.callback_answers[query_id] = {
            "text": text,
            "show_alert": _bool(params, "show_alert"),
            "url": _str(params, "url"),
            "cache_time": params.get("cache_time"),
        }
        return True
