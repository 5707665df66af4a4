"""The callback data of every inline button, each kind declared once (a frozen dataclass with a
``PREFIX`` and typed fields), and the functions that build and parse it.

Telegram keeps up to 64 bytes of ``callback_data`` on a button and sends them back when it is
pressed, from any client, so what comes back may be stale or forged. A kind is written on the
wire as ``PREFIX:field:field`` (``rsvp:12:yes``, ``bc:t:ab12cd34:a``, ``lq:x:5``; the format
predates this module and buttons already sent keep working). :func:`encode` builds the string;
:func:`parse` / :func:`parse_as` read it back to the typed value, or to ``None`` for anything
that is not exactly one of ours: unknown prefix, wrong field count, a number that is not
canonical ASCII digits (``²`` and ``١`` are digits to Python, not to us) or beyond SQLite's
int64, a word outside its kind's set. Parsing never raises. Handlers take their ``pattern``
from :func:`matches`, so a handler only ever sees data that parses as its kind; what no handler
claims is answered by the catch-all in handlers/expired.py. The machinery (field types,
registration) is in :mod:`bot.common.callback_codec`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from bot.common.callback_codec import (
    INT64_MAX,
    Button,
    CallbackData,
    HexKey,
    Id,
    IntRange,
    Rest,
    Shape,
    Sku,
    Word,
    Year,
    YesNo,
    button,
    encode,
    fits,
    matches,
    matches_exactly,
    parse,
    parse_as,
    registered_kinds,
)
from storage.catalog import PromoKind
from storage.schedule_models import RsvpAnswer

__all__ = [
    "INT64_MAX",
    "KINDS",
    "MAX_PART",
    "AgentRemoval",
    "AgentsPage",
    "AgentsPart",
    "Attended",
    "BroadcastDecision",
    "BroadcastRetract",
    "BroadcastTarget",
    "Button",
    "CallbackData",
    "FollowUpDone",
    "GreetingAnswer",
    "GroupDecision",
    "IntRange",
    "KeyedListName",
    "KeyedListPage",
    "LaunchPick",
    "LaunchSlot",
    "ListName",
    "ListPage",
    "MenuTask",
    "MenuTaskName",
    "ProductCategory",
    "ProductStep",
    "ProductTarget",
    "ProfileReturnReason",
    "ProfileReview",
    "PromoKindChoice",
    "PromoStep",
    "PromoTarget",
    "QueueAgent",
    "QueueBulk",
    "QueuePage",
    "QuietAnswer",
    "RsvpChoice",
    "Shape",
    "StoredListPage",
    "TrainingCancel",
    "encode",
    "fits",
    "matches",
    "matches_exactly",
    "parse",
    "parse_as",
]

# A page of a list: bounded so that page * page size stays a small SQL offset.
Page = Annotated[int, IntRange(0, 99_999)]
# The parts of one page of ``/agents`` (a part ◀ of the next page asks for "the last one").
MAX_PART = 999

# The lists paged by handlers/common.py ``send_list`` (◀ ▶ under the message).
ListName = Literal[
    "groups",
    "products",
    "stock",
    "promos",
    "schedules",
    "trainings",
    "broadcasts",
    "admins",
    "greetings",
]

# The lists of one thing (a training's answers, a broadcast's report, an agent's ratings),
# paged the same way; the button carries the thing's id: the list is read again at each turn.
KeyedListName = Literal["rsvps", "bcreport", "ratings", "rmreport"]

# Grouped by the handler module that answers them.

# handlers/common.py (every paged list)


@button
@dataclass(frozen=True)
class ListPage(CallbackData):
    """◀ / ▶ under a paged list: which list and which page (0-based) to show."""

    PREFIX: ClassVar[str] = "lp"
    list_name: ListName
    page: Page


@button
@dataclass(frozen=True)
class KeyedListPage(CallbackData):
    """◀ / ▶ under a paged list of one thing: which list, whose (an id) and which page."""

    PREFIX: ClassVar[str] = "lk"
    list_name: KeyedListName
    key: Id
    page: Page


@button
@dataclass(frozen=True)
class StoredListPage(CallbackData):
    """◀ / ▶ under a list that cannot be read again (the bad lines of an uploaded file): the
    key it is remembered under in the user's data, and which page."""

    PREFIX: ClassVar[str] = "ls"
    key: HexKey
    page: Page


