"""The callback-data codec: the wire format buttons already carry, round trips of every kind,
and nothing malformed, forged or out of range ever parsing (or raising)."""

from __future__ import annotations

import types
from dataclasses import fields
from typing import Annotated, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.callbacks import (
    INT64_MAX,
    KINDS,
    AgentCardOpen,
    AgentChoice,
    AgentRemoval,
    AgentsCursor,
    Attended,
    BroadcastDecision,
    BroadcastRetract,
    BroadcastTarget,
    CallbackData,
    CatalogCategory,
    DiscontinueConfirm,
    DmDecision,
    FollowUpDone,
    ForgetMe,
    GreetingAnswer,
    GreetingPromo,
    GroupDecision,
    IntRange,
    KeyedListPage,
    LaunchPick,
    LaunchSlot,
    ListPage,
    MaterialsRequest,
    MenuTask,
    ProductCategory,
    ProductStep,
    ProductTarget,
    ProfileReturnReason,
    ProfileReview,
    PromoKindChoice,
    PromoStep,
    PromoTarget,
    QueueAgent,
    QueueBulk,
    QueueCursor,
    QuietAnswer,
    RsvpChoice,
    SampleAsk,
    SampleDecision,
    SampleListing,
    SampleRequest,
    ScheduleTarget,
    Shape,
    StoredListPage,
    TagPick,
    TrainingCancel,
    encode,
    fits,
    matches,
    matches_exactly,
    parse,
    parse_as,
)

# One button of every kind with the exact string it has always had on the wire.
WIRE: list[tuple[CallbackData, str]] = [
    (RsvpChoice(12, "yes"), "rsvp:12:yes"),
    (Attended(3, 2001), "att:3:2001"),
    (TrainingCancel("ab12cd34", "y"), "trc:ab12cd34:y"),
    (AgentsCursor("ab12cd34", "a", 2, 1, 1764560000, 42), "agk:ab12cd34:a:2:1:1764560000:42"),
    (ListPage("groups", 3), "lp:groups:3"),
    (KeyedListPage("bcreport", 12, 3), "lk:bcreport:12:3"),
    (StoredListPage("ab12cd34", 3), "ls:ab12cd34:3"),
    (AgentRemoval("ab12cd34", "n"), "rm:ab12cd34:n"),
    (ForgetMe("ab12cd34", "y"), "fm:ab12cd34:y"),
    (ProfileReview("a", 7), "pf:a:7"),
    (ProfileReturnReason(7, 3), "pf:q:7:3"),
    (QueueAgent("x", 5), "lq:x:5"),
    (QueueAgent("n", 0), "lq:n:0"),
    (QueueCursor("b", 1, 5), "lq:c:b:1:5"),
    (QueueBulk("B", "ab12cd34"), "lq:B:ab12cd34"),
    (ProductCategory(0), "np:cat:0"),
    (ProductTarget(2), "np:tg:2"),
    (ProductStep("teaser"), "np:teaser"),
    (PromoKindChoice("full_reduction"), "pm:kind:full_reduction"),
    (PromoTarget(0), "pm:tg:0"),
    (PromoStep("cancel"), "pm:cancel"),
    (BroadcastTarget("ab12cd34", "a"), "bc:t:ab12cd34:a"),
    (BroadcastTarget("ab12cd34", 4), "bc:t:ab12cd34:4"),
    (BroadcastDecision("s", "ab12cd34"), "bc:s:ab12cd34"),
    (BroadcastRetract(12, "y"), "bc:r:12:y"),
    (QuietAnswer(9, "later"), "qh:9:later"),
    (ScheduleTarget("ab12cd34", "c"), "sct:ab12cd34:c"),
    (ScheduleTarget("ab12cd34", 3), "sct:ab12cd34:3"),
    (GreetingAnswer("zhongqiu", 2027, "a"), "grt:zhongqiu:2027:a"),
    (FollowUpDone(2001), "fu:2001"),
    (AgentCardOpen(2001), "acard:2001"),
    (
        AgentChoice("contacted", 9007199254740993, "ab12cd34"),
        "achoose:contacted:9007199254740993:ab12cd34",
    ),
    (LaunchSlot("slot"), "lc:slot"),
    (LaunchPick("t", "SKU-1", "*"), "lp:t:SKU-1:*"),
    (LaunchPick("l", "A.B_C", "老客户: 华东"), "lp:l:A.B_C:老客户: 华东"),
    (GroupDecision(4, "ok"), "grp:4:ok"),
    (GroupDecision(4, "leave"), "grp:4:leave"),
    (DiscontinueConfirm("A1", "y"), "dc:A1:y"),
    (SampleRequest("DS-1"), "sr:DS-1"),
    (SampleDecision(7, "ok"), "sd:7:ok"),
    (SampleDecision(7, "no"), "sd:7:no"),
    (SampleAsk(7), "sq:7"),
    (SampleListing(7, "n"), "sl:7:n"),
    (MaterialsRequest("A.B_C-1"), "mat:A.B_C-1"),
    (CatalogCategory(0), "ac:cat:0"),
    (DmDecision("s", "ab12cd34"), "dm:s:ab12cd34"),
    (DmDecision("c", "ab12cd34"), "dm:c:ab12cd34"),
    (GreetingPromo("zhongqiu", 2027, 5), "grtp:zhongqiu:2027:5"),
    (TagPick("ab12cd34", 3), "tgp:ab12cd34:3"),
    (MenuTask("broadcast"), "mn:broadcast"),
    (MenuTask("help"), "mn:help"),
]


