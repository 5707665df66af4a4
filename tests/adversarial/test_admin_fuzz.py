"""Every registered command with generated arguments, by an admin in private and in a group,
in a world of its own (admins change things): no unhandled exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.callbacks import KINDS
from tests.adversarial.callback_data import callback_data
from tests.adversarial.conftest import OWNER, Arena, fuzz
from tests.adversarial.tally import Counts
from tests.adversarial.test_command_fuzz import ARGUMENTS, COMMANDS, _report

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.mark.parametrize("command", COMMANDS)
@fuzz(2)
@given(arguments=ARGUMENTS)
async def test_an_admin_fuzzing_a_command_raises_nothing(
    arena: Arena, tally: Counts, command: str, arguments: str
) -> None:
    sandbox = arena.bed.sandbox
    text = f"/{command} {arguments}".rstrip()
    outcomes = [
        await arena.owner_case(
            f"{text[:80]} in {chat}", lambda c=chat: sandbox.send_text(c, OWNER, text)
        )
        for chat in (OWNER, arena.vip_group)
    ]
    assert all(o.clean for o in outcomes), _report(outcomes)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
@fuzz(3)
@given(data=st.data())
async def test_an_admin_pressing_any_button_raises_nothing(
    arena: Arena, tally: Counts, kind: type, data: st.DataObject
) -> None:
    sandbox = arena.bed.sandbox
    pressed = data.draw(callback_data(kind, arena.existing_ids()), label="callback_data")
    message = sandbox.last_message(OWNER)
    assert message is not None
    outcome = await arena.owner_case(
        repr(pressed),
        lambda: sandbox.click(OWNER, OWNER, message.message_id, pressed, strict=False),
    )
    assert outcome.clean, _report([outcome])
