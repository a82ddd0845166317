"""Typing numbers in the demo's terminal chat: a number presses a button only of the newest
message, and only when that message has buttons and is not older than the question of a dialog
asking for a number (the last message she saw wins); the hint about typing numbers shows only
under such a message; names are escaped once."""

from __future__ import annotations

import pytest

from pathlib import Path

from bot.__main__ import Koordinat
from bot.config import Settings
from bot.demo import play
from tests.harness import DEMO_TODAY


async def _chat(tmp_path: Path, lines: list[str], language: str = "en") -> str:
    typed = iter([*lines, "/quit"])
    out: list[str] = []

    async def read_line(prompt: str) -> str | None:
        return next(typed, None)  # the chat echoes `Name › line` itself

    settings = Settings(_env_file=None, demo_today=DEMO_TODAY, database=tmp_path / "unused.db")  # type: ignore[call-arg]
    code = await play(settings, Koordinat, script=False, language=language, read_line=read_line,
                      write=out.append, files=tmp_path / "files", color=False)
    assert code == 0
    return "\n".join(out)


def _after(text: str, typed: str) -> str:
    """What the screen shows from the line where `typed` was entered to the next prompt."""
    start = text.index(typed)
    rest = text[start + len(typed):]
    end = rest.find(" › ")
    return rest if end < 0 else rest[:rest.rfind("\n", 0, end)]


async def test_a_whatsapp_member_types_a_number_at_an_integer_question(tmp_path: Path) -> None:
    text = await _chat(tmp_path, ["/as Ayşe", "anketler", "1", "1250"], language="tr")
    assert "✓ Kaydedildi: 1.250" in text, text[-2500:]
    assert "numaralı bir düğme yok" not in text


@pytest.mark.sqlite_only  # the demo always runs on its own SQLite file
async def test_a_year_typed_in_the_round_dialog_is_the_year(tmp_path: Path) -> None:
    text = await _chat(tmp_path, ["/as coordinator", "/onerituru", "1", "2027"])
    assert "For which year?" in text
    assert "Suggested schedule" in _after(text, "› 2027"), text[-2500:]
    assert "There is no button" not in text


async def test_a_number_after_a_message_without_buttons_is_text_not_an_older_card_s_button(tmp_path: Path) -> None:
    text = await _chat(tmp_path, ["/as Elif", "/toplantilar", "/oneri", "1", "/toplantilar"])
    answer = _after(text, "› 1")
    assert "The title must be 4–120 characters" in answer, answer  # the proposal dialog got it
    assert "Your answer" not in answer and "I'll attend" not in answer  # no RSVP pressed
    overview = _after(text, "/oneri\n")  # the title prompt has no buttons: no hint under it
    assert "A short title for your proposal?" in overview and "type a button's number" not in overview
    # The card shows her still without an answer.
    assert text.count("Your answer:") == 0


async def test_switching_person_shows_names_escaped_once_and_no_stray_hint(tmp_path: Path) -> None:
    text = await _chat(tmp_path, ["/as Emma", "/as coordinator", "/toplantilar", "/as Emma"])
    assert "member, Care & Safety (İstanbul)" in text and "&amp;" not in text
    switched = _after(text, "› /as Emma")
    assert "type a button's number" not in switched, switched


async def test_an_earlier_message_s_button_is_pressed_by_its_address_or_its_words(tmp_path: Path) -> None:
    # Elif's meetings: the card with RSVP buttons, then the commands' help (no buttons).
    text = await _chat(tmp_path, ["/as Elif", "/toplantilar", "/help", "2.1", "9.9", "Maybe"])
    pressed = _after(text, "› 2.1")
    assert "Your answer" in pressed and "I'll attend" in pressed, pressed  # the card's first button
    assert "There is no button «9.9»" in _after(text, "› 9.9")
    worded = _after(text, "› Maybe")
    assert "Maybe" in worded and "Your answer" in worded, worded  # a button's words press it


async def test_a_whatsapp_member_presses_an_earlier_message_s_button_by_its_address(tmp_path: Path) -> None:
    text = await _chat(tmp_path, ["/as Ayşe", "toplantilar", "yardım", "2.2"], language="tr")
    pressed = _after(text, "› 2.2")
    assert "kaydedildi" in pressed.lower() and "Katılamıyorum" in pressed, pressed


async def _run(tmp_path: Path, lines: list[str], *, fresh: bool = False) -> str:
    typed = iter([*lines, "/quit"])
    out: list[str] = []

    async def read_line(prompt: str) -> str | None:
        return next(typed, None)

    settings = Settings(_env_file=None, database=tmp_path / "unused.db")  # type: ignore[call-arg]
    assert await play(settings, Koordinat, script=False, language="en", read_line=read_line, write=out.append,
                      files=tmp_path / "files", color=False, fresh=fresh) == 0
    return "\n".join(out)


