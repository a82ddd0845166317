"""Every user-visible string, keyed, in every language: `t(key, lang, **params)`.

Catalogs are `messages/<lang>.toml` plus one file per feature in `messages/<lang>/*.toml`
(e.g. `messages/tr/surveys.toml`), merged into one table; nested tables give dotted keys and a
key defined in two files is an error at load. Texts are a small HTML
subset (<b>, <i>, <a href>, <code>) that the channel adapters render; parameter values are
escaped unless wrapped in `Markup`, so a meeting titled "A <b> & C" cannot break a message.
Adding a language = adding `ku.toml` with the same keys and naming it in `LANGUAGES`.
"""

from __future__ import annotations

import html
import hashlib
import json
import os
import string
import tomllib
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


LANGUAGES: tuple[str, ...] = ("tr", "en")
FALLBACK = "tr"
LANGUAGE_NAMES = {"tr": "Türkçe", "en": "English"}


class Markup(str):
    """Text that is already safe HTML (not escaped again when used as a parameter)."""


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


class CatalogError(ValueError):
    """Two catalog files of one language define the same key."""


@cache
def catalog(lang: str) -> dict[str, str]:
    """The flattened catalog of one language: `<lang>.toml` and every `<lang>/*.toml`.

    Raises `CatalogError` when a key is defined in more than one file. The merged table is
    kept in the user's cache folder (`_cache_file`) beside the sources' sizes and modification
    times, and read from there while they are unchanged (parsing the TOML costs tens of
    milliseconds per language at start-up, issue 24); a folder that cannot be written just
    means parsing every time.
    """
    root = resources.files("messages")
    sources = [root.joinpath(f"{lang}.toml")]
    folder = root.joinpath(lang)
    if folder.is_dir():
        sources += sorted((entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
                          key=lambda entry: entry.name)
    stamp = _stamp(sources)
    cached = _read_cached(lang, stamp)
    if cached is not None:
        return cached
    merged: dict[str, str] = {}
    for source in sources:
        flat = _flatten(tomllib.loads(source.read_text(encoding="utf-8")))
        clash = sorted(set(flat) & set(merged))
        if clash:
            raise CatalogError(f"messages/{lang}/{source.name}: keys defined twice: {', '.join(clash[:5])}")
        merged.update(flat)
    _write_cached(lang, stamp, merged)
    return merged


CACHE_VERSION = 1


def _stamp(sources: list[Any]) -> list[list[object]] | None:
    """(path, size, mtime in ns) of every source file; None when they are not plain files."""
    if not all(isinstance(source, Path) for source in sources):
        return None
    try:
        return [[str(source), stat.st_size, stat.st_mtime_ns] for source in sources if (stat := source.stat())]
    except OSError:
        return None


def _cache_file(lang: str) -> Path:
    """The user's cache folder (`$XDG_CACHE_HOME/koordinat`, else `~/.cache/koordinat`), one file
    per language and installed copy. Never inside the package: an installed package's folder
    may be read-only, and a file pip did not install there outlives `pip uninstall` and leaves
    a namespace package `messages` that hides a later editable install."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "koordinat"
    copy = hashlib.sha1(str(Path(__file__).resolve().parent).encode("utf-8")).hexdigest()[:12]
    return base / f"catalog-{lang}-{copy}.json"


def _read_cached(lang: str, stamp: list[list[object]] | None) -> dict[str, str] | None:
    if stamp is None:
        return None
    try:
        data = json.loads(_cache_file(lang).read_text(encoding="utf-8"))
    except (OSError, ValueError, RuntimeError):  # RuntimeError: no home folder to find
        return None
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("sources") != stamp:
        return None
    texts = data.get("texts")
    return texts if isinstance(texts, dict) else None


def _write_cached(lang: str, stamp: list[list[object]] | None, texts: dict[str, str]) -> None:
    if stamp is None:
        return
    try:
        target = _cache_file(lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps({"version": CACHE_VERSION, "sources": stamp, "texts": texts},
                                      ensure_ascii=False), encoding="utf-8")
        os.replace(partial, target)
    except (OSError, RuntimeError):
        pass


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def normalize_language(lang: str | None) -> str:
    """A supported language code for any hint (`tr-TR`, `EN`, None...)."""
    if lang:
        short = lang.split("-")[0].split("_")[0].lower()
        if short in LANGUAGES:
            return short
    return FALLBACK


def has(key: str, lang: str = FALLBACK) -> bool:
    return key in catalog(normalize_language(lang))


def t(key: str, lang: str | None, /, **params: object) -> str:
    """The text for `key` in `lang`, with named placeholders filled (values HTML-escaped)."""
    language = normalize_language(lang)
    template = catalog(language).get(key)
    if template is None:
        template = catalog(FALLBACK)[key]
    safe = _Params({name: _escape(value) for name, value in params.items()})
    return Markup(template.format_map(safe))


class _Params(dict[str, str]):
    """A missing parameter shows as empty rather than crashing a reply (the catalog test
    catches mismatched placeholders before release)."""

    def __missing__(self, key: str) -> str:
        return ""


def _escape(value: object) -> str:
    if isinstance(value, Markup):
        return value
    return html.escape(str(value), quote=False)


def _babel_datetime(moment: datetime, pattern: str, *, locale: str, tzinfo: ZoneInfo) -> str:
    """babel's `format_datetime`, imported on first use (babel's locale data costs start-up
    time the CLI and the first reply do not need; issue 24)."""
    from babel.dates import format_datetime

    return format_datetime(moment, pattern, locale=locale, tzinfo=tzinfo)


def format_datetime(moment: datetime, lang: str | None, zone: ZoneInfo | str) -> str:
    """`03.12.2026 14:00` in Turkish, `3 Dec 2026, 14:00` in English, in the given zone."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = moment.astimezone(zone)
    language = normalize_language(lang)
    return _babel_datetime(local, t("format.datetime", language), locale=language, tzinfo=zone)


def format_date(moment: datetime, lang: str | None, zone: ZoneInfo | str) -> str:
    """The date alone: `03.12.2026` in Turkish, `3 Dec 2026` in English, in the given zone."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    language = normalize_language(lang)
    return _babel_datetime(moment.astimezone(zone), t("format.date", language), locale=language, tzinfo=zone)


def format_day(moment: datetime, lang: str | None, zone: ZoneInfo | str) -> str:
    """The date with the weekday: `Perşembe, 03.12.2026 14:00`."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    language = normalize_language(lang)
    return _babel_datetime(moment.astimezone(zone), t("format.weekday_datetime", language), locale=language, tzinfo=zone)


def format_number(value: float, lang: str | None) -> str:
    """`12,5` in Turkish, `12.5` in English."""
    from babel.numbers import format_decimal  # babel on first use: start-up stays light (issue 24)

    return format_decimal(value, locale=normalize_language(lang))


@cache
def whatsapp_templates() -> dict[str, dict[str, object]]:
    """The approved WhatsApp templates (`messages/whatsapp_templates.toml`): purpose →
    {name, category, parameters (their order), tr, en (body texts with {{1}}...)}."""
    text = resources.files("messages").joinpath("whatsapp_templates.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
