"""The delivery engine's priority lane, its in-flight bound and what the rate limiter counts."""

from __future__ import annotations

import asyncio
import math

from bot.broadcast.delivery.lane import Admission, PriorityLane
from bot.broadcast.delivery.queues import ChatQueues, Job, QueuedDelivery
from bot.broadcast.delivery.windows import LatencyGauge, Window, in_flight_bound
from bot.rate_limits import message_cost

GROUP = -1001
OTHER_GROUP = -1002
PRIVATE = 42


class Lane:
    """A lane over real windows with a hand-set clock."""

    def __init__(self, global_capacity: int, group_capacity: int) -> None:
        self.now = 100.0
        self.wakes = 0
        self.global_window = Window(global_capacity, 1.0)
        self.chats: dict[int, Window] = {}
        self.group_capacity = group_capacity
        self.lane = PriorityLane(self.global_window, self.chat, lambda: self.now, self.wake)

    def chat(self, chat_id: int) -> Window:
        return self.chats.setdefault(chat_id, Window(self.group_capacity, 60.0))

    def wake(self) -> None:
        self.wakes += 1

    def request(self, chat_id: int, cost: int = 1) -> asyncio.Task[Admission]:
        return asyncio.ensure_future(self.lane.acquire(chat_id, cost))


async def test_a_request_with_nobody_ahead_is_granted_at_once_if_the_window_has_room() -> None:
    bed = Lane(global_capacity=2, group_capacity=20)
    first, second, third = (bed.request(PRIVATE) for _ in range(3))
    await asyncio.sleep(0)
    assert first.done() and second.done() and not third.done()
    assert bed.wakes == 1  # only the one left waiting wakes the dispatcher
    assert bed.lane.grant(bed.now) == (math.inf, True)  # held until an answer frees a slot
    bed.lane.release(first.result())
    bed.now += 0.3
    wait, blocked = bed.lane.grant(bed.now)
    assert blocked and math.isclose(wait, 0.7)  # the released slot ages out of the window
    bed.now += 0.7
    assert bed.lane.grant(bed.now) == (math.inf, False)
    await asyncio.sleep(0)
    assert third.done() and bed.lane.in_flight == 2


async def test_waiting_requests_are_granted_in_arrival_order() -> None:
    bed = Lane(global_capacity=2, group_capacity=20)
    bed.global_window.reserve(2)
    requests = [bed.request(chat_id) for chat_id in (PRIVATE, GROUP, OTHER_GROUP)]
    await asyncio.sleep(0)
    assert not any(request.done() for request in requests)
    bed.global_window.complete(bed.now, 2)
    bed.now += 1.0
    bed.lane.grant(bed.now)
    await asyncio.sleep(0)
    assert [request.done() for request in requests] == [True, True, False]


async def test_a_group_over_its_minute_waits_without_holding_back_other_chats() -> None:
    bed = Lane(global_capacity=30, group_capacity=1)
    bed.chat(GROUP).reserve(1)
    bed.chat(GROUP).complete(bed.now, 1)
    held = bed.request(GROUP)
    other = bed.request(OTHER_GROUP)
    await asyncio.sleep(0)
    wait, blocked = bed.lane.grant(bed.now)
    await asyncio.sleep(0)
    assert not held.done() and other.done()
    assert not blocked and math.isclose(wait, 60.0)  # bulk sends may go on meanwhile
    bed.now += 60.0
    bed.lane.grant(bed.now)
    await asyncio.sleep(0)
    assert held.done()
    assert bed.chat(GROUP).in_flight == 1 and bed.global_window.in_flight == 2


async def test_a_private_reply_is_held_to_the_global_window_only() -> None:
    bed = Lane(global_capacity=30, group_capacity=1)
    replies = [bed.request(PRIVATE) for _ in range(3)]
    await asyncio.sleep(0)
    bed.lane.grant(bed.now)
    await asyncio.sleep(0)
    assert all(reply.done() for reply in replies) and PRIVATE not in bed.chats


async def test_after_close_requests_pass_at_once_and_reserve_nothing() -> None:
    bed = Lane(global_capacity=1, group_capacity=20)
    bed.global_window.reserve(1)
    waiting = bed.request(PRIVATE)
    await asyncio.sleep(0)
    bed.lane.close()
    later = await bed.lane.acquire(GROUP, 1)
    assert (await waiting).windows == () and later.windows == ()
    bed.lane.release(later)
    assert bed.global_window.in_flight == 1 and bed.lane.in_flight == 0


async def test_a_cancelled_waiter_gives_its_place_up() -> None:
    bed = Lane(global_capacity=1, group_capacity=20)
    bed.global_window.reserve(1)
    gone = bed.request(PRIVATE)
    kept = bed.request(PRIVATE)
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    bed.global_window.complete(bed.now, 1)
    bed.now += 1.0
    bed.lane.grant(bed.now)
    await asyncio.sleep(0)
    assert kept.done() and bed.global_window.in_flight == 1


