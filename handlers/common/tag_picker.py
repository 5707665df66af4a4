"""The group-target picker every send or schedule offers (/broadcast; /schedule and
/schedule_digest typed without ``tag:``): all active groups, one ✓ toggle per group tag with its
number of active groups, Done (the union of the ticked tags' groups) and Cancel.

The selection lives server-side in the feature's draft (a :class:`TagPicker` kept under a
:func:`handlers.common.core.remember` key in the admin's ``user_data``, so another user's press
finds nothing); the buttons carry only the key and one choice, in the feature's own button kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

from bot.broadcast.report import target_label
from bot.common.callbacks import CallbackData, encode
from bot.services import Services
from bot.texts import Language, t

MAX_TAG_BUTTONS = 20

# A press: all groups (a), Done (d), or the index of a tag to tick or untick.
Choice = Literal["a", "d"] | int


@dataclass
class TagPicker:
    """What a picker offered (tags, sorted, with their active groups, and the active groups in
    all) and the tag indexes ticked so far."""

    tags: list[str]
    counts: list[int]
    total: int
    selected: set[int] = field(default_factory=set)

    def ticked(self) -> list[str]:
        return [self.tags[index] for index in sorted(self.selected)]


async def offer_tags(services: Services) -> TagPicker:
    """The active groups' tags (the first :data:`MAX_TAG_BUTTONS`) with their counts."""
    groups = await services.groups.list(active_only=True)
    counts = Counter(tag for group in groups for tag in group.tags)
    tags = sorted(counts)[:MAX_TAG_BUTTONS]
    return TagPicker(tags, [counts[tag] for tag in tags], len(groups))


def picker_markup(
    picker: TagPicker,
    lang: Language,
    pick: Callable[[Choice], CallbackData],
    cancel: CallbackData,
) -> InlineKeyboardMarkup:
    """All groups, then one toggle per tag (✓ when ticked, with its number of groups), then
    Done (only when there are tags) and Cancel. ``pick`` makes the feature's button data."""
    everyone = target_label(None, picker.total, lang)
    rows = [[InlineKeyboardButton(everyone, callback_data=encode(pick("a")))]]
    for index, tag in enumerate(picker.tags):
        label = target_label(tag, picker.counts[index], lang)
        if index in picker.selected:
            label = "✓ " + label
        rows.append([InlineKeyboardButton(label, callback_data=encode(pick(index)))])
    last = [InlineKeyboardButton(t(lang, "cancel"), callback_data=encode(cancel))]
    if picker.tags:
        done = InlineKeyboardButton(
            t(lang, "reach_tags_done", count=len(picker.selected)),
            callback_data=encode(pick("d")),
        )
        last.insert(0, done)
    rows.append(last)
    return InlineKeyboardMarkup(rows)


async def picked(
    query: CallbackQuery,
    picker: TagPicker,
    choice: Choice,
    lang: Language,
    *,
    expired: str,
    redraw: Callable[[], InlineKeyboardMarkup],
) -> list[str] | None:
    """One press on a picker: the chosen tags when the choice is made (``[]``: all active
    groups; Done: the ticked tags), else None after answering the press: a tag ticked or
    unticked (the buttons are redrawn with ``redraw``), Done with nothing ticked (an alert),
    an index beyond the offer (forged: the ``expired`` alert). The caller answers a made choice."""
    if choice == "a":
        return []
    if choice == "d":
        if not picker.selected:
            await query.answer(t(lang, "reach_tags_none"), show_alert=True)
            return None
        return picker.ticked()
    if choice >= len(picker.tags):
        await query.answer(expired, show_alert=True)
        return None
    picker.selected ^= {choice}
    await query.answer()
    await query.edit_message_reply_markup(redraw())
    return None
