"""The operator's command line: backup, check, run --webhook config errors, demo --step."""

from __future__ import annotations

import io
import os
import pty
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.dev.demo.ops import scene_dashboard
from bot.dev.demo.story import OWNER, SCENES, Transcript, run_demo
from bot.ops.progress import ProgressPrinter
from storage.db import Database, load_migrations

LATEST = load_migrations()[-1].version
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AGENTBOT_"):
            monkeypatch.delenv(name)


async def make_database(path: Path, agents: int, blob: int = 0) -> None:
    db = await Database.open(path)
    async with db.transaction() as connection:
        for user_id in range(1, agents + 1):
            await connection.execute(
                "INSERT INTO agents (user_id, first_name, remark, joined_at) VALUES (?, 'a', ?, 1)",
                (user_id, "x" * blob or None),
            )
    await db.close()


def write_config(tmp_path: Path, database: Path, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{database}"\n{extra}', encoding="utf-8")
    return config


async def test_backup_prints_progress_and_verifies_the_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bot.sqlite3"
    await make_database(database, agents=2500, blob=2500)  # ~1,600 pages: two steps or more
    target = tmp_path / "backup.sqlite3"

    status = main(["backup", str(target), "--config", str(write_config(tmp_path, database))])

    out, err = capsys.readouterr()
    assert status == 0
    progress = re.findall(r"^backup: (\d+)/(\d+) pages \((\d+)%\)$", err, re.MULTILINE)
    assert len(progress) >= 2
    assert progress[-1][0] == progress[-1][1] and progress[-1][2] == "100"
    assert f"backup written to {target}" in out and "integrity check: ok" in out
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM agents").fetchone()[0] == 2500
    copy.close()


async def test_backup_into_a_folder_gets_a_dated_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bot.sqlite3"
    await make_database(database, agents=3)
    folder = tmp_path / "backups"
    folder.mkdir()

    status = main(["backup", str(folder), "--config", str(write_config(tmp_path, database))])

    assert status == 0
    (copy,) = folder.iterdir()
    assert re.fullmatch(r"agentbot-\d{8}-\d{6}\.sqlite3", copy.name)
    assert capsys.readouterr().err == ""  # small database: no progress lines


def test_backup_of_a_missing_database_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, tmp_path / "missing.sqlite3")

    status = main(["backup", str(tmp_path / "copy.sqlite3"), "--config", str(config)])

    assert status == 1
    assert "backup failed" in capsys.readouterr().err
    assert not (tmp_path / "copy.sqlite3").exists()
    assert not (tmp_path / "missing.sqlite3").exists()


async def test_check_prints_integrity_and_schema_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bot.sqlite3"
    await make_database(database, agents=3)

    status = main(["check", "--config", str(write_config(tmp_path, database))])

    out = capsys.readouterr().out
    assert status == 0
    assert "integrity: ok" in out
    assert f"schema version: {LATEST} (this release: {LATEST}, pending migrations: 0)" in out


async def test_check_fails_on_a_database_from_a_newer_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bot.sqlite3"
    await make_database(database, agents=1)
    connection = sqlite3.connect(database)
    connection.execute(f"PRAGMA user_version = {LATEST + 1}")
    connection.close()

    status = main(["check", "--config", str(write_config(tmp_path, database))])

    assert status == 1
    assert "newer release" in capsys.readouterr().err


def test_check_fails_on_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "bot.sqlite3"
    junk.write_bytes(b"not a database" * 200)

    assert main(["check", "--config", str(write_config(tmp_path, junk))]) == 1
    assert "not a readable SQLite database" in capsys.readouterr().err


def test_check_with_a_bad_config_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, tmp_path / "bot.sqlite3", "log_json = 'sometimes'\n")
    assert main(["check", "--config", str(config)]) == 2
    assert "log_json" in capsys.readouterr().err


def test_run_webhook_needs_url_and_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path, tmp_path / "bot.sqlite3", 'token = "123456:ABC-def"\n[webhook]\nport = 8443\n'
    )

    assert main(["run", "--webhook", "--config", str(config)]) == 2

    err = capsys.readouterr().err
    assert "webhook.url" in err and "webhook.secret_token" in err
    assert not (tmp_path / "bot.sqlite3").exists()


