"""Stock levels: /stock, /stock_threshold and a CSV document captioned /stock_import.

A change of stock state (into low, into out of stock, back in stock) sends a stock notice to
the groups through the outbox; see :mod:`bot.catalog.service`.
"""

from __future__ import annotations

import logging
from threading import Event

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.catalog.model import (
    normalize_sku,
    parse_qty,
    parse_threshold,
    state_label,
    stock_list,
)
from bot.catalog.service import StockOutcome, set_stock, set_threshold
from bot.catalog.stock_csv import (
    MAX_CSV_BYTES,
    CsvError,
    CsvRow,
    csv_error_rows,
    decode_csv,
    parse_stock_csv,
    unknown_sku_errors,
)
from bot.common.errors import InputError
from bot.common.uploads import FileKind
from bot.services import Services
from bot.texts import Language, t
from bot.uploads import download_checked, parse_upload
from handlers.common import (
    Context,
    ListRows,
    actor_id,
    admin_only,
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
    services = context.services
    rows = await services.stock.list()
    return stock_list(rows, services.settings.stock_low_threshold, context.lang)


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
