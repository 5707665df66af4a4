"""Agents below the seller's minimum store level are flagged on the card and in /lowquality."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.dev.testbed import Testbed
from storage.profiles import StoreProfile
from tests.e2e.helpers import OWNER, join, make_group, texts

LOW = StoreProfile("taobao", "小店", "https://low.taobao.com", "数码", "3心", 4.0, 4.1, 4.0, "open")
HIGH = StoreProfile("taobao", "大店", "https://hi.taobao.com", "数码", "2钻", 4.0, 4.1, 4.0, "open")


@pytest.fixture
async def lbed(tmp_path: Path) -> AsyncIterator[Testbed]:
    overrides = {"quality": {"min_level": "1钻"}}
    async with Testbed(database=tmp_path / "bot.sqlite3", overrides=overrides) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def _approve(bed: Testbed, user_id: int, profile: StoreProfile) -> None:
    repository = bed.services.profiles
    submission_id = await repository.submit(user_id, profile, "dropship", bed.services.now())
    assert await repository.approve(submission_id, OWNER, bed.services.now()) is not None


async def test_below_min_level_is_flagged(lbed: Testbed) -> None:
    chat_id = await make_group(lbed, "代理群")
    await join(lbed, chat_id, 2001, "低", username="low_shop")
    await join(lbed, chat_id, 2002, "高", username="high_shop")
    await _approve(lbed, 2001, LOW)
    await _approve(lbed, 2002, HIGH)
    low_card = texts(await lbed.say(OWNER, OWNER, "/agent @low_shop"))[0]
    assert "店铺等级 3心 低于要求的最低等级 1钻" in low_card
    high_card = texts(await lbed.say(OWNER, OWNER, "/agent @high_shop"))[0]
    assert "低于要求的最低等级" not in high_card
    queue = texts(await lbed.say(OWNER, OWNER, "/lowquality"))[0]
    rows = queue.split("\n")
    low_row = next(i for i, row in enumerate(rows) if "<code>2001</code>" in row)
    high_row = next(i for i, row in enumerate(rows) if "<code>2002</code>" in row)
    assert "原因：等级低于 1钻" in rows[low_row + 1]
    assert "原因：" in rows[high_row + 1] and "等级低于" not in rows[high_row + 1]
