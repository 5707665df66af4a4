"""English texts: agents named by remark, typed input, follow-ups by segment, contact
history, profile region and buyer id, minimum level."""

CATALOG = {
    # --- naming an agent ---
    "seller_agent_ambiguous": "“{value}” fits several agents. Choose one:",
    "seller_agent_too_many": (
        "“{value}” fits more than 8 agents. Be more specific (the whole remark, @username or "
        "the numeric user id)."
    ),
    "seller_help_names": (
        "<b>Naming an agent</b>: the numeric user id, @username, or the remark you gave them "
        "(whole, or a beginning only one remark has, e.g. 李女士). A remark may hold spaces: the "
        "most leading words that name an agent are the agent, the rest are the command's "
        "arguments; a name that fits several agents offers buttons to choose. Full-width input "
        "(：＠１２３) and a Chinese keyboard's space work; tags may be separated by 、 or ，."
    ),
    # --- contacts and follow-ups ---
    "seller_contacts_header": "Last {count} contacts:",
    "seller_contact_line": "• {at}",
    "seller_contact_line_note": "• {at}: {note}",
    "seller_contacted_done": "Recorded a contact with {name} (<code>{user_id}</code>).",
    "fu_seg_header": "📞 Follow-ups: {count} agents past their segment's cadence",
    "fu_seg_line": "• {name} ({user_id}) last contact: {last} (every {days} days)",
    "fu_seg_card": "📇 Card",
    # --- times ---
    "seller_time_err": (
        "⚠️ “{value}” is not a time. Write <code>2026-12-01 20:00</code>, <code>12-01 20:00</code>, "
        "<code>明天 20:00</code>, <code>今晚 23:59</code>, <code>3 天后</code> or <code>+2h</code>."
    ),
    # Button labels the time parser reads (the same words in both languages).
    "seller_time_now": "立即开始",
    "seller_time_tonight": "今晚 23:59",
    "seller_time_3_days": "3 天后",
    "seller_time_7_days": "7 天后",
    # --- minimum store level ---
    "seller_card_below_level": "⚠️ Store level {badge} is below the required minimum {level}",
    "seller_reason_below_level": "level below {level}",
}
