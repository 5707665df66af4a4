"""/dm: a private message (text or photo) to a segment of agents, previewed exactly as they
get it, with Send / Cancel; sent through the outbox like every send to many chats. /mute and
/unmute keep one agent out of promotional private sends."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.agents.segments import Reach, Target, normalise, parse_target, resolve
from bot.agents.service import find_agent
from bot.broadcast.delivery.sending import send_payload
from bot.broadcast.outbox import Payload, inline_markup
from bot.broadcast.send_gate import submit_unless_quiet
from bot.common.callbacks import DmDecision, encode, matches
from bot.common.errors import InputError
from bot.common.render import agent_name
from bot.texts import Html, Language, t
from handlers.common import (
    Context,
    Taken,
    actor_id,
    admin_only,
    clicked,
    command_args,
    remember,
    reply,
    take_once,
    user_store,
)
from storage.reach import Recipient

_DRAFTS = "dm_drafts"
_MAX_DRAFTS = 10
_LISTED_NAMES = 20
_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@\w+)?[ \t]*", re.ASCII)
_FIRST_TOKEN = re.compile(r"^\S+[ \t]*\n?")
_PHOTO_COMMAND = re.compile(r"^/dm(?:@\w+)?(?:\s|$)", re.ASCII)


@dataclass
class _Draft:
    payload: Payload
    target: str
    chat_ids: list[int]
    unreachable: list[tuple[int, str]]  # (user id, reason) for the report


def split_command(plain: str, html_text: str) -> tuple[str, str]:
    """(target, HTML text) of ``/dm <target> <text>``: the target is the first word, or the
    whole first line when it names agents and the text starts on the next line (so a list
    may be separated by spaces). Formatting of the text is kept."""
    plain = _COMMAND.sub("", plain, count=1)
    body = _COMMAND.sub("", html_text, count=1)
    first_line, newline, _ = plain.partition("\n")
    words = first_line.split()
    if not words:
        return "", ""
    if newline and ":" not in normalise(words[0]):
        return first_line.strip(), body.partition("\n")[2].strip()
    return words[0], _FIRST_TOKEN.sub("", body.lstrip(), count=1).strip()


def _names(recipients: list[Recipient]) -> str:
    names = [recipient.name for recipient in recipients[:_LISTED_NAMES]]
    more = "…" if len(recipients) > _LISTED_NAMES else ""
    return "、".join(names) + more


def _reason(recipient: Recipient, lang: Language) -> str:
    """Plain text (the report escapes it): who and why a private message cannot reach them."""
    key = "reach_reason_blocked" if recipient.blocked else "reach_reason_never_started"
    return t(lang, key, name=Html(recipient.name))


async def _preview(update: Update, context: Context, target_text: str, payload: Payload) -> None:
    services = context.services
    lang = context.lang
    target: Target = parse_target(target_text, services.now(), lang)
    reach: Reach = await resolve(services, target, lang, promotional=True)
    unreachable = reach.unreachable
    if not reach.reachable:
        raise InputError(
            t(
                lang,
                "reach_err_nobody",
                target=target.text,
                total=len(reach.reachable) + len(unreachable) + len(reach.muted),
                unreachable=len(unreachable),
                muted=len(reach.muted),
            )
        )
    draft = _Draft(
        payload,
        target.text,
        [recipient.user_id for recipient in reach.reachable],
        [(recipient.user_id, _reason(recipient, lang)) for recipient in unreachable],
    )
    key = remember(user_store(context, _DRAFTS), draft, _MAX_DRAFTS)
    message = update.effective_message
    assert message is not None
    await reply(update, t(lang, "reach_preview_header"))
    await send_payload(context.bot, message.chat.id, payload)
    lines = [
        t(
            lang,
            "reach_confirm",
            target=target.text,
            reachable=len(reach.reachable),
            unreachable=len(unreachable),
            never=len(reach.never_started),
            blocked=len(reach.blocked),
            muted=len(reach.muted),
        )
    ]
    if unreachable:
        lines.append(t(lang, "reach_confirm_names", names=_names(unreachable)))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "reach_send_button"), callback_data=encode(DmDecision("s", key))
                ),
                InlineKeyboardButton(t(lang, "cancel"), callback_data=encode(DmDecision("c", key))),
            ]
        ]
    )
    await reply(update, "\n".join(lines), reply_markup=markup)


@admin_only
async def dm_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    target, body = split_command(message.text or "", message.text_html or "")
    if not target or not body:
        raise InputError(t(context.lang, "reach_usage_dm"))
    await _preview(update, context, target, Payload("text", body))


@admin_only
async def dm_photo(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.photo
    target, body = split_command(message.caption or "", message.caption_html or "")
    if not target:
        raise InputError(t(context.lang, "reach_usage_dm"))
    await _preview(update, context, target, Payload("photo", body, (message.photo[-1].file_id,)))


@admin_only
async def dm_decision(update: Update, context: Context) -> None:
    query, button = clicked(update, DmDecision)
    services = context.services
    lang = context.lang
    draft = take_once(user_store(context, _DRAFTS), button.key)
    if draft is Taken.TAKEN:
        await query.answer(t(lang, "already_done"), show_alert=True)
        return
    if not isinstance(draft, _Draft):
        await query.answer(t(lang, "bc_expired"), show_alert=True)
        return
    await query.answer()
    if button.action == "c":
        await query.edit_message_text(t(lang, "bc_cancelled"))
        return
    detail = f"{draft.target} → {len(draft.chat_ids)}"
    async with services.audited(actor_id(update), "dm", detail=detail) as audit:
        gate = await submit_unless_quiet(
            services,
            "dm",
            draft.payload,
            draft.chat_ids,
            actor_id(update),
            title=detail,
            lang=lang,
            unreachable=draft.unreachable,
        )
        if gate.broadcast_id is None:
            audit.skip()  # held for the quiet-hours answer, audited with it
        else:
            audit.target = str(gate.broadcast_id)
    if gate.question is not None:
        await query.edit_message_text(gate.question, reply_markup=inline_markup(gate.keyboard))
        return
    await query.edit_message_text(
        t(lang, "reach_queued", id=gate.broadcast_id, count=len(draft.chat_ids))
    )


async def _set_muted(update: Update, context: Context, *, mute: bool) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) != 1:
        raise InputError(t(lang, "reach_usage_mute" if mute else "reach_usage_unmute"))
    agent = await find_agent(services, args[0], lang)
    action = "mute" if mute else "unmute"
    async with services.audited(actor_id(update), action, str(agent.user_id)) as audit:
        changed = await services.reach.set_muted(agent.user_id, services.now() if mute else None)
        if not changed:
            audit.skip()
    if changed:
        key = "reach_muted" if mute else "reach_unmuted"
    else:
        key = "reach_already_muted" if mute else "reach_not_muted"
    await reply(update, t(lang, key, name=agent_name(agent)))


@admin_only
async def mute_command(update: Update, context: Context) -> None:
    await _set_muted(update, context, mute=True)


@admin_only
async def unmute_command(update: Update, context: Context) -> None:
    await _set_muted(update, context, mute=False)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("dm", dm_command))
    application.add_handler(
        MessageHandler(filters.PHOTO & filters.CaptionRegex(_PHOTO_COMMAND), dm_photo)
    )
    application.add_handler(CallbackQueryHandler(dm_decision, pattern=matches(DmDecision)))
    application.add_handler(CommandHandler("mute", mute_command))
    application.add_handler(CommandHandler("unmute", unmute_command))
