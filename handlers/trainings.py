"""Trainings: the /training conversation, RSVP buttons, lists and attendance."""

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

from bot.agents.service import find_agent
from bot.broadcast.outbox import inline_markup
from bot.common.callbacks import Attended, RsvpChoice, TrainingCancel, encode, matches
from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.common.paged import list_pages
from bot.common.timeparse import local_iso, parse_when
from bot.common.typed import split_list
from bot.events.training import (
    MAX_LOCATION,
    MAX_TITLE,
    TrainingDraft,
    answer,
    create_training,
    invited,
    open_for_answers,
    parse_duration,
    rsvp_rows,
    training_line,
)
from bot.events.training_cancel import (
    cancel_problem,
    cancel_training,
    confirmation_text,
    done_text,
    parse_training_id,
    usage_error,
)
from bot.scheduling.broadcasts import quiet_question
from bot.scheduling.conversations import ConversationHandler
from bot.texts import Language, t
from handlers.common import (
    Context,
    ListRows,
    actor_id,
    admin_only,
    clicked,
    command_args,
    drop_clicked_row,
    keyed_list_page_handler,
    list_page_handler,
    message_text,
    remember,
    reply,
    send_keyed_list,
    send_list,
    user_store,
    validated,
)

TITLE, START, DURATION, WHERE, MATERIALS, TARGETS = range(6)
END = ConversationHandler.END
CONVERSATION_TIMEOUT = 30 * 60
_DRAFT = "training_draft"
_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
_SKIP = {"skip", "跳过", "无", "-", "no", "none"}
_ALL = {"all", "全部", "所有", "所有群"}
LIST_LIMIT = 20
_CANCELS = "pending_training_cancels"


