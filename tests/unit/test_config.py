import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.logs import RedactTokenFilter

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert settings.timezone == "Asia/Shanghai"
    assert settings.rate_limits.global_per_second == 30
    assert settings.rate_limits.per_group_per_minute == 20
    assert settings.rate_limits.per_private_chat_per_second == 1
    assert settings.rate_limits.flood_span_seconds == 1
    assert settings.delivery.loop_error_backoff_seconds == 1
    assert [str(w.start) for w in settings.quiet_windows] == ["13:00:00", "22:00:00"]


def test_env_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "owners = [1]\n[rate_limits]\nglobal_per_second = 10\n")
    monkeypatch.setenv("AGENTBOT_RATE_LIMITS__GLOBAL_PER_SECOND", "25")
    monkeypatch.setenv("AGENTBOT_TOKEN", "42:abc_DEF")
    settings = load_settings(path)
    assert settings.rate_limits.global_per_second == 25
    assert settings.owners == [1]
    assert settings.token is not None and settings.token.get_secret_value() == "42:abc_DEF"
    assert "abc_DEF" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('timezone = "Mars/Olympus"', "timezone: unknown time zone"),
        ('token = "nope"', "token: must look like"),
        ("owners = [-5]", "owners: -5 is not a Telegram user id"),
        ('quiet_hours = ["25:00-26:00"]', "quiet_hours: '25:00-26:00' is not a window"),
        ('colour = "red"', "colour: unknown key"),
        ("[rate_limits]\nglobal_per_second = 0", "rate_limits.global_per_second"),
        (
            "[rate_limits]\nper_private_chat_per_second = 0",
            "rate_limits.per_private_chat_per_second",
        ),
        ("[rate_limits]\nflood_span_seconds = 0", "rate_limits.flood_span_seconds"),
        ("[delivery]\nloop_error_backoff_seconds = -1", "delivery.loop_error_backoff_seconds"),
        ('language = "fr"', "language:"),
        ("owners = [", "not valid TOML"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, text))
    assert expected in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "absent.toml")


def test_cli_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, 'token = "12:secretpart"\ntimezone = "Nowhere/Town"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "timezone" in result.stderr and "Traceback" not in result.stderr
    assert "secretpart" not in result.stderr + result.stdout


def test_cli_without_token_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(write(tmp_path, "owners = [1]\n"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "token" in result.stderr


def test_log_filter_redacts_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("redaction-test")
    handler = logging.Handler()
    records: list[str] = []
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(RedactTokenFilter("123:SECRETVALUE"))
    logger.addHandler(handler)
    logger.warning("calling https://api/bot%s/getMe", "123:SECRETVALUE")
    logger.removeHandler(handler)
    assert records == ["calling https://api/bot<token>/getMe"]
