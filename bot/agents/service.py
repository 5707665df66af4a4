"""Agent look-up: the one way a command names an agent. Removal is a job:
bot/agents/removals.py.

A seller names an agent by numeric user id, by @username, or by the remark they gave it
(``李女士淘卖``), exactly or by a prefix only one remark has (``李女士``). A remark may hold
spaces, so a command that takes more after the agent (``/tag 李女士 淘卖 VIP客户``) reads the
agent from the longest run of leading words that names one: an exact remark first, longest
first, then the same for a unique prefix. A name that fits several agents raises
:class:`AmbiguousAgent` with up to :data:`MAX_CHOICES` of them (the handler offers buttons);
more than that asks for a more specific name.
"""

from __future__ import annotations

from bot.agents.crm import AgentRef, parse_agent_ref
from bot.common.errors import InputError
from bot.services import Services
from bot.texts import Language, t
from storage.models import Agent

MAX_CHOICES = 8
# A remark is at most 64 characters; more words than this never name one agent.
MAX_NAME_WORDS = 8


class AmbiguousAgent(InputError):
    """The name fits several agents (``choices``, at most :data:`MAX_CHOICES`); the words
    after the name (``rest``) are the command's other arguments."""

    def __init__(self, text: str, choices: list[Agent], rest: list[str]) -> None:
        super().__init__(text)
        self.choices = choices
        self.rest = rest


async def find_agent(services: Services, token: str, lang: Language) -> Agent:
    """The agent named by ``token`` alone (user id, @username or remark), or an InputError
    (an :class:`AmbiguousAgent` when it fits several)."""
    agent, _rest = await resolve_agent(services, [token], lang, whole=True)
    return agent


async def resolve_agent(
    services: Services, args: list[str], lang: Language, *, whole: bool = False
) -> tuple[Agent, list[str]]:
    """The agent the leading words of ``args`` name, and the words after it. ``whole``: every
    word is the name (``/agent 李女士 淘卖``). Raises an InputError naming the accepted forms."""
    if not args:
        raise InputError(t(lang, "err_agent_ref", value=""))
    first = args[0]
    ref = _ref(first, lang)
    if ref is not None and (whole is False or len(args) == 1):
        agent = await _by_ref(services, ref)
        if agent is not None:
            return agent, args[1:]
        if ref.user_id is not None or first.startswith("@"):
            raise InputError(t(lang, "err_agent_unknown", value=first[:64]))
    sizes = [len(args)] if whole else list(range(min(len(args), MAX_NAME_WORDS), 0, -1))
    for exact in (True, False):
        for size in sizes:
            name = " ".join(args[:size])
            if exact:
                found = await services.agents.by_remark(name, MAX_CHOICES + 1)
            else:
                found = await services.agents.by_remark_prefix(name, MAX_CHOICES + 1)
            if len(found) == 1:
                return found[0], args[size:]
            if len(found) > MAX_CHOICES:
                raise InputError(t(lang, "seller_agent_too_many", value=name[:64]))
            if found:
                raise AmbiguousAgent(
                    t(lang, "seller_agent_ambiguous", value=name[:64]), found, args[size:]
                )
    raise InputError(t(lang, "err_agent_unknown", value=" ".join(args[: sizes[0]])[:64]))


def _ref(token: str, lang: Language) -> AgentRef | None:
    """``token`` as a user id or @username, None when it is neither (then it is a remark)."""
    try:
        return parse_agent_ref(token, lang)
    except InputError:
        return None


async def _by_ref(services: Services, ref: AgentRef) -> Agent | None:
    if ref.user_id is not None:
        return await services.agents.get(ref.user_id)
    assert ref.username is not None
    return await services.agents.by_username(ref.username)
