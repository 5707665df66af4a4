"""Story helpers for the catalog end-to-end tests (products, promotions, stock)."""

from __future__ import annotations

from bot.dev.sandbox import SentMessage
from bot.dev.testbed import Testbed
from tests.e2e.helpers import OWNER


def png(n: int) -> bytes:
    """A distinct tiny 'PNG' (the sandbox reads only the header for width and height)."""
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640 + n).to_bytes(4, "big") * 2 + b"x"


async def send_photo(bed: Testbed, n: int, user_id: int = OWNER) -> list[SentMessage]:
    return await bed.run(lambda: bed.sandbox.send_photo(user_id, user_id, png(n)))


async def draft_product(
    bed: Testbed,
    sku: str = "DS-1",
    *,
    title: str = "夏季连衣裙",
    price: str = "¥59.90",
    agent_price: str = "39.9",
    category: str = "女装/连衣裙",
    description: str = "纯棉，S-XL",
    photos: int = 1,
) -> SentMessage:
    """Walk /newproduct up to the preview; returns the control message under the preview."""
    for text in ["/newproduct", sku, title, price, agent_price, category, description]:
        await bed.say(OWNER, OWNER, text)
    for n in range(photos):
        await send_photo(bed, n)
    sent = await bed.say(OWNER, OWNER, "/done")
    control = sent[-1]
    assert control.reply_markup is not None, [m.text for m in sent]
    return control


async def publish_product(bed: Testbed, sku: str = "DS-1", **fields: object) -> None:
    control = await draft_product(bed, sku, **fields)  # type: ignore[arg-type]
    await bed.click(OWNER, control, "np:send")
    await bed.services.outbox.wait_idle(10)


def group_posts(bed: Testbed, chat_id: int) -> list[SentMessage]:
    return [m for m in bed.sandbox.messages(chat_id) if not m.deleted]


def button_data(message: SentMessage, label_part: str) -> str:
    for button in message.buttons:
        if label_part in button["text"]:
            return str(button["callback_data"])
    raise AssertionError(f"no button with {label_part!r}: {message.buttons}")


def current(bed: Testbed, message: SentMessage) -> SentMessage:
    """The message as it is now (after edits)."""
    for candidate in bed.sandbox.messages(message.chat_id):
        if candidate.message_id == message.message_id:
            return candidate
    raise AssertionError(f"message {message.message_id} is gone")


async def choose_target(bed: Testbed, control: SentMessage, label_part: str) -> SentMessage:
    """Tap the target button whose label contains ``label_part``; returns the edited control."""
    await bed.click(OWNER, control, button_data(control, label_part))
    return current(bed, control)
