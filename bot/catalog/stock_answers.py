"""Stock questions in group messages: which known SKUs a message names, and whether it asks
about stock. Pure (no Telegram, no database) and cheap enough for every group message.

A message is NFKC-normalised first, so full-width ``Ａ１`` and ``？`` read as ``A1`` and ``?``.
A SKU is matched as a whole token, case-insensitively: a token is a maximal run of the
characters a SKU may hold (ASCII letters, digits, ``.``, ``_``, ``-``), with trailing
punctuation (``A1.``, ``A1-``) trimmed, so "A1" never matches inside "A10" or "XA1". The matcher
is a frozenset built once from the SKU list (:class:`SkuMatcher`); a message costs one regex
scan and set lookups, never a database query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.catalog.model import StockNoticeItem
from bot.common.errors import InputError
from bot.common.throttle import Throttle
from bot.common.timeparse import parse_when
from bot.texts import Language, t
from storage.catalog import StockState

MAX_SKUS_PER_ANSWER = 5
_TOKEN = re.compile(r"[A-Za-z0-9._-]+")
_EDGE = "._-"
# Chinese phrasings match anywhere (no word boundaries in Chinese); English ones bounded by
# non-letters (not ``\b``: a CJK character is a word character, "老板available"). One compiled
# pattern, so a message is scanned once.
_ZH_QUESTIONS = (
    "有货",
    "有没有货",
    "还有吗",
    "还有没有",
    "还有货",
    "库存",
    "现货",
    "没货",
    "缺货",
    "断货",
    "补货",
    "到货",
    "售罄",
    "卖完",
)
_EN_QUESTIONS = (
    r"in[ -]stock",
    "out of stock",
    "available",
    "availability",
    r"restock(?:ed)?",
    "sold out",
    "any left",
)
_QUESTION = re.compile(
    "|".join(_ZH_QUESTIONS) + r"|(?<![a-z])(?:" + "|".join(_EN_QUESTIONS) + r")(?![a-z])"
)


def normalise(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation become ASCII), lower-cased."""
    return unicodedata.normalize("NFKC", text).lower()


def asks_about_stock(text: str) -> bool:
    """Whether a message (already :func:`normalise`-d) asks about stock."""
    return _QUESTION.search(text) is not None


