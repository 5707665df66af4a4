"""The button kinds of the content features (catalog, broadcasts, schedules, agent choices,
launches, groups, stock and samples), declared as in :mod:`bot.common.callbacks` (which
re-exports them; import them from there): a module of its own to keep each under 500 lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from bot.common.callback_codec import (
    CallbackData,
    HexKey,
    Id,
    IntRange,
    Rest,
    Sku,
    Word,
    Year,
    YesNo,
    button,
)
from storage.catalog import PromoKind

# handlers/catalog/


@button
@dataclass(frozen=True)
class ProductCategory(CallbackData):
    """One of the configured seller categories, by index."""

    PREFIX: ClassVar[str] = "np:cat"
    index: Id


@button
@dataclass(frozen=True)
class ProductTarget(CallbackData):
    """One of the target options of a /newproduct preview, by index."""

    PREFIX: ClassVar[str] = "np:tg"
    index: Id


@button
@dataclass(frozen=True)
class ProductStep(CallbackData):
    """/newproduct's Done (photos), Send now, Cancel, and Schedule… / Teaser first."""

    PREFIX: ClassVar[str] = "np"
    step: Literal["done", "send", "cancel", "later", "teaser"]


@button
@dataclass(frozen=True)
class PromoKindChoice(CallbackData):
    PREFIX: ClassVar[str] = "pm:kind"
    kind: PromoKind


@button
@dataclass(frozen=True)
class PromoTarget(CallbackData):
    """One of the target options of a /promo preview, by index."""

    PREFIX: ClassVar[str] = "pm:tg"
    index: Id


@button
@dataclass(frozen=True)
class PromoStep(CallbackData):
    """/promo's Send now and Cancel."""

    PREFIX: ClassVar[str] = "pm"
    step: Literal["send", "cancel"]


# handlers/broadcast.py


@button
@dataclass(frozen=True)
class BroadcastTarget(CallbackData):
    """All active groups (a), tick or untick the tag at an index, the previous or next page of
    tags (< >), or done (d: the ticked tags' groups), for the draft kept under ``key`` (which
    holds the selection)."""

    PREFIX: ClassVar[str] = "bc:t"
    key: HexKey
    target: Literal["a", "d", "<", ">"] | Id


@button
@dataclass(frozen=True)
class BroadcastDecision(CallbackData):
    """Send (s) or cancel (c) the draft kept under ``key``."""

    PREFIX: ClassVar[str] = "bc"
    action: Literal["s", "c"]
    key: HexKey


@button
@dataclass(frozen=True)
class BroadcastRetract(CallbackData):
    PREFIX: ClassVar[str] = "bc:r"
    broadcast_id: Id
    confirm: YesNo


# handlers/schedules.py


@button
@dataclass(frozen=True)
class ScheduleTarget(CallbackData):
    """The target picker of /schedule or /schedule_digest typed without ``tag:``: all active
    groups (a), tick or untick the tag at an index, the previous or next page of tags (< >),
    done (d: the ticked tags' groups) or cancel (c), for the draft kept under ``key`` (which
    holds the selection)."""

    PREFIX: ClassVar[str] = "sct"
    key: HexKey
    target: Literal["a", "d", "c", "<", ">"] | Id


@button
@dataclass(frozen=True)
class QuietAnswer(CallbackData):
    """Send a held schedule now anyway, or when the quiet hours end (bot/scheduling)."""

    PREFIX: ClassVar[str] = "qh"
    schedule_id: Id
    choice: Literal["now", "later"]


@button
@dataclass(frozen=True)
class GreetingAnswer(CallbackData):
    """Approve (a) or skip (s) a festival's greeting of a year (bot/events/greetings.py)."""

    PREFIX: ClassVar[str] = "grt"
    festival: Word
    year: Year
    choice: Literal["a", "s"]


@button
@dataclass(frozen=True)
class FollowUpDone(CallbackData):
    """ "Contacted" on the daily follow-up list (bot/scheduling)."""

    PREFIX: ClassVar[str] = "fu"
    user_id: Id


# The commands whose agent argument goes through the resolver (bot/agents/service.py).
AgentCommand = Literal[
    "agent", "remark", "tag", "untag", "mode", "contacted", "remove", "rate", "ratings"
]


# handlers/agents.py (the agent resolver's choices, the follow-up list's card buttons)


@button
@dataclass(frozen=True)
class AgentCardOpen(CallbackData):
    """Open the card of agent ``user_id`` (a row of the follow-up list)."""

    PREFIX: ClassVar[str] = "acard"
    user_id: Id


