"""Settings: read once from the environment and `.env`, then passed down."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Language = Literal["tr", "en"]
ENV_PREFIX = "KOORDINAT_"
TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Everything an operator can configure. Variable names are `KOORDINAT_<FIELD>`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore",
        populate_by_name=True,
    )

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str | None = None
    bot_username: str = "koordinat_bot"
    database: Path = Path("./koordinat.db")
    timezone: str = "Europe/Istanbul"
    default_language: Language = "tr"

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    port: int = Field(default=8443, ge=1, le=65535, validation_alias=AliasChoices("PORT", "KOORDINAT_PORT"))

    # Data controller named in the privacy notice (KVKK art. 10).
    controller_name: str = "Koordinat operator (set KOORDINAT_CONTROLLER_NAME)"
    controller_contact: str = "(set KOORDINAT_CONTROLLER_CONTACT)"

    # Sending limits (Telegram's published limits, kept a little below them).
    send_rate_per_second: float = Field(default=25.0, gt=0)
    private_chat_rate_per_second: float = Field(default=1.0, gt=0)
    group_chat_rate_per_minute: float = Field(default=20.0, gt=0)

    # Sent outbox rows and finished reminders are deleted after this many days (nightly);
    # per-broadcast delivery counts are kept.
    retention_days: int = Field(default=30, ge=1)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (example: Europe/Istanbul)") from error
        return value

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """A @BotFather token is `<bot id>:<secret>` (Bot API, "Authorizing your bot"); checked
        before any network call, and never echoed back."""
        token = value.get_secret_value().strip() if value is not None else ""
        if token and not TOKEN_SHAPE.fullmatch(token):
            raise ValueError("not a bot token (expected the bot id, a colon and the secret, "
                             "like 123456789:AAHk...; copy it from @BotFather)")
        return SecretStr(token) if value is not None else None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_characters(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram's setWebhook secret_token: 1-256 characters, only A-Z a-z 0-9 _ -."""
        if value is not None and not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("1-256 characters, only A-Z a-z 0-9 _ - (Telegram refuses others); "
                             "example: generate one with `python -c \"import secrets; "
                             "print(secrets.token_urlsafe(32))\"`")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (example: http://127.0.0.1:8081/bot)")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_telegram_token(self) -> bool:
        return bool(self.telegram_token and self.telegram_token.get_secret_value().strip())


def _variable_name(location: tuple[object, ...]) -> str:
    field = str(location[0]) if location else "?"
    if field.isupper():
        return field
    return "PORT" if field == "port" else ENV_PREFIX + field.upper()


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one clear `ConfigError` line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(f"{_variable_name(tuple(first.get('loc', ())))}: {message}") from None
