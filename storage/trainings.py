"""Trainings, the agents' RSVPs and attendance."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Sequence

import aiosqlite

from storage.db import Database
from storage.outbox import NewBroadcast, insert_broadcast
from storage.schedule_models import (
    RSVP_ANSWERS,
    GreetingRun,
    GreetingStatus,
    Rsvp,
    RsvpAnswer,
    Training,
)

_SELECT = (
    "SELECT id, title, starts_at, duration_minutes, location, materials_file, target_tags,"
    " creator_id, broadcast_id, status, created_at FROM trainings"
)


def _training(row: aiosqlite.Row) -> Training:
    return Training(
        id=row["id"],
        title=row["title"],
        starts_at=row["starts_at"],
        duration_minutes=row["duration_minutes"],
        location=row["location"],
        materials_file=row["materials_file"],
        target_tags=tuple(tag for tag in row["target_tags"].split("\x1f") if tag),
        creator_id=row["creator_id"],
        broadcast_id=row["broadcast_id"],
        status=row["status"],
        created_at=row["created_at"],
    )


class TrainingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        title: str,
        starts_at: int,
        duration_minutes: int,
        location: str,
        materials_file: str | None,
        target_tags: Sequence[str],
        creator_id: int,
        now: int,
    ) -> Training:
        async with self._db.transaction():
            training_id = await self._db.execute(
                "INSERT INTO trainings (title, starts_at, duration_minutes, location,"
                " materials_file, target_tags, creator_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    title,
                    starts_at,
                    duration_minutes,
                    location,
                    materials_file,
                    "\x1f".join(target_tags),
                    creator_id,
                    now,
                ),
            )
            training = await self.get(training_id)
        assert training is not None
        return training

    async def get(self, training_id: int) -> Training | None:
        row = await self._db.fetchone(_SELECT + " WHERE id = ?", (training_id,))
        return _training(row) if row else None

    async def list(self, *, since: int, limit: int) -> builtins.list[Training]:
        """Trainings that end after ``since`` (upcoming and running), soonest first, then the
        most recent past ones to fill ``limit``."""
        rows = await self._db.fetchall(
            _SELECT + " ORDER BY (starts_at + duration_minutes * 60 < ?), "
            "CASE WHEN starts_at + duration_minutes * 60 >= ? THEN starts_at ELSE -starts_at END"
            " LIMIT ?",
            (since, since, limit),
        )
        return [_training(row) for row in rows]

    async def set_broadcast(self, training_id: int, broadcast_id: int) -> None:
        await self._db.execute(
            "UPDATE trainings SET broadcast_id = ? WHERE id = ?", (broadcast_id, training_id)
        )

    async def rsvp(self, training_id: int, user_id: int, answer: RsvpAnswer, now: int) -> bool:
        """Store an answer; True when it changed something (a repeated click does not)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO training_rsvps (training_id, user_id, answer, answered_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (training_id, user_id) DO UPDATE"
                " SET answer = excluded.answer, answered_at = excluded.answered_at"
                " WHERE training_rsvps.answer != excluded.answer",
                (training_id, user_id, answer, now),
            )
            return cursor.rowcount > 0

    async def counts(self, training_id: int) -> dict[RsvpAnswer, int]:
        rows = await self._db.fetchall(
            "SELECT answer, count(*) FROM training_rsvps WHERE training_id = ? GROUP BY answer",
            (training_id,),
        )
        found = {row[0]: row[1] for row in rows}
        return {answer: int(found.get(answer, 0)) for answer in RSVP_ANSWERS}

    async def rsvps(self, training_id: int) -> builtins.list[Rsvp]:
        """Every answer with the agent's display name (remark, else first name)."""
        rows = await self._db.fetchall(
            "SELECT r.user_id, r.answer, r.answered_at,"
            " coalesce(nullif(a.remark, ''), a.first_name, CAST(r.user_id AS TEXT)),"
            " EXISTS (SELECT 1 FROM training_attendance x WHERE x.training_id = r.training_id"
            "   AND x.user_id = r.user_id)"
            " FROM training_rsvps r LEFT JOIN agents a ON a.user_id = r.user_id"
            " WHERE r.training_id = ? ORDER BY r.answered_at, r.user_id",
            (training_id,),
        )
        return [Rsvp(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]

    async def present(self, training_id: int) -> builtins.list[tuple[int, str]]:
        """(user id, display name) of the agents marked as attended."""
        rows = await self._db.fetchall(
            "SELECT x.user_id, coalesce(nullif(a.remark, ''), a.first_name,"
            " CAST(x.user_id AS TEXT)) FROM training_attendance x"
            " LEFT JOIN agents a ON a.user_id = x.user_id WHERE x.training_id = ?"
            " ORDER BY x.marked_at, x.user_id",
            (training_id,),
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    async def attending(
        self,
        training_id: int,
        answers: Sequence[RsvpAnswer] = ("yes",),
        *,
        members_of: Sequence[int],
    ) -> builtins.list[int]:
        """User ids who gave one of ``answers`` (by default 参加), can be messaged in private
        (started the bot) and are now members of one of the groups ``members_of`` (chat ids:
        the training's target groups; a private message may carry its meeting link)."""
        marks = ",".join("?" * len(answers))
        chats = ",".join("?" * len(members_of))
        rows = await self._db.fetchall(
            "SELECT r.user_id FROM training_rsvps r JOIN agents a ON a.user_id = r.user_id"
            f" WHERE r.training_id = ? AND r.answer IN ({marks}) AND a.started_bot = 1"
            " AND EXISTS (SELECT 1 FROM memberships m JOIN groups g ON g.id = m.group_id"
            "   WHERE m.user_id = r.user_id AND m.status = 'member'"
            f"   AND g.chat_id IN ({chats}))"
            " ORDER BY r.answered_at, r.user_id",
            (training_id, *answers, *members_of),
        )
        return [int(row[0]) for row in rows]

    async def cancel(
        self, training_id: int, now: int, notices: Sequence[NewBroadcast] = ()
    ) -> bool:
        """Mark a scheduled training that has not started by ``now`` as cancelled and write
        ``notices`` to the outbox, in one transaction (the notices cannot be lost to a crash
        between the two); True when this call changed it (a second call, or one after the
        start, changes and writes nothing)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE trainings SET status = 'cancelled'"
                " WHERE id = ? AND status = 'scheduled' AND starts_at > ?",
                (training_id, now),
            )
            if cursor.rowcount <= 0:
                return False
            for notice in notices:
                await insert_broadcast(connection, notice, now)
            return True

    async def mark_attended(
        self, training_id: int, user_ids: Iterable[int], marked_by: int, now: int
    ) -> int:
        """Record attendance; returns how many were newly marked."""
        async with self._db.transaction() as connection:
            marked = 0
            for user_id in user_ids:
                cursor = await connection.execute(
                    "INSERT OR IGNORE INTO training_attendance (training_id, user_id, marked_by,"
                    " marked_at) VALUES (?, ?, ?, ?)",
                    (training_id, user_id, marked_by, now),
                )
                marked += cursor.rowcount
            return marked

    async def unmark_attended(self, training_id: int, user_id: int) -> bool:
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM training_attendance WHERE training_id = ? AND user_id = ?",
                (training_id, user_id),
            )
            return cursor.rowcount > 0

    async def attendance_rate(self, user_id: int) -> float | None:
        """Share of the trainings an agent was expected at that the agent attended (see
        :meth:`attendance_rates`); None when no such training exists."""
        return (await self.attendance_rates([user_id])).get(user_id)

    async def attendance_rates(self, user_ids: Sequence[int]) -> dict[int, float]:
        """Each agent's share of the trainings it was expected at that it attended, in one
        query (a recompute batch's agents at once).

        Only trainings where the seller took attendance count (at least one agent marked);
        the agent was expected when it answered 参加 or 待定, or was marked present. An agent
        who answered 不参加 is excused. Agents with no such training are left out (no data,
        which the quality score treats as a missing factor rather than as zero)."""
        rows = await self._db.fetchall(
            "WITH taken(id) AS (SELECT t.id FROM trainings t WHERE t.status = 'scheduled'"
            "   AND EXISTS (SELECT 1 FROM training_attendance x WHERE x.training_id = t.id)),"
            " asked(user_id) AS (SELECT DISTINCT value FROM json_each(?)),"
            " pairs(user_id, attended, answered) AS (SELECT a.user_id,"
            "   EXISTS (SELECT 1 FROM training_attendance x"
            "     WHERE x.training_id = k.id AND x.user_id = a.user_id),"
            "   EXISTS (SELECT 1 FROM training_rsvps r WHERE r.training_id = k.id"
            "     AND r.user_id = a.user_id AND r.answer IN ('yes', 'maybe'))"
            "   FROM asked a CROSS JOIN taken k)"
            " SELECT user_id, count(*), sum(attended) FROM pairs WHERE attended OR answered"
            " GROUP BY user_id",
            (json.dumps(list(user_ids)),),
        )
        return {int(row[0]): float(row[2] or 0) / float(row[1]) for row in rows if row[1]}


class GreetingRepository:
    """Greeting templates (one per festival) and the yearly preview decisions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def template(self, festival: str) -> str | None:
        row = await self._db.fetchone(
            "SELECT text FROM greeting_templates WHERE festival = ?", (festival,)
        )
        return str(row[0]) if row else None

    async def set_template(self, festival: str, text: str, user_id: int, now: int) -> None:
        await self._db.execute(
            "INSERT INTO greeting_templates (festival, text, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (festival) DO UPDATE SET text = excluded.text,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (festival, text, user_id, now),
        )

    async def run(self, festival: str, year: int) -> GreetingRun | None:
        row = await self._db.fetchone(
            "SELECT festival, year, day, status, text, decided_by, schedule_id FROM greeting_runs"
            " WHERE festival = ? AND year = ?",
            (festival, year),
        )
        return GreetingRun(*row) if row else None

    async def start_run(self, festival: str, year: int, day: str, text: str, now: int) -> bool:
        """Record that the preview went out; False if this festival's year already has one."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO greeting_runs (festival, year, day, status, text,"
                " created_at) VALUES (?, ?, ?, 'pending', ?, ?)",
                (festival, year, day, text, now),
            )
            return cursor.rowcount > 0

    async def decide(
        self,
        festival: str,
        year: int,
        status: GreetingStatus,
        user_id: int,
        now: int,
    ) -> bool:
        """Approve or skip a pending preview; False if it was already decided."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE greeting_runs SET status = ?, decided_by = ?, decided_at = ?"
                " WHERE festival = ? AND year = ? AND status = 'pending'",
                (status, user_id, now, festival, year),
            )
            return cursor.rowcount > 0

    async def set_schedule(self, festival: str, year: int, schedule_id: int) -> None:
        await self._db.execute(
            "UPDATE greeting_runs SET schedule_id = ? WHERE festival = ? AND year = ?",
            (schedule_id, festival, year),
        )
