"""/stats: totals in the caption and the chart as a photo, only for admins and only in private."""

from __future__ import annotations

import struct
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday noon; the week started Monday 2026-03-02 00:00 in Shanghai.
NOW = int(datetime(2026, 3, 4, 12, 0, tzinfo=SHANGHAI).timestamp())
DAY = 86400


async def add_broadcast(bed: Testbed, created_at: int, outcomes: list[tuple[int, str]]) -> None:
    """A finished broadcast as the outbox leaves it (the delivery engine is not involved)."""
    async with bed.services.db.transaction() as connection:
        cursor = await connection.execute(
            "INSERT INTO broadcasts (kind, payload, created_at, status, finished_at)"
            " VALUES ('text', '{}', ?, 'done', ?)",
            (created_at, created_at + 60),
        )
        broadcast_id = cursor.lastrowid
        for chat_id, status in outcomes:
            await connection.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, status, attempts, sent_at)"
                " VALUES (?, ?, ?, 1, ?)",
                (broadcast_id, chat_id, status, created_at + 30 if status == "sent" else None),
            )


async def set_tier(bed: Testbed, user_id: int, tier: str) -> None:
    await bed.services.db.execute(
        "INSERT OR REPLACE INTO agent_scores (user_id, score, tier, breakdown, computed_at)"
        " VALUES (?, 80, ?, '{}', ?)",
        (user_id, tier, NOW),
    )


async def story(bed: Testbed) -> tuple[int, int, int]:
    """Three groups (one kicked the bot), five agents over three weeks, three broadcasts."""
    services = bed.services
    services.clock = lambda: NOW - 20 * DAY
    first = await make_group(bed, "代发一群")
    second = await make_group(bed, "批发群")
    gone = await make_group(bed, "旧群")
    await join(bed, first, 3001, "李", "li_shop")
    await join(bed, first, 3002, "张", "zhang_shop")
    services.clock = lambda: NOW - 5 * DAY
    await join(bed, second, 3003, "王", "wang_shop")
    await bed.run(lambda: bed.sandbox.kick_bot(gone, OWNER))
    services.clock = lambda: NOW - DAY
    await join(bed, second, 3004, "赵", "zhao_shop")
    await join(bed, first, 3005, "钱", "qian_shop")
    services.clock = lambda: NOW
    await bed.say(OWNER, OWNER, "/mode @li_shop 一件代发")
    await bed.say(OWNER, OWNER, "/mode @wang_shop 批发")
    await set_tier(bed, 3001, "excellent")
    await set_tier(bed, 3003, "low")
    await add_broadcast(bed, NOW - 9 * DAY, [(first, "sent"), (second, "sent")])
    await add_broadcast(bed, NOW - 2 * DAY, [(first, "sent"), (second, "sent"), (gone, "failed")])
    await add_broadcast(bed, NOW - 3600, [(first, "sent"), (second, "failed")])
    return first, second, gone


async def expected_tiers(bed: Testbed) -> str:
    """The tier line as the quality feature left the scores (it scores agents on its own)."""
    rows = await bed.services.db.fetchall("SELECT tier, count(*) FROM agent_scores GROUP BY tier")
    counts = {row[0]: row[1] for row in rows}
    assert counts.get("excellent") == 1 and counts.get("low") == 1
    scored = sum(counts.values())
    names = {"excellent": "优质", "qualified": "合格", "low": "低质", "invalid": "无效"}
    parts = [f"{names[tier]} {counts.get(tier, 0)}" for tier in names]
    return "、".join([*parts, f"未评分 {5 - scored}"])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_stats_sends_the_chart_with_the_totals_to_the_admin(bed: Testbed) -> None:
    await story(bed)

    sent = await bed.say(OWNER, OWNER, "/stats")

    photos = [m for m in sent if m.photo]
    assert len(photos) == 1 and photos[0].chat_id == OWNER
    assert bed.sandbox.calls("sendPhoto", OWNER)
    caption = photos[0].plain_text or ""
    assert "群：2 个正常，1 个已失效" in caption
    assert "代理：在册 5 人；本周（03-02 起）新进 2 人" in caption
    assert "一件代发 1、批发 1、定制 0、未设置 3" in caption
    assert f"按质量等级：{await expected_tiers(bed)}" in caption
    assert "本周（03-02 起）推送 2 次：送达 3/5，成功率 60.0%，未完成 0" in caption
    assert png_size(bed.sandbox.file_bytes(photos[0].photo or "")) == (1200, 900)


async def test_stats_speaks_the_admins_language(bed: Testbed) -> None:
    await story(bed)
    bed.sandbox.add_user(300, "Ann", language_code="en")
    await bed.say(OWNER, OWNER, "/grant 300")

    sent = await bed.say(300, 300, "/stats")

    caption = next(m.plain_text for m in sent if m.photo) or ""
    assert "Groups: 2 active, 1 inactive" in caption
    assert "Agents: 5 in the roster; 2 joined this week (since 03-02)" in caption
    assert "delivered 3/5, success rate 60.0%" in caption


async def test_stats_is_refused_to_agents_and_kept_out_of_groups(bed: Testbed) -> None:
    first, _, _ = await story(bed)

    refused = await bed.say(3001, 3001, "/stats")
    in_group = await bed.say(first, OWNER, "/stats")

    assert not any(m.photo for m in refused + in_group)
    assert "只有卖家管理员" in texts(refused)[0]
    # Nothing in the group; the admin is pointed to the private chat instead.
    assert "私聊" in texts(in_group)[0] and [m.chat_id for m in in_group] == [OWNER]
    assert not bed.sandbox.calls("sendPhoto")
