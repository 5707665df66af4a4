"""Groups are the seller's: a group someone who is not an admin added the bot to is *pending*.

It gets nothing (it is stored inactive, see storage/migrations/0007_group_approval.sql) until an
admin approves it from the owners' notice (**Approve** / **Leave**, handlers/groups.py). Nobody
approving it within ``[groups] approval_timeout_hours``, the bot leaves it by itself: each
pending group has a one-off schedule of kind ``group_approval_timeout`` at its deadline
(bot/scheduling, so it survives restarts), whose fire leaves every pending group that is
overdue. At start, :func:`resume_approval_timeouts` re-plans them from the groups table, so a
deadline passed while the bot was down (or a changed timeout) is honoured at once.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.broadcast.outbox import Payload
from bot.common.callbacks import GroupDecision, encode
from bot.scheduling import model as scheduling
from bot.services import Services
from bot.texts import Language, t
from storage.models import Group
from storage.schedule_models import Schedule

log = logging.getLogger(__name__)

TIMEOUT_KIND = "group_approval_timeout"
# inactive_reason of a pending group the bot left: an admin's Leave, or nobody approving it.
LEFT_BY_ADMIN = "left"
TIMED_OUT = "approval_timeout"


def timeout_ref(group_id: int) -> str:
    return f"group:{group_id}"


def timeout_seconds(services: Services) -> int:
    return int(services.settings.groups.approval_timeout_hours * 3600)


def timeout_hours_label(services: Services) -> str:
    return f"{services.settings.groups.approval_timeout_hours:g}"


def pending_notice(
    services: Services,
    group: Group,
    *,
    user_id: int,
    name: str,
    username: str | None,
    lang: Language,
) -> tuple[str, InlineKeyboardMarkup]:
    """The owners' notice about a pending group (every value escaped by ``t``) and its
    Approve / Leave buttons."""
    text = t(
        lang,
        "grp_pending_notice",
        title=group.title,
        chat_id=group.chat_id,
        name=name,
        username=f"@{username}" if username else t(lang, "grp_no_username"),
        user_id=user_id,
        hours=timeout_hours_label(services),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "grp_approve_button"),
                    callback_data=encode(GroupDecision(group.id, "ok")),
                ),
                InlineKeyboardButton(
                    t(lang, "grp_leave_button"),
                    callback_data=encode(GroupDecision(group.id, "leave")),
                ),
            ]
        ]
    )
    return text, markup


async def plan_timeout(services: Services, group: Group) -> None:
    """The schedule that leaves ``group`` if it is still pending at its deadline. Called in
    the transaction that registers the group, so both commit or neither."""
    assert group.pending_since is not None
    await services.scheduler.create(
        TIMEOUT_KIND,
        f"approval of {group.chat_id}",
        {"group_id": group.id},
        group.pending_since + timeout_seconds(services),
        ref=timeout_ref(group.id),
        quiet=False,
    )


async def drop_timeout(services: Services, group_id: int) -> None:
    """The group was approved or left: its timeout has nothing left to do."""
    await services.scheduler.cancel_ref(timeout_ref(group_id), kinds=(TIMEOUT_KIND,))


async def overdue(services: Services, now: int) -> list[Group]:
    limit = now - timeout_seconds(services)
    return [
        group
        for group in await services.groups.pending()
        if group.pending_since is not None and group.pending_since <= limit
    ]


async def leave_timed_out(services: Services, group: Group, bot: Bot) -> bool:
    """Mark ``group`` left because nobody approved it, then leave the chat. False when it was
    no longer pending (approved or left meanwhile): then nothing happens."""
    async with services.audited(None, "group_approval_timeout", str(group.chat_id)) as audit:
        dropped = await services.groups.drop_pending(group.id, TIMED_OUT, services.now())
        if dropped is None:
            audit.skip()
    if dropped is None:
        return False
    try:
        await bot.leave_chat(group.chat_id)
    except TelegramError as error:
        log.warning("could not leave unapproved group %s: %s", group.chat_id, error)
    log.info("left group %s: nobody approved it", group.chat_id)
    return True


def _timed_out_notice(services: Services, groups: list[Group]) -> scheduling.Submission | None:
    owners = tuple(services.settings.owners)
    if not groups or not owners:
        return None
    lang = services.settings.language
    text = "\n".join(
        t(
            lang,
            "grp_timed_out",
            title=group.title,
            chat_id=group.chat_id,
            hours=timeout_hours_label(services),
        )
        for group in groups
    )
    return scheduling.Submission(
        kind="notice",
        payload=Payload(kind="text", text=text),
        chat_ids=owners,
        key="left:" + ",".join(str(group.id) for group in groups),
    )


def _own_bot(services: Services) -> Bot:
    """A Bot for the fire (renderers get no application): same token and server."""
    settings = services.settings
    assert settings.token is not None
    return Bot(
        settings.token.get_secret_value(),
        base_url=settings.base_url,
        base_file_url=settings.base_file_url,
    )


@scheduling.renderer(TIMEOUT_KIND)
async def _on_timeout(
    services: Services, schedule: Schedule, planned: int
) -> list[scheduling.Submission]:
    """Leave every pending group whose deadline has passed (not only this schedule's, so a
    fire that was missed is made up by the next one) and tell the owners."""
    due = await overdue(services, services.now())
    left: list[Group] = []
    if due:
        async with _own_bot(services) as bot:
            left = [group for group in due if await leave_timed_out(services, group, bot)]
    notice = _timed_out_notice(services, left)
    return [notice] if notice is not None else []


async def resume_approval_timeouts(application: Any, services: Services) -> None:
    """Start hook (before the scheduler starts): re-plan every pending group's timeout from
    the groups table. A deadline that passed while the bot was down is acted on now (a fire
    later than the scheduler's grace would only be recorded as missed); a changed
    ``approval_timeout_hours`` applies to the groups already waiting."""
    for schedule in await services.schedules.by_kind(TIMEOUT_KIND):
        if schedule.status == "active":
            await services.scheduler.cancel(schedule.id)
    now = services.now()
    late = await overdue(services, now)
    left = [group for group in late if await leave_timed_out(services, group, application.bot)]
    late_ids = {group.id for group in late}
    for group in await services.groups.pending():
        if group.id not in late_ids:
            await plan_timeout(services, group)
    notice = _timed_out_notice(services, left)
    if notice is not None:
        await services.outbox.submit(
            notice.kind, notice.payload, notice.chat_ids, None, report=False
        )
