"""Schedules (listing, pausing, resuming, cancelling; creating them is handlers/schedule_create.py),
quiet-hours answers, greetings and follow-ups (Telegram side only)."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.agents.segments import GREETING_SEGMENT_KEYS, parse_target
from bot.broadcast.outbox import inline_markup
from bot.common.callbacks import (
    FollowUpDone,
    GreetingAnswer,
    GreetingPromo,
    KeyedListPage,
    QuietAnswer,
    matches,
    parse_as,
)
from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.common.timeparse import describe_rule, local_iso
from bot.events.festivals import FESTIVALS, Festival, festival_named
from bot.events.greetings import (
    MAX_TEMPLATE_LENGTH,
    approve,
    festival_name,
    greeting_reach,
    promotion_usable,
    skip,
)
from bot.scheduling.followups import followup_page
from bot.texts import Language, t
from handlers.common import (
    Context,
    ListRows,
    actor_id,
    admin_only,
    clicked,
    command_args,
    drop_clicked_row,
    list_page_handler,
    raw_command_args,
    reply,
    send_list,
)

LIST_LIMIT = 30
_TARGET_WORDS = ("对象", "target")
_EVERYONE_WORDS = ("全部", "所有", "all", "everyone")


@admin_only
async def schedules_command(update: Update, context: Context) -> None:
    await send_list(update, context, "schedules", await _schedules_rows(context))


async def _schedules_rows(context: Context) -> ListRows:
    services = context.services
    lang = context.lang
    schedules = await services.schedules.upcoming(limit=LIST_LIMIT)
    if not schedules:
        return t(lang, "sch_list_empty"), []
    rows = []
    for schedule in schedules:
        due = schedule.next_due_at
        rows.append(
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
    return t(lang, "sch_list_header", count=len(schedules)), rows


def _schedule_id(args: list[str], lang: Language, usage: str) -> int:
    schedule_id = ascii_int(args[0].lstrip("#"), 1) if len(args) == 1 else None
    if schedule_id is None:
        raise InputError(t(lang, usage))
    return schedule_id


async def _change(update: Update, context: Context, action: str) -> None:
    services = context.services
    lang = context.lang
    schedule_id = _schedule_id(command_args(context), lang, f"sch_usage_{action}")
    schedule = await services.schedules.get(schedule_id)
    if schedule is None:
        raise InputError(t(lang, "sch_err_unknown", id=schedule_id))
    scheduler = services.scheduler
    async with services.audited(actor_id(update), f"{action}_schedule", str(schedule_id)):
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
    query, button = clicked(update, QuietAnswer)
    services = context.services
    lang = context.lang
    schedule_id, choice = button.schedule_id, button.choice
    schedule = await services.schedules.get(schedule_id)
    if schedule is None or schedule.status != "held":
        await query.answer(t(lang, "sch_quiet_decided"), show_alert=True)
        return
    await query.answer()
    if choice == "now":
        result = await services.scheduler.release_held(schedule_id, now_anyway=True)
        # The fire runs under the scheduler's lock, which is never awaited inside a write
        # transaction (a fire takes it before writing): its audit row follows it.
        await services.audit.add(services.now(), actor_id(update), "quiet_now", str(schedule_id))
        ids = ", ".join(str(i) for i in result.broadcast_ids) if result else "-"
        text = t(lang, "sch_quiet_sent", broadcast=ids)
    else:
        async with services.audited(actor_id(update), f"quiet_{choice}", str(schedule_id)):
            await services.scheduler.release_held(schedule_id, now_anyway=False)
        due = schedule.next_due_at
        text = t(
            lang,
            "sch_quiet_queued",
            id=schedule_id,
            when=local_iso(due, services.settings.tz) if due else "-",
        )
    await query.edit_message_text(text)


# --- greetings --------------------------------------------------------------------------------


async def _greetings_rows(context: Context) -> ListRows:
    """``/greeting`` alone: every festival's template (up to 1,000 characters each), paged."""
    lang = context.lang
    rows = []
    for festival in FESTIVALS:
        stored = await context.services.greetings.template(festival.key)
        rows.append(
            t(
                lang,
                "grt_list_line",
                festival=festival_name(festival, lang),
                text=stored if stored is not None else t(lang, f"grt_default_{festival.key}"),
            )
        )
    return t(lang, "grt_list_header") + "\n" + t(lang, "grt_usage"), rows


@admin_only
async def greeting_command(update: Update, context: Context) -> None:
    """/greeting <festival> <text>: set the festival's template ({name} = the addressee)."""
    services = context.services
    lang = context.lang
    args = command_args(context)
    if not args:
        await send_list(update, context, "greetings", await _greetings_rows(context))
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
    if len(args) > 1 and args[1].lower() in _TARGET_WORDS:
        await _set_greeting_segment(update, context, festival, args[2:])
        return
    text = " ".join(raw_command_args(context)[1:]).strip()  # sent to agents as typed
    if not text or len(text) > MAX_TEMPLATE_LENGTH:
        raise InputError(t(lang, "grt_err_text", max=MAX_TEMPLATE_LENGTH))
    async with services.audited(actor_id(update), "greeting", festival.key, text):
        await services.greetings.set_template(festival.key, text, actor_id(update), services.now())
    await reply(update, t(lang, "grt_saved", festival=festival_name(festival, lang), text=text))


