"""Samples (寄样), Telegram side: the 申请样品 button under product posts, the admins'
Approve (a short conversation asking the tracking number) / Decline, asking an agent whether
the sample got listed, and the agent's answer (已上架, then the link / 还没有).
See :mod:`bot.catalog.samples`."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.broadcast.outbox import inline_markup
from bot.catalog.samples import (
    MAX_TRACKING_LENGTH,
    RequestRefusal,
    agent_message,
    listing_question,
    parse_listing_link,
    parse_tracking,
    product_title,
    request_sample,
)
from bot.common.callbacks import SampleAsk, SampleDecision, SampleListing, SampleRequest, matches
from bot.common.throttle import Throttle
from bot.scheduling.conversations import ConversationHandler
from bot.texts import t
from handlers.common import (
    Context,
    actor_id,
    admin_only,
    clicked,
    drop_clicked_row,
    message_text,
    reply,
    user_store,
    validated,
)

log = logging.getLogger(__name__)

SHIP_TRACKING = 1
LISTING_LINK = 2
END = ConversationHandler.END
_SHIP = "sample_ship"
_LISTING = "sample_listing"
_PRESSES_KEY = "agentbot.sample_presses"
# One press of 申请样品 per user per this many seconds counts; the rest are told to wait.
PRESS_INTERVAL_SECONDS = 30


_REFUSALS: dict[RequestRefusal, str] = {
    "not_agent": "refused_sample_not_agent",
    "product_gone": "smp_product_expired",  # the post of a product that is gone: expired
    "already_open": "smp_already_open",
    "too_many": "smp_too_many",
}


def _presses(context: Context) -> Throttle[int]:
    throttle = context.bot_data.setdefault(_PRESSES_KEY, Throttle(PRESS_INTERVAL_SECONDS))
    assert isinstance(throttle, Throttle)
    return throttle


async def request_clicked(update: Update, context: Context) -> None:
    """申请样品, pressed by anyone who can see the post: only active agents get a request."""
    query, button = clicked(update, SampleRequest)
    services = context.services
    lang = context.lang
    user_id = query.from_user.id
    if _presses(context).admit(user_id, services.now()) is None:
        await query.answer(t(lang, "refused_sample_slow_down"), show_alert=True)
        return
    outcome = await request_sample(services, user_id, button.sku)
    if outcome.refusal is not None:
        limit = services.settings.samples.max_requests_per_day
        key = _REFUSALS[outcome.refusal]
        await query.answer(t(lang, key, limit=limit), show_alert=True)
        return
    await query.answer(t(lang, "smp_requested"), show_alert=True)


async def _tell(context: Context, user_id: int, text: str, **kwargs: Any) -> bool:
    """A private message that may not arrive (never started the bot, or blocked it)."""
    try:
        await context.bot.send_message(user_id, text, **kwargs)
    except TelegramError as error:
        log.info("sample message to %s not delivered: %s", user_id, error)
        return False
    return True


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


@admin_only
async def decision_clicked(update: Update, context: Context) -> int | None:
    """Decline at once (acting once), or ask for the tracking number."""
    query, button = clicked(update, SampleDecision)
    services = context.services
    lang = context.lang
    sample = await services.samples.get(button.sample_id)
    if sample is None or sample.status != "requested":
        await query.answer(t(lang, "smp_already_decided", id=button.sample_id), show_alert=True)
        return END
    await query.answer()
    if button.choice == "no":
        async with services.audited(actor_id(update), "sample_decline", str(sample.id)) as audit:
            declined = await services.samples.decline(sample.id, actor_id(update), services.now())
            if declined is None:
                audit.skip()
        if declined is None:
            await reply(update, t(lang, "smp_already_decided", id=sample.id))
            return END
        await drop_clicked_row(query)
        await reply(update, t(lang, "smp_declined_done", id=sample.id))
        agent_lang = services.settings.language
        await _tell(context, sample.user_id, await agent_message(services, declined, agent_lang))
        return END
    if not _private(update):
        return END
    user_store(context, _SHIP)["id"] = sample.id
    title = await product_title(services, sample.sku)
    text = t(
        lang,
        "smp_ask_tracking",
        id=sample.id,
        title=title,
        sku=sample.sku,
        limit=MAX_TRACKING_LENGTH,
    )
    await reply(update, text)
    return SHIP_TRACKING


@admin_only
async def tracking_given(update: Update, context: Context) -> int | None:
    services = context.services
    lang = context.lang
    sample_id = user_store(context, _SHIP).get("id")
    if not isinstance(sample_id, int):
        return END
    tracking = parse_tracking(message_text(update), lang)
    async with services.audited(actor_id(update), "sample_ship", str(sample_id), tracking) as a:
        shipped = await services.samples.ship(sample_id, tracking, actor_id(update), services.now())
        if shipped is None:
            a.skip()
    user_store(context, _SHIP).clear()
    if shipped is None:
        await reply(update, t(lang, "smp_already_decided", id=sample_id))
        return END
    text = await agent_message(services, shipped, services.settings.language)
    told = await _tell(context, shipped.user_id, text)
    done = t(lang, "smp_shipped_done", id=sample_id, tracking=tracking)
    await reply(
        update, done + "\n" + t(lang, "smp_agent_told" if told else "smp_agent_unreachable")
    )
    return END


@admin_only
async def tracking_cancel(update: Update, context: Context) -> int:
    sample_id = user_store(context, _SHIP).pop("id", None)
    await reply(update, t(context.lang, "smp_tracking_cancelled", id=sample_id or "-"))
    return END


@admin_only
async def ask_clicked(update: Update, context: Context) -> None:
    """From the follow-up list: ask the agent in private whether the sample got listed."""
    query, button = clicked(update, SampleAsk)
    services = context.services
    lang = context.lang
    sample = await services.samples.get(button.sample_id)
    if sample is None or sample.status != "shipped":
        await query.answer(t(lang, "smp_not_shipped", id=button.sample_id), show_alert=True)
        return
    text, keyboard = await listing_question(services, sample, services.settings.language)
    told = await _tell(context, sample.user_id, text, reply_markup=inline_markup(keyboard))
    if not told:
        await query.answer(t(lang, "smp_ask_failed"), show_alert=True)
        return
    async with services.audited(actor_id(update), "sample_ask", str(sample.id)):
        await services.samples.asked(sample.id, actor_id(update), services.now())
    await query.answer(t(lang, "smp_asked"), show_alert=True)


async def listing_clicked(update: Update, context: Context) -> int | None:
    """The agent's answer; only the sample's agent, in private, while it is unanswered."""
    query, button = clicked(update, SampleListing)
    services = context.services
    lang = context.lang
    sample = await services.samples.get(button.sample_id)
    if sample is None or sample.user_id != query.from_user.id or not _private(update):
        await query.answer(t(lang, "refused_sample_not_yours"), show_alert=True)
        return END
    if sample.status != "shipped" or sample.answer == "listed":
        await query.answer(t(lang, "already_done_sample_answer"), show_alert=True)
        return END
    await query.answer()
    if button.listed == "y":
        user_store(context, _LISTING)["id"] = sample.id
        await reply(update, t(lang, "smp_ask_link"))
        return LISTING_LINK
    await services.samples.answer(sample.id, "not_yet", None, services.now())
    await query.edit_message_reply_markup(None)
    await reply(update, t(lang, "smp_not_yet_saved"))
    return END


@validated
async def link_given(update: Update, context: Context) -> int | None:
    services = context.services
    lang = context.lang
    sample_id = user_store(context, _LISTING).get("id")
    if not isinstance(sample_id, int):
        return END
    url = parse_listing_link(message_text(update), lang)
    user_store(context, _LISTING).clear()
    answered = await services.samples.answer(sample_id, "listed", url, services.now())
    await reply(update, t(lang, "smp_link_saved" if answered else "already_done_sample_answer"))
    return END


async def link_cancel(update: Update, context: Context) -> int:
    user_store(context, _LISTING).clear()
    await reply(update, t(context.lang, "smp_link_cancelled"))
    return END


def _conversation(
    name: str,
    entry: CallbackQueryHandler[Any, Any],
    state: int,
    step: Any,
    cancel: Any,
) -> ConversationHandler[Any]:
    private_text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[entry],
            states={state: [MessageHandler(private_text, step)]},
            fallbacks=[CommandHandler("cancel", cancel, filters=filters.ChatType.PRIVATE)],
            name=name,
            per_user=True,
            per_chat=True,
            allow_reentry=True,
            conversation_timeout=30 * 60,
        )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(request_clicked, pattern=matches(SampleRequest)))
    application.add_handler(
        _conversation(
            "sample_ship",
            CallbackQueryHandler(decision_clicked, pattern=matches(SampleDecision)),
            SHIP_TRACKING,
            tracking_given,
            tracking_cancel,
        )
    )
    application.add_handler(CallbackQueryHandler(ask_clicked, pattern=matches(SampleAsk)))
    application.add_handler(
        _conversation(
            "sample_listing",
            CallbackQueryHandler(listing_clicked, pattern=matches(SampleListing)),
            LISTING_LINK,
            link_given,
            link_cancel,
        )
    )
