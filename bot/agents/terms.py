"""Names of platforms and quality tiers, shared by the profile conversation and the /agents
filters (kept apart from bot.agents.profiles so that bot.agents.crm can use them without an
import cycle)."""

from __future__ import annotations

import re

from bot.common.errors import InputError
from bot.texts import CATALOGS, Language, t
from storage.agents import NEWCOMER
from storage.profiles import TIERS, Tier

# Platform codes in button order; their names are the catalog keys pf_platform_<code>.
PLATFORMS: tuple[str, ...] = (
    "taobao",
    "tmall",
    "pdd",
    "douyin",
    "kuaishou",
    "jd",
    "1688",
    "weidian",
    "xiaohongshu",
    "other",
)
MAX_CATEGORY = 40
_SCORE_FILTER = re.compile(r"^(<=|>=|<|>)([0-9]{1,3}(?:\.[0-9])?)$")


def _aliases(prefix: str, codes: tuple[str, ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for code in codes:
        names[code.casefold()] = code
        for catalog in CATALOGS.values():
            names[catalog[f"{prefix}{code}"].casefold()] = code
    return names


_PLATFORM_ALIASES = _aliases("pf_platform_", PLATFORMS)
_TIER_ALIASES = _aliases("qs_tier_", TIERS)


def platform_label(code: str | None, lang: Language) -> str:
    if code is None:
        return t(lang, "unset")
    return t(lang, f"pf_platform_{code}") if code in PLATFORMS else code


def parse_platform(text: str, lang: Language) -> str:
    code = _PLATFORM_ALIASES.get(text.strip().casefold())
    if code is None:
        raise InputError(t(lang, "pf_err_platform", value=text))
    return code


def tier_label(tier: Tier, lang: Language) -> str:
    return t(lang, f"qs_tier_{tier}")


def parse_tier(text: str, lang: Language) -> Tier:
    code = _TIER_ALIASES.get(text.strip().casefold())
    if code is None:
        raise InputError(t(lang, "qs_err_tier", value=text))
    assert code in TIERS
    return code


_NEWCOMER_ALIASES = {NEWCOMER} | {
    catalog["agentdata_tier_newcomer"].casefold() for catalog in CATALOGS.values()
}


def newcomer_label(lang: Language) -> str:
    """待完善: an agent without a profile in their first ``newcomer_days`` (no tier)."""
    return t(lang, "agentdata_tier_newcomer")


def parse_tier_filter(text: str, lang: Language) -> str:
    """The value of the /agents ``tier:`` filter: a tier code, or ``newcomer`` (待完善)."""
    if text.strip().casefold() in _NEWCOMER_ALIASES:
        return NEWCOMER
    return parse_tier(text, lang)


def parse_score_filter(text: str, lang: Language) -> tuple[str, float]:
    """``<50``, ``>=80`` … → (operator, bound); the bound is 0-100."""
    match = _SCORE_FILTER.match(text.strip())
    if not match or float(match.group(2)) > 100:
        raise InputError(t(lang, "qs_err_score_filter", value=text))
    return match.group(1), float(match.group(2))


def normalize_category(text: str) -> str:
    parts = [" ".join(part.split()) for part in text.split("/")]
    return "/".join(part for part in parts if part)


def parse_category(text: str, lang: Language) -> str:
    category = normalize_category(text)
    if not category or len(category) > MAX_CATEGORY:
        raise InputError(t(lang, "pf_err_category", max=MAX_CATEGORY))
    return category
