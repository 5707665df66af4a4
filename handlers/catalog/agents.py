"""The agents' catalog: /products in private for approved agents (categories, search, cards),
the 📦 获取素材 button of every product post and card, and the deep links that open a card or
deliver materials (``/start card_…`` / ``/start materials_…``).

Who is an approved agent: :func:`bot.catalog.service.is_catalog_agent`. Everyone else gets the
explanation how to become one and sees nothing priced.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Literal

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    Update,
)
from telegram.error import Forbidden
from telegram.ext import ApplicationHandlerStop

from bot.agents.quality_service import recompute
from bot.broadcast.outbox import inline_markup
from bot.catalog.agent_view import (
    MAX_LISTED,
    agent_card,
    agent_rows,
    deep_link,
    materials_messages,
    parse_start_payload,
    product_post_keyboard,
    search_terms,
)
from bot.catalog.service import is_catalog_agent
from bot.common.callbacks import CatalogCategory, MaterialsRequest, encode
from bot.texts import Language, t
from handlers.common import (
    Context,
    ListRows,
    Returning,
    clicked,
    command_args,
    only_one_at_a_time,
    record_started_bot,
    reply,
    send_list,
    user_data,
    validated,
)
from storage.catalog import Product, StockLevel

log = logging.getLogger(__name__)

# The agent's current list (search terms or category), read again at each page turn.
QUERY_KEY = "agentcat_query"
# One delivery of a product's materials per agent per this many seconds.
MATERIALS_INTERVAL = 600
MAX_CATEGORY_BUTTONS = 40
Delivery = Literal["sent", "too_soon", "unreachable"]
# The deep links this module answers (``/start card_…``, ``/start materials_…``).
START_LINK = r"^/start(@[A-Za-z0-9_]+)? (card|materials)_[A-Za-z0-9_-]+$"


def agents_only(handler: Returning[Any]) -> Returning[Any]:
    """Run ``handler`` only for approved agents (and admins); anyone else is told how to
    become an agent (an alert on a button) and nothing else happens."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> Any:
        user = update.effective_user
        if user is None or not await is_catalog_agent(context.services, user.id):
            query = update.callback_query
            if query is not None:
                await query.answer(t(context.lang, "refused_catalog_short"), show_alert=True)
            else:
                await reply(update, t(context.lang, "refused_catalog_agent"))
            return None
        return await validated(handler)(update, context)

    return wrapper


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == "private"


@agents_only
async def agent_products(update: Update, context: Context) -> None:
    """``/products`` (category buttons) or ``/products <words or SKU>`` (a card for an exact
    SKU, else the matching products through the pager)."""
    services = context.services
    terms = search_terms(" ".join(command_args(context)), context.lang)
    if not terms:
        await _browse(update, context)
        return
    if len(terms) == 1:
        product = await services.products.get(terms[0].upper())
        if product is not None:
            chat = update.effective_chat
            assert chat is not None
            await send_card(context, chat.id, product, context.lang)
            return
    user_data(context)[QUERY_KEY] = {"terms": terms, "category": None}
    await send_list(update, context, "catalog", await catalog_rows(context))


async def _browse(update: Update, context: Context) -> None:
    lang = context.lang
    categories = await context.services.products.categories()
    total = sum(count for _, count in categories)
    if not total:
        await reply(update, t(lang, "ac_catalog_empty"))
        return
    buttons = [
        InlineKeyboardButton(
            t(lang, "ac_button_all", count=total), callback_data=encode(CatalogCategory(0))
        )
    ]
    for index, (category, count) in enumerate(categories[:MAX_CATEGORY_BUTTONS], start=1):
        label = t(lang, "ac_button_category", category=category[:30], count=count)
        buttons.append(InlineKeyboardButton(label, callback_data=encode(CatalogCategory(index))))
    rows = [buttons[:1]] + [buttons[i : i + 2] for i in range(1, len(buttons), 2)]
    await reply(
        update, t(lang, "ac_browse_intro", count=total), reply_markup=InlineKeyboardMarkup(rows)
    )


@agents_only
async def category_pressed(update: Update, context: Context) -> None:
    query, button = clicked(update, CatalogCategory)
    categories = await context.services.products.categories()
    if button.index > len(categories):
        await query.answer(t(context.lang, "ac_category_gone"), show_alert=True)
        return
    await query.answer()
    category = categories[button.index - 1][0] if button.index else None
    user_data(context)[QUERY_KEY] = {"terms": [], "category": category}
    await send_list(update, context, "catalog", await catalog_rows(context))


async def catalog_rows(context: Context) -> ListRows:
    """The agent's current list, read afresh (the pager calls this at each page turn)."""
    services = context.services
    lang = context.lang
    state = user_data(context).get(QUERY_KEY) or {}
    terms: list[str] = list(state.get("terms", []))
    category: str | None = state.get("category")
    found = await services.products.search(
        terms, category=category, limit=MAX_LISTED + 1, available_only=True
    )
    products = found[:MAX_LISTED]
    query = " ".join(terms)
    if not products:
        return t(lang, "ac_no_results", query=query or category or ""), []
    if terms:
        header = t(lang, "ac_search_header", query=query, count=len(products))
    elif category is not None:
        header = t(lang, "ac_category_header", category=category, count=len(products))
    else:
        header = t(lang, "ac_all_header", count=len(products))
    if len(found) > MAX_LISTED:
        header += "\n" + t(lang, "ac_more_results", limit=MAX_LISTED)
    levels: dict[str, StockLevel] = {}
    for product in products:
        level = await services.stock.get(product.sku)
        if level is not None:
            levels[product.sku] = level
    promotions = await services.promotions.active(services.now())
    username = context.bot.username
    return agent_rows(header, products, levels, promotions, username, lang)


