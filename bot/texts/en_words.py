"""English: the /start menu, /help topics, agent commands in groups (handlers/help.py,
bot/commands.py)."""

CATALOG: dict[str, str] = {
    "menu_shop_default": "the supplier",
    "menu_btn_broadcast": "📣 Broadcast",
    "menu_btn_agents": "👥 Agents",
    "menu_btn_quality": "⭐ Low quality",
    "menu_btn_products": "🛍 Products",
    "menu_btn_schedules": "⏰ Schedules",
    "menu_btn_stats": "📊 Stats",
    "menu_btn_help": "❓ Help",
    "menu_topics_header": "<b>Help topics</b>",
    "menu_topics_footer": "Send /help topic for the details, e.g. /help broadcast.",
    "menu_unknown_topic": "There is no help topic “{word}”. Topics: {topics}.",
    "menu_topic_broadcast": "Broadcasts",
    "menu_topic_agents": "Agents",
    "menu_topic_quality": "Low quality",
    "menu_topic_products": "Products and promotions",
    "menu_topic_stock": "Stock",
    "menu_topic_schedules": "Schedules and greetings",
    "menu_topic_trainings": "Trainings",
    "menu_topic_groups": "Groups",
    "menu_topic_data": "Stats and data",
    "menu_topic_admins": "Admins",
    "menu_note_broadcast": (
        "Send /broadcast text (or a photo with that caption), pick the target groups, check the "
        "preview and tap Send. The progress message becomes the final report; /retract takes a "
        "broadcast back, /edit changes it."
    ),
    "menu_note_agents": (
        "Name an agent by id or @username, e.g. /agent @li_shop; /tag, /mode and /remark keep "
        "your notes on them, /contacted the last contact."
    ),
    "menu_note_quality": (
        "/lowquality shows the review queue of low-quality and invalid agents; /lowquality "
        "remove 低质 removes a whole tier after you confirm. /remove removes one agent everywhere."
    ),
    "menu_note_products": (
        "/newproduct walks you through a product (agent price, retail price, photos), then a "
        "teaser and the launch; /promo walks you through a promotion with its start and end."
    ),
    "menu_note_stock": (
        "/stock SKU quantity updates stock; groups are told about low stock, sold out and "
        "restock. Upload a sheet with /stock_import for many at once."
    ),
    "menu_note_schedules": (
        "/schedule time text sends later (buttons then choose the groups), e.g. “tomorrow 20:00” or "
        "“daily 09:30”; nothing is "
        "sent in quiet hours. /greeting manages the festival greetings."
    ),
    "menu_note_trainings": (
        "/training announces a training step by step; agents answer with buttons; /attended "
        "records who came."
    ),
    "menu_note_groups": (
        "Add the bot to a group as an admin. /groups shows the group ids; /tag_group id tag "
        "groups them, and broadcasts pick groups by tag."
    ),
    "menu_note_data": (
        "/stats shows the figures and a chart; /export sends the agents as a sheet; "
        "/import_orders and /import_agents read an uploaded sheet."
    ),
    "menu_note_admins": "Only owners (owners in the config) can /grant and /revoke admins.",
    # --- agents in groups ---
    "menu_agent_cmd_help_group": "What agents can do",
    "menu_agent_cmd_profile_group": "Fill in your store profile in private",
    "menu_agent_group_help": (
        "Hello! Write to me in private: /profile fills in your store profile, /myprofile shows it."
    ),
    "menu_agent_private_button": "Chat with the bot",
    "menu_agent_profile_in_group": "{name}, please fill in your store profile in private: "
    "tap the button below.",
    # --- /stats chart ---
    "chart_tiers_title": "Agents per tier",
    "chart_tiers_unavailable": "not available: no quality scores",
    "chart_agents_axis": "agents",
    "chart_tier_excellent": "excellent",
    "chart_tier_qualified": "qualified",
    "chart_tier_low": "low",
    "chart_tier_invalid": "invalid",
    "chart_tier_unscored": "unscored",
    "chart_growth_title": "Agent growth per week",
    "chart_new_agents": "new agents",
    "chart_roster": "agents in roster",
    "chart_week_axis": "week starting",
    "chart_deliveries_title": "Deliveries per week",
    "chart_deliveries_unavailable": "not available: no outbox",
    "chart_delivered": "delivered",
    "chart_failed": "failed",
    "chart_messages_axis": "messages",
}
