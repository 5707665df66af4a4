"""The group-target picker every send or schedule offers (/broadcast; /schedule and
/schedule_digest typed without ``tag:``): all active groups, one ✓ toggle per group tag with its
number of active groups, Done (the union of the ticked tags' groups) and Cancel. Every tag is
offered, the most used first, :data:`TAGS_PER_PAGE` to a page with ◀ ▶ (a seller may tag
groups by region, platform and cohort: hundreds of tags, and Telegram takes 100 buttons).

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

TAGS_PER_PAGE = 10

# A press: all groups (a), Done (d), the previous or next page of tags (< >), or the index of
# a tag to tick or untick.
Choice = Literal["a", "d", "<", ">"] | int


@dataclass
class TagPicker:
    """What a picker offered (tags, the most used first, with their active groups, and the
    active groups in all), the tag indexes ticked so far and the page of tags shown."""

    tags: list[str]
    counts: list[int]
    total: int
    selected: set[int] = field(default_factory=set)
    page: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.tags) // TAGS_PER_PAGE))

    def ticked(self) -> list[str]:
        return [self.tags[index] for index in sorted(self.selected)]


async def offer_tags(services: Services) -> TagPicker:
    """Every tag of the active groups with its number of groups, the most used first."""
    groups = await services.groups.list(active_only=True)
    counts = Counter(tag for group in groups for tag in group.tags)
    tags = sorted(counts, key=lambda tag: (-counts[tag], tag))
    return TagPicker(tags, [counts[tag] for tag in tags], len(groups))


def picker_markup(
    picker: TagPicker,
    lang: Language,
    pick: Callable[[Choice], CallbackData],
    cancel: CallbackData,
) -> InlineKeyboardMarkup:
    """All groups, then one toggle per tag of the page shown (✓ when ticked, with its number
    of groups), ◀ ▶ when there are more pages, then Done (only when there are tags) and Cancel.
    ``pick`` makes the feature's button data."""
    everyone = target_label(None, picker.total, lang)
    rows = [[InlineKeyboardButton(everyone, callback_data=encode(pick("a")))]]
    first = picker.page * TAGS_PER_PAGE
    for index in range(first, min(first + TAGS_PER_PAGE, len(picker.tags))):
        label = target_label(picker.tags[index], picker.counts[index], lang)
        if index in picker.selected:
            label = "✓ " + label
        rows.append([InlineKeyboardButton(label, callback_data=encode(pick(index)))])
    turns: list[tuple[str, Choice]] = []
    if picker.page > 0:  # labelled with the page each one opens
        turns.append((t(lang, "tp_prev", page=picker.page, pages=picker.pages), "<"))
    if picker.page + 1 < picker.pages:
        turns.append((t(lang, "tp_next", page=picker.page + 2, pages=picker.pages), ">"))
    if turns:
        rows.append(
            [InlineKeyboardButton(text, callback_data=encode(pick(turn))) for text, turn in turns]
        )
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
    unticked or another page of tags (the buttons are redrawn with ``redraw``), Done with
    nothing ticked (an alert), an index beyond the offer (forged: the ``expired`` alert). The
    caller answers a made choice."""
    if choice == "a":
        return []
    if choice == "d":
        if not picker.selected:
            await query.answer(t(lang, "reach_tags_none"), show_alert=True)
            return None
        return picker.ticked()
    if choice == "<" or choice == ">":
        step = -1 if choice == "<" else 1
        picker.page = min(max(picker.page + step, 0), picker.pages - 1)
    elif choice < len(picker.tags):
        picker.selected ^= {choice}
    else:
        await query.answer(expired, show_alert=True)
        return None
    await query.answer()
    await query.edit_message_reply_markup(redraw())
    return None
