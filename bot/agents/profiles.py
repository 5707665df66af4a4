"""Pure validation of store profile fields and the category match (no Telegram, no database).

Every ``parse_*`` function returns the canonical value or raises :class:`InputError` with a
message naming the field and the accepted form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from bot.agents.crm import MODE_NAMES
from bot.agents.terms import normalize_category, platform_label
from bot.common.errors import InputError
from bot.common.typed import normalise_arg
from bot.texts import CATALOGS, Language, t
from storage.models import OrderMode
from storage.profiles import OperatingStatus

# 淘宝 seller levels, weakest first: 1心…5心, 1钻…5钻, 1冠…5冠, 1金冠…5金冠.
TAOBAO_LEVELS: tuple[str, ...] = tuple(
    f"{n}{unit}" for unit in ("心", "钻", "冠", "金冠") for n in range(1, 6)
)
# Platforms with named store levels (strongest first) and their strength 0-1.
NAMED_LEVELS: dict[str, dict[str, float]] = {
    "tmall": {"旗舰店": 1.0, "专卖店": 0.8, "专营店": 0.6},
    "jd": {"自营": 1.0, "旗舰店": 0.9, "专卖店": 0.7, "专营店": 0.6, "普通店": 0.4},
    "1688": {"实力商家": 1.0, "超级工厂": 1.0, "诚信通": 0.6, "普通": 0.3},
}
# Everyone else gives its store experience score / star rating, 0-5.
NUMERIC_BADGE_MAX = 5.0

OPERATING_NAMES: dict[str, OperatingStatus] = {
    "营业中": "open",
    "营业": "open",
    "open": "open",
    "暂停": "paused",
    "暂停营业": "paused",
    "paused": "paused",
    "已关闭": "closed",
    "关闭": "closed",
    "closed": "closed",
}
OPERATING_STATUSES: tuple[OperatingStatus, ...] = ("open", "paused", "closed")
MAX_STORE_NAME = 60
MAX_URL = 300
MAX_REGION = 20
MAX_BUYER_ID = 50
# Between a province and a city an agent may type a space or one of these (made a space).
_REGION_SEPARATORS = re.compile(r"[/\\\-,.、·・|]+")
# What an optional step takes for "skip": ``-`` or the skip button's text in either language.
SKIP_WORDS = frozenset({"-", *(catalog["pff_skip"].casefold() for catalog in CATALOGS.values())})
# What clears a value the agent set before: the clear button's text in either language.
CLEAR_WORDS = frozenset(catalog["pff_clear"].casefold() for catalog in CATALOGS.values())
_DSR = re.compile(r"^[0-9](?:\.[0-9]{1,2})?$")
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$")


def parse_store_name(text: str, lang: Language) -> str:
    name = " ".join(text.split())
    if not name or len(name) > MAX_STORE_NAME:
        raise InputError(t(lang, "pf_err_store_name", max=MAX_STORE_NAME))
    return name


def parse_url(text: str, lang: Language) -> str:
    url = text.strip()
    error = InputError(t(lang, "pf_err_url", value=url[:80]))
    if not url or len(url) > MAX_URL or any(ch.isspace() for ch in url):
        raise error
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise error from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise error
    return url


def is_skip(text: str) -> bool:
    """Whether an answer to an optional step means "skip" (``-``, 跳过, Skip)."""
    return normalise_arg(text).casefold() in SKIP_WORDS


def is_clear(text: str) -> bool:
    """Whether an answer to an optional step means "clear the value" (清除, Clear)."""
    return normalise_arg(text).casefold() in CLEAR_WORDS


def shown(text: str) -> str:
    """A bad answer as an error message may quote it: short, without control characters."""
    return "".join(ch for ch in text[:40] if unicodedata.category(ch)[0] != "C")


def parse_region(text: str, lang: Language) -> str:
    """省/市 as ``浙江 杭州`` or ``广东省深圳市``: full-width forms made ASCII (as command
    arguments are), separators and runs of spaces made one space; letters (CJK included)
    and spaces only (no line breaks or other control characters), at most
    :data:`MAX_REGION` characters."""
    head = text[: MAX_REGION * 8]
    value = " ".join(_REGION_SEPARATORS.sub(" ", normalise_arg(head)).split())
    letters = all(ch.isalpha() or ch == " " for ch in value) and not any(
        unicodedata.category(ch)[0] == "C" for ch in head
    )
    if not value or len(value) > MAX_REGION or len(text) > MAX_REGION * 8 or not letters:
        raise InputError(t(lang, "pff_err_region", value=shown(text), max=MAX_REGION))
    return value


def parse_buyer_id(text: str, lang: Language) -> str:
    """The agent's 1688 / 旺旺 member name: NFKC and trimmed, 1 to :data:`MAX_BUYER_ID`
    characters, no control or format characters (nor line breaks). Compared case-folded
    (:func:`storage.models.buyer_key`)."""
    value = unicodedata.normalize("NFKC", text[: MAX_BUYER_ID * 8]).strip()
    clean = all(
        unicodedata.category(ch)[0] != "C" and unicodedata.category(ch) not in ("Zl", "Zp")
        for ch in value
    )
    if not value or len(value) > MAX_BUYER_ID or len(text) > MAX_BUYER_ID * 8 or not clean:
        raise InputError(t(lang, "pff_err_buyer_id", value=shown(text), max=MAX_BUYER_ID))
    return value


def badge_choices(platform: str) -> tuple[str, ...]:
    """The buttons of the badge step (empty: the platform takes a number)."""
    if platform == "taobao":
        return TAOBAO_LEVELS
    return tuple(NAMED_LEVELS.get(platform, {}))


def parse_badge(platform: str, text: str, lang: Language) -> str:
    value = text.strip().replace(" ", "")
    if platform == "taobao":
        if value in TAOBAO_LEVELS:
            return value
        raise InputError(t(lang, "pf_err_badge_taobao", value=text))
    named = NAMED_LEVELS.get(platform)
    if named is not None:
        if value in named:
            return value
        raise InputError(
            t(
                lang,
                "pf_err_badge_named",
                value=text,
                platform=platform_label(platform, lang),
                levels=" / ".join(named),
            )
        )
    if _NUMBER.match(value) and float(value) <= NUMERIC_BADGE_MAX:
        return f"{float(value):g}"
    raise InputError(t(lang, "pf_err_badge_number", value=text, max=f"{NUMERIC_BADGE_MAX:g}"))


def badge_strength(platform: str | None, badge: str | None) -> float:
    """0-1: how strong a store level is on its platform (unknown or missing → 0)."""
    if platform is None or badge is None:
        return 0.0
    if platform == "taobao":
        if badge in TAOBAO_LEVELS:
            return (TAOBAO_LEVELS.index(badge) + 1) / len(TAOBAO_LEVELS)
        return 0.0
    named = NAMED_LEVELS.get(platform)
    if named is not None:
        return named.get(badge, 0.0)
    try:
        number = float(badge)
    except ValueError:
        return 0.0
    return min(max(number / NUMERIC_BADGE_MAX, 0.0), 1.0)


def below_min_level(platform: str | None, badge: str | None, min_level: str | None) -> bool:
    """Whether a store's level is below the seller's minimum (``[quality] min_level``),
    compared on the store's own platform: a 淘宝 level (``1钻``) against 淘宝 stores, a named
    level (``专卖店``) against the platforms that have it, a number against the platforms
    scored 0-5. A store on another platform, or without a level, is not flagged."""
    if min_level is None or platform is None or badge is None:
        return False
    if min_level in TAOBAO_LEVELS:
        if platform != "taobao" or badge not in TAOBAO_LEVELS:
            return False
        return TAOBAO_LEVELS.index(badge) < TAOBAO_LEVELS.index(min_level)
    named = NAMED_LEVELS.get(platform)
    if named is not None:
        return min_level in named and named.get(badge, 0.0) < named[min_level]
    if platform == "taobao" or not _NUMBER.match(min_level):
        return False
    try:
        return float(badge) < float(min_level)
    except ValueError:
        return False


def known_level(level: str) -> bool:
    """A level :func:`below_min_level` can compare: 淘宝's, a named one, or a number 0-5."""
    named = any(level in levels for levels in NAMED_LEVELS.values())
    number = bool(_NUMBER.match(level)) and float(level) <= NUMERIC_BADGE_MAX
    return level in TAOBAO_LEVELS or named or number


