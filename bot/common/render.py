"""Pure rendering of cards and lists into HTML message text (unit-tested without Telegram)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.texts import Html, Language, escape, t
from storage.models import Agent, Group, Membership, OrderMode

MODE_LABELS: dict[Language, dict[OrderMode, str]] = {
    "zh": {"dropship": "一件代发", "wholesale": "批发", "custom": "定制"},
    "en": {"dropship": "dropship", "wholesale": "wholesale", "custom": "custom"},
}


def local_time(timestamp: int | None, tz: ZoneInfo, lang: Language) -> str:
    if timestamp is None:
        return t(lang, "never")
    return datetime.fromtimestamp(timestamp, tz).strftime("%Y-%m-%d %H:%M")


def mode_label(mode: OrderMode | None, lang: Language) -> str:
    return MODE_LABELS[lang][mode] if mode else t(lang, "unset")


def tag_list(tags: tuple[str, ...], lang: Language) -> Html:
    if not tags:
        return Html(t(lang, "none"))
    return Html(", ".join(escape(tag) for tag in tags))


def agent_name(agent: Agent) -> Html:
    name = escape(agent.display_name)
    if agent.username:
        return Html(f"{name} (@{escape(agent.username)})")
    return name


def agent_card(agent: Agent, memberships: list[Membership], tz: ZoneInfo, lang: Language) -> str:
    groups = [m for m in memberships if m.status == "member"]
    group_text = (
        Html(", ".join(escape(m.group_title) for m in groups)) if groups else Html(t(lang, "none"))
    )
    lines = [
        t(lang, "card_title", name=agent_name(agent), user_id=agent.user_id),
        t(lang, "card_remark", remark=agent.remark or t(lang, "unset")),
        t(lang, "card_tags", tags=tag_list(agent.tags, lang)),
        t(lang, "card_mode", mode=mode_label(agent.order_mode, lang)),
        t(lang, "card_groups", groups=group_text),
        t(lang, "card_joined", at=local_time(agent.joined_at, tz, lang)),
        t(lang, "card_last_seen", at=local_time(agent.last_seen_at, tz, lang)),
        t(lang, "card_last_contact", at=local_time(agent.last_contact_at, tz, lang)),
    ]
    if agent.last_contact_note:
        lines.append(t(lang, "card_contact_note", note=agent.last_contact_note))
    if agent.muted:
        lines.append(t(lang, "reach_card_muted"))
    if agent.status == "removed":
        lines.append(t(lang, "card_removed", reason=agent.removed_reason or t(lang, "none")))
    return "\n".join(lines)


def agents_page(
    agents: list[Agent],
    total: int,
    page: int,
    page_size: int,
    tz: ZoneInfo,
    lang: Language,
    newcomers: frozenset[int] = frozenset(),
) -> tuple[str, list[str]]:
    """The header and one row per agent of one page of ``/agents``, for the pager; the
    ``newcomers`` (user ids) are marked 待完善."""
    if total == 0:
        return t(lang, "agents_empty"), []
    pages = (total + page_size - 1) // page_size
    header = t(lang, "agents_header", total=total, page=page + 1, pages=pages)
    lines: list[str] = []
    for index, agent in enumerate(agents, start=page * page_size + 1):
        row = t(
            lang,
            "agents_row",
            index=index,
            name=agent_name(agent),
            user_id=agent.user_id,
            mode=mode_label(agent.order_mode, lang),
            tags=tag_list(agent.tags, lang),
            seen=local_time(agent.last_seen_at, tz, lang),
        )
        if agent.user_id in newcomers:
            row = t(lang, "agentdata_row_newcomer", row=Html(row))
        lines.append(row)
    return header, lines


def group_status(group: Group, lang: Language) -> str:
    if group.pending:
        return t(lang, "group_pending")
    return t(lang, "group_active") if group.active else t(lang, "group_inactive")


def groups_list(groups: list[Group], lang: Language) -> tuple[str, list[str]]:
    """The header (count and totals) and one row per group, for the pager."""
    if not groups:
        return t(lang, "groups_empty"), []
    active = sum(group.active for group in groups)
    pending = sum(group.pending for group in groups)
    header = "\n".join(
        [
            t(lang, "groups_header", count=len(groups)),
            t(
                lang,
                "groups_totals",
                active=active,
                pending=pending,
                inactive=len(groups) - active - pending,
            ),
        ]
    )
    rows = [
        t(
            lang,
            "groups_row",
            title=group.title,
            chat_id=group.chat_id,
            members=group.member_count,
            tags=tag_list(group.tags, lang),
            status=group_status(group, lang),
        )
        for group in groups
    ]
    return header, rows
