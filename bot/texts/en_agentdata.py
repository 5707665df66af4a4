"""English: the newcomer state (待完善), agents' own data (/mydata, /forgetme). Same keys as
zh_agentdata.py."""

CATALOG: dict[str, str] = {
    "cmd_mydata": "Download all my data (a JSON file)",
    "cmd_forgetme": "Erase my data",
    # --- newcomers ---
    "agentdata_tier_newcomer": "incomplete",
    "agentdata_row_newcomer": "{row} · incomplete",
    "agentdata_card_newcomer": (
        "<b>Quality: incomplete</b> (no store profile yet; not rated in the first {days} days"
        " after joining, rated from {until})"
    ),
    # --- /mydata ---
    "agentdata_mydata_caption": (
        "Everything we store about you (JSON, UTF-8): {sections} sections, {rows} records."
    ),
    "agentdata_mydata_wait": "You can download your data once an hour. Please try again after {at}.",
    "agentdata_nothing_stored": "We store no agent data about you.",
    # --- /forgetme ---
    "agentdata_forget_ask": (
        "Erase the data we store about you?\n"
        "This deletes your name, username, remark, tags, store profile and its reviews, ratings"
        " and comments, purchase records, training answers and attendance, contact notes and"
        " the rest.{kept}\n"
        "This cannot be undone. If you keep writing in the seller's groups, the bot records"
        " your Telegram name again."
    ),
    "agentdata_forget_kept": (
        "\nYou were removed from the seller's groups: we keep only your numeric id, to remember"
        " that decision."
    ),
    "agentdata_forget_yes": "Erase",
    "agentdata_forget_no": "Cancel",
    "agentdata_forget_done": "Your data has been erased.",
    "agentdata_forget_cancelled": "Cancelled; your data is unchanged.",
    "agentdata_forget_already": "This was already done.",
    "agentdata_forget_owner": "Agent <code>{user_id}</code> erased their data with /forgetme.",
    "agentdata_forget_owner_kept": (
        "Agent <code>{user_id}</code> erased their data with /forgetme (a removed agent: only"
        " the numeric id is kept)."
    ),
}
