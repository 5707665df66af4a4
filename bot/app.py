"""Wiring of the PTB Application: handlers, storage lifecycle, menus."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

from bot.agents.group_approval import resume_approval_timeouts
from bot.agents.last_seen import flush_last_seen
from bot.agents.privacy import schedule_retention
from bot.agents.quality_service import schedule_daily_recompute, stop_catch_up
from bot.agents.removals import start_removals, stop_removals
from bot.broadcast.delivery.engine import start_delivery, stop_delivery
from bot.commands import install_menus
from bot.config import Settings
from bot.context import BotContext
from bot.dispatch import IndexedApplication
from bot.rate_limits import PerChatRateLimiter, Sleep
from bot.scheduling.scheduler import start_scheduler, stop_scheduler
from bot.services import SERVICES_KEY, Clock, Services, services_of_app
from bot.updates import ChatOrderedUpdateProcessor
from handlers import admins, broadcast, expired, groups, members, schedule_create, start
from handlers import agents as agent_handlers
from handlers import catalog as catalog_handlers
from handlers import dm as dm_handlers
from handlers import help as help_handlers
from handlers import inline as inline_handlers
from handlers import launches as launch_handlers
from handlers import ops as operations
from handlers import privacy as privacy_handlers
from handlers import profiles as profile_handlers
from handlers import quality as quality_handlers
from handlers import samples as sample_handlers
from handlers import schedules as schedule_handlers
from handlers import stock as stock_handlers
from handlers import trainings as training_handlers
from handlers.common import ignore_edits
from handlers.errors import on_error
from storage.db import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHAT_MEMBER,
    Update.MY_CHAT_MEMBER,
    Update.INLINE_QUERY,
]

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
# Every text the app's bot sends, replies or edits is HTML (catalog texts are; user text in
# them is escaped by ``t``) and shows no link preview, unless a call says otherwise. The
# delivery engine sends with its own ``telegram.Bot`` and sets both per message.
HANDLER_DEFAULTS = Defaults(
    parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
)
LifecycleHook = Callable[[AnyApplication, Services], Awaitable[None]]

# Handler modules, each with ``register(application)``; order is registration order.
FEATURES: tuple[ModuleType, ...] = (start, groups, members, admins, agent_handlers, operations)
# /help, the /start menu's buttons, agent commands typed in groups.
FEATURES += (help_handlers,)
# Agent profiles and quality; before catalog so that an /import_* document is never taken
# by an open draft.
FEATURES += (profile_handlers, quality_handlers)
# Stock before catalog: a /stock_import document must not reach an open /newproduct draft.
FEATURES += (stock_handlers, catalog_handlers)
FEATURES += (broadcast,)
FEATURES += (launch_handlers, schedule_create, schedule_handlers, training_handlers)
# Sample requests (寄样): their buttons and short conversations.
FEATURES += (sample_handlers,)
FEATURES += (inline_handlers,)
FEATURES += (privacy_handlers,)
FEATURES += (dm_handlers,)
# Last: answers every button press that no handler above claimed.
FEATURES += (expired,)
# Run after the database is open (start workers, schedulers) and before it closes (stop them),
# in list order for start and reverse order for stop.
STARTUP_HOOKS: list[LifecycleHook] = [start_delivery]
# Before start_scheduler: adds the daily quality recompute to the system schedules.
STARTUP_HOOKS.append(schedule_daily_recompute)
# Before start_scheduler: leaves groups whose approval ran out while the bot was down.
STARTUP_HOOKS.append(resume_approval_timeouts)
# Before start_scheduler: adds the daily retention purge ([privacy]) to the system schedules.
STARTUP_HOOKS.append(schedule_retention)
SHUTDOWN_HOOKS: list[LifecycleHook] = [stop_delivery]
# After the engine starts (catch-up fires go to it), before it stops (RSVP edits are flushed).
STARTUP_HOOKS.append(start_scheduler)
SHUTDOWN_HOOKS.append(stop_scheduler)
# After the engine starts and before it stops: removal steps run as the engine's jobs.
STARTUP_HOOKS.append(start_removals)
SHUTDOWN_HOOKS.append(stop_removals)
# Last, so it stops first: the batched last-seen is written before anything else closes.
SHUTDOWN_HOOKS.append(flush_last_seen)
# A /lowquality catch-up of stale scores in the background stops (the next one resumes it).
SHUTDOWN_HOOKS.append(stop_catch_up)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    update_processor: BaseUpdateProcessor | None = None,
    retry_sleep: Sleep = asyncio.sleep,
) -> AnyApplication:
    """The bot, ready for ``run_polling`` (or for a test harness that starts it by hand).

    Updates of different chats are handled concurrently, each chat's in order
    (``bot/updates.py``); a bench passes PTB's sequential processor to compare. A 429 pauses
    only its chat (``bot/rate_limits.py``); ``retry_sleep`` waits out such a pause.
    """
    if settings.token is None:
        raise ValueError("a token is needed to build the bot")

    async def post_init(application: AnyApplication) -> None:
        await open_services(application, settings, clock)

    builder = (
        ApplicationBuilder()
        # PTB's dispatch, without asking handlers that cannot take the update (bot/dispatch.py).
        .application_class(IndexedApplication)
        .token(settings.token.get_secret_value())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .rate_limiter(PerChatRateLimiter(max_retries=3, sleep=retry_sleep))
        .context_types(ContextTypes(context=BotContext))
        .defaults(HANDLER_DEFAULTS)
        .post_init(post_init)
        .post_shutdown(close_services)
        # Every timed job runs on bot/scheduling (APScheduler), not on PTB's JobQueue.
        .job_queue(None)
        .concurrent_updates(update_processor or ChatOrderedUpdateProcessor())
    )
    application = builder.build()
    for module in FEATURES:
        module.register(application)
    ignore_edits(application)
    application.add_error_handler(on_error)
    return application


async def open_services(
    application: AnyApplication, settings: Settings, clock: Clock | None = None
) -> Services:
    db = await Database.open(settings.database)
    services = (
        Services(settings=settings, db=db)
        if clock is None
        else Services(settings=settings, db=db, clock=clock)
    )
    application.bot_data[SERVICES_KEY] = services
    admin_ids = set(settings.owners) | {grant.user_id for grant in await services.admins.list()}
    await install_menus(application.bot, settings.language, admin_ids)
    log.info("database %s at schema version %s", settings.database, await db.schema_version())
    for hook in STARTUP_HOOKS:
        await hook(application, services)
    # What start-up built (modules, handlers, catalogs, settings) lives as long as the bot:
    # out of the cyclic collector's reach until it stops (close_services), so the collections
    # a chatty group's garbage triggers do not walk it again and again (bench/updates.py).
    gc.freeze()
    return services


async def close_services(application: AnyApplication) -> None:
    if SERVICES_KEY in application.bot_data:
        services = services_of_app(application)
        for hook in reversed(SHUTDOWN_HOOKS):
            await hook(application, services)
        await services.db.close()
        del application.bot_data[SERVICES_KEY]
    # What was frozen at start-up can be collected again (a test run starts many bots).
    gc.unfreeze()
