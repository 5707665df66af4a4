"""The pure parts of cancelling a training: argument parsing, checks and rendering."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.common.errors import InputError
from bot.events.training import cancelled_announcement, rsvp_rows, training_line
from bot.events.training_cancel import (
    Cancellation,
    cancel_problem,
    confirmation_text,
    done_text,
    notice_text,
    parse_training_id,
)
from storage.schedule_models import Training

SH = ZoneInfo("Asia/Shanghai")
START = int(datetime(2027, 9, 3, 10, 13, tzinfo=SH).timestamp())
TRAINING = Training(
    id=3,
    title="<b>卖点</b> & 话术",
    starts_at=START,
    duration_minutes=90,
    location="会议室 <1>",
    materials_file=None,
    target_tags=(),
    creator_id=100,
    broadcast_id=7,
    status="scheduled",
    created_at=START - 86400,
)
COUNTS = {"yes": 4, "no": 2, "maybe": 1}


@pytest.mark.parametrize(("args", "expected"), [(["3"], 3), (["#12"], 12), (["007"], 7)])
def test_parse_training_id_accepts_numbers(args: list[str], expected: int) -> None:
    assert parse_training_id(args, "en") == expected


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "missing"),
        (["0"], "“0” is not a positive whole number"),
        (["-2"], "“-2” is not a positive whole number"),
        (["x1"], "“x1” is not a positive whole number"),
        (["３"], "“３” is not a positive whole number"),  # full-width digit
        (["1", "2"], "exactly one training id, not “1 2”"),
    ],
)
def test_parse_training_id_rejects(args: list[str], fragment: str) -> None:
    with pytest.raises(InputError) as error:
        parse_training_id(args, "en")
    assert fragment in error.value.text
    assert "/cancel_training &lt;training id&gt;, e.g. /cancel_training 3" in error.value.text


def test_cancel_problem() -> None:
    assert cancel_problem(TRAINING, START - 1, SH, "en") is None
    started = cancel_problem(TRAINING, START, SH, "en")
    assert started is not None and "started at 2027-09-03 10:13" in started
    cancelled = replace(TRAINING, status="cancelled")
    already = cancel_problem(cancelled, START - 1, SH, "zh")
    assert already is not None and "已经取消过了" in already
    assert "&lt;b&gt;卖点&lt;/b&gt; &amp; 话术" in already


def test_confirmation_text() -> None:
    text = confirmation_text(TRAINING, COUNTS, SH, "zh")
    assert "#3" in text and "2027-09-03 10:13" in text
    assert "参加 4 人" in text and "待定 1 人" in text
    assert "&lt;b&gt;卖点" in text and "<b>卖点" not in text
    assert "群里改为「已取消」" in text
    unannounced = confirmation_text(replace(TRAINING, broadcast_id=None), COUNTS, SH, "en")
    assert "has not gone out" in unannounced


def test_cancelled_announcement_is_marked_and_escaped() -> None:
    text = cancelled_announcement(TRAINING, SH, "zh")
    assert text.startswith("❌ <b>【已取消】")
    assert "&lt;b&gt;卖点&lt;/b&gt; &amp; 话术" in text and "会议室 &lt;1&gt;" in text
    assert "报名：" not in text  # no counts
    assert "[CANCELLED]" in cancelled_announcement(TRAINING, SH, "en")


def test_lists_mark_cancelled_trainings() -> None:
    cancelled = replace(TRAINING, status="cancelled")
    assert training_line(cancelled, COUNTS, SH, "zh").startswith("❌已取消 #3 ")
    assert training_line(TRAINING, COUNTS, SH, "zh").startswith("#3 ")
    assert "此培训已取消" in rsvp_rows(cancelled, [], [], SH, "zh")[0]
    assert "此培训已取消" not in rsvp_rows(TRAINING, [], [], SH, "zh")[0]


def test_notice_and_done_texts() -> None:
    notice = notice_text(TRAINING, SH, "en")
    assert "Training cancelled" in notice and "2027-09-03 10:13" in notice
    assert "&lt;b&gt;" in notice
    done = Cancellation(TRAINING, True, 19, 1, 2, 20, 35)
    text = done_text(done, "en")
    assert "in 19 groups" in text and "to 20 groups" in text and "35 agents" in text
    assert "could not be edited in 1 groups" in text
    quiet = Cancellation(replace(TRAINING, broadcast_id=None), False, 0, 0, 3, 0, 0)
    assert "had not gone out" in done_text(quiet, "en")
