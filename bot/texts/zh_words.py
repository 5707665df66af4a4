"""简体中文：/start 菜单、/help 主题、群里的代理命令（handlers/help.py、bot/commands.py）。"""

CATALOG: dict[str, str] = {
    "menu_shop_default": "供货商",
    "menu_btn_broadcast": "📣 群发",
    "menu_btn_agents": "👥 代理",
    "menu_btn_quality": "⭐ 低质代理",
    "menu_btn_products": "🛍 商品",
    "menu_btn_schedules": "⏰ 定时",
    "menu_btn_stats": "📊 统计",
    "menu_btn_help": "❓ 帮助",
    "menu_topics_header": "<b>帮助主题</b>",
    "menu_topics_footer": "发送 /help 主题 查看详情，例如 /help broadcast 或 /help 群发。",
    "menu_unknown_topic": "没有「{word}」这个帮助主题。可选主题：{topics}。",
    "menu_topic_broadcast": "群发",
    "menu_topic_agents": "代理",
    "menu_topic_quality": "低质代理",
    "menu_topic_products": "商品与促销",
    "menu_topic_stock": "库存",
    "menu_topic_schedules": "定时与节日祝福",
    "menu_topic_trainings": "培训",
    "menu_topic_groups": "群",
    "menu_topic_data": "统计与数据",
    "menu_topic_admins": "管理员",
    "menu_note_broadcast": (
        "发送 /broadcast 文字（或带说明的图片），选择目标群、预览后点「发送」。"
        "进度消息会变成最终报告；发错了用 /retract 撤回、/edit 修改。"
    ),
    "menu_note_agents": (
        "代理用 ID 或 @用户名指定，例如 /agent @li_shop；"
        "/tag、/mode、/remark 记录客户信息，/contacted 记录联系时间。"
    ),
    "menu_note_quality": (
        "/lowquality 查看低质、无效代理的审核队列；/lowquality remove 低质 批量移除该等级的代理，"
        "确认后才执行。/remove 从所有群移除一位代理。"
    ),
    "menu_note_products": (
        "/newproduct 按步骤录入商品（代发价、建议零售价、图片），保存后可预热、上新；"
        "/promo 按步骤设置促销及其开始和结束时间。"
    ),
    "menu_note_stock": (
        "/stock 货号 数量 更新库存；低于阈值、售罄、补货时群里会收到通知。"
        "批量更新用 /stock_import 上传表格。"
    ),
    "menu_note_schedules": (
        "/schedule 时间 内容 定时群发，再用按钮选择发给哪些群；时间可写成「明天 20:00」或「每天 09:30」；"
        "休息时间内不会发送。/greeting 管理节日祝福模板。"
    ),
    "menu_note_trainings": "/training 按步骤发布培训，代理用按钮报名；/attended 记录到场。",
    "menu_note_groups": (
        "把机器人拉进群并设为管理员。/groups 查看群 ID，/tag_group 群ID 标签 给群分组，群发时按标签选择。"
    ),
    "menu_note_data": (
        "/stats 查看经营概况和图表；/export 导出代理表格；/import_orders、/import_agents 上传表格导入。"
    ),
    "menu_note_admins": "只有店主（配置中的 owners）可以 /grant、/revoke 管理员。",
    # --- 代理在群里 ---
    "menu_agent_cmd_help_group": "代理命令说明",
    "menu_agent_cmd_profile_group": "在私聊中填写您的店铺资料",
    "menu_agent_group_help": ("您好！请私聊我：/profile 填写店铺资料、/myprofile 查看资料。"),
    "menu_agent_private_button": "私聊机器人",
    "menu_agent_profile_in_group": "{name}，请在私聊中填写您的店铺资料：点下方按钮继续。",
    # --- /stats 图表 ---
    "chart_tiers_title": "各质量等级代理数",
    "chart_tiers_unavailable": "暂不可用：没有质量评分数据",
    "chart_agents_axis": "代理（人）",
    "chart_tier_excellent": "优质",
    "chart_tier_qualified": "合格",
    "chart_tier_low": "低质",
    "chart_tier_invalid": "无效",
    "chart_tier_unscored": "未评分",
    "chart_growth_title": "每周代理增长",
    "chart_new_agents": "新进代理",
    "chart_roster": "在册代理",
    "chart_week_axis": "周（起始日期）",
    "chart_deliveries_title": "每周推送送达",
    "chart_deliveries_unavailable": "暂不可用：没有推送记录",
    "chart_delivered": "已送达",
    "chart_failed": "失败",
    "chart_messages_axis": "消息（条）",
}
