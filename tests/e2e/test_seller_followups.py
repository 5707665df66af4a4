"""Follow-ups by segment: each agent is due by its tags' / order mode's cadence; each row opens
the agent's card; the contact log migrates the single stored contact."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.testbed import Testbed
from storage.db import Database, load_migrations
from tests.e2e.helpers import OWNER, join, make_group
from tests.e2e.schedule_helpers import FakeClock, at, run_due

VIP = 2001  # VIP代理商: every 7 days
PROSPECT = 2002  # 潜在客户: every 30 days
PLAIN = 2003  # no segment: the default 14 days
WHOLESALE = 2004  # order mode 批发: every 5 days, and 潜在客户: the shorter wins


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 9, 1, 9, 0))


@pytest.fixture
async def fbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    cadence = {"VIP代理商": 7, "代理商": 14, "潜在客户": 30, "批发": 5}
    async with Testbed(
        database=tmp_path / "bot.sqlite3",
        clock=clock,
        overrides={"followups": {"days": 14, "cadence": cadence}},
    ) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


def _rows(bed: Testbed) -> list[tuple[str, str]]:
    message = bed.sandbox.messages(OWNER)[-1]
    return [
        (button["text"], button["callback_data"])
        for row in (message.reply_markup or {}).get("inline_keyboard", [])
        for button in row
    ]


async def test_each_segment_is_due_by_its_own_cadence(fbed: Testbed, clock: FakeClock) -> None:
    group = await make_group(fbed, "代理群")
    for user_id, name in [(VIP, "维"), (PROSPECT, "潘"), (PLAIN, "普"), (WHOLESALE, "魏")]:
        await join(fbed, group, user_id, name)
        await fbed.say(OWNER, OWNER, f"/remark {user_id} {name}总")
    await fbed.say(OWNER, OWNER, f"/tag {VIP} VIP代理商")
    await fbed.say(OWNER, OWNER, f"/tag {PROSPECT} 潜在客户")
    await fbed.say(OWNER, OWNER, f"/tag {WHOLESALE} 潜在客户")
    await fbed.say(OWNER, OWNER, f"/mode {WHOLESALE} 批发")
    for user_id in (VIP, PROSPECT, PLAIN, WHOLESALE):
        await fbed.say(OWNER, OWNER, f"/contacted {user_id}")
    clock.set(2027, 9, 10, 9, 30)  # 9 days later: VIP (7) and 批发 (5) are due
    await run_due(fbed, clock)
    text = fbed.sandbox.messages(OWNER)[-1].text or ""
    assert "跟进提醒：2 位" in text
    assert "维总" in text and "魏总" in text and "潘总" not in text and "普总" not in text
    assert "每 5 天" in text and "每 7 天" in text
    assert text.index("魏总") < text.index("维总")  # the longest overdue first
    clock.set(2027, 9, 16, 9, 30)  # 15 days: the default (14) is due too, not 潜在客户 (30)
    await run_due(fbed, clock)
    text = fbed.sandbox.messages(OWNER)[-1].text or ""
    assert "普总" in text and "潘总" not in text and "跟进提醒：3 位" in text
    # Each row opens the agent's card.
    card_data = next(data for label, data in _rows(fbed) if data == f"acard:{PLAIN}")
    message = fbed.sandbox.messages(OWNER)[-1]
    card = await fbed.click(OWNER, message, card_data)
    assert any(f"<code>{PLAIN}</code>" in (m.text or "") and "普总" in (m.text or "") for m in card)
    # The row's "contacted" button appends to the log.
    rows = [
        (b["text"], b["callback_data"]) for r in message.reply_markup["inline_keyboard"] for b in r
    ]
    done = next(data for label, data in rows if data == f"fu:{PLAIN}")
    await fbed.click(OWNER, message, done)
    assert [c.at for c in await fbed.services.contacts.recent(PLAIN, 5)] == [
        clock.now,
        at(2027, 9, 1, 9, 0),
    ]


async def test_the_stored_contact_moves_into_the_log(tmp_path: Path) -> None:
    """A database from before the log: its agents' last contact becomes their first entry."""
    path = tmp_path / "old.sqlite3"
    mine = next(m for m in load_migrations() if m.name.endswith("_seller.sql"))
    connection = sqlite3.connect(path)
    for migration in load_migrations():
        if migration.version < mine.version:
            connection.executescript(migration.sql)
    connection.execute(
        "INSERT INTO agents (user_id, first_name, joined_at, last_contact_at, last_contact_note)"
        " VALUES (1, '李', 100, 200, '寄了样品'), (2, '张', 100, NULL, NULL)"
    )
    connection.execute(f"PRAGMA user_version = {mine.version - 1}")
    connection.commit()
    connection.close()
    db = await Database.open(path)
    try:
        from storage.contacts import ContactRepository

        contacts = ContactRepository(db)
        [moved] = await contacts.recent(1, 5)
        assert (moved.at, moved.note) == (200, "寄了样品")
        assert await contacts.recent(2, 5) == []
        # Due with no segments configured and nobody excluded; then one excluded.
        for exclude, expected in [((), [2, 1]), ((2,), [1])]:
            due, total = await contacts.followups_due(
                10**6, default_days=1, tag_days={}, mode_days={}, exclude=exclude, limit=5
            )
            assert [row.user_id for row in due] == expected and total == len(expected)
    finally:
        await db.close()
