"""The contact log: every time the seller records contacting an agent (``/contacted``, the
follow-up list's button). The agent row keeps a copy of the latest contact
(``agents.last_contact_at`` / ``last_contact_note``) for the follow-up list and /export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True, slots=True)
class Contact:
    at: int
    note: str | None
    by_user: int | None


@dataclass(frozen=True, slots=True)
class FollowupDue:
    """An agent due a follow-up: no contact for ``days`` (their segment's cadence)."""

    user_id: int
    name: str
    last_contact_at: int | None
    days: int


class ContactRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, user_id: int, at: int, note: str | None, by_user: int | None) -> None:
        """Append a contact and make it the agent's latest (a contact recorded with an older
        time, e.g. by a clock change, never moves the latest one back)."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO agent_contacts (user_id, at, note, by_user) VALUES (?, ?, ?, ?)",
                (user_id, at, note, by_user),
            )
            await connection.execute(
                "UPDATE agents SET last_contact_at = ?, last_contact_note = ?"
                " WHERE user_id = ? AND coalesce(last_contact_at, 0) <= ?",
                (at, note, user_id, at),
            )

    async def recent(self, user_id: int, limit: int) -> list[Contact]:
        """The agent's latest ``limit`` contacts, newest first."""
        rows = await self._db.fetchall(
            "SELECT at, note, by_user FROM agent_contacts WHERE user_id = ?"
            " ORDER BY at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [Contact(row[0], row[1], row[2]) for row in rows]

    async def followups_due(
        self,
        now: int,
        *,
        default_days: int,
        tag_days: Mapping[str, int],
        mode_days: Mapping[str, int],
        exclude: tuple[int, ...],
        limit: int,
    ) -> tuple[list[FollowupDue], int]:
        """The first ``limit`` agents of :func:`followups_due_sql` (the most overdue first),
        and how many there are."""
        sql, params = followups_due_sql(
            now,
            default_days=default_days,
            tag_days=tag_days,
            mode_days=mode_days,
            exclude=exclude,
        )
        total = await self._db.fetchone(f"SELECT count(*) FROM ({sql})", params)
        rows = await self._db.fetchall(sql + " ORDER BY due, user_id LIMIT ?", [*params, limit])
        due = [FollowupDue(int(r[0]), str(r[1]), r[2], int(r[3])) for r in rows]
        return due, int(total[0]) if total else 0


def followups_due_sql(
    now: int,
    *,
    default_days: int,
    tag_days: Mapping[str, int],
    mode_days: Mapping[str, int],
    exclude: tuple[int, ...],
) -> tuple[str, list[object]]:
    """The one due-list query (also snapshotted by storage/followups.py): active agents whose
    last contact (or joining, if never contacted) is older than their cadence, as rows
    (user_id, name, last_contact_at, days, due), unordered (order by ``due, user_id``: the
    most overdue first). An agent's cadence is the shortest of its tags' and its order mode's
    in ``tag_days`` / ``mode_days``, else ``default_days``. One scan of the agents (a due
    agent's last contact is older than the shortest cadence of all). The name is the remark,
    else the first and last name (``Agent.display_name``)."""
    none = 1_000_000

    def table(name: str, column: str, values: Mapping[str, int]) -> tuple[str, list[object]]:
        if not values:
            return f"{name}({column}, days) AS (SELECT NULL, NULL WHERE 0)", []
        rows = ", ".join("(?, ?)" for _ in values)
        return f"{name}({column}, days) AS (VALUES {rows})", [
            item for pair in values.items() for item in pair
        ]

    tags_sql, tags_params = table("tag_days", "tag", tag_days)
    modes_sql, modes_params = table("mode_days", "mode", mode_days)
    shortest = min([default_days, *tag_days.values(), *mode_days.values()])
    marks = ",".join("?" * len(exclude))
    excluded = f" AND a.user_id NOT IN ({marks})" if exclude else ""
    # The shortest cadence of each agent in a segment, read from the tags' index: only
    # the agents that carry a segment's tag are visited, not every agent's tags.
    sql = (
        f"WITH {tags_sql}, {modes_sql}, segments AS ("
        " SELECT t.user_id, min(d.days) AS days FROM tag_days d"
        " JOIN agent_tags t ON t.tag = d.tag GROUP BY t.user_id),"
        " candidates AS ("
        " SELECT a.user_id, coalesce(nullif(a.remark, ''),"
        " a.first_name || coalesce(' ' || nullif(a.last_name, ''), '')) AS name,"
        " a.last_contact_at, coalesce(a.last_contact_at, a.joined_at) AS since,"
        f" coalesce(nullif(min(coalesce(s.days, {none}), coalesce(m.days, {none})), {none}),"
        " ?) AS days"
        " FROM agents a LEFT JOIN segments s ON s.user_id = a.user_id"
        " LEFT JOIN mode_days m ON m.mode = a.order_mode"
        " WHERE a.status = 'active' AND coalesce(a.last_contact_at, a.joined_at) < ?"
        f"{excluded})"
        " SELECT user_id, name, last_contact_at, days, since + days * 86400 AS due"
        " FROM candidates WHERE since < ? - days * 86400"
    )
    params = [*tags_params, *modes_params, default_days, now - shortest * 86400, *exclude, now]
    return sql, params
