"""Pure parsing of the seller's CRM command arguments (no Telegram, no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.agents.quality_config import NEWCOMER_DAYS, newcomer_cutoff
from bot.agents.terms import (
    parse_category,
    parse_platform,
    parse_score_filter,
    parse_tier_filter,
)
from bot.common.errors import InputError
from bot.common.numbers import INT64_MIN, ascii_int
from bot.texts import Language, t
from storage.models import AgentFilter, OrderMode

MODE_NAMES: dict[str, OrderMode] = {
    "一件代发": "dropship",
    "代发": "dropship",
    "dropship": "dropship",
    "批发": "wholesale",
    "wholesale": "wholesale",
    "定制": "custom",
    "custom": "custom",
}
SUGGESTED_AGENT_TAGS = ("已成交", "代理商", "潜在客户", "已寄样", "VIP客户", "VIP代理商")
MAX_TAG_LENGTH = 32
MAX_REMARK_LENGTH = 64
MAX_NOTE_LENGTH = 500
_DURATION = re.compile(r"^>?([0-9]{1,4})([dhw])$")
_USERNAME = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")
_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True, slots=True)
class AgentRef:
    """How a command names an agent: a numeric user id or an @username."""

    user_id: int | None = None
    username: str | None = None


def parse_agent_ref(token: str, lang: Language) -> AgentRef:
    if _USERNAME.match(token):
        return AgentRef(username=token.lstrip("@"))
    user_id = ascii_int(token, 1)
    if user_id is None:
        raise InputError(t(lang, "err_agent_ref", value=token[:40]))
    return AgentRef(user_id=user_id)


def parse_mode(token: str, lang: Language) -> OrderMode:
    mode = MODE_NAMES.get(token.lower())
    if mode is None:
        raise InputError(t(lang, "err_mode", value=token))
    return mode


def parse_tags(tokens: list[str], lang: Language) -> list[str]:
    tags: list[str] = []
    for token in tokens:
        tag = token.strip().lstrip("#")
        if not tag or len(tag) > MAX_TAG_LENGTH or ":" in tag:
            raise InputError(t(lang, "err_tag", value=token, max=MAX_TAG_LENGTH))
        if tag not in tags:
            tags.append(tag)
    if not tags:
        raise InputError(t(lang, "err_no_tags"))
    return tags


def parse_chat_id(token: str, lang: Language) -> int:
    chat_id = ascii_int(token, INT64_MIN, -1)
    if chat_id is None:
        raise InputError(t(lang, "err_chat_id", value=token[:40]))
    return chat_id


def parse_duration(token: str, lang: Language) -> int:
    """``30d``, ``>30d``, ``12h``, ``2w`` → seconds."""
    match = _DURATION.match(token)
    if not match or int(match.group(1)) == 0:
        raise InputError(t(lang, "err_duration", value=token))
    return int(match.group(1)) * _SECONDS[match.group(2)]


def parse_agent_filter(
    tokens: list[str], now: int, lang: Language, *, newcomer_days: int = NEWCOMER_DAYS
) -> AgentFilter:
    """``tag:X group:<chat_id> mode:一件代发 inactive:>30d removed:yes`` → AgentFilter, and the
    quality filters ``tier:低质 platform:淘宝 category:女装 score:<50``. ``tier:待完善`` selects
    the newcomers (``[quality] newcomer_days``), whom every other tier leaves out."""
    tags: list[str] = []
    group: int | None = None
    mode: OrderMode | None = None
    inactive_since: int | None = None
    include_removed = False
    quality: dict[str, Any] = {}
    for token in tokens:
        key, sep, value = token.partition(":")
        key = key.lower()
        if not sep or not value:
            raise InputError(t(lang, "err_filter", value=token))
        if key == "tag":
            tags.extend(parse_tags([value], lang))
        elif key == "group":
            group = parse_chat_id(value, lang)
        elif key == "mode":
            mode = parse_mode(value, lang)
        elif key == "inactive":
            inactive_since = now - parse_duration(value, lang)
        elif key == "removed" and value.lower() in ("yes", "1", "true", "是"):
            include_removed = True
        elif key == "tier":
            quality["tier"] = parse_tier_filter(value, lang)
        elif key == "platform":
            quality["platform"] = parse_platform(value, lang)
        elif key == "category":
            quality["category"] = parse_category(value, lang)
        elif key == "score":
            quality["score"] = parse_score_filter(value, lang)
        else:
            raise InputError(t(lang, "err_filter", value=token))
    return AgentFilter(
        tags=tuple(tags),
        group_chat_id=group,
        order_mode=mode,
        inactive_since=inactive_since,
        include_removed=include_removed,
        newcomers_after=newcomer_cutoff(now, newcomer_days),
        **quality,
    )


def clean_text(text: str, limit: int, lang: Language, field: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise InputError(t(lang, "err_empty", field=field))
    if len(text) > limit:
        raise InputError(t(lang, "err_too_long", field=field, max=limit))
    return text
