"""简体中文文案。键与 en.py 一一对应（有测试检查）。占位符的值由 t() 统一做 HTML 转义。"""

CATALOG: dict[str, str] = {
    # --- common ---
    "never": "从未",
    "unset": "未设置",
    "none": "无",
    "prev": "« 上一页",
    "next": "下一页 »",
    "page_footer": "<i>第 {page}/{pages} 页</i>",
    "page_prev": "◀",
    "page_next": "▶",
    "cancel": "取消",
    "list_expired": "这个列表已过期，请重新发送命令。",
    "already_done": "已经处理过了。",
    "button_expired": "这个按钮已失效。",
    "refused_not_admin": "⛔ 只有卖家管理员可以使用这个命令。",
    "refused_not_owner": "⛔ 只有店主（配置中的 owners）可以使用这个命令。",
    "refused_anonymous": "⛔ 匿名管理员的消息无法确认身份，请关闭匿名后私聊机器人操作。",
    "owner_error": "⚠️ 处理消息时出错（会话 {where}）：\n<code>{summary}</code>",
    # --- command menu ---
    "cmd_start": "开始使用",
    "cmd_help": "帮助与命令列表",
    "cmd_groups": "查看所有群及标签",
    "cmd_tag_group": "给群打标签：/tag_group 群ID 标签…",
    "cmd_untag_group": "移除群标签：/untag_group 群ID 标签…",
    "cmd_agents": "代理列表（可筛选）",
    "cmd_agent": "查看代理档案",
    "cmd_remark": "设置备注名：/remark 代理 备注",
    "cmd_tag": "给代理打标签",
    "cmd_untag": "移除代理标签",
    "cmd_mode": "设置合作模式：一件代发、批发、定制",
    "cmd_contacted": "记录最近联系时间",
    "cmd_remove": "从所有群移除代理",
    "cmd_admins": "查看管理员",
    "cmd_grant": "添加管理员（仅店主）",
    "cmd_revoke": "撤销管理员（仅店主）",
    # --- start / help ---
    "start_agent": (
        "您好 {name}！👋\n我是{shop}的代理助手。您会在群里收到新品预告、促销活动、库存通知和培训安排。"
        "\n发送 /help 查看您可以使用的命令。"
    ),
    "start_admin": (
        "您好 {name}！这里是{shop}的卖家后台。\n点下面的按钮查看常用任务，或发送 /help 查看全部主题。"
    ),
    "help_agent_header": "<b>代理命令</b>",
    "help_admin_header": "<b>管理员命令</b>",
    # --- groups ---
    "owner_group_added": "✅ 机器人已加入群「{title}」（ID <code>{chat_id}</code>）。\n"
    "可用 /tag_group {chat_id} 一件代发 给它打标签。",
    "groups_empty": "机器人还没有加入任何群。把机器人拉进代理群并设为管理员即可。",
    "groups_header": "<b>共 {count} 个群</b>",
    "groups_row": "• {title}（<code>{chat_id}</code>）{status} · {members} 人 · 标签：{tags}",
    "group_active": "🟢 正常",
    "group_inactive": "⚪ 已失效",
    "group_tags_now": "群「{title}」的标签：{tags}",
    "usage_tag_group": "用法：/tag_group 群ID 标签…\n例如：/tag_group -1001234567890 一件代发 VIP",
    "usage_untag_group": "用法：/untag_group 群ID 标签…\n例如：/untag_group -1001234567890 VIP",
    "err_group_unknown": "没有找到群 <code>{chat_id}</code>。用 /groups 查看群ID。",
    "err_number": "{field}「{value}」不是有效的数字：请只用 0–9 写一个 {low} 到 {high} 之间的整数。",
    "err_chat_id": "「{value}」不是群ID。群ID 是负数，例如 -1001234567890（用 /groups 查看）。",
    # --- members ---
    "welcome_default": "欢迎加入！点击下方按钮私聊我，完善您的店铺资料。",
    "welcome_wrapper": "👋 {name}，{body}",
    "welcome_button": "私聊机器人",
    # --- agents / CRM ---
    "agents_empty": "没有符合条件的代理。",
    "agents_header": "<b>代理 {total} 人</b>（第 {page}/{pages} 页）",
    "agents_part_footer": "<i>本页第 {part}/{parts} 段</i>",
    "agents_row": "{index}. {name} <code>{user_id}</code> · {mode} · {tags} · 最近活跃 {seen}",
    "card_title": "<b>{name}</b>  ID <code>{user_id}</code>",
    "card_remark": "备注：{remark}",
    "card_tags": "标签：{tags}",
    "card_mode": "合作模式：{mode}",
    "card_groups": "所在群：{groups}",
    "card_joined": "加入时间：{at}",
    "card_last_seen": "最近活跃：{at}",
    "card_last_contact": "最近联系：{at}",
    "card_contact_note": "联系记录：{note}",
    "card_removed": "⛔ 已移除，原因：{reason}",
    "usage_agent": "用法：/agent 代理（用户ID、@用户名或备注名，如 /agent 李女士淘卖）",
    "usage_remark": "用法：/remark 代理 备注名\n例如：/remark @li_shop 李女士淘卖",
    "usage_tag": "用法：/tag 代理 标签…\n常用标签：已成交、代理商、潜在客户、已寄样、VIP客户、VIP代理商",
    "usage_untag": "用法：/untag 代理 标签…",
    "usage_mode": "用法：/mode 代理 一件代发|批发|定制",
    "usage_contacted": "用法：/contacted 代理 [备注]",
    "usage_remove": "用法：/remove 代理 [原因]",
    "err_agent_ref": "「{value}」不是代理。请写 @用户名 或数字用户ID。",
    "err_agent_unknown": (
        "没有找到代理「{value}」。请写数字用户ID、@用户名或备注名（可只写备注开头）；"
        "代理需要先在群里出现过或私聊过机器人。"
    ),
    "err_mode": "「{value}」不是合作模式。可选：一件代发、批发、定制。",
    "err_tag": "标签「{value}」无效：不能为空、不能含冒号，最长 {max} 个字。",
    "err_no_tags": "请至少写一个标签。",
    "err_filter": (
        "筛选条件「{value}」无效。可用：tag:标签 group:群ID mode:一件代发|批发|定制 "
        "inactive:>30d removed:yes tier:优质|合格|低质|无效 platform:淘宝 category:女装 score:&lt;50"
    ),
    "err_duration": "「{value}」不是时长。写法如 30d（天）、12h（小时）、2w（周），可加 >。",
    "err_empty": "{field}不能为空。",
    "err_too_long": "{field}太长了，最多 {max} 个字。",
    "field_remark": "备注",
    "field_note": "备注",
    "field_reason": "原因",
    "remark_done": "已设置 <code>{user_id}</code> 的备注：{remark}",
    "agent_tags_now": "<code>{user_id}</code> 的标签：{tags}",
    "mode_done": "已设置 <code>{user_id}</code> 的合作模式：{mode}",
    "contacted_done": "已记录与 <code>{user_id}</code> 的联系时间。",
    "remove_confirm": (
        "确认把 <b>{name}</b>（<code>{user_id}</code>）从全部 {groups} 个群移除吗？\n"
        "原因：{reason}\n移除后只能通过邀请重新进群。"
    ),
    "remove_confirm_button": "确认移除",
    "remove_cancelled": "已取消，没有做任何改动。",
    "remove_already": "代理 {user_id} 已经被移除了。",
    "remove_done": "已移除 <b>{name}</b>：处理了 {count} 个群。",
    "remove_failed_row": "• {group}：失败（{error}）",
    "rm_progress": "🧹 正在移除 {label}：群操作 {done}/{total}，失败 {failed}…",
    "rm_progress_done": "✅ 移除 {label} 已完成：群操作 {done}/{total}，失败 {failed}",
    "rm_failed_row": "• {name}（<code>{user_id}</code>）在 {group}：失败（{error}）",
    # --- admins ---
    "admins_header": "<b>管理员</b>",
    "admins_owner": "• <code>{user_id}</code> 店主",
    "admins_row": "• <code>{user_id}</code> 由 {by} 于 {at} 添加",
    "usage_grant": "用法：/grant 用户ID（数字）",
    "usage_revoke": "用法：/revoke 用户ID（数字）",
    "grant_done": "已把 <code>{user_id}</code> 设为管理员。",
    "grant_already": "<code>{user_id}</code> 已经是管理员了。",
    "revoke_done": "已撤销 <code>{user_id}</code> 的管理员权限。",
    "revoke_not_admin": "<code>{user_id}</code> 不是管理员。",
    "revoke_owner": "<code>{user_id}</code> 是店主，只能在配置文件里修改。",
    # --- gates and error reports ---
    "gate_use_private": "🔒 为了不在群里泄露管理信息，{command} 只在与我的私聊中可用，请在这里发送。群里的管理命令不会执行。",
    "gate_refused_in_group": "⛔ {command} 只有卖家管理员可以使用，群里已忽略，没有做任何改动。",
    "owner_error_repeats": "（距上次报告同类错误共发生 {count} 次）",
}
