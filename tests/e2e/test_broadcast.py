"""Broadcasts end to end: /broadcast with targets and preview, the outbox and the delivery
engine against the sandbox (limits, 429, 403, migration, 5xx, restart), /edit and /retract."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.broadcast.outbox import Payload
from bot.common.splitting import visible_length
from bot.dev.sandbox import Fault, SandboxLimits, SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.engine_clock import bed_on_clock
from tests.e2e.helpers import OWNER, make_group, texts

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 8, 8) + b"\x08\x02\x00\x00\x00"


async def _bed(tmp_path: Path, *, on_clock: bool = False, **overrides: Any) -> Testbed:
    """A started bed with the owner's chat open; ``on_clock``: the engine and the sandbox run on
    a fast-forward clock (tests/e2e/engine_clock.py), so waits such as retry_after pass at once."""
    database = tmp_path / "bot.sqlite3"
    if on_clock:
        bed, _ = await bed_on_clock(database, **overrides)
    else:
        bed = Testbed(database=database, overrides=overrides)
        await bed.start()
    bed.sandbox.add_user(OWNER, "Seller", username="seller_boss", language_code="zh-hans")
    await bed.say(OWNER, OWNER, "/start")
    return bed


@pytest.fixture
async def fast(tmp_path: Path) -> AsyncIterator[Testbed]:
    """A bed whose retries back off quickly (so failure paths take fractions of a second)."""
    bed = await _bed(tmp_path, delivery={"backoff_seconds": 0.05, "max_attempts": 3})
    yield bed
    await bed.stop()


async def groups(bed: Testbed, count: int, prefix: str = "代理群") -> list[int]:
    return [await make_group(bed, f"{prefix}{i}") for i in range(count)]


def in_chat(bed: Testbed, chat_id: int) -> list[SentMessage]:
    """The bot's live (not deleted) messages in a chat."""
    return [m for m in bed.sandbox.messages(chat_id) if not m.deleted]


def button(message: SentMessage, prefix: str) -> str:
    for item in message.buttons:
        data = str(item.get("callback_data", ""))
        if data.startswith(prefix):
            return data
    raise AssertionError(f"no button {prefix!r} in {message.buttons}")


def button_labelled(message: SentMessage, label: str) -> str:
    for item in message.buttons:
        if label in item["text"]:
            return str(item["callback_data"])
    raise AssertionError(f"no button labelled {label!r} in {message.buttons}")


async def compose(bed: Testbed, command: str, target_label: str) -> list[SentMessage]:
    """/broadcast …, pick the target, return what the target click sent (preview + confirm)."""
    sent = await bed.say(OWNER, OWNER, command)
    choose = sent[-1]
    return await bed.click(OWNER, choose, button_labelled(choose, target_label))


async def test_text_broadcast_to_tagged_groups_with_preview_progress_and_report(
    bed: Testbed,
) -> None:
    vip = await groups(bed, 2, "VIP群")
    other = await make_group(bed, "批发群")
    for chat_id in vip:
        await bed.say(OWNER, OWNER, f"/tag_group {chat_id} VIP")
    sent = await bed.say(OWNER, OWNER, "/broadcast 新款连衣裙 <b>明天</b> 上架\n第二行")
    choose = sent[-1]
    labels = [b["text"] for b in choose.buttons]
    assert any("全部正常群（3）" in label for label in labels)
    assert any("VIP（2）" in label for label in labels)
    await bed.click(OWNER, choose, button_labelled(choose, "VIP"))  # ticks the tag
    preview = await bed.click(OWNER, choose, button_labelled(choose, "完成"))
    # preview header (edited), the payload exactly as agents will get it, then the question
    shown, confirm = preview[-2], preview[-1]
    assert "VIP" in (confirm.text or "")
    before = bed.sandbox.sent_count()
    await bed.click(OWNER, confirm, button(confirm, "bc:s:"))
    await bed.services.outbox.wait_idle(10)
    for chat_id in vip:
        got = in_chat(bed, chat_id)[-1]
        assert got.text == shown.text == "新款连衣裙 &lt;b&gt;明天&lt;/b&gt; 上架\n第二行"
        assert len([m for m in bed.sandbox.messages(chat_id) if m.text == got.text]) == 1
    assert all(m.chat_id != other for m in bed.sandbox.sent_since(before))
    # One message for the broadcast: the progress message, edited into the final report.
    after = [m for m in bed.sandbox.messages(OWNER) if m.message_id > confirm.message_id]
    assert len(after) == 1
    report = after[0].text or ""
    assert "已完成" in report and "送达 2/2" in report and "失败 0" in report
    broadcast = (await bed.services.outbox.recent(1))[0]
    assert broadcast.status == "done" and broadcast.sent == 2


