"""Pure interpretation of Telegram chat-member changes."""

from __future__ import annotations

from telegram import ChatMember, ChatMemberUpdated

# The /start payload of the group welcome's button: it opens the /profile conversation
# (an entry point of handlers/profiles.py), so a newcomer goes straight to the store form.
PROFILE_START = "profile"
PROFILE_START_COMMAND = f"/start {PROFILE_START}"

_IN_CHAT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}


def _present(member: ChatMember) -> bool:
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in _IN_CHAT


def membership_change(change: ChatMemberUpdated) -> bool | None:
    """True when the member came into the chat, False when it went out, None otherwise."""
    was, now = _present(change.old_chat_member), _present(change.new_chat_member)
    if now and not was:
        return True
    if was and not now:
        return False
    return None


def welcome_link(bot_username: str) -> str:
    """The welcome button's deep link: a private chat with the bot, ``/start profile``."""
    return f"https://t.me/{bot_username}?start={PROFILE_START}"
