"""The seller's side of agent quality: ratings, purchase import, the low-quality review queue,
and the agents spreadsheet (export / import)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.agents.crm import clean_text
from bot.agents.export_job import start_export
from bot.agents.quality import DAY
from bot.agents.quality_service import (
    level_flag,
    newcomers_after,
    reasons,
    recompute,
    recompute_yielding,
    shown_tier,
    start_catch_up,
)
from bot.agents.ratings_list import ratings_rows
from bot.agents.removals import (
    ProgressTarget,
    remove_confirmed,
    request_tier_removal,
    wake_removals,
)
from bot.agents.review_queue import queue_page
from bot.agents.service import resolve_agent
from bot.agents.sheet_uploads import download_sheet, sheet_chunks
from bot.agents.sheets import SheetRow
from bot.agents.spreadsheets import (
    EXPORT_COLUMNS,
    ORDER_COLUMNS,
    ImportReport,
    header_names,
    import_agents,
    import_orders,
    order_headers,
)
from bot.agents.terms import parse_tier, tier_label
from bot.common.callbacks import QueueAgent, QueueBulk, QueueCursor, encode, matches, parse
from bot.common.errors import InputError
from bot.services import Services
from bot.texts import Language, language_of, t
from handlers.common import (
    Context,
    ListRows,
    actor_id,
    admin_only,
    command_args,
    keyed_list_page_handler,
    offers_agent_choice,
    remember,
    reply,
    send_keyed_list,
    send_stored_list,
    user_data,
    user_store,
)
from storage.models import Agent

log = logging.getLogger(__name__)

MAX_COMMENT = 200
_BULK = "lq_bulk"
_MAX_BULK_REMEMBERED = 5
# The queue's count taken by the last /lowquality (its page turns reuse it for "page k/n").
_QUEUE_TOTAL = "lq_total"


# ---------------------------------------------------------------------- ratings


def parse_stars(text: str, lang: Language) -> int:
    if text not in ("1", "2", "3", "4", "5"):
        raise InputError(t(lang, "rt_err_stars", value=text))
    return int(text)


@admin_only
@offers_agent_choice("rate")
async def rate_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) < 2:
        raise InputError(t(lang, "rt_usage_rate"))
    agent, rest = await resolve_agent(services, args, lang)
    if not rest:
        raise InputError(t(lang, "rt_usage_rate"))
    stars = parse_stars(rest[0], lang)
    comment = (
        clean_text(" ".join(rest[1:]), MAX_COMMENT, lang, t(lang, "rt_field_comment"))
        if len(rest) > 1
        else None
    )
    async with services.audited(
        actor_id(update), "rate", str(agent.user_id), f"{stars} {comment or ''}"
    ):
        await services.profiles.rate(
            agent.user_id, actor_id(update), stars, comment, services.now()
        )
    score = (await recompute(services, [agent.user_id]))[agent.user_id]
    summary = await services.profiles.rating_summary(agent.user_id)
    await reply(
        update,
        t(
            lang,
            "rt_done",
            name=agent.display_name,
            stars="★" * stars + "☆" * (5 - stars),
            mean=f"{summary.mean or 0:.1f}",
            count=summary.count,
            score=f"{score.score:.1f}",
            tier=shown_tier(services, agent, score.tier, lang),
        ),
    )


@admin_only
@offers_agent_choice("ratings")
async def ratings_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if not args:
        raise InputError(t(lang, "rt_usage_ratings"))
    agent, _rest = await resolve_agent(services, args, lang, whole=True)
    rows = await _ratings_rows(context, agent.user_id)
    if rows is None or not rows[1]:
        await reply(update, t(lang, "rt_none", name=agent.display_name))
        return
    await send_keyed_list(update, context, "ratings", agent.user_id, rows)


async def _ratings_rows(context: Context, user_id: int) -> ListRows | None:
    return await ratings_rows(context.services, user_id, context.lang)


# ---------------------------------------------------------------------- uploads


async def _read_upload(
    update: Update, context: Context, headers: dict[str, str], required: tuple[str, ...]
) -> AsyncIterator[list[SheetRow]]:
    """The attached table's rows, a chunk at a time, read off the loop as they are taken."""
    message = update.effective_message
    assert message is not None
    if message.document is None:
        raise InputError(t(context.lang, "io_need_document"))
    limits = context.services.settings.uploads
    upload = await download_sheet(message.document, limits, context.lang)
    return sheet_chunks(upload, headers, required, limits, context.lang)


