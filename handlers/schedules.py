"""Schedules, quiet-hours answers, launches, greetings and follow-ups (Telegram side only)."""

from __future__ import annotations

import warnings
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.broadcast.outbox import Payload
from bot.catalog.launches import LaunchPlan, plan_launch, schedule_launch
from bot.common.errors import InputError
from bot.common.timeparse import UnreadableTime, describe_rule, local_iso, parse_when
from bot.events.festivals import FESTIVALS, festival_named
from bot.events.greetings import MAX_TEMPLATE_LENGTH, approve, festival_name, skip
from bot.scheduling.broadcasts import schedule_broadcast
from bot.scheduling.conversations import ConversationHandler
from bot.scheduling.kinds import cap_text
from bot.scheduling.model import Targets
from bot.services import Services, services_of
from bot.texts import Language, escape, t
from handlers.common import (
    Context,
    actor_id,
    admin_only,
    command_args,
    drop_clicked_row,
    language,
    message_text,
    reply,
)

MAX_TEXT = 3500
LIST_LIMIT = 30


def _split_targets(args: list[str], lang: Language) -> tuple[list[str], Targets]:
    """Leading ``tag:<tag>`` options (any number) → the target groups; the rest is returned."""
    tags: list[str] = []
    while args and args[0].lower().startswith("tag:"):
        tag = args.pop(0)[4:].strip()
        if not tag:
            raise InputError(t(lang, "sch_err_tag"))
        tags.append(tag)
    return args, Targets(tags=tuple(tags))


def _take_when(args: list[str], services: Services, lang: Language) -> tuple[int, str | None, int]:
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


def _fire_text(services: Services, first: int, due: int | None, lang: Language) -> str:
    tz = services.settings.tz
    text = local_iso(first, tz)
    if due is not None and due != first:
        text += t(lang, "sch_shifted_to", due=local_iso(due, tz))
    return text


@admin_only
async def schedule_command(update: Update, context: Context) -> None:
    """/schedule [tag:<tag>...] <when> <text>: a text broadcast to the active groups."""
    services = services_of(context)
    lang = language(update, services)
    args, targets = _split_targets(command_args(context), lang)
    if len(args) < 2:
        raise InputError(t(lang, "sch_usage_schedule"))
    first, rule, used = _take_when(args, services, lang)
    body = " ".join(args[used:]).strip()
    if not body:
        raise InputError(t(lang, "sch_usage_schedule"))
    if len(body) > MAX_TEXT:
        raise InputError(t(lang, "sch_err_text_long", max=MAX_TEXT))
    schedule = await schedule_broadcast(
        services,
        "text",
        Payload(kind="text", text=str(escape(body))),
        targets,
        first,
        creator_id=actor_id(update),
        title=body[:40],
        rule=rule,
    )
    await services.audit.add(services.now(), actor_id(update), "schedule", str(schedule.id), body)
    await reply(
        update, _created_text(services, schedule.id, first, schedule.next_due_at, rule, lang)
    )


def _created_text(
    services: Services,
    schedule_id: int,
    first: int,
    due: int | None,
    rule: str | None,
    lang: Language,
) -> str:
    return t(
        lang,
        "sch_created",
        id=schedule_id,
        when=_fire_text(services, first, due, lang),
        rule=describe_rule(rule, lang) if rule else t(lang, "sch_once"),
    )


@admin_only
async def schedule_digest_command(update: Update, context: Context) -> None:
    """/schedule_digest [tag:<tag>...] <when>: the low/out-of-stock digest, usually recurring."""
    services = services_of(context)
    lang = language(update, services)
    args, targets = _split_targets(command_args(context), lang)
    if not args:
        raise InputError(t(lang, "sch_usage_digest"))
    first, rule, used = _take_when(args, services, lang)
    if used != len(args):
        raise InputError(t(lang, "sch_usage_digest"))
    schedule = await services.scheduler.create(
        "digest",
        t(lang, "dg_title"),
        {"targets": targets.to_dict()},
        first,
        rule=rule,
        creator_id=actor_id(update),
        ref="digest",
    )
    await services.audit.add(services.now(), actor_id(update), "schedule_digest", str(schedule.id))
    await reply(
        update, _created_text(services, schedule.id, first, schedule.next_due_at, rule, lang)
    )


