"""The hostile world: one started bot per test module, its cast, and the checks every case runs.

The cast: the owner (an admin), **an agent** (a member of a registered group), **a revoked
admin** (granted with /grant, then /revoke'd; also a member of that group) and **a stranger**
(in none of the seller's groups; they added the bot to a group of their own and write there).
The seller has two groups (one tagged VIP) and two trainings (one for all groups, one for the
VIP group only, which the agent is not in).

Every hostile case goes through :meth:`Arena.case`, which checks the same three things:
no unhandled exception (no ERROR log record: the error handler logs every error it is given),
no change to the business tables (every table but ``audit_log``, without last-seen columns)
unless the case is one the role is entitled to, and nothing sent to the attacker (their private
chat, the groups they are in, the answer to their button) outside an allow-list of catalog
texts (refusals, usage, expired, start/help and the agent's own profile prompts).
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, Phase, settings
from telegram.ext import CommandHandler, ConversationHandler

from bot.app import build_application
from bot.commands import AGENT_COMMANDS
from bot.config import Settings
from bot.dev.testbed import SANDBOX_TOKEN, Testbed
from bot.texts import CATALOGS, t
from tests.adversarial.tally import Counts
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at

AGENT = 2001
REVOKED = 3001
STRANGER = 666
HOSTILE = ("stranger", "agent", "revoked")
ROLE_IDS = {"owner": OWNER, "stranger": STRANGER, "agent": AGENT, "revoked": REVOKED}
INT64_MAX = 2**63 - 1


# Bounded hypothesis runs: one started bot serves every example of a test (the fixture is
# module-scoped, the tally function-scoped), no example database, no shrinking (a failure is
# reported as found; shrinking would re-run the bot many times).
def fuzz(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# What a hostile role may be told: catalog keys by name (robust to keys others add).
_ALLOWED_PREFIXES = ("refused", "start_agent", "start_visitor", "help_agent", "cmd_", "menu_agent")
_ALLOWED_PREFIXES += ("tr_rsvp_", "trc_rsvp_", "button_expired", "already_done", "err_number")
_PROFILE_OWN = ("pf_ask", "pf_err", "pf_intro", "pf_need", "pf_cancelled", "pf_my", "pf_card")
_PROFILE_OWN += ("pf_status", "pf_platform", "pf_operating", "pf_field", "pf_placeholder")
_PROFILE_OWN += ("pf_submitted",)
# The optional region and buyer id steps of the same form, and the card line showing them.
_PROFILE_OWN += ("pff_ask", "pff_current", "pff_skip", "pff_card", "pff_err_region")
_PROFILE_OWN += ("pff_err_buyer_id", "pff_err_buyer_taken")
# An agent's own data (/mydata, /forgetme): theirs to see and erase.
_PRIVACY_OWN = ("agentdata_mydata", "agentdata_nothing", "agentdata_forget_ask")
_PRIVACY_OWN += ("agentdata_forget_kept", "agentdata_forget_yes", "agentdata_forget_no")
# Business tables are every table but these; columns that record activity are left out.
_NOT_BUSINESS = {"audit_log"}
_ACTIVITY_COLUMNS = {"last_seen_at"}


def registered_commands() -> list[str]:
    """Every command of the app's CommandHandlers, conversations included (built, not run)."""
    application = build_application(
        Settings(token=SANDBOX_TOKEN, owners=[OWNER], database=Path("unused.sqlite3"))
    )
    names: set[str] = set()

    def walk(handler: object) -> None:
        if isinstance(handler, CommandHandler):
            names.update(handler.commands)
        elif isinstance(handler, ConversationHandler):
            nested = [*handler.entry_points, *handler.fallbacks]
            nested += [h for state in handler.states.values() for h in state]
            for inner in nested:
                walk(inner)

    for group in application.handlers.values():
        for handler in group:
            walk(handler)
    return sorted(names)


def _allowed_keys() -> list[str]:
    keys = CATALOGS["en"].keys()
    return [
        key
        for key in keys
        if key.startswith(_ALLOWED_PREFIXES + _PROFILE_OWN + _PRIVACY_OWN)
        or "usage" in key
        or "expired" in key
    ]


def _line_pattern(template_line: str) -> re.Pattern[str] | None:
    parts: list[str] = []
    literal_size = 0
    for literal, name, _spec, _conv in string.Formatter().parse(template_line):
        parts.append(re.escape(literal))
        literal_size += len(literal.strip())
        if name is not None:
            parts.append(".*")
    if literal_size < 2:  # a line that is only a value would allow anything
        return None
    return re.compile("".join(parts), re.DOTALL)


