"""/import_agents and /import_orders of more rows than one staging batch (storage/imports.py):
a bad row anywhere, even after whole batches were staged, leaves everything as it was; a valid
sheet applies every row, and only the agents whose score inputs changed are rescored."""

from __future__ import annotations

import time

from bot.dev.testbed import Testbed
from storage.imports import STAGE_ROWS
from tests.e2e.helpers import OWNER, texts

FIRST = 50_000
AGENTS = STAGE_ROWS + 150
IDS = range(FIRST, FIRST + AGENTS)


async def upload(bed: Testbed, name: str, lines: list[str], caption: str) -> str:
    data = ("\n".join(lines) + "\n").encode()
    sent = await bed.run(lambda: bed.sandbox.send_document(OWNER, OWNER, name, data, caption))
    return texts(sent)[0]


async def many_agents(bed: Testbed) -> None:
    now = bed.services.now()
    async with bed.services.db.transaction():
        for user_id in IDS:
            await bed.services.agents.record(user_id, f"a{user_id}", None, None, None, now)


async def test_a_bad_row_after_whole_batches_changes_nothing(bed: Testbed) -> None:
    await many_agents(bed)
    agents = ["user_id,remark,tags", *(f"{user_id},备注{user_id},VIP" for user_id in IDS)]
    agents.insert(AGENTS - 10, "12345,unknown,VIP")  # a line past the first batch
    reply = await upload(bed, "agents.csv", agents, "/import_agents")
    assert "没有导入任何数据" in reply and f"第 {AGENTS - 9} 行" in reply
    for user_id in (IDS[0], IDS[-1]):
        agent = await bed.services.agents.get(user_id)
        assert agent is not None and agent.remark is None and agent.tags == ()
    orders = ["agent,orders,amount,period", *(f"{user_id},3,10.5,2026-11" for user_id in IDS)]
    orders.append(f"{IDS[0]},1,1,2026-11")  # the same agent and period again
    reply = await upload(bed, "orders.csv", orders, "/import_orders")
    assert "没有导入任何数据" in reply and "与第 2 行重复" in reply
    assert await bed.services.profiles.purchase_totals() == {}
    rows = await bed.services.db.connection.execute_fetchall("SELECT * FROM sqlite_temp_master")
    assert list(rows) == []


async def test_a_big_valid_import_applies_and_rescores_only_changed_inputs(bed: Testbed) -> None:
    await many_agents(bed)
    agents = ["user_id,remark,tags", *(f"{user_id},备注{user_id},VIP 已成交" for user_id in IDS)]
    reply = await upload(bed, "agents.csv", agents, "/import_agents")
    assert f"更新 {AGENTS} 位代理" in reply
    last = await bed.services.agents.get(IDS[-1])
    assert last is not None and last.remark == f"备注{IDS[-1]}"
    assert sorted(last.tags) == ["VIP", "已成交"]
    # Remarks and tags are no score input: the placeholder scores stay as they were.
    score = await bed.services.profiles.score(IDS[-1])
    assert score is not None and score.computed_at == 0
    period = time.strftime("%Y-%m", time.gmtime(bed.services.now()))  # in the score's window
    orders = ["agent,orders,amount,period", f"{IDS[0]},3,10.5,{period}"]
    orders += [f"{user_id},0,0,{period}" for user_id in IDS[1:]]
    reply = await upload(bed, "orders.csv", orders, "/import_orders")
    assert f"已导入 {AGENTS} 条" in reply
    totals = await bed.services.profiles.purchase_totals()
    assert len(totals) == AGENTS and totals[IDS[0]].amount_cents == 1050
    # Only the agent whose purchase totals changed is rescored (zero rows add nothing).
    first = await bed.services.profiles.score(IDS[0])
    unchanged = await bed.services.profiles.score(IDS[1])
    assert first is not None and first.computed_at > 0
    assert unchanged is not None and unchanged.computed_at == 0
