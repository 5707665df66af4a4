"""Stock notices through the transactional outbox, end to end: a failure while writing the
notice leaves the stock unchanged (so the crossing is announced on the next try), and a
committed notice is delivered after a restart."""

from __future__ import annotations

from bot.dev.sandbox import Fault
from bot.dev.testbed import Testbed
from tests.e2e.catalog_helpers import group_posts, publish_product
from tests.e2e.helpers import OWNER, make_group, texts


def notices(bed: Testbed, chat_id: int) -> list[str]:
    return [m.text or "" for m in group_posts(bed, chat_id) if "库存通知" in (m.text or "")]


async def test_failed_notice_write_leaves_the_stock_unchanged(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    await publish_product(bed, "DS-1")
    await bed.say(OWNER, OWNER, "/stock DS-1 100")
    # A real database failure inside the stock transaction, while the notice's deliveries are
    # inserted (after the new level and the broadcast row were written).
    await bed.services.db.execute(
        "CREATE TEMP TRIGGER refuse_deliveries BEFORE INSERT ON deliveries"
        " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
    )
    replies = texts(await bed.say(OWNER, OWNER, "/stock DS-1 0"))
    assert not any("已提交发送" in reply for reply in replies), replies
    level = await bed.services.stock.get("DS-1")
    assert level is not None and (level.qty, level.state) == (100, "in_stock")
    assert [b.kind for b in await bed.services.outbox.recent()] == ["product"]

    await bed.services.db.execute("DROP TRIGGER refuse_deliveries")
    reply = texts(await bed.say(OWNER, OWNER, "/stock DS-1 0"))[0]
    assert "已提交发送到 1 个群" in reply  # the crossing was not lost
    await bed.services.outbox.wait_idle(10)
    (notice,) = notices(bed, group)
    assert "已售罄" in notice


async def test_committed_notice_is_delivered_after_a_restart(bed: Testbed) -> None:
    group = await make_group(bed, "群")
    await publish_product(bed, "DS-1")
    await bed.say(OWNER, OWNER, "/stock DS-1 100")
    bed.sandbox.fail("sendMessage", group, fault=Fault.server_error(), times=None)
    await bed.say(OWNER, OWNER, "/stock DS-1 0")
    await bed.sandbox.wait_for(lambda: bed.sandbox.calls("sendMessage", group), timeout=10)
    level = await bed.services.stock.get("DS-1")
    assert level is not None and level.state == "out"
    broadcast = (await bed.services.outbox.recent(1))[0]
    assert broadcast.kind == "stock" and broadcast.open == 1 and notices(bed, group) == []

    await bed.stop_bot()
    bed.sandbox.clear_faults()
    await bed.start_bot()
    await bed.services.outbox.wait_idle(20)
    (notice,) = notices(bed, group)
    assert "已售罄" in notice
    done = await bed.services.outbox.get(broadcast.id)
    assert done is not None and done.status == "done" and done.sent == 1
