"""The demo's last scene: the seller's dashboard (/stats) and a backup (/backup).

It must stay the last entry of ``SCENES``: the figures sum up everything the story did before.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from bot.dev.testbed import DEFAULT_OWNER
from bot.ops.backup_files import human_size

if TYPE_CHECKING:
    from bot.dev.demo.story import Transcript

OWNER = DEFAULT_OWNER


async def scene_dashboard(story: Transcript) -> None:
    sandbox = story.bed.sandbox
    story.scene("最后 / finally: 经营看板与备份 / the seller's dashboard and a backup")
    sent = await story.say(OWNER, OWNER, "/stats")
    for message in sent:
        if message.photo:
            data = sandbox.file_bytes(message.photo)
            width, height = struct.unpack(">II", data[16:24])
            story.note(
                f"the chart: a {width}×{height} PNG ({human_size(len(data))}) with agents per "
                "tier, agent growth per week and deliveries per week"
            )
    sent = await story.say(OWNER, OWNER, "/backup")
    for message in sent:
        if message.document:
            data = sandbox.file_bytes(message.document["file_id"])
            story.note(
                f"the owner received {human_size(len(data))}: a SQLite copy made with the online "
                "backup API while the bot kept running, integrity-checked before sending"
            )
    await story.say(2001, 2001, "/stats")
