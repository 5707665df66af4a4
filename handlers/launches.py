"""Product launches: /launch, the launch-cap answer, and the conversation that a saved
product's "Schedule…" / "Teaser first" button starts."""

from __future__ import annotations

import warnings
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.catalog.launches import LaunchPlan, plan_launch, schedule_launch
from bot.common.callbacks import LaunchPick, LaunchSlot, encode, matches
from bot.common.errors import InputError
from bot.common.timeparse import local_iso, parse_when
from bot.scheduling.arguments import split_targets, take_when
from bot.scheduling.conversations import ConversationHandler
from bot.scheduling.kinds import cap_text
from bot.scheduling.model import Targets
from bot.services import Services
from bot.texts import Language, t
from handlers.common import (
    Context,
    actor_id,
    admin_only,
    clicked,
    command_args,
    message_text,
    reply,
)


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
    services = context.services
    lang = context.lang
    args, targets = split_targets(command_args(context), lang)
    if len(args) < 2:
        raise InputError(t(lang, "sch_usage_launch"))
    sku, rest = args[0], args[1:]
    parts = _split_times(rest)
    if len(parts) > 2 or not all(parts):
        raise InputError(t(lang, "sch_usage_launch"))
    launch_at, rule, used = take_when(parts[0], services, lang)
    if rule is not None or used != len(parts[0]):
        raise InputError(t(lang, "sch_err_launch_once"))
    teaser_at = None
    if len(parts) == 2:
        teaser_at, teaser_rule, used = take_when(parts[1], services, lang)
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
                InlineKeyboardButton(
                    t(lang, "sch_cap_take_slot"), callback_data=encode(LaunchSlot("slot"))
                ),
                InlineKeyboardButton(t(lang, "cancel"), callback_data=encode(LaunchSlot("no"))),
            ]
        ]
    )


async def _do_launch(update: Update, services: Services, plan: LaunchPlan, lang: Language) -> None:
    async with services.audited(actor_id(update), "launch", plan.product.sku):
        teaser, launch = await schedule_launch(services, plan, actor_id(update))
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
        await update.callback_query.edit_message_text("\n".join(lines))
    elif message is not None:
        await reply(update, "\n".join(lines))


@admin_only
async def launch_slot_clicked(update: Update, context: Context) -> None:
    query, button = clicked(update, LaunchSlot)
    services = context.services
    lang = context.lang
    store = context.user_data
    assert store is not None
    plan = store.pop("pending_launch", None)
    if not isinstance(plan, LaunchPlan):
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    await query.answer()
    if button.choice == "no":
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
        await query.edit_message_text(cap_text(services, moved.check, lang))
        return
    await _do_launch(update, services, moved, lang)


# --- the conversation from a saved product's "Schedule…" / "Teaser first" ---------------

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
    query, button = clicked(update, LaunchPick)
    services = context.services
    lang = context.lang
    await query.answer()
    mode, sku, tag = button.mode, button.sku, button.tag
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
    services = context.services
    lang = context.lang
    _launch_draft(context)["teaser_at"] = _one_off(services, message_text(update), lang)
    await reply(update, t(lang, "sch_ask_launch_time", tz=services.settings.timezone))
    return LP_LAUNCH


@admin_only
async def launch_time(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
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
    lang = context.lang
    text = message_text(update)
    if not text:
        raise InputError(t(lang, "sch_ask_targets"))
    _launch_draft(context)["tag"] = None if text.lower() in ("all", "全部") else text
    return await _finish_launch(update, context)


async def _finish_launch(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
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
    await reply(update, t(context.lang, "sch_launch_cancelled"))
    return ConversationHandler.END


def launch_conversation() -> ConversationHandler[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(launch_pick, pattern=matches(LaunchPick))],
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


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(launch_conversation())
    application.add_handler(CommandHandler("launch", launch_command))
    application.add_handler(CallbackQueryHandler(launch_slot_clicked, pattern=matches(LaunchSlot)))
