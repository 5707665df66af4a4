"""Segments for private sends: parse a target (``tag:VIP客户``, ``tier:优质``, ``mode:批发``,
``platform:淘宝``, ``group:<chat_id>``, or a list of agents) and resolve it to the agents it
names, split by whether a private message reaches them (/dm, greetings)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from bot.agents.crm import parse_agent_filter
from bot.agents.service import find_agent
from bot.common.errors import InputError
from bot.services import Services
from bot.texts import Language, t
from storage.models import AgentFilter
from storage.reach import Recipient

SEGMENT_KEYS = ("tag", "tier", "mode", "platform", "group")
GREETING_SEGMENT_KEYS = ("tag", "tier", "mode")
MAX_LISTED_AGENTS = 100
_SEPARATORS = re.compile(r"[\s,，、]+")


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed target: a segment filter, or the agent tokens of a list (not yet looked up)."""

    text: str  # as the admin wrote it (normalised), for the preview and the audit row
    segment: AgentFilter | None = None
    agents: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Full-width colon, @, digits and spaces as typed on a Chinese keyboard → ASCII."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_target(
    text: str,
    now: int,
    lang: Language,
    keys: Collection[str] = SEGMENT_KEYS,
    *,
    agents: bool = True,
) -> Target:
    """``key:value`` with ``key`` one of ``keys`` is a segment; anything else is a list of
    agents (ids, @usernames, remarks) separated by spaces, ``,``, ``，`` or ``、`` (when
    ``agents`` allows one)."""
    text = normalise(text)
    key, sep, _ = text.partition(":")
    if sep and key.lower() in keys:
        if _SEPARATORS.search(text):
            raise InputError(t(lang, "reach_err_segment", value=text[:60], keys=_keys(keys)))
        return Target(text, segment=parse_agent_filter([text], now, lang))
    if sep or not agents:
        raise InputError(t(lang, "reach_err_segment", value=text[:60], keys=_keys(keys)))
    tokens = tuple(dict.fromkeys(token for token in _SEPARATORS.split(text) if token))
    if not tokens:
        raise InputError(t(lang, "reach_err_segment", value=text[:60], keys=_keys(keys)))
    if len(tokens) > MAX_LISTED_AGENTS:
        raise InputError(t(lang, "reach_err_too_many", max=MAX_LISTED_AGENTS))
    return Target(text, agents=tokens)


def _keys(keys: Collection[str]) -> str:
    return "、".join(f"{key}:" for key in keys)


@dataclass(frozen=True, slots=True)
class Reach:
    """Who a private send to a target reaches."""

    reachable: list[Recipient] = field(default_factory=list)
    never_started: list[Recipient] = field(default_factory=list)
    blocked: list[Recipient] = field(default_factory=list)
    muted: list[Recipient] = field(default_factory=list)  # left out (promotional sends only)

    @property
    def unreachable(self) -> list[Recipient]:
        return self.never_started + self.blocked


def split_reach(recipients: list[Recipient], *, promotional: bool, staff: Collection[int]) -> Reach:
    """Sort recipients into reachable / never started / blocked / muted (pure). Staff (owners
    and admins) are left out of a segment; they are never promoted to."""
    reach = Reach()
    for recipient in recipients:
        if recipient.user_id in staff:
            continue
        if promotional and recipient.muted:
            reach.muted.append(recipient)
        elif recipient.started:
            reach.reachable.append(recipient)
        elif recipient.blocked:
            reach.blocked.append(recipient)
        else:
            reach.never_started.append(recipient)
    return reach


async def staff_ids(services: Services) -> set[int]:
    return set(services.settings.owners) | {grant.user_id for grant in await services.admins.list()}


async def resolve(
    services: Services, target: Target, lang: Language, *, promotional: bool
) -> Reach:
    """The agents ``target`` names, sorted by reach; an unknown agent in a list is an
    InputError naming it. A list names agents on purpose: staff in it are kept."""
    if target.segment is not None:
        recipients = await services.reach.segment(target.segment)
        return split_reach(recipients, promotional=promotional, staff=await staff_ids(services))
    user_ids = [(await find_agent(services, token, lang)).user_id for token in target.agents]
    recipients = await services.reach.of_users(list(dict.fromkeys(user_ids)))
    return split_reach(recipients, promotional=promotional, staff=())