@button
@dataclass(frozen=True)
class AgentChoice(CallbackData):
    """One of the agents an ambiguous name matched: run ``command`` for agent ``user_id`` with
    the rest of its arguments, kept under ``key``."""

    PREFIX: ClassVar[str] = "achoose"
    command: AgentCommand
    user_id: Id
    key: HexKey


# handlers/launches.py


@button
@dataclass(frozen=True)
class LaunchSlot(CallbackData):
    """Take the next free launch slot, or drop the launch (the plan is in user_data)."""

    PREFIX: ClassVar[str] = "lc"
    choice: Literal["slot", "no"]


@button
@dataclass(frozen=True)
class LaunchPick(CallbackData):
    """Ask the time(s) of a saved product's launch (l) or teaser-then-launch (t); ``tag`` is
    the target tag, ``*`` for all groups, ``?`` to ask (bot/catalog/launches.py)."""

    PREFIX: ClassVar[str] = "lp"
    mode: Literal["l", "t"]
    sku: Sku
    tag: Rest


# handlers/groups.py


@button
@dataclass(frozen=True)
class GroupDecision(CallbackData):
    """Approve a group a non-admin added the bot to (ok), or make the bot leave it (leave)."""

    PREFIX: ClassVar[str] = "grp"
    group_id: Id
    choice: Literal["ok", "leave"]


# handlers/stock.py and handlers/samples.py


@button
@dataclass(frozen=True)
class DiscontinueConfirm(CallbackData):
    """Confirm (y) or drop (n) marking a product discontinued (停产)."""

    PREFIX: ClassVar[str] = "dc"
    sku: Sku
    confirm: YesNo


@button
@dataclass(frozen=True)
class SampleRequest(CallbackData):
    """申请样品 under a product post: the presser asks for a sample of ``sku``."""

    PREFIX: ClassVar[str] = "sr"
    sku: Sku


@button
@dataclass(frozen=True)
class SampleDecision(CallbackData):
    """An admin approves (ok: then asks for the tracking number) or declines a request."""

    PREFIX: ClassVar[str] = "sd"
    sample_id: Id
    choice: Literal["ok", "no"]


@button
@dataclass(frozen=True)
class SampleAsk(CallbackData):
    """On the follow-up list: ask the agent in private whether the sample got listed."""

    PREFIX: ClassVar[str] = "sq"
    sample_id: Id


@button
@dataclass(frozen=True)
class SampleListing(CallbackData):
    """The agent's answer: listed (y: then asks for the link) or not yet (n)."""

    PREFIX: ClassVar[str] = "sl"
    sample_id: Id
    listed: YesNo


# handlers/catalog/agents.py (the agents' catalog)


@button
@dataclass(frozen=True)
class MaterialsRequest(CallbackData):
    """📦 获取素材 under a product post or card: send the product's materials in private."""

    PREFIX: ClassVar[str] = "mat"
    sku: Sku


@button
@dataclass(frozen=True)
class CatalogCategory(CallbackData):
    """A category button of an agent's /products, by its index in the categories as listed
    (re-read at the press; an index beyond the list is answered "expired")."""

    PREFIX: ClassVar[str] = "ac:cat"
    index: Id


# handlers/privacy.py


@button
@dataclass(frozen=True)
class ForgetMe(CallbackData):
    """Erase / cancel under /forgetme; the request is kept under ``key`` in the agent's
    user_data (another user's press finds nothing there)."""

    PREFIX: ClassVar[str] = "fm"
    key: HexKey
    confirm: YesNo


# handlers/dm.py


@button
@dataclass(frozen=True)
class DmDecision(CallbackData):
    """Send (s) or cancel (c) the private send (/dm) kept under ``key``."""

    PREFIX: ClassVar[str] = "dm"
    action: Literal["s", "c"]
    key: HexKey


@button
@dataclass(frozen=True)
class GreetingPromo(CallbackData):
    """Approve a festival's greeting of a year with a promotion sent after it (先祝福再营销)."""

    PREFIX: ClassVar[str] = "grtp"
    festival: Word
    year: Year
    promotion_id: Id


# handlers/agents.py (/tag <agent> with no tag)


@button
@dataclass(frozen=True)
class TagPick(CallbackData):
    """Add the offered agent tag at ``index`` to the agent of the offer kept under ``key``."""

    PREFIX: ClassVar[str] = "tgp"
    key: HexKey
    index: Annotated[int, IntRange(0, 99)]


# handlers/help.py

MenuTaskName = Literal["broadcast", "agents", "quality", "products", "schedules", "stats", "help"]


@button
@dataclass(frozen=True)
class MenuTask(CallbackData):
    """A task button of the admin's /start menu: explains that task's commands (bot/commands.py
    HELP_TOPICS); ``help`` lists every topic."""

    PREFIX: ClassVar[str] = "mn"
    task: MenuTaskName
