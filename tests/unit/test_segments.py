"""Parsing a private send's target and sorting its agents by reach (bot/agents/segments.py)."""

from __future__ import annotations

import pytest

from bot.agents.segments import GREETING_SEGMENT_KEYS, parse_target, split_reach
from bot.common.errors import InputError
from storage.reach import Recipient


def test_full_width_segment_is_read() -> None:
    target = parse_target("tag：VIP客户", 0, "zh")
    assert target.text == "tag:VIP客户"
    assert target.segment is not None and target.segment.tags == ("VIP客户",)
    assert parse_target("mode:批发", 0, "zh").segment is not None


def test_agent_lists_split_on_every_separator() -> None:
    target = parse_target("@li_taobao、2002，李女士淘卖,＠gu_douyin 2002", 0, "zh")
    assert target.segment is None
    assert target.agents == ("@li_taobao", "2002", "李女士淘卖", "@gu_douyin")


@pytest.mark.parametrize("text", ["colour:red", "tag:", "category:女装", "", "tag:a,b"])
def test_bad_targets_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_target(text, 0, "zh")


def test_greeting_targets_are_segments_of_three_kinds_only() -> None:
    assert parse_target("tier:优质", 0, "zh", GREETING_SEGMENT_KEYS, agents=False).segment
    for text in ("platform:淘宝", "@li_taobao"):
        with pytest.raises(InputError):
            parse_target(text, 0, "zh", GREETING_SEGMENT_KEYS, agents=False)


def _agent(user_id: int, *, started: bool, blocked: bool = False, muted: bool = False) -> Recipient:
    return Recipient(user_id, f"A{user_id}", None, None, started, blocked, muted)


def test_split_reach_sorts_and_leaves_staff_out() -> None:
    agents = [
        _agent(1, started=True),
        _agent(2, started=False),
        _agent(3, started=False, blocked=True),
        _agent(4, started=True, muted=True),
        _agent(5, started=True),
    ]
    reach = split_reach(agents, promotional=True, staff={5})
    assert [r.user_id for r in reach.reachable] == [1]
    assert [r.user_id for r in reach.never_started] == [2]
    assert [r.user_id for r in reach.blocked] == [3]
    assert [r.user_id for r in reach.muted] == [4]
    assert [r.user_id for r in reach.unreachable] == [2, 3]
    greeting = split_reach(agents, promotional=False, staff=())
    assert [r.user_id for r in greeting.reachable] == [1, 4, 5]
