"""Samples (寄样): an agent asks for a sample of a product under its post; the admins decide
(approve with a tracking number, or decline); the agent is told in private and tagged 已寄样;
``[samples] follow_up_days`` later the owners' follow-up list asks whether it got listed, and
an admin can ask the agent, whose answer (已上架 + link / 还没有) shows on the agent's card.

Storage: storage/samples.py (every change with its history row). Telegram side:
handlers/samples.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.broadcast.outbox import Keyboard, Payload
from bot.common.callbacks import SampleAsk, SampleDecision, SampleListing, encode
from bot.common.errors import InputError
from bot.services import Services
from bot.texts import Language, t
from storage.samples import FollowUpSample, Sample

log = logging.getLogger(__name__)

MAX_TRACKING_LENGTH = 64
MIN_TRACKING_LENGTH = 4
MAX_LINK_LENGTH = 500
FOLLOW_UP_LIMIT = 20
CARD_LIMIT = 5
CARD_LINK_LENGTH = 120  # a listing link is cut to this on the card (the card must fit)
_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

RequestRefusal = Literal["not_agent", "product_gone", "already_open", "too_many"]


def parse_tracking(text: str, lang: Language) -> str:
    """A tracking number (carrier included if the admin likes): one line, 4-64 characters."""
    value = " ".join(text.split())
    if (
        "\n" in text.strip()
        or not MIN_TRACKING_LENGTH <= len(value) <= MAX_TRACKING_LENGTH
        or not value.isprintable()
    ):
        raise InputError(t(lang, "smp_err_tracking", limit=MAX_TRACKING_LENGTH))
    return value


def parse_listing_link(text: str, lang: Language) -> str:
    """An http(s) link to the agent's listing, at most 500 characters."""
    value = text.strip()
    if len(value) > MAX_LINK_LENGTH or not _LINK.match(value):
        raise InputError(t(lang, "smp_err_link", limit=MAX_LINK_LENGTH))
    return value


