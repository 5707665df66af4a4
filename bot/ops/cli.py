"""``agentbot backup`` and ``agentbot check``: the operator's commands around the database."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.config import ConfigError, Settings, load_settings
from bot.ops.progress import ProgressPrinter
from storage.backup import BackupError, backup_database, check_database


def _settings(config: Path | None, err: TextIO) -> Settings | None:
    try:
        return load_settings(config)
    except ConfigError as error:
        print(f"agentbot: {error}", file=err)
        return None


def backup_target(path: Path, now: datetime) -> Path:
    """``path`` itself, or a time-stamped file name inside it when it is a folder."""
    if path.is_dir():
        return path / f"agentbot-{now:%Y%m%d-%H%M%S}.sqlite3"
    return path


def backup_command(
    config: Path | None, target: Path, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Copy the configured database to ``target`` while the bot may be running; 0 when verified."""
    out, err = out or sys.stdout, err or sys.stderr
    settings = _settings(config, err)
    if settings is None:
        return 2
    destination = backup_target(target, datetime.now())
    progress = ProgressPrinter("backup", "pages", err)
    try:
        result = backup_database(settings.database, destination, progress=progress)
    except BackupError as error:
        progress.finish()
        print(f"agentbot: backup failed: {error}", file=err)
        return 1
    progress.finish()
    print(
        f"backup written to {result.path} ({result.size_bytes} bytes, {result.pages} pages); "
        "integrity check: ok",
        file=out,
    )
    return 0


def check_command(
    config: Path | None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Integrity check and schema version of the configured database; 0 when all is well."""
    out, err = out or sys.stdout, err or sys.stderr
    settings = _settings(config, err)
    if settings is None:
        return 2
    try:
        result = check_database(settings.database)
    except BackupError as error:
        print(f"agentbot: check failed: {error}", file=err)
        return 1
    print(f"database: {settings.database}", file=out)
    print(f"integrity: {'ok' if not result.problems else 'FAILED'}", file=out)
    for problem in result.problems[:20]:
        print(f"  {problem}", file=out)
    print(
        f"schema version: {result.schema_version} (this release: {result.latest_version}, "
        f"pending migrations: {result.pending_migrations})",
        file=out,
    )
    if result.schema_version > result.latest_version:
        print(
            "agentbot: the database was written by a newer release; upgrade agentbot first",
            file=err,
        )
    elif result.problems:
        print(
            "agentbot: the database is damaged; restore the latest backup (see docs/DEPLOYMENT.md)",
            file=err,
        )
    return 0 if result.ok else 1
