"""Chatty groups are cheap: last-seen is batched (bot/agents/last_seen.py), flushed before the
reads that show it and on stop; a joining agent costs one transaction."""

from __future__ import annotations

from typing import Any

from bot.agents.last_seen import FLUSH_INTERVAL, SEEN_WRITE_INTERVAL
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts

AGENTS = [3000 + index for index in range(20)]
START = 1_800_000_000


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _chatter(bed: Testbed, chat_id: int, messages: int) -> None:
    """``messages`` messages from the 20 agents in turn; waits until all are handled."""
    last: dict[str, Any] = {}
    for index in range(messages):
        last = bed.sandbox.send_text(chat_id, AGENTS[index % len(AGENTS)], f"消息 {index}")
    await bed.settle(last)


async def _quiet_group(bed: Testbed, clock: Clock) -> int:
    """A group whose 20 agents were all seen and written at ``clock``'s now."""
    for user_id in AGENTS:
        bed.sandbox.add_user(user_id, f"代理{user_id}")
    chat_id = await make_group(bed, "热闹群")
    bed.services.clock = clock
    await _chatter(bed, chat_id, len(AGENTS))
    await bed.services.last_seen.flush()
    assert bed.services.last_seen.pending == 0
    return chat_id


async def test_two_hundred_messages_cost_one_transaction_per_interval(bed: Testbed) -> None:
    clock = Clock(START)
    chat_id = await _quiet_group(bed, clock)
    clock.now = START + SEEN_WRITE_INTERVAL  # every agent is due a write again
    commits = bed.services.db.commits
    await _chatter(bed, chat_id, 200)
    assert bed.services.db.commits == commits  # all within one flush interval: none yet
    assert bed.services.last_seen.pending == len(AGENTS)
    clock.now += FLUSH_INTERVAL
    await _chatter(bed, chat_id, 1)
    assert bed.services.db.commits == commits + 1  # one transaction for the 20 agents
    assert bed.services.last_seen.pending == 0
    for user_id in AGENTS:
        agent = await bed.services.agents.get(user_id)
        assert agent is not None and agent.last_seen_at == START + SEEN_WRITE_INTERVAL
    memberships = await bed.services.agents.memberships(AGENTS[-1])
    assert [(m.group_chat_id, m.status) for m in memberships] == [(chat_id, "member")]


async def test_at_most_one_write_per_agent_per_minute(bed: Testbed) -> None:
    clock = Clock(START)
    chat_id = await _quiet_group(bed, clock)
    commits = bed.services.db.commits
    for step in range(1, 6):  # messages every 10 s, within the minute of the first write
        clock.now = START + step * FLUSH_INTERVAL
        await _chatter(bed, chat_id, 20)
    assert bed.services.db.commits == commits  # nothing to write: all were written at START
    agent = await bed.services.agents.get(AGENTS[0])
    assert agent is not None and agent.last_seen_at == START


async def test_a_read_after_messages_sees_them_without_waiting(bed: Testbed) -> None:
    clock = Clock(START)
    chat_id = await _quiet_group(bed, clock)
    for user_id in AGENTS[:2]:
        await bed.say(chat_id, user_id, "早")
    clock.now = START + 40 * 86400
    await bed.say(chat_id, AGENTS[1], "我还在")
    assert bed.services.last_seen.pending == 1  # not written yet
    listing = texts(await bed.say(OWNER, OWNER, "/agents inactive:>30d"))[0]
    assert f"代理{AGENTS[0]}" in listing and f"代理{AGENTS[1]}" not in listing
    assert bed.services.last_seen.pending == 0


async def test_stop_flushes(bed: Testbed) -> None:
    clock = Clock(START)
    chat_id = await _quiet_group(bed, clock)
    clock.now = START + SEEN_WRITE_INTERVAL
    await _chatter(bed, chat_id, 40)
    assert bed.services.last_seen.pending == len(AGENTS)
    await bed.stop_bot()
    await bed.start_bot()
    assert bed.services.last_seen.pending == 0  # a new buffer: the rows come from the file
    for user_id in AGENTS:
        agent = await bed.services.agents.get(user_id)
        assert agent is not None and agent.last_seen_at == START + SEEN_WRITE_INTERVAL


async def test_a_new_agent_costs_one_transaction(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    bed.services.clock = Clock(START)
    commits = bed.services.db.commits
    await join(bed, chat_id, AGENTS[0], "新人")
    assert bed.services.db.commits == commits + 1
    agent = await bed.services.agents.get(AGENTS[0])
    assert agent is not None and agent.last_seen_at == START
    memberships = await bed.services.agents.memberships(AGENTS[0])
    assert [(m.group_chat_id, m.status) for m in memberships] == [(chat_id, "member")]
    await bed.say(chat_id, AGENTS[0], "大家好")  # right after joining: nothing to write
    assert bed.services.last_seen.pending == 0 and bed.services.db.commits == commits + 1
