"""/promo: a promotion's fields step by step, a preview, then Send now (or held in quiet hours)."""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.broadcast.outbox import inline_markup
from bot.broadcast.send_gate import hold
from bot.catalog.model import (
    MAX_PROMO_TITLE_LENGTH,
    MAX_RULES_LENGTH,
    PromoDraft,
    check_promo_window,
    clean_field,
    is_skip,
    kind_label,
    parse_promo_kind,
    parse_promo_time,
    parse_sku_list,
    promotion_notice,
)
from bot.catalog.service import send_promotion
from bot.common.callbacks import PromoKindChoice, PromoTarget, encode
from bot.common.errors import InputError
from bot.common.quiet import quiet_until
from bot.scheduling.broadcasts import quiet_question
from bot.scheduling.kinds import schedule_promo_reminder
from bot.scheduling.model import Targets
from bot.texts import Language, t
from handlers.catalog.drafts import (
    ASKED,
    END,
    PROMO_DRAFT,
    answer_button,
    ask,
    choose_target,
    chosen_chats,
    close_control,
    draft_of,
    forget,
    require_private,
    send_once,
    show_control,
    text_of,
)
from handlers.common import Context, actor_id, admin_only, clicked, reply, user_data
from storage.catalog import PROMO_KINDS

PM_TITLE, PM_KIND, PM_RULES, PM_START, PM_END, PM_SKUS, PM_PREVIEW = range(10, 17)
# The quick answers offered under the start and end questions (texts the time parser reads).
_START_CHOICES = ("seller_time_now", "seller_time_tonight", "seller_time_3_days")
_END_CHOICES = ("seller_time_tonight", "seller_time_3_days", "seller_time_7_days")


@admin_only
async def promo_start(update: Update, context: Context) -> int:
    lang = context.lang
    require_private(update, lang)
    forget(context)
    user_data(context)[PROMO_DRAFT] = {}
    await reply(update, t(lang, "cat_pm_intro"))
    await ask(update, context, "cat_ask_promo_title")
    return PM_TITLE


def _kind_keyboard(lang: Language) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(kind_label(kind, lang), callback_data=encode(PromoKindChoice(kind)))
        for kind in PROMO_KINDS
    ]
    return InlineKeyboardMarkup([buttons[:3], buttons[3:]])


@admin_only
async def pm_title(update: Update, context: Context) -> int:
    lang = context.lang
    title = clean_field(text_of(update), MAX_PROMO_TITLE_LENGTH, lang, t(lang, "cat_field_title"))
    draft_of(context, PROMO_DRAFT)["title"] = " ".join(title.split())
    await ask(update, context, "cat_ask_promo_kind", reply_markup=_kind_keyboard(lang))
    return PM_KIND


async def _set_kind(update: Update, context: Context, text: str) -> int:
    lang = context.lang
    draft_of(context, PROMO_DRAFT)["kind"] = parse_promo_kind(text, lang)
    await ask(update, context, "cat_ask_promo_rules")
    return PM_RULES


@admin_only
async def pm_kind_text(update: Update, context: Context) -> int:
    return await _set_kind(update, context, text_of(update))


@admin_only
async def pm_kind_button(update: Update, context: Context) -> int:
    await answer_button(update)
    return await _set_kind(update, context, clicked(update, PromoKindChoice)[1].kind)


@admin_only
async def pm_rules(update: Update, context: Context) -> int:
    lang = context.lang
    draft_of(context, PROMO_DRAFT)["rules"] = clean_field(
        text_of(update), MAX_RULES_LENGTH, lang, t(lang, "cat_field_rules")
    )
    await _ask_time(update, context, "cat_ask_promo_start")
    return PM_START


