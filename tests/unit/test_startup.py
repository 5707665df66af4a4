"""Start-up stays light: heavy libraries are imported when they are used, not with the bot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_importing_the_app_does_not_import_matplotlib() -> None:
    """matplotlib is imported by the first /stats chart (bot/ops/charts.py), and mplfonts (the
    CJK font's package) never: only its font file is used. A fresh
    interpreter, so that modules other tests imported do not count."""
    code = (
        "import sys, bot.app; "
        "print(sorted(m for m in sys.modules if m.startswith(('matplotlib', 'mplfonts'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "[]"
