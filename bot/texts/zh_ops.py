"""Texts of the seller dashboard and operations (/stats, /backup), Simplified Chinese."""

CATALOG: dict[str, str] = {
    "ops_cmd_stats": "经营概况与图表",
    "ops_cmd_backup": "把数据库备份发给我（仅店主）",
    "ops_stats_header": "📊 <b>经营概况</b>（截至 {at}）",
    "ops_stats_groups": "群：{active} 个正常，{inactive} 个已失效",
    "ops_stats_agents": "代理：在册 {total} 人；本周（{since} 起）新进 {new} 人",
    "ops_stats_modes": "按合作模式：{modes}",
    "ops_stats_tiers": "按质量等级：{tiers}",
    "ops_stats_tiers_unavailable": "按质量等级：暂不可用（没有质量评分数据）",
    "ops_stats_broadcasts": "本周（{since} 起）推送 {count} 次：送达 {sent}/{finished}，成功率 {rate}，未完成 {pending}",
    "ops_stats_broadcasts_unavailable": "本周推送：暂不可用（没有推送记录表）",
    "ops_stats_no_rate": "—",
    "ops_tier_excellent": "优质",
    "ops_tier_qualified": "合格",
    "ops_tier_low": "低质",
    "ops_tier_invalid": "无效",
    "ops_tier_unscored": "未评分",
    "ops_private_only": "为了数据安全，请在与我的私聊中发送 /{command}。",
    "ops_backup_caption": "🗄 数据库备份 {name}（{size}，完整性检查通过）。其中有全部代理资料，请妥善保管。",
    "ops_backup_failed": "❌ 备份失败：{error}",
    "ops_backup_too_big": "数据库有 {size}，超过 Telegram 允许机器人发送的 50 MB。请在服务器上运行 <code>agentbot backup 路径</code>。",
}
