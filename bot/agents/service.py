"""Agent look-up: the operation several commands share. Removal is a job:
bot/agents/removals.py."""

from __future__ import annotations

from bot.agents.crm import parse_agent_ref
from bot.common.errors import InputError
from bot.services import Services
from bot.texts import Language, t
from storage.models import Agent


async def find_agent(services: Services, token: str, lang: Language) -> Agent:
    """The agent named by ``token`` (user id or @username), or an InputError saying so."""
    ref = parse_agent_ref(token, lang)
    if ref.user_id is not None:
        agent = await services.agents.get(ref.user_id)
    else:
        assert ref.username is not None
        agent = await services.agents.by_username(ref.username)
    if agent is None:
        raise InputError(t(lang, "err_agent_unknown", value=token))
    return agent
