"""The message catalogs: complete in every language, and formatted the local way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from messages import LANGUAGES, Markup, catalog, format_datetime, format_day, format_number, placeholders, t


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "tr"])
def test_every_language_has_every_key_with_the_same_placeholders(lang: str) -> None:
    reference, other = catalog("tr"), catalog(lang)
    assert sorted(set(reference) - set(other)) == [], "keys missing in " + lang
    assert sorted(set(other) - set(reference)) == [], "keys missing in tr"
    mismatched = {key: (placeholders(reference[key]), placeholders(other[key]))
                  for key in reference if placeholders(reference[key]) != placeholders(other[key])}
    assert mismatched == {}


def test_turkish_dates_read_the_turkish_way() -> None:
    moment = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert format_datetime(moment, "tr", "Europe/Istanbul") == "03.12.2026 14:00"
    assert format_day(moment, "tr", "Europe/Istanbul") == "Perşembe, 03.12.2026 14:00"
    assert format_day(moment, "en", "Europe/Istanbul") == "Thursday, 3 December 2026, 14:00"


def test_numbers_use_the_local_decimal_mark() -> None:
    assert format_number(12.5, "tr") == "12,5"
    assert format_number(12.5, "en") == "12.5"


def test_parameters_cannot_inject_markup_but_markup_can_be_passed_on_purpose() -> None:
    assert "&lt;b&gt;" in t("join.already_member", "en", group="<b>")
    assert "<i>x</i>" in t("join.already_member", "en", group=Markup("<i>x</i>"))


def test_unknown_language_hints_fall_back_to_turkish() -> None:
    assert t("language.pick", "de-DE") == t("language.pick", "tr")
    assert t("language.pick", "en-GB") == t("language.pick", "en")


def test_no_turkish_text_puts_a_case_suffix_on_a_placeholder() -> None:
    """Turkish suffixes follow the spoken form of the word before them (2'ye, 3'e, 6'ya,
    14:00'te, 10:00'da), which a catalog text cannot know for `{count}` or `{clock}`: the texts
    are phrased so no suffix hangs on a placeholder ("1–{count} arası", "saat {clock} olunca")."""
    import re
    suffixed = re.compile(r"\}\s?['’‘`´]\s?[a-zçğıöşüâîû]", re.IGNORECASE)
    found = {key: text for key, text in catalog("tr").items() if suffixed.search(str(text))}
    assert found == {}


def test_a_number_out_of_the_choices_reads_well_in_turkish_for_every_count() -> None:
    for count in (2, 3, 6, 10):
        text = t("survey.number_not_listed", "tr", typed=count + 1, count=count)
        assert f"1–{count} arası" in text and "'" not in text


def test_the_catalog_cache_is_kept_in_the_users_cache_folder_not_in_the_package(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A file written inside an installed package outlives `pip uninstall` and leaves a namespace
    package `messages` that hides a later editable install (a fresh clone's CI run failed so)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import messages

    package = Path(messages.__file__).resolve().parent
    before = {path for path in package.rglob("*") if path.suffix != ".pyc"}
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PYTHONPATH": str(package.parent)}
    done = subprocess.run([sys.executable, "-c", "import messages; print(len(messages.catalog('en')))"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and int(done.stdout) > 1000, done.stderr
    assert [path.name for path in (tmp_path / "cache" / "koordinat").iterdir()][0].startswith("catalog-en-")
    assert {path for path in package.rglob("*") if path.suffix != ".pyc"} == before
