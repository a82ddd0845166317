"""Settings: read once from the environment and `.env`, then passed down.

Read by `Settings.__init__` itself (what pydantic-settings did, without its import cost: the
CLI starts in a third of a second, issue 24): a value given as a keyword wins over
`KOORDINAT_<FIELD>` in the environment (any case), which wins over the same line in `.env`
(the working directory's, read with python-dotenv only when the file exists), which wins over
the default. Defaults are validated too.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator,
                      model_validator)
from pydantic_core import PydanticCustomError

Language = Literal["tr", "en"]
ENV_PREFIX = "KOORDINAT_"
TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{1,100}")
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable."""


ENV_FILE = ".env"
_DEFAULT_ENV_FILE: object = object()


class Settings(BaseModel):
    """Everything an operator can configure. Variable names are `KOORDINAT_<FIELD>` (the port
    also `PORT`); `Settings(_env_file=None, …)` reads no `.env` file, `_env_file=path` another."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, validate_default=True)

    def __init__(self, _env_file: str | os.PathLike[str] | None | object = _DEFAULT_ENV_FILE,
                 **values: object) -> None:
        env_file = ENV_FILE if _env_file is _DEFAULT_ENV_FILE else _env_file
        super().__init__(**_from_environment(values, env_file))  # type: ignore[arg-type]

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str | None = None
    bot_username: str = "koordinat_bot"
    # A SQLite file (a path, or sqlite:///relative/path.db, sqlite:////absolute/path.db), or a
    # PostgreSQL DSN (postgresql://user:password@host:5432/dbname): KOORDINAT_DATABASE.
    database: Path | str = Path("./koordinat.db")
    # PostgreSQL only: one organisation per schema (created when missing); default `public`.
    database_schema: str | None = None
    # Survey evidence (photos, documents members send as answers): KOORDINAT_FILES_DIR.
    files_dir: Path = Path("./koordinat-files")
    # A group's own lessons (*.toml in the shipped format, issue 23), beside the shipped ones.
    lessons_dir: Path | None = None
    timezone: str = "Europe/Istanbul"
    # The local demo's first day (`koordinat demo --today 2027-06-15`); None: today in `timezone`.
    demo_today: date | None = None
    # The "now" of operator CLI commands (KOORDINAT_NOW=2027-07-15T10:00+03:00), for tests and
    # rehearsals; None: the wall clock. `koordinat run` always uses the wall clock.
    now: datetime | None = None
    default_language: Language = "tr"

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    port: int = Field(default=8443, ge=1, le=65535, validation_alias=AliasChoices("PORT", "KOORDINAT_PORT"))

    # Data controller named in the privacy notice (KVKK art. 10). Unset: the notice says, in
    # the reader's language, that the operator has not named it yet, and `run` warns.
    controller_name: str | None = None
    controller_contact: str | None = None

    # Sending limits (Telegram's published limits, kept a little below them).
    send_rate_per_second: float = Field(default=25.0, gt=0)
    private_chat_rate_per_second: float = Field(default=1.0, gt=0)
    group_chat_rate_per_minute: float = Field(default=20.0, gt=0)

    # WhatsApp Cloud API (issue 12). All four of token, phone number id, app secret and
    # verify token, or none of them. `whatsapp_api_url` points at a local stand-in in tests.
    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "23.0"
    # Approved utility templates (messages/whatsapp_templates.toml holds their texts and
    # parameter order); the name is shared, one approved translation per language.
    whatsapp_template_notice: str = "koordinat_notice"
    whatsapp_template_languages: str = "tr,en"
    # Cloud API throughput: 80 messages/s per number; about one message per 6 s per person.
    whatsapp_send_rate_per_second: float = Field(default=80.0, gt=0)
    whatsapp_pair_seconds: float = Field(default=6.0, gt=0)
    whatsapp_pair_burst: int = Field(default=10, ge=1)
    # Sent outbox rows and finished reminders are deleted after this many days (nightly);
    # per-broadcast delivery counts are kept.
    retention_days: int = Field(default=30, ge=1)
    # PostgreSQL: how long the server's WAL archive and backups keep deleted rows (the
    # operator's point-in-time-recovery window), stated in the privacy notice.
    backup_retention_days: int | None = Field(default=None, ge=1)

    @field_validator("database", mode="before")
    @classmethod
    def _database_location(cls, value: object) -> object:
        """A `postgresql://`/`postgres://` DSN stays a string; `sqlite:///x.db` and paths become a Path."""
        if isinstance(value, str):
            scheme = value.split("://", 1)[0].lower() if "://" in value else ""
            if scheme in {"postgresql", "postgres"}:
                return value.strip()
            if scheme == "sqlite":
                rest = value.split("://", 1)[1]
                return Path(rest[1:] if rest.startswith("/") else rest)
            if scheme:
                raise ValueError(f"{scheme}:// is not a database Koordinat knows: give a SQLite file path "
                                 "(koordinat.db, sqlite:///koordinat.db) or postgresql://user@host/dbname")
            return Path(value)
        return value

    @field_validator("database_schema")
    @classmethod
    def _schema_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", value.strip()):
            raise ValueError("a schema name of letters, digits and _ (example: kars_kadin_meclisi)")
        return value.strip() if value else None

    @model_validator(mode="after")
    def _schema_in_dsn(self) -> Settings:
        """KOORDINAT_DATABASE_SCHEMA travels inside the DSN (`?schema=`), so everything that opens
        `settings.database` opens the same schema."""
        if self.database_schema and isinstance(self.database, str):
            joiner = "&" if "?" in self.database else "?"
            self.database = f"{self.database}{joiner}schema={self.database_schema}"
        return self

    @property
    def uses_postgres(self) -> bool:
        return isinstance(self.database, str)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return check_timezone(value)

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

    @field_validator("whatsapp_api_url")
    @classmethod
    def _graph_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (example: https://graph.facebook.com)")
        return value.rstrip("/")

    @field_validator("whatsapp_phone_number_id")
    @classmethod
    def _phone_number_id(cls, value: str | None) -> str | None:
        if value is not None and value.strip() and not value.strip().isdigit():
            raise ValueError("the Phone number ID from the Meta app's WhatsApp > API Setup page, "
                             "digits only (example: 106540352242922), not the phone number")
        return value.strip() if value and value.strip() else None

    @field_validator("whatsapp_api_version")
    @classmethod
    def _api_version(cls, value: str) -> str:
        value = value.strip().removeprefix("v")
        try:
            float(value)
        except ValueError:
            raise ValueError("a Graph API version such as 23.0") from None
        return value

    @field_validator("whatsapp_template_languages")
    @classmethod
    def _template_languages(cls, value: str) -> str:
        codes = [code.strip() for code in value.split(",") if code.strip()]
        if not codes or any(code.split("_")[0] not in ("tr", "en") for code in codes):
            raise ValueError("comma-separated template language codes, tr and/or en (example: tr,en_US)")
        return ",".join(codes)

    @model_validator(mode="after")
    def _whatsapp_complete(self) -> Settings:
        given = {name: bool(value and str(value.get_secret_value() if isinstance(value, SecretStr) else value).strip())
                 for name, value in (("whatsapp_token", self.whatsapp_token),
                                     ("whatsapp_phone_number_id", self.whatsapp_phone_number_id),
                                     ("whatsapp_app_secret", self.whatsapp_app_secret),
                                     ("whatsapp_verify_token", self.whatsapp_verify_token))}
        if any(given.values()) and not all(given.values()):
            missing = next(name for name, ok in given.items() if not ok)
            raise PydanticCustomError("whatsapp_incomplete", "{variable}: missing; WhatsApp needs "
                                      "KOORDINAT_WHATSAPP_TOKEN, _PHONE_NUMBER_ID, _APP_SECRET and _VERIFY_TOKEN together",
                                      {"variable": ENV_PREFIX + missing.upper()})
        return self

    @property
    def has_whatsapp(self) -> bool:
        return bool(self.whatsapp_token and self.whatsapp_token.get_secret_value().strip()
                    and self.whatsapp_phone_number_id)

    def whatsapp_template_language(self, lang: str) -> str:
        """The approved template language code for one of our languages (`en` → `en_US` if so configured)."""
        for code in self.whatsapp_template_languages.split(","):
            if code.split("_")[0] == lang:
                return code
        return self.whatsapp_template_languages.split(",")[0]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_telegram_token(self) -> bool:
        return bool(self.telegram_token and self.telegram_token.get_secret_value().strip())


def check_timezone(value: str) -> str:
    """`value` if it names an IANA time zone; ValueError with the one-line reason otherwise
    (shared by `KOORDINAT_TIMEZONE` and `koordinat group create --timezone`)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {value!r} (example: Europe/Istanbul)") from error
    return value


def _variable_name(location: tuple[object, ...]) -> str:
    field = str(location[0]) if location else "?"
    if field.isupper():
        return field
    return "PORT" if field == "port" else ENV_PREFIX + field.upper()


def _variables_of(field: str) -> tuple[str, ...]:
    """The variable names (lower case) that set `field`: its aliases, else KOORDINAT_<FIELD>."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(str(choice).lower() for choice in alias.choices)
    return ((ENV_PREFIX + field).lower(),)


def _from_environment(values: dict[str, object], env_file: object) -> dict[str, object]:
    """`values` (keywords win) completed from the environment, then from `env_file`: keyed by
    the field name, or by the alias a value came from (so an error names that variable)."""
    given = {name.lower(): value for name, value in os.environ.items()}
    if env_file is not None:
        path = Path(env_file).expanduser()  # type: ignore[arg-type]
        if path.is_file() or path.is_fifo():
            from dotenv import dotenv_values  # only when there is a .env file

            for name, value in dotenv_values(path, encoding="utf-8").items():
                if value is not None:
                    given.setdefault(name.lower(), value)
    data = dict(values)
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        names = [field] + ([str(choice) for choice in alias.choices] if isinstance(alias, AliasChoices) else [])
        if any(name in values for name in names):
            continue
        for variable in _variables_of(field):
            if variable in given:
                data[variable.upper() if isinstance(alias, AliasChoices) else field] = given[variable]
                break
    return data


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one clear `ConfigError` line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        if first.get("type") == "whatsapp_incomplete":
            raise ConfigError(str(first.get("msg"))) from None
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(f"{_variable_name(tuple(first.get('loc', ())))}: {message}") from None
