"""The seller's CRM commands: list, look up, annotate and remove agents."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.agents.crm import (
    MAX_NOTE_LENGTH,
    MAX_REMARK_LENGTH,
    clean_text,
    parse_agent_filter,
    parse_mode,
    parse_tags,
)
from bot.agents.quality_service import quality_section
from bot.agents.removals import remove_confirmed
from bot.agents.service import find_agent
from bot.common.callbacks import (
    MAX_PART,
    AgentRemoval,
    AgentsPage,
    AgentsPart,
    TagPick,
    encode,
    matches,
    parse_as,
)
from bot.common.errors import InputError
from bot.common.pager import paginate
from bot.common.render import agent_card, agents_page, mode_label
from bot.services import Services
from bot.texts import Language, t
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

_QUERIES = "agent_queries"
_REMOVALS = "pending_removals"
_TAG_OFFERS = "tag_offers"
_MAX_OFFERED_TAGS = 20


async def _render_agents(
    services: Services, lang: Language, tokens: list[str], page: int, key: str, part: int = 0
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page ``page`` of the roster (``agents_page_size`` agents); when its rows do not fit one
    message, the pager cuts them into parts and this is part ``part`` (the last if beyond)."""
    query = parse_agent_filter(tokens, services.now(), lang)
    size = services.settings.agents_page_size
    agents, total = await services.agents.search(query, limit=size, offset=page * size)
    header, rows = agents_page(agents, total, page, size, services.settings.tz, lang)

    def footer(number: int, count: int) -> str:
        return t(lang, "agents_part_footer", part=number, parts=count)

    parts = paginate(header, rows, footer, page_size=size)
    part = min(part, len(parts) - 1)
    buttons = []
    previous: AgentsPage | AgentsPart | None = None
    if part > 0:
        previous = AgentsPart(key, page, part - 1)
    elif page > 0:
        previous = AgentsPart(key, page - 1, MAX_PART)
    if previous is not None:
        buttons.append(InlineKeyboardButton(t(lang, "prev"), callback_data=encode(previous)))
    following: AgentsPage | AgentsPart | None = None
    if part + 1 < len(parts):
        following = AgentsPart(key, page, part + 1)
    elif (page + 1) * size < total:
        following = AgentsPage(key, page + 1)
    if following is not None:
        buttons.append(InlineKeyboardButton(t(lang, "next"), callback_data=encode(following)))
    return parts[part], InlineKeyboardMarkup([buttons]) if buttons else None


@admin_only
async def agents_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    tokens = command_args(context)
    parse_agent_filter(tokens, services.now(), lang)  # validate before remembering
    key = remember(user_store(context, _QUERIES), tokens)
    text, markup = await _render_agents(services, lang, tokens, 0, key)
    await reply(update, text, reply_markup=markup)


@admin_only
async def agents_page_clicked(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    button = parse_as(AgentsPage, query.data) or parse_as(AgentsPart, query.data)
    assert button is not None
    part = button.part if isinstance(button, AgentsPart) else 0
    services = context.services
    lang = context.lang
    tokens = user_store(context, _QUERIES).get(button.key)
    if tokens is None:
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    text, markup = await _render_agents(services, lang, tokens, button.page, button.key, part)
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)


def _needs(args: list[str], count: int, lang: Language, usage: str) -> None:
    if len(args) < count:
        raise InputError(t(lang, usage))


@admin_only
async def agent_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) != 1:
        raise InputError(t(lang, "usage_agent"))
    agent = await find_agent(services, args[0], lang)
    memberships = await services.agents.memberships(agent.user_id)
    card = agent_card(agent, memberships, services.settings.tz, lang)
    await reply(update, card + "\n" + await quality_section(services, agent, lang))


@admin_only
async def remark_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    _needs(args, 2, lang, "usage_remark")
    agent = await find_agent(services, args[0], lang)
    remark = clean_text(" ".join(args[1:]), MAX_REMARK_LENGTH, lang, t(lang, "field_remark"))
    async with services.audited(actor_id(update), "remark", str(agent.user_id), remark):
        await services.agents.set_remark(agent.user_id, remark)
    await reply(update, t(lang, "remark_done", user_id=agent.user_id, remark=remark))


async def _change_tags(update: Update, context: Context, *, add: bool) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if add and len(args) == 1:
        await _offer_tags(update, context, args[0])
        return
    _needs(args, 2, lang, "usage_tag" if add else "usage_untag")
    agent = await find_agent(services, args[0], lang)
    tags = parse_tags(args[1:], lang)
    async with services.audited(
        actor_id(update), "tag" if add else "untag", str(agent.user_id), " ".join(tags)
    ):
        if add:
            await services.agents.add_tags(agent.user_id, tags)
        else:
            await services.agents.remove_tags(agent.user_id, tags)
    updated = await services.agents.get(agent.user_id)
    assert updated is not None
    await reply(
        update,
        t(lang, "agent_tags_now", user_id=agent.user_id, tags=", ".join(updated.tags) or "-"),
    )


