"""Creating schedules: /schedule (a text broadcast) and /schedule_digest (the stock digest).

Typed with ``tag:`` options they are created at once for those tags (a tag no active group
carries is refused, naming the tags that exist). Typed without, and once the time and text are
valid, the admin chooses the targets with the broadcast's group-tag picker
(handlers/common/tag_picker.py); the draft waits in the admin's ``user_data`` under a random
key, and Done creates the schedule, Cancel nothing. When no group has a tag there is nothing to
choose: the schedule goes to every active group, as the confirmation says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.broadcast.outbox import Payload
from bot.broadcast.report import target_label
from bot.common.callbacks import ScheduleTarget, matches
from bot.common.errors import InputError
from bot.common.timeparse import describe_rule, local_iso, next_fire
from bot.scheduling.arguments import split_targets, take_when
from bot.scheduling.broadcasts import schedule_broadcast
from bot.scheduling.model import Targets
from bot.services import Services
from bot.texts import Html, Language, escape, t
from handlers.common import (
    Context,
    Taken,
    actor_id,
    admin_only,
    clicked,
    command_args,
    raw_command_args,
    remember,
    reply,
    take_once,
    user_store,
)
from handlers.common.tag_picker import TagPicker, offer_tags, picked, picker_markup

MAX_TEXT = 3500
_DRAFTS = "schedule_drafts"
_MAX_DRAFTS = 10
_TITLE = 40


@dataclass
class _Draft:
    """A schedule waiting for its targets: what was typed, already validated."""

    kind: Literal["text", "digest"]
    first: int
    rule: str | None
    body: str  # the text as typed ("" for a digest)
    picker: TagPicker


def _drafts(context: Context) -> dict[str, _Draft | Taken]:
    return user_store(context, _DRAFTS)


def _fire_text(services: Services, first: int, due: int | None, lang: Language) -> str:
    tz = services.settings.tz
    text = local_iso(first, tz)
    if due is not None and due != first:
        text += t(lang, "sch_shifted_to", due=local_iso(due, tz))
    return text


def _rule_text(rule: str | None, lang: Language) -> str:
    return describe_rule(rule, lang) if rule else t(lang, "sch_once")


async def _targets_text(services: Services, tags: Sequence[str], lang: Language) -> Html:
    """Who a new schedule goes to, as of now: the tags with their active groups and the number
    of groups in all, or every active group (saying why when no group has a tag)."""
    groups = await services.groups.list(active_only=True)
    counts = Counter(tag for group in groups for tag in group.tags)
    if tags:
        reached = sum(1 for group in groups if set(group.tags) & set(tags))
        named = "、".join(f"{tag}（{counts[tag]}）" for tag in tags)
        return Html(t(lang, "sp_targets_tags", tags=named, count=reached))
    everyone = Html(target_label(None, len(groups), lang))
    if counts:
        return everyone
    return Html(t(lang, "sp_targets_untagged", all=everyone))


async def _refuse_empty_tags(services: Services, tags: Sequence[str], lang: Language) -> None:
    """A schedule to a tag no active group carries would send nothing: refuse it, naming the
    group tags that exist (with their number of groups)."""
    groups = await services.groups.list(active_only=True)
    counts = Counter(tag for group in groups for tag in group.tags)
    for tag in tags:
        if counts[tag] == 0:
            existing = "、".join(f"{name}（{count}）" for name, count in sorted(counts.items()))
            raise InputError(
                t(lang, "reach_err_tag_empty", tag=tag, tags=existing or t(lang, "reach_no_tags"))
            )


@admin_only
async def schedule_command(update: Update, context: Context) -> None:
    """/schedule [tag:<tag>...] <when> <text>: a text broadcast to the active groups."""
    services = context.services
    lang = context.lang
    typed = raw_command_args(context)
    args, targets = split_targets(command_args(context), lang)
    if len(args) < 2:
        raise InputError(t(lang, "sch_usage_schedule"))
    await _refuse_empty_tags(services, targets.tags, lang)
    first, rule, used = take_when(args, services, lang)
    body = " ".join(typed[len(typed) - len(args) + used :]).strip()
    if not body:
        raise InputError(t(lang, "sch_usage_schedule"))
    if len(body) > MAX_TEXT:
        raise InputError(t(lang, "sch_err_text_long", max=MAX_TEXT))
    if targets.tags or not await _offer(update, context, "text", first, rule, body):
        text = await _create(update, context, "text", first, rule, body, targets.tags)
        await reply(update, text)


@admin_only
async def schedule_digest_command(update: Update, context: Context) -> None:
    """/schedule_digest [tag:<tag>...] <when>: the low/out-of-stock digest, usually recurring."""
    services = context.services
    lang = context.lang
    args, targets = split_targets(command_args(context), lang)
    if not args:
        raise InputError(t(lang, "sch_usage_digest"))
    first, rule, used = take_when(args, services, lang)
    if used != len(args):
        raise InputError(t(lang, "sch_usage_digest"))
    await _refuse_empty_tags(services, targets.tags, lang)
    if targets.tags or not await _offer(update, context, "digest", first, rule, ""):
        text = await _create(update, context, "digest", first, rule, "", targets.tags)
        await reply(update, text)


async def _offer(
    update: Update,
    context: Context,
    kind: Literal["text", "digest"],
    first: int,
    rule: str | None,
    body: str,
) -> bool:
    """Show the target picker for a validated draft; False (nothing shown) when no active group
    has a tag, so there is nothing to choose."""
    services = context.services
    lang = context.lang
    picker = await offer_tags(services)
    if not picker.tags:
        return False
    draft = _Draft(kind, first, rule, body, picker)
    key = remember(_drafts(context), draft, _MAX_DRAFTS)
    values = {
        "when": _fire_text(services, first, services.scheduler.due_time(first, True), lang),
        "rule": _rule_text(rule, lang),
        "count": picker.total,
    }
    if kind == "text":
        text = t(lang, "sp_choose_text", title=_short(body), **values)
    else:
        text = t(lang, "sp_choose_digest", **values)
    text += "\n" + t(lang, "reach_tags_hint")
    await reply(update, text, reply_markup=_markup(key, draft, lang))
    return True


def _short(body: str) -> str:
    return body if len(body) <= _TITLE else body[: _TITLE - 1] + "…"


def _markup(key: str, draft: _Draft, lang: Language) -> InlineKeyboardMarkup:
    return picker_markup(
        draft.picker, lang, lambda choice: ScheduleTarget(key, choice), ScheduleTarget(key, "c")
    )


@admin_only
async def target_chosen(update: Update, context: Context) -> None:
    """A press on the picker: all groups, a tag ticked or unticked, Done, or Cancel. Only the
    admin who typed the command has the draft (``user_data`` is per user): anyone else's press,
    a forged key or one dropped since finds nothing and is answered "expired"."""
    query, button = clicked(update, ScheduleTarget)
    services = context.services
    lang = context.lang
    drafts = _drafts(context)
    draft = drafts.get(button.key)
    if draft is Taken.TAKEN:  # Done or Cancel already acted
        await query.answer(t(lang, "already_done"), show_alert=True)
        return
    if not isinstance(draft, _Draft):
        await query.answer(t(lang, "sp_expired"), show_alert=True)
        return
    if button.target == "c":
        take_once(drafts, button.key)
        await query.answer()
        await query.edit_message_text(t(lang, "sp_cancelled"))
        return
    tags = await picked(
        query,
        draft.picker,
        button.target,
        lang,
        expired=t(lang, "sp_expired"),
        redraw=lambda: _markup(button.key, draft, lang),
    )
    if tags is None:
        return
    if take_once(drafts, button.key) is not draft:  # a second Done handled meanwhile
        await query.answer(t(lang, "already_done"), show_alert=True)
        return
    groups = await services.groups.with_tags(tags) if tags else None
    if groups == []:  # the ticked tags lost their groups since the offer: choose again
        drafts[button.key] = draft
        await query.answer(t(lang, "bc_target_empty", tag="、".join(tags)), show_alert=True)
        return
    first = draft.first
    if first <= services.now():
        if draft.rule is None:
            await query.answer()
            when = local_iso(first, services.settings.tz)
            await query.edit_message_text(t(lang, "sp_past", when=when))
            return
        first = next_fire(draft.rule, services.now(), services.settings.tz)
    await query.answer()
    text = await _create(update, context, draft.kind, first, draft.rule, draft.body, tags)
    await query.edit_message_text(text)


async def _create(
    update: Update,
    context: Context,
    kind: Literal["text", "digest"],
    first: int,
    rule: str | None,
    body: str,
    tags: Sequence[str],
) -> str:
    """Create the schedule (audited) and return its confirmation, naming its targets."""
    services = context.services
    lang = context.lang
    targets = Targets(tags=tuple(tags))
    actor = actor_id(update)
    if kind == "text":
        async with services.audited(actor, "schedule", detail=body) as audit:
            schedule = await schedule_broadcast(
                services,
                "text",
                Payload(kind="text", text=str(escape(body))),
                targets,
                first,
                creator_id=actor,
                title=body[:_TITLE],
                rule=rule,
            )
            audit.target = str(schedule.id)
    else:
        async with services.audited(actor, "schedule_digest") as audit:
            schedule = await services.scheduler.create(
                "digest",
                t(lang, "dg_title"),
                {"targets": targets.to_dict()},
                first,
                rule=rule,
                creator_id=actor,
                ref="digest",
            )
            audit.target = str(schedule.id)
    return t(
        lang,
        "sp_created",
        id=schedule.id,
        when=_fire_text(services, first, schedule.next_due_at, lang),
        rule=_rule_text(rule, lang),
        targets=await _targets_text(services, tags, lang),
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("schedule", schedule_command))
    application.add_handler(CommandHandler("schedule_digest", schedule_digest_command))
    application.add_handler(CallbackQueryHandler(target_chosen, pattern=matches(ScheduleTarget)))
