"""English: the agent's region and 1688 / Wangwang buyer id, the two optional /profile steps,
cards, spreadsheet columns and matching order rows by buyer id. Same keys as
zh_profilefields.py."""

CATALOG: dict[str, str] = {
    # --- the /profile conversation: two optional steps after the order mode ---
    "pff_skip": "Skip",
    "pff_ask_region": "Optional 1/2: your region (province / city), like “浙江 杭州” or “广东省深圳市”. Tap “Skip” or send - to leave it.",
    "pff_ask_buyer_id": (
        "Optional 2/2: the member name (Wangwang id) you order with on 1688, so we can match "
        "your purchases. Tap “Skip” or send - to leave it."
    ),
    "pff_current": "Now: {value} (Skip keeps it, Clear removes it)",
    "pff_clear": "Clear",
    "pff_err_region": "Region “{value}” is not valid: write the province / city only (letters, spaces between), at most {max} characters, like “浙江 杭州”.",
    "pff_err_buyer_id": "Buyer id “{value}” is not valid: 1 to {max} characters, no line breaks or other control characters.",
    "pff_err_buyer_taken": (
        "Buyer id “{value}” is already registered to another agent; a buyer id belongs to one "
        "agent only. If it is yours, please contact the seller; or tap “Skip”."
    ),
    # --- cards: the agent's own, the seller's /agent, the review copy ---
    "pff_card_persona": "Region: {region} · 1688/Wangwang: {buyer_id}",
    "pff_review_buyer_taken": "Not approved: buyer id “{value}” belongs to agent {holder}. Return this application, or correct it in the agents sheet first.",
    # --- spreadsheets ---
    "io_col_region": "Region",
    "io_col_buyer_id": "Buyer id",
    "pff_err_order_agent": "Agent “{value}” is not valid: write the user id, @username or 1688/Wangwang buyer id.",
    "pff_err_order_ambiguous": "“{value}” names several agents ({ids}): write the user id instead.",
    "pff_err_buyer_dup_row": "Buyer id “{value}” is also on line {line}: a buyer id belongs to one agent only.",
    "pff_err_buyer_held": "Buyer id “{value}” belongs to agent {holder}: a buyer id belongs to one agent only.",
    "pff_err_buyer_race": "A buyer id was taken by another agent during the import; nothing was imported. Please send the file again.",
}
