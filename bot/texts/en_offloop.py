"""English: /export progress (offloop). Keys match zh_offloop.py one to one."""

CATALOG: dict[str, str] = {
    "offloop_export_started": "⏳ Exporting the agents sheet: {total} agents, please wait…",
    "offloop_export_progress": "⏳ Exporting the agents sheet: {done}/{total} agents…",
    "offloop_export_done": "✅ Agents sheet exported: {count} agents.",
    "offloop_export_running": (
        "⏳ Your previous export is still running; you will get the file when it is done."
    ),
    "offloop_export_failed": "❌ The export failed; please try again later.",
}
