"""Stock levels: /stock, /stock_threshold and a CSV document captioned /stock_import;
/stock_eta (expected restock date), /discontinue (停产, after a confirmation button); and the
answers to stock questions in the groups (bot/catalog/stock_status.py).

A change of stock state (into low, into out of stock, back in stock) sends a stock notice to
the groups through the outbox; see :mod:`bot.catalog.service`.
"""

from __future__ import annotations

import logging
from threading import Event

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.catalog.model import (
    normalize_sku,
    parse_qty,
    parse_threshold,
    state_label,
)
from bot.catalog.service import StockOutcome, set_stock, set_threshold
from bot.catalog.stock_answers import local_date, parse_restock_date
from bot.catalog.stock_csv import (
    MAX_CSV_BYTES,
    CsvError,
    CsvRow,
    csv_error_rows,
    decode_csv,
    parse_stock_csv,
    unknown_sku_errors,
)
from bot.catalog.stock_status import answer_stock_question, discontinue, stock_rows
from bot.common.callbacks import DiscontinueConfirm, encode, matches
from bot.common.errors import InputError
from bot.common.uploads import FileKind
from bot.services import Services
from bot.texts import Language, t
from bot.uploads import download_checked, parse_upload
from handlers.common import (
    GROUP_MESSAGE,
    Context,
    ListRows,
    actor_id,
    admin_only,
    clicked,
    command_args,
    list_page_handler,
    reply,
    send_list,
    send_stored_list,
    stored_list_page_handler,
)

log = logging.getLogger(__name__)

CSV_ONLY: tuple[FileKind, ...] = ("csv",)
_IMPORT_CAPTION = r"^/stock_import(@\w+)?\s*$"


async def _known_sku(services: Services, text: str, lang: Language) -> str:
    sku = normalize_sku(text, lang)
    if await services.products.get(sku) is None:
        raise InputError(t(lang, "cat_err_sku_unknown", sku=sku))
    return sku


def _notice_text(outcome: StockOutcome, lang: Language) -> str:
    if not outcome.notices:
        return t(lang, "cat_stock_no_notice")
    if outcome.broadcast_id is None:
        return t(lang, "cat_stock_no_groups")
    return t(
        lang,
        "cat_stock_notice_sent",
        count=len(outcome.notices),
        groups=outcome.chat_count,
        broadcast_id=outcome.broadcast_id,
    )


async def _stock_rows(context: Context) -> ListRows:
    return await stock_rows(context.services, context.lang)


@admin_only
async def stock_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if not args:
        await send_list(update, context, "stock", await _stock_rows(context))
        return
    if len(args) != 2:
        raise InputError(t(lang, "cat_usage_stock"))
    sku = await _known_sku(services, args[0], lang)
    qty = parse_qty(args[1], lang)
    async with services.audited(actor_id(update), "stock", sku, str(qty)):
        outcome = await set_stock(services, [(sku, qty)], actor_id(update), lang)
    change = outcome.changes[0]
    await reply(
        update,
        t(lang, "cat_stock_set", sku=sku, qty=qty, state=state_label(change.new_state, lang))
        + "\n"
        + _notice_text(outcome, lang),
    )


@admin_only
async def stock_threshold_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) != 2:
        raise InputError(t(lang, "cat_usage_stock_threshold"))
    sku = await _known_sku(services, args[0], lang)
    threshold = parse_threshold(args[1], lang)
    async with services.audited(actor_id(update), "stock_threshold", sku, str(threshold)):
        outcome = await set_threshold(services, sku, threshold, actor_id(update), lang)
        if outcome is None:
            raise InputError(t(lang, "cat_err_threshold_no_stock", sku=sku))
    shown = services.settings.stock_low_threshold if threshold is None else threshold
    key = "cat_threshold_default" if threshold is None else "cat_threshold_set"
    change = outcome.changes[0]
    await reply(
        update,
        t(lang, key, sku=sku, threshold=shown, state=state_label(change.new_state, lang))
        + "\n"
        + _notice_text(outcome, lang),
    )


def _parse(data: bytes, lang: Language, stop: Event) -> tuple[list[CsvRow], list[CsvError]]:
    """Decode and read the stock CSV (runs in a worker thread)."""
    text = decode_csv(data)
    if text is None:
        raise InputError(t(lang, "cat_csv_not_text"))
    return parse_stock_csv(text, lang, stop)


@admin_only
async def stock_import(update: Update, context: Context) -> None:
    """Apply a ``sku,qty`` CSV all at once, or nothing at all if any row is bad."""
    services = context.services
    lang = context.lang
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    limits = services.settings.uploads
    upload = await download_checked(document, CSV_ONLY, limits, lang, max_bytes=MAX_CSV_BYTES)
    rows, errors = await parse_upload(lambda stop: _parse(upload.data, lang, stop), limits, lang)
    known = await services.products.existing([row.sku for row in rows])
    errors += unknown_sku_errors(rows, known, lang)
    if errors:
        await send_stored_list(update, context, csv_error_rows(errors, lang))
        return
    async with services.audited(
        actor_id(update), "stock_import", document.file_name, f"{len(rows)} rows"
    ):
        outcome = await set_stock(
            services, [(row.sku, row.qty) for row in rows], actor_id(update), lang
        )
    log.info("stock import: %d rows, %d crossings", len(rows), len(outcome.notices))
    await reply(
        update, t(lang, "cat_csv_applied", count=len(rows)) + "\n" + _notice_text(outcome, lang)
    )


