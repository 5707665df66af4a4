"""Bot API inline mode: ``answerInlineQuery`` (the queries come from ``World.inline_query``)."""

from __future__ import annotations

import re
from typing import Any

from bot.dev.sandbox.api_base import ApiBase, _bool, _int, _str, _utf16_length
from bot.dev.sandbox.faults import bad_request
from bot.dev.sandbox.records import JSONDict

MAX_RESULTS = 50
_START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_RESULT_TYPES = {"article", "photo", "document", "gif", "video", "audio", "voice", "location"}


class InlineMethods(ApiBase):
    """Answering inline queries, checked as Telegram checks them."""

    def answer_inline_query(self, params: JSONDict) -> bool:
        world = self.world
        query_id = _str(params, "inline_query_id")
        if not query_id:
            raise bad_request("inline_query_id is empty")
        if query_id not in world.inline_queries or query_id in world.inline_answers:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_result(result, seen)
        next_offset = _str(params, "next_offset") or ""
        if len(next_offset.encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        button = params.get("button")
        if button is not None:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            start = button.get("start_parameter")
            if start is not None and not _START_PARAMETER.match(str(start)):
                raise bad_request("START_PARAM_INVALID")
        world.inline_answers[query_id] = {
            "results": results,
            "cache_time": _int(params, "cache_time", required=False),
            "is_personal": _bool(params, "is_personal"),
            "next_offset": next_offset,
            "button": button,
        }
        return True

    def _check_result(self, result: Any, seen: set[str]) -> None:
        if not isinstance(result, dict) or result.get("type") not in _RESULT_TYPES:
            raise bad_request("RESULT_TYPE_INVALID")
        result_id = str(result.get("id", ""))
        if not result_id or len(result_id.encode()) > 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] == "photo":
            file_id = result.get("photo_file_id")
            if file_id is None and not result.get("photo_url"):
                raise bad_request("PHOTO_INVALID")
            if file_id is not None:
                stored = self.world.files.get(str(file_id))
                if stored is None:
                    raise bad_request("wrong file identifier/HTTP URL specified")
                if stored.kind != "photo":
                    raise bad_request("type of file mismatch")
            caption = result.get("caption")
            if caption is not None:
                self._render_checked(str(caption), result.get("parse_mode"), 1024, "caption")
        elif result["type"] == "article":
            if not result.get("title"):
                raise bad_request("RESULT_TITLE_EMPTY")
            content = result.get("input_message_content")
            if not isinstance(content, dict) or not content.get("message_text"):
                raise bad_request("MESSAGE_EMPTY")
            self._render_checked(
                str(content["message_text"]), content.get("parse_mode"), 4096, "message"
            )
        markup = result.get("reply_markup")
        if markup is not None:
            self._markup({"reply_markup": markup})

    def _render_checked(self, text: str, parse_mode: Any, limit: int, what: str) -> None:
        """Parse ``text`` as Telegram would (bad HTML is an error) and check its length."""
        plain, _ = self._render(text, str(parse_mode) if parse_mode else None, None)
        if _utf16_length(plain) > limit:
            raise bad_request(f"{what} is too long")