# handlers/trainings.py


@button
@dataclass(frozen=True)
class RsvpChoice(CallbackData):
    """An agent's answer under a training announcement (built in bot/events/training.py)."""

    PREFIX: ClassVar[str] = "rsvp"
    training_id: Id
    answer: RsvpAnswer


@button
@dataclass(frozen=True)
class Attended(CallbackData):
    """Mark one agent present (the list of ``/training <id>``)."""

    PREFIX: ClassVar[str] = "att"
    training_id: Id
    user_id: Id


@button
@dataclass(frozen=True)
class TrainingCancel(CallbackData):
    """Confirm / keep under ``/cancel_training``; the training id is kept under ``key``."""

    PREFIX: ClassVar[str] = "trc"
    key: HexKey
    confirm: YesNo


# handlers/agents.py


@button
@dataclass(frozen=True)
class AgentsPage(CallbackData):
    """Previous / next page of ``/agents``; the filter is kept under ``key``."""

    PREFIX: ClassVar[str] = "ag"
    key: HexKey
    page: Page


@button
@dataclass(frozen=True)
class AgentsPart(CallbackData):
    """Previous / next part of a page of ``/agents`` too long for one message (the page's rows
    cut by the pager); a part beyond the last shows the last one."""

    PREFIX: ClassVar[str] = "agp"
    key: HexKey
    page: Page
    part: Annotated[int, IntRange(0, MAX_PART)]


@button
@dataclass(frozen=True)
class AgentRemoval(CallbackData):
    """Confirm / cancel under ``/remove``; the agent and reason are kept under ``key``."""

    PREFIX: ClassVar[str] = "rm"
    key: HexKey
    confirm: YesNo


# handlers/profiles.py


@button
@dataclass(frozen=True)
class ProfileReview(CallbackData):
    """Approve (a), return (r: show the reasons) or back (b) on a profile submission."""

    PREFIX: ClassVar[str] = "pf"
    action: Literal["a", "r", "b"]
    submission_id: Id


@button
@dataclass(frozen=True)
class ProfileReturnReason(CallbackData):
    """Return a submission with preset reason ``reason``."""

    PREFIX: ClassVar[str] = "pf:q"
    submission_id: Id
    reason: Annotated[int, IntRange(0, 9)]


# handlers/quality.py


@button
@dataclass(frozen=True)
class QueueAgent(CallbackData):
    """On ``/lowquality``: remove (x), keep (k), message (m); confirm (y) / cancel (n) a removal
    (cancel carries user 0)."""

    PREFIX: ClassVar[str] = "lq"
    action: Literal["x", "k", "m", "y", "n"]
    user_id: Id


@button
@dataclass(frozen=True)
class QueuePage(CallbackData):
    PREFIX: ClassVar[str] = "lq:p"
    page: Page


@button
@dataclass(frozen=True)
class QueueBulk(CallbackData):
    """Confirm (B) / cancel (C) a bulk removal; the tier and agents are kept under ``key``."""

    PREFIX: ClassVar[str] = "lq"
    action: Literal["B", "C"]
    key: HexKey


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
    """All active groups (a) or the tag at an index, for the draft kept under ``key``."""

    PREFIX: ClassVar[str] = "bc:t"
    key: HexKey
    target: Literal["a"] | Id


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


# handlers/help.py

MenuTaskName = Literal["broadcast", "agents", "quality", "products", "schedules", "stats", "help"]


@button
@dataclass(frozen=True)
class MenuTask(CallbackData):
    """A task button of the admin's /start menu: explains that task's commands (bot/commands.py
    HELP_TOPICS); ``help`` lists every topic."""

    PREFIX: ClassVar[str] = "mn"
    task: MenuTaskName


KINDS: tuple[type[CallbackData], ...] = registered_kinds()
