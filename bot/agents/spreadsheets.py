"""Spreadsheets in and out: /export (every agent as XLSX), /import_agents (the same columns
back) and /import_orders (purchase activity). Imports are all-or-nothing: every row is
validated first and any error leaves the database untouched."""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.agents.buyer_ids import (
    BuyerIdClaims,
    OrderAgent,
    chunk_holder_keys,
    order_agent_id,
    parse_order_agent,
)
from bot.agents.crm import MAX_REMARK_LENGTH, clean_text, parse_mode, parse_tags
from bot.agents.profiles import (
    operating_label,
    parse_badge,
    parse_buyer_id,
    parse_dsr,
    parse_operating,
    parse_region,
    parse_store_name,
    parse_url,
)
from bot.agents.quality import DAY, parse_period, period_end
from bot.agents.sheets import SheetRow
from bot.agents.terms import (
    newcomer_label,
    parse_category,
    parse_platform,
    platform_label,
    tier_label,
)
from bot.common.errors import InputError
from bot.common.numbers import ascii_int
from bot.common.render import local_time, mode_label
from bot.common.typed import normalise_arg
from bot.services import Services
from bot.texts import CATALOGS, Language, t
from storage.exports import ExportRecord, ExportRepository
from storage.imports import AgentRowsStaging, OrderRowsStaging
from storage.models import Agent
from storage.profiles import (
    PROFILE_FIELDS,
    AgentRowUpdate,
    BuyerIdTaken,
    OrderRecord,
    StoreProfile,
)

EXPORT_COLUMNS: tuple[str, ...] = (
    "user_id",
    "username",
    "name",
    "remark",
    "tags",
    "mode",
    "region",
    "buyer_id",
    "groups",
    "joined",
    "last_seen",
    "last_contact",
    "status",
    *PROFILE_FIELDS,
    "score",
    "tier",
    "orders",
    "amount",
)
ORDER_COLUMNS: tuple[str, ...] = ("agent", "orders", "amount", "period")
# Headers of the agent column in 1688's own exports (the buyer is its member name / 旺旺).
ORDER_AGENT_HEADERS = ("买家会员名", "买家旺旺", "旺旺号", "buyer_id", "buyer")
# Buyer ids looked up per query when an import checks them against the other agents.
_LOOKUP_CHUNK = 1000
MAX_ORDERS = 10_000_000
MAX_AMOUNT = Decimal("1000000000")
_AMOUNT = re.compile(r"^[0-9]+(?:\.[0-9]{1,2})?$")
_DSR_KEYS = {
    "dsr_description": "pf_field_dsr_description",
    "dsr_service": "pf_field_dsr_service",
    "dsr_logistics": "pf_field_dsr_logistics",
}


def header_names(prefix: str, keys: Sequence[str]) -> dict[str, str]:
    """Accepted headers (casefolded) → column key: the key itself and its zh and en titles."""
    names: dict[str, str] = {}
    for key in keys:
        names[key.casefold()] = key
        for catalog in CATALOGS.values():
            names[catalog[f"{prefix}{key}"].casefold()] = key
    return names


def order_headers() -> dict[str, str]:
    """The accepted headers of an /import_orders sheet (see :func:`header_names`)."""
    names = header_names("io_ocol_", ORDER_COLUMNS)
    names.update({header.casefold(): "agent" for header in ORDER_AGENT_HEADERS})
    return names


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    changed: int = 0
    unchanged: int = 0
    # Agents whose score inputs the import changed: recompute them after the reply.
    rescore: list[int] = field(default_factory=list)

    def error_rows(self, lang: Language) -> tuple[str, list[str]]:
        """The refused import as a paged list: what happened, then every bad row."""
        rows = [t(lang, "io_error_row", line=line, error=message) for line, message in self.errors]
        return t(lang, "io_errors_header", count=len(self.errors)), rows


# ---------------------------------------------------------------------- export


def _number(value: float | None) -> float | str:
    return "" if value is None else value


def export_header(lang: Language) -> list[str]:
    return [t(lang, f"io_col_{key}") for key in EXPORT_COLUMNS]


