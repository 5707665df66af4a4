"""简体中文：/export 进度与导入进度（offloop）。键与 en_offloop.py 一一对应。"""

CATALOG: dict[str, str] = {
    "offloop_export_started": "⏳ 正在导出代理表：共 {total} 位，请稍候……",
    "offloop_export_progress": "⏳ 正在导出代理表：{done}/{total} 位……",
    "offloop_export_done": "✅ 代理表已导出：共 {count} 位。",
    "offloop_export_running": "⏳ 您的上一次导出还在进行中，完成后会发给您，请稍候。",
    "offloop_export_failed": "❌ 导出失败，请稍后再试。",
}
