"""The seller's broadcast commands: /broadcast (text or photo) with target choice and preview,
/broadcasts, /broadcast_status, /retract and /edit. Sending itself is the outbox's job."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.broadcast.delivery.sending import send_payload
from bot.broadcast.outbox import Broadcast, Payload, inline_markup, layout
from bot.broadcast.report import broadcasts_rows, report_rows, target_label
from bot.broadcast.send_gate import submit_unless_quiet
from bot.common.callbacks import (
    BroadcastDecision,
    BroadcastRetract,
    BroadcastTarget,
    encode,
    matches,
)
from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.services import Services
from bot.texts import Language, t
from handlers.common import (
    Context,
    ListRows,
    Taken,
    actor_id,
    admin_only,
    clicked,
    command_args,
    keyed_list_page_handler,
    list_page_handler,
    remember,
    reply,
    send_keyed_list,
    send_list,
    take_once,
    user_store,
)
from handlers.common.tag_picker import TagPicker, offer_tags, picked, picker_markup

log = logging.getLogger(__name__)

_DRAFTS = "broadcast_drafts"
_MAX_DRAFTS = 10
_RECENT = 500  # /broadcasts lists this many, newest first, paged
_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@\w+)?", re.ASCII)
_EDIT = re.compile(r"^/[A-Za-z0-9_]+(?:@\w+)?\s+\S+[ \t]*\n?", re.ASCII)
_PHOTO_COMMAND = re.compile(r"^/broadcast(?:@\w+)?(?:\s|$)", re.ASCII)


@dataclass
class _Draft:
    payload: Payload
    # The target picker (handlers/common/tag_picker.py): the selection lives here
    # (server-side, under the draft's key), the buttons carry only the key and one choice.
    picker: TagPicker
    chat_ids: list[int] | None = None
    target: str | None = None


def _drafts(context: Context) -> dict[str, _Draft | Taken]:
    return user_store(context, _DRAFTS)


def command_body(html_text: str) -> str:
    """The HTML after the leading ``/command`` (Telegram formatting kept, text escaped)."""
    return _COMMAND.sub("", html_text, count=1).strip()


def parse_broadcast_id(args: list[str], lang: Language, usage: str) -> int:
    if not args:
        raise InputError(t(lang, usage))
    broadcast_id = ascii_int(args[0].lstrip("#"), 1)
    if broadcast_id is None:
        raise InputError(t(lang, "bc_err_id", value=args[0][:40], example=12))
    return broadcast_id


async def _existing(services: Services, broadcast_id: int, lang: Language) -> Broadcast:
    broadcast = await services.outbox.get(broadcast_id)
    if broadcast is None:
        raise InputError(t(lang, "bc_err_unknown", id=broadcast_id))
    return broadcast


def _target_markup(key: str, draft: _Draft, lang: Language) -> InlineKeyboardMarkup:
    return picker_markup(
        draft.picker,
        lang,
        lambda choice: BroadcastTarget(key, choice),
        BroadcastDecision("c", key),
    )


async def _start_draft(update: Update, context: Context, payload: Payload) -> None:
    lang = context.lang
    picker = await offer_tags(context.services)
    if not picker.total:
        raise InputError(t(lang, "bc_err_no_groups"))
    draft = _Draft(payload, picker)
    key = remember(_drafts(context), draft, _MAX_DRAFTS)
    text = t(lang, "bc_choose_target", count=picker.total)
    if picker.tags:
        text += "\n" + t(lang, "reach_tags_hint")
    await reply(update, text, reply_markup=_target_markup(key, draft, lang))


@admin_only
async def broadcast_command(update: Update, context: Context) -> None:
    lang = context.lang
    message = update.effective_message
    assert message is not None
    body = command_body(message.text_html or "")
    if not body:
        raise InputError(t(lang, "bc_usage_broadcast"))
    await _start_draft(update, context, Payload("text", body))


@admin_only
async def broadcast_photo(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.photo
    body = command_body(message.caption_html or "")
    await _start_draft(update, context, Payload("photo", body, (message.photo[-1].file_id,)))


async def _expired(update: Update, lang: Language) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(t(lang, "bc_expired"), show_alert=True)


@admin_only
async def target_chosen(update: Update, context: Context) -> None:
    """All groups, a tag ticked or unticked (the buttons are redrawn), or Done."""
    query, button = clicked(update, BroadcastTarget)
    lang = context.lang
    draft = _drafts(context).get(button.key)
    if not isinstance(draft, _Draft) or draft.chat_ids is not None:
        await _expired(update, lang)
        return
    tags = await picked(
        query,
        draft.picker,
        button.target,
        lang,
        expired=t(lang, "bc_expired"),
        redraw=lambda: _target_markup(button.key, draft, lang),
    )
    if tags is not None:
        await _preview(update, context, button.key, draft, tags)


async def _preview(
    update: Update, context: Context, key: str, draft: _Draft, tags: list[str]
) -> None:
    """The exact preview of the draft for ``tags`` (every active group when empty)."""
    query = update.callback_query
    assert query is not None and query.message is not None
    services = context.services
    lang = context.lang
    groups = await services.groups.with_tags(tags)
    if not groups:
        await query.answer(t(lang, "bc_target_empty", tag="、".join(tags)), show_alert=True)
        return
    await query.answer()
    draft.chat_ids = [group.chat_id for group in groups]
    draft.target = target_label("、".join(tags) if tags else None, len(groups), lang)
    await query.edit_message_text(t(lang, "bc_preview_header"))
    chat_id = query.message.chat.id
    await send_payload(context.bot, chat_id, draft.payload)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "bc_send_button"),
                    callback_data=encode(BroadcastDecision("s", key)),
                ),
                InlineKeyboardButton(
                    t(lang, "cancel"), callback_data=encode(BroadcastDecision("c", key))
                ),
            ]
        ]
    )
    await context.bot.send_message(
        chat_id,
        t(lang, "bc_confirm", target=draft.target),
        reply_markup=markup,
    )


@admin_only
async def send_or_cancel(update: Update, context: Context) -> None:
    query, button = clicked(update, BroadcastDecision)
    services = context.services
    lang = context.lang
    draft = take_once(_drafts(context), button.key)
    if draft is Taken.TAKEN:  # the second press of a double click
        await query.answer(t(lang, "already_done"), show_alert=True)
        return
    if not isinstance(draft, _Draft):
        await _expired(update, lang)
        return
    if button.action == "c" or draft.chat_ids is None:
        await query.answer()
        await query.edit_message_text(t(lang, "bc_cancelled"))
        return
    actor = actor_id(update)
    title = _plain_title(draft.payload.text)
    # The press is answered once the broadcast is committed (and the delivery engine woken):
    # the answer is a round trip to Telegram that the first deliveries need not wait for.
    try:
        async with services.audited(actor, "broadcast", detail=draft.target or "") as audit:
            gate = await submit_unless_quiet(
                services, "text", draft.payload, draft.chat_ids, actor, title=title, lang=lang
            )
            if gate.question is not None:
                audit.skip()  # held for the quiet-hours answer, audited with it
            else:
                audit.target = str(gate.broadcast_id)
    finally:
        await query.answer()
    if gate.question is not None:
        await query.edit_message_text(gate.question, reply_markup=inline_markup(gate.keyboard))
        return
    await query.edit_message_text(
        t(lang, "bc_queued", id=gate.broadcast_id, count=len(draft.chat_ids)),
    )


def _plain_title(text: str, limit: int = 40) -> str:
    """A short plain-text title (first line, tags removed) for the held-send listing."""
    first = html.unescape(re.sub(r"<[^>]+>", "", text)).strip().splitlines()
    title = first[0] if first else ""
    return title if len(title) <= limit else title[: limit - 1] + "…"


@admin_only
async def broadcasts_command(update: Update, context: Context) -> None:
    await send_list(update, context, "broadcasts", await _broadcasts_rows(context))


async def _broadcasts_rows(context: Context) -> ListRows:
    services = context.services
    recent = await services.outbox.recent(_RECENT)
    return broadcasts_rows(recent, context.lang, services.settings.tz)


@admin_only
async def status_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    broadcast_id = parse_broadcast_id(command_args(context), lang, "bc_usage_status")
    broadcast = await _existing(services, broadcast_id, lang)
    rows = report_rows(broadcast, lang, services.settings.tz)
    await send_keyed_list(update, context, "bcreport", broadcast_id, rows)


async def _report_rows(context: Context, broadcast_id: int) -> ListRows | None:
    """The report of a broadcast, for ◀ ▶ under /broadcast_status and under the final report
    its progress message became (None: no such broadcast)."""
    services = context.services
    broadcast = await services.outbox.get(broadcast_id)
    if broadcast is None:
        return None
    return report_rows(broadcast, context.lang, services.settings.tz)


@admin_only
async def retract_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    broadcast_id = parse_broadcast_id(command_args(context), lang, "bc_usage_retract")
    broadcast = await _existing(services, broadcast_id, lang)
    if broadcast.status == "retracted":
        raise InputError(t(lang, "bc_retract_already", id=broadcast_id))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "bc_retract_button"),
                    callback_data=encode(BroadcastRetract(broadcast_id, "y")),
                ),
                InlineKeyboardButton(
                    t(lang, "cancel"), callback_data=encode(BroadcastRetract(broadcast_id, "n"))
                ),
            ]
        ]
    )
    await reply(
        update,
        t(lang, "bc_retract_confirm", id=broadcast_id, count=broadcast.sent),
        reply_markup=markup,
    )


@admin_only
async def retract_clicked(update: Update, context: Context) -> None:
    query, button = clicked(update, BroadcastRetract)
    assert query.message is not None
    services = context.services
    lang = context.lang
    broadcast_id = button.broadcast_id
    if button.confirm != "y":
        await query.answer()
        await query.edit_message_text(t(lang, "bc_retract_cancelled", id=broadcast_id))
        return
    broadcast = await services.outbox.get(broadcast_id)
    if broadcast is None:
        await query.answer(t(lang, "button_expired"))
        return
    if broadcast.status == "retracted":
        await query.answer(t(lang, "bc_retract_already", id=broadcast_id), show_alert=True)
        return
    # The engine retracts in the background (network calls, its own writes): the claim (a
    # guarded update, so a second press finds it taken) and its audit row record the order.
    async with services.audited(actor_id(update), "retract", str(broadcast_id)) as audit:
        claimed = await services.outbox.claim_retraction(broadcast_id)
        if not claimed:
            audit.skip()
    if not claimed:
        await query.answer(t(lang, "bc_retract_already", id=broadcast_id), show_alert=True)
        return
    await query.answer()
    message = query.message
    assert isinstance(message, Message)

    async def retract() -> None:
        deleted, failed = await services.outbox.retract(broadcast_id)
        await message.edit_text(
            t(lang, "bc_retract_done", id=broadcast_id, deleted=deleted, failed=failed),
        )

    # Deleting everywhere runs at the rate limits; do not hold up other updates meanwhile.
    context.application.create_task(retract(), update=update)


@admin_only
async def edit_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    broadcast_id = parse_broadcast_id(args, lang, "bc_usage_edit")
    message = update.effective_message
    assert message is not None
    new_text = _EDIT.sub("", message.text_html or "", count=1).strip()
    if len(args) < 2 or not new_text:
        raise InputError(t(lang, "bc_usage_edit"))
    broadcast = await _existing(services, broadcast_id, lang)
    if broadcast.status == "retracted":
        raise InputError(t(lang, "bc_edit_retracted", id=broadcast_id))
    old = Payload.from_json(broadcast.payload)
    if old.text == new_text:
        raise InputError(t(lang, "bc_edit_nothing", id=broadcast_id))
    try:
        new = old.with_text(new_text)
    except ValueError:
        raise InputError(t(lang, "bc_usage_edit")) from None
    old_parts, new_parts = layout(old), layout(new)
    if len(new_parts) > len(old_parts):
        raise InputError(t(lang, "bc_edit_too_long", id=broadcast_id, parts=len(old_parts)))
    # As for a retraction: the order is recorded, the engine edits in the background.
    await services.audit.add(services.now(), actor_id(update), "edit_broadcast", str(broadcast_id))
    status = await reply(update, t(lang, "bc_edit_started", id=broadcast_id, count=broadcast.sent))

    async def edit() -> None:
        try:
            edited, failed = await services.outbox.edit_everywhere(broadcast_id, text=new_text)
        except ValueError:
            text = t(lang, "bc_edit_too_long", id=broadcast_id, parts=len(old_parts))
        else:
            text = t(lang, "bc_edit_done", id=broadcast_id, edited=edited, failed=failed)
        if status is not None:
            await status.edit_text(text)

    context.application.create_task(edit(), update=update)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("broadcast", broadcast_command))
    application.add_handler(
        MessageHandler(filters.PHOTO & filters.CaptionRegex(_PHOTO_COMMAND), broadcast_photo)
    )
    application.add_handler(CommandHandler("broadcasts", broadcasts_command))
    application.add_handler(CommandHandler("broadcast_status", status_command))
    application.add_handler(list_page_handler("broadcasts", _broadcasts_rows))
    application.add_handler(keyed_list_page_handler("bcreport", _report_rows))
    application.add_handler(CommandHandler("retract", retract_command))
    application.add_handler(CommandHandler("edit", edit_command))
    application.add_handler(CallbackQueryHandler(target_chosen, pattern=matches(BroadcastTarget)))
    application.add_handler(
        CallbackQueryHandler(send_or_cancel, pattern=matches(BroadcastDecision))
    )
    application.add_handler(
        CallbackQueryHandler(retract_clicked, pattern=matches(BroadcastRetract))
    )
