"""/agents and /lowquality page by keyset through the bot: ▶ and ◀ walk every filter's list
exactly once each way, a forged cursor gives a page of the same list (or "expired"), and
/lowquality shows the last recompute's scores and catches up in the background."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.agents.quality_service import wait_for_catch_up
from bot.common.callbacks import AgentsCursor, QueueCursor, encode, parse_as
from bot.dev.sandbox.records import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER

START = 1_764_560_000.0
FIRST = 6_000_000_000
NEXT, PREVIOUS = "下一页 »", "« 上一页"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def bed(tmp_path: Path, clock: Clock) -> AsyncIterator[Testbed]:
    # Agents without a profile are scored into a tier at once (no 待完善 period).
    overrides = {"agents_page_size": 3, "quality": {"newcomer_days": 0}}
    async with Testbed(
        database=tmp_path / "bot.sqlite3", overrides=overrides, clock=clock
    ) as testbed:
        testbed.sandbox.add_user(OWNER, "Seller", language_code="zh-hans")
        await testbed.say(OWNER, OWNER, "/start")
        yield testbed


async def add_agents(bed: Testbed, count: int) -> list[int]:
    """``count`` agents; activity in three distinct seconds (ties), every other one tagged
    and wholesale."""
    services = bed.services
    ids = [FIRST + index for index in range(count)]
    for index, user_id in enumerate(ids):
        at = int(START) - 86400 * 40 * (index % 3)
        await services.agents.record(user_id, f"代理{user_id}", None, None, "zh", at)
        if index % 2 == 0:
            await services.agents.add_tags(user_id, ["VIP"])
            await services.agents.set_order_mode(user_id, "wholesale")
    return ids


def buttons(message: SentMessage) -> dict[str, str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


@dataclass(frozen=True)
class Page:
    """What a message showed at one moment (the sandbox edits its record in place)."""

    text: str
    buttons: dict[str, str]

    @staticmethod
    def of(message: SentMessage) -> Page:
        return Page(message.text or "", buttons(message))


def listed(page: Page | SentMessage) -> list[int]:
    text = page.text or ""
    return [int(found) for found in re.findall(r"<code>(\d{10})</code>", text)]


def current(bed: Testbed, message_id: int) -> SentMessage:
    return next(m for m in reversed(bed.sandbox.messages(OWNER)) if m.message_id == message_id)


async def walk(bed: Testbed, message: SentMessage, label: str) -> list[Page]:
    """Press ``label`` until it is gone; every page seen, the one showing first."""
    pages = [Page.of(message)]
    while label in pages[-1].buttons:
        await bed.click(OWNER, message, pages[-1].buttons[label])
        pages.append(Page.of(current(bed, message.message_id)))
    return pages


@pytest.mark.parametrize(
    ("command", "selected"),
    [
        ("/agents", lambda index: True),
        ("/agents tag:VIP", lambda index: index % 2 == 0),
        ("/agents mode:批发", lambda index: index % 2 == 0),
        ("/agents inactive:>30d", lambda index: index % 3 != 0),
        ("/agents tag:VIP inactive:>30d", lambda index: index % 2 == 0 and index % 3 != 0),
    ],
)
async def test_every_agent_once_forward_and_back(bed: Testbed, command: str, selected) -> None:  # type: ignore[no-untyped-def]
    ids = await add_agents(bed, 20)
    expected = {user_id for index, user_id in enumerate(ids) if selected(index)}
    first = (await bed.say(OWNER, OWNER, command))[0]
    forward = await walk(bed, first, NEXT)
    seen = [user_id for page in forward for user_id in listed(page)]
    assert sorted(seen) == sorted(expected) and len(seen) == len(expected)
    pages = (len(expected) + 2) // 3
    assert f"第 {pages}/{pages} 页" in (forward[-1].text or "")
    backward = await walk(bed, first, PREVIOUS)
    assert [listed(page) for page in backward] == [listed(page) for page in forward[::-1]]


async def test_forged_cursors_give_a_page_of_the_same_list_or_expired(bed: Testbed) -> None:
    ids = await add_agents(bed, 12)
    vip = {user_id for index, user_id in enumerate(ids) if index % 2 == 0}
    first = (await bed.say(OWNER, OWNER, "/agents tag:VIP"))[0]
    real = parse_as(AgentsCursor, buttons(first)[NEXT])
    assert real is not None
    for forged in (
        AgentsCursor(real.key, "a", 99_999, 999, 2**40, 2**63 - 1),  # past the end
        AgentsCursor(real.key, "b", 0, 0, 0, 0),  # before the start
        AgentsCursor(real.key, "i", 3, 7, int(START), ids[1]),  # a row not in the list
    ):
        update = bed.sandbox.click(OWNER, OWNER, first.message_id, encode(forged), strict=False)
        await bed.settle(update)
        answer = bed.sandbox.callback_answer(update["callback_query"]["id"])
        assert answer is not None and not answer.get("show_alert")
        page = current(bed, first.message_id)
        assert set(listed(page)) <= vip and listed(page)
        assert re.search(r"第 \d/2 页", page.text or "")
    stranger = AgentsCursor("0badc0de", "a", 1, 0, 1, 1)
    update = bed.sandbox.click(OWNER, OWNER, first.message_id, encode(stranger), strict=False)
    await bed.settle(update)
    answer = bed.sandbox.callback_answer(update["callback_query"]["id"])
    assert answer is not None and "过期" in answer.get("text", "")


async def low_agents(bed: Testbed, count: int) -> list[int]:
    """``count`` agents without a profile (they score low or invalid once computed)."""
    ids = [FIRST + index for index in range(count)]
    for user_id in ids:
        await bed.services.agents.record(user_id, f"代理{user_id}", None, None, "zh", int(START))
    return ids


async def test_lowquality_pages_by_keyset_with_working_buttons(bed: Testbed) -> None:
    ids = await low_agents(bed, 8)
    stale = (await bed.say(OWNER, OWNER, "/lowquality"))[0]
    # New agents are not scored yet: nothing to review, the catch-up runs in the background.
    assert "没有待审核" in (stale.text or "")
    assert await wait_for_catch_up(bed.application.bot_data) == 8
    first = (await bed.say(OWNER, OWNER, "/lowquality"))[0]
    assert "评分更新于" in (first.text or "") and "后台更新" not in (first.text or "")
    forward = await walk(bed, first, NEXT)
    seen = [user_id for page in forward for user_id in listed(page)]
    assert sorted(seen) == ids and len(forward) == 3
    back = await walk(bed, first, PREVIOUS)
    assert [listed(page) for page in back] == [listed(page) for page in forward[::-1]]
    # Keep an agent of the last page: snoozed, the queue is redrawn from its start.
    await walk(bed, first, NEXT)
    last = Page.of(current(bed, first.message_id))
    keep = next(data for text, data in last.buttons.items() if text.startswith("⏸"))
    assert keep.endswith(str(listed(last)[0]))
    await bed.click(OWNER, first, keep)
    score = await bed.services.profiles.score(listed(last)[0])
    assert score is not None and score.snoozed_until > bed.services.now()
    redrawn = current(bed, first.message_id)
    assert listed(redrawn) == seen[:3] and "共 7 位" in (redrawn.text or "")
    # A forged place: an unknown agent gives the first page.
    forged = encode(QueueCursor("a", 5, 123))
    update = bed.sandbox.click(OWNER, OWNER, first.message_id, forged, strict=False)
    await bed.settle(update)
    page = current(bed, first.message_id)
    assert listed(page) == seen[:3] and "第 1/" in (page.text or "")


async def test_lowquality_shows_old_scores_and_catches_up_after_a_missed_day(
    bed: Testbed, clock: Clock
) -> None:
    ids = await low_agents(bed, 4)
    await bed.say(OWNER, OWNER, "/lowquality")
    await wait_for_catch_up(bed.application.bot_data)
    clock.now += 3 * 86400  # the daily recompute was missed
    before = await bed.services.profiles.last_recompute()
    reply = (await bed.say(OWNER, OWNER, "/lowquality"))[0]
    assert "评分更新于" in (reply.text or "") and "后台更新" in (reply.text or "")
    assert len(listed(reply)) == 3 and set(listed(reply)) <= set(ids)
    assert await wait_for_catch_up(bed.application.bot_data) == 4
    after = await bed.services.profiles.last_recompute()
    assert before is not None and after == int(clock.now) > before
