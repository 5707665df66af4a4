"""Simplified Chinese texts: agents named by remark, typed input, follow-ups by segment,
contact history, profile region and buyer id, minimum level."""

CATALOG = {
    # --- naming an agent ---
    "seller_agent_ambiguous": "「{value}」对应多个代理，请选择：",
    "seller_agent_too_many": (
        "「{value}」对应的代理超过 8 个，请写得更具体一些（完整备注名、@用户名或数字用户ID）。"
    ),
    "seller_help_names": (
        "<b>怎样指定代理</b>：数字用户ID、@用户名，或您给的备注名（完整备注，或只有一位代理的备注开头，"
        "如「李女士」）。备注名含空格时，取开头能对上代理的最多的几个词，其余是命令的参数；"
        "对上多位代理时会给出按钮让您选择。全角字符（：＠１２３）和中文键盘的空格都可以，"
        "标签可用「、」或「，」分隔。"
    ),
    # --- contacts and follow-ups ---
    "seller_contacts_header": "最近 {count} 次联系：",
    "seller_contact_line": "• {at}",
    "seller_contact_line_note": "• {at}：{note}",
    "seller_contacted_done": "已记录与 {name}（<code>{user_id}</code>）的联系。",
    "fu_seg_header": "📞 跟进提醒：{count} 位代理已超过各自的回访周期没有联系了",
    "fu_seg_line": "• {name}（{user_id}）上次联系：{last}（每 {days} 天回访）",
    "fu_seg_card": "📇 名片",
    # --- times ---
    "seller_time_err": (
        "⚠️ 无法识别时间「{value}」。可以写：<code>2026-12-01 20:00</code>、<code>12-01 20:00</code>、"
        "<code>明天 20:00</code>、<code>今晚 23:59</code>、<code>3 天后</code>、<code>+2h</code>。"
    ),
    "seller_time_now": "立即开始",
    "seller_time_tonight": "今晚 23:59",
    "seller_time_3_days": "3 天后",
    "seller_time_7_days": "7 天后",
    # --- minimum store level ---
    "seller_card_below_level": "⚠️ 店铺等级 {badge} 低于要求的最低等级 {level}",
    "seller_reason_below_level": "等级低于 {level}",
}