def parse_dsr(text: str, lang: Language, field: str) -> float:
    value = text.strip()
    if not _DSR.match(value) or float(value) > 5.0:
        raise InputError(t(lang, "pf_err_dsr", field=field, value=text))
    return float(value)


def parse_operating(text: str, lang: Language) -> OperatingStatus:
    status = OPERATING_NAMES.get(text.strip().casefold())
    if status is None:
        raise InputError(t(lang, "pf_err_operating", value=text))
    return status


def persona_line(region: str | None, buyer_id: str | None, lang: Language) -> str:
    """The agent's region and 1688 / 旺旺 buyer id (人群画像), one line of a card."""
    unset = t(lang, "unset")
    return t(lang, "pff_card_persona", region=region or unset, buyer_id=buyer_id or unset)


def operating_label(status: OperatingStatus | None, lang: Language) -> str:
    return t(lang, f"pf_operating_{status}") if status else t(lang, "unset")


def parse_profile_mode(text: str, lang: Language) -> OrderMode:
    mode = MODE_NAMES.get(text.strip().lower())
    if mode is None:
        raise InputError(t(lang, "pf_err_mode", value=text))
    return mode


def category_match(
    category: str | None,
    seller_categories: Sequence[str],
    *,
    leaf: float = 1.0,
    parent: float = 0.6,
) -> float:
    """How well an agent's main category fits the seller's category tree.

    ``leaf`` when the category is one of the seller's (the full path, or only its leaf name);
    ``parent`` when it shares the top-level category; otherwise 0.
    """
    if not category:
        return 0.0
    return _category_match(category, tuple(seller_categories), leaf, parent)


@lru_cache(maxsize=4096)
def _category_match(category: str, sellers: tuple[str, ...], leaf: float, parent: float) -> float:
    # Cached: agents share a handful of categories, and scoring 100,000 agents calls this a lot.
    mine = [part.casefold() for part in normalize_category(category).split("/")]
    best = 0.0
    for seller in sellers:
        theirs = [part.casefold() for part in normalize_category(seller).split("/")]
        if not theirs or not theirs[0]:
            continue
        if mine == theirs or (len(mine) == 1 and mine[0] == theirs[-1]):
            return leaf
        if mine[0] == theirs[0]:
            best = max(best, parent)
    return best
