"""Inline mode: ``@bot <words or SKU>`` in any chat gives an approved agent up to 20 products
at a time as *retail* cards to share with their own customers (photo, title, retail price,
selling points; never the agent price). Anyone else gets no results and a "成为代理" button that
opens the bot. Results are personal (they depend on who asks) and cached briefly; the next page
is asked with the offset Telegram sends back (the number of results already shown)."""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import Application, InlineQueryHandler

from bot.catalog.agent_view import retail_card, search_terms
from bot.catalog.model import price_text
from bot.catalog.service import is_catalog_agent
from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.common.splitting import TEXT_LIMIT
from bot.texts import Language, t
from handlers.common import Context
from storage.catalog import Product

PAGE_SIZE = 20
# Seconds Telegram may cache an answer (per user, as the answers are personal).
CACHE_SECONDS = 30
# Paging stops here (offsets beyond it are answered with nothing).
MAX_OFFSET = 1000
BECOME_AGENT = "become_agent"  # the start payload of the button shown to non-agents

InlineResult = InlineQueryResultCachedPhoto | InlineQueryResultArticle


def _result(product: Product, lang: Language) -> InlineResult:
    price = t(lang, "ac_inline_price", price=price_text(product.price_cents))
    if product.photos:
        return InlineQueryResultCachedPhoto(
            id=product.sku,
            photo_file_id=product.photos[0],
            title=product.title,
            description=price,
            caption=retail_card(product, lang),
            parse_mode=ParseMode.HTML,
        )
    return InlineQueryResultArticle(
        id=product.sku,
        title=product.title,
        description=price,
        input_message_content=InputTextMessageContent(
            retail_card(product, lang, TEXT_LIMIT), parse_mode=ParseMode.HTML
        ),
    )


async def inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    assert query is not None
    services = context.services
    lang = context.lang
    if not await is_catalog_agent(services, query.from_user.id):
        button = InlineQueryResultsButton(
            text=t(lang, "ac_inline_become_agent"), start_parameter=BECOME_AGENT
        )
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True, button=button)
        return
    offset = ascii_int(query.offset, 0, MAX_OFFSET) if query.offset else 0
    try:
        terms = search_terms(query.query, lang)
    except InputError:
        terms = None
    if offset is None or terms is None:  # a forged offset, or too long a query
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True)
        return
    products = await services.products.search(
        terms, offset=offset, limit=PAGE_SIZE + 1, available_only=True
    )
    more = len(products) > PAGE_SIZE and offset + PAGE_SIZE < MAX_OFFSET
    await query.answer(
        [_result(product, lang) for product in products[:PAGE_SIZE]],
        cache_time=CACHE_SECONDS,
        is_personal=True,
        next_offset=str(offset + PAGE_SIZE) if more else None,  # omitted: no more results
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(InlineQueryHandler(inline_query))
