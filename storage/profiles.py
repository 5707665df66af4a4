"""Store profiles (submissions and approved profiles), ratings, purchase activity and quality
scores. Times are Unix seconds (UTC); amounts are cents."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

from storage.db import Database
from storage.models import OrderMode, buyer_key
from storage.profile_models import (
    PROFILE_FIELDS,
    TIERS,
    AgentRowUpdate,
    BuyerIdTaken,
    Contribution,
    OperatingStatus,
    OrderRecord,
    PurchaseTotals,
    QueueEntry,
    Rating,
    RatingSummary,
    ScoreChange,
    ScoreSources,
    StoredScore,
    StoreProfile,
    Submission,
    SubmissionStatus,
    Tier,
)
from storage.review_queue import ReviewQueueQueries, stored_score

# The models moved to storage/profile_models.py; importers of this module keep working.
__all__ = [
    "PROFILE_FIELDS",
    "TIERS",
    "AgentRowUpdate",
    "BuyerIdTaken",
    "Contribution",
    "OperatingStatus",
    "OrderRecord",
    "ProfileRepository",
    "PurchaseTotals",
    "QueueEntry",
    "Rating",
    "RatingSummary",
    "ScoreChange",
    "ScoreSources",
    "StoreProfile",
    "StoredScore",
    "Submission",
    "SubmissionStatus",
    "Tier",
]


def _dump(breakdown: Sequence[Contribution]) -> str:
    return json.dumps([[c.factor, c.value, c.weight, c.points] for c in breakdown])


def _score_rows(scores: Sequence[tuple[int, float, Tier, Sequence[Contribution]]]) -> str:
    """``save_scores``'s rows as one JSON array of [user id, score, tier, breakdown]."""
    return json.dumps(
        [[user_id, score, tier, _dump(breakdown)] for user_id, score, tier, breakdown in scores]
    )


def _profile(row: aiosqlite.Row) -> StoreProfile:
    return StoreProfile(**{name: row[name] for name in PROFILE_FIELDS})


def _submission(row: aiosqlite.Row) -> Submission:
    return Submission(
        id=row["id"],
        user_id=row["user_id"],
        profile=_profile(row),
        order_mode=row["order_mode"],
        status=row["status"],
        reason=row["reason"],
        submitted_at=row["submitted_at"],
        reviewed_at=row["reviewed_at"],
        reviewed_by=row["reviewed_by"],
        region=row["region"],
        buyer_id=row["buyer_id"],
    )


_PROFILE_COLUMNS = ", ".join(PROFILE_FIELDS)
_PROFILE_MARKS = ", ".join("?" for _ in PROFILE_FIELDS)
_PROFILE_UPDATE = ", ".join(f"{name} = excluded.{name}" for name in PROFILE_FIELDS)


