"""The agent's store profile: the /profile conversation, /myprofile, and the admins' review
(Approve / Return with a preset reason).

An agent only ever reaches its own profile: the conversation and /myprofile are keyed by the
sender's user id and take no agent argument; the review buttons are admin-only.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.agents import profile_fields
from bot.agents.membership import PROFILE_START_COMMAND
from bot.agents.profiles import (
    OPERATING_STATUSES,
    badge_choices,
    operating_label,
    parse_badge,
    parse_dsr,
    parse_operating,
    parse_profile_mode,
    parse_store_name,
    parse_url,
    persona_line,
)
from bot.agents.quality_service import profile_lines, recompute, status_line, submission_text
from bot.agents.terms import PLATFORMS, parse_category, parse_platform, platform_label
from bot.common.callbacks import ProfileReturnReason, ProfileReview, encode, matches, parse
from bot.common.errors import InputError
from bot.common.render import MODE_LABELS
from bot.services import Services
from bot.texts import Language, language_of, t
from handlers.common import Context, admin_only, record_started_bot, reply, shop_name
from storage.models import ORDER_MODES
from storage.profiles import PROFILE_FIELDS, BuyerIdTaken, StoreProfile, Submission

log = logging.getLogger(__name__)

_DRAFT = "pf_draft"
PRESET_REASONS = 4  # catalog keys pf_reason_0 … pf_reason_3

(
    PLATFORM,
    STORE_NAME,
    STORE_URL,
    CATEGORY,
    BADGE,
    DSR_DESCRIPTION,
    DSR_SERVICE,
    DSR_LOGISTICS,
    OPERATING,
    MODE,
    REGION,
    BUYER_ID,
) = range(12)
# The optional steps (bot/agents/profile_fields.py): "skip" keeps the current value, "clear"
# removes it.
_OPTIONAL: dict[int, profile_fields.OptionalField] = {REGION: "region", BUYER_ID: "buyer_id"}


def _keyboard(labels: Sequence[str], per_row: int, lang: Language) -> ReplyKeyboardMarkup:
    rows = [
        [KeyboardButton(label) for label in labels[i : i + per_row]]
        for i in range(0, len(labels), per_row)
    ]
    return ReplyKeyboardMarkup(
        rows,
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=t(lang, "pf_placeholder"),
    )


def _skip_keyboard(lang: Language, clearable: bool) -> ReplyKeyboardMarkup:
    """跳过, and 清除 when the agent has a value to clear."""
    labels = [t(lang, "pff_skip"), t(lang, "pff_clear")] if clearable else [t(lang, "pff_skip")]
    return _keyboard(labels, 2, lang)


def _draft(context: Context) -> dict[str, Any]:
    data = context.user_data
    assert data is not None
    draft: dict[str, Any] = data.setdefault(_DRAFT, {})
    return draft


def _prompt(
    state: int, services: Services, lang: Language, draft: dict[str, Any]
) -> tuple[str, ReplyKeyboardMarkup | ReplyKeyboardRemove]:
    """The question of ``state`` and its buttons."""
    remove = ReplyKeyboardRemove()
    if state == PLATFORM:
        labels = [platform_label(code, lang) for code in PLATFORMS]
        return t(lang, "pf_ask_platform"), _keyboard(labels, 5, lang)
    if state == STORE_NAME:
        return t(lang, "pf_ask_store_name"), remove
    if state == STORE_URL:
        return t(lang, "pf_ask_url"), remove
    if state == CATEGORY:
        categories = services.settings.seller_categories
        if categories:
            return t(lang, "pf_ask_category_buttons"), _keyboard(categories, 3, lang)
        return t(lang, "pf_ask_category"), remove
    if state == BADGE:
        platform = draft["platform"]
        choices = badge_choices(platform)
        if platform == "taobao":
            return t(lang, "pf_ask_badge_taobao"), _keyboard(choices, 5, lang)
        if choices:
            name = platform_label(platform, lang)
            return t(lang, "pf_ask_badge_named", platform=name), _keyboard(choices, 3, lang)
        return t(lang, "pf_ask_badge_number", platform=platform_label(platform, lang)), remove
    if state in (DSR_DESCRIPTION, DSR_SERVICE, DSR_LOGISTICS):
        field = t(lang, _DSR_FIELDS[state][1])
        return t(lang, "pf_ask_dsr", field=field), _keyboard(["5.0", "4.9", "4.8", "4.7"], 4, lang)
    if state == OPERATING:
        labels = [operating_label(status, lang) for status in OPERATING_STATUSES]
        return t(lang, "pf_ask_operating"), _keyboard(labels, 3, lang)
    labels = [MODE_LABELS[lang][mode] for mode in ORDER_MODES]
    return t(lang, "pf_ask_mode"), _keyboard(labels, 3, lang)


_DSR_FIELDS: dict[int, tuple[str, str]] = {
    DSR_DESCRIPTION: ("dsr_description", "pf_field_dsr_description"),
    DSR_SERVICE: ("dsr_service", "pf_field_dsr_service"),
    DSR_LOGISTICS: ("dsr_logistics", "pf_field_dsr_logistics"),
}


def _parser(state: int, lang: Language, draft: dict[str, Any]) -> tuple[str, Callable[[str], Any]]:
    """The draft key that ``state`` fills and the function that validates its answer."""
    if state == PLATFORM:
        return "platform", lambda text: parse_platform(text, lang)
    if state == STORE_NAME:
        return "store_name", lambda text: parse_store_name(text, lang)
    if state == STORE_URL:
        return "store_url", lambda text: parse_url(text, lang)
    if state == CATEGORY:
        return "category", lambda text: parse_category(text, lang)
    if state == BADGE:
        return "badge", lambda text: parse_badge(draft["platform"], text, lang)
    if state in _DSR_FIELDS:
        key, label = _DSR_FIELDS[state]
        return key, lambda text: parse_dsr(text, lang, t(lang, label))
    if state == OPERATING:
        return "operating_status", lambda text: parse_operating(text, lang)
    return "order_mode", lambda text: parse_profile_mode(text, lang)


async def _ask(
    update: Update,
    services: Services,
    lang: Language,
    state: int,
    draft: dict[str, Any],
    prefix: str = "",
) -> int:
    if state in _OPTIONAL and update.effective_user is not None:
        field = _OPTIONAL[state]
        current = await profile_fields.current_value(services, update.effective_user.id, field)
        text = profile_fields.question(field, current, lang)
        markup: ReplyKeyboardMarkup | ReplyKeyboardRemove = _skip_keyboard(lang, bool(current))
    else:
        text, markup = _prompt(state, services, lang, draft)
    await reply(update, prefix + text, reply_markup=markup)
    return state


async def profile_start(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
    user = update.effective_user
    if user is None:
        return ConversationHandler.END
    if not await services.is_admin(user.id) and await services.agents.get(user.id) is None:
        # Someone from none of the seller's groups: a submission would make them an agent.
        await reply(
            update,
            t(lang, "start_visitor", name=user.first_name, shop=shop_name(context, lang)),
        )
        return ConversationHandler.END
    if not await services.is_admin(user.id):
        # The deep link may be the agent's first message to the bot.
        await record_started_bot(services, user)
    data = context.user_data
    assert data is not None
    data[_DRAFT] = {}
    await reply(update, t(lang, "pf_intro"))
    return await _ask(update, services, lang, PLATFORM, data[_DRAFT])


def _step(state: int) -> Callable[[Update, Context], Any]:
    async def answer(update: Update, context: Context) -> int:
        services = context.services
        lang = context.lang
        draft = _draft(context)
        message, user = update.effective_message, update.effective_user
        assert message is not None and message.text is not None and user is not None
        try:
            if state in _OPTIONAL:
                field = _OPTIONAL[state]
                text = message.text
                draft[field] = await profile_fields.answer(services, user.id, field, text, lang)
            else:
                key, parse = _parser(state, lang, draft)
                draft[key] = parse(message.text)
        except InputError as error:
            return await _ask(update, services, lang, state, draft, prefix=error.text + "\n\n")
        if state == BUYER_ID:
            return await _submit(update, context, services, lang, draft)
        return await _ask(update, services, lang, state + 1, draft)

    answer.__name__ = f"profile_step_{state}"
    return answer


async def not_text(update: Update, context: Context) -> None:
    """Anything but text during the conversation: say what is expected (state unchanged)."""
    await reply(update, t(context.lang, "pf_need_text"))


async def profile_cancel(update: Update, context: Context) -> int:
    lang = context.lang
    data = context.user_data
    assert data is not None
    data.pop(_DRAFT, None)
    await reply(update, t(lang, "pf_cancelled"), reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


async def _submit(
    update: Update, context: Context, services: Services, lang: Language, draft: dict[str, Any]
) -> int:
    user = update.effective_user
    assert user is not None
    profile = StoreProfile(**{k: v for k, v in draft.items() if k in PROFILE_FIELDS})
    await record_started_bot(services, user)
    async with services.audited(user.id, "profile_submit") as audit:
        submission_id = await services.profiles.submit(
            user.id,
            profile,
            draft["order_mode"],
            services.now(),
            draft.get("region"),
            draft.get("buyer_id"),
        )
        audit.target = str(submission_id)
    data = context.user_data
    assert data is not None
    data.pop(_DRAFT, None)
    submission = await services.profiles.submission(submission_id)
    assert submission is not None
    await reply(
        update,
        t(lang, "pf_submitted") + "\n\n" + submission_text(submission, services, lang),
        reply_markup=ReplyKeyboardRemove(),
    )
    await _notify_admins(context, services, submission, user.full_name, user.username)
    return ConversationHandler.END


def _review_markup(submission_id: int, lang: Language) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "pf_approve"), callback_data=encode(ProfileReview("a", submission_id))
                ),
                InlineKeyboardButton(
                    t(lang, "pf_return"), callback_data=encode(ProfileReview("r", submission_id))
                ),
            ]
        ]
    )


async def _admin_ids(services: Services) -> list[int]:
    granted = {grant.user_id for grant in await services.admins.list()}
    return sorted(set(services.settings.owners) | granted)


async def _notify_admins(
    context: Context,
    services: Services,
    submission: Submission,
    name: str,
    username: str | None,
) -> None:
    lang = services.settings.language
    who = f"{name} (@{username})" if username else name
    text = (
        t(lang, "pf_review_title", who=who, user_id=submission.user_id, id=submission.id)
        + "\n"
        + submission_text(submission, services, lang)
    )
    for admin_id in await _admin_ids(services):
        try:
            await context.bot.send_message(
                admin_id,
                text,
                reply_markup=_review_markup(submission.id, lang),
            )
        except TelegramError as error:
            log.info("admin %s not told about submission %s: %s", admin_id, submission.id, error)


async def myprofile(update: Update, context: Context) -> None:
    """The sender's own profile and application status (arguments are ignored on purpose)."""
    user = update.effective_user
    if user is None:
        return
    services = context.services
    lang = context.lang
    profile = await services.profiles.get(user.id)
    submission = await services.profiles.latest_submission(user.id)
    agent = await services.agents.get(user.id)
    lines = [t(lang, "pf_my_header")]
    if agent is not None:
        lines.append(persona_line(agent.region, agent.buyer_id, lang))
    if profile is not None:
        lines += profile_lines(profile, services.settings.seller_categories, services, lang)
    else:
        lines.append(t(lang, "pf_card_no_profile"))
    lines.append(status_line(submission, services, lang))
    if submission is not None and submission.status == "pending" and profile is not None:
        lines.append(t(lang, "pf_my_pending_changes"))
    lines.append(t(lang, "pf_my_hint"))
    await reply(update, "\n".join(lines))


