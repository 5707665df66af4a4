"""Bot API method implementations on top of :class:`~bot.dev.sandbox.world.World`.

Every handler takes the decoded parameter dict and returns the ``result`` value, or raises
:class:`~bot.dev.sandbox.faults.ApiError` with Telegram's status and wording. Method names
are matched case-insensitively, as Telegram does.

The handlers live in one module per method family (``api_updates``, ``api_messages``,
``api_chats``, on the shared helpers of ``api_base``); :class:`BotApi` here joins them,
maps method names to handlers and dispatches a call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.dev.sandbox.api_base import UploadedFile
from bot.dev.sandbox.api_chats import ChatMethods
from bot.dev.sandbox.api_inline import InlineMethods
from bot.dev.sandbox.api_messages import MessageMethods
from bot.dev.sandbox.api_updates import UpdateMethods
from bot.dev.sandbox.faults import SENDING_METHODS, ApiError, RateLimiter
from bot.dev.sandbox.records import ApiCall, JSONDict
from bot.dev.sandbox.world import World

Handler = Callable[[JSONDict], Any]


class BotApi(UpdateMethods, MessageMethods, ChatMethods, InlineMethods):
    """Dispatches Bot API calls, applying faults and rate limits first."""

    def __init__(self, world: World, limiter: RateLimiter) -> None:
        super().__init__(world, limiter)
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
            "answerinlinequery": self.answer_inline_query,
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
        name = method.lower()
        if name == "getupdates" or self.latency <= 0:
            return await self._answer(method, name, params, uploads)
        # A network between bot and server: half the round trip there, half back; the call is
        # recorded (and counted against the limits) when it arrives.
        await asyncio.sleep(self.latency / 2)
        answer = await self._answer(method, name, params, uploads)
        await asyncio.sleep(self.latency / 2)
        return answer

    async def _answer(
        self, method: str, name: str, params: JSONDict, uploads: dict[str, UploadedFile]
    ) -> tuple[int, JSONDict]:
        world = self.world
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


__all__ = ["SENDING_METHODS", "BotApi", "UploadedFile"]
