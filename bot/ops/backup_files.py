"""Pure helpers of the operations commands (file names and sizes for backups)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# Telegram's limit for files a bot sends (sendDocument).
BOT_UPLOAD_LIMIT = 50 * 1024 * 1024


def backup_file_name(now: int, tz: ZoneInfo) -> str:
    return f"agentbot-{datetime.fromtimestamp(now, tz):%Y%m%d-%H%M%S}.sqlite3"


def human_size(size: int) -> str:
    """``532 B``, ``12.5 KB``, ``3.4 MB`` (powers of 1024, like Telegram shows file sizes)."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
