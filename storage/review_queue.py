"""The /lowquality review queue's queries over agent_scores and the agents' copied quality
columns: a page by keyset, the count, the agents of a tier, snoozing and when scores were last
computed. Mixed into :class:`storage.profiles.ProfileRepository` (``services.profiles``), whose
scores they read; a module of its own to keep each storage module readable."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiosqlite

from storage.agents import newcomer_sql
from storage.db import Database
from storage.profile_models import Contribution, QueueEntry, StoredScore, Tier

# The tiers /lowquality reviews.
QUEUE_TIERS: tuple[Tier, ...] = ("low", "invalid")


def stored_score(row: aiosqlite.Row) -> StoredScore:
    """An agent_scores row as a :class:`StoredScore`."""
    return StoredScore(
        user_id=row["user_id"],
        score=row["score"],
        tier=row["tier"],
        breakdown=tuple(Contribution(*item) for item in json.loads(row["breakdown"])),
        computed_at=row["computed_at"],
        snoozed_until=row["snoozed_until"],
    )


class ReviewQueueQueries:
    _db: Database

    async def snooze(self, user_id: int, until: int) -> None:
        await self._db.execute(
            "UPDATE agent_scores SET snoozed_until = ? WHERE user_id = ?", (until, user_id)
        )

    async def review_queue(
        self,
        now: int,
        *,
        limit: int,
        after: int | None = None,
        before: int | None = None,
        tiers: Sequence[Tier] = QUEUE_TIERS,
        newcomers_after: int | None = None,
    ) -> list[QueueEntry]:
        """A page of the /lowquality queue (:func:`_in_queue`), lowest score first, found by
        keyset from an agent's place in it: the first page, or the ``limit`` entries ``after``
        or ``before`` (returned in queue order) agent ``after`` / ``before``, whose place is
        their current score (a user id unknown to the roster gives no entries).

        One query per tier, each seeking into agents_by_quality_tier at the place and stopping
        after ``limit`` rows (over both tiers it would walk every better agent), merged here."""
        found: list[tuple[float, int, QueueEntry]] = []
        backwards = before is not None and after is None
        for tier in tiers:
            clause, params = _in_queue((tier,), newcomers_after)
            where = f"{clause} AND s.snoozed_until <= ? AND s.computed_at > 0"
            params = [*params, now]
            place = "((SELECT quality_score FROM agents WHERE user_id = ?), ?)"
            order = "a.quality_score, a.user_id"
            if after is not None:
                where += f" AND (a.quality_score, a.user_id) > {place}"
                params += [after, after]
            elif before is not None:
                where += f" AND (a.quality_score, a.user_id) < {place}"
                params += [before, before]
                order = "a.quality_score DESC, a.user_id DESC"
            rows = await self._db.fetchall(
                f"SELECT s.*, a.quality_score AS place FROM agents a"
                f" JOIN agent_scores s ON s.user_id = a.user_id"
                f" WHERE {where} ORDER BY {order} LIMIT ?",
                [*params, limit],
            )
            found += [
                (row["place"], row["user_id"], QueueEntry(row["user_id"], stored_score(row)))
                for row in rows
            ]
        found.sort(key=lambda item: (item[0], item[1]), reverse=backwards)
        entries = [entry for _, _, entry in found[:limit]]
        if backwards:
            entries.reverse()
        return entries

    async def queue_count(
        self, now: int, tiers: Sequence[Tier] = QUEUE_TIERS, newcomers_after: int | None = None
    ) -> int:
        """How many agents the queue holds: the covering index count of the tiers minus the
        (few) snoozed or never scored (placeholders of new agents) agents in them."""
        clause, params = _in_queue(tiers, newcomers_after)
        row = await self._db.fetchone(
            f"SELECT (SELECT count(*) FROM agents a WHERE {clause})"
            # CROSS JOIN keeps agent_scores outside: only the snoozed rows are visited.
            f" - (SELECT count(*) FROM agent_scores s CROSS JOIN agents a"
            f" ON a.user_id = s.user_id"
            f" WHERE (s.snoozed_until > ? OR s.computed_at = 0) AND {clause})",
            [*params, now, *params],
        )
        return int(row[0]) if row else 0

    async def queue_user_ids(
        self, now: int, tiers: Sequence[Tier], newcomers_after: int | None = None
    ) -> list[int]:
        """Every agent of the queue in ``tiers`` (for a bulk removal)."""
        clause, params = _in_queue(tiers, newcomers_after)
        rows = await self._db.fetchall(
            f"SELECT a.user_id FROM agents a JOIN agent_scores s ON s.user_id = a.user_id"
            f" WHERE {clause} AND s.snoozed_until <= ? AND s.computed_at > 0"
            " ORDER BY a.quality_score, a.user_id",
            [*params, now],
        )
        return [row[0] for row in rows]

    async def last_recompute(self) -> int | None:
        """When every scored agent's score was last computed (the oldest such time, read off
        agent_scores_by_computed; placeholders of new agents, at 0, left out); None if none."""
        return (await self.freshness(0))[0]

    async def freshness(self, stale_before: int) -> tuple[int | None, bool]:
        """:meth:`last_recompute`, and whether any score was computed before ``stale_before``
        (a catch-up is due: ``has_stale``), in one query (the queue page shows both)."""
        row = await self._db.fetchone(
            "SELECT (SELECT min(computed_at) FROM agent_scores WHERE computed_at > 0),"
            " EXISTS (SELECT 1 FROM agent_scores WHERE computed_at < ?)",
            (stale_before,),
        )
        assert row is not None
        return (None if row[0] is None else int(row[0])), bool(row[1])


def _in_queue(tiers: Sequence[Tier], newcomers_after: int | None) -> tuple[str, list[Any]]:
    """Which agents the /lowquality queue may hold (snoozing aside): active ones in ``tiers``,
    newcomers (no profile, joined after ``newcomers_after``: ``newcomer_sql``) left out. The
    one place that says so: the page, the count and the bulk removal all use it."""
    marks = ", ".join("?" for _ in tiers)
    clause, params = f"a.status = 'active' AND a.quality_tier IN ({marks})", list(tiers)
    if newcomers_after is not None:
        newcomer, newcomer_params = newcomer_sql(newcomers_after)
        clause, params = f"{clause} AND NOT {newcomer}", [*params, *newcomer_params]
    return clause, params
