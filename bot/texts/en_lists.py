"""English: paged lists (a training's answers) (same keys as zh_lists.py)."""

CATALOG: dict[str, str] = {
    "lists_rsvp_counts": "Going ({yes}) · not going ({no}) · maybe ({maybe}) · present ({present})",
    "lists_rsvp_yes": "Going",
    "lists_rsvp_no": "Not going",
    "lists_rsvp_maybe": "Maybe",
    "lists_rsvp_row": "{answer}: {name}",
    "lists_rsvp_row_present": "{answer}: {name} (present)",
    "lists_rsvp_present_only": "Present: {name}",
    "lists_rsvp_mark_prompt": "Press to mark present (the first {count} who answered, not marked):",
}