async def send_card(context: Context, chat_id: int, product: Product, lang: Language) -> None:
    """A product card: its first photo, prices, stock, promotions, the post's buttons."""
    services = context.services
    level = await services.stock.get(product.sku)
    promotions = await services.promotions.active(services.now())
    caption = agent_card(product, level, promotions, services.settings.tz, lang)
    markup = inline_markup(product_post_keyboard(product, lang))
    await context.bot.send_photo(chat_id, product.photos[0], caption=caption, reply_markup=markup)


# --------------------------------------------------------------------------- materials


async def materials_pressed(update: Update, context: Context) -> None:
    """📦 获取素材, pressed anywhere (a group's product post, a card): the materials go to the
    presser in private; one who never started the bot gets a link that starts it and
    delivers them."""
    query, button = clicked(update, MaterialsRequest)
    services = context.services
    lang = context.lang
    user = query.from_user
    if not await is_catalog_agent(services, user.id):
        await query.answer(t(lang, "refused_catalog_short"), show_alert=True)
        return
    product = await services.products.get(button.sku)
    if product is None:
        await query.answer(t(lang, "ac_materials_unknown"), show_alert=True)
        return
    outcome = await deliver_materials(context, user.id, product, lang)
    if outcome == "unreachable":
        await query.answer(url=deep_link(context.bot.username, "materials", product.sku))
    elif outcome == "too_soon":
        minutes = MATERIALS_INTERVAL // 60
        await query.answer(t(lang, "ac_materials_too_soon", minutes=minutes), show_alert=True)
    else:
        await query.answer(t(lang, "ac_materials_sent"))


async def deliver_materials(
    context: Context, user_id: int, product: Product, lang: Language
) -> Delivery:
    """Send ``product``'s materials to ``user_id`` in private (original photos as files, the
    copy, prices and 1688 link) and record the take; at most once per agent and product per
    :data:`MATERIALS_INTERVAL`."""
    services = context.services
    sku = product.sku
    with only_one_at_a_time(context, "agentcat.materials", (user_id, sku)) as mine:
        if not mine:
            return "too_soon"  # a second press while the first delivers
        last = await services.materials.last_take(sku, user_id)
        if last is not None and services.now() - last < MATERIALS_INTERVAL:
            return "too_soon"
        header = t(
            lang, "ac_materials_header", title=product.title, sku=sku, count=len(product.photos)
        )
        try:
            await context.bot.send_message(user_id, header)
        except Forbidden:
            return "unreachable"
        await _send_originals(context, user_id, product)
        for text in materials_messages(product, lang):
            await context.bot.send_message(user_id, text)
        await services.materials.record(sku, user_id, services.now())
    log.info("materials of %s delivered to %s", sku, user_id)
    await recompute(services, [user_id])  # taking materials is activity (quality score)
    return "sent"


async def _send_originals(context: Context, user_id: int, product: Product) -> None:
    """The product's photos as files. Telegram refuses a photo's file_id in sendDocument: a
    photo the seller sent as a file goes as that file; any other is downloaded (the largest
    size the seller sent) and uploaded as a file once, and the document's file_id kept for
    every later delivery."""
    services = context.services
    bot = context.bot
    kept = await services.materials.originals(product.sku)
    album = len(product.photos) > 1  # an album's uploads are attached (attach://) by name
    documents: list[str | InputFile] = []
    for position, photo in enumerate(product.photos):
        if position in kept:
            documents.append(kept[position])
            continue
        data = bytes(await (await bot.get_file(photo)).download_as_bytearray())
        name = f"{product.sku}-{position + 1}.jpg"
        documents.append(InputFile(data, filename=name, attach=album))
    if album:
        sent = list(await bot.send_media_group(user_id, [InputMediaDocument(d) for d in documents]))
    else:
        sent = [await bot.send_document(user_id, documents[0])]
    uploaded = {
        position: message.document.file_id
        for position, (message, document) in enumerate(zip(sent, documents, strict=False))
        if isinstance(document, InputFile) and message.document is not None
    }
    await services.materials.keep_originals(product.sku, uploaded)


# --------------------------------------------------------------------------- deep links


async def start_link(update: Update, context: Context) -> None:
    """``/start card_<sku>`` or ``/start materials_<sku>`` (links from a catalog list, or
    from the 📦 button of someone who had not started the bot). Any other /start goes on to
    handlers/start.py."""
    message = update.effective_message
    words = (message.text or "").split() if message is not None else []
    parsed = parse_start_payload(words[1]) if len(words) == 2 else None
    user = update.effective_user
    if parsed is None or user is None:
        return
    services = context.services
    if await services.agents.get(user.id) is not None:  # as handlers/start.py does
        await record_started_bot(services, user)
    if await is_catalog_agent(services, user.id):
        await _open_link(update, context, *parsed)
    else:
        await reply(update, t(context.lang, "refused_catalog_agent"))
    raise ApplicationHandlerStop


async def _open_link(update: Update, context: Context, kind: str, sku: str) -> None:
    lang = context.lang
    product = await context.services.products.get(sku)
    if product is None:
        await reply(update, t(lang, "ac_materials_unknown"))
        return
    user = update.effective_user
    assert user is not None
    if kind == "card":
        await send_card(context, user.id, product, lang)
        return
    if await deliver_materials(context, user.id, product, lang) == "too_soon":
        minutes = MATERIALS_INTERVAL // 60
        await reply(update, t(lang, "ac_materials_too_soon", minutes=minutes))
