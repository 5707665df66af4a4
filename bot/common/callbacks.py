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
    Shape,
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
from bot.common.callbacks_content import (
    AgentCardOpen,
    AgentChoice,
    AgentCommand,
    BroadcastDecision,
    BroadcastRetract,
    BroadcastTarget,
    CatalogCategory,
    DiscontinueConfirm,
    DmDecision,
    FollowUpDone,
    ForgetMe,
    GreetingAnswer,
    GreetingPromo,
    GroupDecision,
    LaunchPick,
    LaunchSlot,
    MaterialsRequest,
    MenuTask,
    MenuTaskName,
    ProductCategory,
    ProductStep,
    ProductTarget,
    PromoKindChoice,
    PromoStep,
    PromoTarget,
    QuietAnswer,
    SampleAsk,
    SampleDecision,
    SampleListing,
    SampleRequest,
    ScheduleTarget,
    TagPick,
)
from storage.schedule_models import RsvpAnswer

__all__ = [
    "INT64_MAX",
    "KINDS",
    "MAX_PAGE",
    "MAX_PART",
    "AgentCardOpen",
    "AgentChoice",
    "AgentCommand",
    "AgentRemoval",
    "AgentsCursor",
    "Attended",
    "BroadcastDecision",
    "BroadcastRetract",
    "BroadcastTarget",
    "Button",
    "CallbackData",
    "CatalogCategory",
    "DiscontinueConfirm",
    "DmDecision",
    "FollowUpDone",
    "ForgetMe",
    "GreetingAnswer",
    "GreetingPromo",
    "GroupDecision",
    "IntRange",
    "KeyedListName",
    "KeyedListPage",
    "LaunchPick",
    "LaunchSlot",
    "ListName",
    "ListPage",
    "MaterialsRequest",
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
    "QueueCursor",
    "QuietAnswer",
    "RsvpChoice",
    "SampleAsk",
    "SampleDecision",
    "SampleListing",
    "SampleRequest",
    "ScheduleTarget",
    "Shape",
    "StoredListPage",
    "TagPick",
    "TrainingCancel",
    "encode",
    "fits",
    "matches",
    "matches_exactly",
    "parse",
    "parse_as",
]

# A page of a list: bounded so that page * page size stays a small SQL offset.
MAX_PAGE = 99_999
Page = Annotated[int, IntRange(0, MAX_PAGE)]
# A key from handlers.common.remember (8 hex digits), where a longer one would not leave room.
ShortKey = Annotated[str, Shape(r"[0-9a-f]{1,8}")]
# A Unix time in seconds (up to the year 36812).
MAX_TIME = 2**40
# The parts of one page of ``/agents`` (a part ◀ of the next page asks for "the last one").
MAX_PART = 999

# The lists paged by handlers/common/lists.py ``send_list`` (◀ ▶ under the message).
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
    "catalog",
    "takes",
]

# The lists of one thing (a training's answers, a broadcast's report, an agent's ratings, a
# removal's report, a daily follow-up list), paged the same way; the button carries the
# thing's id: the list is read again at each turn.
KeyedListName = Literal["rsvps", "bcreport", "ratings", "rmreport", "followups"]

# Grouped by the handler module that answers them.

# handlers/common/lists.py (every paged list)


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
class AgentsCursor(CallbackData):
    """◀ ▶ under ``/agents``: the filter (and its count) is kept under ``key``; the page is
    found by keyset from a row's place in the list (``activity``, ``user_id``: see
    storage/agents.py RosterKey): the rows after it (``a``), from it on (``i``), or before it
    (``b``). ``page`` is the page's number, for "page k/n" only; ``part`` the part of a page too
    long for one message (cut by the pager; one beyond the last shows the last one). A forged
    key finds some page of the same list or, if nothing follows it, the first one."""

    PREFIX: ClassVar[str] = "agk"
    key: ShortKey
    direction: Literal["a", "i", "b"]
    page: Page
    part: Annotated[int, IntRange(0, MAX_PART)]
    activity: Annotated[int, IntRange(0, MAX_TIME)]
    user_id: Id


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
class QueueCursor(CallbackData):
    """◀ ▶ under ``/lowquality``: the page after (``a``) or before (``b``) the agent
    ``user_id``'s place in the queue (lowest score first); ``page`` is for "page k/n" only. An
    agent no longer in the queue still marks a place (their current score); an unknown one
    gives the first page."""

    PREFIX: ClassVar[str] = "lq:c"
    direction: Literal["a", "b"]
    page: Page
    user_id: Id


@button
@dataclass(frozen=True)
class QueueBulk(CallbackData):
    """Confirm (B) / cancel (C) a bulk removal; the tier and agents are kept under ``key``."""

    PREFIX: ClassVar[str] = "lq"
    action: Literal["B", "C"]
    key: HexKey


# Every kind, in registration order (the content kinds first: imported above).
KINDS: tuple[type[CallbackData], ...] = registered_kinds()