@admin_only
async def schedules_command(update: Update, context: Context) -> None:
    services = services_of(context)
    lang = language(update, services)
    schedules = await services.schedules.upcoming(limit=LIST_LIMIT)
    if not schedules:
        await reply(update, t(lang, "sch_list_empty"))
        return
    lines = [t(lang, "sch_list_header", count=len(schedules))]
    for schedule in schedules:
        due = schedule.next_due_at
        lines.append(
            t(
                lang,
                "sch_list_line",
                id=schedule.id,
                title=schedule.title,
                kind=t(lang, f"sch_kind_{schedule.kind}"),
                when=local_iso(due, services.settings.tz) if due is not None else "-",
                rule=describe_rule(schedule.rule, lang) if schedule.rule else t(lang, "sch_once"),
                status=t(lang, f"sch_status_{schedule.status}"),
            )
        )
    await reply(update, "\n".join(lines))


def _schedule_id(args: list[str], lang: Language, usage: str) -> int:
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        raise InputError(t(lang, usage))
    return int(args[0].lstrip("#"))


async def _change(update: Update, context: Context, action: str) -> None:
    services = services_of(context)
    lang = language(update, services)
    schedule_id = _schedule_id(command_args(context), lang, f"sch_usage_{action}")
    schedule = await services.schedules.get(schedule_id)
    if schedule is None:
        raise InputError(t(lang, "sch_err_unknown", id=schedule_id))
    scheduler = services.scheduler
    changed = await {
        "pause": scheduler.pause,
        "resume": scheduler.resume,
        "cancel": scheduler.cancel,
    }[action](schedule_id)
    if not changed:
        raise InputError(
            t(
                lang,
                f"sch_err_cannot_{action}",
                id=schedule_id,
                status=t(lang, f"sch_status_{schedule.status}"),
            )
        )
    await services.audit.add(
        services.now(), actor_id(update), f"{action}_schedule", str(schedule_id)
    )
    updated = await services.schedules.get(schedule_id)
    assert updated is not None
    due = updated.next_due_at
    await reply(
        update,
        t(
            lang,
            f"sch_{action}_done",
            id=schedule_id,
            when=local_iso(due, services.settings.tz) if due is not None else "-",
        ),
    )


@admin_only
async def pause_command(update: Update, context: Context) -> None:
    await _change(update, context, "pause")


@admin_only
async def resume_command(update: Update, context: Context) -> None:
    await _change(update, context, "resume")


@admin_only
async def cancel_command(update: Update, context: Context) -> None:
    await _change(update, context, "cancel")


# --- quiet hours ------------------------------------------------------------------------------