async def _tell_agent(
    context: Context, services: Services, user_id: int, key: str, **values: object
) -> bool:
    agent = await services.agents.get(user_id)
    lang = language_of(agent.language if agent else None, services.settings.language)
    try:
        await context.bot.send_message(user_id, t(lang, key, **values))
    except (Forbidden, TelegramError) as error:
        log.info("agent %s not told (%s): %s", user_id, key, error)
        return False
    return True


def _reviewer(update: Update) -> tuple[int, str]:
    user = update.effective_user
    assert user is not None
    return user.id, user.full_name


async def _already(update: Update, lang: Language, submission: Submission | None) -> None:
    query = update.callback_query
    assert query is not None
    status = t(lang, f"pf_status_{submission.status}") if submission else "-"
    await query.answer(t(lang, "pf_review_already", status=status), show_alert=True)


@admin_only
async def review_clicked(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    services = context.services
    lang = context.lang
    button = parse(query.data)
    assert isinstance(button, ProfileReview | ProfileReturnReason)
    submission_id = button.submission_id
    submission = await services.profiles.submission(submission_id)
    if submission is None or submission.status != "pending":
        await _already(update, lang, submission)
        return
    reviewer_id, reviewer_name = _reviewer(update)
    original = query.message.text_html if isinstance(query.message, Message) else ""
    if isinstance(button, ProfileReview) and button.action == "r":
        buttons = [
            [
                InlineKeyboardButton(
                    t(lang, f"pf_reason_{i}"),
                    callback_data=encode(ProfileReturnReason(submission_id, i)),
                )
            ]
            for i in range(PRESET_REASONS)
        ]
        buttons.append(
            [
                InlineKeyboardButton(
                    t(lang, "pf_reason_back"),
                    callback_data=encode(ProfileReview("b", submission_id)),
                )
            ]
        )
        await query.answer()
        await query.edit_message_reply_markup(InlineKeyboardMarkup(buttons))
        return
    if isinstance(button, ProfileReview) and button.action == "b":
        await query.answer()
        await query.edit_message_reply_markup(_review_markup(submission_id, lang))
        return
    if isinstance(button, ProfileReview):  # approve
        try:
            async with services.audited(
                reviewer_id, "profile_approve", detail=str(submission_id)
            ) as audit:
                approved = await services.profiles.approve(
                    submission_id, reviewer_id, services.now()
                )
                if approved is None:
                    audit.skip()
                else:
                    audit.target = str(approved.user_id)
        except BuyerIdTaken as taken:  # another agent got it since: nothing changed
            text = t(lang, "pff_review_buyer_taken", value=taken.buyer_id, holder=taken.holder)
            await query.answer(html.unescape(text)[:200], show_alert=True)
            return
        if approved is None:
            await _already(update, lang, await services.profiles.submission(submission_id))
            return
        await recompute(services, [approved.user_id])
        told = await _tell_agent(context, services, approved.user_id, "pf_agent_approved")
        outcome = t(lang, "pf_review_approved", by=reviewer_name)
    else:
        index = button.reason
        if not 0 <= index < PRESET_REASONS:
            await query.answer(t(lang, "list_expired"), show_alert=True)
            return
        agent = await services.agents.get(submission.user_id)
        agent_lang = language_of(agent.language if agent else None, services.settings.language)
        reason = t(agent_lang, f"pf_reason_{index}")
        async with services.audited(reviewer_id, "profile_return", detail=reason) as audit:
            returned = await services.profiles.return_submission(
                submission_id, reviewer_id, reason, services.now()
            )
            if returned is None:
                audit.skip()
            else:
                audit.target = str(returned.user_id)
        if returned is None:
            await _already(update, lang, await services.profiles.submission(submission_id))
            return
        told = await _tell_agent(
            context, services, returned.user_id, "pf_agent_returned", reason=reason
        )
        outcome = t(lang, "pf_review_returned", by=reviewer_name, reason=reason)
    if not told:
        outcome += "\n" + t(lang, "pf_review_not_told")
    await query.answer()
    await query.edit_message_text(f"{original}\n\n{outcome}")


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND & private
    states: dict[object, list[Any]] = {
        state: [MessageHandler(text, _step(state))] for state in range(PLATFORM, BUYER_ID + 1)
    }
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CommandHandler("profile", profile_start, filters=private),
                # The group welcome's button (t.me/<bot>?start=profile) opens the form.
                CommandHandler(
                    "start",
                    profile_start,
                    filters=private & filters.Regex(f"^{re.escape(PROFILE_START_COMMAND)}$"),
                ),
            ],
            states=states,
            fallbacks=[
                CommandHandler("cancel", profile_cancel, filters=private),
                MessageHandler(private & ~filters.COMMAND, not_text),
            ],
            allow_reentry=True,
            name="store_profile",
        )
    )
    application.add_handler(CommandHandler("myprofile", myprofile, filters=private))
    application.add_handler(
        CallbackQueryHandler(review_clicked, pattern=matches(ProfileReview, ProfileReturnReason))
    )
