"""Every declared button kind, pressed by each hostile role with generated data (ids that exist
and do not, forged, malformed): no exception, no change, nothing revealed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.callbacks import KINDS, RsvpChoice, parse_as
from tests.adversarial.callback_data import callback_data
from tests.adversarial.conftest import HOSTILE, Arena, fuzz
from tests.adversarial.tally import Counts
from tests.adversarial.test_command_fuzz import _report

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Known gaps that other items of issue 11 close (strict: the mark must go when they land).
_EXPECTED_FAILURES: dict[type, str] = {}


def _params() -> list[object]:
    return [
        pytest.param(
            kind,
            id=kind.__name__,
            marks=[pytest.mark.xfail(strict=True, reason=_EXPECTED_FAILURES[kind])]
            if kind in _EXPECTED_FAILURES
            else [],
        )
        for kind in KINDS
    ]


def _entitled(arena: Arena, role: str, data: str) -> bool:
    """An agent (or the revoked admin, also a member) answering the training of their group."""
    rsvp = parse_as(RsvpChoice, data)
    return rsvp is not None and role != "stranger" and rsvp.training_id == arena.open_training


@pytest.mark.parametrize("kind", _params())
@fuzz(4)
@given(data=st.data(), in_group=st.booleans())
async def test_hostile_roles_pressing_a_button_change_and_learn_nothing(
    arena: Arena, tally: Counts, kind: type, data: st.DataObject, in_group: bool
) -> None:
    sandbox = arena.bed.sandbox
    pressed = data.draw(callback_data(kind, arena.existing_ids()), label="callback_data")
    outcomes = []
    for role in HOSTILE:
        user = arena.private(role)
        chat = arena.group_of(role) if in_group else user
        message = sandbox.last_message(chat)
        # A pending group (the stranger's) has no bot message: the press then names none.
        message_id = message.message_id if message is not None else 1
        outcomes.append(
            await arena.case(
                role,
                f"{pressed!r} in {chat}",
                lambda u=user, c=chat, m=message_id: sandbox.click(u, c, m, pressed, strict=False),
                entitled=_entitled(arena, role, pressed),
            )
        )
    assert all(o.clean for o in outcomes), _report(outcomes)
