"""Configuration problems stop start-up with one clear line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("KOORDINAT_") or name == "PORT":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.timezone == "Europe/Istanbul"
    assert settings.default_language == "tr"
    assert str(settings.database) == "koordinat.db"
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert not settings.has_telegram_token


@pytest.mark.parametrize(("name", "value"), [
    ("KOORDINAT_TIMEZONE", "Europe/Kars"),
    ("KOORDINAT_DEFAULT_LANGUAGE", "de"),
    ("PORT", "eighty"),
    ("KOORDINAT_TELEGRAM_API_URL", "api.telegram.org"),
])
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(name + ":")
    assert "\n" not in str(raised.value)


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KOORDINAT_TELEGRAM_TOKEN=123:abc\nKOORDINAT_TIMEZONE=Europe/London\n")
    settings = load_settings()
    assert settings.has_telegram_token
    assert settings.timezone == "Europe/London"
    assert "123:abc" not in repr(settings)


def test_cli_reports_a_bad_setting_in_one_line_without_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_TIMEZONE"] = "Mars/Olympus"
    result = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "KOORDINAT_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr
