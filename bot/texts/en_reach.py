"""English: private sends by segment (/dm), /mute, multi-tag targets, greeting salutations and
promotions (same keys as zh_reach.py)."""

CATALOG: dict[str, str] = {
    "reach_usage_dm": (
        "Usage: /dm &lt;target&gt; &lt;text&gt; (or a photo captioned /dm &lt;target&gt; &lt;text&gt;).\n"
        "Target: tag:&lt;tag&gt;, tier:&lt;tier&gt;, mode:&lt;order mode&gt;, platform:&lt;platform&gt;, "
        "group:&lt;chat id&gt;, or agents (ids, @usernames, remarks, separated by , ， or 、).\n"
        "With several agents separated by spaces, put the text on the next line.\n"
        "Example: /dm tag:VIP客户 New products are in, come and take the photos"
    ),
    "reach_err_segment": "⚠️ Cannot read the target “{value}”. Write {keys}, or agents (ids, @usernames, remarks, separated by , ， or 、).",
    "reach_err_too_many": "⚠️ At most {max} agents in a list; use a segment such as tag: for more.",
    "reach_err_nobody": "⚠️ Nobody in “{target}” can be messaged privately: {total} agents, {unreachable} cannot be reached, {muted} muted.",
    "reach_preview_header": "👀 Private message preview: the next message is exactly what agents get.",
    "reach_confirm": (
        "📬 To: {target}\n"
        "✅ Reachable: {reachable} agents\n"
        "⛔ Cannot be reached: {unreachable} (never started the bot {never}, blocked it {blocked})\n"
        "🔕 Muted, left out: {muted}\n"
        "Send it?"
    ),
    "reach_confirm_names": "Cannot be reached: {names}",
    "reach_send_button": "📨 Send",
    "reach_queued": "📨 Private send #{id} queued: {count} agents (at most 1 message a second each). Progress and report follow in the next message.",
    "reach_reason_never_started": "{name}: never started the bot",
    "reach_reason_blocked": "{name}: blocked the bot",
    "reach_usage_mute": "Usage: /mute &lt;agent&gt; (id or @username). A muted agent gets no promotional private sends (/dm, a greeting's promotion).",
    "reach_usage_unmute": "Usage: /unmute &lt;agent&gt; (id or @username).",
    "reach_muted": "🔕 {name} is muted: no more promotional private sends.",
    "reach_unmuted": "🔔 {name} is no longer muted.",
    "reach_already_muted": "{name} is already muted.",
    "reach_not_muted": "{name} is not muted.",
    "reach_card_muted": "🔕 Muted: no promotional private sends",
    "bc_kind_dm": "private send",
    "cmd_dm": "Private message a segment: /dm tag:VIP text",
    "cmd_mute": "Mute: no promotional private sends to an agent",
    "cmd_unmute": "Unmute an agent",
    "reach_grt_audience_all": "Approved greetings go out on the day to every group and, in private, to every agent who has started the bot ({count}).",
    "reach_grt_audience_segment": "Approved greetings go out on the day in private only to the agents of “{segment}” who have started the bot ({count}), not to the groups.",
    "reach_grt_example": "Agents are addressed by the surname and title of their remark: “{remark}” → “{name}”.",
    "reach_grt_promotion_hint": "You may approve it with a running promotion: it follows the greeting as a second private message (not to muted agents).",
    "reach_grt_no_groups": "(in private to this segment only, nothing in the groups)",
    "reach_grt_approve_promo": "✅ Approve with promotion: {title}",
    "reach_grt_promo_gone": "That promotion has ended or was cancelled; approve without it or pick another.",
    "reach_grt_with_promo": "The promotion “{title}” follows the greeting in private (not to muted agents).",
    "reach_grt_segment_saved": "✅ The {festival} greeting goes in private only to the agents of “{segment}” ({count} have started the bot now), not to the groups.",
    "reach_grt_segment_cleared": "✅ The {festival} greeting goes to every group and every agent who has started the bot.",
    "reach_grt_segment_usage": "Usage: /greeting &lt;festival&gt; target tag:&lt;tag&gt; (or tier:, mode:); /greeting &lt;festival&gt; target all to greet everyone again.",
    "reach_tags_hint": "Tick several tags (✓), then Done: the message goes to every group carrying any of them.",
    "reach_tags_done": "Done ({count} tags ticked)",
    "reach_tags_none": "Tick at least one tag first, or choose all active groups.",
    "reach_err_tag_empty": "⚠️ No active group carries the tag “{tag}”; nothing was scheduled. Group tags in use: {tags}",
    "reach_no_tags": "(no group tags yet; add them with /tag_group)",
    "reach_tag_offer": "Which tag for {name}? Tap one to add it:",
    "reach_tag_added": "Tag “{tag}” added",
}