@pytest.mark.parametrize(("value", "data"), WIRE, ids=[data for _, data in WIRE])
def test_wire_format_is_kept(value: CallbackData, data: str) -> None:
    assert encode(value) == data
    assert parse(data) == value
    assert parse_as(type(value), data) == value


def test_every_kind_has_a_wire_example() -> None:
    assert {type(value) for value, _ in WIRE} == set(KINDS)


def _strategy(hint: object) -> st.SearchStrategy[object]:
    """Valid values of one field type, as the codec declares them."""
    if hint is int:
        return st.integers(0, INT64_MAX)
    origin = get_origin(hint)
    if origin is Literal:
        return st.sampled_from(get_args(hint))
    if origin is Annotated:
        base, marker = get_args(hint)[:2]
        if isinstance(marker, IntRange):
            return st.integers(marker.low, marker.high)
        assert isinstance(marker, Shape) and base is str
        return st.from_regex(marker.pattern, fullmatch=True)
    assert origin is Union or isinstance(hint, types.UnionType)
    return st.one_of(*(_strategy(member) for member in get_args(hint)))


def _values(kind: type[CallbackData]) -> st.SearchStrategy[CallbackData]:
    hints = get_type_hints(kind, include_extras=True)
    field_strategies = {f.name: _strategy(hints[f.name]) for f in fields(kind)}  # type: ignore[arg-type]
    return st.builds(kind, **field_strategies)


EVERY_KIND = st.one_of(*(_values(kind) for kind in KINDS))


@given(EVERY_KIND)
def test_round_trip_of_every_kind(value: CallbackData) -> None:
    if not fits(value):  # only a long free-text tag can overflow 64 bytes
        assert isinstance(value, LaunchPick)
        with pytest.raises(ValueError):
            encode(value)
        return
    data = encode(value)
    assert len(data.encode("utf-8")) <= 64
    assert parse(data) == value
    assert parse_as(type(value), data) == value
    assert matches(type(value))(data)


@given(st.text(max_size=80))
def test_arbitrary_text_parses_to_none_or_to_exactly_itself(data: str) -> None:
    value = parse(data)  # never raises
    if value is not None:
        assert encode(value) == data


