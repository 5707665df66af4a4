"""English: stock answers in groups, restock dates, discontinuing, samples (keys match
zh_agentstock.py)."""

CATALOG: dict[str, str] = {
    # --- menu ---
    "stk_cmd_stock_eta": "Expected restock date: /stock_eta SKU date (clear removes it)",
    "stk_cmd_discontinue": "Mark a product discontinued: /discontinue SKU",
    # --- stock answers in groups ---
    "stk_answer_line_in_stock": "✅ {title} (<code>{sku}</code>): in stock",
    "stk_answer_line_low": "⚠️ {title} (<code>{sku}</code>): low stock, only {qty} left",
    "stk_answer_line_out": "❌ {title} (<code>{sku}</code>): sold out",
    "stk_answer_line_unknown": "❔ {title} (<code>{sku}</code>): no stock figure yet, please ask us privately",
    "stk_answer_line_discontinued": "⛔ {title} (<code>{sku}</code>): discontinued, no longer supplied",
    "stk_eta_suffix": ", restock expected {date}",
    "stk_notice_eta": "   ⏳ restock expected {date}",
    "stk_list_discontinued": " ⛔discontinued",
    "stk_list_eta": " · restock {date}",
    # --- /stock_eta ---
    "stk_usage_eta": (
        "Usage: /stock_eta SKU date, e.g. /stock_eta A1 12-20 or /stock_eta A1 2026-12-20;"
        " /stock_eta A1 clear removes it"
    ),
    "stk_err_eta_recurring": "A restock date is one day, not a recurring time: {value}",
    "stk_eta_set": "Expected restock of <code>{sku}</code> set to {date} (shown in stock notices, answers and /stock)",
    "stk_eta_cleared": "Expected restock date of <code>{sku}</code> removed",
    # --- /discontinue ---
    "stk_usage_discontinue": "Usage: /discontinue SKU",
    "stk_discontinue_confirm": (
        "Mark {title} (<code>{sku}</code>) as <b>discontinued</b>?\n"
        "A notice goes to the groups concerned (once), and agents' catalogs stop showing it as"
        " available."
    ),
    "stk_discontinue_yes": "⛔ Discontinue",
    "stk_discontinue_no": "Cancel",
    "stk_discontinue_dropped": "Cancelled; the product is unchanged.",
    "stk_discontinue_already": "<code>{sku}</code> is already discontinued; no second notice.",
    "stk_discontinue_done": "<code>{sku}</code> is now discontinued.",
    "stk_discontinue_sent": "The notice is queued to {groups} groups (broadcast #{broadcast_id}).",
    "stk_discontinue_no_groups": "There is no group to tell.",
    "stk_notice_discontinued": (
        "⛔ <b>Discontinued</b>\n{title} (<code>{sku}</code>) is discontinued and no longer"
        " supplied. Please unlist it; for orders already placed, contact us."
    ),
    # --- samples: agents ---
    "smp_button": "🧪 Request a sample",
    "refused_sample_not_agent": "Samples are for our agents (post in an agents' group or fill in your store profile first).",
    "smp_product_expired": "This product is no longer available; no sample can be requested.",
    "smp_already_open": "You have already requested this sample; it is being reviewed.",
    "smp_too_many": "You reached today's limit of {limit} sample requests; please try tomorrow.",
    "refused_sample_slow_down": "Too many presses; please try again in a moment.",
    "smp_requested": "Sample request sent; you will hear from us in private (make sure you have started this bot).",
    "smp_agent_shipped": (
        "🎉 Your sample {title} (<code>{sku}</code>) is on its way!\nTracking number:"
        " <code>{tracking}</code>\nWe look forward to seeing it in your store."
    ),
    "smp_agent_declined": (
        "We are sorry: the sample {title} (<code>{sku}</code>) cannot be sent this time."
        " Thank you for your interest; contact us with any question."
    ),
    "smp_agent_ask": (
        "Hello! The sample {title} (<code>{sku}</code>) was shipped {days} days ago."
        " Have you listed it in your store?"
    ),
    "smp_listed_button": "✅ Listed",
    "smp_not_yet_button": "Not yet",
    "smp_ask_link": "Great! Please send the link to the product in your store (starting with http:// or https://), or /cancel.",
    "smp_err_link": "The link must start with http:// or https:// and be at most {limit} characters; send it again, or /cancel.",
    "smp_link_saved": "Your listing link is recorded. Thank you!",
    "smp_not_yet_saved": "Noted. Tell us when it is listed!",
    "refused_sample_not_yours": "This button is not for you.",
    "already_done_sample_answer": "This question was already answered.",
    "smp_link_cancelled": "Cancelled.",
    # --- samples: admins ---
    "smp_admin_request": (
        "🧪 <b>Sample request #{id}</b>\nAgent: {name} (<code>{user_id}</code>)\n"
        "Product: {title} (<code>{sku}</code>)"
    ),
    "smp_approve_button": "✅ Approve, enter tracking",
    "smp_decline_button": "❌ Decline",
    "smp_ask_tracking": (
        "Send the tracking number of sample #{id} ({title}, <code>{sku}</code>), carrier"
        " included if you like, at most {limit} characters; /cancel to stop."
    ),
    "smp_err_tracking": "A tracking number is one line of 4-{limit} characters; send it again, or /cancel.",
    "smp_tracking_cancelled": "Cancelled; sample request #{id} is still open.",
    "smp_already_decided": "Sample request #{id} was already handled.",
    "smp_shipped_done": "Tracking <code>{tracking}</code> recorded for sample #{id}; the agent is tagged 已寄样.",
    "smp_agent_told": "The agent was told in private.",
    "smp_agent_unreachable": "⚠️ The agent cannot be written to in private (never started the bot?); tell them the tracking number another way.",
    "smp_declined_done": "Sample request #{id} declined.",
    "smp_asked": "The agent was asked in private.",
    "smp_ask_failed": "⚠️ The agent cannot be written to in private (never started the bot?).",
    "smp_not_shipped": "Sample #{id} is not shipped.",
    # --- follow-up list and agent card ---
    "smp_fu_header": "🧪 Samples to follow up:",
    "smp_fu_line": "• {name} ({user_id}): sample shipped {days} days ago, listed yet? ({title} <code>{sku}</code>)",
    "smp_fu_button": "💬 Ask {name}",
    "smp_card_header": "Samples:",
    "smp_card_line": "• <code>{sku}</code> {status}",
    "smp_status_requested": "requested ({date})",
    "smp_status_declined": "declined ({date})",
    "smp_status_shipped": "shipped {date}, tracking <code>{tracking}</code>",
    "smp_answer_listed": "; listed: {url}",
    "smp_answer_not_yet": "; {date}: not listed yet",
}
