"""Agents (the resellers in the seller's groups), their tags and their group memberships."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import aiosqlite

from storage.db import Database
from storage.models import Agent, AgentFilter, Membership, OrderMode

# The /agents order: most recently seen first (joined, for agents never seen), then user id.
ACTIVITY = "coalesce(a.last_seen_at, a.joined_at)"
# Which rows a page holds relative to its cursor (see AgentRepository.page).
Direction = Literal["after", "at", "before"]

_SELECT = """
SELECT a.*, (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM agent_tags t
            WHERE t.user_id = a.user_id ORDER BY tag)) AS tags
FROM agents a
"""


def agent_from_row(row: aiosqlite.Row | Mapping[str, Any]) -> Agent:
    """An agents row (``a.*`` with its tags joined by char(31) as ``tags``) as an Agent."""
    return Agent(
        user_id=row["user_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        language=row["language"],
        remark=row["remark"],
        order_mode=row["order_mode"],
        status=row["status"],
        started_bot=bool(row["started_bot"]),
        joined_at=row["joined_at"],
        last_seen_at=row["last_seen_at"],
        last_contact_at=row["last_contact_at"],
        last_contact_note=row["last_contact_note"],
        removed_reason=row["removed_reason"],
        tags=tuple(row["tags"].split("\x1f")) if row["tags"] else (),
        profile_at=row["profile_at"],
        muted=row["muted_at"] is not None,
        region=row["region"],
        buyer_id=row["buyer_id"],
    )


@dataclass(frozen=True, slots=True)
class RosterKey:
    """A row's place in the /agents order: its activity time and user id. A page of the roster
    is named by the key of its first (or last) row, not by an offset."""

    activity: int
    user_id: int

    @staticmethod
    def of(agent: Agent) -> RosterKey:
        return RosterKey(agent.last_seen_at or agent.joined_at, agent.user_id)


# The keyset predicates, for the order (activity DESC, user_id). Each starts with a range on
# the activity alone, so the planner seeks into an activity index instead of walking to the
# cursor; the second part settles ties on the same second.
_KEYSET: dict[Direction, str] = {
    "after": f"{ACTIVITY} <= ? AND ({ACTIVITY} < ? OR a.user_id > ?)",
    "at": f"{ACTIVITY} <= ? AND ({ACTIVITY} < ? OR a.user_id >= ?)",
    "before": f"{ACTIVITY} >= ? AND ({ACTIVITY} > ? OR a.user_id < ?)",
}


@dataclass(frozen=True, slots=True)
class Sighting:
    """An agent seen writing in groups (``group_ids``, database ids) at ``at``."""

    user_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language: str | None
    at: int
    group_ids: tuple[int, ...]


class AgentRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language: str | None,
        now: int,
        *,
        started_bot: bool = False,
    ) -> bool:
        """Insert or refresh an agent's Telegram identity. Returns True when the agent is new."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute("SELECT 1 FROM agents WHERE user_id = ?", (user_id,))
            is_new = await cursor.fetchone() is None
            await connection.execute(
                "INSERT INTO agents (user_id, first_name, last_name, username, language,"
                " joined_at, last_seen_at, started_bot) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name,"
                " last_name = excluded.last_name, username = excluded.username,"
                " language = coalesce(excluded.language, agents.language),"
                " started_bot = max(agents.started_bot, excluded.started_bot)",
                (user_id, first_name, last_name, username, language, now, now, int(started_bot)),
            )
            return is_new

    async def get(self, user_id: int) -> Agent | None:
        await self._db.pending_writes()
        row = await self._db.fetchone(_SELECT + " WHERE a.user_id = ?", (user_id,))
        return agent_from_row(row) if row else None

    async def many(self, user_ids: Sequence[int]) -> dict[int, Agent]:
        """The agents of ``user_ids`` that exist, in one query (a page's rows)."""
        await self._db.pending_writes()
        rows = await self._db.fetchall(
            _SELECT + " WHERE a.user_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(user_ids)),),
        )
        return {row["user_id"]: agent_from_row(row) for row in rows}

    async def by_username(self, username: str) -> Agent | None:
        await self._db.pending_writes()
        row = await self._db.fetchone(
            _SELECT + " WHERE a.username = ? COLLATE NOCASE", (username.lstrip("@"),)
        )
        return agent_from_row(row) if row else None

    async def by_buyer_keys(self, keys: Iterable[str]) -> dict[str, int]:
        """The agent holding each of ``keys`` (buyer ids in :func:`storage.models.buyer_key`
        form; keys nobody holds are left out), in one query of agents_by_buyer_key."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        await self._db.pending_writes()
        rows = await self._db.fetchall(
            "SELECT buyer_key, user_id FROM agents"
            " WHERE buyer_key IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        )
        return {row[0]: int(row[1]) for row in rows}

    async def joined_group(
        self,
        group_id: int,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language: str | None,
        now: int,
    ) -> None:
        """An agent joined a group: their identity and the membership in one transaction."""
        async with self._db.transaction():
            await self.record(user_id, first_name, last_name, username, language, now)
            await self.join(group_id, user_id, now)

    async def seen_many(self, sightings: Sequence[Sighting]) -> None:
        """Agents wrote in groups: refresh identity and last-seen, and make sure each
        membership exists (agents who were in the group before the bot was). One transaction
        for all of them."""
        if not sightings:
            return
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO agents (user_id, first_name, last_name, username, language,"
                " joined_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name,"
                " last_name = excluded.last_name, username = excluded.username,"
                " language = coalesce(excluded.language, agents.language),"
                " last_seen_at = max(coalesce(agents.last_seen_at, 0), excluded.last_seen_at)",
                [
                    (s.user_id, s.first_name, s.last_name, s.username, s.language, s.at, s.at)
                    for s in sightings
                ],
            )
            await connection.executemany(
                "INSERT INTO memberships (group_id, user_id, status, joined_at)"
                " VALUES (?, ?, 'member', ?) ON CONFLICT (group_id, user_id) DO UPDATE"
                " SET status = 'member', left_at = NULL WHERE memberships.status != 'member'",
                [(group_id, s.user_id, s.at) for s in sightings for group_id in s.group_ids],
            )

    async def set_remark(self, user_id: int, remark: str | None) -> None:
        await self._db.execute("UPDATE agents SET remark = ? WHERE user_id = ?", (remark, user_id))

    async def set_order_mode(self, user_id: int, mode: OrderMode) -> None:
        await self._db.execute(
            "UPDATE agents SET order_mode = ? WHERE user_id = ?", (mode, user_id)
        )

    async def add_tags(self, user_id: int, tags: Iterable[str]) -> None:
        async with self._db.transaction() as connection:
            await connection.executemany(
                "INSERT OR IGNORE INTO agent_tags (user_id, tag) VALUES (?, ?)",
                [(user_id, tag) for tag in tags],
            )

    async def remove_tags(self, user_id: int, tags: Iterable[str]) -> None:
        async with self._db.transaction() as connection:
            await connection.executemany(
                "DELETE FROM agent_tags WHERE user_id = ? AND tag = ?",
                [(user_id, tag) for tag in tags],
            )

    async def join(self, group_id: int, user_id: int, now: int) -> None:
        await self._db.execute(
            "INSERT INTO memberships (group_id, user_id, status, joined_at)"
            " VALUES (?, ?, 'member', ?)"
            " ON CONFLICT (group_id, user_id) DO UPDATE SET status = 'member',"
            " joined_at = excluded.joined_at, left_at = NULL",
            (group_id, user_id, now),
        )

    async def leave(self, group_id: int, user_id: int, now: int) -> None:
        await self._db.execute(
            "UPDATE memberships SET status = 'left', left_at = ?"
            " WHERE group_id = ? AND user_id = ? AND status = 'member'",
            (now, group_id, user_id),
        )

    async def member_of_any(self, user_id: int, chat_ids: Sequence[int]) -> bool:
        """Whether the user is now a member of one of the groups ``chat_ids``."""
        await self._db.pending_writes()
        marks = ",".join("?" * len(chat_ids))
        row = await self._db.fetchone(
            "SELECT EXISTS (SELECT 1 FROM memberships m JOIN groups g ON g.id = m.group_id"
            f" WHERE m.user_id = ? AND m.status = 'member' AND g.chat_id IN ({marks}))",
            (user_id, *chat_ids),
        )
        return bool(row and row[0])

    async def memberships(self, user_id: int) -> list[Membership]:
        await self._db.pending_writes()
        rows = await self._db.fetchall(
            "SELECT g.chat_id, g.title, m.status, m.joined_at, m.left_at FROM memberships m"
            " JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY g.title",
            (user_id,),
        )
        return [Membership(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    async def mark_removed(self, user_id: int, reason: str | None, now: int) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE agents SET status = 'removed', removed_at = ?, removed_reason = ?"
                " WHERE user_id = ?",
                (now, reason, user_id),
            )
            await connection.execute(
                "UPDATE memberships SET status = 'removed', left_at = ?"
                " WHERE user_id = ? AND status = 'member'",
                (now, user_id),
            )

    async def search(
        self, query: AgentFilter, *, limit: int, offset: int = 0
    ) -> tuple[list[Agent], int]:
        """Agents matching ``query``, most recently seen first, and the total count."""
        await self._db.pending_writes()
        where, params = filter_where(query)
        count_row = await self._db.fetchone(f"SELECT count(*) FROM agents a {where}", params)
        where, params = filter_where(query, ordered=True)
        rows = await self._db.fetchall(
            f"{_SELECT} {where} ORDER BY coalesce(a.last_seen_at, a.joined_at) DESC, a.user_id"
            " LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [agent_from_row(row) for row in rows], int(count_row[0]) if count_row else 0

    async def count(self, query: AgentFilter) -> int:
        """How many agents match ``query`` (once per query: the pages only need it for "k/n")."""
        await self._db.pending_writes()
        row = await self._db.fetchone(*count_query(query))
        return int(row[0]) if row else 0

    async def page(
        self,
        query: AgentFilter,
        *,
        limit: int,
        cursor: RosterKey | None = None,
        direction: Direction = "after",
    ) -> list[Agent]:
        """One page of agents matching ``query`` in /agents order, found from ``cursor`` by
        keyset (no OFFSET: the last page costs what the first does): the first page without a
        cursor; else the ``limit`` rows ``after`` it, from it on (``at``, the cursor's row
        included), or ``before`` it (returned in /agents order)."""
        await self._db.pending_writes()
        rows = await self._db.fetchall(*page_query(query, limit, cursor, direction))
        agents = [agent_from_row(row) for row in rows]
        if cursor is not None and direction == "before":
            agents.reverse()
        return agents

    async def by_remark(self, remark: str, limit: int) -> list[Agent]:
        """Agents whose remark is exactly ``remark`` (at most ``limit``; active ones first)."""
        await self._db.pending_writes()
        rows = await self._db.fetchall(
            _SELECT + " WHERE a.remark = ? ORDER BY a.status, a.user_id LIMIT ?", (remark, limit)
        )
        return [agent_from_row(row) for row in rows]

    async def by_remark_prefix(self, prefix: str, limit: int) -> list[Agent]:
        """Agents whose remark begins with ``prefix`` (at most ``limit``), read as a range of
        agents_by_remark: UTF-8 sorts like code points, so the remarks beginning with
        ``prefix`` are those from ``prefix`` up to it with its last character incremented."""
        await self._db.pending_writes()
        last = ord(prefix[-1])
        simple = last < 0xD7FF or 0xE000 <= last < 0x10FFFF  # the next code point is encodable
        upper = prefix[:-1] + chr(last + 1) if simple else prefix + "\U0010ffff"
        rows = await self._db.fetchall(
            _SELECT + " WHERE a.remark >= ? AND a.remark < ? AND substr(a.remark, 1, ?) = ?"
            " ORDER BY a.remark, a.user_id LIMIT ?",
            (prefix, upper, len(prefix), prefix, limit),
        )
        return [agent_from_row(row) for row in rows]


def count_query(query: AgentFilter) -> tuple[str, list[Any]]:
    """The SQL (and parameters) counting the agents of ``query``."""
    where, params = filter_where(query)
    return f"SELECT count(*) FROM agents a {where}", params


def page_query(
    query: AgentFilter, limit: int, cursor: RosterKey | None, direction: Direction
) -> tuple[str, list[Any]]:
    """The SQL (and parameters) of a page of :meth:`AgentRepository.page`."""
    where, params = filter_where(query, ordered=True)
    order = f"{ACTIVITY} DESC, a.user_id"
    if cursor is not None:
        # The keyset first: of two bounds on the activity (inactive: has one too), the
        # planner seeks by the first one it is given.
        keyset = _KEYSET[direction]
        where = f"WHERE {keyset}" + (f" AND {where[len('WHERE ') :]}" if where else "")
        params = [cursor.activity, cursor.activity, cursor.user_id, *params]
        if direction == "before":
            order = f"{ACTIVITY}, a.user_id DESC"
    return f"{_SELECT} {where} ORDER BY {order} LIMIT ?", [*params, limit]


# The /agents tier filter's value for newcomers (待完善), a state beside the tiers.
NEWCOMER = "newcomer"


def newcomer_sql(joined_after: int, alias: str = "a") -> tuple[str, list[Any]]:
    """The newcomer rule (bot.agents.quality.is_newcomer) as a WHERE term on the agents row
    ``alias``: no profile ever arrived and the agent joined after ``joined_after``. Never NULL,
    so ``NOT`` of it is its exact complement. Queries that rank agents by tier (/lowquality,
    a tier removal, ``tier:`` in /agents) leave these agents out with ``NOT``."""
    return f"({alias}.profile_at IS NULL AND {alias}.joined_at > ?)", [joined_after]


def filter_where(query: AgentFilter, *, ordered: bool = False) -> tuple[str, list[Any]]:
    """The WHERE clause of ``query`` (also used by storage/reach.py). ``ordered`` shapes it for
    the page query (see the sub-category case); both shapes select the same agents."""
    clauses: list[str] = []
    params: list[Any] = []
    # Without statistics (the bot never runs ANALYZE) the planner would start from the status
    # in an activity index even where a group's or a tag's few rows are the better start: the
    # unary + hides the status (and below, the score) from it where another start is better.
    from_list = query.group_chat_id is not None or (bool(query.tags) and not ordered)
    if not query.include_removed:
        clauses.append("+a.status = 'active'" if from_list else "a.status = 'active'")
    for tag in query.tags:
        # The page walks the activity order and tests each agent's tag (a tag is common enough
        # that a page is found soon); the count starts from the tag's own rows instead, unless
        # a group (a few hundred members) is the better start.
        if ordered or query.group_chat_id is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM agent_tags t WHERE t.user_id = a.user_id AND t.tag = ?)"
            )
        else:
            clauses.append("a.user_id IN (SELECT t.user_id FROM agent_tags t WHERE t.tag = ?)")
        params.append(tag)
    if query.group_chat_id is not None:
        # A group's members are found from the group (memberships' key) and then sorted: a
        # few hundred rows, where walking the whole roster for them would read every agent.
        clauses.append(
            "a.user_id IN (SELECT m.user_id FROM memberships m JOIN groups g"
            " ON g.id = m.group_id WHERE g.chat_id = ? AND m.status = 'member')"
        )
        params.append(query.group_chat_id)
    if query.order_mode is not None:
        clauses.append("a.order_mode = ?")
        params.append(query.order_mode)
    if query.inactive_since is not None:
        clauses.append("coalesce(a.last_seen_at, a.joined_at) < ?")
        params.append(query.inactive_since)
    if query.tier is not None and query.tier != NEWCOMER:
        clauses.append("a.quality_tier = ?")
        params.append(query.tier)
    if query.tier is not None and query.newcomers_after is not None:
        term, term_params = newcomer_sql(query.newcomers_after)
        clauses.append(term if query.tier == NEWCOMER else f"NOT {term}")
        params += term_params
    elif query.tier == NEWCOMER:
        clauses.append("0")  # no newcomer rule: nobody is a newcomer
    if query.score is not None:
        operator, bound = query.score
        assert operator in ("<", "<=", ">", ">=")
        # Its own index (a range) only counts score: alone; pages walk the /agents order.
        alone = not any(
            (query.tags, query.group_chat_id, query.order_mode, query.inactive_since)
        ) and not any((query.tier, query.platform, query.category))
        column = "a.quality_score" if alone and not ordered else "+a.quality_score"
        clauses.append(f"{column} {operator} ?")
        params.append(bound)
    if query.platform is not None:
        clauses.append("a.store_platform = ?")
        params.append(query.platform)
    if query.category is not None and "/" not in query.category:
        clauses.append("a.store_category_top = ?")
        params.append(query.category)
    elif query.category is not None:
        # The category itself or anything under it ("女装/裙" matches "女装/裙/长裙"): a range
        # ('/' sorts just below '0'), then the exact test. The count reads the range off
        # agents_by_store_category. The page query instead names the top category (implied by
        # the range) and hides the range from the planner with unary +, so it walks
        # agents_by_category_activity in /agents order and stops after one page, testing the
        # category on the index entries, rather than sorting every match.
        if ordered:
            clauses.append("a.store_category_top = ?")
            params.append(query.category.split("/", 1)[0])
        column = "+a.store_category" if ordered else "a.store_category"
        clauses.append(
            f"{column} >= ? AND {column} < ?"
            " AND (a.store_category = ? OR substr(a.store_category, 1, ?) = ?)"
        )
        params += [
            query.category,
            query.category + "0",
            query.category,
            len(query.category) + 1,
            query.category + "/",
        ]
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params
