"""An agent's own data: everything stored about one agent (for /mydata), erasing it
(/forgetme and the retention purge), and the /mydata rate limit.

Both the export and the erasure are table-driven: a feature that stores something about an
agent adds one line to ``EXPORT_SECTIONS`` (what the agent gets) and, unless its rows go with
the agent's by ``ON DELETE CASCADE`` and it needs nothing kept, one line to ``ERASED``. Lines
naming a table that this database does not have are skipped (a feature not merged yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.db import Database

# (section name, tables it reads, query of the agent ?1 — the user id, an integer).
# Columns are named for the agent; ids of the seller's admins are left out.
EXPORT_SECTIONS: list[tuple[str, tuple[str, ...], str]] = [
    (
        "identity",
        ("agents",),
        "SELECT user_id, first_name, last_name, username, language, status, started_bot,"
        " joined_at, last_seen_at, profile_at, removed_at, removed_reason, forgotten_at,"
        " region, buyer_id FROM agents WHERE user_id = ?1",
    ),
    (
        "seller_notes",
        ("agents", "agent_tags"),
        "SELECT remark, order_mode, last_contact_at, last_contact_note,"
        " (SELECT group_concat(tag, '、') FROM agent_tags t WHERE t.user_id = ?1) AS tags"
        " FROM agents WHERE user_id = ?1",
    ),
    (
        "groups",
        ("memberships", "groups"),
        "SELECT g.title AS group_title, g.chat_id AS group_chat_id, m.status, m.joined_at,"
        " m.left_at FROM memberships m JOIN groups g ON g.id = m.group_id"
        " WHERE m.user_id = ?1 ORDER BY m.joined_at",
    ),
    (
        "store_profile",
        ("agent_profiles",),
        "SELECT platform, store_name, store_url, category, badge, dsr_description,"
        " dsr_service, dsr_logistics, operating_status, updated_at"
        " FROM agent_profiles WHERE user_id = ?1",
    ),
    (
        "profile_submissions",
        ("profile_submissions",),
        "SELECT id, platform, store_name, store_url, category, badge, dsr_description,"
        " dsr_service, dsr_logistics, operating_status, order_mode, region, buyer_id, status,"
        " reason, submitted_at, reviewed_at FROM profile_submissions WHERE user_id = ?1"
        " ORDER BY id",
    ),
    (
        "quality_score",
        ("agent_scores",),
        "SELECT score, tier, breakdown, computed_at FROM agent_scores WHERE user_id = ?1",
    ),
    (
        "score_history",
        ("score_history",),
        "SELECT at, score, tier FROM score_history WHERE user_id = ?1 ORDER BY at, id",
    ),
    (
        "ratings",
        ("agent_ratings",),
        "SELECT stars, comment, at FROM agent_ratings WHERE user_id = ?1 ORDER BY at, id",
    ),
    (
        "orders",
        ("agent_orders",),
        "SELECT period, orders, amount_cents, imported_at FROM agent_orders"
        " WHERE user_id = ?1 ORDER BY period",
    ),
    (
        "training_rsvps",
        ("training_rsvps", "trainings"),
        "SELECT t.title AS training, t.starts_at, r.answer, r.answered_at"
        " FROM training_rsvps r JOIN trainings t ON t.id = r.training_id"
        " WHERE r.user_id = ?1 ORDER BY t.starts_at",
    ),
    (
        "training_attendance",
        ("training_attendance", "trainings"),
        "SELECT t.title AS training, t.starts_at, a.marked_at"
        " FROM training_attendance a JOIN trainings t ON t.id = a.training_id"
        " WHERE a.user_id = ?1 ORDER BY t.starts_at",
    ),
    (
        "seller_actions",
        ("audit_log",),
        "SELECT at, action, detail FROM audit_log WHERE target = CAST(?1 AS TEXT) ORDER BY at, id",
    ),
    (
        "private_messages",
        ("deliveries", "broadcasts"),
        "SELECT b.kind, d.status, d.sent_at FROM deliveries d"
        " JOIN broadcasts b ON b.id = d.broadcast_id WHERE d.chat_id = ?1 ORDER BY d.id",
    ),
    (
        "contacts",
        ("agent_contacts",),
        "SELECT at, note FROM agent_contacts WHERE user_id = ?1 ORDER BY at",
    ),
    (
        "materials_taken",
        ("material_takes",),
        "SELECT sku, at FROM material_takes WHERE user_id = ?1 ORDER BY at",
    ),
    (
        "samples",
        ("samples",),
        "SELECT sku, status, requested_at, decided_at, tracking, answer, listing_url,"
        " answered_at FROM samples WHERE user_id = ?1 ORDER BY id",
    ),
]

# (table, user id column): rows erased with the agent. The agent's own row is deleted last
# (or, for a removed agent, emptied down to its id: see PrivacyRepository.forget).
ERASED: list[tuple[str, str]] = [
    ("agent_tags", "user_id"),
    ("memberships", "user_id"),
    ("profile_submissions", "user_id"),
    ("agent_profiles", "user_id"),
    ("agent_ratings", "user_id"),
    ("agent_orders", "user_id"),
    ("agent_scores", "user_id"),
    ("score_history", "user_id"),
    ("training_rsvps", "user_id"),
    ("training_attendance", "user_id"),
    ("agent_contacts", "user_id"),
    ("material_takes", "user_id"),
    ("samples", "user_id"),  # its sample_events go with it (ON DELETE CASCADE)
    ("held_unreachable", "user_id"),  # a held /dm's unreachable agents
    ("followup_rows", "user_id"),  # the agent's rows of the stored follow-up lists
]

# What a removed agent keeps: the id, the status and when (so a removed agent who forgets
# themselves does not come back as a new active agent); every other column is emptied.
_EMPTIED = (
    "first_name = '', last_name = NULL, username = NULL, language = NULL, remark = NULL,"
    " order_mode = NULL, started_bot = 0, last_seen_at = NULL, last_contact_at = NULL,"
    " last_contact_note = NULL, removed_reason = NULL, quality_score = NULL,"
    " quality_tier = NULL, store_platform = NULL, store_category = NULL,"
    " store_category_top = NULL, profile_at = NULL, region = NULL, buyer_id = NULL,"
    " buyer_key = NULL"
)


@dataclass(frozen=True, slots=True)
class Forgotten:
    """The outcome of erasing one agent: ``kept`` when the id stays (a removed agent)."""

    user_id: int
    kept: bool


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def _tables(self) -> set[str]:
        rows = await self._db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}

    async def export(self, user_id: int) -> list[tuple[str, list[dict[str, Any]]]]:
        """Every section of ``EXPORT_SECTIONS`` this database has, as (name, rows)."""
        await self._db.pending_writes()
        tables = await self._tables()
        sections: list[tuple[str, list[dict[str, Any]]]] = []
        for name, needs, sql in EXPORT_SECTIONS:
            if not set(needs) <= tables:
                continue
            rows = await self._db.fetchall(sql, (user_id,))
            sections.append((name, [dict(zip(row.keys(), row, strict=True)) for row in rows]))
        return sections

    async def is_agent(self, user_id: int) -> bool:
        """Whether an agent row with data exists (a forgotten removed agent's has none)."""
        await self._db.pending_writes()
        row = await self._db.fetchone(
            "SELECT 1 FROM agents WHERE user_id = ? AND forgotten_at IS NULL", (user_id,)
        )
        return row is not None

    async def is_removed(self, user_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM agents WHERE user_id = ? AND status = 'removed'", (user_id,)
        )
        return row is not None

    async def last_export(self, user_id: int, since: int) -> int | None:
        """When the agent's latest /mydata after ``since`` was (its audit row), or None."""
        row = await self._db.fetchone(
            "SELECT max(at) FROM audit_log WHERE at > ? AND action = 'mydata' AND actor_id = ?",
            (since, user_id),
        )
        return int(row[0]) if row and row[0] is not None else None

    async def forget(self, user_id: int, now: int) -> Forgotten | None:
        """Erase what is stored about the agent, in one transaction (None: no such agent).

        Their rows in ``ERASED`` are deleted; the details of audit rows about them (remarks,
        contact notes) are cleared, the rows (who did what, when) stay; private messages sent
        only to them (an addressed greeting carries their title) are deleted once delivered.
        An active agent's row is then deleted; a removed agent's is emptied down to the id,
        status and removal time, so that the removal is still remembered."""
        await self._db.pending_writes()
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT status FROM agents WHERE user_id = ?", (user_id,)
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            kept = row[0] == "removed"
            tables = await self._tables()
            for table, column in ERASED:
                if table in tables:
                    await connection.execute(
                        f"DELETE FROM {table} WHERE {column} = ?",
                        (user_id,),
                    )
            await connection.execute(
                "UPDATE audit_log SET detail = NULL WHERE target = ?", (str(user_id),)
            )
            await connection.execute(
                "DELETE FROM broadcasts WHERE status = 'done' AND id IN"
                " (SELECT broadcast_id FROM deliveries WHERE chat_id = ?) AND NOT EXISTS"
                " (SELECT 1 FROM deliveries d WHERE d.broadcast_id = broadcasts.id"
                " AND d.chat_id != ?)",
                (user_id, user_id),
            )
            if kept:
                await connection.execute(
                    f"UPDATE agents SET {_EMPTIED}, forgotten_at = ? WHERE user_id = ?",
                    (now, user_id),
                )
            else:
                await connection.execute("DELETE FROM agents WHERE user_id = ?", (user_id,))
            return Forgotten(user_id, kept)

    async def inactive(self, before: int, limit: int) -> list[int]:
        """Agents not seen since ``before`` and not yet forgotten, oldest first."""
        await self._db.pending_writes()
        rows = await self._db.fetchall(
            "SELECT user_id FROM agents WHERE coalesce(last_seen_at, joined_at) < ?"
            " AND forgotten_at IS NULL ORDER BY coalesce(last_seen_at, joined_at) LIMIT ?",
            (before, limit),
        )
        return [row[0] for row in rows]

    async def forget_many(self, user_ids: Sequence[int], now: int) -> list[Forgotten]:
        """Erase several agents in one transaction (the retention purge's batch)."""
        done: list[Forgotten] = []
        async with self._db.transaction():
            for user_id in user_ids:
                outcome = await self.forget(user_id, now)
                if outcome is not None:
                    done.append(outcome)
        return done
