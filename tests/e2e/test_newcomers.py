"""Newcomers (待完善): an agent without a profile is in no tier, neither in /lowquality nor in
a tier removal, until the profile is sent or ``newcomer_days`` pass; the welcome button opens
the /profile conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.agents.quality_service import wait_for_catch_up
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER, join, make_group, texts
from tests.e2e.schedule_helpers import FakeClock, at

NEWBIE = 2101
OLDTIMER = 2102


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 3, 1, 10, 0))


@pytest.fixture
async def bed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    overrides = {"seller_categories": ["女装"], "quality": {"newcomer_days": 14}}
    async with Testbed(
        database=tmp_path / "bot.sqlite3", clock=clock, overrides=overrides
    ) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def test_newcomer_is_pending_until_days_pass(bed: Testbed, clock: FakeClock) -> None:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, OLDTIMER, "老", username="old_shop")
    clock.now += 20 * 86400
    await join(bed, chat_id, NEWBIE, "新", username="new_shop")

    await bed.say(OWNER, OWNER, "/lowquality")  # starts the catch-up that scores them
    await wait_for_catch_up(bed.application.bot_data)
    queue = texts(await bed.say(OWNER, OWNER, "/lowquality"))[0]
    assert "老 (" in queue and "新 (" not in queue and "共 1 位" in queue
    refused = texts(await bed.say(OWNER, OWNER, "/lowquality remove 无效"))[0]
    assert "<b>1</b>" in refused  # only the old-timer would be removed
    card = texts(await bed.say(OWNER, OWNER, "/agent @new_shop"))[0]
    assert "待完善" in card and "无效" not in card and "2027-04-04" in card
    assert "待完善" not in texts(await bed.say(OWNER, OWNER, "/agent @old_shop"))[0]
    rated = texts(await bed.say(OWNER, OWNER, "/rate @new_shop 2"))[0]
    assert "待完善" in rated and "无效" not in rated
    pending = texts(await bed.say(OWNER, OWNER, "/agents tier:待完善"))[0]
    assert "new_shop" in pending and "old_shop" not in pending and "待完善" in pending
    invalid = texts(await bed.say(OWNER, OWNER, "/agents tier:无效"))[0]
    assert "old_shop" in invalid and "new_shop" not in invalid

    clock.now += 14 * 86400  # two weeks later, still no profile: rated like anyone else
    queue = texts(await bed.say(OWNER, OWNER, "/lowquality"))[0]
    assert "老" in queue and "新" in queue and "共 2 位" in queue
    assert "new_shop" not in texts(await bed.say(OWNER, OWNER, "/agents tier:待完善"))[0]
    assert "待完善" not in texts(await bed.say(OWNER, OWNER, "/agent @new_shop"))[0]


async def test_welcome_button_opens_the_profile_form(bed: Testbed) -> None:
    chat_id = await make_group(bed, "代理群")
    await join(bed, chat_id, NEWBIE, "新", username="new_shop")
    welcome = next(m for m in bed.sandbox.messages(chat_id) if m.reply_markup)
    url = welcome.reply_markup["inline_keyboard"][0][0]["url"]
    assert url.endswith("?start=profile")

    # The deep link arrives as "/start profile": the conversation's entry point takes it.
    sent = await bed.say(NEWBIE, NEWBIE, "/start profile")
    assert "1/10" in texts(sent)[-1]
    answers = ["淘宝", "小店", "https://x.taobao.com", "女装", "3钻", "4.8", "4.9", "4.7"]
    for answer in [*answers, "营业中", "一件代发", "跳过", "跳过"]:
        sent = await bed.say(NEWBIE, NEWBIE, answer)
    assert "已提交" in texts(sent)[0]
    agent = await bed.services.agents.get(NEWBIE)
    assert agent is not None and agent.started_bot and agent.profile_at is not None
    # Submitted (still pending review): no longer a newcomer, rated into a tier.
    card = texts(await bed.say(OWNER, OWNER, "/agent @new_shop"))[0]
    assert "待完善" not in card and "质量分" in card
    # A plain /start is still the greeting, not the form.
    assert "1/10" not in texts(await bed.say(NEWBIE, NEWBIE, "/start"))[-1]