def _draft(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    draft = data.setdefault(_DRAFT, {})
    assert isinstance(draft, dict)
    return draft


def _bounded(text: str, limit: int, lang: Language, field: str) -> str:
    if not text or len(text) > limit:
        raise InputError(t(lang, "tr_err_field", field=t(lang, field), max=limit))
    return text


@admin_only
async def training_command(update: Update, context: Context) -> int:
    """``/training`` starts the conversation; ``/training <id>`` shows the RSVP lists."""
    lang = context.lang
    args = command_args(context)
    if args:
        await _show(update, context, args, lang)
        return END
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        raise InputError(t(lang, "tr_err_private"))
    _draft(context).clear()
    await reply(update, t(lang, "tr_ask_title"))
    return TITLE


@admin_only
async def got_title(update: Update, context: Context) -> int:
    lang = context.lang
    _draft(context)["title"] = _bounded(message_text(update), MAX_TITLE, lang, "tr_field_title")
    await reply(update, t(lang, "tr_ask_start", tz=context.services.settings.timezone))
    return START


@admin_only
async def got_start(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
    when = parse_when(message_text(update), services.now(), services.settings.tz, lang)
    if when.rule is not None:
        raise InputError(t(lang, "tr_err_recurring"))
    _draft(context)["starts_at"] = when.first
    await reply(update, t(lang, "tr_ask_duration"))
    return DURATION


@admin_only
async def got_duration(update: Update, context: Context) -> int:
    lang = context.lang
    _draft(context)["duration"] = parse_duration(message_text(update), lang)
    await reply(update, t(lang, "tr_ask_where"))
    return WHERE


@admin_only
async def got_where(update: Update, context: Context) -> int:
    lang = context.lang
    _draft(context)["location"] = _bounded(
        message_text(update), MAX_LOCATION, lang, "tr_field_where"
    )
    await reply(update, t(lang, "tr_ask_materials"))
    return MATERIALS


@admin_only
async def got_materials(update: Update, context: Context) -> int:
    lang = context.lang
    message = update.effective_message
    if message is not None and message.document is not None:
        _draft(context)["materials"] = message.document.file_id
    elif message_text(update).lower() in _SKIP:
        _draft(context)["materials"] = None
    else:
        raise InputError(t(lang, "tr_ask_materials"))
    await reply(update, t(lang, "tr_ask_targets"))
    return TARGETS


@admin_only
async def got_targets(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
    words = message_text(update).replace(",", " ").replace("，", " ").split()
    tags: tuple[str, ...] = ()
    if not (len(words) == 1 and words[0].lower() in _ALL):
        tags = tuple(dict.fromkeys(word.removeprefix("tag:").lstrip("#") for word in words))
        if not tags or not all(tags):
            raise InputError(t(lang, "tr_ask_targets"))
    groups = await services.groups.with_tags(tags)
    if not groups:
        raise InputError(t(lang, "tr_err_no_groups", tags=" ".join(tags) or "-"))
    raw = _draft(context)
    draft = TrainingDraft(
        title=raw["title"],
        starts_at=raw["starts_at"],
        duration_minutes=raw["duration"],
        location=raw["location"],
        materials_file=raw.get("materials"),
        target_tags=tags,
    )
    training, decision = await create_training(services, draft, actor_id(update))
    _draft(context).clear()
    created = t(
        lang,
        "tr_created",
        id=training.id,
        title=training.title,
        start=local_iso(training.starts_at, services.settings.tz),
        groups=len(groups),
    )
    if decision.held is not None:
        question, keyboard = quiet_question(lang, decision, services.settings.tz)
        await reply(update, created + "\n\n" + question, reply_markup=inline_markup(keyboard))
    else:
        await reply(update, created)
    return END


@admin_only
async def cancel(update: Update, context: Context) -> int:
    _draft(context).clear()
    await reply(update, t(context.lang, "tr_cancelled"))
    return END


async def _show(update: Update, context: Context, args: list[str], lang: Language) -> None:
    """``/training <id>``: who answered what, paged; under it (or, when the list has more than
    one page, in a message of their own) a button to mark each of the first unmarked agents
    who did not say no as present."""
    services = context.services
    training_id = ascii_int(args[0].lstrip("#"), 1) if len(args) == 1 else None
    if training_id is None:
        raise InputError(t(lang, "tr_usage_training"))
    training = await services.trainings.get(training_id)
    if training is None:
        raise InputError(t(lang, "tr_err_unknown", id=args[0]))
    rsvps = await services.trainings.rsvps(training.id)
    present = await services.trainings.present(training.id)
    rows = rsvp_rows(training, rsvps, present, services.settings.tz, lang)
    marked = {user_id for user_id, _ in present}
    buttons = [
        [
            InlineKeyboardButton(
                t(lang, "tr_mark_button", name=rsvp.name),
                callback_data=encode(Attended(training.id, rsvp.user_id)),
            )
        ]
        for rsvp in rsvps
        if rsvp.answer != "no" and rsvp.user_id not in marked
    ][:LIST_LIMIT]
    markup = InlineKeyboardMarkup(buttons) if buttons and training.status != "cancelled" else None
    pages = list_pages(rows, lang)
    if len(pages) == 1:
        await reply(update, pages[0], reply_markup=markup)
        return
    await send_keyed_list(update, context, "rsvps", training.id, rows)
    if markup is not None:
        prompt = t(lang, "lists_rsvp_mark_prompt", count=len(buttons))
        await reply(update, prompt, reply_markup=markup)


async def _rsvp_rows(context: Context, training_id: int) -> ListRows | None:
    """The answers to a training, for ◀ ▶ under ``/training <id>`` (None: no such training)."""
    services = context.services
    training = await services.trainings.get(training_id)
    if training is None:
        return None
    rsvps = await services.trainings.rsvps(training.id)
    present = await services.trainings.present(training.id)
    return rsvp_rows(training, rsvps, present, services.settings.tz, context.lang)


@admin_only
async def trainings_command(update: Update, context: Context) -> None:
    await send_list(update, context, "trainings", await _trainings_rows(context))


async def _trainings_rows(context: Context) -> ListRows:
    services = context.services
    lang = context.lang
    trainings = await services.trainings.list(since=services.now(), limit=LIST_LIMIT)
    if not trainings:
        return t(lang, "tr_list_empty"), []
    rows = []
    for training in trainings:
        counts = await services.trainings.counts(training.id)
        rows.append(training_line(training, counts, services.settings.tz, lang))
    return t(lang, "tr_list_header"), rows


@admin_only
async def attended_command(update: Update, context: Context) -> None:
    """/attended <id> <agent>...: mark agents (id or @username) as present."""
    services = context.services
    lang = context.lang
    args = command_args(context)
    training_id = ascii_int(args[0].lstrip("#"), 1) if len(args) >= 2 else None
    if training_id is None:
        raise InputError(t(lang, "tr_usage_attended"))
    training = await services.trainings.get(training_id)
    if training is None:
        raise InputError(t(lang, "tr_err_unknown", id=args[0]))
    if training.status == "cancelled":
        raise InputError(t(lang, "trc_err_attended", id=training.id, title=training.title))
    agents = [await find_agent(services, token, lang) for token in split_list(args[1:])]
    async with services.audited(
        actor_id(update),
        "attended",
        str(training.id),
        " ".join(str(agent.user_id) for agent in agents),
    ):
        count = await services.trainings.mark_attended(
            training.id, [agent.user_id for agent in agents], actor_id(update), services.now()
        )
    await reply(
        update,
        t(
            lang,
            "tr_attended_done",
            id=training.id,
            count=count,
            names="、".join(agent.display_name for agent in agents),
        ),
    )


@admin_only
async def attended_clicked(update: Update, context: Context) -> None:
    query, button = clicked(update, Attended)
    services = context.services
    lang = context.lang
    training_id, user_id = button.training_id, button.user_id
    training = await services.trainings.get(training_id)
    if training is None or training.status == "cancelled":
        await query.answer(t(lang, "trc_rsvp_cancelled"), show_alert=True)
        return
    if await services.agents.get(user_id) is None:  # the list only offers known agents
        await query.answer(t(lang, "button_expired"))
        return
    await services.trainings.mark_attended(training_id, [user_id], actor_id(update), services.now())
    await query.answer(t(lang, "tr_attended_one"))
    await drop_clicked_row(query)


@validated
async def rsvp_clicked(update: Update, context: Context) -> None:
    """An agent's 参加 / 不参加 / 待定 under an announcement (in a group)."""
    query, button = clicked(update, RsvpChoice)
    user = update.effective_user
    assert user is not None
    services = context.services
    lang = context.lang
    training = await services.trainings.get(button.training_id)
    if training is None or not await invited(services, training, user.id):
        # Not invited (or no such training): forged or pressed by an outsider; say nothing.
        await query.answer(t(lang, "button_expired"))
        return
    if training.status == "cancelled":
        await query.answer(t(lang, "trc_rsvp_cancelled"), show_alert=True)
        return
    if not open_for_answers(training, services.now()):
        await query.answer(t(lang, "tr_rsvp_closed"), show_alert=True)
        return
    await services.agents.record(
        user.id,
        user.first_name,
        user.last_name,
        user.username,
        user.language_code,
        services.now(),
    )
    choice = button.answer
    await answer(services, training.id, user.id, choice)
    await query.answer(t(lang, f"tr_rsvp_thanks_{choice}", title=training.title))


@admin_only
async def cancel_training_command(update: Update, context: Context) -> None:
    """``/cancel_training <id>``: ask for confirmation before cancelling a training."""
    services = context.services
    lang = context.lang
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        raise InputError(t(lang, "trc_err_private"))
    training_id = parse_training_id(command_args(context), lang)
    training = await services.trainings.get(training_id)
    if training is None:
        raise usage_error(lang, "trc_err_unknown", id=training_id)
    problem = cancel_problem(training, services.now(), services.settings.tz, lang)
    if problem is not None:
        raise InputError(problem + "\n" + t(lang, "trc_usage"))
    counts = await services.trainings.counts(training.id)
    key = remember(user_store(context, _CANCELS), training.id)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "trc_confirm_button"), callback_data=encode(TrainingCancel(key, "y"))
                ),
                InlineKeyboardButton(
                    t(lang, "trc_keep_button"), callback_data=encode(TrainingCancel(key, "n"))
                ),
            ]
        ]
    )
    await reply(
        update,
        confirmation_text(training, counts, services.settings.tz, lang),
        reply_markup=markup,
    )


