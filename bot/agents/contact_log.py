"""Pure rendering of an agent's latest contacts for the card (no Telegram, no database)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.render import local_time
from bot.texts import Language, t
from storage.contacts import Contact


def contact_lines(contacts: list[Contact], tz: ZoneInfo, lang: Language) -> str:
    """A header and one line per contact, newest first: when, and the note if any."""
    lines = [t(lang, "seller_contacts_header", count=len(contacts))]
    for contact in contacts:
        at = local_time(contact.at, tz, lang)
        if contact.note:
            lines.append(t(lang, "seller_contact_line_note", at=at, note=contact.note))
        else:
            lines.append(t(lang, "seller_contact_line", at=at))
    return "\n".join(lines)