async def test_user_text_is_escaped_and_formatting_kept(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    preview = await compose(bed, "/broadcast 5<6 & 7>3 <i>not a tag</i>", "全部")
    await bed.click(OWNER, preview[-1], button(preview[-1], "bc:s:"))
    await bed.services.outbox.wait_idle(10)
    got = in_chat(bed, chat_id)[-1]
    assert got.plain_text == "5<6 & 7>3 <i>not a tag</i>"
    assert got.text == "5&lt;6 &amp; 7&gt;3 &lt;i&gt;not a tag&lt;/i&gt;"


async def test_photo_broadcast_with_caption(bed: Testbed) -> None:
    targets = await groups(bed, 2)
    sent = await bed.run(lambda: bed.sandbox.send_photo(OWNER, OWNER, PNG, "/broadcast 新品图"))
    choose = sent[-1]
    preview = await bed.click(OWNER, choose, button_labelled(choose, "全部"))
    assert preview[-2].photo is not None and preview[-2].caption == "新品图"
    await bed.click(OWNER, preview[-1], button(preview[-1], "bc:s:"))
    await bed.services.outbox.wait_idle(10)
    for chat_id in targets:
        (got,) = in_chat(bed, chat_id)
        assert got.photo == preview[-2].photo and got.caption == "新品图"


async def test_album_payload_and_keyboard_on_a_follow_up(bed: Testbed) -> None:
    targets = await groups(bed, 2)
    media = tuple(bed.sandbox.store_file(PNG, kind="photo").file_id for _ in range(3))
    outbox = bed.services.outbox
    await outbox.submit("product", Payload("album", "<b>SKU1</b> 三色", media), targets, OWNER)
    keyboard = ((("详情", "https://example.com/p/1"), ("要样品", "sample:1")),)
    await outbox.submit("product", Payload("album", "SKU2", media[:2], keyboard), targets, None)
    await outbox.wait_idle(10)
    for chat_id in targets:
        messages = in_chat(bed, chat_id)
        assert len(messages) == 3 + 2 + 1
        first = messages[:3]
        assert len({m.media_group_id for m in first}) == 1 and first[0].media_group_id
        assert [m.photo for m in first] == list(media)
        assert first[0].caption == "<b>SKU1</b> 三色" and first[1].caption is None
        second, buttons = messages[3:5], messages[5]
        assert all(m.caption is None for m in second)
        assert buttons.text == "SKU2" and buttons.buttons[0]["url"] == "https://example.com/p/1"
        assert buttons.buttons[1]["callback_data"] == "sample:1"


async def test_long_text_is_split_on_lines_with_tags_balanced(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    lines = [f"第{i}行 " + "货" * 60 for i in range(150)]
    text = "<b>" + "\n".join(lines) + "</b>"
    assert visible_length(text) > 2 * 4096
    await bed.services.outbox.submit("text", Payload("text", text), [chat_id], OWNER)
    await bed.services.outbox.wait_idle(10)
    messages = in_chat(bed, chat_id)
    assert len(messages) == 3
    for message in messages:
        assert message.text is not None
        assert message.text.startswith("<b>") and message.text.endswith("</b>")
        assert len(message.plain_text or "") <= 4096
    assert "\n".join(m.plain_text or "" for m in messages) == "\n".join(lines)
    broadcast = (await bed.services.outbox.recent(1))[0]
    (delivery,) = await bed.services.outbox.repository.deliveries(broadcast.id)
    assert delivery.message_ids == tuple(m.message_id for m in messages)


async def test_long_caption_moves_the_rest_to_a_follow_up_text(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    photo = bed.sandbox.store_file(PNG, kind="photo").file_id
    caption = "\n".join(f"规格 {i}: " + "x" * 40 for i in range(40))
    await bed.services.outbox.submit(
        "product", Payload("photo", caption, (photo,)), [chat_id], OWNER
    )
    await bed.services.outbox.wait_idle(10)
    first, rest = in_chat(bed, chat_id)
    assert first.photo == photo and len(first.plain_text or "") <= 1024
    assert (first.plain_text or "") + "\n" + (rest.text or "") == caption


async def test_document_payload_with_caption(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    document = bed.sandbox.store_file(
        b"sku,qty\nDS-1,5\n", kind="document", file_name="price.csv", mime_type="text/csv"
    ).file_id
    await bed.services.outbox.submit(
        "training", Payload("document", "培训资料 <b>请下载</b>", (document,)), [chat_id], OWNER
    )
    await bed.services.outbox.wait_idle(10)
    (sent,) = in_chat(bed, chat_id)
    assert sent.method == "sendDocument" and sent.document is not None
    assert sent.document["file_id"] == document and sent.plain_text == "培训资料 请下载"


async def test_429_storm_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    limits = {"global_per_second": 25, "per_group_per_minute": 20}
    bed = await _bed(tmp_path, on_clock=True, rate_limits=limits)
    try:
        targets = await groups(bed, 30)
        bed.sandbox.limits = SandboxLimits(global_per_second=20, per_chat_per_minute=20)
        for chat_id in targets[:5]:
            bed.sandbox.fail(None, chat_id, fault=Fault.too_many(1), times=2)
        bed.sandbox.fail(None, None, fault=Fault.too_many(1), times=4)
        outbox = bed.services.outbox
        first = await outbox.submit("text", Payload("text", "一号通知"), targets, OWNER)
        second = await outbox.submit("text", Payload("text", "二号通知"), targets, OWNER)
        await outbox.wait_idle(30)
        for chat_id in targets:
            assert [m.text for m in in_chat(bed, chat_id)] == ["一号通知", "二号通知"]
        for broadcast_id in (first, second):
            broadcast = await outbox.get(broadcast_id)
            assert broadcast is not None and broadcast.sent == 30 and broadcast.failed == 0
        assert bed.sandbox.stats.too_many_requests >= 14  # the scripted ones, at least
    finally:
        await bed.stop()


async def test_kicked_group_fails_once_and_goes_inactive_others_fine(bed: Testbed) -> None:
    targets = await groups(bed, 3)
    kicked = targets[1]
    bed.sandbox.chat(kicked).bot_status = "kicked"  # its my_chat_member update never came
    broadcast_id = await bed.services.outbox.submit("text", Payload("text", "通知"), targets, OWNER)
    await bed.services.outbox.wait_idle(10)
    assert len(bed.sandbox.calls("sendMessage", kicked)) == 1  # no retries
    for chat_id in (targets[0], targets[2]):
        assert texts(in_chat(bed, chat_id)) == ["通知"]
    group = await bed.services.groups.get(kicked)
    assert group is not None and not group.active
    assert group.inactive_reason is not None and "kicked" in group.inactive_reason
    broadcast = await bed.services.outbox.get(broadcast_id)
    assert broadcast is not None and (broadcast.sent, broadcast.failed) == (2, 1)
    (failure,) = broadcast.failures
    assert failure.chat_id == kicked and "kicked" in failure.reason
    report = bed.sandbox.messages(OWNER)[-1].text or ""
    assert "代理群1" in report and "kicked" in report


async def test_migration_mid_broadcast_follows_the_group(bed: Testbed) -> None:
    targets = await groups(bed, 2)
    await bed.say(OWNER, OWNER, f"/tag_group {targets[0]} 一件代发")
    old = targets[0]
    new = bed.sandbox.migrate_group(old)
    bed.sandbox.queue.clear()  # the service messages are lost: only the send can tell
    await bed.services.outbox.submit("text", Payload("text", "通知"), targets, OWNER)
    await bed.services.outbox.wait_idle(10)
    assert [c.status for c in bed.sandbox.calls("sendMessage", old)] == [400]
    assert texts(in_chat(bed, new)) == ["通知"]
    assert await bed.services.groups.get(old) is None
    group = await bed.services.groups.get(new)
    assert group is not None and group.tags == ("一件代发",)
    # the next broadcast goes straight to the new id
    await bed.services.outbox.submit("text", Payload("text", "再次"), [new], OWNER)
    await bed.services.outbox.wait_idle(10)
    assert texts(in_chat(bed, new)) == ["通知", "再次"]
    assert len(bed.sandbox.calls("sendMessage", old)) == 1


async def test_server_errors_back_off_then_succeed_or_fail_bounded(fast: Testbed) -> None:
    bed = fast
    flaky, broken, fine = await groups(bed, 3)
    bed.sandbox.fail(None, flaky, fault=Fault.server_error(), times=2)
    bed.sandbox.fail(None, broken, fault=Fault.bad_gateway(), times=None)
    broadcast_id = await bed.services.outbox.submit(
        "text", Payload("text", "通知"), [flaky, broken, fine], OWNER
    )
    await bed.services.outbox.wait_idle(10)
    assert texts(in_chat(bed, flaky)) == ["通知"] and texts(in_chat(bed, fine)) == ["通知"]
    assert [c.status for c in bed.sandbox.calls("sendMessage", flaky)] == [500, 500, 200]
    assert len(bed.sandbox.calls("sendMessage", broken)) == 3  # max_attempts
    broadcast = await bed.services.outbox.get(broadcast_id)
    assert broadcast is not None and (broadcast.sent, broadcast.failed) == (2, 1)
    assert broadcast.failures[0].reason == "Bad Gateway"
    group = await bed.services.groups.get(broken)
    assert group is not None and group.active  # a server error says nothing about the group


async def test_edit_and_retract_everywhere(bed: Testbed) -> None:
    targets = await groups(bed, 3)
    preview = await compose(bed, "/broadcast 价格 49 元", "全部")
    await bed.click(OWNER, preview[-1], button(preview[-1], "bc:s:"))
    await bed.services.outbox.wait_idle(10)
    broadcast_id = (await bed.services.outbox.recent(1))[0].id
    await bed.say(OWNER, OWNER, f"/edit {broadcast_id} 价格更正：<39> 元")
    await bed.sandbox.wait_for(lambda: "成功 3 处" in (bed.sandbox.messages(OWNER)[-1].text or ""))
    for chat_id in targets:
        (message,) = in_chat(bed, chat_id)
        assert message.edited and message.plain_text == "价格更正：<39> 元"
    assert (
        Payload.from_json(
            (await bed.services.outbox.get(broadcast_id)).payload  # type: ignore[union-attr]
        ).text
        == "价格更正：&lt;39&gt; 元"
    )
    confirm = (await bed.say(OWNER, OWNER, f"/retract {broadcast_id}"))[-1]
    assert "3" in (confirm.text or "")
    await bed.click(OWNER, confirm, f"bc:r:{broadcast_id}:y")
    await bed.sandbox.wait_for(lambda: "删除 3 处" in (bed.sandbox.messages(OWNER)[-1].text or ""))
    for chat_id in targets:
        assert in_chat(bed, chat_id) == []
    broadcast = await bed.services.outbox.get(broadcast_id)
    assert broadcast is not None and broadcast.status == "retracted"
    again = await bed.say(OWNER, OWNER, f"/retract {broadcast_id}")
    assert "已经撤回" in (again[-1].text or "")


async def test_edit_of_a_split_text_deletes_parts_no_longer_needed(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    text = "\n".join("行" * 100 for _ in range(60))
    broadcast_id = await bed.services.outbox.submit("text", Payload("text", text), [chat_id], OWNER)
    await bed.services.outbox.wait_idle(10)
    assert len(in_chat(bed, chat_id)) == 2
    edited, failed = await bed.services.outbox.edit_everywhere(broadcast_id, text="短了")
    assert (edited, failed) == (1, 0)
    assert texts(in_chat(bed, chat_id)) == ["短了"]
    with pytest.raises(ValueError):
        await bed.services.outbox.edit_everywhere(broadcast_id, text=text + "\n" + text)


async def test_commands_validate_their_arguments(bed: Testbed) -> None:
    await make_group(bed, "群")
    cases = {
        "/broadcast": "用法：/broadcast",
        "/broadcast    ": "用法：/broadcast",
        "/broadcast_status": "用法：/broadcast_status",
        "/broadcast_status abc": "「abc」不是群发编号",
        "/broadcast_status 999": "没有编号为 999 的群发",
        "/retract": "用法：/retract",
        "/retract -3": "「-3」不是群发编号",
        "/retract 999": "没有编号为 999 的群发",
        "/edit": "用法：/edit",
        "/edit 12x 新": "「12x」不是群发编号",
        "/edit 999 新内容": "没有编号为 999 的群发",
    }
    for command, expected in cases.items():
        answer = await bed.say(OWNER, OWNER, command)
        assert expected in texts(answer)[-1], command
    broadcast_id = await bed.services.outbox.submit("text", Payload("text", "原文"), [], OWNER)
    assert "用法：/edit" in texts(await bed.say(OWNER, OWNER, f"/edit {broadcast_id}"))[-1]
    assert "未修改" in texts(await bed.say(OWNER, OWNER, f"/edit {broadcast_id} 原文"))[-1]
    assert await bed.services.outbox.recent(5) == [await bed.services.outbox.get(broadcast_id)]


async def test_english_admin_gets_english_texts(bed: Testbed) -> None:
    bed.sandbox.add_user(OWNER, "Seller", language_code="en")
    answer = await bed.say(OWNER, OWNER, "/broadcast_status nope")
    assert "is not a broadcast id" in texts(answer)[-1]
    assert "No broadcasts yet" in texts(await bed.say(OWNER, OWNER, "/broadcasts"))[-1]


async def test_agents_are_refused_and_nothing_is_sent(bed: Testbed) -> None:
    chat_id = await make_group(bed, "群")
    bed.sandbox.add_user(777, "代理", language_code="zh-hans")
    answer = await bed.say(777, 777, "/broadcast 我也想群发")
    assert "只有" in texts(answer)[-1] or "⛔" in texts(answer)[-1]
    assert await bed.services.outbox.recent() == []
    assert in_chat(bed, chat_id) == []


async def test_broadcasts_list_and_status_report(bed: Testbed) -> None:
    targets = await groups(bed, 2)
    bed.sandbox.chat(targets[0]).bot_status = "kicked"
    broadcast_id = await bed.services.outbox.submit(
        "promotion", Payload("text", "满199减30"), targets, OWNER
    )
    await bed.services.outbox.wait_idle(10)
    listing = texts(await bed.say(OWNER, OWNER, "/broadcasts"))[-1]
    assert f"#{broadcast_id} 促销 · 已完成 · 送达 1/2 · 失败 1" in listing
    status = texts(await bed.say(OWNER, OWNER, f"/broadcast_status {broadcast_id}"))[-1]
    assert "代理群0" in status and "kicked" in status and "送达 1/2" in status


async def test_idempotency_key_makes_one_broadcast(bed: Testbed) -> None:
    targets = await groups(bed, 2)
    outbox = bed.services.outbox
    key = "schedule:12:2026-12-01T12:00Z"
    first = await outbox.submit(
        "reminder", Payload("text", "提醒"), targets, None, idempotency_key=key
    )
    second = await outbox.submit(
        "reminder", Payload("text", "提醒"), targets, None, idempotency_key=key
    )
    assert first == second
    await outbox.wait_idle(10)
    for chat_id in targets:
        assert texts(in_chat(bed, chat_id)) == ["提醒"]
    assert len(await outbox.recent()) == 1


async def test_replies_in_context_through_message_ids(bed: Testbed) -> None:
    targets = await groups(bed, 2)
    outbox = bed.services.outbox
    await outbox.submit("product", Payload("text", "新品 SKU9"), targets, None, ref="product:SKU9")
    await outbox.wait_idle(10)
    previews = await outbox.message_ids("product:SKU9")
    assert previews == {chat_id: in_chat(bed, chat_id)[0].message_id for chat_id in targets}
    await outbox.submit("stock", Payload("text", "SKU9 库存紧张"), targets, None, reply_to=previews)
    await outbox.wait_idle(10)
    for chat_id in targets:
        preview, notice = in_chat(bed, chat_id)
        assert notice.reply_to_message_id == preview.message_id


async def test_paid_broadcast_flag_is_sent(tmp_path: Path) -> None:
    bed = await _bed(tmp_path, rate_limits={"allow_paid_broadcast": True})
    try:
        chat_id = await make_group(bed, "群")
        await bed.services.outbox.submit("text", Payload("text", "付费广播"), [chat_id], None)
        await bed.services.outbox.wait_idle(10)
        (call,) = bed.sandbox.calls("sendMessage", chat_id)
        assert call.params.get("allow_paid_broadcast") is True
    finally:
        await bed.stop()


async def test_restart_resumes_pending_deliveries_exactly_once(tmp_path: Path) -> None:
    bed = await _bed(tmp_path, rate_limits={"global_per_second": 10})
    try:
        targets = await groups(bed, 30)
        await bed.services.outbox.submit("text", Payload("text", "重启前后"), targets, OWNER)
        await bed.sandbox.wait_for(lambda: bed.sandbox.stats.sent_ok > 40, timeout=10)
        await bed.stop_bot()
        sent_before = sum(len(in_chat(bed, chat_id)) for chat_id in targets)
        assert 0 < sent_before < 30
        await bed.start_bot()
        await bed.services.outbox.wait_idle(20)
        for chat_id in targets:
            assert texts(in_chat(bed, chat_id)) == ["重启前后"]
        broadcast = (await bed.services.outbox.recent(1))[0]
        assert broadcast.status == "done" and broadcast.sent == 30
    finally:
        await bed.stop()
