"""Removal jobs: removing agents from every active group, written first and executed by a
worker (bot/agents/removals.py). docs/ARCHITECTURE.md ("Removing agents") has the states."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import aiosqlite

from storage.db import Database

RemovalKind = Literal["agent", "tier"]
JobState = Literal["writing", "running", "done"]


@dataclass(frozen=True, slots=True)
class RemovalJob:
    id: int
    kind: RemovalKind
    label: str
    reason: str | None
    actor_id: int | None
    chat_id: int | None
    message_id: int | None
    language: str
    state: JobState
    written: int
    agents: int


@dataclass(frozen=True, slots=True)
class RemovalStep:
    """One agent to ban and unban in one group (``chat_id`` as the group has it now)."""

    id: int
    job_id: int
    user_id: int
    group_id: int
    chat_id: int
    title: str
    attempts: int


@dataclass(frozen=True, slots=True)
class StepCounts:
    total: int
    done: int
    failed: int

    @property
    def finished(self) -> int:
        return self.done + self.failed


@dataclass(frozen=True, slots=True)
class StepFailure:
    user_id: int
    name: str
    title: str
    error: str


def _job(row: aiosqlite.Row) -> RemovalJob:
    return RemovalJob(
        id=row["id"],
        kind=row["kind"],
        label=row["label"],
        reason=row["reason"],
        actor_id=row["actor_id"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        language=row["language"],
        state=row["state"],
        written=row["written"],
        agents=row["agents"],
    )


class RemovalRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        kind: RemovalKind,
        label: str,
        reason: str | None,
        actor_id: int | None,
        language: str,
        targets: list[int],
        now: int,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> int:
        """A job in state ``writing`` over ``targets``; nothing changed for them yet."""
        return await self._db.execute(
            "INSERT INTO removal_jobs (kind, label, reason, actor_id, chat_id, message_id,"
            " language, state, targets, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'writing', ?, ?)",
            (
                kind,
                label,
                reason,
                actor_id,
                chat_id,
                message_id,
                language,
                json.dumps(targets),
                now,
            ),
        )

    async def write_batch(self, job_id: int, size: int, now: int) -> list[int]:
        """Turn the job's next ``size`` targets into removals, in one transaction: each agent
        still active becomes ``removed`` (its memberships too) and gets one pending step per
        active group. Returns the agents changed; the job is ``running`` once all are
        written. An agent already removed (or being removed by another job) is skipped."""
        changed: list[int] = []
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT targets, written, reason FROM removal_jobs"
                " WHERE id = ? AND state = 'writing'",
                (job_id,),
            )
            row = await cursor.fetchone()
            if row is None:
                return changed
            targets: list[int] = json.loads(row["targets"])
            start = int(row["written"])
            batch = targets[start : start + size]
            if batch:
                cursor = await connection.execute(
                    f"UPDATE agents SET status = 'removed', removed_at = ?, removed_reason = ?"
                    f" WHERE status = 'active' AND user_id IN ({','.join('?' * len(batch))})"
                    f" RETURNING user_id",
                    (now, row["reason"], *batch),
                )
                changed = sorted(int(found[0]) for found in await cursor.fetchall())
            if changed:
                marks = ",".join("?" * len(changed))
                await connection.execute(
                    f"UPDATE memberships SET status = 'removed', left_at = ?"
                    f" WHERE status = 'member' AND user_id IN ({marks})",
                    (now, *changed),
                )
                await connection.execute(
                    f"INSERT OR IGNORE INTO removal_steps (job_id, user_id, group_id)"
                    f" SELECT ?, a.user_id, g.id FROM agents a, groups g"
                    f" WHERE g.active = 1 AND a.user_id IN ({marks})"
                    f" ORDER BY a.user_id, g.id",
                    (job_id, *changed),
                )
            written = start + len(batch)
            await connection.execute(
                "UPDATE removal_jobs SET written = ?, agents = agents + ?,"
                " state = CASE WHEN ? >= ? THEN 'running' ELSE 'writing' END,"
                " targets = CASE WHEN ? >= ? THEN '[]' ELSE targets END WHERE id = ?",
                (written, len(changed), written, len(targets), written, len(targets), job_id),
            )
        return changed

    async def set_progress_message(self, job_id: int, chat_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE removal_jobs SET chat_id = ?, message_id = ? WHERE id = ?",
            (chat_id, message_id, job_id),
        )

    async def get(self, job_id: int) -> RemovalJob | None:
        row = await self._db.fetchone("SELECT * FROM removal_jobs WHERE id = ?", (job_id,))
        return _job(row) if row else None

    async def open_jobs(self) -> list[RemovalJob]:
        """Jobs not reported yet, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM removal_jobs WHERE state != 'done' ORDER BY id"
        )
        return [_job(row) for row in rows]

    async def pending_steps(self, job_id: int, limit: int) -> list[RemovalStep]:
        rows = await self._db.fetchall(
            "SELECT s.id, s.job_id, s.user_id, s.group_id, g.chat_id, g.title, s.attempts"
            " FROM removal_steps s JOIN groups g ON g.id = s.group_id"
            " WHERE s.job_id = ? AND s.state = 'pending' ORDER BY s.id LIMIT ?",
            (job_id, limit),
        )
        return [RemovalStep(*row) for row in rows]

    async def finish_step(self, step_id: int, error: str | None, now: int) -> None:
        """The step is over: done, or failed for good with ``error``."""
        await self._db.execute(
            "UPDATE removal_steps SET state = ?, error = ?, done_at = ?, attempts = attempts + 1"
            " WHERE id = ? AND state = 'pending'",
            ("done" if error is None else "failed", error, now, step_id),
        )

    async def count_attempt(self, step_id: int) -> None:
        await self._db.execute(
            "UPDATE removal_steps SET attempts = attempts + 1 WHERE id = ?", (step_id,)
        )

    async def counts(self, job_id: int) -> StepCounts:
        row = await self._db.fetchone(
            "SELECT count(*), coalesce(sum(state = 'done'), 0), coalesce(sum(state = 'failed'), 0)"
            " FROM removal_steps WHERE job_id = ?",
            (job_id,),
        )
        assert row is not None
        return StepCounts(int(row[0]), int(row[1]), int(row[2]))

    async def failures(self, job_id: int, limit: int) -> list[StepFailure]:
        rows = await self._db.fetchall(
            "SELECT s.user_id, coalesce(a.first_name, ''), g.title, coalesce(s.error, '')"
            " FROM removal_steps s JOIN groups g ON g.id = s.group_id"
            " LEFT JOIN agents a ON a.user_id = s.user_id"
            " WHERE s.job_id = ? AND s.state = 'failed' ORDER BY s.id LIMIT ?",
            (job_id, limit),
        )
        return [StepFailure(row[0], row[1], row[2], row[3]) for row in rows]

    async def finish(self, job_id: int, now: int) -> None:
        await self._db.execute(
            "UPDATE removal_jobs SET state = 'done', finished_at = ? WHERE id = ?", (now, job_id)
        )
