"""The daily follow-up list pages: 1,000 due agents with 64+64-character names and 25 shipped
samples; every page fits one message (UTF-16, as Telegram counts), ◀ ▶ walk every page, each
agent and sample is on exactly one page with its buttons, the buttons work, forged pages and
lists change nothing, pages keep working after a restart and an old list is "expired"."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.common.callbacks import KeyedListPage, encode
from bot.common.splitting import TEXT_LIMIT
from bot.dev.sandbox.records import JSONDict, SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER
from tests.e2e.schedule_helpers import FakeClock, at, run_due

FIRST = 3_000_000
COUNT = 1000
SAMPLES = 25
ADMIN, STRANGER = 555, 556
DAY = 86400


def _name(user_id: int, part: str) -> str:
    """64 characters: CJK, HTML specials and an emoji (two UTF-16 units) each."""
    head = f"{part}{user_id}&<b>😀"
    return (head + "名" * 64)[:64]


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def button_rows(message: SentMessage) -> list[list[tuple[str, str]]]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [[(b["text"], b["callback_data"]) for b in row] for row in rows]


def nav(message: SentMessage, label: str) -> str | None:
    for row in button_rows(message):
        for text, data in row:
            if text == label:
                return data
    return None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(2027, 9, 1, 9, 0))


@pytest.fixture
async def fbed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Testbed]:
    async with Testbed(database=tmp_path / "bot.sqlite3", clock=clock) as bed:
        bed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
        bed.sandbox.add_user(ADMIN, "Helper", language_code="zh-hans")
        bed.sandbox.add_user(STRANGER, "Mallory", language_code="zh-hans")
        for user_id in (OWNER, ADMIN, STRANGER):
            await bed.say(user_id, user_id, "/start")
        await bed.say(OWNER, OWNER, f"/grant {ADMIN}")
        now = int(clock())
        async with bed.services.db.transaction() as connection:
            await connection.executemany(
                "INSERT INTO agents (user_id, first_name, last_name, joined_at)"
                " VALUES (?, ?, ?, ?)",
                [
                    (u, _name(u, "名"), _name(u, "姓"), now - 30 * DAY)
                    for u in range(FIRST, FIRST + COUNT)
                ],
            )
            await connection.execute(
                "INSERT INTO products (sku, title, price_cents, category, description, photos,"
                " created_at) VALUES ('A1', '连衣裙', 9900, '女装', '', '[]', ?)",
                (now,),
            )
            await connection.executemany(
                "INSERT INTO samples (id, user_id, sku, status, requested_at, decided_at)"
                " VALUES (?, ?, 'A1', 'shipped', ?, ?)",
                [(i + 1, FIRST + i, now - 20 * DAY, now - 10 * DAY) for i in range(SAMPLES)],
            )
        yield bed


async def press(bed: Testbed, user_id: int, message: SentMessage, data: str) -> JSONDict:
    """``user_id`` presses ``data`` on ``message`` (whether or not it carries that button)."""
    update = bed.sandbox.click(user_id, message.chat_id, message.message_id, data, strict=False)
    await bed.settle(update)
    answer = bed.sandbox.callback_answer(update["callback_query"]["id"])
    assert answer is not None
    return answer


def current(bed: Testbed, message: SentMessage) -> SentMessage:
    return next(
        m for m in bed.sandbox.messages(message.chat_id) if m.message_id == message.message_id
    )


Page = tuple[str, list[list[tuple[str, str]]]]


def seen(message: SentMessage) -> Page:
    """What the message shows now (the sandbox edits its record in place)."""
    return message.plain_text or "", button_rows(message)


def check_page(page: Page | SentMessage) -> tuple[list[int], list[int]]:
    """The page fits and each row has its buttons: (agents, samples) on it."""
    text, rows = page if isinstance(page, tuple) else seen(page)
    assert utf16_length(text) <= TEXT_LIMIT
    assert sum(len(row) for row in rows) <= 100
    agents: list[int] = []
    samples: list[int] = []
    for row in rows:
        datas = [data for _, data in row]
        if datas[0].startswith("fu:"):
            user_id = int(datas[0].split(":")[1])
            assert datas == [f"fu:{user_id}", f"acard:{user_id}"]
            assert f"（{user_id}）" in text
            agents.append(user_id)
        elif datas[0].startswith("sq:"):
            assert len(datas) == 1
            samples.append(int(datas[0].split(":")[1]))
        else:
            assert all(data.startswith("lk:followups:") for data in datas)
    return agents, samples


async def walk(bed: Testbed, first: SentMessage, label: str) -> list[Page]:
    """Press ``label`` (▶ or ◀) until there is none: every page seen on the way."""
    pages = [seen(first)]
    message = first
    while (data := nav(message, label)) is not None:
        await bed.click(OWNER, message, data)
        message = current(bed, first)
        pages.append(seen(message))
    return pages


async def test_a_thousand_due_agents_page_through_every_one_once(
    fbed: Testbed, clock: FakeClock
) -> None:
    bed = fbed
    clock.set(2027, 9, 1, 9, 30)
    await run_due(bed, clock)
    first = bed.sandbox.messages(OWNER)[-1]
    assert "跟进提醒：1000 位" in (first.text or "")
    pages = await walk(bed, first, "▶")
    count = len(pages)
    assert count > COUNT // 10
    seen_agents: Counter[int] = Counter()
    seen_samples: Counter[int] = Counter()
    for number, page in enumerate(pages, start=1):
        assert page[0].endswith(f"第 {number}/{count} 页")
        agents, samples = check_page(page)
        seen_agents.update(agents)
        seen_samples.update(samples)
    assert set(seen_agents) == set(range(FIRST, FIRST + COUNT))
    assert set(seen_agents.values()) == {1}
    assert set(seen_samples) == set(range(1, SAMPLES + 1)) and set(seen_samples.values()) == {1}
    # Every agent's row is in the text once (the name escaped, the id beside it).
    texts = "\n".join(page[0] for page in pages)
    assert Counter(int(n) for n in re.findall(r"（(\d{7})）上次联系", texts)) == seen_agents
    assert "&<b>😀" in texts
    # ◀ walks back through the same pages.
    back = await walk(bed, current(bed, first), "◀")
    assert back == list(reversed(pages))

    # Each row's buttons work: ✅ records the contact and drops the row's buttons, also
    # when the page is shown again; 📇 opens the card; 💬 asks the sample's agent.
    message = current(bed, first)
    assert seen(message) == pages[0]
    agent = check_page(message)[0][3]
    await bed.click(OWNER, message, f"fu:{agent}")
    contacted = await bed.services.agents.get(agent)
    assert contacted is not None and contacted.last_contact_at == clock.now
    assert agent not in check_page(current(bed, first))[0]
    other = check_page(current(bed, first))[0][0]
    card = await bed.click(OWNER, current(bed, first), f"acard:{other}")
    assert any(f"<code>{other}</code>" in (m.text or "") for m in card)
    await bed.click(OWNER, current(bed, first), nav(current(bed, first), "▶") or "")
    await bed.click(OWNER, current(bed, first), nav(current(bed, first), "◀") or "")
    shown = check_page(current(bed, first))[0]
    assert agent not in shown and len(shown) == len(check_page(pages[0])[0]) - 1
    assert f"（{agent}）" in (current(bed, first).plain_text or "")  # the row stays listed
    last = current(bed, first)
    list_id = int((nav(last, "▶") or "").split(":")[2])
    await press(bed, OWNER, last, encode(KeyedListPage("followups", list_id, count - 1)))
    sample_page = current(bed, first)
    sample = check_page(sample_page)[1][0]
    asker = FIRST + sample - 1
    bed.sandbox.add_user(asker, "Agent", language_code="zh-hans")
    await bed.say(asker, asker, "/start")
    await bed.click(OWNER, sample_page, f"sq:{sample}")
    asked = await bed.services.samples.get(sample)
    assert asked is not None and asked.asked_at == clock.now
    assert "上架" in (bed.sandbox.messages(asker)[-1].text or "")
    await press(bed, OWNER, last, encode(KeyedListPage("followups", list_id, 0)))
    await press(bed, OWNER, last, encode(KeyedListPage("followups", list_id, count - 1)))
    assert sample not in check_page(current(bed, first))[1]  # asked: no button any more


async def test_forged_pages_strangers_restarts_and_old_lists(
    fbed: Testbed, clock: FakeClock
) -> None:
    bed = fbed
    clock.set(2027, 9, 1, 9, 30)
    await run_due(bed, clock)
    first = bed.sandbox.messages(OWNER)[-1]
    forward = nav(first, "▶")
    assert forward is not None
    list_id = int(forward.split(":")[2])
    pages = (await bed.services.followup_lists.get(list_id)).pages  # type: ignore[union-attr]
    # A page beyond the end shows the last page; a forged list is expired.
    await press(bed, OWNER, first, encode(KeyedListPage("followups", list_id, 99_999)))
    last = current(bed, first)
    assert (last.plain_text or "").endswith(f"第 {pages}/{pages} 页")
    assert nav(last, "▶") is None and nav(last, "◀") is not None
    before = last.plain_text
    answer = await press(bed, OWNER, last, encode(KeyedListPage("followups", list_id + 7, 1)))
    assert "已失效" in str(answer.get("text"))
    for forged in ("lk:followups:x:1", f"lk:followups:{list_id}:-1", f"lk:followups:{list_id}:1e3"):
        await press(bed, OWNER, last, forged)
        assert current(bed, first).plain_text == before
    # A stranger's press changes nothing; an admin may turn pages.
    await press(bed, STRANGER, last, encode(KeyedListPage("followups", list_id, 0)))
    assert current(bed, first).plain_text == before
    await press(bed, ADMIN, last, encode(KeyedListPage("followups", list_id, 0)))
    assert (current(bed, first).plain_text or "").endswith(f"第 1/{pages} 页")
    # After a restart the buttons still work.
    await bed.stop_bot()
    await bed.start_bot()
    await bed.click(OWNER, current(bed, first), nav(current(bed, first), "▶") or "")
    assert (current(bed, first).plain_text or "").endswith(f"第 2/{pages} 页")
    # A repeated fire reuses the list; a list days old is gone: its buttons are expired.
    assert await bed.services.followup_lists.for_fire(at(2027, 9, 1, 9, 30)) is not None
    for day in (2, 3, 4, 5):
        clock.set(2027, 9, day, 9, 30)
        await run_due(bed, clock)
    assert await bed.services.followup_lists.get(list_id) is None
    answer = await press(bed, OWNER, current(bed, first), forward)
    assert "已失效" in str(answer.get("text"))
    newest = bed.sandbox.messages(OWNER)[-1]
    assert "跟进提醒：1000 位" in (newest.text or "") and nav(newest, "▶") is not None
