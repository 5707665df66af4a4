"""English: /schedule and /schedule_digest typed without tag: choose their targets with buttons
(keys match zh_schedpicker.py)."""

CATALOG: dict[str, str] = {
    "sp_choose_text": "🗓 Scheduled broadcast “{title}”: {when} ({rule}).\nSend to whom? ({count} active groups)",
    "sp_choose_digest": "🗓 Scheduled stock digest: {when} ({rule}).\nSend to whom? ({count} active groups)",
    "sp_expired": "This schedule draft has expired; please send /schedule or /schedule_digest again.",
    "sp_cancelled": "Cancelled; no schedule was created.",
    "sp_past": "⚠️ The time {when} has already passed; no schedule was created. Please send the command again.",
    "sp_created": "✅ Schedule #{id} created: {when} ({rule}).\nTargets: {targets}\nSee /schedules.",
    "sp_targets_tags": "tags {tags}, {count} active groups in all",
    "sp_targets_untagged": "{all}. No group has a tag yet, so every group gets it; tag groups with /tag_group to choose by tag",
    "tp_prev": "◀ tags {page}/{pages}",
    "tp_next": "tags {page}/{pages} ▶",
}