@pytest.mark.sqlite_only  # the demo always runs on its own SQLite file
async def test_the_demo_keeps_its_database_between_runs_unless_fresh(tmp_path: Path) -> None:
    first = await _run(tmp_path, ["/as Elif", "/toplantilar", "1"])
    assert "A new demo database" in first and "Your answer" in _after(first, "› 1")
    again = await _run(tmp_path, ["/as Elif", "/toplantilar", "/as Ayşe", "meetings"])
    assert "Continuing with the database kept from the last demo" in again
    card = _after(again, "› /toplantilar")
    assert "Your answer: ✅ I'll attend" in card or "Your answer:" in card, card  # still saved
    assert "Upcoming meeting" in _after(again, "› meetings")  # her WhatsApp id found again
    fresh = await _run(tmp_path, ["/as Elif", "/toplantilar"], fresh=True)
    assert "A new demo database" in fresh and "Your answer:" not in _after(fresh, "› /toplantilar")
    assert not (tmp_path / "unused.db").exists()


_SEND_SURVEY = ["/as Leyla", "/anket", "1", "1", "20.12.2026 17:00", "1", "1", "1"]  # sent, then ▶️ Başla


async def test_a_number_presses_the_buttons_of_a_message_newer_than_the_paused_number_question(
        tmp_path: Path) -> None:
    """The last message she saw wins: a survey's number question is open, /rapor shows the
    period picker after it, so `1` picks the period; at the question itself a number answers."""
    text = await _chat(tmp_path, [*_SEND_SURVEY, "/rapor", "1", "/rapor", "5", "/say 5", "7"], language="tr")
    picked = _after(text, "/rapor\n")
    assert "hangi dönemin raporu" in picked, picked
    assert "📑 İzleme raporu" in text and "Kaydedildi: %1" not in text, text[-3000:]  # the picker's button 1
    hint = _after(text, "› 5")
    assert "1–3 arası" in hint and "2.3" in hint and "/say 5" in hint, hint
    assert "✓ Kaydedildi: %5" in _after(text, "› /say 5")  # sent as text: her survey's answer
    assert "✓ Kaydedildi: 7" in _after(text, "› 7")  # her question is the newest again: a number answers


async def test_a_question_asked_again_after_a_card_is_the_newest_so_a_number_answers_it(tmp_path: Path) -> None:
    """WhatsApp: the meetings card comes, then the bot asks her survey question again under
    it — that question is the last thing she saw, so `1` answers it."""
    text = await _chat(tmp_path, ["/as Ayşe", "anketler", "1", "toplantilar", "1"], language="tr")
    assert "Anketinize dönelim" in _after(text, "toplantilar\n")
    assert "Kaydedildi: 1\n" in _after(text, "Ayşe › 1\n🟢 ✓"), text[-2500:]


@pytest.mark.sqlite_only  # the demo always runs on its own SQLite file
@pytest.mark.parametrize(("language", "fresh", "expected"), [
    ("tr", True, "başka bir demo çalışıyor (pid "), ("en", False, "Another demo is running on this demo database")])
async def test_a_second_demo_on_the_kept_database_says_so_and_deletes_nothing(
        tmp_path: Path, language: str, fresh: bool, expected: str) -> None:
    from storage.instance import InstanceLock

    state = tmp_path / "files" / "state"
    state.mkdir(parents=True)
    (state / "demo.db").write_bytes(b"the running demo's database")
    running = InstanceLock(state / "demo.db")
    running.acquire()  # as the first demo's process holds it
    out: list[str] = []
    try:
        settings = Settings(_env_file=None, database=tmp_path / "unused.db")  # type: ignore[call-arg]
        code = await play(settings, Koordinat, script=False, language=language, read_line=None, write=out.append,
                          files=tmp_path / "files", color=False, fresh=fresh)
    finally:
        running.release()
    assert code == 1 and len(out) == 1 and expected in out[0] and "koordinat demo --script" in out[0], out
    assert "<code>" not in out[0] and "Traceback" not in out[0]
    assert (state / "demo.db").read_bytes() == b"the running demo's database"  # --fresh did not delete it


@pytest.mark.sqlite_only  # the demo always runs on its own SQLite file
@pytest.mark.parametrize(("language", "lines", "stale", "asked_again"), [
    ("tr", ["/as coordinator", "/toplanti", "Ocak toplantısı", "15.01.2027 14:00", "Kadın Merkezi", "atla", "atla",
            "atla"], "artık geçerli değil", "Lütfen yukarıdaki düğmelerden birine dokunun"),
    ("en", ["/as coordinator", "/newmeeting", "January meeting", "15.01.2027 14:00", "Women's Centre", "skip", "skip",
            "skip"], "no longer valid", "Please tap one of the buttons above")])
async def test_a_button_word_of_an_earlier_question_is_text_for_the_open_question(
        tmp_path: Path, language: str, lines: list[str], stale: str, asked_again: str) -> None:
    """At the repeat question, a third `atla` is an answer to it (asked again), not a tap on
    the quorum question's «Atla» button two messages back (which the bot would refuse)."""
    text = await _chat(tmp_path, lines, language=language)
    last = text[text.rindex(lines[-1]):]
    assert asked_again in last and stale not in last, last[:800]
