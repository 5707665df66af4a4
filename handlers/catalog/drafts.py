"""What the /newproduct and /promo steps share: the draft in ``user_data``, the question
asked, the preview's control message (targets, Send now, Cancel), and leaving the draft."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler, filters

from bot.catalog.service import TargetOption, target_chat_ids, target_options
from bot.common.callbacks import ProductStep, ProductTarget, PromoStep, PromoTarget, encode
from bot.common.errors import InputError
from bot.services import Services
from bot.texts import Language, t
from handlers.common import Context, admin_only, reply, user_data

END = ConversationHandler.END
PRODUCT_DRAFT = "catalog_product_draft"
PROMO_DRAFT = "catalog_promo_draft"
DraftKind = Literal["product", "promo"]
DRAFT_KEYS: dict[DraftKind, str] = {"product": PRODUCT_DRAFT, "promo": PROMO_DRAFT}
ASKED = "catalog_ask"  # the catalog key of the current question, repeated after a wrong input
TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
_SENDING = "sending"  # in a draft: its Send was pressed and is being carried out


def draft_of(context: Context, key: str) -> dict[str, Any]:
    draft = user_data(context).get(key)
    if draft is None:
        draft = user_data(context)[key] = {}
    assert isinstance(draft, dict)
    return draft


def text_of(update: Update) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    return message.text


def require_private(update: Update, lang: Language) -> None:
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        raise InputError(t(lang, "cat_private_only"))


async def ask(update: Update, context: Context, ask_key: str, **kw: Any) -> None:
    """Ask for the next field and remember the question (to repeat it after a wrong input)."""
    user_data(context)[ASKED] = ask_key
    await reply(update, t(context.lang, ask_key), **kw)


async def answer_button(update: Update) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()


def target_label(option: TargetOption, lang: Language) -> str:
    if option.tag is None:
        return t(lang, "cat_target_all", count=option.count)
    return t(lang, "cat_target_tag", tag=option.tag, count=option.count)


def _control(
    draft: DraftKind, options: list[TargetOption], chosen: int, lang: Language
) -> tuple[str, InlineKeyboardMarkup]:
    """The message under a preview: where it will go, target buttons, Send now and Cancel."""
    target: type[ProductTarget | PromoTarget]
    step: type[ProductStep | PromoStep]
    target, step = (ProductTarget, ProductStep) if draft == "product" else (PromoTarget, PromoStep)
    option = options[chosen]
    text = t(lang, "cat_preview_control", target=target_label(option, lang))
    rows = []
    for index, candidate in enumerate(options):
        mark = "✅ " if index == chosen else ""
        rows.append(
            [
                InlineKeyboardButton(
                    mark + target_label(candidate, lang), callback_data=encode(target(index))
                )
            ]
        )
    if draft == "product":  # a product can also be launched later (bot/catalog/launches.py)
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, "sch_button_schedule"), callback_data=encode(ProductStep("later"))
                ),
                InlineKeyboardButton(
                    t(lang, "sch_button_teaser"), callback_data=encode(ProductStep("teaser"))
                ),
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(t(lang, "cat_button_send"), callback_data=encode(step("send"))),
            InlineKeyboardButton(
                t(lang, "cat_button_cancel"), callback_data=encode(step("cancel"))
            ),
        ]
    )
    return text, InlineKeyboardMarkup(rows)


async def show_control(update: Update, context: Context, kind: DraftKind) -> None:
    services = context.services
    lang = context.lang
    draft = draft_of(context, DRAFT_KEYS[kind])
    options = await target_options(services)
    draft["options"] = [(option.tag, option.count) for option in options]
    draft["target"] = 0
    text, markup = _control(kind, options, 0, lang)
    await reply(update, text, reply_markup=markup)


def options_of(draft: dict[str, Any]) -> list[TargetOption]:
    return [TargetOption(tag, count) for tag, count in draft.get("options", [])]


async def choose_target(update: Update, context: Context, kind: DraftKind, index: int) -> None:
    """The seller picked target option ``index`` (from the button) on the preview."""
    await answer_button(update)
    lang = context.lang
    draft = draft_of(context, DRAFT_KEYS[kind])
    options = options_of(draft)
    if not 0 <= index < len(options):
        raise InputError(t(lang, "cat_draft_expired"))
    draft["target"] = index
    text, markup = _control(kind, options, index, lang)
    query = update.callback_query
    assert query is not None
    await query.edit_message_text(text, reply_markup=markup)


async def chosen_chats(services: Services, draft: dict[str, Any], lang: Language) -> list[int]:
    options = options_of(draft)
    option = options[draft.get("target", 0)]
    chat_ids = await target_chat_ids(services, option.tag)
    if not chat_ids:
        raise InputError(t(lang, "cat_err_no_targets", target=target_label(option, lang)))
    return chat_ids


def claim_send(context: Context, kind: DraftKind) -> str | None:
    """Mark the draft as being sent, before any await: of two Send presses (a double click,
    possibly handled concurrently) only the first goes on. None when this press may send, else
    the catalog key to answer it with. The mark goes with the draft (:func:`forget`), or is
    lifted by :func:`release_send` when the send is refused and the draft stays open."""
    draft = user_data(context).get(DRAFT_KEYS[kind])
    if isinstance(draft, dict) and draft.get(_SENDING):
        return "already_done"
    if not isinstance(draft, dict) or "options" not in draft:
        return "cat_draft_expired"  # sent, cancelled or timed out meanwhile
    draft[_SENDING] = True
    return None


def release_send(context: Context, kind: DraftKind) -> None:
    draft = user_data(context).get(DRAFT_KEYS[kind])
    if isinstance(draft, dict):
        draft.pop(_SENDING, None)


async def send_once(
    update: Update,
    context: Context,
    kind: DraftKind,
    send: Callable[[Update, Context], Awaitable[int]],
) -> int | None:
    """Run a draft's Send: a second press while (or after) the first sends is told it is
    done (:func:`claim_send`) and stays at this step."""
    refusal = claim_send(context, kind)
    if refusal is not None:
        query = update.callback_query
        assert query is not None
        await query.answer(t(context.lang, refusal), show_alert=True)
        return None
    try:
        return await send(update, context)
    finally:
        release_send(context, kind)


async def close_control(update: Update, text: str) -> None:
    query = update.callback_query
    if query is not None:
        await query.edit_message_text(text)
    else:
        await reply(update, text)


@admin_only
async def cancel(update: Update, context: Context) -> int:
    if update.callback_query is not None:
        await answer_button(update)
    forget(context)
    lang = context.lang
    await close_control(update, t(lang, "cat_cancelled"))
    return END


def forget(context: Context) -> None:
    for key in (PRODUCT_DRAFT, PROMO_DRAFT, ASKED):
        user_data(context).pop(key, None)


async def wrong_input(update: Update, context: Context) -> None:
    """A message of the wrong kind for the step (a sticker for a price, text for a photo...)."""
    services = context.services
    lang = context.lang
    ask = user_data(context).get(ASKED, "cat_ask_sku")
    await reply(
        update, t(lang, "cat_wrong_input") + "\n" + t(lang, ask, tz=services.settings.timezone)
    )


async def timed_out(update: Update, context: Context) -> None:
    forget(context)
    chat = update.effective_chat
    if chat is not None:
        lang = context.lang
        await context.bot.send_message(chat.id, t(lang, "cat_timed_out"))


async def stale_button(update: Update, context: Context) -> None:
    """A button of a draft that has ended (sent, cancelled, timed out or from before a restart)."""
    query = update.callback_query
    assert query is not None
    lang = context.lang
    await query.answer(t(lang, "cat_draft_expired"), show_alert=True)
