"""Agent look-up and removal: the operations several commands share."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.agents.crm import parse_agent_ref
from bot.common.errors import InputError
from bot.services import Services
from bot.texts import Language, t
from storage.models import Agent

log = logging.getLogger(__name__)


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


@dataclass
class RemovalReport:
    removed_from: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


async def remove_agent(
    services: Services, bot: Bot, agent: Agent, actor_id: int, reason: str | None
) -> RemovalReport:
    """Mark the agent removed and audit the reason, then ban and unban it in every active
    group, so that it leaves and can come back only through a new invitation.

    Marked first: the "kicked" member updates that the bans cause are handled concurrently
    (bot/updates.py) and must find the memberships already removed, not turn them into "left".
    """
    async with services.audited(actor_id, "remove_agent", str(agent.user_id), reason or ""):
        await services.agents.mark_removed(agent.user_id, reason, services.now())
    report = RemovalReport()
    for group in await services.groups.list(active_only=True):
        try:
            await bot.ban_chat_member(group.chat_id, agent.user_id)
            await bot.unban_chat_member(group.chat_id, agent.user_id, only_if_banned=True)
            report.removed_from.append(group.title)
        except Forbidden as error:
            await services.groups.mark_inactive(group.chat_id, "kicked", services.now())
            report.failed.append((group.title, error.message))
        except TelegramError as error:
            log.warning("removing %s from %s failed: %s", agent.user_id, group.chat_id, error)
            report.failed.append((group.title, error.message))
    return report