def test_webhook_secret_must_use_telegrams_charset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path,
        tmp_path / "bot.sqlite3",
        'token = "123456:ABC-def"\n[webhook]\nurl = "https://x.example/hook"\n'
        'secret_token = "has spaces!"\n',
    )
    assert main(["run", "--webhook", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "webhook.secret_token" in err and "has spaces" not in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_printer_on_a_file_prints_every_ten_percent() -> None:
    stream = io.StringIO()
    printer = ProgressPrinter("backup", "pages", stream)
    for done in range(0, 1001, 10):
        printer(done, 1000)
    printer.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "backup: 0/1000 pages (0%)"
    assert lines[-1] == "backup: 1000/1000 pages (100%)"
    assert len(lines) == 11


def test_progress_printer_on_a_terminal_rewrites_one_line() -> None:
    stream = Terminal()
    printer = ProgressPrinter("backup", "pages", stream)
    printer(1, 3)
    printer(3, 3)
    printer.finish()
    assert stream.getvalue() == "\rbackup: 1/3 pages (33%)\rbackup: 3/3 pages (100%)\n"


def test_progress_printer_is_silent_for_one_step_jobs() -> None:
    stream = io.StringIO()
    printer = ProgressPrinter("backup", "pages", stream)
    printer(12, 12)
    printer.finish()
    assert stream.getvalue() == ""


async def tiny_first_scene(story: Transcript) -> None:
    """Two titles in one scene function, as the real story's first scene has."""
    story.scene("1. first")
    await story.say(OWNER, OWNER, "/start")
    story.scene("2. second")
    await story.say(OWNER, OWNER, "/help")


async def tiny_last_scene(story: Transcript) -> None:
    story.scene("3. third")
    await story.say(OWNER, OWNER, "/start")


TINY_STORY = [tiny_first_scene, tiny_last_scene]


@pytest.fixture
def stdin_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with open(os.devnull, encoding="utf-8") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        yield


@pytest.fixture
def stdin_a_terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Standard input is a real pseudo-terminal with an Enter waiting for every pause."""
    leader, follower = pty.openpty()
    try:
        os.write(leader, b"\n" * 20)
        with open(follower, encoding="utf-8", closefd=False) as stdin:
            monkeypatch.setattr(sys, "stdin", stdin)
            yield
    finally:
        os.close(leader)
        os.close(follower)


@pytest.mark.usefixtures("stdin_not_a_terminal")
async def test_demo_step_without_a_terminal_does_not_wait(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_demo(step=True, scenes=TINY_STORY) == 0
    out = capsys.readouterr().out
    assert "standard input is not a terminal" in out
    assert "Enter for the next scene" not in out
    assert out.count("\n━━ ") == 3
    assert "Demo finished" in out


@pytest.mark.usefixtures("stdin_a_terminal")
async def test_demo_step_on_a_terminal_pauses_before_every_scene_but_the_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_demo(step=True, scenes=TINY_STORY) == 0
    out = capsys.readouterr().out
    assert "standard input is not a terminal" not in out
    assert out.count("\n━━ ") == 3
    assert out.count("Enter for the next scene") == 2
    pauses = [m.start() for m in re.finditer("Enter for the next scene", out)]
    assert out.index("━━ 1.") < pauses[0] < out.index("━━ 2.") < pauses[1] < out.index("━━ 3.")
    assert "Demo finished" in out


def test_the_whole_demo_on_a_terminal_pauses_before_every_scene_but_the_first() -> None:
    """The one run of the full story in the suite: the real command, on a pseudo-terminal."""
    leader, follower = pty.openpty()
    try:
        os.write(leader, b"\n" * 200)  # Enter, for every pause
        result = subprocess.run(
            [sys.executable, "-m", "bot", "demo", "--step"],
            stdin=follower,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )
    finally:
        os.close(leader)
        os.close(follower)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    headers = out.count("\n━━ ")
    assert headers >= 7
    assert out.count("Enter for the next scene") == headers - 1
    assert out.index("Enter for the next scene") > out.index("━━ 1.")
    assert "Demo finished" in out


def test_the_dashboard_scene_closes_the_demo() -> None:
    assert SCENES[-1] is scene_dashboard
    assert SCENES.count(scene_dashboard) == 1