async def _report(update: Update, context: Context, report: ImportReport, done_key: str) -> None:
    """The import's outcome; then the changed agents' scores are recomputed (after the reply,
    so that the seller does not wait for them), in batches that yield."""
    lang = context.lang
    if report.errors:
        await send_stored_list(update, context, report.error_rows(lang))
        return
    await reply(update, t(lang, done_key, changed=report.changed, unchanged=report.unchanged))
    if report.rescore:
        await recompute_yielding(context.services, report.rescore)


@admin_only
async def import_orders_upload(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    headers = order_headers()
    rows = await _read_upload(update, context, headers, ORDER_COLUMNS)
    report = await import_orders(services, rows, actor_id(update), lang)
    await _report(update, context, report, "io_orders_done")


@admin_only
async def import_agents_upload(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    headers = header_names("io_col_", EXPORT_COLUMNS)
    rows = await _read_upload(update, context, headers, ("user_id",))
    report = await import_agents(services, rows, actor_id(update), lang)
    await _report(update, context, report, "io_agents_done")


@admin_only
async def upload_usage(update: Update, context: Context) -> None:
    """``/import_orders`` or ``/import_agents`` typed as text: explain how to send the file."""
    lang = context.lang
    message = update.effective_message
    assert message is not None and message.text is not None
    key = "io_usage_orders" if message.text.startswith("/import_orders") else "io_usage_agents"
    raise InputError(t(lang, key))


@admin_only
async def export_command(update: Update, context: Context) -> None:
    """Start the export in the background (bot/agents/export_job.py): the file follows."""
    await start_export(context.application, context.services, update, context.lang)


# ---------------------------------------------------------------------- review queue


@admin_only
async def lowquality_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if await services.profiles.has_stale(services.now() - DAY):
        start_catch_up(context.application.bot_data, services)
    if not args:
        text, markup, total = await queue_page(services, lang)
        user_data(context)[_QUEUE_TOTAL] = total
        await reply(update, text, reply_markup=markup)
        return
    if len(args) != 2 or args[0].lower() not in ("remove", "移除"):
        raise InputError(t(lang, "lq_usage"))
    tier = parse_tier(args[1], lang)
    if tier not in ("low", "invalid"):
        raise InputError(t(lang, "lq_err_bulk_tier", value=args[1]))
    user_ids = await services.profiles.queue_user_ids(
        services.now(), (tier,), newcomers_after=newcomers_after(services)
    )
    total = len(user_ids)
    if total == 0:
        await reply(update, t(lang, "lq_bulk_none", tier=tier_label(tier, lang)))
        return
    key = remember(user_store(context, _BULK), (tier, user_ids), _MAX_BULK_REMEMBERED)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "lq_bulk_confirm_button", count=total),
                    callback_data=encode(QueueBulk("B", key)),
                ),
                InlineKeyboardButton(t(lang, "cancel"), callback_data=encode(QueueBulk("C", key))),
            ]
        ]
    )
    groups = await services.groups.list(active_only=True)
    await reply(
        update,
        t(
            lang,
            "lq_bulk_confirm",
            count=total,
            tier=tier_label(tier, lang),
            groups=len(groups),
        ),
        reply_markup=markup,
    )


async def _removal_reason(services: Services, agent: Agent, lang: Language) -> str:
    score = await services.profiles.score(agent.user_id)
    if score is None:
        return t(lang, "lq_reason_plain")
    return t(
        lang,
        "lq_reason",
        score=f"{score.score:.1f}",
        tier=tier_label(score.tier, lang),
        reasons=reasons(score, lang, below_level=await level_flag(services, agent.user_id)),
    )