@given(st.sampled_from([data for _, data in WIRE]), st.text(min_size=1, max_size=4))
def test_a_tampered_wire_string_never_parses_to_something_else(data: str, junk: str) -> None:
    for forged in (data + junk, junk + data, data.replace(":", junk, 1)):
        value = parse(forged)
        assert value is None or encode(value) == forged


@pytest.mark.parametrize(
    "data",
    [
        "rsvp:١:yes",  # Arabic-Indic one: a digit to Python, not to us
        "rsvp:²:yes",  # superscript two
        "rsvp:１:yes",  # fullwidth one
        "rsvp:012:yes",  # not canonical
        "rsvp:-1:yes",
        "rsvp:+1:yes",
        "rsvp: 1:yes",
        "rsvp:9223372036854775808:yes",  # 2**63: beyond SQLite's int64
        "rsvp:99999999999999999999999:yes",
        "rsvp:12:YES",
        "rsvp:12:sure",
        "rsvp:12",
        "rsvp:12:yes:",
        "rsvp:12:yes:no",
        "rsvp::yes",
        "RSVP:12:yes",
        "bc:t:ABCDEF12:a",  # hex keys are lower case
        "bc:t:ab12cd34:b",
        "bc:t:0123456789abcdef0:a",  # hex key too long
        "bc:x:ab12cd34",
        "pf:q:7:10",  # preset reasons are one digit
        "pf:z:7",
        "lq:c:x:1:5",
        "lq:c:a:100000:5",  # beyond the last page
        "agk:ab12cd34:a:2:1000:1:2",  # part beyond MAX_PART
        "agk:ab12cd34:a:2:1:-5:2",  # no negative times
        "lq:B:5g",
        "grt:zhongqiu:999:a",
        "grt:Zhongqiu:2027:a",
        "grt:zhongqiu:2027:x",
        "np:cat:",
        "np:publish",
        "pm:kind:bogo",
        "lp:x:SKU:*",
        "lp:l:sku-lower:*",
        "lp:l:SKU:",
        "lp:l:SKU:a\nb",
        "lc:maybe",
        "fu:1:2",
        "",
        ":",
        "nonsense",
        "lp:l:SKU:" + "x" * 60,  # over 64 bytes
        "\ud800",  # a lone surrogate
    ],
)
def test_malformed_forged_or_out_of_range_data_is_not_ours(data: str) -> None:
    assert parse(data) is None
    assert not any(matches(kind)(data) for kind in KINDS)


@pytest.mark.parametrize("data", [None, 12, b"rsvp:1:yes", ["rsvp", "1", "yes"]])
def test_data_that_is_not_text_is_not_ours(data: object) -> None:
    assert parse(data) is None
    assert parse_as(RsvpChoice, data) is None


def test_parse_as_only_accepts_its_kind() -> None:
    assert parse_as(RsvpChoice, "att:3:2001") is None
    assert parse_as(QueueCursor, "lq:x:5") is None
    assert parse_as(QueueAgent, "lq:c:a:1:5") is None


def test_matches_exactly_picks_steps() -> None:
    cancel = matches_exactly(ProductStep("cancel"), PromoStep("cancel"))
    assert cancel("np:cancel") and cancel("pm:cancel")
    assert not cancel("np:send") and not cancel("np:cancel:x") and not cancel(None)


@pytest.mark.parametrize(
    "value",
    [
        RsvpChoice(-1, "yes"),
        RsvpChoice(2**63, "yes"),
        RsvpChoice(1, "sure"),  # type: ignore[arg-type]
        RsvpChoice(True, "yes"),  # a bool is not an id
        AgentsCursor("XYZ", "a", 1, 0, 1, 1),
        ProfileReturnReason(1, 10),
        LaunchPick("l", "SKU", "x" * 60),
    ],
)
def test_encode_refuses_what_would_not_parse_back(value: CallbackData) -> None:
    assert not fits(value)
    with pytest.raises(ValueError):
        encode(value)
