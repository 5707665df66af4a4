"""Settings from a TOML file with ``AGENTBOT_*`` environment overrides.

The file path comes from ``--config`` or ``AGENTBOT_CONFIG``. Environment variables win over the
file; nested keys use ``__`` (``AGENTBOT_RATE_LIMITS__GLOBAL_PER_SECOND=25``).
"""

from __future__ import annotations

import os
import re
import tomllib
from contextvars import ContextVar
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"
CONFIG_ENV_VAR = "AGENTBOT_CONFIG"

_TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_WINDOW_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")

_toml_path: ContextVar[Path | None] = ContextVar("agentbot_toml_path", default=None)


class ConfigError(Exception):
    """A configuration problem, phrased for the person who wrote the config."""


class QuietWindow(BaseModel):
    """A daily window (local time) in which the bot does not push content; may wrap midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


class RateLimits(BaseModel):
    global_per_second: float = Field(30.0, gt=0, le=1000)
    per_group_per_minute: int = Field(20, gt=0, le=600)
    allow_paid_broadcast: bool = False
    paid_per_second: float = Field(1000.0, gt=0, le=1000)


class Settings(BaseSettings):
    """Everything the bot reads from config. Every key is documented in config.example.toml."""

    model_config = SettingsConfigDict(
        env_prefix="AGENTBOT_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    token: SecretStr | None = None
    base_url: str = TELEGRAM_BASE_URL
    base_file_url: str = TELEGRAM_BASE_FILE_URL
    owners: list[int] = Field(default_factory=list)
    database: Path = Path("agentbot.sqlite3")
    timezone: str = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    seller_categories: list[str] = Field(default_factory=list)
    quiet_hours: list[str] = Field(default_factory=lambda: ["13:00-14:00", "22:00-08:00"])
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    welcome_text: dict[Literal["zh", "en"], str] = Field(default_factory=dict)
    agents_page_size: int = Field(10, ge=1, le=50)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("must look like 123456:ABC-DEF (the token BotFather gave you)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Asia/Shanghai"
            ) from None
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours_shape(cls, value: list[str]) -> list[str]:
        for window in value:
            if not _WINDOW_PATTERN.match(window):
                raise ValueError(f"{window!r} is not a window; use HH:MM-HH:MM like 22:00-08:00")
        return value

    @field_validator("owners")
    @classmethod
    def _positive_owner_ids(cls, value: list[int]) -> list[int]:
        for owner in value:
            if owner <= 0:
                raise ValueError(f"{owner} is not a Telegram user id (user ids are positive)")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet_windows(self) -> list[QuietWindow]:
        windows = []
        for window in self.quiet_hours:
            start, end = window.split("-")
            windows.append(
                QuietWindow(start=time.fromisoformat(start), end=time.fromisoformat(end))
            )
        return windows

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        path = _toml_path.get()
        if path is not None:
            sources += (TomlConfigSettingsSource(settings_cls, toml_file=path),)
        return sources


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (see config.example.toml for the accepted keys)"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def load_settings(path: Path | None = None, **overrides: object) -> Settings:
    """Load settings from ``path`` (or ``$AGENTBOT_CONFIG``), raising ConfigError on any problem."""
    if path is None and os.environ.get(CONFIG_ENV_VAR):
        path = Path(os.environ[CONFIG_ENV_VAR])
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"config file {path} is not UTF-8 text") from None
    marker = _toml_path.set(path)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        where = f" in {path}" if path is not None else ""
        raise ConfigError(f"invalid configuration{where}:\n{_describe(exc)}") from None
    finally:
        _toml_path.reset(marker)
