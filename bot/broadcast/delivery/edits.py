"""/edit and /retract of a sent broadcast: the change is applied to every chat that got it,
each edit or deletion a job in that chat's queue, so within the same limits as the sends."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.broadcast.delivery.sending import is_not_modified
from bot.broadcast.outbox import Keyboard, Payload, inline_markup, layout

if TYPE_CHECKING:
    from bot.broadcast.delivery.engine import DeliveryEngine

log = logging.getLogger(__name__)


async def edit_everywhere(
    engine: DeliveryEngine, broadcast_id: int, text: str | None, keyboard: Keyboard | None
) -> tuple[int, int]:
    """Edit the broadcast's text and/or keyboard in every chat it was sent to; returns
    (edited, failed). Refused (ValueError) when the new content needs more messages."""
    repository = engine.repository
    broadcast = await repository.get(broadcast_id, failures=False)
    if broadcast is None:
        raise LookupError(f"no broadcast {broadcast_id}")
    if broadcast.status == "retracted":
        raise ValueError("the broadcast was retracted")
    old = Payload.from_json(broadcast.payload)
    new = old if text is None else old.with_text(text)
    if keyboard is not None:
        new = new.with_keyboard(keyboard)
    old_parts, new_parts = layout(old), layout(new)
    if len(new_parts) > len(old_parts) or any(
        a.kind != b.kind for a, b in zip(old_parts, new_parts, strict=False)
    ):
        raise ValueError("the new content needs more messages than the broadcast has")
    await repository.set_payload(broadcast_id, new.to_json())
    engine.replace_parts(broadcast_id, new_parts)
    await engine.settle(broadcast_id)
    changed = [
        index
        for index, (a, b) in enumerate(zip(old_parts, new_parts, strict=False))
        if a.text != b.text or a.keyboard != b.keyboard
    ]
    keep = sum(part.size for part in new_parts)
    if not changed and len(new_parts) == len(old_parts):
        return 0, 0
    deliveries = await repository.deliveries(broadcast_id, "sent")

    async def edit_one(chat_id: int, ids: tuple[int, ...]) -> bool:
        offsets = [0]
        for part in old_parts:
            offsets.append(offsets[-1] + part.size)
        if len(ids) < offsets[len(new_parts)]:
            return False

        async def run(bot: Bot) -> None:
            for index in changed:
                part = new_parts[index]
                message_id = ids[offsets[index]]
                markup = inline_markup(part.keyboard)
                try:
                    if part.kind == "text":
                        await bot.edit_message_text(
                            part.text,
                            chat_id,
                            message_id,
                            parse_mode=ParseMode.HTML,
                            reply_markup=markup,
                            link_preview_options=LinkPreviewOptions(is_disabled=True),
                        )
                    else:
                        await bot.edit_message_caption(
                            chat_id,
                            message_id,
                            caption=part.text or None,
                            parse_mode=ParseMode.HTML,
                            reply_markup=markup,
                        )
                except BadRequest as error:
                    if not is_not_modified(error):
                        raise
            if len(ids) > keep:
                await bot.delete_messages(chat_id, list(ids[keep:]))

        try:
            await engine.limited(chat_id, max(1, len(changed)), run)
        except TelegramError as error:
            log.info("edit of broadcast %s in %s failed: %s", broadcast_id, chat_id, error)
            return False
        return True

    results = await asyncio.gather(
        *(edit_one(item.chat_id, item.message_ids) for item in deliveries)
    )
    if keep < max((len(item.message_ids) for item in deliveries), default=0):
        for item, ok in zip(deliveries, results, strict=True):
            if ok:
                await repository.set_message_ids(item.id, item.message_ids[:keep])
    edited = sum(results)
    return edited, len(results) - edited


async def retract(engine: DeliveryEngine, broadcast_id: int) -> tuple[int, int]:
    """Stop sending the broadcast and delete it from every chat that got it; returns
    (deleted, failed)."""
    repository = engine.repository
    broadcast = await repository.get(broadcast_id, failures=False)
    if broadcast is None:
        raise LookupError(f"no broadcast {broadcast_id}")
    engine.stop_sending(broadcast_id)
    await repository.set_status(broadcast_id, "retracted", engine.services.now())
    engine.purge(broadcast_id)
    await engine.settle(broadcast_id)
    engine.purge(broadcast_id)
    await repository.cancel_open(broadcast_id)
    deliveries = await repository.deliveries(broadcast_id, "sent")

    async def delete_one(chat_id: int, ids: tuple[int, ...]) -> bool:
        async def run(bot: Bot) -> None:
            await bot.delete_messages(chat_id, list(ids))

        try:
            await engine.limited(chat_id, 1, run)
        except TelegramError as error:
            log.info("retract of broadcast %s in %s failed: %s", broadcast_id, chat_id, error)
            return False
        return True

    results = await asyncio.gather(
        *(delete_one(item.chat_id, item.message_ids) for item in deliveries if item.message_ids)
    )
    deleted = sum(results)
    return deleted, len(results) - deleted
