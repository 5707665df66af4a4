"""The agent's region (省/市) and 1688 / 旺旺 buyer id (人群画像) in the /profile form: the
question of each optional step and reading its answer. "Skip" (the button, or ``-``) keeps
the agent's current value, or leaves it empty; "Clear" (offered when there is a value) answers
``""``, which approval turns into no value; a buyer id another agent holds is refused.

Both live on the agent row (storage/migrations/0015): approval copies a submission's values
there, /import_agents sets them, /import_orders finds agents by the buyer id."""

from __future__ import annotations

from typing import Literal

from bot.agents.profiles import is_clear, is_skip, parse_buyer_id, parse_region
from bot.common.errors import InputError
from bot.services import Services
from bot.texts import Language, t
from storage.models import buyer_key

OptionalField = Literal["region", "buyer_id"]


async def current_value(services: Services, user_id: int, field: OptionalField) -> str | None:
    """The agent's value of ``field`` now (None: not set, or no such agent)."""
    agent = await services.agents.get(user_id)
    if agent is None:
        return None
    return agent.region if field == "region" else agent.buyer_id


def question(field: OptionalField, current: str | None, lang: Language) -> str:
    """The optional step's question, with the value that skipping keeps."""
    text = t(lang, "pff_ask_region" if field == "region" else "pff_ask_buyer_id")
    if current is not None:
        text += "\n" + t(lang, "pff_current", value=current)
    return text


async def buyer_id_holder(services: Services, buyer_id: str) -> int | None:
    """The agent who holds ``buyer_id`` (compared case-folded), or None."""
    key = buyer_key(buyer_id)
    return (await services.agents.by_buyer_keys([key])).get(key)


async def answer(
    services: Services, user_id: int, field: OptionalField, text: str, lang: Language
) -> str | None:
    """What an answer to the optional step sets: the current value when it says "skip", else
    the value parsed, ``""`` to clear it; :class:`InputError` for a bad value or another
    agent's buyer id."""
    if is_clear(text):
        return ""
    if is_skip(text):
        return await current_value(services, user_id, field)
    if field == "region":
        return parse_region(text, lang)
    buyer_id = parse_buyer_id(text, lang)
    holder = await buyer_id_holder(services, buyer_id)
    if holder is not None and holder != user_id:
        raise InputError(t(lang, "pff_err_buyer_taken", value=buyer_id))
    return buyer_id