def _date(timestamp: int | None, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(timestamp or 0, tz).strftime("%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    sample: Sample | None = None
    refusal: RequestRefusal | None = None


async def request_sample(services: Services, user_id: int, sku: str) -> RequestOutcome:
    """Record an agent's request and put it before the owners and admins (through the outbox:
    one private message each, with Approve / Decline). Refused for someone who is not an
    active agent, a product gone or discontinued, an open request for the same product, and
    beyond ``[samples] max_requests_per_day``."""
    agent = await services.agents.get(user_id)
    if agent is None or agent.status != "active":
        return RequestOutcome(refusal="not_agent")
    product = await services.products.get(sku)
    if product is None or (await services.product_status.get(sku)).discontinued:
        return RequestOutcome(refusal="product_gone")
    now = services.now()
    limit = services.settings.samples.max_requests_per_day
    if await services.samples.requests_since(user_id, now - 86400) >= limit:
        return RequestOutcome(refusal="too_many")
    sample = await services.samples.request(user_id, sku, now)
    if sample is None:
        return RequestOutcome(refusal="already_open")
    lang = services.settings.language
    text = t(
        lang,
        "smp_admin_request",
        id=sample.id,
        name=agent.display_name,
        user_id=user_id,
        title=product.title,
        sku=sku,
    )
    keyboard: Keyboard = (
        (
            (t(lang, "smp_approve_button"), encode(SampleDecision(sample.id, "ok"))),
            (t(lang, "smp_decline_button"), encode(SampleDecision(sample.id, "no"))),
        ),
    )
    staff = sorted(
        set(services.settings.owners) | {grant.user_id for grant in await services.admins.list()}
    )
    await services.outbox.submit(
        "sample",
        Payload(kind="text", text=text, keyboard=keyboard),
        staff,
        None,
        ref=f"sample:{sample.id}",
        report=False,
    )
    log.info("sample #%s requested by %s for %s", sample.id, user_id, sku)
    return RequestOutcome(sample)


async def product_title(services: Services, sku: str) -> str:
    product = await services.products.get(sku)
    return product.title if product else sku


async def agent_message(services: Services, sample: Sample, lang: Language) -> str:
    """What the agent is told once an admin decided."""
    title = await product_title(services, sample.sku)
    if sample.status == "shipped":
        return t(
            lang, "smp_agent_shipped", title=title, sku=sample.sku, tracking=sample.tracking or ""
        )
    return t(lang, "smp_agent_declined", title=title, sku=sample.sku)


def shipped_days(sample: Sample, now: int) -> int:
    return max(0, (now - (sample.decided_at or now)) // 86400)


async def listing_question(
    services: Services, sample: Sample, lang: Language
) -> tuple[str, Keyboard]:
    """The private question to the agent: listed yet? with 已上架 / 还没有."""
    title = await product_title(services, sample.sku)
    days = shipped_days(sample, services.now())
    text = t(lang, "smp_agent_ask", title=title, sku=sample.sku, days=days)
    keyboard: Keyboard = (
        (
            (t(lang, "smp_listed_button"), encode(SampleListing(sample.id, "y"))),
            (t(lang, "smp_not_yet_button"), encode(SampleListing(sample.id, "n"))),
        ),
    )
    return text, keyboard


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    """One line of the owners' follow-up list and its button."""

    line: str
    button: tuple[str, str]
    sample_id: int
    user_id: int
    name: str


async def follow_up_rows(
    services: Services, planned: int, lang: Language, limit: int = FOLLOW_UP_LIMIT
) -> list[FollowUpRow]:
    """ "样品已寄 N 天，上架了吗" for every shipped sample ``follow_up_days`` old with no
    listing (asked again at most every ``follow_up_days``), with an "ask" button; the oldest
    ``limit`` of them."""
    days = services.settings.samples.follow_up_days
    due: Sequence[FollowUpSample] = await services.samples.follow_ups_due(
        planned - days * 86400, planned - days * 86400, limit
    )
    titles = {sku: await product_title(services, sku) for sku in {d.sample.sku for d in due}}
    rows = []
    for item in due:
        sample = item.sample
        line = t(
            lang,
            "smp_fu_line",
            name=item.name,
            user_id=sample.user_id,
            days=shipped_days(sample, planned),
            title=titles[sample.sku],
            sku=sample.sku,
        )
        button = (t(lang, "smp_fu_button", name=item.name), encode(SampleAsk(sample.id)))
        rows.append(FollowUpRow(line, button, sample.id, sample.user_id, item.name))
    return rows


def _card_line(sample: Sample, tz: ZoneInfo, lang: Language) -> str:
    if sample.status == "shipped":
        status = t(
            lang,
            "smp_status_shipped",
            date=_date(sample.decided_at, tz),
            tracking=sample.tracking or "",
        )
        if sample.answer == "listed":
            url = sample.listing_url or ""
            shown = url if len(url) <= CARD_LINK_LENGTH else url[: CARD_LINK_LENGTH - 1] + "…"
            status += t(lang, "smp_answer_listed", url=shown)
        elif sample.answer == "not_yet":
            status += t(lang, "smp_answer_not_yet", date=_date(sample.answered_at, tz))
    elif sample.status == "declined":
        status = t(lang, "smp_status_declined", date=_date(sample.decided_at, tz))
    else:
        status = t(lang, "smp_status_requested", date=_date(sample.requested_at, tz))
    return t(lang, "smp_card_line", sku=sample.sku, status=status)


async def card_section(services: Services, user_id: int, lang: Language) -> str:
    """The agent card's sample lines ("" when the agent never asked for one)."""
    samples = await services.samples.of_agent(user_id, CARD_LIMIT)
    if not samples:
        return ""
    tz = services.settings.tz
    return "\n".join([t(lang, "smp_card_header"), *(_card_line(s, tz, lang) for s in samples)])
