"""/newproduct: a product's fields step by step, a preview, then Send now or a later launch."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update

from bot.broadcast.outbox import inline_markup, layout
from bot.broadcast.send_gate import submit_unless_quiet
from bot.catalog.launches import launch_offer
from bot.catalog.model import (
    MAX_CATEGORY_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_PHOTOS,
    MAX_TITLE_LENGTH,
    clean_field,
    is_skip,
    normalize_sku,
    parse_price,
    price_text,
)
from bot.catalog.service import product_payload
from bot.common.callbacks import ProductCategory, ProductStep, ProductTarget, encode
from bot.common.errors import InputError
from bot.scheduling.kinds import cap_text, check_launch
from bot.scheduling.model import Targets
from bot.services import Services
from bot.texts import Language, t
from handlers.catalog.drafts import (
    ASKED,
    END,
    PRODUCT_DRAFT,
    answer_button,
    ask,
    choose_target,
    chosen_chats,
    close_control,
    draft_of,
    forget,
    options_of,
    require_private,
    send_once,
    show_control,
    text_of,
)
from handlers.common import Context, actor_id, admin_only, clicked, reply, user_data
from storage.catalog import Product

log = logging.getLogger(__name__)

(
    NP_SKU,
    NP_TITLE,
    NP_PRICE,
    NP_AGENT_PRICE,
    NP_CATEGORY,
    NP_DESCRIPTION,
    NP_PHOTOS,
    NP_PREVIEW,
) = range(8)


@admin_only
async def newproduct_start(update: Update, context: Context) -> int:
    lang = context.lang
    require_private(update, lang)
    forget(context)
    user_data(context)[PRODUCT_DRAFT] = {}
    await reply(update, t(lang, "cat_np_intro"))
    await ask(update, context, "cat_ask_sku")
    return NP_SKU


@admin_only
async def np_sku(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
    sku = normalize_sku(text_of(update), lang)
    if await services.products.get(sku) is not None:
        raise InputError(t(lang, "cat_err_sku_taken", sku=sku))
    draft_of(context, PRODUCT_DRAFT)["sku"] = sku
    await ask(update, context, "cat_ask_title")
    return NP_TITLE


@admin_only
async def np_title(update: Update, context: Context) -> int:
    lang = context.lang
    title = clean_field(text_of(update), MAX_TITLE_LENGTH, lang, t(lang, "cat_field_title"))
    draft_of(context, PRODUCT_DRAFT)["title"] = " ".join(title.split())
    await ask(update, context, "cat_ask_price")
    return NP_PRICE


@admin_only
async def np_price(update: Update, context: Context) -> int:
    lang = context.lang
    draft_of(context, PRODUCT_DRAFT)["price"] = parse_price(
        text_of(update), lang, t(lang, "cat_field_price")
    )
    await ask(update, context, "cat_ask_agent_price")
    return NP_AGENT_PRICE


def _category_keyboard(services: Services) -> InlineKeyboardMarkup | None:
    categories = services.settings.seller_categories
    if not categories:
        return None
    buttons = [
        InlineKeyboardButton(category, callback_data=encode(ProductCategory(index)))
        for index, category in enumerate(categories[:30])
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


@admin_only
async def np_agent_price(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
    draft = draft_of(context, PRODUCT_DRAFT)
    text = text_of(update)
    agent_price = None
    if not is_skip(text):
        agent_price = parse_price(text, lang, t(lang, "cat_field_agent_price"))
        if agent_price > draft["price"]:
            raise InputError(
                t(
                    lang,
                    "cat_err_agent_price_high",
                    agent_price=price_text(agent_price),
                    price=price_text(draft["price"]),
                )
            )
    draft["agent_price"] = agent_price
    await ask(update, context, "cat_ask_category", reply_markup=_category_keyboard(services))
    return NP_CATEGORY


async def _set_category(update: Update, context: Context, category: str) -> int:
    lang = context.lang
    value = clean_field(category, MAX_CATEGORY_LENGTH, lang, t(lang, "cat_field_category"))
    draft_of(context, PRODUCT_DRAFT)["category"] = " ".join(value.split())
    await ask(update, context, "cat_ask_description")
    return NP_DESCRIPTION


@admin_only
async def np_category_text(update: Update, context: Context) -> int:
    return await _set_category(update, context, text_of(update))


@admin_only
async def np_category_button(update: Update, context: Context) -> int:
    await answer_button(update)
    _, button = clicked(update, ProductCategory)
    services = context.services
    categories = services.settings.seller_categories
    index = button.index
    if not 0 <= index < len(categories):
        raise InputError(t(context.lang, "cat_draft_expired"))
    return await _set_category(update, context, categories[index])


def _done_keyboard(lang: Language) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "cat_button_done"), callback_data=encode(ProductStep("done"))
                )
            ]
        ]
    )


@admin_only
async def np_description(update: Update, context: Context) -> int:
    lang = context.lang
    draft = draft_of(context, PRODUCT_DRAFT)
    draft["description"] = clean_field(
        text_of(update), MAX_DESCRIPTION_LENGTH, lang, t(lang, "cat_field_description")
    )
    draft["photos"] = []
    await ask(update, context, "cat_ask_photos")
    return NP_PHOTOS


@admin_only
async def np_photo(update: Update, context: Context) -> int:
    lang = context.lang
    message = update.effective_message
    assert message is not None and message.photo
    photos: list[str] = draft_of(context, PRODUCT_DRAFT).setdefault("photos", [])
    if len(photos) >= MAX_PHOTOS:
        raise InputError(t(lang, "cat_err_photos_many", limit=MAX_PHOTOS))
    photos.append(message.photo[-1].file_id)
    await reply(
        update,
        t(lang, "cat_photo_received", count=len(photos), limit=MAX_PHOTOS),
        reply_markup=_done_keyboard(lang),
    )
    return NP_PHOTOS


# A photo the seller sends as a file (uncompressed): what the post may be made from. Telegram
# takes photos up to 10 MB in sendPhoto.
PHOTO_FILE_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_PHOTO_FILE_BYTES = 10 * 1024 * 1024


@admin_only
async def np_photo_file(update: Update, context: Context) -> int:
    """A photo sent as a file: the original (its document file_id) is kept for the agents'
    materials; the post needs a photo, so the file is sent back to the seller as a photo once
    (the receipt), and that photo's file_id goes into the post."""
    lang = context.lang
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    photos: list[str] = draft_of(context, PRODUCT_DRAFT).setdefault("photos", [])
    if len(photos) >= MAX_PHOTOS:
        raise InputError(t(lang, "cat_err_photos_many", limit=MAX_PHOTOS))
    size = document.file_size or 0
    if document.mime_type not in PHOTO_FILE_TYPES or not 0 < size <= MAX_PHOTO_FILE_BYTES:
        raise InputError(t(lang, "ac_err_photo_file", limit=MAX_PHOTO_FILE_BYTES // 2**20))
    file = await context.bot.get_file(document.file_id)
    if not 0 < (file.file_size or size) <= MAX_PHOTO_FILE_BYTES:
        raise InputError(t(lang, "ac_err_photo_file", limit=MAX_PHOTO_FILE_BYTES // 2**20))
    data = bytes(await file.download_as_bytearray())
    draft = draft_of(context, PRODUCT_DRAFT)
    caption = t(lang, "cat_photo_received", count=len(photos) + 1, limit=MAX_PHOTOS)
    receipt = await message.reply_photo(data, caption=caption, reply_markup=_done_keyboard(lang))
    photos.append(receipt.photo[-1].file_id)
    draft.setdefault("originals", {})[str(len(photos) - 1)] = document.file_id
    return NP_PHOTOS


def originals_of(draft: dict[str, Any]) -> dict[int, str]:
    """Position of a photo in the post -> the document the seller sent it as."""
    return {int(position): file_id for position, file_id in draft.get("originals", {}).items()}


def _product_of(draft: dict[str, Any], creator: int, now: int) -> Product:
    return Product(
        sku=draft["sku"],
        title=draft["title"],
        price_cents=draft["price"],
        agent_price_cents=draft["agent_price"],
        category=draft["category"],
        description=draft["description"],
        photos=tuple(draft["photos"]),
        created_by=creator,
        created_at=now,
    )


async def _send_preview(context: Context, chat_id: int, product: Product) -> None:
    """The product exactly as the groups will get it (rendered in the groups' language, laid
    out by the outbox's own :func:`layout`: the caption, or for an album the text under it,
    carries the post's buttons)."""
    bot = context.bot
    for part in layout(product_payload(product, context.services)):
        markup = inline_markup(part.keyboard)
        if part.kind == "photo":
            await bot.send_photo(chat_id, part.media[0], caption=part.text, reply_markup=markup)
        elif part.kind == "album":
            media = [
                InputMediaPhoto(file_id, caption=part.text if index == 0 and part.text else None)
                for index, file_id in enumerate(part.media)
            ]
            await bot.send_media_group(chat_id, media)
        else:
            await bot.send_message(chat_id, part.text, reply_markup=markup)


@admin_only
async def np_done(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
    if update.callback_query is not None:
        await answer_button(update)
    draft = draft_of(context, PRODUCT_DRAFT)
    if not draft.get("photos"):
        raise InputError(t(lang, "cat_err_photos_none"))
    product = _product_of(draft, actor_id(update), services.now())
    chat = update.effective_chat
    assert chat is not None
    await reply(update, t(lang, "cat_preview_intro"))
    await _send_preview(context, chat.id, product)
    user_data(context)[ASKED] = "cat_ask_preview"
    await show_control(update, context, "product")
    return NP_PREVIEW


@admin_only
async def np_target(update: Update, context: Context) -> int:
    await choose_target(update, context, "product", clicked(update, ProductTarget)[1].index)
    return NP_PREVIEW


@admin_only
async def np_send(update: Update, context: Context) -> int | None:
    return await send_once(update, context, "product", _send_product)


async def _send_product(update: Update, context: Context) -> int:
    await answer_button(update)
    services = context.services
    lang = context.lang
    draft = draft_of(context, PRODUCT_DRAFT)
    chat_ids = await chosen_chats(services, draft, lang)
    actor = actor_id(update)
    product = _product_of(draft, actor, services.now())
    launch = await check_launch(services, Targets(chat_ids=tuple(chat_ids)), services.now())
    if not launch.ok:
        # The draft stays open: the admin can pick 🗓 Schedule… on the preview instead.
        raise InputError(cap_text(services, launch, lang))
    async with services.audited(actor, "newproduct", product.sku) as audit:
        if not await services.products.add(product):
            raise InputError(t(lang, "cat_err_sku_taken", sku=product.sku))
        await services.materials.keep_originals(product.sku, originals_of(draft))
        gate = await submit_unless_quiet(
            services,
            "product",
            product_payload(product, services),
            chat_ids,
            actor,
            title=product.sku,
            lang=lang,
            ref=f"product:{product.sku}",
        )
        if gate.question is not None:
            audit.skip()  # held for the quiet-hours answer, audited with it
        else:
            audit.detail = f"broadcast {gate.broadcast_id}"
    services.stock_answers.invalidate()  # a new SKU to recognise in stock questions
    forget(context)
    if gate.question is not None:
        query = update.callback_query
        assert query is not None
        await query.edit_message_text(gate.question, reply_markup=inline_markup(gate.keyboard))
        return END
    broadcast_id = gate.broadcast_id
    log.info(
        "product %s sent to %d groups (broadcast %s)", product.sku, len(chat_ids), broadcast_id
    )
    await close_control(
        update,
        t(lang, "cat_np_sent", sku=product.sku, count=len(chat_ids), broadcast_id=broadcast_id),
    )
    return END


@admin_only
async def np_later(update: Update, context: Context) -> int:
    """Schedule… / Teaser first: save the product without sending; the launch conversation
    (handlers/launches.py) takes over from the button this replies with."""
    await answer_button(update)
    _, button = clicked(update, ProductStep)
    services = context.services
    lang = context.lang
    draft = draft_of(context, PRODUCT_DRAFT)
    await chosen_chats(services, draft, lang)
    option = options_of(draft)[draft.get("target", 0)]
    product = _product_of(draft, actor_id(update), services.now())
    async with services.audited(actor_id(update), "newproduct", product.sku, "later"):
        if not await services.products.add(product):
            raise InputError(t(lang, "cat_err_sku_taken", sku=product.sku))
    forget(context)
    text, keyboard = launch_offer(product, option.tag, button.step == "teaser", lang)
    query = update.callback_query
    assert query is not None
    await query.edit_message_text(text, reply_markup=inline_markup(keyboard))
    return END