@admin_only
async def cancel_training_clicked(update: Update, context: Context) -> None:
    """The confirmation's buttons; everything is checked again, a stale click changes nothing."""
    query, button = clicked(update, TrainingCancel)
    services = context.services
    lang = context.lang
    training_id = user_store(context, _CANCELS).pop(button.key, None)
    if not isinstance(training_id, int):
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    training = await services.trainings.get(training_id)
    if button.confirm != "y":
        await query.answer()
        title = training.title if training is not None else str(training_id)
        await query.edit_message_text(t(lang, "trc_kept", id=training_id, title=title))
        return
    problem = (
        t(lang, "trc_err_unknown", id=training_id)
        if training is None
        else cancel_problem(training, services.now(), services.settings.tz, lang)
    )
    if problem is not None:
        await query.answer(t(lang, "trc_not_cancelled"), show_alert=True)
        await query.edit_message_text(problem)
        return
    # Answered before the work: editing the announcement in every group can take a moment.
    await query.answer()
    cancellation = await cancel_training(services, training_id, actor_id(update))
    if cancellation is None:  # lost a race with another admin's click or the start
        await query.edit_message_text(t(lang, "trc_err_not_cancellable", id=training_id))
        return
    await query.edit_message_text(done_text(cancellation, lang))


def conversation() -> ConversationHandler[Any]:
    states: dict[object, list[Any]] = {
        TITLE: [MessageHandler(_TEXT, got_title)],
        START: [MessageHandler(_TEXT, got_start)],
        DURATION: [MessageHandler(_TEXT, got_duration)],
        WHERE: [MessageHandler(_TEXT, got_where)],
        MATERIALS: [
            MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, got_materials),
            MessageHandler(_TEXT, got_materials),
        ],
        TARGETS: [MessageHandler(_TEXT, got_targets)],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("training", training_command)],
            states=states,
            fallbacks=[CommandHandler("cancel", cancel)],
            name="training",
            per_user=True,
            per_chat=True,
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
        )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(conversation())
    application.add_handler(CommandHandler("trainings", trainings_command))
    application.add_handler(list_page_handler("trainings", _trainings_rows))
    application.add_handler(keyed_list_page_handler("rsvps", _rsvp_rows))
    application.add_handler(CommandHandler("attended", attended_command))
    application.add_handler(CommandHandler("cancel_training", cancel_training_command))
    application.add_handler(CallbackQueryHandler(attended_clicked, pattern=matches(Attended)))
    application.add_handler(
        CallbackQueryHandler(cancel_training_clicked, pattern=matches(TrainingCancel))
    )
    application.add_handler(CallbackQueryHandler(rsvp_clicked, pattern=matches(RsvpChoice)))
