"""The demo's WhatsApp member: `/as Ayşe` shows her phone the WhatsApp way."""

from __future__ import annotations

import re
from pathlib import Path

from bot.__main__ import Koordinat
from bot.config import Settings
from bot.demo import play
from messages import t
from tests.harness import DEMO_TODAY


async def test_playing_a_whatsapp_member_shows_lists_and_buttons(tmp_path: Path) -> None:
    lines = iter(["/as Ayşe", "menü", "4", "4", "/as coordinator", "/as Ayşe", "/quit"])
    out: list[str] = []

    async def read_line(prompt: str) -> str | None:
        return next(lines, None)

    settings = Settings(_env_file=None, demo_today=DEMO_TODAY, database=tmp_path / "unused.db")  # type: ignore[call-arg]
    code = await play(settings, Koordinat, script=False, language="tr", read_line=read_line,
                      write=out.append, files=tmp_path / "files", color=False)
    text = "\n".join(out)
    assert code == 0
    assert "Şimdi Ayşe olarak yazıyorsunuz" in text
    assert "☰ Seçenekler" in text and "[4] toplantilar — Toplantılar ve yanıtlarınız" in text
    # Row 4 picked by number: her meetings, in WhatsApp formatting, RSVP as reply buttons.
    assert "🟢" in text and "[1] ✅ Katılıyorum" in text
    # Her three buttons are 1–3; the calendar file, numbered 4 in the text, is typed as on her phone.
    assert "*4.* 📅 Takvime ekle" in text, text[-2000:]
    # WhatsApp takes no .ics file: a link to the demo's own web server and a Google Calendar link.
    assert re.search(r"http://127\.0\.0\.1:\d+/takvim/[\w-]{20,}\.ics", text) and "calendar.google.com" in text, text[-2000:]


async def test_the_tour_s_whatsapp_steps_pass(tmp_path: Path) -> None:
    from bot.demo.tour import WHATSAPP

    for language in ("tr", "en"):
        out: list[str] = []
        settings = Settings(_env_file=None, demo_today=DEMO_TODAY, database=tmp_path / "unused.db")  # type: ignore[call-arg]
        code = await play(settings, Koordinat, script=True, language=language, write=out.append,
                          files=tmp_path / "files", color=False, steps=WHATSAPP)
        assert code == 0, "\n".join(out)[-3000:]
        # The hint under her buttons is printed once, in her language, and only under new messages.
        lines = [line.strip() for line in "\n".join(out).split("\n")]
        hints = {t("demo.pick_hint", lang) for lang in ("tr", "en")}
        assert hints & set(lines)
        assert not [i for i in range(1, len(lines)) if lines[i] in hints and lines[i - 1] in hints]
        assert not [i for i in range(1, len(lines)) if lines[i] in hints and "👆" in lines[i - 1]]