@admin_only
async def quiet_clicked(update: Update, context: Context) -> None:
    """The answer to the quiet-hours question asked by any feature (``send_or_hold``)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = services_of(context)
    lang = language(update, services)
    _, raw_id, choice = query.data.split(":")
    schedule_id = int(raw_id)
    schedule = await services.schedules.get(schedule_id)
    if schedule is None or schedule.status != "held":
        await query.answer(t(lang, "sch_quiet_decided"), show_alert=True)
        return
    await query.answer()
    if choice == "now":
        result = await services.scheduler.release_held(schedule_id, now_anyway=True)
        ids = ", ".join(str(i) for i in result.broadcast_ids) if result else "-"
        text = t(lang, "sch_quiet_sent", broadcast=ids)
    else:
        await services.scheduler.release_held(schedule_id, now_anyway=False)
        due = schedule.next_due_at
        text = t(
            lang,
            "sch_quiet_queued",
            id=schedule_id,
            when=local_iso(due, services.settings.tz) if due else "-",
        )
    await services.audit.add(services.now(), actor_id(update), f"quiet_{choice}", str(schedule_id))
    await query.edit_message_text(text, parse_mode=ParseMode.HTML)


# --- product launches ---------------------------------------------------------------------


def _split_times(args: list[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for arg in args:
        if arg in ("/", "|", "then", "然后"):
            parts.append([])
        else:
            parts[-1].append(arg)
    return parts


@admin_only
async def launch_command(update: Update, context: Context) -> None:
    """/launch [tag:<tag>...] <sku> <when> [/ <teaser when>]: schedule a product post, with an
    optional 预热 teaser first."""
    services = services_of(context)
    lang = language(update, services)
    args, targets = _split_targets(command_args(context), lang)
    if len(args) < 2:
        raise InputError(t(lang, "sch_usage_launch"))
    sku, rest = args[0], args[1:]
    parts = _split_times(rest)
    if len(parts) > 2 or not all(parts):
        raise InputError(t(lang, "sch_usage_launch"))
    launch_at, rule, used = _take_when(parts[0], services, lang)
    if rule is not None or used != len(parts[0]):
        raise InputError(t(lang, "sch_err_launch_once"))
    teaser_at = None
    if len(parts) == 2:
        teaser_at, teaser_rule, used = _take_when(parts[1], services, lang)
        if teaser_rule is not None or used != len(parts[1]):
            raise InputError(t(lang, "sch_err_launch_once"))
    plan = await plan_launch(services, sku, targets, launch_at, teaser_at, lang)
    if not plan.check.ok:
        await reply(
            update,
            cap_text(services, plan.check, lang),
            reply_markup=_cap_keyboard(plan, lang, context),
        )
        return
    await _do_launch(update, services, plan, lang)


def _cap_keyboard(plan: LaunchPlan, lang: Language, context: Context) -> InlineKeyboardMarkup:
    store = context.user_data
    assert store is not None
    store["pending_launch"] = plan
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "sch_cap_take_slot"), callback_data="lc:slot"),
                InlineKeyboardButton(t(lang, "cancel"), callback_data="lc:no"),
            ]
        ]
    )


async def _do_launch(update: Update, services: Services, plan: LaunchPlan, lang: Language) -> None:
    teaser, launch = await schedule_launch(services, plan, actor_id(update))
    await services.audit.add(services.now(), actor_id(update), "launch", plan.product.sku)
    tz = services.settings.tz
    lines = []
    if teaser is not None and teaser.next_due_at is not None:
        lines.append(
            t(lang, "sch_teaser_done", id=teaser.id, when=local_iso(teaser.next_due_at, tz))
        )
    assert launch.next_due_at is not None
    lines.append(
        t(
            lang,
            "sch_launch_done",
            id=launch.id,
            sku=plan.product.sku,
            when=local_iso(launch.next_due_at, tz),
        )
    )
    message = update.effective_message
    if update.callback_query is not None:
        await update.callback_query.edit_message_text("\n".join(lines), parse_mode=ParseMode.HTML)
    elif message is not None:
        await reply(update, "\n".join(lines))


@admin_only
async def launch_slot_clicked(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    services = services_of(context)
    lang = language(update, services)
    store = context.user_data
    assert store is not None
    plan = store.pop("pending_launch", None)
    if not isinstance(plan, LaunchPlan):
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    await query.answer()
    if query.data.endswith(":no"):
        await query.edit_message_text(t(lang, "sch_launch_cancelled"))
        return
    moved = await plan_launch(
        services,
        plan.product.sku,
        plan.targets,
        plan.check.next_free,
        None if plan.teaser_at is None else plan.teaser_at + plan.check.next_free - plan.launch_at,
        lang,
    )
    if not moved.check.ok:
        await query.edit_message_text(
            cap_text(services, moved.check, lang), parse_mode=ParseMode.HTML
        )
        return
    await _do_launch(update, services, moved, lang)


# --- greetings --------------------------------------------------------------------------------


@admin_only
async def greeting_command(update: Update, context: Context) -> None:
    """/greeting <festival> <text>: set the festival's template ({name} = the addressee)."""
    services = services_of(context)
    lang = language(update, services)
    args = command_args(context)
    if not args:
        lines = [t(lang, "grt_list_header")]
        for festival in FESTIVALS:
            stored = await services.greetings.template(festival.key)
            lines.append(
                t(
                    lang,
                    "grt_list_line",
                    festival=festival_name(festival, lang),
                    text=stored if stored is not None else t(lang, f"grt_default_{festival.key}"),
                )
            )
        lines.append(t(lang, "grt_usage"))
        await reply(update, "\n".join(lines))
        return
    named = festival_named(args[0])
    if named is None:
        raise InputError(
            t(
                lang,
                "grt_err_festival",
                value=args[0],
                names="、".join(festival_name(f, lang) for f in FESTIVALS),
            )
        )
    festival = named
    text = " ".join(args[1:]).strip()
    if not text or len(text) > MAX_TEMPLATE_LENGTH:
        raise InputError(t(lang, "grt_err_text", max=MAX_TEMPLATE_LENGTH))
    await services.greetings.set_template(festival.key, text, actor_id(update), services.now())
    await services.audit.add(services.now(), actor_id(update), "greeting", festival.key, text)
    await reply(update, t(lang, "grt_saved", festival=festival_name(festival, lang), text=text))