@admin_only
async def stock_import_usage(update: Update, context: Context) -> None:
    raise InputError(t(context.lang, "cat_usage_stock_import"))


_CLEAR = {"clear", "清除", "-", "none", "无"}


@admin_only
async def stock_eta_command(update: Update, context: Context) -> None:
    """``/stock_eta <sku> <date>`` sets the expected restock date; ``clear`` removes it."""
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) < 2:
        raise InputError(t(lang, "stk_usage_eta"))
    sku = await _known_sku(services, args[0], lang)
    text = " ".join(args[1:])
    if text.strip().lower() in _CLEAR:
        async with services.audited(actor_id(update), "stock_eta", sku, "clear"):
            await services.product_status.set_eta(sku, None)
        await reply(update, t(lang, "stk_eta_cleared", sku=sku))
        return
    settings = services.settings
    eta = parse_restock_date(text, services.now(), settings.tz, lang)
    date = local_date(eta, settings.tz)
    async with services.audited(actor_id(update), "stock_eta", sku, date):
        await services.product_status.set_eta(sku, eta)
    await reply(update, t(lang, "stk_eta_set", sku=sku, date=date))


@admin_only
async def discontinue_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) != 1:
        raise InputError(t(lang, "stk_usage_discontinue"))
    sku = await _known_sku(services, args[0], lang)
    if (await services.product_status.get(sku)).discontinued:
        await reply(update, t(lang, "stk_discontinue_already", sku=sku))
        return
    product = await services.products.get(sku)
    assert product is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "stk_discontinue_yes"),
                    callback_data=encode(DiscontinueConfirm(sku, "y")),
                ),
                InlineKeyboardButton(
                    t(lang, "stk_discontinue_no"),
                    callback_data=encode(DiscontinueConfirm(sku, "n")),
                ),
            ]
        ]
    )
    text = t(lang, "stk_discontinue_confirm", title=product.title, sku=sku)
    await reply(update, text, reply_markup=keyboard)


@admin_only
async def discontinue_clicked(update: Update, context: Context) -> None:
    """The confirmation: acts once (a second press, or a forged one for a product already
    discontinued, finds the mark and sends nothing)."""
    query, button = clicked(update, DiscontinueConfirm)
    services = context.services
    lang = context.lang
    await query.answer()
    if button.confirm == "n":
        await query.edit_message_text(t(lang, "stk_discontinue_dropped"))
        return
    product = await services.products.get(button.sku)
    if product is None:
        await query.edit_message_text(t(lang, "cat_err_sku_unknown", sku=button.sku))
        return
    async with services.audited(actor_id(update), "discontinue", product.sku) as audit:
        outcome = await discontinue(services, product.sku, product.title, actor_id(update), lang)
        if not outcome.changed:
            audit.skip()
        elif outcome.broadcast_id is not None:
            audit.detail = f"broadcast {outcome.broadcast_id}"
    if not outcome.changed:
        await query.edit_message_text(t(lang, "stk_discontinue_already", sku=product.sku))
        return
    if outcome.broadcast_id is None:
        sent = t(lang, "stk_discontinue_no_groups")
    else:
        sent = t(
            lang,
            "stk_discontinue_sent",
            groups=outcome.chat_count,
            broadcast_id=outcome.broadcast_id,
        )
    await query.edit_message_text(t(lang, "stk_discontinue_done", sku=product.sku) + "\n" + sent)


async def stock_question(update: Update, context: Context) -> None:
    """A message in a group: answer it if it asks the stock of known SKUs (see
    :func:`bot.catalog.stock_status.answer_stock_question`)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or user.is_bot:
        return
    answer = await answer_stock_question(
        context.services, message.chat.id, message.text or message.caption or ""
    )
    if answer is None:
        return
    try:
        await message.reply_text(answer)
    except TelegramError as error:
        log.info("stock answer in %s not sent: %s", message.chat.id, error)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("stock", stock_command))
    application.add_handler(list_page_handler("stock", _stock_rows))
    # ◀ ▶ under every list that cannot be read again (this module's and /import_*'s bad lines).
    application.add_handler(stored_list_page_handler())
    application.add_handler(CommandHandler("stock_threshold", stock_threshold_command))
    application.add_handler(CommandHandler("stock_import", stock_import_usage))
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.Document.ALL
            & filters.CaptionRegex(_IMPORT_CAPTION),
            stock_import,
        )
    )
    application.add_handler(CommandHandler("stock_eta", stock_eta_command))
    application.add_handler(CommandHandler("discontinue", discontinue_command))
    application.add_handler(
        CallbackQueryHandler(discontinue_clicked, pattern=matches(DiscontinueConfirm))
    )
    # group=2: beside the last-seen observer (group 1) and the commands (group 0); new
    # messages only (an edit is not a new question).
    application.add_handler(
        MessageHandler(
            GROUP_MESSAGE & filters.UpdateType.MESSAGE,
            stock_question,
        ),
        group=2,
    )