async def _offer_tags(update: Update, context: Context, token: str) -> None:
    """/tag <agent> alone: the agent tags in use as buttons (the agent's own left out)."""
    services = context.services
    lang = context.lang
    agent = await find_agent(services, token, lang)
    offered = [
        tag
        for tag, _ in await services.reach.agent_tags(_MAX_OFFERED_TAGS + len(agent.tags))
        if tag not in agent.tags
    ][:_MAX_OFFERED_TAGS]
    if not offered:
        raise InputError(t(lang, "usage_tag"))
    key = remember(user_store(context, _TAG_OFFERS), (agent.user_id, offered), 10)
    rows = [
        [InlineKeyboardButton(tag, callback_data=encode(TagPick(key, index)))]
        for index, tag in enumerate(offered)
    ]
    text = t(lang, "reach_tag_offer", name=agent.display_name)
    await reply(update, text, reply_markup=InlineKeyboardMarkup(rows))


@admin_only
async def tag_picked(update: Update, context: Context) -> None:
    """A tag button of /tag <agent>: add it (audited); the button row goes away."""
    query, button = clicked(update, TagPick)
    services = context.services
    lang = context.lang
    offer = user_store(context, _TAG_OFFERS).get(button.key)
    if not isinstance(offer, tuple) or button.index >= len(offer[1]):
        await query.answer(t(lang, "button_expired"), show_alert=True)
        return
    user_id, offered = offer
    tag = offered[button.index]
    async with services.audited(actor_id(update), "tag", str(user_id), tag):
        await services.agents.add_tags(user_id, [tag])
    updated = await services.agents.get(user_id)
    await query.answer(t(lang, "reach_tag_added", tag=tag))
    if updated is not None:
        await reply(
            update, t(lang, "agent_tags_now", user_id=user_id, tags=", ".join(updated.tags))
        )


@admin_only
async def tag_command(update: Update, context: Context) -> None:
    await _change_tags(update, context, add=True)


@admin_only
async def untag_command(update: Update, context: Context) -> None:
    await _change_tags(update, context, add=False)


@admin_only
async def mode_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if len(args) != 2:
        raise InputError(t(lang, "usage_mode"))
    agent = await find_agent(services, args[0], lang)
    mode = parse_mode(args[1], lang)
    async with services.audited(actor_id(update), "mode", str(agent.user_id), mode):
        await services.agents.set_order_mode(agent.user_id, mode)
    await reply(update, t(lang, "mode_done", user_id=agent.user_id, mode=mode_label(mode, lang)))


@admin_only
async def contacted_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    _needs(args, 1, lang, "usage_contacted")
    agent = await find_agent(services, args[0], lang)
    note = (
        clean_text(" ".join(args[1:]), MAX_NOTE_LENGTH, lang, t(lang, "field_note"))
        if len(args) > 1
        else None
    )
    async with services.audited(actor_id(update), "contacted", str(agent.user_id), note or ""):
        await services.agents.set_contacted(agent.user_id, note, services.now())
    await reply(update, t(lang, "contacted_done", user_id=agent.user_id))


@admin_only
async def remove_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    _needs(args, 1, lang, "usage_remove")
    agent = await find_agent(services, args[0], lang)
    if agent.status == "removed":
        raise InputError(t(lang, "remove_already", user_id=agent.user_id))
    reason = (
        clean_text(" ".join(args[1:]), MAX_NOTE_LENGTH, lang, t(lang, "field_reason"))
        if len(args) > 1
        else None
    )
    key = remember(user_store(context, _REMOVALS), (agent.user_id, reason))
    groups = await services.groups.list(active_only=True)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "remove_confirm_button"), callback_data=encode(AgentRemoval(key, "y"))
                ),
                InlineKeyboardButton(
                    t(lang, "cancel"), callback_data=encode(AgentRemoval(key, "n"))
                ),
            ]
        ]
    )
    await reply(
        update,
        t(
            lang,
            "remove_confirm",
            name=agent.display_name,
            user_id=agent.user_id,
            groups=len(groups),
            reason=reason or t(lang, "none"),
        ),
        reply_markup=markup,
    )


@admin_only
async def remove_clicked(update: Update, context: Context) -> None:
    query, button = clicked(update, AgentRemoval)
    services = context.services
    lang = context.lang
    pending = take_once(user_store(context, _REMOVALS), button.key)
    if pending is Taken.TAKEN:  # the second press of a double click
        await query.answer(t(lang, "already_done"), show_alert=True)
        return
    if not isinstance(pending, tuple):
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    await query.answer()
    if button.confirm != "y":
        await query.edit_message_text(t(lang, "remove_cancelled"))
        return
    user_id, reason = pending
    agent = await services.agents.get(user_id)
    if agent is None or agent.status == "removed":
        await query.edit_message_text(t(lang, "remove_already", user_id=user_id))
        return
    await remove_confirmed(
        context.application, query, services, agent, actor_id(update), reason, lang
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("agents", agents_command))
    application.add_handler(CommandHandler("agent", agent_command))
    application.add_handler(CommandHandler("remark", remark_command))
    application.add_handler(CommandHandler("tag", tag_command))
    application.add_handler(CallbackQueryHandler(tag_picked, pattern=matches(TagPick)))
    application.add_handler(CommandHandler("untag", untag_command))
    application.add_handler(CommandHandler("mode", mode_command))
    application.add_handler(CommandHandler("contacted", contacted_command))
    application.add_handler(CommandHandler("remove", remove_command))
    application.add_handler(
        CallbackQueryHandler(agents_page_clicked, pattern=matches(AgentsPage, AgentsPart))
    )
    application.add_handler(CallbackQueryHandler(remove_clicked, pattern=matches(AgentRemoval)))