@admin_only
async def greeting_clicked(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    services = services_of(context)
    lang = language(update, services)
    _, key, year, choice = query.data.split(":")
    festival = next((f for f in FESTIVALS if f.key == key), None)
    if festival is None:
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    name = festival_name(festival, lang)
    if choice == "a":
        when = await approve(services, key, int(year), actor_id(update))
        if when is None:
            await query.answer(t(lang, "grt_already"), show_alert=True)
            return
        result = t(lang, "grt_approved", festival=name, when=local_iso(when, services.settings.tz))
    else:
        if not await skip(services, key, int(year), actor_id(update)):
            await query.answer(t(lang, "grt_already"), show_alert=True)
            return
        result = t(lang, "grt_skipped", festival=name)
    await query.answer()
    await services.audit.add(
        services.now(), actor_id(update), f"greeting_{choice}", f"{key}:{year}"
    )
    message = query.message
    original = getattr(message, "text_html", None) or ""
    await query.edit_message_text(original + "\n\n" + result, parse_mode=ParseMode.HTML)


# --- follow-ups -------------------------------------------------------------------------------


@admin_only
async def followup_clicked(update: Update, context: Context) -> None:
    """A "contacted" button of the daily follow-up list: record the contact, drop the button."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = services_of(context)
    lang = language(update, services)
    user_id = int(query.data.split(":")[1])
    agent = await services.agents.get(user_id)
    if agent is None:
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    await services.agents.set_contacted(user_id, None, services.now())
    await services.audit.add(services.now(), actor_id(update), "contacted", str(user_id))
    await query.answer(t(lang, "fu_done", name=agent.display_name))
    await drop_clicked_row(query)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(launch_conversation())
    application.add_handler(CommandHandler("schedule", schedule_command))
    application.add_handler(CommandHandler("schedule_digest", schedule_digest_command))
    application.add_handler(CommandHandler("schedules", schedules_command))
    application.add_handler(CommandHandler("pause_schedule", pause_command))
    application.add_handler(CommandHandler("resume_schedule", resume_command))
    application.add_handler(CommandHandler("cancel_schedule", cancel_command))
    application.add_handler(CommandHandler("launch", launch_command))
    application.add_handler(CommandHandler("greeting", greeting_command))
    application.add_handler(CallbackQueryHandler(quiet_clicked, pattern=r"^qh:\d+:(now|later)$"))
    application.add_handler(CallbackQueryHandler(launch_slot_clicked, pattern=r"^lc:(slot|no)$"))
    application.add_handler(
        CallbackQueryHandler(greeting_clicked, pattern=r"^grt:[a-z]+:\d{4}:[as]$")
    )
    application.add_handler(CallbackQueryHandler(followup_clicked, pattern=r"^fu:\d+$"))


# --- the launch conversation (from a saved product's "Schedule…" / "Teaser first") ------------

LP_TEASER, LP_LAUNCH, LP_TARGETS = range(100, 103)
_LAUNCH_DRAFT = "launch_draft"
_LAUNCH_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND


def _launch_draft(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    draft = data.setdefault(_LAUNCH_DRAFT, {})
    assert isinstance(draft, dict)
    return draft


@admin_only
async def launch_pick(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    services = services_of(context)
    lang = language(update, services)
    await query.answer()
    _, mode, sku, tag = query.data.split(":", 3)
    draft = _launch_draft(context)
    draft.clear()
    draft.update(sku=sku, tag=None if tag in ("*", "?") else tag, ask_tag=tag == "?")
    tz = services.settings.timezone
    if mode == "t":
        await reply(update, t(lang, "sch_ask_teaser_time", tz=tz))
        return LP_TEASER
    await reply(update, t(lang, "sch_ask_launch_time", tz=tz))
    return LP_LAUNCH


def _one_off(services: Services, text: str, lang: Language) -> int:
    when = parse_when(text, services.now(), services.settings.tz, lang)
    if when.rule is not None:
        raise InputError(t(lang, "sch_err_launch_once"))
    return when.first


@admin_only
async def launch_teaser_time(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    _launch_draft(context)["teaser_at"] = _one_off(services, message_text(update), lang)
    await reply(update, t(lang, "sch_ask_launch_time", tz=services.settings.timezone))
    return LP_LAUNCH


@admin_only
async def launch_time(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    draft = _launch_draft(context)
    launch_at = _one_off(services, message_text(update), lang)
    teaser_at = draft.get("teaser_at")
    if teaser_at is not None and teaser_at >= launch_at:
        raise InputError(t(lang, "sch_err_teaser_order"))
    draft["launch_at"] = launch_at
    if draft.get("ask_tag"):
        await reply(update, t(lang, "sch_ask_targets"))
        return LP_TARGETS
    return await _finish_launch(update, context)


@admin_only
async def launch_targets(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    text = message_text(update)
    if not text:
        raise InputError(t(lang, "sch_ask_targets"))
    _launch_draft(context)["tag"] = None if text.lower() in ("all", "全部") else text
    return await _finish_launch(update, context)


async def _finish_launch(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    draft = _launch_draft(context)
    tag = draft.get("tag")
    targets = Targets(tags=(tag,) if tag else ())
    plan = await plan_launch(
        services, draft["sku"], targets, draft["launch_at"], draft.get("teaser_at"), lang
    )
    draft.clear()
    if not plan.check.ok:
        await reply(
            update,
            cap_text(services, plan.check, lang),
            reply_markup=_cap_keyboard(plan, lang, context),
        )
        return ConversationHandler.END
    await _do_launch(update, services, plan, lang)
    return ConversationHandler.END


@admin_only
async def launch_cancel(update: Update, context: Context) -> int:
    _launch_draft(context).clear()
    await reply(update, t(language(update, services_of(context)), "sch_launch_cancelled"))
    return ConversationHandler.END


def launch_conversation() -> ConversationHandler[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(launch_pick, pattern=r"^lp:[lt]:[^:]+:.+$")],
            states={
                LP_TEASER: [MessageHandler(_LAUNCH_TEXT, launch_teaser_time)],
                LP_LAUNCH: [MessageHandler(_LAUNCH_TEXT, launch_time)],
                LP_TARGETS: [MessageHandler(_LAUNCH_TEXT, launch_targets)],
            },
            fallbacks=[CommandHandler("cancel", launch_cancel)],
            name="launch",
            per_user=True,
            per_chat=True,
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )
