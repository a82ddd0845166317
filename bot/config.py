"""Settings: read once from the environment and `.env`, then passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Language = Literal["tr", "en"]
ENV_PREFIX = "KOORDINAT_"


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
    # Survey evidence (photos, documents members send as answers): KOORDINAT_FILES_DIR.
    files_dir: Path = Path("./koordinat-files")
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

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (example: Europe/Istanbul)") from error
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
