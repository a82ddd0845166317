"""The local demo, run as a newcomer would: the scripted tour and the terminal chat."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.harness import DEMO_TODAY

# The demo's first day is injected (`--today`, KOORDINAT_DEMO_TODAY): no test knows the real date.
TR_WEEKDAYS = ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar")


def _demo(tmp_path: Path, *args: str, stdin: str | None = None, today: date = DEMO_TODAY,
          zone: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DEMO_TODAY"] = today.isoformat()
    if zone:
        env["KOORDINAT_TIMEZONE"] = zone
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, input=stdin,
                          capture_output=True, text=True, timeout=180)


def _day(day: date) -> str:
    return f"{TR_WEEKDAYS[day.weekday()]}, {day:%d.%m.%Y}"


@pytest.mark.parametrize(("language", "finale", "today", "zone"), [
    ("tr", "Tur tamamlandı", DEMO_TODAY, None),
    ("en", "Tour complete", DEMO_TODAY, None),
    # The same tour on the days a calendar goes wrong: the year's last day, a leap day, and the
    # days before a daylight-saving change (in a zone that has one; Türkiye has none).
    ("en", "Tour complete", date(2026, 12, 31), None),
    ("tr", "Tur tamamlandı", date(2028, 2, 29), None),
    ("tr", "Tur tamamlandı", date(2027, 3, 26), "Europe/Berlin"),
], ids=["tr", "en", "new-year-en", "leap-day-tr", "dst-tr"])
def test_the_scripted_tour_passes_in_both_languages(tmp_path: Path, language: str, finale: str,
                                                    today: date, zone: str | None) -> None:
    result = _demo(tmp_path, "demo", "--script", "--language", language, today=today, zone=zone)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert finale in result.stdout
    assert "Traceback" not in result.stderr
    reminder = "Hatırlatma" if language == "tr" else "Reminder"
    assert reminder in result.stdout
    assert not (tmp_path / "koordinat.db").exists()  # the demo never touches a real database


def test_run_without_a_token_explains_and_plays_the_demo(tmp_path: Path) -> None:
    result = _demo(tmp_path, "run", stdin="")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "KOORDINAT_TELEGRAM_TOKEN" in result.stderr
    assert "Tur tamamlandı" in result.stdout


def test_the_terminal_chat(tmp_path: Path) -> None:
    lines = "\n".join([
        "/yardim",                 # a newcomer: the bot explains how to join
        "/as coordinator",         # become Zeynep
        "/toplantilar",
        "12",                      # no such button
        "5",                       # the attendees button of the Kars meeting
        "/davet",                  # the QR code is saved as a file
        "/wait soon",              # a wrong duration: explained, with an example
        "/wait 1d",
        "/as Nobody",
        "/toplanti",               # a quick meeting: the quorum is typed as a number, not a button
        "Deneme",
        "5 Ocak 2027 10:00",
        "Kent Konseyi",
        "atla",
        "2",                       # the quorum question has a Skip button: 2 is still an answer
        "tekrar yok",
        "/wait 2 saat",
        "/wait 30 dk",
        "/wait 1s",
        "/quit",
    ]) + "\n"
    result = _demo(tmp_path, "demo", stdin=lines)
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "Koordinat yerel demo" in out and "/start " in out and "/wait 1h" in out
    assert "Şimdi Zeynep olarak yazıyorsunuz" in out
    assert "Aylık çalışma toplantısı" in out and "[5] 👥 Katılımcılar" in out
    assert "Katılımcılar" in out and "Gülizar" in out
    saved = list((tmp_path / "demo-files").glob("*.png"))
    assert saved and saved[0].read_bytes().startswith(b"\x89PNG")
    assert "Ne kadar bekleneceğini anlayamadım" in out and "/wait 30m" in out
    assert "Demo saati" in out
    assert "12 numaralı bir düğme yok" in out
    assert "«Nobody» diye biri yok" in out
    assert "👥 Yeter sayı: 2" in out  # the typed 2 was the quorum
    assert out.count("Demo saati") >= 4  # 1d, 2 saat, 30 dk, 1s all understood
    assert " INFO " not in out and " WARNING " not in out and "koordinat." not in out  # no log lines


def test_wait_steps_through_each_reminder_at_its_own_time(tmp_path: Path) -> None:
    """`/wait 8d` jumps past the Kars meeting (7 days after the demo's first day, 14:00): the clock stops at each reminder
    on the way, so the day-before reminder, the coordinators' summary and the hour-before
    reminder all go out, in order, each telling the time left at its own moment; none is
    dropped as "past its grace"."""
    result = _demo(tmp_path, "demo", stdin="/as coordinator\n/wait 8d\n/quit\n")
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    day_before = out.find("Hatırlatma: Aylık çalışma toplantısı yarın 14:00'te")
    summary = out.find(f"Aylık çalışma toplantısı ({_day(DEMO_TODAY + timedelta(days=7))} 14:00) için yanıtlar")
    hour_before = out.find("Hatırlatma: Aylık çalışma toplantısı 1 saat sonra")
    assert -1 < day_before < hour_before and -1 < summary < hour_before, out[-3000:]
    assert f"Demo saati: {_day(DEMO_TODAY + timedelta(days=8))} 09:00" in out
    log = tmp_path / "demo-files" / "demo.log"
    assert not log.exists() or "past its grace" not in log.read_text(encoding="utf-8")
