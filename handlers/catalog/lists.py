"""/products, /product and /promos: what the catalog holds."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.catalog.model import normalize_sku, product_card, products_list, promos_list
from bot.common.errors import InputError
from bot.services import services_of
from bot.texts import t
from handlers.common import Context, admin_only, command_args, language, reply


@admin_only
async def products_command(update: Update, context: Context) -> None:
    services = services_of(context)
    await reply(update, products_list(await services.products.list(), language(update, services)))


@admin_only
async def product_command(update: Update, context: Context) -> None:
    services = services_of(context)
    lang = language(update, services)
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
    await message.reply_photo(product.photos[0], caption=card, parse_mode=ParseMode.HTML)


@admin_only
async def promos_command(update: Update, context: Context) -> None:
    services = services_of(context)
    active = await services.promotions.active(services.now())
    await reply(update, promos_list(active, services.settings.tz, language(update, services)))
