"""/mydata and /forgetme: an agent sees and erases what the bot stores about them (private
chats only; bot/agents/privacy.py does the work)."""

from __future__ import annotations

import io

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.agents.privacy import TooSoon, forget_agent, has_data, is_removed, take_export
from bot.common.callbacks import ForgetMe, encode, matches
from bot.common.render import local_time
from bot.texts import t
from handlers.common import Context, Taken, clicked, remember, reply, take_once, user_store

_REQUESTS = "forget_requests"


async def mydata_command(update: Update, context: Context) -> None:
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    services = context.services
    lang = context.lang
    result = await take_export(services, user.id)
    if result is None:
        await reply(update, t(lang, "agentdata_nothing_stored"))
        return
    if isinstance(result, TooSoon):
        at = local_time(result.retry_at, services.settings.tz, lang)
        await reply(update, t(lang, "agentdata_mydata_wait", at=at))
        return
    await message.reply_document(
        InputFile(io.BytesIO(result.data), filename=f"mydata-{user.id}.json"),
        caption=t(lang, "agentdata_mydata_caption", sections=result.sections, rows=result.records),
    )


async def forgetme_command(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:
        return
    services = context.services
    lang = context.lang
    if not await has_data(services, user.id):
        await reply(update, t(lang, "agentdata_nothing_stored"))
        return
    key = remember(user_store(context, _REQUESTS), user.id, limit=5)
    kept = t(lang, "agentdata_forget_kept") if await is_removed(services, user.id) else ""
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "agentdata_forget_yes"), callback_data=encode(ForgetMe(key, "y"))
                ),
                InlineKeyboardButton(
                    t(lang, "agentdata_forget_no"), callback_data=encode(ForgetMe(key, "n"))
                ),
            ]
        ]
    )
    await reply(update, t(lang, "agentdata_forget_ask", kept=kept), reply_markup=markup)


async def forget_clicked(update: Update, context: Context) -> None:
    """The confirmation: acts once (the key is taken by the first press), and only for the
    user who asked (the request lives in their own user_data)."""
    query, button = clicked(update, ForgetMe)
    lang = context.lang
    user_id = take_once(user_store(context, _REQUESTS), button.key)
    if user_id is Taken.TAKEN:
        await query.answer(t(lang, "agentdata_forget_already"), show_alert=True)
        return
    if user_id is None or query.from_user.id != user_id:
        await query.answer(t(lang, "button_expired"), show_alert=True)
        return
    await query.answer()
    if button.confirm == "n":
        await query.edit_message_text(t(lang, "agentdata_forget_cancelled"))
        return
    outcome = await forget_agent(context.services, user_id)
    text = "agentdata_forget_done" if outcome is not None else "agentdata_nothing_stored"
    await query.edit_message_text(t(lang, text))


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("mydata", mydata_command, filters=private))
    application.add_handler(CommandHandler("forgetme", forgetme_command, filters=private))
    application.add_handler(CallbackQueryHandler(forget_clicked, pattern=matches(ForgetMe)))
