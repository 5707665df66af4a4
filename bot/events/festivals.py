"""The festival calendar for holiday greetings (pure).

Solar festivals have fixed dates; lunar ones are converted each year with ``lunardate`` (a
maintained pure-Python Chinese calendar, valid for 1900-2099), never hard-coded per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lunardate import LunarDate


@dataclass(frozen=True, slots=True)
class Festival:
    key: str  # stable identifier, also used in /greeting and in the catalogs (grt_name_<key>)
    names: tuple[str, ...]  # what the seller may type
    lunar: bool
    month: int
    day: int

    def on(self, year: int) -> date:
        """The Gregorian date of this festival in Gregorian ``year``.

        For lunar festivals the lunar year that starts in ``year`` is used, which is right for
        every festival here (they all fall between 春节 and the end of the Gregorian year).
        """
        if not self.lunar:
            return date(year, self.month, self.day)
        solar: date = LunarDate(year, self.month, self.day).to_solar_date()
        return solar


FESTIVALS: tuple[Festival, ...] = (
    Festival("yuandan", ("元旦", "yuandan", "newyear", "new_year"), False, 1, 1),
    Festival("chunjie", ("春节", "chunjie", "spring", "spring_festival"), True, 1, 1),
    Festival("yuanxiao", ("元宵", "元宵节", "yuanxiao", "lantern"), True, 1, 15),
    Festival("duanwu", ("端午", "端午节", "duanwu", "dragon_boat"), True, 5, 5),
    Festival("zhongqiu", ("中秋", "中秋节", "zhongqiu", "mid_autumn"), True, 8, 15),
    Festival("guoqing", ("国庆", "国庆节", "guoqing", "national_day"), False, 10, 1),
)
_BY_NAME = {name.lower(): festival for festival in FESTIVALS for name in festival.names}


def festival_named(name: str) -> Festival | None:
    return _BY_NAME.get(name.strip().lower())


def festival_by_key(key: str) -> Festival:
    return next(festival for festival in FESTIVALS if festival.key == key)


def upcoming(today: date, days_ahead: int) -> list[tuple[Festival, date]]:
    """Festivals from ``today`` up to ``days_ahead`` days later, soonest first.

    A window rather than one exact day: if the bot was down on the day a preview was due, the
    next daily check still finds the festival (the caller skips the ones already decided).
    """
    last = date.fromordinal(today.toordinal() + days_ahead)
    found = []
    for festival in FESTIVALS:
        for year in {today.year, last.year}:
            day = festival.on(year)
            if today <= day <= last:
                found.append((festival, day))
    return sorted(found, key=lambda item: item[1])


def next_occurrence(festival: Festival, today: date) -> date:
    """The festival's date this year, or next year's once this year's has passed."""
    this_year = festival.on(today.year)
    return this_year if this_year >= today else festival.on(today.year + 1)
