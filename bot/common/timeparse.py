"""Parsing the seller's "when" (one-off or recurring) in the configured time zone.

Pure functions: the current instant and the zone are arguments, so the machine's own time zone
never matters. Recurrences are APScheduler ``CronTrigger`` expressions kept as a short rule string
(``cron:<days>:<HH>:<MM>``) in the database; :func:`next_fire` asks the trigger for the next
instant, which makes the schedule follow the zone's wall clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.common.errors import InputError
from bot.common.typed import normalise_arg
from bot.texts import Language, t

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_EN_WEEKDAYS = {
    **{name: index for index, name in enumerate(WEEKDAYS)},
    **{
        full: index
        for index, full in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
_CLOCK = r"(?P<hour>[01]?[0-9]|2[0-3])[:：](?P<minute>[0-5][0-9])"
_FULL_DATE = re.compile(
    r"^(?P<year>[0-9]{4})[-/.](?P<month>[0-9]{1,2})[-/.](?P<day>[0-9]{1,2})(?:\s+|T)" + _CLOCK + "$"
)
_MONTH_DAY = re.compile(r"^(?P<month>[0-9]{1,2})[-/.](?P<day>[0-9]{1,2})\s+" + _CLOCK + "$")
_TIME_ONLY = re.compile("^" + _CLOCK + "$")
_RELATIVE_DAY = re.compile(
    r"^(?P<word>今天|明天|后天|today|tomorrow)\s*" + _CLOCK + "$", re.IGNORECASE
)
_OFFSET = re.compile(
    r"^\+\s*(?:(?P<days>[0-9]{1,3})d)?(?:(?P<hours>[0-9]{1,4})h)?(?:(?P<minutes>[0-9]{1,5})m(?:in)?)?$",
    re.IGNORECASE,
)
_DAILY = re.compile(r"^(?:daily|every\s*day|每天|每日)\s*" + _CLOCK + "$", re.IGNORECASE)
_EN_WEEKLY = re.compile(
    r"^(?:weekly\s+|every\s+)?(?P<days>[a-z]+(?:\s*,\s*[a-z]+)*)\s+" + _CLOCK + "$",
    re.IGNORECASE,
)
_ZH_WEEKLY = re.compile(
    r"^(?P<days>(?:每?(?:周|星期|礼拜)[一二三四五六日天七](?:[、,，]?[一二三四五六日天七])*[、,，]?)+)\s*"
    + _CLOCK
    + "$"
)
_RULE = re.compile(
    r"^cron:(?P<days>\*|[a-z]{3}(?:,[a-z]{3})*):(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})$"
)
_TONIGHT = re.compile(r"^(?:今晚|tonight)(?:\s*" + _CLOCK + ")?$", re.IGNORECASE)
_DAYS_LATER = re.compile(r"^(?P<count>[0-9]{1,3})\s*天后(?:\s*" + _CLOCK + ")?$")
# "At once": a moment (a promotion's start), never a schedule's time.
NOW_WORDS = ("立即开始", "立即", "马上", "现在", "now")
_DAY_WORDS = {"今天": 0, "today": 0, "明天": 1, "tomorrow": 1, "后天": 2}
MAX_AHEAD_DAYS = 366 * 2


@dataclass(frozen=True, slots=True)
class When:
    """A parsed time: the first fire (Unix seconds, UTC) and the recurrence rule, if any."""

    first: int
    rule: str | None = None


def _normal(text: str) -> str:
    """One space between words, full-width forms as ASCII (``２０：００`` is ``20:00``)."""
    return re.sub(r"\s+", " ", normalise_arg(text))


def _local(tz: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


class UnreadableTime(InputError):
    """The text is no time form at all (as opposed to a time in the past, a bad date...)."""


def _error(lang: Language, text: str) -> InputError:
    return UnreadableTime(t(lang, "sch_err_when", value=text))


def parse_when(text: str, now: int, tz: ZoneInfo, lang: Language) -> When:
    """Parse ``text`` relative to ``now`` in zone ``tz``; raise InputError listing the forms.

    One-off forms must lie in the future (and within two years); ``20:00`` means its next
    occurrence and ``12-01 20:00`` this year's, or next year's once this year's has passed.
    """
    value = _normal(text)
    if not value:
        raise _error(lang, text)
    local_now = datetime.fromtimestamp(now, tz)
    one_off = _parse_one_off(value, now, local_now, tz, lang)
    if one_off is not None:
        if one_off <= now:
            raise InputError(t(lang, "sch_err_past", value=value))
        if one_off - now > MAX_AHEAD_DAYS * 86400:
            raise InputError(t(lang, "sch_err_too_far", value=value))
        return When(first=one_off)
    rule = _parse_rule(value, lang)
    if rule is None:
        raise _error(lang, text)
    return When(first=next_fire(rule, now, tz), rule=rule)


def _parse_one_off(
    value: str, now: int, local_now: datetime, tz: ZoneInfo, lang: Language, *, roll: bool = True
) -> int | None:
    """The one-off forms; ``roll``: a day-less or year-less time already past this day or year
    means the next one (off for a moment that may be past, a promotion's start)."""
    match = _FULL_DATE.match(value)
    if match:
        moment = _checked_date(
            lang,
            value,
            tz,
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
        )
        return int(moment.timestamp())
    match = _MONTH_DAY.match(value)
    if match:
        month, day = int(match["month"]), int(match["day"])
        hour, minute = int(match["hour"]), int(match["minute"])
        moment = _checked_date(lang, value, tz, local_now.year, month, day, hour, minute)
        if roll and moment.timestamp() <= now:
            moment = _checked_date(lang, value, tz, local_now.year + 1, month, day, hour, minute)
        return int(moment.timestamp())
    match = _TIME_ONLY.match(value)
    if match:
        moment = local_now.replace(
            hour=int(match["hour"]), minute=int(match["minute"]), second=0, microsecond=0
        )
        if roll and moment.timestamp() <= now:
            moment = _on_day(moment.date() + timedelta(days=1), moment, tz)
        return int(moment.timestamp())
    match = _TONIGHT.match(value)
    if match:
        hour, minute = (int(match["hour"]), int(match["minute"])) if match["hour"] else (23, 59)
        today = local_now.date()
        return int(_local(tz, today.year, today.month, today.day, hour, minute).timestamp())
    match = _DAYS_LATER.match(value)
    if match:
        count = int(match["count"])
        if not match["hour"]:
            return now + count * 86400
        target = local_now.date() + timedelta(days=count)
        hour, minute = int(match["hour"]), int(match["minute"])
        return int(_local(tz, target.year, target.month, target.day, hour, minute).timestamp())
    match = _RELATIVE_DAY.match(value)
    if match:
        offset = _DAY_WORDS[match["word"].lower()]
        target = local_now.date() + timedelta(days=offset)
        moment = _local(
            tz, target.year, target.month, target.day, int(match["hour"]), int(match["minute"])
        )
        return int(moment.timestamp())
    match = _OFFSET.match(value)
    if match and any(match.group(name) for name in ("days", "hours", "minutes")):
        seconds = (
            int(match["days"] or 0) * 86400
            + int(match["hours"] or 0) * 3600
            + int(match["minutes"] or 0) * 60
        )
        if seconds == 0:
            raise InputError(t(lang, "sch_err_past", value=value))
        return now + seconds
    return None


def parse_moment(text: str, now: int, tz: ZoneInfo, lang: Language, *, past_ok: bool) -> int:
    """One moment (Unix seconds): the one-off forms of :func:`parse_when`, ``今晚 [HH:MM]``
    (today, 23:59 by default), ``3 天后 [HH:MM]``, and with ``past_ok`` also ``立即`` (now) and
    moments already past (a promotion that started yesterday). At most two years ahead."""
    value = _normal(text)
    if past_ok and value.lower() in NOW_WORDS:
        return now
    local_now = datetime.fromtimestamp(now, tz)
    one_off = _parse_one_off(value, now, local_now, tz, lang, roll=not past_ok)
    if one_off is None:
        raise UnreadableTime(t(lang, "seller_time_err", value=value[:40]))
    if not past_ok and one_off <= now:
        raise InputError(t(lang, "sch_err_past", value=value))
    if one_off - now > MAX_AHEAD_DAYS * 86400:
        raise InputError(t(lang, "sch_err_too_far", value=value))
    return one_off


def _on_day(day: date, clock: datetime, tz: ZoneInfo) -> datetime:
    return _local(tz, day.year, day.month, day.day, clock.hour, clock.minute)


def _checked_date(
    lang: Language,
    value: str,
    tz: ZoneInfo,
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
) -> datetime:
    try:
        return _local(tz, year, month, day, hour, minute)
    except ValueError:
        raise InputError(t(lang, "sch_err_date", value=value)) from None


def _parse_rule(value: str, lang: Language) -> str | None:
    match = _DAILY.match(value)
    if match:
        return _rule("*", match)
    match = _ZH_WEEKLY.match(value)
    if match:
        found = sorted({_ZH_WEEKDAYS[char] for char in match["days"] if char in _ZH_WEEKDAYS})
        return _rule(",".join(WEEKDAYS[index] for index in found), match)
    match = _EN_WEEKLY.match(value)
    if match:
        names = [name.strip().lower() for name in match["days"].split(",")]
        if not all(name in _EN_WEEKDAYS for name in names):
            bad = next(name for name in names if name not in _EN_WEEKDAYS)
            raise InputError(t(lang, "sch_err_weekday", value=bad))
        found = sorted({_EN_WEEKDAYS[name] for name in names})
        return _rule(",".join(WEEKDAYS[index] for index in found), match)
    return None


def _rule(days: str, match: re.Match[str]) -> str:
    return f"cron:{days}:{int(match['hour']):02d}:{int(match['minute']):02d}"


def trigger(rule: str, tz: ZoneInfo) -> CronTrigger:
    """The APScheduler trigger of a stored rule."""
    match = _RULE.match(rule)
    if match is None:
        raise ValueError(f"not a schedule rule: {rule!r}")
    return CronTrigger(
        day_of_week=match["days"],
        hour=int(match["hour"]),
        minute=int(match["minute"]),
        timezone=tz,
    )


def next_fire(rule: str, after: int, tz: ZoneInfo) -> int:
    """The first instant of ``rule`` strictly after ``after`` (Unix seconds)."""
    start = datetime.fromtimestamp(after + 1, tz)
    fire = trigger(rule, tz).get_next_fire_time(None, start)
    assert fire is not None  # a weekly or daily cron always has a next fire
    return int(fire.timestamp())


def describe_rule(rule: str, lang: Language) -> str:
    """``每天 10:00`` / ``daily 10:00``, ``每周一、四 10:00`` / ``mon,thu 10:00``."""
    match = _RULE.match(rule)
    if match is None:
        return rule
    clock = f"{match['hour']}:{match['minute']}"
    if match["days"] == "*":
        return t(lang, "sch_rule_daily", time=clock)
    indexes = [WEEKDAYS.index(name) for name in match["days"].split(",")]
    names = [t(lang, f"sch_weekday_{index}") for index in indexes]
    return t(lang, "sch_rule_weekly", days=t(lang, "sch_weekday_sep").join(names), time=clock)


def local_iso(timestamp: int, tz: ZoneInfo) -> str:
    """``2026-12-01 20:00`` in zone ``tz``."""
    return datetime.fromtimestamp(timestamp, tz).strftime("%Y-%m-%d %H:%M")


def utc_iso(timestamp: int) -> str:
    """``2026-12-01T12:00Z`` (seconds added when not zero): part of an idempotency key."""
    moment = datetime.fromtimestamp(timestamp, ZoneInfo("UTC"))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ" if moment.second else "%Y-%m-%dT%H:%MZ")
