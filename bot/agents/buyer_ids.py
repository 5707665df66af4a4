"""One 1688 / 旺旺 buyer id names one agent: the checks of an /import_agents sheet's buyer
ids, and reading an /import_orders row's agent cell, which may be a buyer id (a seller pastes
1688's order export, where the buyer is the member name).

Buyer ids are compared in :func:`storage.models.buyer_key` form (NFKC, case-folded); the
unique index ``agents_by_buyer_key`` holds the rule in the database too."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field

from bot.agents.crm import parse_agent_ref
from bot.agents.profiles import MAX_BUYER_ID, parse_buyer_id, shown
from bot.agents.service import AmbiguousAgent, find_agent
from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.common.typed import normalise_arg
from bot.services import Services
from bot.texts import Language, t
from storage.models import Agent, buyer_key


@dataclass
class BuyerIdClaims:
    """The buyer ids the rows of an /import_agents sheet leave their agents with: one buyer
    id belongs to one agent, in the sheet and against the agents it does not change."""

    # buyer key -> (line, user id, buyer id) of the row holding it after the import
    claims: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    # user id -> buyer key after the import (None: none), for every agent of the sheet
    after: dict[int, str | None] = field(default_factory=dict)
    # keys the sheet gives an agent who does not hold them yet (checked against the others)
    new: list[str] = field(default_factory=list)

    def claim(self, line: int, agent: Agent, buyer_id: str | None, lang: Language) -> None:
        """Record the buyer id a valid row leaves ``agent`` with; InputError when an earlier
        row of the sheet leaves another agent with the same one."""
        key = buyer_key(buyer_id) if buyer_id else None
        self.after[agent.user_id] = key
        if key is None or buyer_id is None:
            return
        if key in self.claims:
            earlier = self.claims[key][0]
            raise InputError(t(lang, "pff_err_buyer_dup_row", value=buyer_id, line=earlier))
        self.claims[key] = (line, agent.user_id, buyer_id)
        if agent.buyer_id is None or buyer_key(agent.buyer_id) != key:
            self.new.append(key)

    def conflicts(self, holders: dict[str, int], lang: Language) -> list[tuple[int, str]]:
        """Rows taking a buyer id that an agent holds and keeps (the agent is not in the sheet,
        or its row keeps it): (line, error), given the current ``holders`` of the new keys."""
        errors: list[tuple[int, str]] = []
        for key in self.new:
            line, user_id, buyer_id = self.claims[key]
            holder = holders.get(key)
            if holder is None or holder == user_id or self.after.get(holder, key) != key:
                continue
            errors.append((line, t(lang, "pff_err_buyer_held", value=buyer_id, holder=holder)))
        return errors


@dataclass(frozen=True, slots=True)
class OrderAgent:
    """The ways an /import_orders row's agent cell can name an agent (several may apply:
    ``tb_li`` can be a username and a buyer id; more than one agent found is an error)."""

    text: str
    user_id: int | None = None  # ASCII digits: a user id
    by_name: bool = False  # an @username, or a word a username (or remark) can be
    buyer_key: str | None = None  # a 1688 / 旺旺 buyer id, compared case-folded


def parse_order_agent(text: str, lang: Language) -> OrderAgent:
    """A user id, an @username or a 1688 / 旺旺 buyer id (full-width forms are read as the
    ASCII ones); InputError naming the accepted forms when it is none of them."""
    value = normalise_arg(text)
    if value.startswith("@"):
        parse_agent_ref(value, lang)
        return OrderAgent(value, by_name=True)
    try:
        key: str | None = buyer_key(parse_buyer_id(text, lang))
    except InputError:
        key = None
    user_id = ascii_int(value, 1)
    try:
        by_name = user_id is None and parse_agent_ref(value, lang).username is not None
    except InputError:
        by_name = False
    if key is None and user_id is None and not by_name:
        raise InputError(t(lang, "pff_err_order_agent", value=shown(text)))
    return OrderAgent(value, user_id, by_name, key)


async def order_agent_id(
    services: Services,
    ref: OrderAgent,
    known: Container[int],
    holders: dict[str, int],
    lang: Language,
) -> int:
    """The one agent ``ref`` names: ``known`` are the chunk's agents named by id, ``holders``
    the chunk's buyer ids; unknown or several agents is an InputError."""
    found: set[int] = set()
    if ref.user_id is not None and ref.user_id in known:
        found.add(ref.user_id)
    if ref.buyer_key is not None and ref.buyer_key in holders:
        found.add(holders[ref.buyer_key])
    if ref.by_name:
        try:
            found.add((await find_agent(services, ref.text, lang)).user_id)
        except AmbiguousAgent:
            raise
        except InputError:
            if not found:
                raise
    if not found:
        raise InputError(t(lang, "err_agent_unknown", value=ref.text[:64]))
    if len(found) > 1:
        ids = t(lang, "qs_list_sep").join(str(user_id) for user_id in sorted(found))
        raise InputError(t(lang, "pff_err_order_ambiguous", value=ref.text[:64], ids=ids))
    return found.pop()


def chunk_holder_keys(cells: list[str]) -> list[str]:
    """The buyer keys an /import_orders chunk's agent cells may be (looked up in one query)."""
    return [buyer_key(cell) for cell in cells if cell and len(cell) <= MAX_BUYER_ID]