def test_in_flight_bound_follows_littles_law() -> None:
    assert in_flight_bound(1000, 0.04) == 82  # 2 x 1000/s x 40 ms + 2
    assert in_flight_bound(30, 0.1) == 8
    assert in_flight_bound(30, 0.001) == 4  # never below 4
    assert in_flight_bound(1000, 2.0) == 256  # never above the connection pool


def test_latency_gauge_moves_towards_what_it_sees() -> None:
    gauge = LatencyGauge(initial=0.1, weight=0.5)
    gauge.observe(0.04)
    assert math.isclose(gauge.seconds, 0.07)
    for _ in range(40):
        gauge.observe(0.04)
    assert math.isclose(gauge.seconds, 0.04, rel_tol=1e-6)


def test_message_cost_counts_what_telegram_counts() -> None:
    assert message_cost("sendMessage", {"chat_id": 1, "text": "x"}) == 1
    assert message_cost("editMessageText", {"chat_id": 1}) == 1
    assert message_cost("sendMediaGroup", {"chat_id": 1, "media": [1, 2, 3]}) == 3
    assert message_cost("forwardMessages", {"chat_id": 1, "message_ids": [1, 2]}) == 2
    assert message_cost("copyMessage", {"chat_id": 1}) == 1
    for uncounted in ("sendChatAction", "answerCallbackQuery", "getChat", "deleteMessage"):
        assert message_cost(uncounted, {"chat_id": 1}) == 0


def test_a_message_leaves_the_window_half_the_fastest_round_trip_before_its_answer_does() -> None:
    gauge = LatencyGauge()
    window = Window(1, 1.0, gauge)
    window.reserve(1)
    window.complete(10.3, 1)
    assert math.isclose(window.wait(10.5, 1), 0.8)  # nothing seen: by the answer itself
    gauge.observe(0.04)
    gauge.observe(0.2)
    assert gauge.lead == 0.02  # the way back took >= 20 ms
    assert math.isclose(window.wait(10.5, 1), 0.78)
    assert window.wait(11.281, 1) == 0.0


def test_a_shorter_round_trip_seen_later_corrects_the_answers_recorded_before() -> None:
    """The first answers of a burst come back slowly: while they are the fastest seen, the
    lead is too long, but it is applied when the window is read, so the answers recorded
    then leave the window by the lead known a second later."""
    gauge = LatencyGauge()
    window = Window(2, 1.0, gauge)
    window.reserve(2)
    gauge.observe(0.3)  # the burst's first answer
    window.complete(10.3, 1)
    gauge.observe(0.04)  # a quiet request later on
    window.complete(10.35, 1)
    assert math.isclose(window.wait(11.2, 1), 0.08)  # 10.3 - 0.02 + 1 s, not 10.3 - 0.15 + 1 s
    assert window.wait(11.281, 1) == 0.0


async def test_the_apps_requests_tell_the_fastest_round_trip_but_not_the_sends_mean() -> None:
    gauge = LatencyGauge(initial=0.1)
    bed = Lane(global_capacity=2, group_capacity=20)
    bed.lane = PriorityLane(
        bed.global_window,
        bed.chat,
        lambda: bed.now,
        bed.wake,
        lambda seconds: gauge.observe(seconds, mean=False),
    )
    bed.global_window.gauge = gauge
    admission = await bed.lane.acquire(PRIVATE, 1)
    bed.now += 0.05
    bed.lane.release(admission)
    assert math.isclose(gauge.fastest, 0.05) and gauge.seconds == 0.1
    assert math.isclose(bed.global_window.wait(bed.now, 2), 1.0 - 0.025)


async def test_deliveries_next_in_line_are_marked_sending_once_while_they_wait() -> None:
    """The engine has the first deliveries of the next runnable chats marked 'sending' while
    the global window is full: once, and not for a paused chat or one whose job comes first."""
    queues = ChatQueues(lambda chat_id: Window(20, 60.0), lambda: None)
    marked: list[int] = []

    def mark(delivery: QueuedDelivery, chat_id: int) -> asyncio.Future[None]:
        marked.append(delivery.id)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future

    for chat_id in (GROUP, OTHER_GROUP, -1003, -1004):
        chat = queues.chat(chat_id)
        chat.deliveries.append(QueuedDelivery(-chat_id, 1, None, chat_id, 0, [], None))
        queues.schedule(chat)
    queues.chat(OTHER_GROUP).paused_until = 200.0
    queues.enqueue_job(-1003, Job(1, lambda bot: asyncio.sleep(0)))
    queues.premark(100.0, 3, mark)
    queues.premark(100.0, 3, mark)
    assert marked == [-GROUP]  # the paused chat and the one with a job are left alone
    queues.premark(100.0, 4, mark)
    assert marked == [-GROUP, 1004]
    assert queues.chat(GROUP).deliveries[0].marked is not None
