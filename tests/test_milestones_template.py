"""The shipped plan-cycle template: validated at load (errors name file, line and field),
placed in a year with the council's rule ("first Tuesday"), loaded with `/takvim sablon`
and `koordinat milestones load-template`, exported as .ics and .xlsx."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import openpyxl
import pytest

from bot.clock import ManualClock
from bot.emulator.telegram.server import FakeBotApi
from bot.models import Actor
from bot.services.milestones.template import TemplateError, for_year, parse, plan_cycle
from bot.services.milestones.workdays import is_working_day, read_council_rule
from tests.harness import Harness
from tests.meetings_support import group_with

# Monday 5 January 2026, 09:00 in Istanbul: the whole year 2026 is ahead. 1 September 2026
# is a Tuesday, so with a "first Tuesday" council the September session falls on the 1st.
START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
FIRST_TUESDAY = {"nth": 1, "weekday": 1}


@pytest.fixture
async def harness(telegram: FakeBotApi, tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(telegram, tmp_path / "koordinat.db", ManualClock(start=START), private_chat_rate_per_second=50)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


def test_every_entry_names_its_legal_basis_or_says_it_is_practice() -> None:
    entries = {entry.code: entry for entry in plan_cycle().milestone}
    assert entries["draft-budget"].basis == "Law 5393 art. 62"
    assert entries["activity-report"].basis == "Law 5393 art. 56"
    assert entries["final-accounts"].basis == "Law 5393 art. 64"
    assert entries["performance-programme"].basis == "Law 5393 art. 41"
    assert entries["six-monthly-monitoring"].basis == "practice"
    assert all(entry.title.tr and entry.title.en for entry in entries.values())


def test_a_broken_template_names_the_file_the_line_and_the_field() -> None:
    text = (Path(__file__).parents[1] / "bot/content/plan_cycle.toml").read_text(encoding="utf-8")
    broken = text.replace('basis = "Law 5393 art. 64"', 'basis = "the law"')
    line = text.splitlines().index("[[milestone]]", text.splitlines().index('code = "final-accounts"') - 2) + 1
    with pytest.raises(TemplateError, match=rf"plan_cycle.toml:{line}: basis: .*practice"):
        parse(broken)
    with pytest.raises(TemplateError, match=r"plan_cycle.toml:\d+: month: "):
        parse(text.replace("month = 7\n", "month = 13\n"))
    with pytest.raises(TemplateError, match="unknown entry"):
        parse(text.replace('of = "draft-budget"', 'of = "nothing"'))


def test_the_year_follows_the_councils_first_tuesday() -> None:
    assert read_council_rule("İLK SALI") == FIRST_TUESDAY == read_council_rule("first tuesday")
    assert read_council_rule("bazen") is None
    dates = {planned.entry.code: planned.due for planned in for_year(2026, FIRST_TUESDAY)}
    assert dates["activity-report"] == date(2026, 4, 7)
    assert dates["final-accounts"] == date(2026, 5, 5)
    assert dates["draft-budget"] == date(2026, 9, 1)
    assert dates["gender-budget-proposals"] == date(2026, 8, 18)  # two weeks earlier
    assert dates["performance-programme"] == date(2026, 10, 6)
    assert dates["budget"] == date(2026, 11, 3)
    assert "new-strategic-plan" not in dates
    election_year = {planned.entry.code: planned.due for planned in for_year(2029, FIRST_TUESDAY)}
    assert election_year["new-strategic-plan"] == date(2029, 9, 25)  # 25 March 2029 + 6 months
    assert not is_working_day(date(2026, 10, 29))  # Republic Day, from the holidays package


async def test_a_coordinator_loads_the_year_for_a_first_tuesday_council(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    council = await harness.send(zeynep, "/takvim meclis ilk salı")
    assert "ayın ilk salı günü" in council.text
    loaded = await harness.send(zeynep, "/takvim sablon 2026")
    assert "11 tarih eklendi" in loaded.text
    listing = await harness.next(zeynep)
    assert "Nisan meclis oturumu: faaliyet raporu</b> — Salı, 07.04.2026" in listing.raw_text
    assert "Taslak bütçe encümene (1 Eylül'e kadar)</b> — Salı, 01.09.2026" in listing.raw_text
    assert "Toplumsal cinsiyete duyarlı bütçe önerilerimiz</b> — Salı, 18.08.2026" in listing.raw_text
    assert "Stratejik plan yıllık değerlendirmesi" in listing.text and "⚠️" in listing.text  # 31.01 is a Saturday
    again = await harness.send(zeynep, "/takvim sablon 2026")
    assert "0 tarih eklendi" in again.text and "11 tarih zaten vardı" in again.text
    await harness.next(zeynep)
    wrong = await harness.send(zeynep, "/takvim sablon 2062")
    assert "geçerli bir yıl değil" in wrong.text and "/takvim sablon 2027" in wrong.text
    member = await harness.send(ayse, "/takvim sablon 2026")
    assert "yalnızca" in member.text

    card = await harness.press(zeynep, listing, "4")
    assert "Dayanak: 5393 sayılı Kanun md. 56" in card.text and "Law" not in card.text
    # The council changes its day: the loaded sessions (April, May, October, November) follow.
    changed = await harness.send(zeynep, "/takvim meclis ilk çarşamba")
    assert "4 oturum tarihi" in changed.text
    listing = await harness.send(zeynep, "/takvim")
    assert "Nisan meclis oturumu: faaliyet raporu</b> — Çarşamba, 01.04.2026" in listing.raw_text
    assert "Taslak bütçe encümene (1 Eylül'e kadar)</b> — Salı, 01.09.2026" in listing.raw_text
    # The 1 September deadline is reminded 14 days before: Tuesday 18 August, 09:00.
    await harness.advance(datetime(2026, 8, 18, 6, 1, tzinfo=UTC) - harness.clock.now())
    reminder = await harness.next_containing(ayse, "Taslak bütçe", timeout=10)
    assert "14 gün kaldı" in reminder.text and "Salı, 01.09.2026" in reminder.text


def _koordinat(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(tmp_path / "k.db")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])  # this checkout's code, not an installed one
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=90)


def test_the_operator_loads_a_year_and_exports_it_as_ics_and_xlsx(tmp_path: Path) -> None:
    year = datetime.now(UTC).year + 1
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    loaded = _koordinat(tmp_path, "milestones", "load-template", "Kadın Dostu Kent", str(year))
    assert loaded.returncode == 0, loaded.stderr
    assert "added" in loaded.stdout
    count = int(loaded.stdout.split(": ")[1].split(" ")[0])
    assert count >= 11
    missing = _koordinat(tmp_path, "milestones", "load-template", "Nowhere", str(year))
    assert missing.returncode == 1 and "no group 'Nowhere'" in missing.stderr and "Traceback" not in missing.stderr
    this_year = datetime.now(UTC).year  # the real clock: the window moves with it
    for far in ("1900", "2999", str(this_year - 1), str(this_year + 6)):
        refused = _koordinat(tmp_path, "milestones", "load-template", "Kadın Dostu Kent", far)
        lines = refused.stderr.strip().splitlines()
        assert refused.returncode == 2 and len(lines) == 1, refused.stderr
        assert f"year {far}" in lines[0] and f"{this_year}-{this_year + 5}" in lines[0], lines
    assert _koordinat(tmp_path, "export", "milestones", "1", "--year", "0").returncode == 2

    ics = _koordinat(tmp_path, "export", "milestones", "1", "--format", "ics", "--year", str(year))
    assert ics.returncode == 0, ics.stderr
    calendar = icalendar.Calendar.from_ical((tmp_path / f"milestones-1-{year}.ics").read_bytes())
    uids = [str(event.get("uid")) for event in calendar.walk("VEVENT")]
    assert len(uids) == count and len(set(uids)) == count and uids[0].endswith("@koordinat")
    again = _koordinat(tmp_path, "export", "milestones", "1", "--year", str(year), "--output", "again.ics")
    assert again.returncode == 0
    assert [str(e.get("uid")) for e in icalendar.Calendar.from_ical(
        (tmp_path / "again.ics").read_bytes()).walk("VEVENT")] == uids  # stable

    xlsx = _koordinat(tmp_path, "export", "milestones", "1", "--format", "xlsx", "--year", str(year))
    assert xlsx.returncode == 0, xlsx.stderr
    sheet = openpyxl.load_workbook(tmp_path / f"milestones-1-{year}.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Tarih", "Başlık", "Durum") and len(rows) == count + 1
    assert any(row[4] == "5393 sayılı Kanun md. 62" for row in rows[1:])  # the group's language
    assert not any("Law" in str(cell) for row in rows[1:] for cell in row)


@pytest.mark.parametrize("language", ["tr", "en"])
async def test_the_demo_seeds_each_citys_plan_cycle_and_the_tour_shows_it(tmp_path: Path, language: str) -> None:
    from bot.__main__ import Koordinat
    from bot.config import Settings
    from bot.demo import play
    from bot.demo.tour import PLANNING

    output: list[str] = []
    settings = Settings(_env_file=None, database=tmp_path / "unused.db")  # type: ignore[call-arg]
    code = await play(settings, Koordinat, script=True, language=language, write=output.append,
                      files=tmp_path, color=False, steps=PLANNING)
    shown = "\n".join(output)
    assert code == 0, shown[-3000:]
    assert ("Plan takvimi" if language == "tr" else "Plan calendar") in shown and ".ics" in shown


async def test_the_template_command_asks_for_a_missing_year_and_refuses_far_ones(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    this_year = harness.clock.now().year
    ask = await harness.send(zeynep, "/takvim sablon")
    assert "«" not in ask.text and "—" not in ask.text.split("?")[0]  # no «—» for the missing year
    assert "Hangi yılın plan takvimi" in ask.text and f"{this_year}–{this_year + 5}" in ask.text
    assert f"/takvim sablon {this_year + 1}" in ask.text
    assert ask.button_texts == [str(this_year), str(this_year + 1)]
    loaded = await harness.press(zeynep, ask, str(this_year + 1))
    assert f"{this_year + 1} plan takvimi Kadın Dostu Kent için yüklendi" in loaded.text
    await harness.next(zeynep)
    for typed in ("1900", "2999", str(this_year - 1), str(this_year + 6), "gelecek"):
        wrong = await harness.send(zeynep, f"/takvim sablon {typed}")
        assert f"«{typed}» geçerli bir yıl değil" in wrong.text, wrong.text
        assert f"{this_year}–{this_year + 5}" in wrong.text and f"/takvim sablon {this_year + 1}" in wrong.text
    far = await harness.send(zeynep, f"/takvim sablon {this_year + 5}")  # the last year of a five-year plan
    assert "yüklendi" in far.text
    await harness.next(zeynep)
    forged = await harness.services.conversation.on_choice(
        Actor(channel="telegram", external_id=str(zeynep.chat_id)), "ms:1:tpl:2999")
    assert "artık geçerli değil" in forged[0].text
    council = await harness.send(zeynep, "/takvim meclis")
    assert "«" not in council.text and "/takvim meclis ilk salı" in council.text
    member = await harness.send(ayse, "/takvim sablon")
    assert "yalnızca" in member.text


async def test_an_english_speaking_coordinator_loads_next_year_and_dismisses_an_overdue_one(harness: Harness) -> None:
    created = await harness.create_group("Equality Plan Monitoring", "İzmir", language="en")
    sarah = harness.person("Sarah", "en")
    await harness.join(sarah, created.coordinator_invite.code, language="en")
    await harness.next(sarah)
    council = await harness.send(sarah, "/milestones council second wednesday")
    assert "second Wednesday of the month" in council.text
    loaded = await harness.send(sarah, "/milestones template 2027")
    assert "The 2027 plan cycle is loaded for Equality Plan Monitoring: 11 dates added" in loaded.text
    listing = await harness.next(sarah)
    assert "April council session: activity report</b> — Wednesday, 14 April 2027" in listing.raw_text
    # The yearly evaluation (31 January 2027, a Sunday) is for coordinators only; let it pass.
    await harness.advance(datetime(2027, 2, 1, 6, 1, tzinfo=UTC) - harness.clock.now())
    overdue = await harness.next_containing(sarah, "Overdue", timeout=10)
    assert "1 day overdue" in overdue.text and "Sunday, 31 January 2027" in overdue.text
    dismissed = await harness.press(sarah, overdue, "🙈 Dismiss")
    assert "dismissed" in dismissed.text
    await harness.advance(datetime(2027, 2, 3, 6, 1, tzinfo=UTC) - harness.clock.now())
    await harness.settle()
    overdue_texts = [m.text for m in harness.server.messages(sarah.chat_id) if "Overdue" in (m.text or "")]
    assert len(overdue_texts) == 1


def test_an_export_of_a_year_without_milestones_names_the_year_that_has_them(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env.update(KOORDINAT_DATABASE=str(tmp_path / "k.db"), KOORDINAT_NOW="2026-12-08T10:00+03:00",
               PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    run = lambda *args: subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,  # noqa: E731
                                       capture_output=True, text=True, timeout=90)
    assert run("group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    assert run("milestones", "load-template", "1", "2027").returncode == 0
    default_year = run("export", "milestones", "1", "--format", "ics")
    assert default_year.returncode == 0, default_year.stderr
    assert default_year.stdout.splitlines() == ["0 milestone(s) of 2026 written to milestones-1-2026.ics",
                                                "the group's milestones are in 2027: add --year 2027"]
    chosen = run("export", "milestones", "1", "--format", "ics", "--year", "2027")
    assert chosen.stdout.startswith("11 milestone(s) of 2027") and "add --year" not in chosen.stdout