@admin_only
async def queue_clicked(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    lang = context.lang
    button = parse(query.data)
    if isinstance(button, QueueCursor):
        total = user_data(context).get(_QUEUE_TOTAL)
        counted = total if isinstance(total, int) and total > 0 else None
        text, markup, _ = await queue_page(services, lang, button, counted)
        await query.answer()
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:  # the same page pressed again: nothing to change
            if "not modified" not in str(error).lower():
                raise
        return
    if isinstance(button, QueueBulk):
        await _bulk_clicked(update, context, services, lang, button.action, button.key)
        return
    assert isinstance(button, QueueAgent)
    action = button.action
    if action == "n":
        await query.answer()
        await query.edit_message_text(t(lang, "remove_cancelled"))
        return
    agent = await services.agents.get(button.user_id)
    if agent is None:
        await query.answer(t(lang, "err_agent_unknown", value=button.user_id), show_alert=True)
        return
    if action == "x":
        if agent.status == "removed":
            await query.answer(t(lang, "remove_already", user_id=agent.user_id), show_alert=True)
            return
        reason = await _removal_reason(services, agent, lang)
        groups = await services.groups.list(active_only=True)
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(lang, "remove_confirm_button"),
                        callback_data=encode(QueueAgent("y", agent.user_id)),
                    ),
                    InlineKeyboardButton(
                        t(lang, "cancel"), callback_data=encode(QueueAgent("n", 0))
                    ),
                ]
            ]
        )
        await query.answer()
        await reply(
            update,
            t(
                lang,
                "remove_confirm",
                name=agent.display_name,
                user_id=agent.user_id,
                groups=len(groups),
                reason=reason,
            ),
            reply_markup=markup,
        )
    elif action == "y":
        await query.answer()
        if agent.status == "removed":
            await query.edit_message_text(t(lang, "remove_already", user_id=agent.user_id))
            return
        reason = await _removal_reason(services, agent, lang)
        await remove_confirmed(
            context.application, query, services, agent, actor_id(update), reason, lang
        )
    elif action == "k":
        days = services.settings.quality.snooze_days
        async with services.audited(
            actor_id(update), "lowquality_keep", str(agent.user_id), f"{days}d"
        ):
            await services.profiles.snooze(agent.user_id, services.now() + days * 86400)
        await query.answer(t(lang, "lq_kept", name=agent.display_name, days=days))
        text, markup, total = await queue_page(services, lang)  # counted again: it changed
        user_data(context)[_QUEUE_TOTAL] = total
        await query.edit_message_text(text, reply_markup=markup)
    elif action == "m":
        await _send_notice(update, context, services, lang, agent)


async def _send_notice(
    update: Update, context: Context, services: Services, lang: Language, agent: Agent
) -> None:
    query = update.callback_query
    assert query is not None
    score = await services.profiles.score(agent.user_id)
    agent_lang = language_of(agent.language, services.settings.language)
    notice = t(
        agent_lang,
        "lq_notice",
        name=agent.first_name,
        reasons=reasons(score, agent_lang) if score else t(agent_lang, "none"),
    )
    try:
        await context.bot.send_message(agent.user_id, notice)
    except Forbidden as error:
        log.info("notice to %s not delivered: %s", agent.user_id, error)
        await query.answer()
        await reply(update, t(lang, "lq_message_failed", name=agent.display_name))
        return
    except TelegramError as error:
        log.warning("notice to %s failed: %s", agent.user_id, error)
        await query.answer()
        await reply(update, t(lang, "lq_message_error", name=agent.display_name, error=str(error)))
        return
    await services.audit.add(
        services.now(), actor_id(update), "lowquality_message", str(agent.user_id)
    )
    await query.answer(t(lang, "lq_message_sent", name=agent.display_name))
    await reply(update, t(lang, "lq_message_sent", name=agent.display_name))


async def _bulk_clicked(
    update: Update, context: Context, services: Services, lang: Language, action: str, key: str
) -> None:
    query = update.callback_query
    assert query is not None
    pending = user_store(context, _BULK).pop(key, None)
    if pending is None:
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    await query.answer()
    if action == "C":
        await query.edit_message_text(t(lang, "remove_cancelled"))
        return
    tier, user_ids = pending
    label = tier_label(tier, lang)
    message = query.message
    assert message is not None
    job_id = await request_tier_removal(
        services,
        list(user_ids),
        label,
        actor_id(update),
        t(lang, "lq_bulk_reason", tier=label),
        ProgressTarget(message.chat.id, message.message_id, lang),
    )
    if job_id is None:  # all of them were removed meanwhile
        await query.edit_message_text(t(lang, "lq_bulk_none", tier=label))
        return
    await query.edit_message_text(t(lang, "lq_bulk_running", count=len(user_ids)))
    wake_removals(context.application)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("rate", rate_command))
    application.add_handler(CommandHandler("ratings", ratings_command))
    application.add_handler(keyed_list_page_handler("ratings", _ratings_rows))
    application.add_handler(CommandHandler("lowquality", lowquality_command))
    application.add_handler(CommandHandler("export", export_command))
    application.add_handler(CommandHandler(["import_orders", "import_agents"], upload_usage))
    document = filters.Document.ALL
    application.add_handler(
        MessageHandler(
            document & filters.CaptionRegex(r"^/import_orders(?:@\w+)?(?:\s|$)"),
            import_orders_upload,
        )
    )
    application.add_handler(
        MessageHandler(
            document & filters.CaptionRegex(r"^/import_agents(?:@\w+)?(?:\s|$)"),
            import_agents_upload,
        )
    )
    application.add_handler(
        CallbackQueryHandler(queue_clicked, pattern=matches(QueueAgent, QueueCursor, QueueBulk))
    )
