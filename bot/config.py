"""Settings from a TOML file with ``AGENTBOT_*`` environment overrides.

The file path comes from ``--config`` or ``AGENTBOT_CONFIG``. Environment variables win over the
file; nested keys use ``__`` (``AGENTBOT_RATE_LIMITS__GLOBAL_PER_SECOND=25``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from contextvars import ContextVar
from datetime import time
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.agents.privacy_config import PrivacySettings
from bot.agents.quality_config import QualitySettings
from bot.common.quiet import QuietWindow
from bot.common.uploads import UploadLimits
from bot.scheduling.config import FollowupSettings, GreetingSettings, TrainingSettings

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_BASE_FILE_URL = "https://api.telegram.org/file/bot"
CONFIG_ENV_VAR = "AGENTBOT_CONFIG"

_TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_URL_PATH_PATTERN = re.compile(r"^[A-Za-z0-9_./-]*$")
_WINDOW_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")

_toml_path: ContextVar[Path | None] = ContextVar("agentbot_toml_path", default=None)


class ConfigError(Exception):
    """A configuration problem, phrased for the person who wrote the config."""


class RateLimits(BaseModel):
    """The pace of the delivery engine (bot/broadcast/delivery/windows.py): Telegram's limits."""

    global_per_second: float = Field(30.0, gt=0, le=1000)
    per_group_per_minute: int = Field(20, gt=0, le=600)
    per_private_chat_per_second: int = Field(1, ge=1, le=1000)
    allow_paid_broadcast: bool = False
    paid_per_second: float = Field(1000.0, gt=0, le=1000)
    # 429s from two different chats within this many seconds mean the global limit was hit.
    flood_span_seconds: float = Field(1.0, gt=0, le=60)


class DeliverySettings(BaseModel):
    """Retries and progress reports of the delivery engine (bot/broadcast/delivery/)."""

    max_attempts: int = Field(5, ge=1, le=20)
    backoff_seconds: float = Field(2.0, gt=0, le=600)
    backoff_max_seconds: float = Field(300.0, gt=0, le=3600)
    progress_interval_seconds: float = Field(2.0, ge=0.5, le=60)
    # None: sized from the rate and the measured request latency (Little's law), at most 256.
    max_in_flight: int | None = Field(None, ge=1, le=256)
    loop_error_backoff_seconds: float = Field(1.0, gt=0, le=60)


class WebhookSettings(BaseModel):
    """``agentbot run --webhook``: where Telegram posts updates and where the bot listens."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    listen: str = "127.0.0.1"
    port: int = Field(8443, ge=1, le=65535)
    secret_token: SecretStr | None = None
    path: str | None = None
    # Telegram's updates are a few KB; a larger request is refused before its body is read.
    max_body_bytes: int = Field(1024 * 1024, ge=64 * 1024, le=100 * 1024 * 1024)

    @field_validator("url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https://[^/\s]+(/\S*)?$", value):
            raise ValueError("must be the public https:// URL Telegram posts updates to")
        return value

    @field_validator("listen")
    @classmethod
    def _ip_address(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address; use 127.0.0.1 or 0.0.0.0") from None
        return value

    @field_validator("secret_token")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters, only A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("path")
    @classmethod
    def _path_shape(cls, value: str | None) -> str | None:
        if value is not None and not _URL_PATH_PATTERN.match(value):
            raise ValueError("must be a URL path like /agentbot/webhook (A-Z a-z 0-9 _ . / -)")
        return value

    @property
    def url_path(self) -> str:
        """The path the local server answers on: ``path``, else the path part of ``url``."""
        if self.path is not None:
            return self.path.strip("/")
        if self.url is None:
            return ""
        return urlsplit(self.url).path.strip("/")


class GroupSettings(BaseModel):
    """Groups added by someone who is not an admin (handlers/groups.py, bot/agents/groups.py)."""

    # The bot leaves a group nobody approved within this many hours.
    approval_timeout_hours: float = Field(48.0, gt=0, le=24 * 30)


class StockSettings(BaseModel):
    """``[stock]``: answers to stock questions in the groups (bot/catalog/stock_status.py)."""

    # Answer "A1 还有货吗" in approved groups; false turns the answers off.
    answer_questions: bool = True
    # The same SKU is answered in one group at most once per this many minutes.
    answer_interval_minutes: int = Field(10, ge=1, le=24 * 60)


class SampleSettings(BaseModel):
    """``[samples]``: sample requests (寄样, bot/catalog/samples.py)."""

    # Days after shipping when the follow-up list asks "样品已寄 N 天，上架了吗".
    follow_up_days: int = Field(7, ge=1, le=365)
    # Requests one agent may make per day (one open request per product in any case).
    max_requests_per_day: int = Field(5, ge=1, le=100)


class BotSettings(BaseModel):
    """How the bot presents itself (handlers/start.py)."""

    # The shop's name where the bot introduces itself; empty: a generic "the supplier".
    shop_name: str = Field("", max_length=64)


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
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    welcome_text: dict[Literal["zh", "en"], str] = Field(default_factory=dict)
    agents_page_size: int = Field(10, ge=1, le=50)
    stock_low_threshold: int = Field(5, ge=0, le=1_000_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    quality: QualitySettings = Field(default_factory=QualitySettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    log_json: bool = False
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    schedule_grace_minutes: int = Field(30, ge=0, le=7 * 24 * 60)
    max_product_posts_per_group_per_day: int = Field(2, ge=1, le=100)
    promo_reminder_hours: float = Field(2.0, gt=0, le=24 * 30)
    greetings: GreetingSettings = Field(default_factory=GreetingSettings)
    training: TrainingSettings = Field(default_factory=TrainingSettings)
    followups: FollowupSettings = Field(default_factory=FollowupSettings)
    groups: GroupSettings = Field(default_factory=GroupSettings)
    uploads: UploadLimits = Field(default_factory=UploadLimits)
    stock: StockSettings = Field(default_factory=StockSettings)
    samples: SampleSettings = Field(default_factory=SampleSettings)
    bot: BotSettings = Field(default_factory=BotSettings)

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
