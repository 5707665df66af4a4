"""中文：/schedule 与 /schedule_digest 不写 tag: 时按按钮选择发送对象（键与 en_schedpicker.py 一一对应）。"""

CATALOG: dict[str, str] = {
    "sp_choose_text": "🗓 定时群发「{title}」：{when}（{rule}）。\n发给谁？（共 {count} 个正常群）",
    "sp_choose_digest": "🗓 定时库存简报：{when}（{rule}）。\n发给谁？（共 {count} 个正常群）",
    "sp_expired": "这份定时草稿已过期，请重新发送 /schedule 或 /schedule_digest。",
    "sp_cancelled": "已取消，没有创建定时任务。",
    "sp_past": "⚠️ 定时时间 {when} 已经过了，没有创建定时任务。请重新发送命令。",
    "sp_created": "✅ 已创建定时任务 #{id}：{when}（{rule}）。\n发送对象：{targets}\n/schedules 查看全部。",
    "sp_targets_tags": "标签 {tags}，共 {count} 个正常群",
    "sp_targets_untagged": "{all}。群还没有标签，所以发给全部群；用 /tag_group 给群加标签后，可以按标签选择",
    "tp_prev": "◀ 标签 {page}/{pages}",
    "tp_next": "标签 {page}/{pages} ▶",
}