def export_row(
    record: ExportRecord, lang: Language, tz: ZoneInfo, newcomers_after: int | None = None
) -> list[object]:
    """One agent as a row under :func:`export_header` (pure: run it off the event loop); an
    agent with no profile who joined after ``newcomers_after`` is shown 待完善, not in a tier."""
    agent = record.agent
    newcomer = (
        newcomers_after is not None
        and agent.profile_at is None
        and agent.joined_at > newcomers_after
    )
    profile = record.profile or StoreProfile()
    return [
        agent.user_id,
        agent.username or "",
        " ".join(filter(None, (agent.first_name, agent.last_name))),
        agent.remark or "",
        " ".join(agent.tags),
        mode_label(agent.order_mode, lang) if agent.order_mode else "",
        agent.region or "",
        agent.buyer_id or "",
        ", ".join(record.group_titles),
        local_time(agent.joined_at, tz, lang),
        local_time(agent.last_seen_at, tz, lang) if agent.last_seen_at else "",
        local_time(agent.last_contact_at, tz, lang) if agent.last_contact_at else "",
        t(lang, f"io_status_{agent.status}"),
        platform_label(profile.platform, lang) if profile.platform else "",
        profile.store_name or "",
        profile.store_url or "",
        profile.category or "",
        profile.badge or "",
        _number(profile.dsr_description),
        _number(profile.dsr_service),
        _number(profile.dsr_logistics),
        operating_label(profile.operating_status, lang) if profile.operating_status else "",
        record.score if record.score is not None else "",
        newcomer_label(lang) if newcomer else tier_label(record.tier, lang) if record.tier else "",
        record.orders,
        record.amount_cents / 100,
    ]


# ---------------------------------------------------------------------- agents import


def _profile_from(row: dict[str, str], current: StoreProfile, lang: Language) -> StoreProfile:
    """The profile a row describes: the current one with every present column replaced
    (an empty cell clears the field)."""
    values = {name: getattr(current, name) for name in PROFILE_FIELDS}
    if "platform" in row:
        values["platform"] = parse_platform(row["platform"], lang) if row["platform"] else None
    if "store_name" in row:
        values["store_name"] = (
            parse_store_name(row["store_name"], lang) if row["store_name"] else None
        )
    if "store_url" in row:
        values["store_url"] = parse_url(row["store_url"], lang) if row["store_url"] else None
    if "category" in row:
        values["category"] = parse_category(row["category"], lang) if row["category"] else None
    if "badge" in row:
        if row["badge"] and values["platform"] is None:
            raise InputError(t(lang, "io_err_badge_platform"))
        values["badge"] = (
            parse_badge(values["platform"], row["badge"], lang) if row["badge"] else None
        )
    for key, label in _DSR_KEYS.items():
        if key in row:
            values[key] = parse_dsr(row[key], lang, t(lang, label)) if row[key] else None
    if "operating_status" in row:
        text = row["operating_status"]
        values["operating_status"] = parse_operating(text, lang) if text else None
    return StoreProfile(**values)


def agent_update(
    row: dict[str, str], agent: Agent, current: StoreProfile | None, lang: Language
) -> AgentRowUpdate:
    """What a row sets for ``agent`` (columns missing from the sheet keep their value)."""
    remark = agent.remark
    if "remark" in row:
        remark = (
            clean_text(row["remark"], MAX_REMARK_LENGTH, lang, t(lang, "field_remark"))
            if row["remark"]
            else None
        )
    tags = agent.tags
    if "tags" in row:
        tokens = re.split(r"[\s,，;；]+", row["tags"].strip())
        tags = tuple(parse_tags(tokens, lang)) if row["tags"].strip() else ()
    mode = agent.order_mode
    if "mode" in row:
        mode = parse_mode(row["mode"], lang) if row["mode"] else None
    region = agent.region
    if "region" in row:
        region = parse_region(row["region"], lang) if row["region"] else None
    buyer_id = agent.buyer_id
    if "buyer_id" in row:
        buyer_id = parse_buyer_id(row["buyer_id"], lang) if row["buyer_id"] else None
    profile: StoreProfile | None = None
    if any(name in row for name in PROFILE_FIELDS):
        candidate = _profile_from(row, current or StoreProfile(), lang)
        if current is not None or not candidate.empty:
            profile = candidate
    return AgentRowUpdate(
        agent.user_id, remark, tuple(sorted(tags)), mode, profile, region, buyer_id
    )


def _same(update: AgentRowUpdate, agent: Agent, current: StoreProfile | None) -> bool:
    return (
        update.remark == agent.remark
        and update.tags == tuple(sorted(agent.tags))
        and update.order_mode == agent.order_mode
        and update.region == agent.region
        and update.buyer_id == agent.buyer_id
        and (update.profile is None or update.profile == current)
    )


def _user_id(text: str, lang: Language) -> int:
    user_id = ascii_int(text, 1)
    if user_id is None:
        raise InputError(t(lang, "io_err_user_id", value=text[:40]))
    return user_id