class ProfileRepository(ReviewQueueQueries):
    def __init__(self, db: Database) -> None:
        self._db = db

    # ---------------------------------------------------------------- submissions

    async def submit(
        self,
        user_id: int,
        profile: StoreProfile,
        order_mode: OrderMode,
        now: int,
        region: str | None = None,
        buyer_id: str | None = None,
    ) -> int:
        """Record a new submission; an older pending one of the same agent is superseded."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE profile_submissions SET status = 'superseded'"
                " WHERE user_id = ? AND status = 'pending'",
                (user_id,),
            )
            cursor = await connection.execute(
                f"INSERT INTO profile_submissions (user_id, {_PROFILE_COLUMNS}, order_mode,"
                f" submitted_at, region, buyer_id) VALUES (?, {_PROFILE_MARKS}, ?, ?, ?, ?)",
                (user_id, *profile.values(), order_mode, now, region, buyer_id),
            )
            return cursor.lastrowid or 0

    async def submission(self, submission_id: int) -> Submission | None:
        row = await self._db.fetchone(
            "SELECT * FROM profile_submissions WHERE id = ?", (submission_id,)
        )
        return _submission(row) if row else None

    async def latest_submission(self, user_id: int) -> Submission | None:
        row = await self._db.fetchone(
            "SELECT * FROM profile_submissions WHERE user_id = ? ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return _submission(row) if row else None

    async def approve(self, submission_id: int, reviewer: int, now: int) -> Submission | None:
        """Approve a pending submission: its fields become the agent's profile, its order mode,
        region and buyer id the agent's (a region or buyer id it does not carry keeps the
        agent's; an empty one clears it). Returns None when it was not pending (already
        handled); raises :class:`BuyerIdTaken` (nothing changed) when another agent holds its
        buyer id now."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE profile_submissions SET status = 'approved', reviewed_at = ?,"
                " reviewed_by = ? WHERE id = ? AND status = 'pending'",
                (now, reviewer, submission_id),
            )
            if cursor.rowcount != 1:
                return None
            cursor = await connection.execute(
                "SELECT * FROM profile_submissions WHERE id = ?", (submission_id,)
            )
            row = await cursor.fetchone()
            assert row is not None
            submission = _submission(row)
            key = buyer_key(submission.buyer_id) if submission.buyer_id else None
            if key is not None:
                cursor = await connection.execute(
                    "SELECT user_id FROM agents WHERE buyer_key = ? AND user_id != ?",
                    (key, submission.user_id),
                )
                holder = await cursor.fetchone()
                if holder is not None:
                    raise BuyerIdTaken(submission.buyer_id or "", int(holder[0]))
            await connection.execute(
                f"INSERT INTO agent_profiles (user_id, {_PROFILE_COLUMNS}, updated_at)"
                f" VALUES (?, {_PROFILE_MARKS}, ?)"
                f" ON CONFLICT (user_id) DO UPDATE SET {_PROFILE_UPDATE},"
                " updated_at = excluded.updated_at",
                (submission.user_id, *submission.profile.values(), now),
            )
            # NULL keeps the agent's value, "" (the agent chose 清除) removes it.
            await connection.execute(
                "UPDATE agents SET order_mode = ?1,"
                " region = CASE WHEN ?2 IS NULL THEN region ELSE nullif(?2, '') END,"
                " buyer_id = CASE WHEN ?3 IS NULL THEN buyer_id ELSE nullif(?3, '') END,"
                " buyer_key = CASE WHEN ?3 IS NULL THEN buyer_key ELSE ?4 END"
                " WHERE user_id = ?5",
                (
                    submission.order_mode,
                    submission.region,
                    submission.buyer_id,
                    key,
                    submission.user_id,
                ),
            )
            return submission

    async def return_submission(
        self, submission_id: int, reviewer: int, reason: str, now: int
    ) -> Submission | None:
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE profile_submissions SET status = 'returned', reason = ?,"
                " reviewed_at = ?, reviewed_by = ? WHERE id = ? AND status = 'pending'",
                (reason, now, reviewer, submission_id),
            )
            if cursor.rowcount != 1:
                return None
            cursor = await connection.execute(
                "SELECT * FROM profile_submissions WHERE id = ?", (submission_id,)
            )
            row = await cursor.fetchone()
            assert row is not None
            return _submission(row)

    # ---------------------------------------------------------------- approved profiles

    async def get(self, user_id: int) -> StoreProfile | None:
        row = await self._db.fetchone("SELECT * FROM agent_profiles WHERE user_id = ?", (user_id,))
        return _profile(row) if row else None

    async def many(self, user_ids: Sequence[int]) -> dict[int, StoreProfile]:
        """The approved profiles of ``user_ids`` (agents without one left out), one query."""
        rows = await self._db.fetchall(
            "SELECT * FROM agent_profiles WHERE user_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(user_ids)),),
        )
        return {row["user_id"]: _profile(row) for row in rows}

    async def all_profiles(self) -> dict[int, StoreProfile]:
        rows = await self._db.fetchall("SELECT * FROM agent_profiles")
        return {row["user_id"]: _profile(row) for row in rows}

    # ---------------------------------------------------------------- ratings

    async def rate(
        self, user_id: int, rated_by: int, stars: int, comment: str | None, now: int
    ) -> int:
        return await self._db.execute(
            "INSERT INTO agent_ratings (user_id, rated_by, stars, comment, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (user_id, rated_by, stars, comment, now),
        )

    async def ratings(self, user_id: int, limit: int = 20) -> list[Rating]:
        rows = await self._db.fetchall(
            "SELECT * FROM agent_ratings WHERE user_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [
            Rating(r["id"], r["user_id"], r["rated_by"], r["stars"], r["comment"], r["at"])
            for r in rows
        ]

    async def rating_stars(self, user_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT stars FROM agent_ratings WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [int(row[0]) for row in rows]

    async def rating_summary(self, user_id: int) -> RatingSummary:
        row = await self._db.fetchone(
            "SELECT count(*), avg(stars) FROM agent_ratings WHERE user_id = ?", (user_id,)
        )
        assert row is not None
        return RatingSummary(int(row[0]), float(row[1]) if row[1] is not None else None)

    # ---------------------------------------------------------------- purchase activity

    async def purchases_since(self, user_id: int, since: int) -> PurchaseTotals:
        row = await self._db.fetchone(
            "SELECT coalesce(sum(orders), 0), coalesce(sum(amount_cents), 0) FROM agent_orders"
            " WHERE user_id = ? AND period_end > ?",
            (user_id, since),
        )
        assert row is not None
        return PurchaseTotals(int(row[0]), int(row[1]))

    async def purchase_totals(self) -> dict[int, PurchaseTotals]:
        """All-time totals per agent (for the export)."""
        rows = await self._db.fetchall(
            "SELECT user_id, sum(orders), sum(amount_cents) FROM agent_orders GROUP BY user_id"
        )
        return {row[0]: PurchaseTotals(int(row[1]), int(row[2])) for row in rows}

    async def group_titles(self) -> dict[int, list[str]]:
        """Titles of the groups each agent is a member of (for the export)."""
        rows = await self._db.fetchall(
            "SELECT m.user_id, g.title FROM memberships m JOIN groups g ON g.id = m.group_id"
            " WHERE m.status = 'member' ORDER BY m.user_id, g.title"
        )
        titles: dict[int, list[str]] = {}
        for row in rows:
            titles.setdefault(row[0], []).append(row[1])
        return titles

    # ---------------------------------------------------------------- scores

    async def score(self, user_id: int) -> StoredScore | None:
        row = await self._db.fetchone("SELECT * FROM agent_scores WHERE user_id = ?", (user_id,))
        return stored_score(row) if row else None

    async def all_scores(self) -> dict[int, StoredScore]:
        rows = await self._db.fetchall("SELECT * FROM agent_scores")
        return {row["user_id"]: stored_score(row) for row in rows}

    async def save_scores(
        self,
        scores: Iterable[tuple[int, float, Tier, Sequence[Contribution]]],
        now: int,
    ) -> int:
        """Store current scores; a history row is added only when score or tier changed.
        Returns how many changed.

        Two set statements over one JSON array (built off the event loop): the database
        thread takes the GIL once per statement, not once per row, so a recompute batch's
        write does not keep taking it from the event loop."""
        rows = await asyncio.to_thread(_score_rows, list(scores))
        scored = (
            "WITH n AS (SELECT key, value ->> 0 AS user_id, value ->> 1 AS score,"
            " value ->> 2 AS tier, value ->> 3 AS breakdown FROM json_each(?)) "
        )
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                f"{scored}INSERT INTO score_history (user_id, at, score, tier)"
                " SELECT n.user_id, ?, n.score, n.tier FROM n"
                " LEFT JOIN agent_scores s ON s.user_id = n.user_id"
                " WHERE s.user_id IS NULL OR s.score IS NOT n.score OR s.tier IS NOT n.tier"
                " ORDER BY n.key",
                (rows, now),
            )
            changed = cursor.rowcount
            await connection.execute(
                f"{scored}INSERT INTO agent_scores (user_id, score, tier, breakdown, computed_at)"
                " SELECT n.user_id, n.score, n.tier, n.breakdown, ? FROM n WHERE true"
                " ON CONFLICT (user_id) DO UPDATE SET"
                " score = excluded.score, tier = excluded.tier,"
                " breakdown = excluded.breakdown, computed_at = excluded.computed_at",
                (rows, now),
            )
        return changed

    async def history(self, user_id: int, limit: int = 10) -> list[ScoreChange]:
        rows = await self._db.fetchall(
            "SELECT at, score, tier FROM score_history WHERE user_id = ?"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [ScoreChange(row[0], row[1], row[2]) for row in rows]

    async def stale_agents(self, older_than: int, limit: int | None = None) -> list[int]:
        """Agents whose score was computed before ``older_than`` (new agents have 0)."""
        sql = "SELECT user_id FROM agent_scores WHERE computed_at < ? ORDER BY computed_at"
        params: list[Any] = [older_than]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = await self._db.fetchall(sql, params)
        return [row[0] for row in rows]

    async def has_stale(self, older_than: int) -> bool:
        """Whether any score was computed before ``older_than`` (agent_scores_by_computed)."""
        row = await self._db.fetchone(
            "SELECT EXISTS (SELECT 1 FROM agent_scores WHERE computed_at < ?)", (older_than,)
        )
        return bool(row and row[0])

    async def any_attendance(self) -> bool:
        """Whether the trainings feature recorded any attendance at all (cheap pre-check)."""
        row = await self._db.fetchone("SELECT EXISTS (SELECT 1 FROM training_attendance)")
        return bool(row and row[0])

    async def agent_ids(self) -> list[int]:
        await self._db.pending_writes()
        rows = await self._db.fetchall("SELECT user_id FROM agents ORDER BY user_id")
        return [row[0] for row in rows]

    async def score_inputs(
        self, user_ids: Sequence[int], purchases_since: int
    ) -> dict[int, ScoreSources]:
        """Everything the score needs for ``user_ids``, in four queries."""
        await self._db.pending_writes()
        scope = " WHERE user_id IN (SELECT value FROM json_each(?))"
        params: list[Any] = [json.dumps(list(user_ids))]
        sources: dict[int, ScoreSources] = {}
        rows = await self._db.fetchall(
            f"SELECT user_id, last_seen_at, joined_at FROM agents{scope}", params
        )
        for row in rows:
            sources[row[0]] = ScoreSources(last_seen_at=row[1] or row[2])
        rows = await self._db.fetchall(f"SELECT * FROM agent_profiles{scope}", params)
        for row in rows:
            if row["user_id"] in sources:
                sources[row["user_id"]].profile = _profile(row)
        rows = await self._db.fetchall(
            f"SELECT user_id, stars FROM agent_ratings{scope} ORDER BY id", params
        )
        for row in rows:
            if row[0] in sources:
                sources[row[0]].ratings.append(int(row[1]))
        rows = await self._db.fetchall(
            f"SELECT user_id, sum(orders), sum(amount_cents) FROM agent_orders{scope}"
            " AND period_end > ?"
            " GROUP BY user_id",
            [*params, purchases_since],
        )
        for row in rows:
            if row[0] in sources:
                sources[row[0]].purchases = PurchaseTotals(int(row[1]), int(row[2]))
        return sources
