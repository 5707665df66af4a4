"""/products, /product and /promos: what the catalog holds."""

from __future__ import annotations

from telegram import Message, Update

from bot.catalog.model import normalize_sku, product_card, products_list, promos_list
from bot.common.errors import InputError
from bot.texts import t
from handlers.common import Context, ListRows, admin_only, command_args, send_list


@admin_only
async def products_command(update: Update, context: Context) -> None:
    await send_list(update, context, "products", await products_rows(context))


async def products_rows(context: Context) -> ListRows:
    return products_list(await context.services.products.list(), context.lang)


@admin_only
async def product_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) != 1:
        raise InputError(t(lang, "cat_usage_product"))
    sku = normalize_sku(args[0], lang)
    product = await services.products.get(sku)
    if product is None:
        raise InputError(t(lang, "cat_err_sku_unknown", sku=sku))
    level = await services.stock.get(sku)
    card = product_card(product, level, services.settings.stock_low_threshold, lang)
    message = update.effective_message
    assert isinstance(message, Message)
    await message.reply_photo(product.photos[0], caption=card)


@admin_only
async def promos_command(update: Update, context: Context) -> None:
    await send_list(update, context, "promos", await promos_rows(context))


async def promos_rows(context: Context) -> ListRows:
    services = context.services
    active = await services.promotions.active(services.now())
    return promos_list(active, services.settings.tz, context.lang)
