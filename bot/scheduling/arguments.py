"""Command arguments that /schedule, /schedule_digest and /launch share: leading ``tag:``
options and a time."""

from __future__ import annotations

from bot.common.errors import InputError
from bot.common.timeparse import UnreadableTime, parse_when
from bot.scheduling.model import Targets
from bot.services import Services
from bot.texts import Language, t


def split_targets(args: list[str], lang: Language) -> tuple[list[str], Targets]:
    """Leading ``tag:<tag>`` options (any number) → the target groups; the rest is returned."""
    tags: list[str] = []
    while args and args[0].lower().startswith("tag:"):
        tag = args.pop(0)[4:].strip()
        if not tag:
            raise InputError(t(lang, "sch_err_tag"))
        tags.append(tag)
    return args, Targets(tags=tuple(tags))


def take_when(args: list[str], services: Services, lang: Language) -> tuple[int, str | None, int]:
    """Parse the longest prefix of ``args`` (up to 3 words) that is a time; returns
    (first fire, rule, words used). Otherwise the most telling error is raised: one about a
    recognised time (in the past, no such date...) before "not a time at all"."""
    errors: list[InputError] = []
    for size in (3, 2, 1):
        if len(args) < size:
            continue
        try:
            when = parse_when(" ".join(args[:size]), services.now(), services.settings.tz, lang)
        except InputError as failure:
            errors.append(failure)
            continue
        return when.first, when.rule, size
    specific = [error for error in errors if not isinstance(error, UnreadableTime)]
    if specific:
        raise specific[0]
    raise InputError(t(lang, "sch_err_when", value=" ".join(args[:2])))
