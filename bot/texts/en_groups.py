"""English texts for group approval (groups added by someone who is not an admin) and
visitors. Keys match zh_groups.py one to one."""

CATALOG: dict[str, str] = {
    # --- a group added by someone who is not an admin ---
    "grp_pending_notice": (
        "🕓 Someone added the bot to a group; it waits for approval:\n"
        "Group: “{title}” (id <code>{chat_id}</code>)\n"
        "Added by: {name} ({username}, id <code>{user_id}</code>)\n"
        "Until approved the group gets nothing; unapproved after {hours} hours, the bot leaves."
    ),
    "grp_no_username": "no username",
    "grp_approve_button": "✅ Approve",
    "grp_leave_button": "🚪 Leave",
    "grp_approved": "✅ Approved by {by}: the group now receives broadcasts.",
    "grp_left": "🚪 {by} chose Leave; the bot has left the group.",
    "grp_leave_failed": "(Leaving failed: {error}; the group gets nothing anyway.)",
    "grp_already_decided": "This group was already handled ({status}).",
    "grp_timed_out": (
        "⌛ Nobody approved “{title}” (id <code>{chat_id}</code>) within {hours} hours;"
        " the bot has left it."
    ),
    "group_pending": "🕓 pending",
    "groups_totals": "active {active} · pending {pending} · inactive {inactive}",
    # --- strangers ---
    "start_visitor": (
        "Hi {name}! 👋\nThis bot serves the agents in the groups of {shop}."
        "\nIf you are in one of them, write a message there first, then send /start again."
    ),
}
