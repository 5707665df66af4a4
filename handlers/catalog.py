"""The seller's catalog: the /newproduct and /promo conversations, /products, /product, /promos.

Both conversations run in the seller's private chat, keep their draft in ``user_data`` and save
nothing until *Send now*: /cancel (or the Cancel button, or the timeout) leaves no trace. Every
step handler is gated by ``@admin_only`` and raises :class:`InputError` on bad input, which
replies with the reason and keeps the conversation at the same step.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.broadcast.outbox import inline_markup
from bot.broadcast.send_gate import submit_unless_quiet
from bot.catalog.launches import launch_offer
from bot.catalog.model import (
    MAX_CATEGORY_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_PHOTOS,
    MAX_PROMO_TITLE_LENGTH,
    MAX_RULES_LENGTH,
    MAX_TITLE_LENGTH,
    PromoDraft,
    check_promo_window,
    clean_field,
    is_skip,
    kind_label,
    normalize_sku,
    parse_price,
    parse_promo_kind,
    parse_promo_time,
    parse_sku_list,
    price_text,
    product_caption,
    product_card,
    products_list,
    promos_list,
    promotion_notice,
)
from bot.catalog.service import (
    TargetOption,
    product_payload,
    send_promotion,
    target_chat_ids,
    target_options,
)
from bot.common.errors import InputError
from bot.common.quiet import quiet_until
from bot.scheduling.broadcasts import quiet_question
from bot.scheduling.conversations import ConversationHandler
from bot.scheduling.kinds import cap_text, check_launch, schedule_promo_reminder
from bot.scheduling.model import Targets
from bot.services import Services, services_of
from bot.texts import Language, t
from handlers.common import Context, actor_id, admin_only, command_args, language, reply, user_data
from storage.catalog import PROMO_KINDS, Product

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
PM_TITLE, PM_KIND, PM_RULES, PM_START, PM_END, PM_SKUS, PM_PREVIEW = range(10, 17)
END = ConversationHandler.END
# A draft left alone this long is dropped (nothing was saved) and the seller is told.
CONVERSATION_TIMEOUT = 30 * 60
_PRODUCT = "catalog_product_draft"
_PROMO = "catalog_promo_draft"
_ASK = "catalog_ask"  # the catalog key of the current question, repeated after a wrong input
_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND


# --------------------------------------------------------------------------- helpers


def _draft(context: Context, key: str) -> dict[str, Any]:
    draft = user_data(context).get(key)
    if draft is None:
        draft = user_data(context)[key] = {}
    assert isinstance(draft, dict)
    return draft


def _text(update: Update) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    return message.text


def _require_private(update: Update, lang: Language) -> None:
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        raise InputError(t(lang, "cat_private_only"))


async def _ask(update: Update, context: Context, ask_key: str, **kw: Any) -> None:
    """Ask for the next field and remember the question (to repeat it after a wrong input)."""
    user_data(context)[_ASK] = ask_key
    services = services_of(context)
    await reply(update, t(language(update, services), ask_key), **kw)


async def _answer(update: Update) -> str:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    return query.data


def _target_label(option: TargetOption, lang: Language) -> str:
    if option.tag is None:
        return t(lang, "cat_target_all", count=option.count)
    return t(lang, "cat_target_tag", tag=option.tag, count=option.count)


def _control(
    prefix: str, options: list[TargetOption], chosen: int, lang: Language
) -> tuple[str, InlineKeyboardMarkup]:
    """The message under a preview: where it will go, target buttons, Send now and Cancel."""
    option = options[chosen]
    text = t(lang, "cat_preview_control", target=_target_label(option, lang))
    rows = []
    for index, candidate in enumerate(options):
        mark = "✅ " if index == chosen else ""
        rows.append(
            [
                InlineKeyboardButton(
                    mark + _target_label(candidate, lang), callback_data=f"{prefix}:tg:{index}"
                )
            ]
        )
    if prefix == "np":  # a product can also be launched later (bot/catalog/launches.py)
        rows.append(
            [
                InlineKeyboardButton(t(lang, "sch_button_schedule"), callback_data="np:later"),
                InlineKeyboardButton(t(lang, "sch_button_teaser"), callback_data="np:teaser"),
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(t(lang, "cat_button_send"), callback_data=f"{prefix}:send"),
            InlineKeyboardButton(t(lang, "cat_button_cancel"), callback_data=f"{prefix}:cancel"),
        ]
    )
    return text, InlineKeyboardMarkup(rows)


async def _show_control(update: Update, context: Context, draft_key: str, prefix: str) -> None:
    services = services_of(context)
    lang = language(update, services)
    draft = _draft(context, draft_key)
    options = await target_options(services)
    draft["options"] = [(option.tag, option.count) for option in options]
    draft["target"] = 0
    text, markup = _control(prefix, options, 0, lang)
    await reply(update, text, reply_markup=markup)


def _options(draft: dict[str, Any]) -> list[TargetOption]:
    return [TargetOption(tag, count) for tag, count in draft.get("options", [])]


async def _choose_target(update: Update, context: Context, draft_key: str, prefix: str) -> None:
    data = await _answer(update)
    services = services_of(context)
    lang = language(update, services)
    draft = _draft(context, draft_key)
    options = _options(draft)
    index = int(data.rsplit(":", 1)[1])
    if not 0 <= index < len(options):
        raise InputError(t(lang, "cat_draft_expired"))
    draft["target"] = index
    text, markup = _control(prefix, options, index, lang)
    query = update.callback_query
    assert query is not None
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _chosen_chats(services: Services, draft: dict[str, Any], lang: Language) -> list[int]:
    options = _options(draft)
    option = options[draft.get("target", 0)]
    chat_ids = await target_chat_ids(services, option.tag)
    if not chat_ids:
        raise InputError(t(lang, "cat_err_no_targets", target=_target_label(option, lang)))
    return chat_ids


async def _close_control(update: Update, text: str) -> None:
    query = update.callback_query
    if query is not None:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML)
    else:
        await reply(update, text)


# --------------------------------------------------------------------------- /newproduct


@admin_only
async def newproduct_start(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    _require_private(update, lang)
    _forget(context)
    user_data(context)[_PRODUCT] = {}
    await reply(update, t(lang, "cat_np_intro"))
    await _ask(update, context, "cat_ask_sku")
    return NP_SKU


@admin_only
async def np_sku(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    sku = normalize_sku(_text(update), lang)
    if await services.products.get(sku) is not None:
        raise InputError(t(lang, "cat_err_sku_taken", sku=sku))
    _draft(context, _PRODUCT)["sku"] = sku
    await _ask(update, context, "cat_ask_title")
    return NP_TITLE


@admin_only
async def np_title(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    title = clean_field(_text(update), MAX_TITLE_LENGTH, lang, t(lang, "cat_field_title"))
    _draft(context, _PRODUCT)["title"] = " ".join(title.split())
    await _ask(update, context, "cat_ask_price")
    return NP_PRICE


@admin_only
async def np_price(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    _draft(context, _PRODUCT)["price"] = parse_price(
        _text(update), lang, t(lang, "cat_field_price")
    )
    await _ask(update, context, "cat_ask_agent_price")
    return NP_AGENT_PRICE


def _category_keyboard(services: Services) -> InlineKeyboardMarkup | None:
    categories = services.settings.seller_categories
    if not categories:
        return None
    buttons = [
        InlineKeyboardButton(category, callback_data=f"np:cat:{index}")
        for index, category in enumerate(categories[:30])
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


@admin_only
async def np_agent_price(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    draft = _draft(context, _PRODUCT)
    text = _text(update)
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
    await _ask(update, context, "cat_ask_category", reply_markup=_category_keyboard(services))
    return NP_CATEGORY


async def _set_category(update: Update, context: Context, category: str) -> int:
    lang = language(update, services_of(context))
    value = clean_field(category, MAX_CATEGORY_LENGTH, lang, t(lang, "cat_field_category"))
    _draft(context, _PRODUCT)["category"] = " ".join(value.split())
    await _ask(update, context, "cat_ask_description")
    return NP_DESCRIPTION


@admin_only
async def np_category_text(update: Update, context: Context) -> int:
    return await _set_category(update, context, _text(update))


@admin_only
async def np_category_button(update: Update, context: Context) -> int:
    data = await _answer(update)
    services = services_of(context)
    categories = services.settings.seller_categories
    index = int(data.rsplit(":", 1)[1])
    if not 0 <= index < len(categories):
        raise InputError(t(language(update, services), "cat_draft_expired"))
    return await _set_category(update, context, categories[index])


def _done_keyboard(lang: Language) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "cat_button_done"), callback_data="np:done")]]
    )


@admin_only
async def np_description(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    draft = _draft(context, _PRODUCT)
    draft["description"] = clean_field(
        _text(update), MAX_DESCRIPTION_LENGTH, lang, t(lang, "cat_field_description")
    )
    draft["photos"] = []
    await _ask(update, context, "cat_ask_photos")
    return NP_PHOTOS


@admin_only
async def np_photo(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    message = update.effective_message
    assert message is not None and message.photo
    photos: list[str] = _draft(context, _PRODUCT).setdefault("photos", [])
    if len(photos) >= MAX_PHOTOS:
        raise InputError(t(lang, "cat_err_photos_many", limit=MAX_PHOTOS))
    photos.append(message.photo[-1].file_id)
    await reply(
        update,
        t(lang, "cat_photo_received", count=len(photos), limit=MAX_PHOTOS),
        reply_markup=_done_keyboard(lang),
    )
    return NP_PHOTOS


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
    """The product exactly as the groups will get it (rendered in the groups' language)."""
    services = services_of(context)
    caption = product_caption(product, services.settings.language)
    if len(product.photos) == 1:
        await context.bot.send_photo(
            chat_id, product.photos[0], caption=caption, parse_mode=ParseMode.HTML
        )
        return
    media = [
        InputMediaPhoto(
            file_id,
            caption=caption if index == 0 else None,
            parse_mode=ParseMode.HTML if index == 0 else None,
        )
        for index, file_id in enumerate(product.photos)
    ]
    await context.bot.send_media_group(chat_id, media)


@admin_only
async def np_done(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    if update.callback_query is not None:
        await _answer(update)
    draft = _draft(context, _PRODUCT)
    if not draft.get("photos"):
        raise InputError(t(lang, "cat_err_photos_none"))
    product = _product_of(draft, actor_id(update), services.now())
    chat = update.effective_chat
    assert chat is not None
    await reply(update, t(lang, "cat_preview_intro"))
    await _send_preview(context, chat.id, product)
    user_data(context)[_ASK] = "cat_ask_preview"
    await _show_control(update, context, _PRODUCT, "np")
    return NP_PREVIEW


@admin_only
async def np_target(update: Update, context: Context) -> int:
    await _choose_target(update, context, _PRODUCT, "np")
    return NP_PREVIEW


@admin_only
async def np_send(update: Update, context: Context) -> int:
    await _answer(update)
    services = services_of(context)
    lang = language(update, services)
    draft = _draft(context, _PRODUCT)
    chat_ids = await _chosen_chats(services, draft, lang)
    actor = actor_id(update)
    product = _product_of(draft, actor, services.now())
    launch = await check_launch(services, Targets(chat_ids=tuple(chat_ids)), services.now())
    if not launch.ok:
        # The draft stays open: the admin can pick 🗓 Schedule… on the preview instead.
        raise InputError(cap_text(services, launch, lang))
    if not await services.products.add(product):
        raise InputError(t(lang, "cat_err_sku_taken", sku=product.sku))
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
    _forget(context)
    if gate.question is not None:
        query = update.callback_query
        assert query is not None
        await query.edit_message_text(
            gate.question, parse_mode=ParseMode.HTML, reply_markup=inline_markup(gate.keyboard)
        )
        return END
    broadcast_id = gate.broadcast_id
    await services.audit.add(
        services.now(), actor, "newproduct", product.sku, f"broadcast {broadcast_id}"
    )
    log.info(
        "product %s sent to %d groups (broadcast %s)", product.sku, len(chat_ids), broadcast_id
    )
    await _close_control(
        update,
        t(lang, "cat_np_sent", sku=product.sku, count=len(chat_ids), broadcast_id=broadcast_id),
    )
    return END


@admin_only
async def np_later(update: Update, context: Context) -> int:
    """Schedule… / Teaser first: save the product without sending; the launch conversation
    (handlers/schedules.py) takes over from the button this replies with."""
    data = await _answer(update)
    services = services_of(context)
    lang = language(update, services)
    draft = _draft(context, _PRODUCT)
    await _chosen_chats(services, draft, lang)
    option = _options(draft)[draft.get("target", 0)]
    product = _product_of(draft, actor_id(update), services.now())
    if not await services.products.add(product):
        raise InputError(t(lang, "cat_err_sku_taken", sku=product.sku))
    await services.audit.add(services.now(), actor_id(update), "newproduct", product.sku, "later")
    _forget(context)
    text, keyboard = launch_offer(product, option.tag, data.endswith(":teaser"), lang)
    query = update.callback_query
    assert query is not None
    await query.edit_message_text(
        text, parse_mode=ParseMode.HTML, reply_markup=inline_markup(keyboard)
    )
    return END


# --------------------------------------------------------------------------- /promo


@admin_only
async def promo_start(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    _require_private(update, lang)
    _forget(context)
    user_data(context)[_PROMO] = {}
    await reply(update, t(lang, "cat_pm_intro"))
    await _ask(update, context, "cat_ask_promo_title")
    return PM_TITLE


def _kind_keyboard(lang: Language) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(kind_label(kind, lang), callback_data=f"pm:kind:{kind}")
        for kind in PROMO_KINDS
    ]
    return InlineKeyboardMarkup([buttons[:3], buttons[3:]])


@admin_only
async def pm_title(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    title = clean_field(_text(update), MAX_PROMO_TITLE_LENGTH, lang, t(lang, "cat_field_title"))
    _draft(context, _PROMO)["title"] = " ".join(title.split())
    await _ask(update, context, "cat_ask_promo_kind", reply_markup=_kind_keyboard(lang))
    return PM_KIND


async def _set_kind(update: Update, context: Context, text: str) -> int:
    lang = language(update, services_of(context))
    _draft(context, _PROMO)["kind"] = parse_promo_kind(text, lang)
    await _ask(update, context, "cat_ask_promo_rules")
    return PM_RULES


@admin_only
async def pm_kind_text(update: Update, context: Context) -> int:
    return await _set_kind(update, context, _text(update))


@admin_only
async def pm_kind_button(update: Update, context: Context) -> int:
    data = await _answer(update)
    return await _set_kind(update, context, data.rsplit(":", 1)[1])


@admin_only
async def pm_rules(update: Update, context: Context) -> int:
    lang = language(update, services_of(context))
    _draft(context, _PROMO)["rules"] = clean_field(
        _text(update), MAX_RULES_LENGTH, lang, t(lang, "cat_field_rules")
    )
    await _ask_time(update, context, "cat_ask_promo_start")
    return PM_START


async def _ask_time(update: Update, context: Context, key: str) -> None:
    services = services_of(context)
    user_data(context)[_ASK] = key
    await reply(update, t(language(update, services), key, tz=services.settings.timezone))


@admin_only
async def pm_start(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    _draft(context, _PROMO)["starts_at"] = parse_promo_time(
        _text(update), services.settings.tz, lang, t(lang, "cat_field_start")
    )
    await _ask_time(update, context, "cat_ask_promo_end")
    return PM_END


@admin_only
async def pm_end(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    draft = _draft(context, _PROMO)
    ends_at = parse_promo_time(_text(update), services.settings.tz, lang, t(lang, "cat_field_end"))
    check_promo_window(draft["starts_at"], ends_at, services.now(), lang)
    draft["ends_at"] = ends_at
    await _ask(update, context, "cat_ask_promo_skus")
    return PM_SKUS


def _promo_draft(draft: dict[str, Any]) -> PromoDraft:
    return PromoDraft(
        draft["title"],
        draft["kind"],
        draft["rules"],
        draft["starts_at"],
        draft["ends_at"],
        tuple(draft.get("skus", ())),
    )


@admin_only
async def pm_skus(update: Update, context: Context) -> int:
    services = services_of(context)
    lang = language(update, services)
    draft = _draft(context, _PROMO)
    text = _text(update)
    skus: list[str] = [] if is_skip(text) else parse_sku_list(text, lang)
    known = await services.products.existing(skus)
    unknown = [sku for sku in skus if sku not in known]
    if unknown:
        raise InputError(t(lang, "cat_err_skus_unknown", skus=", ".join(unknown)))
    draft["skus"] = skus
    titles = {}
    for sku in skus:
        product = await services.products.get(sku)
        titles[sku] = product.title if product else ""
    group_lang = services.settings.language
    notice = promotion_notice(_promo_draft(draft), titles, services.settings.tz, group_lang)
    await reply(update, t(lang, "cat_preview_intro"))
    await reply(update, notice)
    user_data(context)[_ASK] = "cat_ask_preview"
    await _show_control(update, context, _PROMO, "pm")
    return PM_PREVIEW


@admin_only
async def pm_target(update: Update, context: Context) -> int:
    await _choose_target(update, context, _PROMO, "pm")
    return PM_PREVIEW


@admin_only
async def pm_send(update: Update, context: Context) -> int:
    await _answer(update)
    services = services_of(context)
    lang = language(update, services)
    draft = _draft(context, _PROMO)
    chat_ids = await _chosen_chats(services, draft, lang)
    actor = actor_id(update)
    promo = _promo_draft(draft)
    known = await services.products.existing(promo.skus)
    missing = [sku for sku in promo.skus if sku not in known]
    if missing:
        raise InputError(t(lang, "cat_err_skus_unknown", skus=", ".join(missing)))
    promotion = await services.promotions.add(
        promo.title,
        promo.kind,
        promo.rules,
        promo.starts_at,
        promo.ends_at,
        promo.skus,
        actor,
        services.now(),
    )
    # The automatic "ends soon" reminder (promo_reminder_hours before the end; bot/scheduler).
    await schedule_promo_reminder(services, promotion)
    settings = services.settings
    if quiet_until(services.now(), settings.quiet_windows, settings.tz) is None:
        broadcast_id = await send_promotion(services, promotion, chat_ids, actor, lang)
    else:
        decision = await services.scheduler.now_or_hold(
            "promotion",
            promotion.title,
            {"promo_id": promotion.id, "targets": Targets(chat_ids=tuple(chat_ids)).to_dict()},
            creator_id=actor,
            ref=f"promo:{promotion.id}",
        )
        if decision.held is not None:
            _forget(context)
            question, keyboard = quiet_question(lang, decision, settings.tz)
            query = update.callback_query
            assert query is not None
            await query.edit_message_text(
                question, parse_mode=ParseMode.HTML, reply_markup=inline_markup(keyboard)
            )
            return END
        broadcast_id = decision.broadcast_id or 0  # the quiet window ended meanwhile: sent
    await services.audit.add(
        services.now(), actor, "promo", str(promotion.id), f"broadcast {broadcast_id}"
    )
    _forget(context)
    await _close_control(
        update,
        t(lang, "cat_pm_sent", id=promotion.id, count=len(chat_ids), broadcast_id=broadcast_id),
    )
    return END


# --------------------------------------------------------------------------- leaving


@admin_only
async def cancel(update: Update, context: Context) -> int:
    if update.callback_query is not None:
        await _answer(update)
    _forget(context)
    lang = language(update, services_of(context))
    await _close_control(update, t(lang, "cat_cancelled"))
    return END


def _forget(context: Context) -> None:
    for key in (_PRODUCT, _PROMO, _ASK):
        user_data(context).pop(key, None)


async def wrong_input(update: Update, context: Context) -> None:
    """A message of the wrong kind for the step (a sticker for a price, text for a photo...)."""
    services = services_of(context)
    lang = language(update, services)
    ask = user_data(context).get(_ASK, "cat_ask_sku")
    await reply(
        update, t(lang, "cat_wrong_input") + "\n" + t(lang, ask, tz=services.settings.timezone)
    )


async def timed_out(update: Update, context: Context) -> None:
    _forget(context)
    chat = update.effective_chat
    if chat is not None:
        lang = language(update, services_of(context))
        await context.bot.send_message(chat.id, t(lang, "cat_timed_out"))


async def stale_button(update: Update, context: Context) -> None:
    """A button of a draft that has ended (sent, cancelled, timed out or from before a restart)."""
    query = update.callback_query
    assert query is not None
    lang = language(update, services_of(context))
    await query.answer(t(lang, "cat_draft_expired"), show_alert=True)


# --------------------------------------------------------------------------- lists


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


# --------------------------------------------------------------------------- wiring


def conversation() -> ConversationHandler[Any]:
    """/newproduct and /promo as ONE conversation, so that starting one while the other is
    open replaces it (``allow_reentry``) instead of leaving two drafts competing for the same
    messages."""
    states: dict[object, list[Any]] = {
        NP_SKU: [MessageHandler(_TEXT, np_sku)],
        NP_TITLE: [MessageHandler(_TEXT, np_title)],
        NP_PRICE: [MessageHandler(_TEXT, np_price)],
        NP_AGENT_PRICE: [MessageHandler(_TEXT, np_agent_price)],
        NP_CATEGORY: [
            MessageHandler(_TEXT, np_category_text),
            CallbackQueryHandler(np_category_button, pattern=r"^np:cat:\d+$"),
        ],
        NP_DESCRIPTION: [MessageHandler(_TEXT, np_description)],
        NP_PHOTOS: [
            MessageHandler(filters.UpdateType.MESSAGE & filters.PHOTO, np_photo),
            CommandHandler("done", np_done),
            CallbackQueryHandler(np_done, pattern=r"^np:done$"),
        ],
        NP_PREVIEW: [
            CallbackQueryHandler(np_target, pattern=r"^np:tg:\d+$"),
            CallbackQueryHandler(np_send, pattern=r"^np:send$"),
            CallbackQueryHandler(np_later, pattern=r"^np:(later|teaser)$"),
        ],
        PM_TITLE: [MessageHandler(_TEXT, pm_title)],
        PM_KIND: [
            MessageHandler(_TEXT, pm_kind_text),
            CallbackQueryHandler(pm_kind_button, pattern=r"^pm:kind:[a-z_]+$"),
        ],
        PM_RULES: [MessageHandler(_TEXT, pm_rules)],
        PM_START: [MessageHandler(_TEXT, pm_start)],
        PM_END: [MessageHandler(_TEXT, pm_end)],
        PM_SKUS: [MessageHandler(_TEXT, pm_skus)],
        PM_PREVIEW: [
            CallbackQueryHandler(pm_target, pattern=r"^pm:tg:\d+$"),
            CallbackQueryHandler(pm_send, pattern=r"^pm:send$"),
        ],
        ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
    }
    # The buttons live on messages of this private chat; tracking the conversation per chat and
    # user (not per message) is intended, so PTB's per_message hint does not apply.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("newproduct", newproduct_start),
                CommandHandler("promo", promo_start),
            ],
            states=states,
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=r"^(np|pm):cancel$"),
                MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, wrong_input),
            ],
            name="catalog",
            per_user=True,
            per_chat=True,
            allow_reentry=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
        )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(conversation())
    application.add_handler(CallbackQueryHandler(stale_button, pattern=r"^(np|pm):"))
    application.add_handler(CommandHandler("products", products_command))
    application.add_handler(CommandHandler("product", product_command))
    application.add_handler(CommandHandler("promos", promos_command))
