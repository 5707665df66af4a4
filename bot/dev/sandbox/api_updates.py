"""Bot API methods about the bot itself: getMe, getUpdates, webhooks, commands."""

from __future__ import annotations

import asyncio

from bot.dev.sandbox.api_base import _COMMAND_RE, ApiBase, _bool, _int, _str
from bot.dev.sandbox.faults import ApiError, bad_request
from bot.dev.sandbox.records import DEFAULT_ALLOWED_UPDATES, JSONDict, commands_key


class UpdateMethods(ApiBase):
    """getMe, long polling, webhook settings and command lists."""

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
