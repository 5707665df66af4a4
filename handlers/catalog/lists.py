"""/products, /product, /product_link and /promos: what the catalog holds."""

from __future__ import annotations

from telegram import Message, Update

from bot.agents.profiles import parse_url
from bot.catalog.agent_view import takes_rows
from bot.catalog.model import (
    is_skip,
    normalize_sku,
    product_card,
    products_list,
    promos_list,
)
from bot.common.errors import InputError
from bot.texts import t
from handlers.catalog.agents import agent_products
from handlers.common import (
    Context,
    ListRows,
    admin_only,
    command_args,
    reply,
    send_list,
    user_data,
)

# The SKU of the seller's last /product, for the pages of its materials takes.
TAKES_KEY = "agentcat_takes_sku"
MAX_TAKES = 1000


async def products_command(update: Update, context: Context) -> None:
    """Admins: every product (``/products``); with words, they search as agents do. Agents
    in private: the agents' catalog (handlers/catalog/agents.py). In a group only an admin's
    command gets a (private) pointer; anyone else's is ignored there."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    private = chat.type == "private"
    if await context.services.is_admin(user.id) and (not command_args(context) or not private):
        await admin_products(update, context)
    elif private:
        await agent_products(update, context)


@admin_only
async def admin_products(update: Update, context: Context) -> None:
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
    user_data(context)[TAKES_KEY] = sku
    rows = await takes_list(context)
    if product.source_url:
        rows = (t(lang, "ac_card_link", url=product.source_url) + "\n\n" + rows[0], rows[1])
    await send_list(update, context, "takes", rows)


async def takes_list(context: Context) -> ListRows:
    """Who took the materials of the seller's last ``/product`` and when, newest first."""
    services = context.services
    sku = str(user_data(context).get(TAKES_KEY, ""))
    takes = await services.materials.takes(sku, MAX_TAKES)
    total = await services.materials.count(sku)
    return takes_rows(sku, takes, total, services.settings.tz, context.lang)


@admin_only
async def product_link_command(update: Update, context: Context) -> None:
    """``/product_link <sku> <url>`` sets the product's 1688 listing link; ``-`` clears it."""
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) != 2:
        raise InputError(t(lang, "ac_usage_link"))
    sku = normalize_sku(args[0], lang)
    url = None if is_skip(args[1]) else parse_url(args[1], lang)
    assert update.effective_user is not None
    async with services.audited(update.effective_user.id, "product_link", sku, url):
        if not await services.products.set_source_url(sku, url):
            raise InputError(t(lang, "cat_err_sku_unknown", sku=sku))
    if url is None:
        await reply(update, t(lang, "ac_link_cleared", sku=sku))
    else:
        await reply(update, t(lang, "ac_link_set", sku=sku, url=url))


@admin_only
async def promos_command(update: Update, context: Context) -> None:
    await send_list(update, context, "promos", await promos_rows(context))


async def promos_rows(context: Context) -> ListRows:
    services = context.services
    active = await services.promotions.active(services.now())
    return promos_list(active, services.settings.tz, context.lang)
