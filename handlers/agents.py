"""The seller's CRM commands: list, look up, annotate and remove agents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.agents.contact_log import contact_lines
from bot.agents.crm import (
    MAX_NOTE_LENGTH,
    MAX_REMARK_LENGTH,
    clean_text,
    parse_agent_filter,
    parse_mode,
    parse_tags,
)
from bot.agents.quality_service import agent_is_newcomer, quality_section
from bot.agents.removals import removal_report_rows, remove_confirmed
from bot.agents.service import resolve_agent
from bot.catalog.samples import card_section as sample_card_section
from bot.common.callbacks import (
    MAX_PAGE,
    MAX_PART,
    AgentCardOpen,
    AgentChoice,
    AgentRemoval,
    AgentsCursor,
    TagPick,
    encode,
    matches,
)
from bot.common.errors import InputError
from bot.common.paged import ListRows
from bot.common.pager import paginate
from bot.common.render import agent_card, agents_page, mode_label
from bot.common.typed import split_list
from bot.services import Services
from bot.texts import Language, t
from handlers.common import (
    AGENT_CHOICES,
    AGENT_COMMANDS,
    Context,
    Taken,
    actor_id,
    admin_only,
    clicked,
    command_args,
    keyed_list_page_handler,
    offers_agent_choice,
    remember,
    reply,
    take_once,
    user_store,
    validated,
)
from storage.agents import Direction, RosterKey
from storage.models import Agent, AgentFilter

_QUERIES = "agent_queries"
# The card shows this many of the latest contacts.
CARD_CONTACTS = 3
_REMOVALS = "pending_removals"
_TAG_OFFERS = "tag_offers"
_MAX_OFFERED_TAGS = 20


@dataclass(frozen=True, slots=True)
class _Roster:
    """A remembered /agents query: its tokens and its count (counted once, at the command)."""

    tokens: list[str]
    total: int


async def _render_agents(
    services: Services,
    lang: Language,
    key: str,
    roster: _Roster,
    at: AgentsCursor | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The page of the roster ``at`` names (the first without it), ``agents_page_size`` agents
    found by keyset; when its rows do not fit one message the pager cuts them into parts and
    this is part ``at.part`` (the last if beyond)."""
    query = parse_agent_filter(
        roster.tokens, services.now(), lang, newcomer_days=services.settings.quality.newcomer_days
    )
    size = services.settings.agents_page_size
    pages = max((roster.total + size - 1) // size, 1)
    agents, page, part, has_previous, has_next = await _rows(services, query, size, at)
    page = min(page, pages - 1)
    newcomers = frozenset(a.user_id for a in agents if agent_is_newcomer(services, a))
    header, rows = agents_page(
        agents, roster.total, page, size, services.settings.tz, lang, newcomers
    )

    def footer(number: int, count: int) -> str:
        return t(lang, "agents_part_footer", part=number, parts=count)

    parts = paginate(header, rows, footer, page_size=size)
    part = min(part, len(parts) - 1)
    if not agents:
        return parts[part], None
    first, last = RosterKey.of(agents[0]), RosterKey.of(agents[-1])

    def cursor(direction: Literal["a", "i", "b"], to: int, to_part: int, row: RosterKey) -> str:
        target = min(max(to, 0), MAX_PAGE)
        return encode(AgentsCursor(key, direction, target, to_part, row.activity, row.user_id))

    buttons = []
    if part > 0:
        data = cursor("i", page, part - 1, first)
        buttons.append(InlineKeyboardButton(t(lang, "prev"), callback_data=data))
    elif has_previous:
        data = cursor("b", page - 1, MAX_PART, first)
        buttons.append(InlineKeyboardButton(t(lang, "prev"), callback_data=data))
    if part + 1 < len(parts):
        data = cursor("i", page, part + 1, first)
        buttons.append(InlineKeyboardButton(t(lang, "next"), callback_data=data))
    elif has_next:
        data = cursor("a", page + 1, 0, last)
        buttons.append(InlineKeyboardButton(t(lang, "next"), callback_data=data))
    return parts[part], InlineKeyboardMarkup([buttons]) if buttons else None


async def _rows(
    services: Services, query: AgentFilter, size: int, at: AgentsCursor | None
) -> tuple[list[Agent], int, int, bool, bool]:
    """The agents of the page ``at`` names, its number and part, and whether pages come
    before and after it (one row more than a page is read to tell). A page before the first
    one, or a cursor with nothing from it on (forged, or the list shrank), gives the first."""
    repository = services.agents
    if at is not None and at.direction == "b":
        key = RosterKey(at.activity, at.user_id)
        agents = await repository.page(query, limit=size + 1, cursor=key, direction="before")
        if len(agents) > size:
            return agents[1:], at.page, at.part, True, True
    elif at is not None:
        key = RosterKey(at.activity, at.user_id)
        direction: Direction = "after" if at.direction == "a" else "at"
        agents = await repository.page(query, limit=size + 1, cursor=key, direction=direction)
        if agents:
            return agents[:size], at.page, at.part, at.page > 0, len(agents) > size
    agents = await repository.page(query, limit=size + 1)
    part = at.part if at is not None and at.direction == "b" else 0
    return agents[:size], 0, part, False, len(agents) > size


@admin_only
async def agents_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    tokens = command_args(context)
    query = parse_agent_filter(tokens, services.now(), lang)  # validate before remembering
    roster = _Roster(tokens, await services.agents.count(query))
    key = remember(user_store(context, _QUERIES), roster)
    text, markup = await _render_agents(services, lang, key, roster)
    await reply(update, text, reply_markup=markup)


@admin_only
async def agents_page_clicked(update: Update, context: Context) -> None:
    query, button = clicked(update, AgentsCursor)
    services = context.services
    lang = context.lang
    roster = user_store(context, _QUERIES).get(button.key)
    if not isinstance(roster, _Roster):
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    text, markup = await _render_agents(services, lang, button.key, roster, button)
    await query.answer()
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:  # the same page pressed again: nothing to change
        if "not modified" not in str(error).lower():
            raise


def _needs(args: list[str], count: int, lang: Language, usage: str) -> None:
    if len(args) < count:
        raise InputError(t(lang, usage))


@admin_only
@offers_agent_choice("agent")
async def agent_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    if not args:
        raise InputError(t(lang, "usage_agent"))
    agent, _rest = await resolve_agent(services, args, lang, whole=True)
    await reply(update, await _card(services, agent, lang))


async def _card(services: Services, agent: Agent, lang: Language) -> str:
    """The agent's card: record, last contacts, profile and quality."""
    memberships = await services.agents.memberships(agent.user_id)
    card = agent_card(agent, memberships, services.settings.tz, lang)
    contacts = await services.contacts.recent(agent.user_id, CARD_CONTACTS)
    if contacts:
        card += "\n" + contact_lines(contacts, services.settings.tz, lang)
    card += "\n" + await quality_section(services, agent, lang)
    samples = await sample_card_section(services, agent.user_id, lang)
    return card + ("\n" + samples if samples else "")


@admin_only
async def card_clicked(update: Update, context: Context) -> None:
    """A row's card button on the follow-up list: the agent's card, as /agent shows it."""
    query, button = clicked(update, AgentCardOpen)
    services = context.services
    agent = await services.agents.get(button.user_id)
    if agent is None:
        await query.answer(t(context.lang, "list_expired"), show_alert=True)
        return
    await query.answer()
    await reply(update, await _card(services, agent, context.lang))


@admin_only
async def agent_chosen(update: Update, context: Context) -> None:
    """A button under an ambiguous name: run its command for the chosen agent, once."""
    query, button = clicked(update, AgentChoice)
    lang = context.lang
    rest = take_once(user_store(context, AGENT_CHOICES), button.key)
    if rest is Taken.TAKEN:
        await query.answer(t(lang, "already_done"), show_alert=True)
        return
    if not isinstance(rest, list) or button.command not in AGENT_COMMANDS:
        await query.answer(t(lang, "list_expired"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    context.args = [str(button.user_id), *rest]
    await validated(AGENT_COMMANDS[button.command])(update, context)


@admin_only
@offers_agent_choice("remark")
async def remark_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    _needs(args, 2, lang, "usage_remark")
    agent, rest = await resolve_agent(services, args, lang)
    _needs(rest, 1, lang, "usage_remark")
    remark = clean_text(" ".join(rest), MAX_REMARK_LENGTH, lang, t(lang, "field_remark"))
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
    usage = "usage_tag" if add else "usage_untag"
    _needs(args, 2, lang, usage)
    agent, rest = await resolve_agent(services, args, lang)
    _needs(rest, 1, lang, usage)
    tags = parse_tags(split_list(rest), lang)
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
    agent, _rest = await resolve_agent(services, [token], lang, whole=True)
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
@offers_agent_choice("tag")
async def tag_command(update: Update, context: Context) -> None:
    await _change_tags(update, context, add=True)


@admin_only
@offers_agent_choice("untag")
async def untag_command(update: Update, context: Context) -> None:
    await _change_tags(update, context, add=False)


@admin_only
@offers_agent_choice("mode")
async def mode_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    _needs(args, 2, lang, "usage_mode")
    agent, rest = await resolve_agent(services, args, lang)
    if len(rest) != 1:
        raise InputError(t(lang, "usage_mode"))
    mode = parse_mode(rest[0], lang)
    async with services.audited(actor_id(update), "mode", str(agent.user_id), mode):
        await services.agents.set_order_mode(agent.user_id, mode)
    await reply(update, t(lang, "mode_done", user_id=agent.user_id, mode=mode_label(mode, lang)))


@admin_only
@offers_agent_choice("contacted")
async def contacted_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    _needs(args, 1, lang, "usage_contacted")
    agent, rest = await resolve_agent(services, args, lang)
    note = (
        clean_text(" ".join(rest), MAX_NOTE_LENGTH, lang, t(lang, "field_note")) if rest else None
    )
    actor = actor_id(update)
    async with services.audited(actor, "contacted", str(agent.user_id), note or ""):
        await services.contacts.add(agent.user_id, services.now(), note, actor)
    await reply(
        update, t(lang, "seller_contacted_done", name=agent.display_name, user_id=agent.user_id)
    )


@admin_only
@offers_agent_choice("remove")
async def remove_command(update: Update, context: Context) -> None:
    services = context.services
    lang = context.lang
    args = command_args(context)
    _needs(args, 1, lang, "usage_remove")
    agent, rest = await resolve_agent(services, args, lang)
    if agent.status == "removed":
        raise InputError(t(lang, "remove_already", user_id=agent.user_id))
    reason = (
        clean_text(" ".join(rest), MAX_NOTE_LENGTH, lang, t(lang, "field_reason")) if rest else None
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


async def _removal_report(context: Context, job_id: int) -> ListRows | None:
    """◀ ▶ under the report a removal's progress message became (None: no such job)."""
    return await removal_report_rows(context.services, job_id)


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
        CallbackQueryHandler(agents_page_clicked, pattern=matches(AgentsCursor))
    )
    application.add_handler(CallbackQueryHandler(remove_clicked, pattern=matches(AgentRemoval)))
    application.add_handler(keyed_list_page_handler("rmreport", _removal_report))
    application.add_handler(CallbackQueryHandler(agent_chosen, pattern=matches(AgentChoice)))
    application.add_handler(CallbackQueryHandler(card_clicked, pattern=matches(AgentCardOpen)))