def sku_tokens(text: str) -> list[str]:
    """The SKU-shaped tokens of a normalised message, upper-cased, in order, without repeats."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group().strip(_EDGE).upper()
        if token and token not in tokens:
            tokens.append(token)
    return tokens


@dataclass(frozen=True, slots=True)
class SkuMatcher:
    """The known SKUs (upper-case, as stored), precompiled for matching messages."""

    skus: frozenset[str]

    @staticmethod
    def of(skus: Iterable[str]) -> SkuMatcher:
        return SkuMatcher(frozenset(sku.upper() for sku in skus))

    def named(self, normalised: str) -> list[str]:
        """The known SKUs a normalised message names, in order, at most
        :data:`MAX_SKUS_PER_ANSWER`."""
        if not self.skus:
            return []
        found = [token for token in sku_tokens(normalised) if token in self.skus]
        return found[:MAX_SKUS_PER_ANSWER]


def stock_question(text: str, matcher: SkuMatcher) -> list[str]:
    """The known SKUs a message asks the stock of; [] when it names none or asks nothing."""
    normalised = normalise(text)
    if not asks_about_stock(normalised):
        return []
    return matcher.named(normalised)


# --------------------------------------------------------------------------- state


@dataclass
class StockAnswerState:
    """What answering needs in memory (one per process, on ``services``): the matcher, rebuilt
    from the product list when invalidated (a product added or discontinued) or older than
    ``max_age`` seconds, and which (chat, SKU) were answered lately — bounded by
    :class:`~bot.common.throttle.Throttle`'s key limit, and lost on restart (a restart may
    answer a SKU once more within the interval)."""

    interval_seconds: float
    max_age: float = 300.0
    _matcher: SkuMatcher | None = None
    _built_at: float = 0.0
    answered: Throttle[tuple[int, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.answered = Throttle(self.interval_seconds)

    def matcher(self, now: float) -> SkuMatcher | None:
        """The current matcher, or None when it must be rebuilt."""
        if self._matcher is None or now - self._built_at >= self.max_age:
            return None
        return self._matcher

    def store(self, matcher: SkuMatcher, now: float) -> None:
        self._matcher = matcher
        self._built_at = now

    def invalidate(self) -> None:
        self._matcher = None

    def admit(self, chat_id: int, skus: Sequence[str], now: float) -> list[str]:
        """Those of ``skus`` not answered in ``chat_id`` within the interval (now counted as
        answered)."""
        return [sku for sku in skus if self.answered.admit((chat_id, sku), now) is not None]


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """What a stock answer says about one SKU."""

    sku: str
    title: str
    state: StockState | None
    qty: int | None
    eta: int | None = None
    discontinued: bool = False


def local_date(timestamp: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(timestamp, tz).strftime("%Y-%m-%d")


def shown_eta(eta: int | None, state: StockState | None, now: int) -> int | None:
    """The restock date worth showing: set, still ahead, and the product not in stock."""
    if eta is None or eta <= now or state == "in_stock":
        return None
    return eta


def answer_line(row: AnswerRow, now: int, tz: ZoneInfo, lang: Language) -> str:
    if row.discontinued:
        return t(lang, "stk_answer_line_discontinued", title=row.title, sku=row.sku)
    key = f"stk_answer_line_{row.state or 'unknown'}"
    line = t(lang, key, title=row.title, sku=row.sku, qty=row.qty if row.qty is not None else 0)
    eta = shown_eta(row.eta, row.state, now)
    if eta is not None:
        line += t(lang, "stk_eta_suffix", date=local_date(eta, tz))
    return line


def stock_answer(rows: Sequence[AnswerRow], now: int, tz: ZoneInfo, lang: Language) -> str:
    return "\n".join(answer_line(row, now, tz, lang) for row in rows)


def stock_notice_text(
    items: Sequence[StockNoticeItem],
    etas: Mapping[str, int],
    now: int,
    tz: ZoneInfo,
    lang: Language,
) -> str:
    """The stock notice (bot/catalog/model.py ``stock_notice``) with the restock date under
    each item going low or out that has one."""
    lines = [t(lang, "cat_notice_header")]
    for item in items:
        lines.append(
            t(lang, f"cat_notice_{item.kind}", title=item.title, sku=item.sku, qty=item.qty)
        )
        state: StockState = "in_stock" if item.kind == "restock" else item.kind
        eta = shown_eta(etas.get(item.sku), state, now)
        if eta is not None:
            lines.append(t(lang, "stk_notice_eta", date=local_date(eta, tz)))
    return "\n".join(lines)


def status_suffix(
    discontinued: bool,
    eta: int | None,
    state: StockState | None,
    now: int,
    tz: ZoneInfo,
    lang: Language,
) -> str:
    """What /stock adds to a row: 停产, or the restock date."""
    if discontinued:
        return t(lang, "stk_list_discontinued")
    shown = shown_eta(eta, state, now)
    return t(lang, "stk_list_eta", date=local_date(shown, tz)) if shown is not None else ""


# --------------------------------------------------------------------------- restock dates

_DATE_ONLY = re.compile(r"^(?:[0-9]{4}[-/.])?[0-9]{1,2}[-/.][0-9]{1,2}$")
_DAY_ONLY = {"今天", "明天", "后天", "today", "tomorrow"}


def parse_restock_date(text: str, now: int, tz: ZoneInfo, lang: Language) -> int:
    """A restock date through the one time parser (bot/common/timeparse.py): its one-off forms
    (``2026-12-20 10:00``, ``明天 10:00``, ``+3d``), and a day alone (``12-20``,
    ``2026-12-20``, ``明天``), which means the end of that day. Recurring forms are refused."""
    value = " ".join(unicodedata.normalize("NFKC", text).split())
    if _DATE_ONLY.match(value) or value.lower() in _DAY_ONLY:
        value += " 23:59"
    when = parse_when(value, now, tz, lang)
    if when.rule is not None:
        raise InputError(t(lang, "stk_err_eta_recurring", value=text.strip()[:40]))
    return when.first