async def _ask_time(update: Update, context: Context, key: str) -> None:
    """Ask a start or end time, with the usual answers as keyboard buttons (a tap sends the
    label, which the time parser reads like typed text)."""
    services = context.services
    lang = context.lang
    user_data(context)[ASKED] = key
    labels = _START_CHOICES if key == "cat_ask_promo_start" else _END_CHOICES
    keyboard = ReplyKeyboardMarkup(
        [[t(lang, label) for label in labels]], resize_keyboard=True, one_time_keyboard=True
    )
    await reply(update, t(lang, key, tz=services.settings.timezone), reply_markup=keyboard)


@admin_only
async def pm_start(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
    draft_of(context, PROMO_DRAFT)["starts_at"] = parse_promo_time(
        text_of(update), services.now(), services.settings.tz, lang, t(lang, "cat_field_start")
    )
    await _ask_time(update, context, "cat_ask_promo_end")
    return PM_END


@admin_only
async def pm_end(update: Update, context: Context) -> int:
    services = context.services
    lang = context.lang
    draft = draft_of(context, PROMO_DRAFT)
    ends_at = parse_promo_time(
        text_of(update), services.now(), services.settings.tz, lang, t(lang, "cat_field_end")
    )
    check_promo_window(draft["starts_at"], ends_at, services.now(), lang)
    draft["ends_at"] = ends_at
    await ask(update, context, "cat_ask_promo_skus", reply_markup=ReplyKeyboardRemove())
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
    services = context.services
    lang = context.lang
    draft = draft_of(context, PROMO_DRAFT)
    text = text_of(update)
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
    user_data(context)[ASKED] = "cat_ask_preview"
    await show_control(update, context, "promo")
    return PM_PREVIEW


@admin_only
async def pm_target(update: Update, context: Context) -> int:
    await choose_target(update, context, "promo", clicked(update, PromoTarget)[1].index)
    return PM_PREVIEW


@admin_only
async def pm_send(update: Update, context: Context) -> int | None:
    return await send_once(update, context, "promo", _send_promo)


async def _send_promo(update: Update, context: Context) -> int:
    await answer_button(update)
    services = context.services
    lang = context.lang
    draft = draft_of(context, PROMO_DRAFT)
    chat_ids = await chosen_chats(services, draft, lang)
    actor = actor_id(update)
    promo = _promo_draft(draft)
    known = await services.products.existing(promo.skus)
    missing = [sku for sku in promo.skus if sku not in known]
    if missing:
        raise InputError(t(lang, "cat_err_skus_unknown", skus=", ".join(missing)))
    settings = services.settings
    now = services.now()
    quiet_end = quiet_until(now, settings.quiet_windows, settings.tz)
    async with services.audited(actor, "promo") as audit:
        promotion = await services.promotions.add(
            promo.title,
            promo.kind,
            promo.rules,
            promo.starts_at,
            promo.ends_at,
            promo.skus,
            actor,
            now,
        )
        audit.target = str(promotion.id)
        # The automatic "ends soon" reminder (promo_reminder_hours before the end; bot/scheduler).
        await schedule_promo_reminder(services, promotion)
        if quiet_end is None:
            broadcast_id = await send_promotion(services, promotion, chat_ids, actor, lang)
            audit.detail = f"broadcast {broadcast_id}"
        else:
            audit.skip()  # held for the quiet-hours answer, audited with it
            targets = Targets(chat_ids=tuple(chat_ids)).to_dict()
            decision = await hold(
                services,
                "promotion",
                promotion.title,
                {"promo_id": promotion.id, "targets": targets},
                now,
                quiet_end,
                creator_id=actor,
                ref=f"promo:{promotion.id}",
            )
    forget(context)
    if quiet_end is not None:
        question, keyboard = quiet_question(lang, decision, settings.tz)
        query = update.callback_query
        assert query is not None
        await query.edit_message_text(question, reply_markup=inline_markup(keyboard))
        return END
    await close_control(
        update,
        t(lang, "cat_pm_sent", id=promotion.id, count=len(chat_ids), broadcast_id=broadcast_id),
    )
    return END
