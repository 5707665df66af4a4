"""Pure interpretation of Telegram chat-member changes."""

from __future__ import annotations

from telegram import ChatMember, ChatMemberUpdated

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
