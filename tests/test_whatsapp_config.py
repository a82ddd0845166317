"""WhatsApp settings: all four credentials or none, each problem one line naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

FULL = {"KOORDINAT_WHATSAPP_TOKEN": "EAAJB-token", "KOORDINAT_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "KOORDINAT_WHATSAPP_APP_SECRET": "41678a4f", "KOORDINAT_WHATSAPP_VERIFY_TOKEN": "xyzxyz"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("KOORDINAT_") or name == "PORT":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_complete_whatsapp_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FULL.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.has_whatsapp and not settings.has_telegram_token
    assert settings.whatsapp_api_url == "https://graph.facebook.com"
    assert settings.whatsapp_template_language("en") == "en"


@pytest.mark.parametrize("missing", sorted(FULL))
def test_a_missing_credential_is_named(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    for name, value in FULL.items():
        if name != missing:
            monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(missing + ":") and "\n" not in str(raised.value)


@pytest.mark.parametrize(("name", "value"), [
    ("KOORDINAT_WHATSAPP_PHONE_NUMBER_ID", "+90 532 123 45 67"),
    ("KOORDINAT_WHATSAPP_API_URL", "graph.facebook.com"),
    ("KOORDINAT_WHATSAPP_API_VERSION", "latest"),
    ("KOORDINAT_WHATSAPP_TEMPLATE_LANGUAGES", "de"),
    ("KOORDINAT_WHATSAPP_SEND_RATE_PER_SECOND", "0"),
])
def test_a_malformed_value_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    for key, good in FULL.items():
        monkeypatch.setenv(key, good)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(name + ":") and "\n" not in str(raised.value)


def test_template_languages_map_to_approved_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FULL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KOORDINAT_WHATSAPP_TEMPLATE_LANGUAGES", "tr, en_US")
    settings = load_settings()
    assert settings.whatsapp_template_language("en") == "en_US"
    assert settings.whatsapp_template_language("tr") == "tr"


def test_whatsapp_sending_limits_follow_the_cloud_api() -> None:
    from bot.ratelimit import whatsapp_limits

    limits = whatsapp_limits(load_settings())
    assert limits.per_second == 80.0  # messages per second per business number
    assert abs(limits.private_per_second - 1 / 6) < 1e-9 and limits.private_burst == 10  # pair rate