def _allowed_lines() -> list[re.Pattern[str]]:
    patterns: list[re.Pattern[str]] = []
    for language in ("zh", "en"):
        lines = [line for key in _allowed_keys() for line in CATALOGS[language][key].split("\n")]
        lines += [f"/{name} — {t(language, key)}" for name, key in AGENT_COMMANDS]
        patterns += [p for line in lines if line.strip() if (p := _line_pattern(line))]
    return patterns


ALLOWED_LINES = _allowed_lines()


def reveals(text: str) -> bool:
    """True when ``text`` has a line that no allow-listed catalog text can produce."""
    return any(
        line.strip() and not any(p.fullmatch(line) for p in ALLOWED_LINES)
        for line in text.split("\n")
    )


class ErrorRecords(logging.Handler):
    """Every ERROR record of the process (the error handler logs each error it gets)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Outcome:
    role: str
    what: str
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.errors or self.changes or self.leaks)


@dataclass
class Arena:
    bed: Testbed
    clock: FakeClock
    group: int  # the seller's group: owner, agent, revoked admin
    vip_group: int  # the seller's VIP-tagged group: owner only
    stranger_group: int  # the stranger's own group, the bot added by the stranger
    open_training: int  # announced in both of the seller's groups
    vip_training: int  # announced in the VIP group only
    errors: ErrorRecords
    counts: Counts = field(default_factory=Counts)
    business_queries: dict[str, str] = field(default_factory=dict)

    def private(self, role: str) -> int:
        return ROLE_IDS[role]

    def group_of(self, role: str) -> int:
        return self.stranger_group if role == "stranger" else self.group

    def existing_ids(self) -> list[int]:
        return [self.open_training, self.vip_training, AGENT, REVOKED, STRANGER, OWNER, 1, 2, 3]

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        db = self.bed.services.db
        if not self.business_queries:
            tables = await db.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            for (table,) in tables:
                if table in _NOT_BUSINESS:
                    continue
                columns = [row[1] for row in await db.fetchall(f'PRAGMA table_info("{table}")')]
                kept = ", ".join(f'"{c}"' for c in columns if c not in _ACTIVITY_COLUMNS)
                self.business_queries[table] = f'SELECT {kept} FROM "{table}"'
        dump: dict[str, list[tuple[Any, ...]]] = {}
        for table, query in self.business_queries.items():
            rows = await db.fetchall(query)
            dump[table] = sorted((tuple(row) for row in rows), key=repr)
        return dump

    def attacker_chats(self, user_id: int) -> set[int]:
        chats = {user_id}
        for chat_id in (self.group, self.vip_group, self.stranger_group):
            if self.bed.sandbox.members(chat_id).get(user_id) in ("member", "creator"):
                chats.add(chat_id)
        return chats

    async def case(
        self,
        role: str,
        what: str,
        inject: Callable[[], dict[str, Any]],
        *,
        entitled: bool = False,
    ) -> Outcome:
        """Inject one hostile update, wait until handled, check errors, changes and leaks."""
        outcome = Outcome(role, what)
        sandbox = self.bed.sandbox
        before = await self.snapshot()
        sandbox.reset_calls()  # only this case's calls are read back (getUpdates add up)
        errors_before = len(self.errors.records)
        update = inject()
        await self.bed.settle(update)
        await self.bed.services.outbox.wait_idle(10)
        after = await self.snapshot()
        for record in self.errors.records[errors_before:]:
            outcome.errors.append(f"{record.name}: {record.getMessage()} {record.exc_text or ''}")
            if record.exc_info and record.exc_info[1] is not None:
                outcome.errors.append(repr(record.exc_info[1]))
        if not entitled:
            outcome.changes = [
                f"{table}: {before.get(table)} -> {after.get(table)}"
                for table in sorted(set(before) | set(after))
                if before.get(table) != after.get(table)
            ]
        chats = self.attacker_chats(ROLE_IDS[role])
        query_id = (update.get("callback_query") or {}).get("id")
        for call in sandbox.calls():
            method = call.method.lower()
            if method == "answercallbackquery":
                if call.params.get("callback_query_id") == query_id:
                    text = str(call.params.get("text") or "")
                    if reveals(text):
                        outcome.leaks.append(f"answer: {text[:300]}")
                continue
            if not method.startswith(("send", "edit", "copy", "forward")) or method in (
                "sendchataction",
            ):
                continue
            if entitled and method.startswith("edit"):
                continue  # the entitled change shown where it was made (an RSVP count)
            if call.chat_id not in chats:
                continue
            text = str(call.params.get("text") or call.params.get("caption") or "")
            # The one file an attacker may get: their own /mydata, in their own private chat.
            own_data = method == "senddocument" and call.chat_id == ROLE_IDS[role]
            if (method not in ("sendmessage", "editmessagetext") and not own_data) or reveals(text):
                outcome.leaks.append(f"{call.method} to {call.chat_id}: {text[:300]}")
        self.counts.cases += 1
        self.counts.exceptions += len(self.errors.records) - errors_before
        self.counts.refused_changes += bool(outcome.changes)
        self.counts.leaks += bool(outcome.leaks)
        return outcome

    async def owner_case(self, what: str, inject: Callable[[], dict[str, Any]]) -> Outcome:
        """An admin's update: only unhandled exceptions are checked (admins change things)."""
        outcome = Outcome("owner", what)
        errors_before = len(self.errors.records)
        update = inject()
        await self.bed.settle(update)
        await self.bed.services.outbox.wait_idle(10)
        for record in self.errors.records[errors_before:]:
            outcome.errors.append(f"{record.name}: {record.getMessage()} {record.exc_text or ''}")
        self.counts.cases += 1
        self.counts.exceptions += len(self.errors.records) - errors_before
        return outcome


