"""Bot API method implementations on top of :class:`~bot.dev.sandbox.world.World`.

Every handler takes the decoded parameter dict and returns the ``result`` value, or raises
:class:`~bot.dev.sandbox.faults.ApiError` with Telegram's status and wording. Method names
are matched case-insensitively, as Telegram does.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.dev.sandbox.faults import (
    SENDING_METHODS,
    ApiError,
    FaultRule,
    RateLimiter,
    SandboxLimits,
    bad_request,
    forbidden,
)
from bot.dev.sandbox.markup import EntityParseError, parse_html
from bot.dev.sandbox.world import (
    DEFAULT_ALLOWED_UPDATES,
    ApiCall,
    ChatState,
    JSONDict,
    SentMessage,
    StoredFile,
    World,
    commands_key,
)

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


Handler = Callable[[JSONDict], Any]


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


class BotApi:
    """Dispatches Bot API calls, applying faults and rate limits first."""

    def __init__(self, world: World, limiter: RateLimiter) -> None:
        self.world = world
        self.limiter = limiter
        self.limits: SandboxLimits | None = None
        self.fault_rules: list[FaultRule] = []
        self._uploads: dict[str, UploadedFile] = {}  # attach names of the current request
        self._poll_generation = 0
        self.handlers: dict[str, Handler] = {
            "getme": self.get_me,
            "logout": self.ok_true,
            "close": self.ok_true,
            "deletewebhook": self.delete_webhook,
            "setwebhook": self.set_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "setmycommands": self.set_my_commands,
            "deletemycommands": self.delete_my_commands,
            "getmycommands": self.get_my_commands,
            "sendmessage": self.send_message,
            "sendphoto": self.send_photo,
            "senddocument": self.send_document,
            "sendmediagroup": self.send_media_group,
            "copymessage": self.copy_message,
            "forwardmessage": self.forward_message,
            "editmessagetext": self.edit_message_text,
            "editmessagecaption": self.edit_message_caption,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
            "deletemessages": self.delete_messages,
            "answercallbackquery": self.answer_callback_query,
            "banchatmember": self.ban_chat_member,
            "unbanchatmember": self.unban_chat_member,
            "getchat": self.get_chat,
            "getchatmember": self.get_chat_member,
            "getchatmembercount": self.get_chat_member_count,
            "getchatadministrators": self.get_chat_administrators,
            "leavechat": self.leave_chat,
            "getfile": self.get_file,
            "sendchataction": self.send_chat_action,
            "pinchatmessage": self.pin_chat_message,
            "unpinchatmessage": self.pin_chat_message,
            "unpinallchatmessages": self.check_chat_true,
            # Accepted and ignored: profile/cosmetic settings a bot may set at startup.
            "setmydescription": self.ok_true,
            "setmyshortdescription": self.ok_true,
            "setmyname": self.ok_true,
            "setchatmenubutton": self.ok_true,
            "setmydefaultadministratorrights": self.ok_true,
        }

    # ------------------------------------------------------------------ dispatch

    def knows(self, method: str) -> bool:
        return method.lower() in self.handlers or method.lower() == "getupdates"

    async def call(
        self, method: str, params: JSONDict, uploads: dict[str, UploadedFile]
    ) -> tuple[int, JSONDict]:
        """Run one call; returns (http status, response body). Records it in the world."""
        world = self.world
        name = method.lower()
        call = ApiCall(method=method, params=params, at=world.clock())
        world.record_call(call)
        world.stats.calls_total += 1
        try:
            await self._apply_faults(name, params)
            if name == "getupdates":
                result = await self.get_updates(params)
            else:
                self._uploads = uploads
                try:
                    result = self.handlers[name](params)
                finally:
                    self._uploads = {}
        except ApiError as err:
            call.status = err.status
            call.error_description = err.description
            world.stats.errors[err.status] = world.stats.errors.get(err.status, 0) + 1
            if err.status == 429:
                world.stats.too_many_requests += 1
            return err.status, err.payload()
        call.result = result
        return 200, {"ok": True, "result": result}

    async def _apply_faults(self, name: str, params: JSONDict) -> None:
        if not self.fault_rules:
            return
        chat_id = params.get("chat_id")
        for rule in self.fault_rules:
            if rule.matches(name, chat_id):
                if rule.times is not None:
                    rule.times -= 1
                self.fault_rules = [r for r in self.fault_rules if r.times is None or r.times > 0]
                if rule.fault.delay > 0:
                    await asyncio.sleep(rule.fault.delay)
                error = rule.fault.error()
                if error is not None:
                    raise error
                return

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
        if len(plain) > MAX_TEXT:
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
        if len(plain) > MAX_CAPTION:
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

    # ------------------------------------------------------------------ bot & updates

    def ok_true(self, params: JSONDict) -> bool:
        return True

    def check_chat_true(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        self._check_alive(chat)
        self._check_member(chat)
        return True

    def get_me(self, params: JSONDict) -> JSONDict:
        return dict(self.world.bot_user)

    async def get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long polling: wait up to ``timeout`` seconds for updates after ``offset``."""
        world = self.world
        if world.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params, "offset", required=False) or 0
        limit = _int(params, "limit", required=False) or 100
        limit = max(1, min(limit, 100))
        timeout = params.get("timeout")
        try:
            wait = max(0.0, float(timeout)) if timeout not in (None, "") else 0.0
        except (TypeError, ValueError):
            raise bad_request("invalid timeout specified") from None
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            world.allowed_updates = (
                frozenset(str(a) for a in allowed) if allowed else DEFAULT_ALLOWED_UPDATES
            )
        if offset > 0:
            world.confirm(offset)
        # Like Telegram, a newer getUpdates terminates one that is still waiting (409),
        # which exposes two bot instances polling the same token.
        self._poll_generation += 1
        generation = self._poll_generation
        world.wake_pollers()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            updates = world.take_updates(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or world.closing:
                return updates
            await world.wait_new_updates(remaining)

    def delete_webhook(self, params: JSONDict) -> bool:
        self.world.webhook_url = ""
        if _bool(params, "drop_pending_updates"):
            self.world.drop_pending()
        return True

    def set_webhook(self, params: JSONDict) -> bool:
        url = _str(params, "url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.world.webhook_url = url
        if _bool(params, "drop_pending_updates"):
            self.world.drop_pending()
        return True

    def get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self.world.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.queue),
        }

    def set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        clean: list[JSONDict] = []
        for cmd in commands:
            if not isinstance(cmd, dict):
                raise bad_request("can't parse BotCommand")
            name = str(cmd.get("command", ""))
            desc = str(cmd.get("description", ""))
            if not _COMMAND_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(desc) <= 256:
                raise bad_request("command description must be non-empty")
            clean.append({"command": name, "description": desc})
        key = self._commands_key(params)
        if clean:
            self.world.command_lists[key] = clean
        else:
            self.world.command_lists.pop(key, None)
        return True

    def _commands_key(self, params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope")
        if scope is not None and not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope")
        return commands_key(scope, _str(params, "language_code"))

    def delete_my_commands(self, params: JSONDict) -> bool:
        self.world.command_lists.pop(self._commands_key(params), None)
        return True

    def get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return [dict(c) for c in self.world.command_lists.get(self._commands_key(params), [])]

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


__all__ = ["SENDING_METHODS", "BotApi", "UploadedFile"]