async def _set_greeting_segment(
    update: Update, context: Context, festival: Festival, args: list[str]
) -> None:
    """/greeting <festival> 对象 <tag:|tier:|mode:…>: greet that segment privately only;
    /greeting <festival> 对象 全部: every group and agent again."""
    services = context.services
    lang = context.lang
    if len(args) != 1:
        raise InputError(t(lang, "reach_grt_segment_usage"))
    name = festival_name(festival, lang)
    segment: str | None = None
    if args[0].lower() not in _EVERYONE_WORDS:
        segment = parse_target(
            args[0], services.now(), lang, GREETING_SEGMENT_KEYS, agents=False
        ).text
    async with services.audited(actor_id(update), "greeting_segment", festival.key, segment):
        await services.reach.set_greeting_segment(
            festival.key, segment, actor_id(update), services.now()
        )
    if segment is None:
        await reply(update, t(lang, "reach_grt_segment_cleared", festival=name))
        return
    count = len((await greeting_reach(services, segment)).reachable)
    await reply(
        update, t(lang, "reach_grt_segment_saved", festival=name, segment=segment, count=count)
    )


@admin_only
async def greeting_clicked(update: Update, context: Context) -> None:
    _, button = clicked(update, GreetingAnswer)
    await _decide(update, context, button.festival, button.year, button.choice, None)


@admin_only
async def greeting_promo_clicked(update: Update, context: Context) -> None:
    """Approve with a promotion sent after the greeting (先祝福再营销)."""
    query, button = clicked(update, GreetingPromo)
    services = context.services
    promotion = await services.promotions.get(button.promotion_id)
    if promotion is None or not promotion_usable(promotion, services.now()):
        await query.answer(t(context.lang, "reach_grt_promo_gone"), show_alert=True)
        return
    extra = t(context.lang, "reach_grt_with_promo", title=promotion.title)
    await _decide(update, context, button.festival, button.year, "a", (promotion.id, extra))


async def _decide(
    update: Update,
    context: Context,
    key: str,
    year: int,
    choice: str,
    promotion: tuple[int, str] | None,
) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    lang = context.lang
    festival = next((f for f in FESTIVALS if f.key == key), None)
    if festival is None:
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    name = festival_name(festival, lang)
    when: int | None = None
    promotion_id = promotion[0] if promotion else None
    detail = str(promotion_id) if promotion_id else None
    async with services.audited(
        actor_id(update), f"greeting_{choice}", f"{key}:{year}", detail
    ) as audit:
        if choice == "a":
            when = await approve(services, key, year, actor_id(update), promotion_id)
            decided = when is not None
        else:
            decided = await skip(services, key, year, actor_id(update))
        if not decided:
            audit.skip()
    if not decided:
        await query.answer(t(lang, "grt_already"), show_alert=True)
        return
    if when is not None:
        result = t(lang, "grt_approved", festival=name, when=local_iso(when, services.settings.tz))
        if promotion is not None:
            result += "\n" + promotion[1]
    else:
        result = t(lang, "grt_skipped", festival=name)
    await query.answer()
    message = query.message
    original = getattr(message, "text_html", None) or ""
    await query.edit_message_text(original + "\n\n" + result)


# --- follow-ups -------------------------------------------------------------------------------


@admin_only
async def followup_clicked(update: Update, context: Context) -> None:
    """A "contacted" button of the daily follow-up list: record the contact, drop the button."""
    query, button = clicked(update, FollowUpDone)
    services = context.services
    lang = context.lang
    user_id = button.user_id
    agent = await services.agents.get(user_id)
    if agent is None:
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    async with services.audited(actor_id(update), "contacted", str(user_id)):
        await services.contacts.add(user_id, services.now(), None, actor_id(update))
    await query.answer(t(lang, "fu_done", name=agent.display_name))
    await drop_clicked_row(query)


def _is_followups_page(data: object) -> bool:
    button = parse_as(KeyedListPage, data)
    return button is not None and button.list_name == "followups"


@admin_only
async def followups_page_clicked(update: Update, context: Context) -> None:
    """◀ ▶ under the daily follow-up list: that page of the stored list, with its rows'
    buttons (bot/scheduling/followups.py); a list too old is "expired"."""
    query, button = clicked(update, KeyedListPage)
    shown = await followup_page(context.services, button.key, button.page)
    if shown is None:
        await query.answer(t(context.lang, "button_expired"))
        return
    text, keyboard = shown
    await query.answer()
    try:
        await query.edit_message_text(text, reply_markup=inline_markup(keyboard))
    except BadRequest as error:  # the page already shown: nothing to change
        if "not modified" not in str(error).lower():
            raise


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("schedules", schedules_command))
    application.add_handler(list_page_handler("schedules", _schedules_rows))
    application.add_handler(list_page_handler("greetings", _greetings_rows))
    application.add_handler(CommandHandler("pause_schedule", pause_command))
    application.add_handler(CommandHandler("resume_schedule", resume_command))
    application.add_handler(CommandHandler("cancel_schedule", cancel_command))
    application.add_handler(CommandHandler("greeting", greeting_command))
    application.add_handler(CallbackQueryHandler(quiet_clicked, pattern=matches(QuietAnswer)))
    application.add_handler(CallbackQueryHandler(greeting_clicked, pattern=matches(GreetingAnswer)))
    application.add_handler(
        CallbackQueryHandler(greeting_promo_clicked, pattern=matches(GreetingPromo))
    )
    application.add_handler(CallbackQueryHandler(followup_clicked, pattern=matches(FollowUpDone)))
    application.add_handler(
        CallbackQueryHandler(followups_page_clicked, pattern=_is_followups_page)
    )
