"""/export runs in the background: send the command, wait for the job, return the file."""

from __future__ import annotations

from bot.agents.export_job import exports_of
from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER


async def export_document(bed: Testbed, user_id: int = OWNER) -> SentMessage:
    """The document message an admin's ``/export`` sends, once the export job has finished."""
    before = bed.sandbox.sent_count()
    await bed.say(user_id, user_id, "/export")
    await exports_of(bed.application).wait_idle()
    documents = [m for m in bed.sandbox.sent_since(before) if m.document is not None]
    assert len(documents) == 1, bed.sandbox.sent_since(before)
    return documents[0]
