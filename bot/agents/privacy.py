"""An agent's own data (PIPL-style rights): the /mydata export, /forgetme, and the optional
retention purge (``[privacy] retention_days``, a daily system schedule).

What is exported and what is erased is listed table by table in storage/privacy.py. Logs name
agents by id only.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import time as day_time
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcast.outbox import Payload
from bot.scheduling import model as scheduling
from bot.services import Services
from bot.texts import t
from storage.privacy import Forgotten, PrivacyRepository
from storage.schedule_models import Schedule

log = logging.getLogger(__name__)

# At most one /mydata per agent in this many seconds.
EXPORT_INTERVAL = 3600
RETENTION_KIND = "privacy_retention"
# Agents erased per transaction by the retention purge.
RETENTION_BATCH = 200
DAY = 86400


@dataclass(frozen=True, slots=True)
class Export:
    """The /mydata file: JSON bytes, and how many sections and records it holds."""

    data: bytes
    sections: int
    records: int


@dataclass(frozen=True, slots=True)
class TooSoon:
    """The agent exported within the hour; the next export is possible at ``retry_at``."""

    retry_at: int


def _is_time(column: str) -> bool:
    return column == "at" or column.endswith("_at")


def _readable(column: str, value: Any, tz: ZoneInfo) -> Any:
    """Times (Unix seconds in columns ``at`` / ``*_at``) as ISO 8601 in the seller's zone;
    the score breakdown (stored JSON) as a list."""
    if _is_time(column) and isinstance(value, int):
        return datetime.fromtimestamp(value, tz).isoformat()
    if column == "breakdown" and isinstance(value, str):
        names = ("factor", "value", "weight", "points")
        return [dict(zip(names, item, strict=True)) for item in json.loads(value)]
    return value


def render_export(
    user_id: int,
    sections: Sequence[tuple[str, list[dict[str, Any]]]],
    now: int,
    tz: ZoneInfo,
) -> Export:
    """The export as readable UTF-8 JSON (pure): every section by name, its rows as objects."""
    document = {
        "user_id": user_id,
        "generated_at": datetime.fromtimestamp(now, tz).isoformat(),
        "sections": {
            name: [{key: _readable(key, value, tz) for key, value in row.items()} for row in rows]
            for name, rows in sections
        },
    }
    data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return Export(data, len(sections), sum(len(rows) for _, rows in sections))


async def take_export(services: Services, user_id: int) -> Export | TooSoon | None:
    """The agent's data, or :class:`TooSoon` within the hour after the last one, or None when
    nothing is stored about them. The export is recorded (audit ``mydata``) in the same
    transaction as the check, so two requests cannot both pass it."""
    repository = PrivacyRepository(services.db)
    now = services.now()
    async with services.db.transaction():
        if not await repository.is_agent(user_id):
            return None
        last = await repository.last_export(user_id, now - EXPORT_INTERVAL)
        if last is not None:
            return TooSoon(last + EXPORT_INTERVAL)
        await services.audit.add(now, user_id, "mydata", str(user_id))
    sections = await repository.export(user_id)
    log.info("agent %s exported their data", user_id)
    return render_export(user_id, sections, now, services.settings.tz)


async def has_data(services: Services, user_id: int) -> bool:
    return await PrivacyRepository(services.db).is_agent(user_id)


async def is_removed(services: Services, user_id: int) -> bool:
    return await PrivacyRepository(services.db).is_removed(user_id)


async def forget_agent(services: Services, user_id: int) -> Forgotten | None:
    """Erase the agent's data (audited as ``forgetme``, by id only) and tell the owners."""
    repository = PrivacyRepository(services.db)
    async with services.audited(user_id, "forgetme", str(user_id)) as audit:
        outcome = await repository.forget(user_id, services.now())
        if outcome is None:
            audit.skip()
    if outcome is None:
        return None
    log.info("agent %s erased their data (id kept: %s)", user_id, outcome.kept)
    await _tell_owners(services, outcome)
    return outcome


async def _tell_owners(services: Services, outcome: Forgotten) -> None:
    owners = tuple(services.settings.owners)
    if not owners:
        return
    lang = services.settings.language
    key = "agentdata_forget_owner_kept" if outcome.kept else "agentdata_forget_owner"
    await services.outbox.submit(
        "notice",
        Payload(kind="text", text=t(lang, key, user_id=outcome.user_id)),
        owners,
        None,
        report=False,
    )


async def purge_inactive(services: Services) -> int:
    """Erase every agent not seen for ``[privacy] retention_days``, a batch per transaction
    (each with one audit row); returns how many. Nothing when retention is off."""
    days = services.settings.privacy.retention_days
    if days is None:
        return 0
    repository = PrivacyRepository(services.db)
    purged = 0
    while True:
        now = services.now()
        batch = await repository.inactive(now - days * DAY, RETENTION_BATCH)
        if not batch:
            break
        async with services.audited(None, "retention_purge") as audit:
            done = await repository.forget_many(batch, now)
            audit.detail = str(len(done))
        purged += len(done)
        await asyncio.sleep(0)  # let updates in between batches
    if purged:
        log.info("retention: erased %s agents inactive for %s days", purged, days)
    return purged


@scheduling.renderer(RETENTION_KIND)
async def _retention_fire(
    services: Services, schedule: Schedule, planned: int
) -> list[scheduling.Submission]:
    """A fire of the daily system job: the retention purge; nothing to send."""
    await purge_inactive(services)
    return []


async def schedule_retention(application: object, services: Services) -> None:
    """Startup hook (before the scheduler starts): the daily retention purge at
    ``[privacy] purge_hour``. It is planned even while retention is off (it then does
    nothing), so turning it on needs only the config."""
    at = day_time(hour=services.settings.privacy.purge_hour)
    await services.scheduler.ensure_daily(RETENTION_KIND, at)