async def import_agents(
    services: Services, chunks: AsyncIterable[Sequence[SheetRow]], actor: int, lang: Language
) -> ImportReport:
    """Validate every row (a chunk at a time, the chunk's agents read in one query), staging
    the changes (:mod:`storage.imports`); then apply them all in one transaction, or nothing if
    any row is bad. :class:`InputError` from ``chunks`` (a refused file) propagates, nothing
    applied. Only agents whose profile (the score input it sets) changed are to be rescored."""
    report = ImportReport()
    sheets = ExportRepository(services.db)
    seen: dict[int, int] = {}
    buyers = BuyerIdClaims()
    async with AgentRowsStaging(services.db) as staged:
        async for rows in chunks:
            ids = [
                user_id for row in rows if (user_id := ascii_int(row.cells.get("user_id", ""), 1))
            ]
            known = await sheets.agents_with_profiles(ids)
            for row in rows:
                try:
                    user_id = _user_id(row.cells.get("user_id", ""), lang)
                    if user_id in seen:
                        raise InputError(t(lang, "io_err_duplicate", line=seen[user_id]))
                    seen[user_id] = row.line
                    if user_id not in known:
                        raise InputError(t(lang, "err_agent_unknown", value=row.cells["user_id"]))
                    agent, current = known[user_id]
                    update = agent_update(row.cells, agent, current, lang)
                    buyers.claim(row.line, agent, update.buyer_id, lang)
                except InputError as error:
                    report.errors.append((row.line, error.text))
                    continue
                if _same(update, agent, current):
                    report.unchanged += 1
                elif not report.errors:  # once a row is bad nothing is applied: stage no more
                    rescore = update.profile is not None and update.profile != current
                    await staged.add(update, rescore)
        holders: dict[str, int] = {}
        for start in range(0, len(buyers.new), _LOOKUP_CHUNK):
            keys = buyers.new[start : start + _LOOKUP_CHUNK]
            holders.update(await services.agents.by_buyer_keys(keys))
        report.errors = sorted(report.errors + buyers.conflicts(holders, lang))
        if report.errors:
            return report
        try:
            async with services.audited(actor, "import_agents", None, str(staged.count)) as audit:
                report.rescore = await staged.apply(services.now())
                if not staged.count:
                    audit.skip()
        except BuyerIdTaken:  # an approval took one of its buyer ids since the check
            report.errors.append((0, t(lang, "pff_err_buyer_race")))
            return report
        report.changed = staged.count
    return report


# ---------------------------------------------------------------------- orders import


@dataclass(frozen=True, slots=True)
class OrderLine:
    agent: OrderAgent
    period: str
    orders: int
    amount_cents: int


def parse_amount(text: str, lang: Language) -> int:
    """``1234.5``, ``¥1,234.50`` → cents."""
    cleaned = text.replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if not _AMOUNT.match(cleaned) or Decimal(cleaned) > MAX_AMOUNT:
        raise InputError(t(lang, "io_err_amount", value=text))
    return int(Decimal(cleaned) * 100)


def parse_order_row(cells: dict[str, str], lang: Language) -> OrderLine:
    agent = parse_order_agent(cells.get("agent", ""), lang)
    orders_text = cells.get("orders", "")
    if not orders_text.isdigit() or int(orders_text) > MAX_ORDERS:
        raise InputError(t(lang, "io_err_orders", value=orders_text))
    period = parse_period(cells.get("period", ""))
    if period is None:
        raise InputError(t(lang, "io_err_period", value=cells.get("period", "")))
    return OrderLine(agent, period, int(orders_text), parse_amount(cells.get("amount", ""), lang))


async def import_orders(
    services: Services, chunks: AsyncIterable[Sequence[SheetRow]], actor: int, lang: Language
) -> ImportReport:
    """Like :func:`import_agents`: every row validated (agents named by id or buyer id read
    a chunk at a time) and staged, then all records written in one transaction, or none. Only
    agents whose purchase totals in the score's window changed are to be rescored."""
    report = ImportReport()
    sheets = ExportRepository(services.db)
    seen: dict[tuple[int, str], int] = {}
    tz = services.settings.tz
    async with OrderRowsStaging(services.db) as staged:
        async for rows in chunks:
            cells = [normalise_arg(row.cells.get("agent", "")) for row in rows]
            ids = [user_id for cell in cells if (user_id := ascii_int(cell, 1))]
            known = await sheets.agents_with_profiles(ids)
            holders = await services.agents.by_buyer_keys(chunk_holder_keys(cells))
            for row in rows:
                try:
                    line = parse_order_row(row.cells, lang)
                    user_id = await order_agent_id(services, line.agent, known, holders, lang)
                    key = (user_id, line.period)
                    if key in seen:
                        raise InputError(t(lang, "io_err_duplicate", line=seen[key]))
                    seen[key] = row.line
                except InputError as error:
                    report.errors.append((row.line, error.text))
                    continue
                if not report.errors:  # once a row is bad nothing is written: stage no more
                    end = period_end(line.period, tz)
                    await staged.add(
                        OrderRecord(user_id, line.period, end, line.orders, line.amount_cents)
                    )
        if not staged.count and not report.errors:
            report.errors.append((0, t(lang, "io_err_no_rows")))
        if report.errors:
            return report
        now = services.now()
        counted_after = now - services.settings.quality.purchase_window_days * DAY
        async with services.audited(actor, "import_orders", None, str(staged.count)):
            report.rescore = await staged.apply(actor, now, counted_after)
        report.changed = staged.count
    return report
