"""What every Bot API method family shares: limits, parameter decoding, and the checks and
message building on top of :class:`~bot.dev.sandbox.world.World`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.dev.sandbox.faults import (
    ApiError,
    FaultRule,
    RateLimiter,
    SandboxLimits,
    bad_request,
    forbidden,
)
from bot.dev.sandbox.markup import EntityParseError, parse_html
from bot.dev.sandbox.records import ChatState, JSONDict, SentMessage, StoredFile
from bot.dev.sandbox.world import World

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


@dataclass
class UploadedFile:
    """A multipart file part of a request."""

    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


def _utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji is often 2)."""
    return len(text.encode("utf-16-le")) // 2


def _int(params: JSONDict, name: str, *, required: bool = True) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is empty")
        return None
    if isinstance(value, bool):
        raise bad_request(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise bad_request(f"invalid {name} specified") from None


def _bool(params: JSONDict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _str(params: JSONDict, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


class ApiBase:
    """The state of the Bot API side and the helpers its method families share."""

    def __init__(self, world: World, limiter: RateLimiter) -> None:
        self.world = world
        self.limiter = limiter
        self.limits: SandboxLimits | None = None
        # Seconds each call but getUpdates takes to answer (a realistic round trip: 0.04).
        self.latency = 0.0
        self.fault_rules: list[FaultRule] = []
        self._uploads: dict[str, UploadedFile] = {}  # attach names of the current request
        self._poll_generation = 0

    # ------------------------------------------------------------------ helpers

    def _chat(self, params: JSONDict, name: str = "chat_id") -> ChatState:
        raw = params.get(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is empty")
        chat = self.world.find_chat(raw)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _check_alive(self, chat: ChatState) -> None:
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )

    def _check_can_send(self, chat: ChatState) -> None:
        """Telegram's refusals for writing into ``chat``."""
        self._check_alive(chat)
        world = self.world
        if chat.is_private:
            if chat.id in world.blocked:
                raise forbidden("bot was blocked by the user")
            if chat.id not in world.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        self._check_member(chat)
        if chat.type == "channel" and chat.bot_status not in ("creator", "administrator"):
            raise bad_request("need administrator rights in the channel chat")

    def _check_member(self, chat: ChatState) -> None:
        if chat.is_private:
            return
        kind = "channel" if chat.type == "channel" else f"{chat.type}"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")

    def _charge(self, chat: ChatState, n: int = 1) -> None:
        if self.limits is not None:
            self.limiter.charge(self.limits, chat.id, chat.is_private, n)

    def _render(
        self, text: str, parse_mode: str | None, entities: Any
    ) -> tuple[str, list[JSONDict]]:
        if parse_mode and parse_mode.lower() == "html":
            try:
                return parse_html(text, self.world.strict_html_ampersand)
            except EntityParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        if parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        return text, list(entities) if isinstance(entities, list) else []

    def _text(self, params: JSONDict) -> tuple[str, str, list[JSONDict]]:
        text = _str(params, "text")
        if not text:
            raise bad_request("message text is empty")
        plain, entities = self._render(text, _str(params, "parse_mode"), params.get("entities"))
        if not plain.strip():
            raise bad_request("message text is empty")
        if _utf16_length(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        return text, plain, entities

    def _caption(
        self, params: JSONDict, key: str = "caption"
    ) -> tuple[str | None, str | None, list[JSONDict]]:
        caption = _str(params, key)
        if not caption:
            return None, None, []
        plain, entities = self._render(
            caption, _str(params, "parse_mode"), params.get("caption_entities")
        )
        if _utf16_length(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return caption, plain, entities

    def _markup(self, params: JSONDict) -> JSONDict | None:
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is not None:
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            count = 0
            for row in rows:
                for button in row:
                    count += 1
                    self._check_button(button)
            if count > 100:
                raise bad_request("too many inline keyboard buttons")
        elif not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        if not any(k in button for k in _BUTTON_ACTIONS):
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the "
                "inline keyboard"
            )
        data = button.get("callback_data")
        if data is not None:
            size = len(str(data).encode("utf-8"))
            if size < 1 or size > MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
        url = button.get("url")
        if url is not None and not re.match(r"(https?|tg)://\S+$", str(url)):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_target(self, chat: ChatState, params: JSONDict) -> JSONDict | None:
        """The message being replied to (``reply_parameters`` or legacy field)."""
        reply = params.get("reply_parameters")
        allow_missing = _bool(params, "allow_sending_without_reply")
        target_chat = chat
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            if reply.get("chat_id") is not None:
                other = self.world.find_chat(reply["chat_id"])
                if other is None:
                    raise bad_request("chat not found")
                target_chat = other
        else:
            message_id = params.get("reply_to_message_id")
        if message_id is None:
            return None
        try:
            mid = int(message_id)
        except (TypeError, ValueError):
            raise bad_request("invalid reply_to_message_id specified") from None
        target = target_chat.messages.get(mid)
        if target is None:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _bot_message(
        self,
        chat: ChatState,
        method: str,
        fields: JSONDict,
        sent: SentMessage,
        markup: JSONDict | None,
        reply_to: JSONDict | None,
    ) -> JSONDict:
        """Create, store and return a bot message; ``sent`` gets the ids and raw JSON."""
        world = self.world
        if markup is not None and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        if reply_to is not None:
            fields["reply_to_message"] = world.shallow_message(reply_to)
        sender_chat = chat if chat.type == "channel" else None
        sender = None if chat.type == "channel" else world.bot_user
        msg = world.new_message(chat, sender, fields, sender_chat=sender_chat)
        sent.message_id = msg["message_id"]
        sent.chat_id = chat.id
        sent.date = msg["date"]
        sent.method = method
        sent.reply_markup = markup
        sent.reply_to_message_id = reply_to["message_id"] if reply_to is not None else None
        sent.raw = msg
        chat.sent[sent.message_id] = sent
        world.sent_log.append(sent)
        world.stats.sent_ok += 1
        return msg

    def _input_file(self, value: Any, kind: str) -> StoredFile:
        """Resolve an upload, ``attach://name``, known file_id or URL to a stored file."""
        world = self.world
        if isinstance(value, UploadedFile):
            return self._store_upload(value, kind)
        if value is None or value == "":
            raise bad_request(f"there is no {kind} in the request")
        text = str(value)
        if text.startswith("attach://"):
            upload = self._uploads.get(text[len("attach://") :])
            if upload is None:
                raise bad_request(f'can\'t find attached file "{text[len("attach://") :]}"')
            return self._store_upload(upload, kind)
        if text.startswith(("http://", "https://")):
            # Never fetched: the sandbox must not touch the network.
            name = text.rstrip("/").rsplit("/", 1)[-1] or None
            return world.store_file(b"", kind=kind, file_name=name)
        stored = world.files.get(text)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if {kind, stored.kind} == {"photo", "document"}:
            # Telegram refuses a photo's file_id in sendDocument, and a document's in sendPhoto.
            raise bad_request("type of file mismatch")
        return stored

    def _store_upload(self, upload: UploadedFile, kind: str) -> StoredFile:
        if len(upload.data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        if not upload.data:
            raise bad_request("file must be non-empty")
        mime = upload.content_type
        if mime in (None, "", "application/octet-stream") and kind == "photo":
            mime = "image/jpeg"
        return self.world.store_file(
            upload.data, kind=kind, file_name=upload.filename, mime_type=mime
        )

    def _find_message(self, chat: ChatState, params: JSONDict, action: str) -> JSONDict:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the sandbox")
        mid = _int(params, "message_id")
        msg = chat.messages.get(mid or 0)
        sent = chat.sent.get(mid or 0)
        if msg is None or (sent is not None and sent.deleted):
            raise bad_request(f"message to {action} not found")
        return msg

    def _editable(self, params: JSONDict) -> tuple[ChatState, JSONDict, SentMessage]:
        chat = self._chat(params)
        self._check_alive(chat)
        self._check_member(chat)
        msg = self._find_message(chat, params, "edit")
        sent = chat.sent.get(msg["message_id"])
        if sent is None:
            raise bad_request("message can't be edited")
        return chat, msg, sent

    def _finish_edit(self, chat: ChatState, msg: JSONDict, sent: SentMessage) -> JSONDict:
        self._charge(chat)
        msg["edit_date"] = self.world.now()
        sent.edited = True
        self.world.stats.sent_ok += 1
        return msg