async def _training(bed: Testbed, title: str, targets: str) -> int:
    for text in [
        "/training",
        title,
        "2027-09-14 20:00",
        "90分钟",
        "腾讯会议 https://meet.example/s3cret",
    ]:
        await bed.say(OWNER, OWNER, text)
    await bed.say(OWNER, OWNER, "跳过")
    await bed.say(OWNER, OWNER, targets)
    await bed.services.outbox.wait_idle(10)
    rows = await bed.services.db.fetchall("SELECT id FROM trainings WHERE title = ?", (title,))
    return int(rows[0][0])


async def build_arena(database: Path) -> tuple[Testbed, Arena]:
    clock = FakeClock(at(2027, 9, 12, 9, 0))
    bed = Testbed(database=database, clock=clock)
    await bed.start()
    sandbox = bed.sandbox
    sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
    await bed.say(OWNER, OWNER, "/start")
    group = await make_group(bed, "代理群")
    vip_group = await make_group(bed, "VIP群")
    await bed.say(OWNER, OWNER, f"/tag_group {vip_group} VIP")

    await join(bed, group, AGENT, "李", username="li_shop")
    await bed.say(AGENT, AGENT, "/start")
    await bed.say(OWNER, OWNER, "/remark @li_shop 李女士 内部备注")
    await join(bed, group, REVOKED, "王", username="wang_former", language_code="en")
    await bed.say(REVOKED, REVOKED, "/start")
    await bed.say(OWNER, OWNER, f"/grant {REVOKED}")
    await bed.say(OWNER, OWNER, f"/revoke {REVOKED}")

    sandbox.add_user(STRANGER, "路人", username="passer_by", language_code="en")
    stranger_group = sandbox.add_group("路人的群", members=[STRANGER])
    await bed.run(lambda: sandbox.add_bot_to_group(stranger_group, STRANGER))

    open_training = await _training(bed, "新品卖点培训", "全部")
    vip_training = await _training(bed, "VIP 内部培训", "VIP")
    # Everyone has written once where they will fuzz (so the bot has a message there to
    # press buttons on, and last-seen bookkeeping is done before the first snapshot).
    for role in HOSTILE:
        user = ROLE_IDS[role]
        where = stranger_group if role == "stranger" else group
        await bed.say(where, user, "你好")
        await bed.say(where, user, "/groups")
        await bed.say(user, user, "/help")
    errors = ErrorRecords()
    arena = Arena(bed, clock, group, vip_group, stranger_group, open_training, vip_training, errors)
    return bed, arena


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def arena(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Arena]:
    bed, built = await build_arena(tmp_path_factory.mktemp("adversarial") / "bot.sqlite3")
    root = logging.getLogger()
    root.addHandler(built.errors)
    try:
        yield built
    finally:
        root.removeHandler(built.errors)
        await bed.stop()


@pytest.fixture
def tally(arena: Arena, request: pytest.FixtureRequest) -> Any:
    """Hands this test's counts to the session summary (tests/adversarial/tally.py)."""
    arena.counts = Counts()
    yield arena.counts
    request.node.user_properties.append(arena.counts.as_property())
