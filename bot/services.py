"""The bot's shared state: settings, the database, repositories and the clock.

One :class:`Services` lives in ``application.bot_data`` from ``post_init`` to ``post_shutdown``;
handlers reach it as ``context.services`` (:class:`bot.context.BotContext`).

Every admin change is audited in the same transaction as the change: ``async with
services.audited(actor, action, target) as audit:`` around the repository writes (see
:meth:`Services.audited`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

from bot.agents.last_seen import LastSeenBuffer
from bot.broadcast.outbox import Outbox
from bot.catalog.stock_answers import StockAnswerState
from bot.config import Settings
from bot.scheduling.scheduler import Scheduler
from storage.admins import AdminRepository, AuditRepository
from storage.agents import AgentRepository
from storage.catalog import ProductRepository, PromotionRepository, StockRepository
from storage.contacts import ContactRepository
from storage.db import Database
from storage.followups import FollowupListRepository
from storage.groups import GroupRepository
from storage.materials import MaterialsRepository
from storage.outbox import OutboxRepository
from storage.profiles import ProfileRepository
from storage.reach import ReachRepository
from storage.samples import SampleRepository
from storage.schedules import ScheduleRepository
from storage.stats import StatsRepository
from storage.stock_status import ProductStatusRepository
from storage.trainings import GreetingRepository, TrainingRepository

Clock = Callable[[], float]
SERVICES_KEY = "agentbot.services"


@dataclass(slots=True)
class AuditRecord:
    """The audit row an :meth:`Services.audited` block writes when it ends. The block may fill
    in what it learns on the way (the id it created) or :meth:`skip` the row when it turned out
    to change nothing."""

    actor_id: int | None
    action: str
    target: str | None = None
    detail: str | None = None
    skipped: bool = False

    def skip(self) -> None:
        self.skipped = True


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock = time.time
    groups: GroupRepository = field(init=False)
    agents: AgentRepository = field(init=False)
    admins: AdminRepository = field(init=False)
    audit: AuditRepository = field(init=False)
    stats: StatsRepository = field(init=False)
    profiles: ProfileRepository = field(init=False)
    outbox: Outbox = field(init=False)
    products: ProductRepository = field(init=False)
    promotions: PromotionRepository = field(init=False)
    stock: StockRepository = field(init=False)
    schedules: ScheduleRepository = field(init=False)
    trainings: TrainingRepository = field(init=False)
    greetings: GreetingRepository = field(init=False)
    reach: ReachRepository = field(init=False)
    scheduler: Scheduler = field(init=False)
    # Chatty groups: last-seen is noted in memory and written in batches.
    last_seen: LastSeenBuffer = field(init=False)
    contacts: ContactRepository = field(init=False)
    followup_lists: FollowupListRepository = field(init=False)
    product_status: ProductStatusRepository = field(init=False)
    samples: SampleRepository = field(init=False)
    # Stock questions in groups: the SKU matcher and who was answered lately, in memory.
    stock_answers: StockAnswerState = field(init=False)
    # Who took which product's materials (the agents' catalog).
    materials: MaterialsRepository = field(init=False)

    def __post_init__(self) -> None:
        self.groups = GroupRepository(self.db)
        self.agents = AgentRepository(self.db)
        self.admins = AdminRepository(self.db)
        self.audit = AuditRepository(self.db)
        self.stats = StatsRepository(self.db)
        self.profiles = ProfileRepository(self.db)
        self.outbox = Outbox(OutboxRepository(self.db), self.now)
        self.schedules = ScheduleRepository(self.db)
        self.trainings = TrainingRepository(self.db)
        self.greetings = GreetingRepository(self.db)
        self.reach = ReachRepository(self.db)
        self.scheduler = Scheduler(self)
        self.products = ProductRepository(self.db)
        self.promotions = PromotionRepository(self.db)
        self.stock = StockRepository(self.db)
        self.last_seen = LastSeenBuffer(self.db, self.agents, self.now)
        self.db.pending_writes = self.last_seen.flush
        self.contacts = ContactRepository(self.db)
        self.followup_lists = FollowupListRepository(self.db)
        self.product_status = ProductStatusRepository(self.db)
        self.samples = SampleRepository(self.db)
        self.stock_answers = StockAnswerState(self.settings.stock.answer_interval_minutes * 60)
        self.materials = MaterialsRepository(self.db)

    def now(self) -> int:
        return int(self.clock())

    @asynccontextmanager
    async def audited(
        self,
        actor_id: int | None,
        action: str,
        target: str | None = None,
        detail: str | None = None,
    ) -> AsyncIterator[AuditRecord]:
        """One write transaction for a change and the audit row that records it: the
        repository writes in the block join it, the row is written last, and both commit
        together or, on any error, neither.

        The block holds the database's write lock: no Telegram call (replies, sends) belongs
        in it, nor anything that takes the scheduler's fire lock (``Scheduler.exclusive``)
        after it, which a fire takes before writing."""
        record = AuditRecord(actor_id, action, target, detail)
        async with self.db.transaction():
            yield record
            if not record.skipped:
                await self.audit.add(
                    self.now(), record.actor_id, record.action, record.target, record.detail
                )

    def is_owner(self, user_id: int) -> bool:
        return user_id in self.settings.owners

    async def is_admin(self, user_id: int) -> bool:
        return self.is_owner(user_id) or await self.admins.is_admin(user_id)


def services_of_app(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services
