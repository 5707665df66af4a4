"""群审批（非管理员把机器人拉进的群）与访客的中文文案。Keys match en_groups.py one to one."""

CATALOG: dict[str, str] = {
    # --- a group added by someone who is not an admin ---
    "grp_pending_notice": (
        "🕓 有人把机器人拉进了一个群，等待审批：\n"
        "群：「{title}」（ID <code>{chat_id}</code>）\n"
        "拉群的人：{name}（{username}，ID <code>{user_id}</code>）\n"
        "批准前这个群收不到任何消息；{hours} 小时内没人批准，机器人会自动退群。"
    ),
    "grp_no_username": "无用户名",
    "grp_approve_button": "✅ 批准",
    "grp_leave_button": "🚪 退群",
    "grp_approved": "✅ {by} 已批准：这个群现在会收到群发。",
    "grp_left": "🚪 {by} 选择了退群，机器人已离开这个群。",
    "grp_leave_failed": "（退群请求失败：{error}；已标记为不再发送。）",
    "grp_already_decided": "这个群已经处理过了（{status}）。",
    "grp_timed_out": "⌛ 群「{title}」（ID <code>{chat_id}</code>）{hours} 小时内没人批准，机器人已退群。",
    "group_pending": "🕓 待批准",
    "groups_totals": "正常 {active} · 待批准 {pending} · 已失效 {inactive}",
    # --- strangers ---
    "start_visitor": (
        "您好 {name}！👋\n这是{shop}代理群的助手，只为群里的代理服务。"
        "\n如果您已经在代理群里，请先在群里发一条消息，再发送 /start。"
    ),
}
