"""English texts. Keys match zh.py one to one (a test checks). Values passed to t() are escaped."""

CATALOG: dict[str, str] = {
    # --- common ---
    "never": "never",
    "unset": "not set",
    "none": "none",
    "prev": "« Prev",
    "next": "Next »",
    "page_footer": "<i>page {page}/{pages}</i>",
    "page_prev": "◀",
    "page_next": "▶",
    "cancel": "Cancel",
    "list_expired": "This list has expired; please send the command again.",
    "already_done": "This was already done.",
    "button_expired": "This button has expired.",
    "refused_not_admin": "⛔ Only the seller's admins can use this command.",
    "refused_not_owner": "⛔ Only owners (listed in the config) can use this command.",
    "refused_anonymous": (
        "⛔ Messages from anonymous admins cannot be verified; turn off anonymity or message "
        "the bot in private."
    ),
    "owner_error": "⚠️ Error while handling an update (chat {where}):\n<code>{summary}</code>",
    # --- command menu ---
    "cmd_start": "Get started",
    "cmd_help": "Help and command list",
    "cmd_groups": "All groups and their tags",
    "cmd_tag_group": "Tag a group: /tag_group chat_id tag…",
    "cmd_untag_group": "Untag a group: /untag_group chat_id tag…",
    "cmd_agents": "List agents (with filters)",
    "cmd_agent": "Show an agent's card",
    "cmd_remark": "Set a remark name: /remark agent text",
    "cmd_tag": "Tag an agent",
    "cmd_untag": "Remove an agent's tags",
    "cmd_mode": "Set order mode: dropship/wholesale/custom",
    "cmd_contacted": "Record a contact with an agent",
    "cmd_remove": "Remove an agent from all groups",
    "cmd_admins": "List admins",
    "cmd_grant": "Make someone an admin (owners)",
    "cmd_revoke": "Revoke an admin (owners)",
    # --- start / help ---
    "start_agent": (
        "Hi {name}! 👋\nI am {shop}'s assistant for agents. In the groups you will get new "
        "product previews, promotions, stock notices and training announcements."
        "\nSend /help to see what you can do."
    ),
    "start_admin": (
        "Hi {name}! This is the seller desk of {shop}.\n"
        "Tap a task below, or send /help for every topic."
    ),
    "help_agent_header": "<b>Agent commands</b>",
    "help_admin_header": "<b>Admin commands</b>",
    # --- groups ---
    "owner_group_added": "✅ The bot joined the group “{title}” (id <code>{chat_id}</code>).\n"
    "Tag it with /tag_group {chat_id} dropship.",
    "groups_empty": "The bot is not in any group yet. Add it to an agent group as an admin.",
    "groups_header": "<b>{count} groups</b>",
    "groups_row": "• {title} (<code>{chat_id}</code>) {status} · {members} members · tags: {tags}",
    "group_active": "🟢 active",
    "group_inactive": "⚪ inactive",
    "group_tags_now": "Tags of “{title}”: {tags}",
    "usage_tag_group": "Usage: /tag_group chat_id tag…\nExample: /tag_group -1001234567890 dropship VIP",
    "usage_untag_group": "Usage: /untag_group chat_id tag…\nExample: /untag_group -1001234567890 VIP",
    "err_group_unknown": "No group <code>{chat_id}</code>. See /groups for the ids.",
    "err_number": "{field} “{value}” is not a valid number: write a whole number from {low} "
    "to {high} with the digits 0–9 only.",
    "err_chat_id": "“{value}” is not a group id. Group ids are negative, e.g. -1001234567890 "
    "(see /groups).",
    # --- members ---
    "welcome_default": "welcome! Tap the button below to message me and fill in your store profile.",
    "welcome_wrapper": "👋 {name}, {body}",
    "welcome_button": "Message the bot",
    # --- agents / CRM ---
    "agents_empty": "No agents match.",
    "agents_header": "<b>{total} agents</b> (page {page}/{pages})",
    "agents_part_footer": "<i>part {part}/{parts} of this page</i>",
    "agents_row": "{index}. {name} <code>{user_id}</code> · {mode} · {tags} · last seen {seen}",
    "card_title": "<b>{name}</b>  id <code>{user_id}</code>",
    "card_remark": "Remark: {remark}",
    "card_tags": "Tags: {tags}",
    "card_mode": "Order mode: {mode}",
    "card_groups": "Groups: {groups}",
    "card_joined": "Joined: {at}",
    "card_last_seen": "Last seen: {at}",
    "card_last_contact": "Last contact: {at}",
    "card_contact_note": "Contact note: {note}",
    "card_removed": "⛔ Removed, reason: {reason}",
    "usage_agent": "Usage: /agent agent (user id, @username or remark, e.g. /agent 李女士淘卖)",
    "usage_remark": "Usage: /remark agent remark\nExample: /remark @li_shop 李女士淘卖",
    "usage_tag": "Usage: /tag agent tag…\nCommon tags: 已成交 代理商 潜在客户 已寄样 VIP客户 VIP代理商",
    "usage_untag": "Usage: /untag agent tag…",
    "usage_mode": "Usage: /mode agent dropship|wholesale|custom (or 一件代发|批发|定制)",
    "usage_contacted": "Usage: /contacted agent [note]",
    "usage_remove": "Usage: /remove agent [reason]",
    "err_agent_ref": "“{value}” is not an agent. Write @username or the numeric user id.",
    "err_agent_unknown": (
        "No agent “{value}”. Write the user id, @username or remark (or its beginning); "
        "agents are known once they appear in a group or message the bot."
    ),
    "err_mode": "“{value}” is not an order mode. Use dropship, wholesale or custom "
    "(一件代发, 批发, 定制).",
    "err_tag": "Tag “{value}” is invalid: not empty, no colon, at most {max} characters.",
    "err_no_tags": "Give at least one tag.",
    "err_filter": (
        "Filter “{value}” is invalid. Accepted: tag:TAG group:CHAT_ID "
        "mode:dropship|wholesale|custom inactive:>30d removed:yes "
        "tier:excellent|qualified|low|invalid platform:taobao category:女装 score:&lt;50"
    ),
    "err_duration": "“{value}” is not a duration. Write 30d (days), 12h (hours), 2w (weeks), "
    "optionally with >.",
    "err_empty": "The {field} must not be empty.",
    "err_too_long": "The {field} is too long: at most {max} characters.",
    "field_remark": "remark",
    "field_note": "note",
    "field_reason": "reason",
    "remark_done": "Remark of <code>{user_id}</code> set: {remark}",
    "agent_tags_now": "Tags of <code>{user_id}</code>: {tags}",
    "mode_done": "Order mode of <code>{user_id}</code> set: {mode}",
    "contacted_done": "Contact with <code>{user_id}</code> recorded.",
    "remove_confirm": (
        "Remove <b>{name}</b> (<code>{user_id}</code>) from all {groups} groups?\n"
        "Reason: {reason}\nAfterwards the agent can rejoin only by invitation."
    ),
    "remove_confirm_button": "Remove",
    "remove_cancelled": "Cancelled; nothing was changed.",
    "remove_already": "Agent {user_id} has already been removed.",
    "remove_done": "Removed <b>{name}</b>: {count} groups processed.",
    "remove_failed_row": "• {group}: failed ({error})",
    "rm_progress": "🧹 Removing {label}: {done}/{total} group operations, {failed} failed…",
    "rm_progress_done": "✅ Removal of {label} done: {done}/{total} group operations, {failed} failed",
    "rm_failed_row": "• {name} (<code>{user_id}</code>) in {group}: failed ({error})",
    # --- admins ---
    "admins_header": "<b>Admins</b>",
    "admins_owner": "• <code>{user_id}</code> owner",
    "admins_row": "• <code>{user_id}</code> granted by {by} at {at}",
    "usage_grant": "Usage: /grant user_id (a number)",
    "usage_revoke": "Usage: /revoke user_id (a number)",
    "grant_done": "<code>{user_id}</code> is now an admin.",
    "grant_already": "<code>{user_id}</code> is already an admin.",
    "revoke_done": "<code>{user_id}</code> is no longer an admin.",
    "revoke_not_admin": "<code>{user_id}</code> is not an admin.",
    "revoke_owner": "<code>{user_id}</code> is an owner; owners are changed in the config file.",
    # --- gates and error reports ---
    "gate_use_private": "🔒 So that nothing about your business shows in a group, {command} works only in this private chat; send it here. Admin commands typed in groups are not run.",
    "gate_refused_in_group": "⛔ {command} is for the seller's admins only; it was ignored in the group and nothing changed.",
    "owner_error_repeats": "(this error happened {count} times since the last report)",
}
