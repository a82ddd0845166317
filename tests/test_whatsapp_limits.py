"""Every label that can reach WhatsApp fits its limits, in every language, and the renderer
picks reply buttons, list messages or typed numbers as the Cloud API allows."""

from __future__ import annotations

import pytest

from bot.models import Button, Reply
from handlers.whatsapp.render import (
    LABEL_KEYS,
    MAX_BUTTON_TITLE,
    MAX_INTERACTIVE_BODY,
    MAX_ROW_TITLE,
    fit,
    render,
    whatsapp_text,
)
from messages import LANGUAGE_NAMES, LANGUAGES, catalog, t


def _labels(lang: str) -> dict[str, str]:
    table = catalog(lang)
    found = {key: value for key, value in table.items() if LABEL_KEYS.match(key)}
    found.update({f"language:{code}": name for code, name in LANGUAGE_NAMES.items()})
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_label_fits_a_reply_button_without_cutting(lang: str) -> None:
    labels = _labels(lang)
    assert len(labels) >= 20  # the pattern still finds the labels (RSVP, consent, meeting tools...)
    too_long = {key: fit(label, MAX_BUTTON_TITLE, lang) for key, label in labels.items()
                if len(fit(label, MAX_BUTTON_TITLE, lang)) > MAX_BUTTON_TITLE
                or fit(label, MAX_BUTTON_TITLE, lang).endswith("…")}
    assert too_long == {}, f"add a shorter form under [whatsapp.short] in messages/{lang}/whatsapp.toml"
    for key in ("rsvp.yes", "rsvp.no", "rsvp.maybe"):  # the chosen answer is shown as "• label •"
        marked = fit(f"• {t(key, lang)} •", MAX_BUTTON_TITLE, lang)
        assert len(marked) <= MAX_BUTTON_TITLE and not marked.endswith("…"), marked
    assert len(t("whatsapp.list_button", lang)) <= MAX_BUTTON_TITLE
    assert len(t("whatsapp.list_section", lang)) <= MAX_ROW_TITLE


@pytest.mark.parametrize("lang", LANGUAGES)
def test_short_forms_belong_to_real_labels(lang: str) -> None:
    table = catalog(lang)
    shorts = [key.removeprefix("whatsapp.short.") for key in table if key.startswith("whatsapp.short.")]
    assert shorts and all(key in table for key in shorts)
    assert all(len(table[f"whatsapp.short.{key}"]) <= MAX_BUTTON_TITLE for key in shorts)


def _choices(count: int, label: str = "Seçenek") -> list[list[Button]]:
    return [[Button(label=f"{label} {i}", choice=f"q:{i}")] for i in range(1, count + 1)]


def test_yes_no_goes_as_reply_buttons_and_a_scale_as_a_list() -> None:
    yes_no = render(Reply(text="Onaylıyor musunuz?", buttons=[[Button(label="Evet", choice="q:y"),
                                                               Button(label="Hayır", choice="q:n")]]), "tr")
    assert [m.kind for m in yes_no.messages] == ["buttons"]
    scale = render(Reply(text="1–5", buttons=[[Button(label=str(i), choice=f"q:{i}") for i in range(1, 6)]]), "tr")
    assert [m.kind for m in scale.messages] == ["list"] and len(scale.messages[0].rows) == 5


def test_a_0_to_10_scale_or_many_choices_are_typed() -> None:
    nps = render(Reply(text="0–10", buttons=[[Button(label=str(i), choice=f"q:{i}") for i in range(11)]]), "en")
    assert [m.kind for m in nps.messages] == ["text"]
    assert "0 · 1 · 2" in nps.messages[0].body and "Type the number" in nps.messages[0].body
    assert [r.label for r in nps.remembered][:2] == ["0", "1"]  # typed "0" means 0, not choice 1
    many = render(Reply(text="Hangi ilçe?", buttons=_choices(12)), "tr")
    assert [m.kind for m in many.messages] == ["text"] and "*12.* Seçenek 12" in many.messages[0].body


def test_long_row_titles_are_cut_with_the_whole_label_as_description() -> None:
    rendered = render(Reply(text="?", buttons=_choices(4, "Kadınların karar alma süreçlerine katılımı")), "tr")
    rows = rendered.messages[0].rows
    assert all(len(title) <= MAX_ROW_TITLE for _, title, _ in rows)
    assert rows[0][2] is not None and rows[0][2].startswith("Kadınların karar alma")
    assert len({title for _, title, _ in rows}) == 4  # still unique


def test_a_long_text_with_buttons_is_split_from_them() -> None:
    rendered = render(Reply(text="x" * 1500, buttons=[[Button(label="Evet", choice="q:y")]]), "tr")
    assert [m.kind for m in rendered.messages] == ["text", "buttons"]
    assert len(rendered.messages[1].body) <= MAX_INTERACTIVE_BODY


def test_html_becomes_whatsapp_formatting() -> None:
    assert whatsapp_text('<b>Toplantı</b> &amp; <i>gündem</i> <code>AbC</code>') == "*Toplantı* & _gündem_ `AbC`"
    assert whatsapp_text('<a href="https://x.org/a?b=1&amp;c=2">Harita</a>') == "Harita (https://x.org/a?b=1&c=2)"
